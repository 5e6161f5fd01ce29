"""Incremental rescans: edits rescan what they touch; appends are cheap."""

from __future__ import annotations

import random

import pytest
from lsprotocol import types
from tests.lsp.conftest import KB

from faultlore.kb import load_knowledge_base
from faultlore.lsp.analysis import Analyzer, Document, apply_change
from faultlore.matcher import MULTILINE_CONTEXT, Matcher

BODY = "[error] 1#0: *2 client intended to send too large body: 9 bytes"
TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "app.py", line 1, in <module>\n'
    "    import pkg_resources\n"
    "ModuleNotFoundError: No module named 'pkg_resources'"
)
REFUSED = "connect() failed (111: Connection refused) while connecting to upstream"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_knowledge_base([KB]))


def insert(document: Document, line: int, text: str) -> None:
    position = types.Position(line=line, character=0)
    apply_change(
        document,
        types.TextDocumentContentChangePartial(
            range=types.Range(start=position, end=position), text=text
        ),
        None,
    )


def keys(document: Document) -> list[tuple]:
    return [
        (f.signature_id, f.line, f.column, f.end_line, f.end_column)
        for f in document.findings
    ]


def test_tail_append_scans_only_new_lines(matcher):
    # A 40,000-line log: appending rescans the new lines (and the context a
    # multi-line signature may reach back into), not the file.
    lines = [f"line {n} {BODY if n % 100 == 0 else 'ok'}" for n in range(40000)]
    document = Document.open(
        "file:///a.log", "/a.log", "log", 1, "\n".join(lines) + "\n"
    )
    analyzer = Analyzer(matcher)
    assert analyzer.scan_range(document) == (0, 40001)
    before = len(document.findings)

    insert(document, 40000, f"{BODY}\n{REFUSED}\n")
    scanned = analyzer.scan_range(document)

    assert scanned == (40000 - MULTILINE_CONTEXT, 40003)
    assert len(document.findings) == before + 2


def test_incremental_equals_full_scan_after_random_edits(matcher):
    # Whatever is edited where, the kept findings equal a fresh scan of the result.
    rng = random.Random(7)
    pool = [
        BODY,
        REFUSED,
        "nothing here",
        "磁盘空间不足 🙂",
        "",
        *TRACEBACK.split("\n"),
    ]
    document = Document.open(
        "file:///b.log",
        "/b.log",
        "log",
        1,
        "\n".join(rng.choice(pool) for _ in range(300)),
    )
    analyzer = Analyzer(matcher)
    analyzer.scan_range(document)
    for _ in range(60):
        line = rng.randrange(len(document.lines))
        end = min(len(document.lines) - 1, line + rng.randrange(3))
        text = "\n".join(rng.choice(pool) for _ in range(rng.randrange(3)))
        apply_change(
            document,
            types.TextDocumentContentChangePartial(
                range=types.Range(
                    start=types.Position(line=line, character=rng.randrange(5)),
                    end=types.Position(line=end, character=rng.randrange(5)),
                ),
                text=text,
            ),
            None,
        )
        if rng.random() < 0.5:
            analyzer.scan_range(document)
    analyzer.scan_range(document)

    fresh = Document.open("file:///c.log", "/c.log", "log", 1, document.text)
    analyzer.scan_range(fresh)
    assert keys(document) == keys(fresh)


def test_edit_inside_a_traceback_rescans_the_block(matcher):
    # Breaking the middle of a multi-line match drops it; mending it brings it back.
    document = Document.open("file:///t.log", "/t.log", "log", 1, f"x\n{TRACEBACK}\ny")
    analyzer = Analyzer(matcher)
    analyzer.scan_range(document)
    assert [(f.line, f.end_line) for f in document.findings] == [(1, 4)]

    insert(document, 3, "not indented\n")
    analyzer.scan_range(document)
    assert document.findings == []

    apply_change(
        document,
        types.TextDocumentContentChangePartial(
            range=types.Range(
                start=types.Position(line=3, character=0),
                end=types.Position(line=4, character=0),
            ),
            text="",
        ),
        None,
    )
    analyzer.scan_range(document)
    assert [(f.line, f.end_line) for f in document.findings] == [(1, 4)]


def test_whole_text_change_rescans_everything(matcher):
    document = Document.open("file:///d.log", "/d.log", "log", 1, BODY)
    analyzer = Analyzer(matcher)
    analyzer.scan_range(document)
    apply_change(
        document, types.TextDocumentContentChangeWholeDocument(text="ok\nok"), None
    )
    analyzer.scan_range(document)
    assert document.findings == []


def test_empty_file(matcher):
    document = Document.open("file:///e.log", "/e.log", "log", 1, "")
    Analyzer(matcher).scan_range(document)
    assert document.findings == [] and document.lines == [""]


def test_whole_text_change_takes_the_new_line_breaks(matcher):
    # Fixes written after the client replaced the text must use its line breaks.
    document = Document.open("file:///f.conf", "/f.conf", "nginx", 1, "a\nb\n")
    apply_change(
        document, types.TextDocumentContentChangeWholeDocument(text="a\r\nb\r\n"), None
    )
    assert document.newline == "\r\n" and document.lines == ["a", "b", ""]
