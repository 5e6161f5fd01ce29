"""The server driven in-process: scans racing edits and reloads, odd client input."""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import FeatureNotificationError, JsonRpcInternalError
from tests.lsp.conftest import KB, TIMEOUT

from faultlore.kb import load_knowledge_base
from faultlore.lsp import code_actions, kbfiles
from faultlore.lsp import server as server_module
from faultlore.lsp.analysis import Analyzer, Document
from faultlore.lsp.server import FaultloreServer
from faultlore.matcher import Matcher

BODY = "[error] 1#0: *2 client intended to send too large body: 9 bytes"


class Gate:
    """Holds a worker thread until the test opens it; tells when one is waiting."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.opened = threading.Event()

    def hold(self) -> None:
        self.entered.set()
        assert self.opened.wait(TIMEOUT)

    async def reached(self) -> None:
        assert await asyncio.to_thread(self.entered.wait, TIMEOUT)


class GatedAnalyzer(Analyzer):
    def __init__(self, matcher: Matcher, gate: Gate) -> None:
        super().__init__(matcher)
        self.gate = gate

    def scan_chunk(self, lines, kind, start, stop):
        self.gate.hold()
        return super().scan_chunk(lines, kind, start, stop)


@pytest.fixture
def ls(monkeypatch) -> FaultloreServer:
    """A server that was never started: no client, publishes recorded in a list."""
    monkeypatch.setattr(FaultloreServer, "counter", property(lambda self: None))
    server = FaultloreServer()
    server.protocol.client_capabilities = types.ClientCapabilities()
    server.published = []
    server.publish = lambda document: server.published.append(
        (document.version, list(document.findings))
    )
    return server


async def test_reload_during_a_full_scan_drops_the_old_scan(ls, monkeypatch):
    # A full scan with the old (empty) knowledge base is still running when the new
    # one arrives: its findings must not count as the new knowledge base's.
    monkeypatch.setattr(server_module, "FULL_SCAN_THREAD_LINES", 10)
    gate = Gate()
    ls.analyzer = GatedAnalyzer(Matcher([]), gate)
    document = Document.open(
        "file:///a.log", "/a.log", "log", 1, "\n".join([BODY] + ["ok"] * 20)
    )
    ls.documents[document.uri] = document
    old_scan = asyncio.ensure_future(ls.refresh(document))
    await gate.reached()

    ls.analyzer = Analyzer(Matcher(load_knowledge_base([KB])))
    reload = asyncio.ensure_future(ls.rediagnose_all())
    await asyncio.sleep(0)  # let it reach the document's lock
    gate.opened.set()
    await asyncio.wait_for(asyncio.gather(old_scan, reload), TIMEOUT)

    assert [f.line for f in document.findings] == [0]
    # Both scans end with the new matcher, so every publish has the finding.
    assert ls.published and all(len(found) == 1 for _v, found in ls.published)


async def test_stale_kb_check_does_not_publish(ls, monkeypatch):
    # A knowledge-base file edited while its check runs: only the newer check
    # publishes, so old problems never go out under the new version.
    gate = Gate()
    checked = []

    def check(lines, path, counter):
        checked.append(list(lines))
        if len(checked) == 1:
            gate.hold()
        return [f"problem in {lines[0]}"]

    monkeypatch.setattr(kbfiles, "render_kb_diagnostics", check)
    document = Document.open("file:///kb.json", "/kb.json", "kb", 1, "old")
    ls.documents[document.uri] = document
    ls.publish = lambda document: ls.published.append(
        (document.version, list(document.kb_diagnostics))
    )
    first = asyncio.ensure_future(ls.refresh(document))
    await gate.reached()

    ls.change_document(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(
                uri=document.uri, version=2
            ),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="new")],
        )
    )
    gate.opened.set()
    await asyncio.wait_for(first, TIMEOUT)
    assert ls.published == []

    await asyncio.wait_for(ls.refresh(document), TIMEOUT)
    assert ls.published == [(2, ["problem in new"])]


async def test_configuration_section_that_is_not_an_object(ls):
    # A client pushing `"faultlore": "x"` gets the defaults, not a crashed handler.
    await asyncio.wait_for(ls.fetch_settings({"faultlore": "x"}), TIMEOUT)
    assert ls.settings.debounce_ms == 300


async def test_log_fix_never_targets_postfix_master_cf(ls, tmp_path):
    # Both are postfix files; only main.cf takes `name = value` parameters.
    (tmp_path / "postfix").mkdir()
    for name in ("master.cf", "main.cf"):
        (tmp_path / "postfix" / name).write_text("# postfix\n")
    ls.root = lambda: tmp_path
    origin = Document.open("file:///mail.log", "/mail.log", "log", 1, "")

    targets = code_actions.config_targets(ls, "postfix", origin)
    assert [Path(path).name for path, *_rest in targets] == ["main.cf"]


def test_handler_errors_are_logged_with_their_traceback(ls, caplog):
    # pygls reports a failed notification handler as an error holding its traceback.
    def broken_handler():
        raise KeyError("boom")

    try:
        broken_handler()
    except KeyError:
        error = JsonRpcInternalError.of(sys.exc_info())
    ls.report_server_error(error, FeatureNotificationError)

    (record,) = [r for r in caplog.records if r.name == "faultlore.lsp.server"]
    assert "boom" in record.getMessage()
    assert "broken_handler" in record.getMessage()


def test_malformed_faultlore_toml_keeps_the_last_ignores(ls, tmp_path):
    # Valid TOML of the wrong shape: logged, and the ignores read before stay.
    (tmp_path / ".faultlore.toml").write_text('[ignore]\nsignatures = ["a/b"]\n')
    ls.root = lambda: tmp_path
    ls.reload_ignores()
    assert ls.ignores.ignored("a/b", None)

    (tmp_path / ".faultlore.toml").write_text('ignore = "everything"\n')
    ls.reload_ignores()
    assert ls.ignores.ignored("a/b", None)
