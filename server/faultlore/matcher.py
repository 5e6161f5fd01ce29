"""The signature matcher: finds every known failure in a text, with exact spans.

How a scan works:

1. Each line is cleaned of ANSI escapes (positions are mapped back afterwards).
2. One Aho-Corasick pass over the case-folded text finds the required literals of all
   signatures (`faultlore.literals`); each hit makes its line a candidate for the
   signatures that need that literal. Signatures without literals are candidates on
   every line.
3. Single-line signatures are searched in each candidate line; multi-line ones over
   the candidate lines with `MULTILINE_CONTEXT` lines around them.
4. Overlapping matches are ranked (`rank_key`); the best becomes the finding and the
   others its alternatives.

Every regex evaluation is bounded by a timeout; a signature that exceeds it is
reported and skipped for the rest of the scan.
"""

from __future__ import annotations

import bisect
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence

import ahocorasick_rs
import attrs

from faultlore.filekinds import applies
from faultlore.kb.model import KnowledgeBase, Signature
from faultlore.literals import fold, line_local, required_literals
from faultlore.text import CleanLine, clean_line, split_lines

logger = logging.getLogger(__name__)

MULTILINE_CONTEXT = 80
"""Lines around a candidate line that a multi-line signature may span."""

REGEX_TIMEOUT = 0.25
"""Seconds one regex evaluation may take before its signature is disabled."""

MAX_MATCHES_PER_LINE = 8

DENSE_CANDIDATES = 32
"""When a single-line signature is a candidate on more than this many lines, and on
more than half the range, it is searched once over the joined range instead of line
by line (if its pattern is `line_local`)."""


class _Joined:
    """Lines joined by newlines, with each line's offset; line *lo* comes first."""

    def __init__(self, texts: Sequence[str], lo: int) -> None:
        self.lo = lo
        self.text = "\n".join(texts)
        self.starts = [0]
        for text in texts[:-1]:
            self.starts.append(self.starts[-1] + len(text) + 1)

    @classmethod
    def of(cls, clean: list[CleanLine], lo: int, hi: int) -> _Joined:
        """The clean lines ``clean[lo:hi]`` joined."""
        return cls([line.text for line in clean[lo:hi]], lo)

    def line_of(self, offset: int) -> int:
        """The index into the clean lines of the line holding *offset*."""
        return bisect.bisect_right(self.starts, offset) - 1 + self.lo

    def start_of(self, line: int) -> int:
        """The offset in the joined text where clean line *line* starts."""
        return self.starts[line - self.lo]


@attrs.frozen
class Finding:
    """One known failure found in a text.

    Lines and columns are 0-based; columns count code points of the original line
    (escape sequences included). The end is exclusive.
    """

    signature_id: str
    line: int
    column: int
    end_line: int
    end_column: int
    text: str
    alternatives: tuple[str, ...] = ()
    """Other signatures that matched overlapping text, best first."""


@attrs.frozen
class ScanProblem:
    """A signature that misbehaved during a scan (it was skipped from then on)."""

    signature_id: str
    line: int
    message: str


@attrs.define
class ScanResult:
    """The findings of a scan, and the signatures skipped on the way."""

    findings: list[Finding] = attrs.Factory(list)
    problems: list[ScanProblem] = attrs.Factory(list)


def rank_key(signature: Signature, matched_length: int) -> tuple:
    """Sort key of competing matches: priority, longer text, confidence, then id."""
    return (-signature.priority, -matched_length, -signature.confidence, signature.id)


@attrs.define
class _Candidate:
    signature: Signature
    line: int
    column: int
    end_line: int
    end_column: int
    text: str


class Matcher:
    """Matches the signatures of a knowledge base against the texts of a file kind."""

    def __init__(self, signatures: KnowledgeBase | Iterable[Signature]) -> None:
        self.signatures: list[Signature] = list(signatures)
        self.ids = frozenset(signature.id for signature in self.signatures)
        self._literal_owners: list[list[int]] = []
        self.unfiltered: list[int] = []
        """Indexes of signatures with no usable literal: tried on every line."""
        self._line_local = [
            not signature.multiline and line_local(signature.pattern.pattern)
            for signature in self.signatures
        ]
        literal_index: dict[str, int] = {}
        for position, signature in enumerate(self.signatures):
            literals = required_literals(
                signature.pattern.pattern,
                ignore_case=not signature.record.get("case_sensitive"),
            )
            if literals is None:
                self.unfiltered.append(position)
                continue
            for literal in literals:
                if literal not in literal_index:
                    literal_index[literal] = len(self._literal_owners)
                    self._literal_owners.append([])
                self._literal_owners[literal_index[literal]].append(position)
        self._literals = list(literal_index)
        self._automaton = (
            ahocorasick_rs.AhoCorasick(self._literals) if self._literals else None
        )
        if self.unfiltered:
            logger.info(
                "%d signatures have no literal to prefilter on: tried on every line",
                len(self.unfiltered),
            )

    def scan_text(self, text: str, kind: str = "log") -> ScanResult:
        """Scan a whole text of the given file *kind*."""
        return self.scan_lines(split_lines(text), kind)

    def scan_lines(
        self,
        lines: Sequence[str],
        kind: str = "log",
        start: int = 0,
        stop: int | None = None,
        *,
        line_offset: int = 0,
    ) -> ScanResult:
        """Scan ``lines[start:stop]``; multi-line matches may reach the lines around.

        Only findings that start inside the range are returned. *line_offset* is added
        to every reported line number (for chunks of a larger file).
        """
        stop = len(lines) if stop is None else min(stop, len(lines))
        result = ScanResult()
        if start >= stop:
            return result
        active = {i for i, s in enumerate(self.signatures) if applies(s.files, kind)}
        if not active:
            return result

        context_start = max(0, start - MULTILINE_CONTEXT)
        context_stop = min(len(lines), stop + MULTILINE_CONTEXT)
        clean = [clean_line(line) for line in lines[context_start:context_stop]]
        candidates = self._candidate_lines(
            clean, start - context_start, stop - context_start, active
        )

        matches: list[_Candidate] = []
        single: dict[int, set[int]] = defaultdict(set)
        multi: dict[int, set[int]] = defaultdict(set)
        for position, found_lines in candidates.items():
            target = multi if self.signatures[position].multiline else single
            for line in found_lines:
                target[position].add(line)

        joined: _Joined | None = None
        for position, found_lines in single.items():
            signature = self.signatures[position]
            dense = len(found_lines) > max(DENSE_CANDIDATES, (stop - start) // 2)
            if dense and self._line_local[position]:
                # Many candidate lines: one search over the range beats one per line.
                joined = joined or _Joined.of(
                    clean, start - context_start, stop - context_start
                )
                ok, line = self._match_dense(signature, clean, joined, matches)
                if not ok:
                    result.problems.append(
                        self._timeout_problem(
                            signature, line + context_start + line_offset
                        )
                    )
                continue
            for line in sorted(found_lines):
                if not self._match_line(signature, clean[line], line, matches):
                    result.problems.append(
                        self._timeout_problem(
                            signature, line + context_start + line_offset
                        )
                    )
                    break
        for position, found_lines in multi.items():
            signature = self.signatures[position]
            if not self._match_block(signature, clean, sorted(found_lines), matches):
                result.problems.append(
                    self._timeout_problem(
                        signature, min(found_lines) + context_start + line_offset
                    )
                )

        lo, hi = start - context_start, stop - context_start
        inside = [m for m in matches if lo <= m.line < hi]
        for finding in resolve(inside):
            result.findings.append(
                _to_original(finding, clean, lines, context_start, line_offset)
            )
        return result

    def _candidate_lines(
        self, clean: list[CleanLine], lo: int, hi: int, active: set[int]
    ) -> dict[int, set[int]]:
        """Map signature index to the candidate lines (indexes into *clean*)."""
        candidates: dict[int, set[int]] = defaultdict(set)
        multiline_any = any(self.signatures[i].multiline for i in active)
        # Multi-line signatures may be keyed on a line before or after the range.
        scan_lo, scan_hi = (0, len(clean)) if multiline_any else (lo, hi)
        for position in self.unfiltered:
            if position in active:
                candidates[position].update(range(lo, hi))
        if self._automaton is None:
            return candidates

        # Lines are folded one by one, as folding may change lengths ("ß" is "ss");
        # no literal holds a line break, so no hit spans two lines.
        folded = _Joined([fold(line.text) for line in clean[scan_lo:scan_hi]], scan_lo)
        hits: set[tuple[int, int]] = set()
        for literal, offset, _end in self._automaton.find_matches_as_indexes(
            folded.text, overlapping=True
        ):
            hits.add((literal, folded.line_of(offset)))
        for literal, line in hits:
            for position in self._literal_owners[literal]:
                if position not in active:
                    continue
                if self.signatures[position].multiline or lo <= line < hi:
                    candidates[position].add(line)
        return candidates

    def _match_line(
        self, signature: Signature, line: CleanLine, number: int, out: list[_Candidate]
    ) -> bool:
        """Search one line; False when the regex timed out."""
        try:
            for count, match in enumerate(
                signature.pattern.finditer(line.text, timeout=REGEX_TIMEOUT)
            ):
                if count >= MAX_MATCHES_PER_LINE:
                    break
                if match.end() == match.start():
                    continue
                out.append(
                    _Candidate(
                        signature,
                        number,
                        match.start(),
                        number,
                        match.end(),
                        match.group(),
                    )
                )
        except TimeoutError:
            return False
        return True

    def _match_dense(
        self,
        signature: Signature,
        clean: list[CleanLine],
        joined: _Joined,
        out: list[_Candidate],
    ) -> tuple[bool, int]:
        """Search the joined range once; lines a match crosses are searched alone.

        Returns (False, line) when the regex timed out.
        """
        # The budget grows with the text: a plain pattern over megabytes is not a hang.
        budget = REGEX_TIMEOUT + len(joined.text) / 1_000_000
        redo: set[int] = set()
        found: list[_Candidate] = []
        line = joined.lo
        try:
            for match in signature.pattern.finditer(joined.text, timeout=budget):
                if match.end() == match.start():
                    continue
                line = joined.line_of(match.start())
                if "\n" in match.group():
                    redo.update(range(line, joined.line_of(match.end() - 1) + 1))
                    continue
                column = match.start() - joined.start_of(line)
                found.append(
                    _Candidate(
                        signature,
                        line,
                        column,
                        line,
                        column + len(match.group()),
                        match.group(),
                    )
                )
        except TimeoutError:
            return False, line
        if redo:
            # Lines a match crossed are searched again one by one, as lines.
            found = [c for c in found if c.line not in redo]
            for number in sorted(redo):
                if not self._match_line(signature, clean[number], number, found):
                    return False, number
        out.extend(found)
        return True, line

    def _match_block(
        self,
        signature: Signature,
        clean: list[CleanLine],
        lines: list[int],
        out: list[_Candidate],
    ) -> bool:
        """Search merged windows around candidate *lines*; False on a timeout."""
        windows: list[list[int]] = []
        for line in lines:
            lo, hi = (
                max(0, line - MULTILINE_CONTEXT),
                min(len(clean), line + MULTILINE_CONTEXT + 1),
            )
            if windows and lo <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], hi)
            else:
                windows.append([lo, hi])
        seen: set[tuple[int, int]] = set()
        for lo, hi in windows:
            window = _Joined.of(clean, lo, hi)
            try:
                for match in signature.pattern.finditer(
                    window.text, timeout=REGEX_TIMEOUT
                ):
                    if match.end() == match.start():
                        continue
                    first = window.line_of(match.start())
                    last = window.line_of(match.end() - 1)
                    column = match.start() - window.start_of(first)
                    if (first, column) in seen:
                        continue
                    seen.add((first, column))
                    out.append(
                        _Candidate(
                            signature,
                            first,
                            column,
                            last,
                            match.end() - window.start_of(last),
                            match.group(),
                        )
                    )
            except TimeoutError:
                return False
        return True

    @staticmethod
    def _timeout_problem(signature: Signature, line: int) -> ScanProblem:
        message = (
            f"regex of {signature.id} ({signature.source}) took longer than "
            f"{REGEX_TIMEOUT:g} s on line {line + 1}; the signature was skipped"
        )
        logger.warning("%s", message)
        return ScanProblem(signature.id, line, message)


def resolve(matches: list[_Candidate]) -> list[tuple[_Candidate, list[str]]]:
    """Keep the best of each group of overlapping matches; the rest become alternatives.

    Returns (winner, alternative ids) pairs in document order.
    """
    ordered = sorted(matches, key=lambda m: rank_key(m.signature, len(m.text)))
    kept: list[tuple[_Candidate, list[str]]] = []
    by_line: dict[int, list[tuple[_Candidate, list[str]]]] = defaultdict(list)
    seen: set[tuple[str, int]] = set()
    for match in ordered:
        # One finding per signature per line: a reply that repeats its code is one
        # error.
        if (match.signature.id, match.line) in seen:
            continue
        seen.add((match.signature.id, match.line))
        winner = next(
            (
                entry
                for line in range(match.line, match.end_line + 1)
                for entry in by_line.get(line, ())
                if _overlaps(entry[0], match)
            ),
            None,
        )
        if winner is None:
            entry = (match, [])
            kept.append(entry)
            for line in range(match.line, match.end_line + 1):
                by_line[line].append(entry)
        elif (
            match.signature.id != winner[0].signature.id
            and match.signature.id not in winner[1]
        ):
            winner[1].append(match.signature.id)
    kept.sort(key=lambda item: (item[0].line, item[0].column))
    return kept


def _overlaps(a: _Candidate, b: _Candidate) -> bool:
    return (a.line, a.column) < (b.end_line, b.end_column) and (b.line, b.column) < (
        a.end_line,
        a.end_column,
    )


def _to_original(
    kept: tuple[_Candidate, list[str]],
    clean: list[CleanLine],
    lines: Sequence[str],
    context_start: int,
    line_offset: int,
) -> Finding:
    match, alternatives = kept
    first, last = clean[match.line], clean[match.end_line]
    return Finding(
        signature_id=match.signature.id,
        line=match.line + context_start + line_offset,
        column=first.original_column(match.column),
        end_line=match.end_line + context_start + line_offset,
        end_column=last.original_column(match.end_column),
        text=match.text,
        alternatives=tuple(alternatives),
    )
