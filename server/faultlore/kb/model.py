"""The signature model and the problems loading can report."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import regex

SEVERITIES = ("error", "warning", "information", "hint")

_CATEGORY_SEVERITY = {
    "deprecation": "warning",
    "config_warning": "warning",
    "performance": "warning",
    "auth_failure": "warning",
    "informational": "information",
}


def severity_for(record: Mapping[str, Any]) -> str:
    """The record's severity, or the one its category implies."""
    explicit = record.get("severity")
    if explicit in SEVERITIES:
        return explicit
    return _CATEGORY_SEVERITY.get(record.get("category") or "", "error")


@attrs.frozen
class Snippet:
    """Text a code action inserts, where it belongs and where it goes."""

    text: str
    file: str | None = None
    """The kind of file it belongs in; None means the file being fixed."""
    placement: str = "after_line"


@attrs.frozen
class Workaround:
    """A fix that works, with how often it does."""

    action: str
    success_rate: float | None = None
    how: str | None = None
    condition: str | None = None
    snippet: Snippet | None = None
    action_zh: str | None = None


@attrs.frozen
class DeadEnd:
    """A fix people try that usually fails."""

    action: str
    why_fails: str | None = None
    fail_rate: float | None = None
    condition: str | None = None


@attrs.frozen(eq=False)
class Signature:
    """One known failure, compiled and ready to match.

    ``record`` keeps the whole source record (read-only by convention) for the
    renderers; the attributes are the parts the engine needs.
    """

    id: str
    title: str
    pattern: regex.Pattern[str]
    files: frozenset[str]
    severity: str
    multiline: bool
    priority: int
    confidence: float
    record: Mapping[str, Any]
    source: str
    """The file the record came from."""
    index: int | None = None
    """The record's position in its file, when the file holds several."""

    @property
    def domain(self) -> str:
        return self.record.get("domain") or ""

    @property
    def category(self) -> str:
        return self.record.get("category") or ""

    @property
    def doc_url(self) -> str | None:
        return self.record.get("official_doc_url") or None

    def workarounds(self) -> list[Workaround]:
        """The workarounds, best success rate first (ties keep the record's order)."""
        zh = list(self.record.get("workarounds_zh") or [])
        items = []
        for position, raw in enumerate(self.record.get("workarounds") or []):
            snippet = raw.get("snippet")
            items.append(
                Workaround(
                    action=raw.get("action") or "",
                    success_rate=raw.get("success_rate"),
                    how=raw.get("how"),
                    condition=raw.get("condition") or None,
                    snippet=Snippet(**snippet) if snippet else None,
                    action_zh=zh[position] if position < len(zh) else None,
                )
            )
        return sorted(items, key=lambda item: -(item.success_rate or 0.0))

    def dead_ends(self) -> list[DeadEnd]:
        """The dead ends, most often failing first."""
        items = [
            DeadEnd(
                action=raw.get("action") or "",
                why_fails=raw.get("why_fails"),
                fail_rate=raw.get("fail_rate"),
                condition=raw.get("condition") or None,
            )
            for raw in self.record.get("dead_ends") or []
        ]
        return sorted(items, key=lambda item: -(item.fail_rate or 0.0))

    def related(self, relation: str) -> list[str]:
        """Ids linked under *relation* (``leads_to``, ``preceded_by``, ...)."""
        graph = self.record.get("transition_graph") or {}
        ids = []
        for link in graph.get(relation) or []:
            target = link.get("error_id") if isinstance(link, Mapping) else link
            if target:
                ids.append(target)
        return ids


@attrs.frozen
class Problem:
    """Something wrong in a knowledge-base source, named precisely enough to fix."""

    path: str
    message: str
    record: str | None = None
    """The record's id, or ``#N`` (its 0-based index) when it has no usable id."""
    pointer: str = ""
    """JSON pointer to the field inside the record."""
    line: int | None = None
    """1-based line in the file, when known."""
    column: int | None = None
    level: str = "error"

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        parts = [where]
        if self.record is not None:
            parts.append(f"record {self.record}")
        if self.pointer:
            parts.append(f"at {self.pointer}")
        return f"{': '.join(parts)}: {self.message}"


@attrs.define
class KnowledgeBase:
    """The loaded signatures, by id, in load order."""

    signatures: dict[str, Signature] = attrs.Factory(dict)
    problems: list[Problem] = attrs.Factory(list)
    sources: list[str] = attrs.Factory(list)

    def __len__(self) -> int:
        return len(self.signatures)

    def __iter__(self) -> Iterator[Signature]:
        return iter(self.signatures.values())

    def __contains__(self, signature_id: object) -> bool:
        return signature_id in self.signatures

    def get(self, signature_id: str) -> Signature | None:
        return self.signatures.get(signature_id)
