"""The explanation card of a signature, as Markdown or plain text.

One pure function builds the card's sections from a signature; the renderers turn
them into Markdown (hover, ``faultlore explain``) or plain text. Text from the
knowledge base is escaped, so a record can never inject HTML, links or commands.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import attrs

from faultlore.kb.model import Signature

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_CODE_SPAN = re.compile(r"`[^`\n]+`")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


@attrs.frozen
class Section:
    heading: str
    lines: tuple[str, ...]
    """Plain text; each becomes a bullet (or a paragraph when ``paragraph``)."""
    paragraph: bool = False


@attrs.frozen
class Card:
    title: str
    signature_id: str
    subtitle: str
    sections: tuple[Section, ...]
    doc_url: str | None
    footer: str


_LABELS = {
    "en": {
        "root_cause": "Root cause",
        "versions": "Affects",
        "dead_ends": "Dead ends (usually fail)",
        "workarounds": "Workarounds (best first)",
        "related": "Related",
        "docs": "Documentation",
        "fails": "fails about {rate} of the time",
        "works": "works about {rate} of the time",
        "dont": "Don't",
        "when": "when",
        "leads_to": "leads to",
        "preceded_by": "usually follows",
        "confused": "often confused with",
        "confidence": "confidence {confidence}",
        "tier": "verification: {tier}",
        "confirmed": "last confirmed {date}",
        "snippet": "snippet for {file}",
    },
    "zh": {
        "root_cause": "根本原因",
        "versions": "影响版本",
        "dead_ends": "无效做法（通常失败）",
        "workarounds": "解决办法（按成功率排序）",
        "related": "相关错误",
        "docs": "官方文档",
        "fails": "失败率约 {rate}",
        "works": "成功率约 {rate}",
        "dont": "不要",
        "when": "条件",
        "leads_to": "可能导致",
        "preceded_by": "通常出现在其后",
        "confused": "常被混淆为",
        "confidence": "置信度 {confidence}",
        "tier": "验证级别：{tier}",
        "confirmed": "最后确认 {date}",
        "snippet": "{file} 配置片段",
    },
}


def _percent(rate: float | None) -> str:
    return f"{round(rate * 100)}%" if isinstance(rate, int | float) else "?"


def safe_url(url: str | None) -> str | None:
    """Return *url* only when it is a plain http(s) link."""
    if not url:
        return None
    parsed = urlparse(url.strip())
    if (
        parsed.scheme in ("http", "https")
        and parsed.netloc
        and not any(c in url for c in "<>\"' \n")
    ):
        return url.strip()
    return None


def build_card(signature: Signature, locale: str = "en") -> Card:
    """Build the explanation card of *signature* in *locale* (``en`` or ``zh``)."""
    record = signature.record
    zh = locale.lower().startswith("zh")
    labels = _LABELS["zh" if zh else "en"]

    def pick(field: str) -> str:
        return (zh and record.get(f"{field}_zh")) or record.get(field) or ""

    sections: list[Section] = []
    root_cause = pick("root_cause")
    if root_cause:
        sections.append(Section(labels["root_cause"], (root_cause,), paragraph=True))

    versions = []
    for version in record.get("versions") or []:
        label = version.get("version") or ""
        notes = [
            f"{key} {version[key]}"
            for key in ("introduced", "deprecated", "removed")
            if version.get(key)
        ]
        if version.get("behavior_change"):
            notes.append(version["behavior_change"])
        if label:
            versions.append(label + (f" ({'; '.join(notes)})" if notes else ""))
    if versions:
        sections.append(Section(labels["versions"], tuple(versions)))

    dead_ends = []
    for dead_end in signature.dead_ends():
        fails = labels["fails"].format(rate=_percent(dead_end.fail_rate))
        line = f"{labels['dont']}: {dead_end.action} ({fails})"
        if dead_end.why_fails:
            line += f" - {dead_end.why_fails}"
        dead_ends.append(line)
    if dead_ends:
        sections.append(Section(labels["dead_ends"], tuple(dead_ends)))

    workarounds = []
    for workaround in signature.workarounds():
        action = (zh and workaround.action_zh) or workaround.action
        works = labels["works"].format(rate=_percent(workaround.success_rate))
        line = f"{action} ({works})"
        if workaround.how and workaround.how != workaround.action and not zh:
            line += f": {workaround.how}"
        if workaround.condition:
            line += f" [{labels['when']}: {workaround.condition}]"
        if workaround.snippet and workaround.snippet.text:
            snippet = labels["snippet"].format(
                file=workaround.snippet.file or "this file"
            )
            line += f" [{snippet}: {workaround.snippet.text.strip()}]"
        workarounds.append(line)
    if workarounds:
        sections.append(Section(labels["workarounds"], tuple(workarounds)))

    related = []
    for relation, label in (
        ("preceded_by", labels["preceded_by"]),
        ("leads_to", labels["leads_to"]),
        ("frequently_confused_with", labels["confused"]),
    ):
        for target in signature.related(relation):
            related.append(f"{label}: {target}")
    if related:
        sections.append(Section(labels["related"], tuple(related)))

    subtitle = " / ".join(
        filter(
            None,
            [
                record.get("domain"),
                record.get("category"),
                record.get("error_code") and str(record.get("error_code")),
            ],
        )
    )
    footer_parts = []
    if isinstance(record.get("confidence"), int | float):
        footer_parts.append(
            labels["confidence"].format(confidence=f"{record['confidence']:.2f}")
        )
    if record.get("verification_tier"):
        footer_parts.append(labels["tier"].format(tier=record["verification_tier"]))
    if record.get("last_confirmed"):
        footer_parts.append(labels["confirmed"].format(date=record["last_confirmed"]))

    return Card(
        title=pick("signature") or signature.title,
        signature_id=signature.id,
        subtitle=subtitle,
        sections=tuple(sections),
        doc_url=safe_url(record.get("official_doc_url")),
        footer=" · ".join(footer_parts),
    )


def escape_markdown(text: str) -> str:
    """Escape *text* so Markdown shows it literally and no HTML gets through.

    Backtick code spans are kept: Markdown shows their content verbatim (no HTML, no
    links), so commands and config lines read as code.
    """
    pieces = []
    position = 0
    for span in _CODE_SPAN.finditer(text):
        pieces.append(_escape_plain(text[position : span.start()]))
        pieces.append(span.group())
        position = span.end()
    pieces.append(_escape_plain(text[position:]))
    return "".join(pieces)


def _escape_plain(text: str) -> str:
    text = "".join(_HTML.get(char, char) for char in text)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")


def render_markdown(card: Card, locale: str = "en") -> str:
    """The card as Markdown, every piece of knowledge-base text escaped."""
    labels = _LABELS["zh" if locale.lower().startswith("zh") else "en"]
    out = [f"**{escape_markdown(card.title)}**", ""]
    meta = f"`{card.signature_id.replace('`', '')}`"
    if card.subtitle:
        meta += f" · {escape_markdown(card.subtitle)}"
    out += [meta, ""]
    for section in card.sections:
        out.append(f"**{escape_markdown(section.heading)}**")
        out.append("")
        if section.paragraph:
            out.extend(escape_markdown(line) for line in section.lines)
        else:
            out.extend(f"- {escape_markdown(line)}" for line in section.lines)
        out.append("")
    if card.doc_url:
        url = card.doc_url.replace("(", "%28").replace(")", "%29")
        out += [f"{labels['docs']}: [{escape_markdown(card.doc_url)}]({url})", ""]
    if card.footer:
        out.append(f"_{escape_markdown(card.footer)}_")
    return "\n".join(out).strip() + "\n"


def render_plain(card: Card, locale: str = "en") -> str:
    """The card as plain text, for clients without Markdown."""
    labels = _LABELS["zh" if locale.lower().startswith("zh") else "en"]
    out = [
        card.title,
        card.signature_id + (f" · {card.subtitle}" if card.subtitle else ""),
        "",
    ]
    for section in card.sections:
        out.append(f"{section.heading}:")
        if section.paragraph:
            out.extend(f"  {line}" for line in section.lines)
        else:
            out.extend(f"  - {line}" for line in section.lines)
        out.append("")
    if card.doc_url:
        out += [f"{labels['docs']}: {card.doc_url}", ""]
    if card.footer:
        out.append(card.footer)
    return "\n".join(out).strip() + "\n"
