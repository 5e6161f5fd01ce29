"""The matcher: spans, ranking, blocks, line endings and misbehaving patterns."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import DATA

from faultlore.kb import load_knowledge_base
from faultlore.kb.loader import RawRecord, compile_record
from faultlore.matcher import Matcher
from faultlore.scan import scan_file
from faultlore.text import decode

NGINX_LINE = (
    "2024/01/02 10:11:12 [error] 7#7: *1 client intended to send too large body: "
    "1048577 bytes, client: 192.0.2.1"
)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_knowledge_base([DATA / "kb" / "small.json"]))


def ids(findings) -> list[str]:
    return [f.signature_id for f in findings]


def test_finding_has_exact_span(matcher: Matcher) -> None:
    text = "first line\n" + NGINX_LINE + "\nlast line"

    [finding] = matcher.scan_text(text).findings

    start = NGINX_LINE.index("client intended")
    assert (finding.line, finding.column) == (1, start)
    assert (finding.end_line, finding.end_column) == (1, NGINX_LINE.index(", client:"))
    assert finding.text == "client intended to send too large body: 1048577 bytes"


def test_case_insensitive_by_default_and_sensitive_on_request(matcher: Matcher) -> None:
    text = (
        "CLIENT INTENDED TO SEND TOO LARGE BODY: 5 bytes\n"
        "out of memory: killed process 12"
    )

    assert ids(matcher.scan_text(text).findings) == ["test/nginx-body-too-large"]


@pytest.mark.parametrize(
    "separator",
    [
        pytest.param("\n", id="lf"),
        pytest.param("\r\n", id="crlf"),
        pytest.param("\r", id="cr"),
    ],
)
def test_line_endings_keep_line_numbers(matcher: Matcher, separator: str) -> None:
    text = separator.join(
        ["a", "b", "kernel: Out of memory: Killed process 99 (x)", "c"]
    )

    [finding] = matcher.scan_text(text).findings

    assert (finding.line, finding.column, finding.end_column) == (2, 8, 40)


def test_bom_and_invalid_utf8_do_not_shift_positions(matcher: Matcher) -> None:
    data = b"\xef\xbb\xbfbad \xff\xfe bytes\n\tOut of memory: Killed process 7\n"

    text, notes = decode(data, name="x.log")
    [finding] = matcher.scan_text(text).findings

    assert "invalid UTF-8" in notes[0]
    assert text.startswith("bad \ufffd\ufffd bytes")
    assert (finding.line, finding.column) == (1, 1)  # the tab is one column


def test_ansi_colour_codes_are_ignored_but_columns_stay_original(
    matcher: Matcher,
) -> None:
    line = (
        "\x1b[31mERROR\x1b[0m connect() failed (111: \x1b[1mConnection refused\x1b[0m)"
        " while connecting to upstream"
    )

    [finding] = matcher.scan_text(line).findings

    assert finding.signature_id == "test/nginx-upstream-connection-refused"
    assert line[finding.column :].startswith("connect() failed")
    assert line[: finding.end_column].endswith("while connecting to upstream")


def test_most_specific_wins_and_others_become_alternatives(matcher: Matcher) -> None:
    line = "connect() failed (111: Connection refused) while connecting to upstream"

    [finding] = matcher.scan_text(line).findings

    assert finding.signature_id == "test/nginx-upstream-connection-refused"
    assert finding.alternatives == ("test/generic-connection-refused",)


def test_multiline_block_covers_the_traceback(matcher: Matcher) -> None:
    text = "\n".join(
        [
            "starting worker",
            "Traceback (most recent call last):",
            '  File "/app/run.py", line 3, in <module>',
            "    import pkg_resources",
            "ModuleNotFoundError: No module named 'pkg_resources'",
            "worker exited",
        ]
    )

    [finding] = matcher.scan_text(text).findings

    assert finding.signature_id == "test/python-module-not-found"
    assert (finding.line, finding.column) == (1, 0)
    assert (finding.end_line, finding.end_column) == (
        4,
        len("ModuleNotFoundError: No module named 'pkg_resources'"),
    )


def test_signature_fires_only_in_its_file_kinds(matcher: Matcher) -> None:
    text = "Port 22\nUsePrivilegeSeparation sandbox\n"

    assert ids(matcher.scan_text(text, "sshd").findings) == [
        "test/sshd-use-privilege-separation"
    ]
    assert matcher.scan_text(text, "log").findings == []


def test_scan_of_a_line_range_reports_only_that_range(matcher: Matcher) -> None:
    lines = ["Out of memory: Killed process 1"] * 10

    findings = matcher.scan_lines(lines, "log", 3, 5).findings

    assert [f.line for f in findings] == [3, 4]


def _signature(regex: str, **extra):
    record = {"id": "test/x", "signature": "x", "regex": regex, **extra}
    signature, problems = compile_record(RawRecord(record, "inline.json", 0, 1))
    assert problems == []
    return signature


def test_catastrophic_regex_times_out_and_is_skipped() -> None:
    evil = _signature(r"marker (a|aa)+$")
    matcher = Matcher([evil])
    lines = ["marker " + "a" * 40 + "!"] * 3

    result = matcher.scan_lines(lines)

    assert result.findings == []
    [problem] = result.problems
    assert "took longer than" in problem.message and problem.line == 0


def test_pattern_without_literals_is_still_matched() -> None:
    matcher = Matcher([_signature(r"\d{4}-\d\d")])

    [finding] = matcher.scan_text("x\nat 2024-01 y").findings

    assert matcher.unfiltered == [0]
    assert (finding.line, finding.column) == (1, 3)


def test_chunked_file_scan_equals_whole_text_scan(
    matcher: Matcher, tmp_path: Path
) -> None:
    block = "\n".join(
        [
            "Traceback (most recent call last):",
            '  File "a.py", line 1, in <module>',
            "ModuleNotFoundError: No module named 'x'",
        ]
    )
    lines = []
    for n in range(3000):
        lines.append(f"line {n} " + "x" * 50)
        if n % 97 == 0:
            lines.append(block)
        if n % 31 == 0:
            lines.append("Out of memory: Killed process 5")
    text = "\r\n".join(lines) + "\r\n"
    path = tmp_path / "big.log"
    path.write_bytes(text.encode())

    whole = matcher.scan_text(text).findings
    from faultlore import text as text_module

    chunked = scan_file(matcher, path, "log").findings
    small_chunks = list(text_module.read_chunks(path, chunk_bytes=4096))

    assert len(small_chunks) > 10
    assert chunked == whole

    from faultlore.scan import FileScan, scan_chunks

    result = FileScan(str(path), "log")
    scan_chunks(matcher, iter(small_chunks), "log", result)
    assert result.findings == whole
