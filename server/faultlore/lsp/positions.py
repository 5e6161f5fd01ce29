"""Columns between the engine (code points) and the client's negotiated encoding.

The unit counting is pygls' position codec (`PositionCodec.impl`); these helpers apply
it to one line at a time, because the server keeps its own line list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

Counter = Callable[[str], int] | None
"""Code units of one character in the client's encoding; None when one per point."""


def unit_counter(codec: PositionCodec) -> Counter:
    """The per-character unit counter of *codec*, or None when units are code points."""
    if codec.encoding == types.PositionEncodingKind.Utf32:
        return None
    return codec.impl.code_units_for_char


def to_client(line: str, column: int, counter: Counter) -> int:
    """A code-point *column* of *line* in the client's units."""
    if counter is None or line.isascii():
        return column
    return sum(counter(char) for char in line[:column])


def to_code_points(line: str, character: int, counter: Counter) -> int:
    """A client *character* offset into *line* as a code-point column (clamped)."""
    if counter is None or line.isascii():
        return min(character, len(line))
    units = 0
    for index, char in enumerate(line):
        if units >= character:
            return index
        units += counter(char)
    return len(line)


def to_range(
    lines: Sequence[str],
    line: int,
    column: int,
    end_line: int,
    end_column: int,
    counter,
) -> types.Range:
    """A code-point span as an LSP range."""

    def position(number: int, col: int) -> types.Position:
        text = lines[number] if 0 <= number < len(lines) else ""
        return types.Position(line=number, character=to_client(text, col, counter))

    return types.Range(start=position(line, column), end=position(end_line, end_column))


def finding_range(lines: Sequence[str], finding, counter) -> types.Range:
    """The LSP range of an engine `Finding` (anything with line/column spans)."""
    return to_range(
        lines,
        finding.line,
        finding.column,
        finding.end_line,
        finding.end_column,
        counter,
    )


def from_position(
    lines: Sequence[str], position: types.Position, counter
) -> tuple[int, int]:
    """An LSP position as (line, code-point column)."""
    text = lines[position.line] if 0 <= position.line < len(lines) else ""
    return position.line, to_code_points(text, position.character, counter)
