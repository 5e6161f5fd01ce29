"""Scanning files and streams of any size in bounded memory."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import attrs

from faultlore import filekinds
from faultlore.matcher import MULTILINE_CONTEXT, Finding, Matcher
from faultlore.text import (
    BinaryFileError,
    Chunk,
    UnsupportedEncodingError,
    decode,
    read_chunks,
    split_lines,
)

logger = logging.getLogger(__name__)

SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
}


@attrs.define
class FileScan:
    """What scanning one file (or standard input) found."""

    path: str
    kind: str
    findings: list[Finding] = attrs.Factory(list)
    notes: list[str] = attrs.Factory(list)
    """Repairs made to the input (invalid UTF-8) and signatures skipped on timeouts."""
    error: str | None = None
    """Why the file could not be scanned at all."""
    binary: bool = False
    """The file holds binary data (a folder walk skips such files quietly)."""


def scan_chunks(
    matcher: Matcher, chunks: Iterable[Chunk], kind: str, result: FileScan
) -> None:
    """Scan consecutive chunks into *result*.

    Each chunk is scanned with the last lines of the one before and the first lines
    of the one after, so a block that crosses a chunk edge matches whole.
    """
    carried: list[str] = []
    carried_first = 0
    pending: Chunk | None = None
    for chunk in chunks:
        result.notes.extend(chunk.notes)
        if pending is not None:
            _scan_piece(
                matcher, carried, carried_first, pending, chunk.lines, kind, result
            )
            carried, carried_first = _tail(carried, pending)
        pending = chunk

    if pending is not None:
        _scan_piece(matcher, carried, carried_first, pending, [], kind, result)


def _scan_piece(
    matcher: Matcher,
    carried: list[str],
    carried_first: int,
    chunk: Chunk,
    following: list[str],
    kind: str,
    result: FileScan,
) -> None:
    lines = carried + chunk.lines + following[:MULTILINE_CONTEXT]
    start = len(carried)
    stop = start + len(chunk.lines)
    scanned = matcher.scan_lines(lines, kind, start, stop, line_offset=carried_first)
    result.findings.extend(scanned.findings)
    result.notes.extend(problem.message for problem in scanned.problems)


def _tail(carried: list[str], chunk: Chunk) -> tuple[list[str], int]:
    """The lines a multi-line match may reach back to, and the number of the first."""
    keep = (carried + chunk.lines)[-MULTILINE_CONTEXT:]
    return keep, chunk.first_line + len(chunk.lines) - len(keep)


def scan_file(matcher: Matcher, path: Path, kind: str | None = None) -> FileScan:
    """Scan the file at *path*.

    *kind* defaults to what the name and content say, and to a log when unsure.
    """
    display = str(path)
    if kind is None:
        kind = detect_kind(path) or filekinds.LOG
    result = FileScan(display, kind)
    try:
        scan_chunks(matcher, read_chunks(path, display=display), kind, result)
    except BinaryFileError as exc:
        result.error = str(exc)
        # A folder walk skips binaries quietly, but not text it cannot read.
        result.binary = not isinstance(exc, UnsupportedEncodingError)
    except OSError as exc:
        result.error = f"{display}: cannot read: {exc.strerror or exc}"
    return result


def scan_stdin(matcher: Matcher, kind: str | None = None) -> FileScan:
    """Scan standard input (read whole: pipes are usually modest).

    Without *kind*, the content decides (an nginx config, a compose file), else log.
    """
    result = FileScan("-", kind or filekinds.LOG)
    try:
        text, notes = decode(sys.stdin.buffer.read(), name="<stdin>")
    except BinaryFileError as exc:
        result.error = str(exc)
        result.binary = True
        return result

    if kind is None:
        kind = result.kind = filekinds.sniff(text[:20000]) or filekinds.LOG

    scan_chunks(matcher, [Chunk(0, split_lines(text), notes)], kind, result)
    return result


def detect_kind(path: Path) -> str | None:
    """The kind of *path* by name, then by a peek at its content."""
    kind = filekinds.kind_of(path)
    if kind is not None:
        return kind
    try:
        with path.open("rb") as stream:
            head = stream.read(20000).decode("utf-8", errors="replace")
    except OSError:
        return None
    return filekinds.kind_of(path, head)


def walk(folder: Path) -> Iterator[tuple[Path, str]]:
    """The log and config files under *folder* with their kinds, in a stable order."""
    for child in sorted(folder.iterdir()):
        if child.name in SKIP_DIRS or child.is_symlink():
            continue
        if child.is_dir():
            yield from walk(child)
        elif child.is_file():
            kind = detect_kind(child)
            if kind is not None:
                yield child, kind
