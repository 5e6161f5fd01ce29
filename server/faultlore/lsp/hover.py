"""``textDocument/hover``: the explanation card of the finding under the cursor."""

from __future__ import annotations

from lsprotocol import types

from faultlore.card import build_card, render_markdown, render_plain
from faultlore.kb.model import Signature
from faultlore.matcher import Finding


def render_hover(
    signature: Signature, finding_range: types.Range, markdown: bool, locale: str
) -> types.Hover:
    """The card of *signature* as Markdown or plain text, anchored on the finding."""
    card = build_card(signature, locale)
    if markdown:
        content = types.MarkupContent(
            kind=types.MarkupKind.Markdown, value=render_markdown(card, locale)
        )
    else:
        content = types.MarkupContent(
            kind=types.MarkupKind.PlainText, value=render_plain(card, locale)
        )
    return types.Hover(contents=content, range=finding_range)


def pick(findings: list[Finding]) -> Finding | None:
    """The finding a hover explains when several hold the position: the narrowest."""
    if not findings:
        return None
    return min(findings, key=lambda f: (f.end_line - f.line, len(f.text)))
