"""``textDocument/documentSymbol``: every finding as an outline, grouped by signature.

Diagnostics are folded and capped; the outline is not, so every occurrence of a
repeated error stays one click away.
"""

from __future__ import annotations

from collections import defaultdict

from lsprotocol import types

from faultlore.kb.model import KnowledgeBase
from faultlore.lsp.analysis import Document
from faultlore.lsp.positions import finding_range
from faultlore.matcher import Finding


def render_symbols(
    document: Document, findings: list[Finding], kb: KnowledgeBase, counter
) -> list[types.DocumentSymbol]:
    """One symbol per signature (by first appearance), one child per finding."""
    by_id: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_id[finding.signature_id].append(finding)

    symbols = []
    for signature_id, members in by_id.items():
        signature = kb.get(signature_id)
        title = signature.title if signature else signature_id
        children = []
        for finding in members:
            span = finding_range(document.lines, finding, counter)
            children.append(
                types.DocumentSymbol(
                    name=f"line {finding.line + 1}",
                    detail=_one_line(finding.text),
                    kind=types.SymbolKind.Event,
                    range=span,
                    selection_range=span,
                )
            )
        whole = types.Range(start=children[0].range.start, end=children[-1].range.end)
        symbols.append(
            types.DocumentSymbol(
                name=title,
                detail=f"{signature_id} ×{len(members)}",
                kind=types.SymbolKind.Key,
                range=whole,
                selection_range=children[0].range,
                children=children,
            )
        )
    return symbols


def _one_line(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else text
    return first[:120]
