"""Findings as diagnostics, for ``textDocument/publishDiagnostics``,
``textDocument/diagnostic`` and ``workspace/diagnostic``.

Each diagnostic names its signature (``code``), links the documentation
(``codeDescription``), carries in ``data`` what hover and code actions need, and points
at related findings (``relatedInformation``): the error it usually follows or leads
to, and the other occurrences folded into it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import attrs
import regex
from lsprotocol import types

from faultlore.card import safe_url
from faultlore.fixes import inline_ignores, is_ignored
from faultlore.ignores import Ignores
from faultlore.kb.model import KnowledgeBase, Signature
from faultlore.lsp.analysis import Document
from faultlore.lsp.positions import finding_range
from faultlore.lsp.settings import Settings
from faultlore.matcher import Finding

SOURCE = "faultlore"
RELATED_OCCURRENCES = 20
"""How many other occurrences a folded diagnostic lists in ``relatedInformation``."""

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
_NUMBERS = regex.compile(r"\d+")


@attrs.frozen
class Group:
    """Identical findings of one signature: the first one stands for all."""

    first: Finding
    others: tuple[Finding, ...] = ()

    @property
    def count(self) -> int:
        return 1 + len(self.others)


def severity_of(signature: Signature, settings: Settings) -> str:
    """The signature's severity after the overrides (id, then category, then domain)."""
    overrides = settings.severity
    for key in (signature.id, signature.category, signature.domain):
        if key and key in overrides:
            return overrides[key]
    return signature.severity


def visible_findings(
    document: Document,
    kb: KnowledgeBase,
    settings: Settings,
    ignores: Ignores,
    key: str | None,
) -> list[Finding]:
    """The findings not silenced by settings, ``.faultlore.toml`` or inline comments."""
    inline = inline_ignores(document.lines, document.kind or "")
    shown: dict[str, bool] = {}
    out = []
    for finding in document.findings:
        signature_id = finding.signature_id
        if signature_id not in shown:
            signature = kb.get(signature_id)
            shown[signature_id] = (
                signature is not None
                and severity_of(signature, settings) != "off"
                and not ignores.ignored(signature_id, key)
            )
        if not shown[signature_id]:
            continue
        if inline and is_ignored(inline, finding.line, signature_id):
            continue
        out.append(finding)
    return out


def group_findings(findings: Iterable[Finding], fold: bool) -> list[Group]:
    """Fold findings of one signature whose texts differ at most in their numbers."""
    if not fold:
        return [Group(finding) for finding in findings]
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    normal: dict[str, str] = {}
    for finding in findings:
        text = finding.text
        if text not in normal:
            normal[text] = _NUMBERS.sub("0", text)
        groups[(finding.signature_id, normal[text])].append(finding)
    ordered = sorted(
        groups.values(), key=lambda members: (members[0].line, members[0].column)
    )
    return [Group(members[0], tuple(members[1:])) for members in ordered]


def render_diagnostics(
    document: Document,
    findings: list[Finding],
    kb: KnowledgeBase,
    settings: Settings,
    counter,
    locale: str = "en",
) -> list[types.Diagnostic]:
    """The diagnostics of *document*: folded, capped, tied to related findings."""
    groups = group_findings(findings, settings.fold_identical)
    by_id: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_id[finding.signature_id].append(finding)

    cap = settings.max_diagnostics_per_document
    diagnostics = [
        render_diagnostic(document, group, kb, settings, counter, by_id, locale)
        for group in groups[:cap]
    ]
    if len(groups) > cap:
        hidden = groups[cap].first
        diagnostics.append(
            types.Diagnostic(
                range=finding_range(document.lines, hidden, counter),
                message=(
                    f"faultlore: {len(groups) - cap} more findings are not shown "
                    f"(maxDiagnosticsPerDocument is {cap}); the outline lists them all"
                ),
                severity=types.DiagnosticSeverity.Information,
                source=SOURCE,
                code="limit",
            )
        )
    return diagnostics


def render_diagnostic(
    document: Document,
    group: Group,
    kb: KnowledgeBase,
    settings: Settings,
    counter,
    by_id: dict[str, list[Finding]],
    locale: str = "en",
) -> types.Diagnostic:
    """One diagnostic for a group of identical findings."""
    finding = group.first
    signature = kb.get(finding.signature_id)
    assert signature is not None
    message = signature.title
    if locale == "zh" and signature.record.get("signature_zh"):
        message = signature.record["signature_zh"]
    if group.count > 1:
        message += f" (×{group.count})"
    url = safe_url(signature.doc_url)
    return types.Diagnostic(
        range=finding_range(document.lines, finding, counter),
        message=message,
        severity=_SEVERITY.get(
            severity_of(signature, settings), types.DiagnosticSeverity.Error
        ),
        source=SOURCE,
        code=signature.id,
        code_description=types.CodeDescription(href=url) if url else None,
        related_information=_related(document, group, signature, kb, counter, by_id)
        or None,
        data={
            "id": signature.id,
            "kind": document.kind,
            "version": document.version,
            "span": [
                finding.line,
                finding.column,
                finding.end_line,
                finding.end_column,
            ],
            "text": finding.text[:500],
            "count": group.count,
            "alternatives": list(finding.alternatives),
        },
    )


def _related(
    document: Document,
    group: Group,
    signature: Signature,
    kb: KnowledgeBase,
    counter,
    by_id: dict[str, list[Finding]],
) -> list[types.DiagnosticRelatedInformation]:
    finding = group.first
    related = []
    for relation, label in (
        ("preceded_by", "usually follows"),
        ("leads_to", "leads to"),
    ):
        for target_id in signature.related(relation):
            occurrences = by_id.get(target_id)
            if not occurrences:
                continue
            if relation == "preceded_by":
                earlier = [f for f in occurrences if f.line <= finding.line]
                target = earlier[-1] if earlier else occurrences[0]
            else:
                later = [f for f in occurrences if f.line >= finding.line]
                target = later[0] if later else occurrences[-1]
            target_signature = kb.get(target_id)
            title = target_signature.title if target_signature else target_id
            related.append(
                types.DiagnosticRelatedInformation(
                    location=types.Location(
                        uri=document.uri,
                        range=finding_range(document.lines, target, counter),
                    ),
                    message=f"{label}: {title} (line {target.line + 1})",
                )
            )
    for other in group.others[:RELATED_OCCURRENCES]:
        related.append(
            types.DiagnosticRelatedInformation(
                location=types.Location(
                    uri=document.uri,
                    range=finding_range(document.lines, other, counter),
                ),
                message=f"also on line {other.line + 1}",
            )
        )
    return related
