"""Incremental rescans: edits rescan what they touch; appends are cheap."""

from __future__ import annotations

import random

import pytest
from lsprotocol import types
from tests.lsp.conftest import KB

from faultlore.kb import load_knowledge_base
from faultlore.lsp.analysis import Analyzer, Document, apply_change
from faultlore.matcher import Matcher

BODY = "[error] 1#0: *2 client intended to send too large body: 9 bytes"
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
    # A 40,000-line log: appending two lines rescans those lines, not the file.
    lines = [f"line {n} {BODY if n % 100 == 0 else 'ok'}" for n in range(40000)]
    document = Document.open(
        "file:///a.log", "/a.log", "log", 1, "\n".join(lines) + "\n"
    )
    analyzer = Analyzer(matcher)
    assert analyzer.scan_range(document) == (0, 40001)
    before = len(document.findings)

    insert(document, 40000, f"{BODY}\n{REFUSED}\n")
    scanned = analyzer.scan_range(document)

    assert scanned == (40000, 40003)
    assert len(document.findings) == before + 2


def test_incremental_equals_full_scan_after_random_edits(matcher):
    # Whatever is edited where, the kept findings equal a fresh scan of the result.
    rng = random.Random(7)
    pool = [BODY, REFUSED, "nothing here", "磁盘空间不足 🙂", ""]
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
