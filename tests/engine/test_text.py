"""Reading text: chunked reads must give the lines a whole read gives."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faultlore.text import decode, read_chunks, split_lines

# Line breaks that a chunk edge can split, multi-byte and invalid UTF-8, and BOMs.
PIECES = [b"a", b"bc", b"\n", b"\r", b"\r\n", "é".encode(), b"\xff", b"\xef\xbb\xbf"]


def _chunked_lines(path: Path, chunk_bytes: int) -> list[str]:
    """The lines of *path* read in chunks of *chunk_bytes*, the first one included."""
    lines: list[str] = []
    with mock.patch("faultlore.text.BINARY_SNIFF_BYTES", chunk_bytes):
        for chunk in read_chunks(path, chunk_bytes=chunk_bytes):
            assert chunk.first_line == len(lines)
            lines.extend(chunk.lines)
    return lines


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    data=st.lists(st.sampled_from(PIECES), max_size=40).map(b"".join),
    chunk_bytes=st.integers(1, 16),
)
def test_chunked_read_equals_whole_read(
    tmp_path: Path, data: bytes, chunk_bytes: int
) -> None:
    path = tmp_path / "any.log"
    path.write_bytes(data)

    lines = _chunked_lines(path, chunk_bytes)

    assert lines == split_lines(decode(data, sniff=False)[0])


def test_bom_in_the_middle_of_a_file_is_text(tmp_path: Path) -> None:
    # Logs concatenated with `cat` keep the second file's BOM as U+FEFF.
    path = tmp_path / "joined.log"
    path.write_bytes(b"\xef\xbb\xbfa\n\xef\xbb\xbfb\n")

    lines = _chunked_lines(path, chunk_bytes=2)

    assert lines == ["a", "\ufeffb", ""]
