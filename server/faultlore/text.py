"""Turning bytes and editor buffers into lines that keep their positions.

Line breaks are ``\\r\\n``, ``\\r`` and ``\\n`` (the three the Language Server
Protocol knows); nothing else splits a line. Columns are counted in code points of
the original line: the language server converts them to the client's encoding.
"""

from __future__ import annotations

import codecs
import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import attrs
import regex

LINE_BREAK = regex.compile(r"\r\n|\r|\n")

# CSI sequences (colours, cursor moves) and the two-byte escapes terminals print.
ANSI_ESCAPE = regex.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")

BINARY_SNIFF_BYTES = 8192


class BinaryFileError(ValueError):
    """The file holds binary data, not text."""


class UnsupportedEncodingError(BinaryFileError):
    """The file is text, but in an encoding faultlore does not read (UTF-16)."""


def split_lines(text: str) -> list[str]:
    """Split *text* on LSP line breaks; a trailing break yields a final empty line."""
    return LINE_BREAK.split(text)


def decode(
    data: bytes, *, name: str = "<input>", sniff: bool = True, start: bool = True
) -> tuple[str, list[str]]:
    """Decode *data* as UTF-8, dropping a BOM and replacing invalid bytes.

    Returns the text and notes on what was repaired. With *sniff*, raises
    `BinaryFileError` when the start of the data holds NUL bytes. Only data at the
    *start* of a file may begin with a BOM; elsewhere U+FEFF is text.
    """
    notes: list[str] = []
    if sniff and b"\x00" in data[:BINARY_SNIFF_BYTES]:
        raise BinaryFileError(f"{name}: binary data (NUL bytes), not a text file")
    if start and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        notes.append(
            f"{name}: invalid UTF-8 at byte {exc.start}; bad bytes shown as U+FFFD"
        )
        text = data.decode("utf-8", errors="replace")
    return text, notes


@attrs.frozen
class CleanLine:
    """A line with terminal escapes removed, and the way back to original columns."""

    text: str
    columns: tuple[int, ...] | None = None
    """Original column of each clean column, and one past the end; None if unchanged."""

    def original_column(self, column: int) -> int:
        """Map a column of the clean text back to the original line."""
        if self.columns is None:
            return column
        return self.columns[min(column, len(self.columns) - 1)]


def clean_line(line: str) -> CleanLine:
    """Strip ANSI escapes from *line*, remembering where each kept character was."""
    if "\x1b" not in line:
        return CleanLine(line)
    kept: list[str] = []
    columns: list[int] = []
    position = 0
    for match in ANSI_ESCAPE.finditer(line):
        kept.append(line[position : match.start()])
        columns.extend(range(position, match.start()))
        position = match.end()
    kept.append(line[position:])
    columns.extend(range(position, len(line) + 1))
    return CleanLine("".join(kept), tuple(columns))


@attrs.frozen
class Chunk:
    """A run of consecutive lines of a file: the unit the CLI scans at a time."""

    first_line: int
    lines: list[str]
    notes: list[str]


def _open_maybe_gzip(path: Path) -> BinaryIO:
    """Open *path* as bytes, through gzip when compressed (``syslog.2.gz``)."""
    stream = path.open("rb")
    if stream.read(2) == b"\x1f\x8b":
        stream.close()
        return gzip.open(path, "rb")
    stream.seek(0)
    return stream


def read_chunks(
    path: Path, *, chunk_bytes: int = 8 << 20, display: str | None = None
) -> Iterator[Chunk]:
    """Read *path* as text in chunks of whole lines: a huge file needs little memory.

    Raises `BinaryFileError` when the file starts with binary data, `OSError` when it
    cannot be read.
    """
    name = display or str(path)
    line_number = 0
    with _open_maybe_gzip(path) as stream:
        head = stream.read(BINARY_SNIFF_BYTES)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise UnsupportedEncodingError(
                f"{name}: UTF-16 text; convert it to UTF-8 first (iconv -f UTF-16)"
            )
        if b"\x00" in head:
            raise BinaryFileError(f"{name}: binary data (NUL bytes), not a text file")
        pending = head
        at_start = True
        while True:
            block = stream.read(chunk_bytes)
            data = pending + block
            if block:
                # Cut after the last line break; a \r at the very end may be the
                # first half of a \r\n split across reads.
                cut = max(data.rfind(b"\n"), data.rfind(b"\r", 0, len(data) - 1))
                if cut < 0:
                    pending = data
                    continue
                data, pending = data[: cut + 1], data[cut + 1 :]
            text, notes = decode(
                data,
                name=f"{name} (from line {line_number + 1})",
                sniff=False,
                start=at_start,
            )
            at_start = False
            lines = split_lines(text)
            if block and lines and lines[-1] == "":
                lines.pop()
            if lines or notes:
                yield Chunk(line_number, lines, notes)
            line_number += len(lines)
            if not block:
                return
