"""Open documents as lines and findings, kept current by rescanning only what changed.

An edit replaces a run of lines; the findings after it shift, the ones it touched are
dropped, and the touched lines (widened by `MULTILINE_CONTEXT` when the file kind has
multi-line signatures) are marked dirty. The next scan looks at the dirty lines only,
so appending to a log costs time in proportion to the new lines.
"""

from __future__ import annotations

import bisect
import logging
import time
from collections.abc import Sequence

import attrs

from faultlore.filekinds import applies
from faultlore.lsp.positions import Counter, to_code_points
from faultlore.matcher import MULTILINE_CONTEXT, Finding, Matcher
from faultlore.text import split_lines

logger = logging.getLogger(__name__)

CHUNK_LINES = 20000
"""Lines scanned at a time in a full scan (progress is reported between chunks)."""

REACH_BACK = 50
"""Findings before an edit looked at for a multi-line one reaching into it."""


def detect_newline(text: str) -> str:
    """The line break edits to *text* should use: ``\r\n`` if its start has one."""
    return "\r\n" if "\r\n" in text[:10000] else "\n"


@attrs.define(eq=False)
class Document:
    """One open document: its lines (without line breaks) and what was found in them."""

    uri: str
    path: str
    kind: str | None
    """``log``, a config kind, ``kb`` for a knowledge-base file, or None (not ours)."""
    version: int | None
    lines: list[str]
    language_id: str = ""
    newline: str = "\n"
    findings: list[Finding] = attrs.Factory(list)
    """Sorted by position."""
    dirty: tuple[int, int] | None = (0, 0)
    """Lines still to scan, ``(start, stop)``; None when the findings are current."""
    generation: int = 0
    """Bumped on every change, so a scan can tell if its snapshot went stale."""
    lowest_edit: int | None = None
    """The lowest line changed since the current full scan started."""
    kb_diagnostics: list = attrs.Factory(list)
    """For knowledge-base files: the problems found, as LSP diagnostics."""

    @classmethod
    def open(
        cls,
        uri: str,
        path: str,
        kind: str | None,
        version: int | None,
        text: str,
        language_id: str = "",
    ) -> Document:
        lines = split_lines(text)
        newline = detect_newline(text)
        return cls(
            uri, path, kind, version, lines, language_id, newline, dirty=(0, len(lines))
        )

    @property
    def text(self) -> str:
        return self.newline.join(self.lines)

    def finding_at(self, line: int, column: int) -> list[Finding]:
        """The findings whose span holds (*line*, *column*), in code points."""
        stop = bisect.bisect_right(self.findings, line, key=_line)
        out = []
        for finding in reversed(self.findings[max(0, stop - 400) : stop]):
            if (finding.line, finding.column) <= (line, column) < (
                finding.end_line,
                finding.end_column,
            ) or (
                finding.line == line == finding.end_line
                and column == finding.end_column
            ):
                out.append(finding)
        return list(reversed(out))

    def rescan_all(self) -> None:
        """Drop every finding and mark every line for scanning, invalidating scans."""
        self.generation += 1
        self.findings = []
        self.dirty = (0, len(self.lines))
        self.lowest_edit = 0


def apply_change(document: Document, change: object, counter: Counter) -> None:
    """Apply one ``TextDocumentContentChangeEvent`` (incremental or whole text)."""
    change_range = getattr(change, "range", None)
    text: str = change.text  # type: ignore[attr-defined]
    if change_range is None:
        document.lines = split_lines(text)
        document.newline = detect_newline(text)
        document.rescan_all()
        return

    document.generation += 1

    lines = document.lines
    start_line = min(change_range.start.line, len(lines))
    end_line = min(change_range.end.line, len(lines))
    if start_line >= len(lines):
        start_line = end_line = len(lines) - 1
        start_col = end_col = len(lines[-1])
    else:
        start_col = to_code_points(
            lines[start_line], change_range.start.character, counter
        )
        if end_line >= len(lines):
            end_line = len(lines) - 1
            end_col = len(lines[end_line])
        else:
            end_col = to_code_points(
                lines[end_line], change_range.end.character, counter
            )
    prefix = lines[start_line][:start_col]
    suffix = lines[end_line][end_col:]
    replacement = split_lines(prefix + text + suffix)
    lines[start_line : end_line + 1] = replacement
    delta = len(replacement) - (end_line - start_line + 1)
    new_stop = start_line + len(replacement)

    document.findings = _shift(document.findings, start_line, end_line, delta)

    # Lines past a change keep their meaning only if they have not moved into it.
    def moved(point: int) -> int:
        if point <= start_line:
            return point
        if point > end_line:
            return point + delta
        return new_stop

    dirty_start, dirty_stop = start_line, new_stop
    if document.dirty is not None:
        dirty_start = min(dirty_start, moved(document.dirty[0]))
        dirty_stop = max(dirty_stop, moved(document.dirty[1]))
    document.dirty = (dirty_start, min(dirty_stop, len(lines)))
    if document.lowest_edit is None or start_line < document.lowest_edit:
        document.lowest_edit = start_line


def _shift(findings: list[Finding], start: int, end: int, delta: int) -> list[Finding]:
    """Drop findings touching lines *start*..*end*; move the later ones by *delta*.

    Works in place, so an edit at the end of a long log costs nothing per finding.
    """
    lo = bisect.bisect_left(findings, start, key=_line)
    hi = bisect.bisect_right(findings, end, key=_line)
    after = findings[hi:]
    if delta:
        after = [
            attrs.evolve(f, line=f.line + delta, end_line=f.end_line + delta)
            for f in after
        ]
    findings[lo:] = after
    # Multi-line findings before the change that reach into it are dropped too.
    for index in range(lo - 1, max(0, lo - REACH_BACK) - 1, -1):
        if findings[index].end_line >= start:
            logger.debug("dropping a finding that reaches into an edit")
            del findings[index]
    return findings


class Analyzer:
    """Scans documents with one matcher; knows the kinds with multi-line signatures."""

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self._multiline: dict[str, bool] = {}

    def has_multiline(self, kind: str) -> bool:
        if kind not in self._multiline:
            self._multiline[kind] = any(
                s.multiline and applies(s.files, kind) for s in self.matcher.signatures
            )
        return self._multiline[kind]

    def scan_range(self, document: Document) -> tuple[int, int] | None:
        """Rescan the dirty lines of *document* in place; return the range scanned."""
        if document.dirty is None or document.kind in (None, "kb"):
            document.dirty = None
            return None
        start, stop = document.dirty
        total = len(document.lines)
        if self.has_multiline(document.kind):
            start, stop = (
                max(0, start - MULTILINE_CONTEXT),
                min(total, stop + MULTILINE_CONTEXT),
            )
        # A multi-line finding starting before the range but reaching into it is redone.
        before = bisect.bisect_left(document.findings, start, key=_line)
        for finding in document.findings[max(0, before - REACH_BACK) : before]:
            if finding.end_line >= start:
                start = min(start, finding.line)
        started = time.perf_counter()
        result = self.matcher.scan_lines(
            document.lines, document.kind, start, max(stop, start)
        )
        merge_findings(document, start, stop, result.findings)
        document.dirty = None
        logger.debug(
            "%s: scanned lines %d-%d of %d in %.1f ms",
            document.uri,
            start + 1,
            stop,
            total,
            (time.perf_counter() - started) * 1000,
        )
        return start, stop

    def scan_chunk(
        self, lines: Sequence[str], kind: str, start: int, stop: int
    ) -> list[Finding]:
        """Scan ``lines[start:stop]`` of a snapshot (full scans, off the event loop)."""
        return self.matcher.scan_lines(lines, kind, start, stop).findings


def _line(finding: Finding) -> int:
    return finding.line


def merge_findings(
    document: Document, start: int, stop: int, found: list[Finding]
) -> None:
    """Replace the findings that start in lines *start*..*stop* with *found*."""
    lo = bisect.bisect_left(document.findings, start, key=_line)
    hi = bisect.bisect_left(document.findings, stop, key=_line)
    document.findings[lo:hi] = sorted(found, key=lambda f: (f.line, f.column))
