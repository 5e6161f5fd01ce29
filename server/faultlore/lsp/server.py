"""The faultlore language server: state, lifecycle and handler registration.

Feature modules render; this module owns the `FaultloreServer` (knowledge base,
settings, open documents) and wires the LSP methods to them.
"""

from __future__ import annotations

import asyncio
import fnmatch
import logging
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.uris import from_fs_path, to_fs_path

from faultlore import __version__, filekinds
from faultlore.ignores import FILE_NAME, Ignores, file_key, read_ignores
from faultlore.kb import KnowledgeBase, load_knowledge_base
from faultlore.kb.loader import KB_SUFFIXES, bundled_path, user_path
from faultlore.lsp import code_actions, diagnostics, kbfiles, symbols
from faultlore.lsp.analysis import CHUNK_LINES, Analyzer, Document, apply_change
from faultlore.lsp.hover import pick, render_hover
from faultlore.lsp.log import LspLogHandler
from faultlore.lsp.positions import finding_range, from_position, unit_counter
from faultlore.lsp.settings import SECTION, Settings, merge, parse_settings
from faultlore.matcher import MULTILINE_CONTEXT, Finding, Matcher

logger = logging.getLogger(__name__)

POLL_SECONDS = 2.0
"""How often knowledge-base files are checked when the client cannot watch them."""

FULL_SCAN_THREAD_LINES = 5000
"""Documents longer than this are scanned off the event loop, in chunks."""

PROGRESS_AFTER_SECONDS = 1.0
"""A full scan expected to take longer than this reports ``$/progress``."""

CMD_RELOAD = "faultlore.reloadKnowledgeBase"
CMD_EXPLAIN = "faultlore.explain"
CMD_IGNORE = "faultlore.ignore"
CMD_OPEN_DOCS = "faultlore.openDocs"


class FaultloreProtocol(LanguageServerProtocol):
    """pygls' protocol, offering pull diagnostics only in pull mode and leaving the
    text of open documents to the server."""

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams):
        result = yield from super().lsp_initialize(params)
        # Offer pull diagnostics only to clients that pull (and in the chosen mode).
        if not self._server.pull_mode:
            result.capabilities.diagnostic_provider = None
        return result

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        # The server applies edits to its own line list (analysis.apply_change);
        # pygls' copy would re-split the whole text on every keystroke.
        handler = self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)
        if handler is not None:
            yield handler, (params,), None


class FaultloreServer(LanguageServer):
    """The language server, holding the knowledge base, settings and open documents."""

    def __init__(self) -> None:
        super().__init__("faultlore", __version__, protocol_cls=FaultloreProtocol)
        self.settings = Settings()
        self.init_options: dict[str, Any] = {}
        self.kb = KnowledgeBase()
        self.analyzer = Analyzer(Matcher([]))
        self.documents: dict[str, Document] = {}
        self.ignores = Ignores()
        self.pull_mode = False
        self.client_locale = ""
        self.ready = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.loop_thread: int | None = None
        self.log_handler: LspLogHandler | None = None
        self._queued: list[tuple[str, types.MessageType]] = []
        """Pop-ups from before ``initialized``, shown once the client is ready."""
        self._timers: dict[str, asyncio.Task] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._shown: set[str] = set()
        self._kb_fingerprint: tuple = ()
        self._poller: asyncio.Task | None = None
        self._result_ids: dict[str, str] = {}

    # -- client capabilities -------------------------------------------------

    @property
    def counter(self):
        """Code units per character in the negotiated position encoding."""
        return unit_counter(self.workspace.position_codec)

    def client_supports(self, *path: str) -> bool:
        """Whether the client capability at *path* (snake_case attributes) is truthy."""
        node: Any = self.client_capabilities
        for name in path:
            node = getattr(node, name, None)
            if node is None:
                return False
        return bool(node)

    @property
    def markdown(self) -> bool:
        """Whether the client renders Markdown in hovers."""
        formats = getattr(
            getattr(self.client_capabilities.text_document, "hover", None),
            "content_format",
            None,
        )
        return bool(formats) and types.MarkupKind.Markdown in formats

    @property
    def locale(self) -> str:
        """``zh`` or ``en``: the setting, else the client's locale."""
        chosen = self.settings.locale
        if chosen == "auto":
            chosen = self.client_locale or "en"
        return "zh" if chosen.lower().startswith("zh") else "en"

    # -- workspace -------------------------------------------------------------

    def root(self) -> Path | None:
        """The workspace root: the first folder, else the root URI."""
        try:
            workspace = self.workspace
        except RuntimeError:
            return None
        for folder in workspace.folders.values():
            path = to_fs_path(folder.uri)
            if path:
                return Path(path)
        if workspace.root_path:
            return Path(workspace.root_path)
        return None

    def kb_sources(self) -> list[Path]:
        """The knowledge-base sources in load order (see docs/kb-format.md)."""
        sources: list[Path] = []
        settings = self.settings.knowledge_base
        if settings.bundled:
            sources.append(bundled_path())
        if settings.user and user_path().is_dir():
            sources.append(user_path())
        root = self.root()
        if (
            root is not None
            and self.settings.trust_workspace
            and (root / ".faultlore").is_dir()
        ):
            sources.append(root / ".faultlore")
        for raw in settings.paths:
            path = Path(raw).expanduser()
            if not path.is_absolute() and root is not None:
                path = root / path
            sources.append(path)
        return sources

    def in_kb_source(self, path: str) -> bool:
        """Whether *path* is one of the loaded knowledge-base files."""
        if not path.endswith(KB_SUFFIXES):
            return False
        resolved = Path(path).resolve()
        for source in self.kb_sources():
            source = source.resolve()
            if resolved == source or source in resolved.parents:
                return True
        return False

    def kind_for(self, path: str, text: str, language_id: str) -> str | None:
        """The kind a document is scanned as, after the include and exclude globs."""
        name = Path(path).name
        if any(
            fnmatch.fnmatch(path, g) or fnmatch.fnmatch(name, g)
            for g in self.settings.exclude
        ):
            return None
        if path.endswith(KB_SUFFIXES) and (
            self.in_kb_source(path) or kbfiles.looks_like_kb(text)
        ):
            return "kb"
        kind = filekinds.kind_of(path, text)
        if kind is None and language_id == "log":
            kind = filekinds.LOG
        if kind is None and any(
            fnmatch.fnmatch(path, g) or fnmatch.fnmatch(name, g)
            for g in self.settings.include
        ):
            kind = filekinds.LOG
        return kind

    # -- knowledge base --------------------------------------------------------

    def load_kb(self) -> None:
        """Load the knowledge base and build the matcher (blocking: at start-up)."""
        self._use_kb(*_build(self.kb_sources()))

    async def load_kb_async(self) -> None:
        """Load the knowledge base off the event loop, then swap it in."""
        self._use_kb(*await asyncio.to_thread(_build, self.kb_sources()))

    def _use_kb(self, kb: KnowledgeBase, analyzer: Analyzer, seconds: float) -> None:
        self.kb, self.analyzer = kb, analyzer
        self._kb_fingerprint = self._fingerprint()
        logger.info(
            "knowledge base: %d signatures from %d sources in %.0f ms",
            len(kb),
            len(kb.sources),
            seconds * 1000,
        )
        unreadable = [p for p in kb.problems if p.level == "error" and p.record is None]
        if unreadable:
            more = len(unreadable) - 1
            self.notify_once(
                f"faultlore: cannot read the knowledge base: {unreadable[0]}"
                + (f" (and {more} more; see the log)" if more else ""),
                types.MessageType.Error,
            )

    def _fingerprint(self) -> tuple:
        """Modification times of every knowledge-base file and ``.faultlore.toml``."""
        entries = []
        paths = list(self.kb_sources())
        root = self.root()
        if root is not None:
            paths.append(root / ".faultlore.toml")
        for source in paths:
            files = sorted(source.rglob("*")) if source.is_dir() else [source]
            for file in files:
                try:
                    stat = file.stat()
                except OSError:
                    continue
                entries.append((str(file), stat.st_mtime_ns, stat.st_size))
        return tuple(entries)

    def notify_once(
        self, message: str, kind: types.MessageType = types.MessageType.Warning
    ) -> None:
        """A pop-up the user can act on, shown once per server session."""
        logger.warning("%s", message)
        if message in self._shown:
            return
        self._shown.add(message)
        if not self.ready:
            self._queued.append((message, kind))
            return
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    async def reload_kb(self) -> int:
        """Reload the knowledge base and re-diagnose every open document."""
        await self.load_kb_async()
        self.ignores = self.read_ignores()
        await self.rediagnose_all()
        return len(self.kb)

    def read_ignores(self) -> Ignores:
        """The workspace's ``.faultlore.toml``; the last good one if it is malformed."""
        try:
            return read_ignores(self.root())
        except Exception:
            # A hand-edited file of the wrong shape (`ignore = "x"`) must not stop
            # initialize or the reload.
            logger.exception("reading %s failed", FILE_NAME)
            return self.ignores

    def reload_ignores(self) -> None:
        """Re-read ``.faultlore.toml`` and report again (nothing needs rescanning)."""
        self.ignores = self.read_ignores()
        self._kb_fingerprint = self._fingerprint()
        if not self.pull_mode:
            for document in list(self.documents.values()):
                self.publish(document)
        elif self.client_supports("workspace", "diagnostics", "refresh_support"):
            self.workspace_diagnostic_refresh(None)

    async def poll_kb(self) -> None:
        """Reload when a knowledge-base file or ``.faultlore.toml`` changes on disk."""
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                fingerprint = await asyncio.to_thread(self._fingerprint)
                if fingerprint != self._kb_fingerprint:
                    logger.info("knowledge-base files changed on disk: reloading")
                    await self.reload_kb()
            except Exception:
                logger.exception("checking the knowledge-base files failed")

    # -- settings --------------------------------------------------------------

    async def fetch_settings(self, pushed: Any = None) -> None:
        """Merge the client's settings over the initialization options; apply."""
        raw = dict(self.init_options)
        if isinstance(pushed, dict):
            section = pushed.get(SECTION, pushed)
            raw = merge(raw, section if isinstance(section, dict) else {})
        elif self.client_supports("workspace", "configuration"):
            try:
                answer = await self.workspace_configuration_async(
                    types.ConfigurationParams(
                        items=[types.ConfigurationItem(section=SECTION)]
                    )
                )
            except Exception:
                logger.exception("workspace/configuration failed")
                answer = None
            if answer and isinstance(answer[0], dict):
                raw = merge(raw, answer[0])
        await self.apply_settings(raw)

    async def apply_settings(self, raw: dict[str, Any]) -> None:
        """Apply settings; reload the knowledge base only when its sources changed."""
        settings, problems = parse_settings(raw)
        for problem in problems:
            self.notify_once(f"faultlore setting {problem}")
        previous = self.settings
        self.settings = settings
        if (previous.knowledge_base, previous.trust_workspace) != (
            settings.knowledge_base,
            settings.trust_workspace,
        ):
            await self.load_kb_async()
        if previous != settings:
            await self.rediagnose_all(rekind=True)

    def mark_ready(self) -> None:
        """The client listens now: send the early log and the bad-setting messages."""
        self.loop = asyncio.get_running_loop()
        self.loop_thread = threading.get_ident()
        self.ready = True
        if self.log_handler is not None:
            self.log_handler.flush_early()
        queued, self._queued = self._queued, []
        for message, kind in queued:
            self.window_show_message(
                types.ShowMessageParams(type=kind, message=message)
            )

    def setup(self, params: types.InitializeParams) -> None:
        """Take the settings from the initialization options; choose push or pull."""
        options = params.initialization_options
        if isinstance(options, dict):
            # Accept the settings bare, or wrapped in "settings" and/or "faultlore".
            options = options.get("settings", options)
            if isinstance(options, dict):
                options = options.get(SECTION, options)
            self.init_options = options if isinstance(options, dict) else {}
        self.client_locale = params.locale or ""
        self.settings, problems = parse_settings(self.init_options)
        for problem in problems:
            self.notify_once(f"faultlore setting {problem}")

        can_pull = self.client_supports("text_document", "diagnostic")
        can_refresh = self.client_supports(
            "workspace", "diagnostics", "refresh_support"
        )
        mode = self.settings.diagnostic_mode
        self.pull_mode = can_pull and (
            mode == "pull" or (mode == "auto" and can_refresh)
        )
        self.load_kb()
        self.ignores = self.read_ignores()

    async def start_watching(self) -> None:
        """Watch the knowledge-base files through the client, else poll them."""
        if self.client_supports(
            "workspace", "did_change_watched_files", "dynamic_registration"
        ):
            try:
                await self.client_register_capability_async(
                    types.RegistrationParams(registrations=[self._watchers()])
                )
                if not self._unwatched_sources():
                    return
            except Exception:
                logger.warning("the client refused file watchers; polling instead")
        self._poller = asyncio.ensure_future(self.poll_kb())

    def _unwatched_sources(self) -> list[Path]:
        """Sources outside the root: unwatchable without relative patterns."""
        if self.client_supports(
            "workspace", "did_change_watched_files", "relative_pattern_support"
        ):
            return []
        root = self.root()
        return [
            source
            for source in self.kb_sources()
            if root is None or not source.resolve().is_relative_to(root.resolve())
        ]

    def _watchers(self) -> types.Registration:
        watchers = [
            types.FileSystemWatcher(glob_pattern="**/*.{json,jsonl}"),
            types.FileSystemWatcher(glob_pattern="**/.faultlore.toml"),
        ]
        relative = self.client_supports(
            "workspace", "did_change_watched_files", "relative_pattern_support"
        )
        for source in self.kb_sources():
            if relative and source.is_dir():
                pattern = types.RelativePattern(
                    base_uri=from_fs_path(str(source)), pattern="**/*.{json,jsonl}"
                )
                watchers.append(types.FileSystemWatcher(glob_pattern=pattern))
        return types.Registration(
            id=f"faultlore-kb-{uuid.uuid4().hex}",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(
                watchers=watchers
            ),
        )

    # -- documents -------------------------------------------------------------

    def open_document(self, item: types.TextDocumentItem) -> Document:
        """Track a newly opened document."""
        path = to_fs_path(item.uri) or item.uri
        kind = self.kind_for(path, item.text, item.language_id)
        document = Document.open(
            item.uri, path, kind, item.version, item.text, item.language_id
        )
        self.documents[item.uri] = document
        return document

    def change_document(
        self, params: types.DidChangeTextDocumentParams
    ) -> Document | None:
        """Apply edits to a tracked document."""
        document = self.documents.get(params.text_document.uri)
        if document is None:
            return None
        counter = self.counter
        for change in params.content_changes:
            apply_change(document, change, counter)
        document.version = params.text_document.version
        return document

    def close_document(self, uri: str) -> None:
        """Forget a document and clear its diagnostics."""
        self.documents.pop(uri, None)
        self._locks.pop(uri, None)
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        if not self.pull_mode:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    def schedule(self, document: Document) -> None:
        """Re-diagnose *document* after the debounce delay, if no newer edit came."""
        previous = self._timers.pop(document.uri, None)
        if previous is not None:
            previous.cancel()
        version = document.version
        delay = self.settings.debounce_ms / 1000

        async def later() -> None:
            await asyncio.sleep(delay)
            if (
                self.documents.get(document.uri) is not document
                or document.version != version
            ):
                return
            # A newer edit cancels only the wait: a long scan already running goes
            # on (else a log growing faster than it scans would never be scanned).
            await asyncio.shield(self.refresh(document))

        self._timers[document.uri] = asyncio.ensure_future(later())

    async def refresh(self, document: Document) -> None:
        """Bring the findings of *document* up to date and publish them (push mode)."""
        try:
            await self.analyze(document)
        except Exception:
            # Keep the last good diagnostics; the traceback goes to the log.
            logger.exception("%s: scan failed", document.uri)
            return
        # A scan made stale by a newer edit leaves the document dirty: the newer
        # scan publishes, never this one.
        current = document.dirty is None
        if (
            current
            and not self.pull_mode
            and self.documents.get(document.uri) is document
        ):
            self.publish(document)

    async def analyze(self, document: Document) -> None:
        """Scan what changed in *document* (all of it the first time)."""
        lock = self._locks.setdefault(document.uri, asyncio.Lock())
        async with lock:
            if document.kind == "kb":
                await self._check_kb_document(document)
                return
            # Loop: a whole-text change or a reload during a full scan asks for another.
            while (
                document.dirty == (0, len(document.lines))
                and len(document.lines) > FULL_SCAN_THREAD_LINES
            ):
                await self._full_scan(document)
            self.analyzer.scan_range(document)

    async def _check_kb_document(self, document: Document) -> None:
        """Check the records of a knowledge-base file, off the event loop (slow)."""
        if document.dirty is None:
            return
        generation, lines = document.generation, list(document.lines)
        found = await asyncio.to_thread(
            kbfiles.render_kb_diagnostics, lines, document.path, self.counter
        )
        if document.generation == generation:
            document.kb_diagnostics = found
            document.dirty = None

    async def _full_scan(self, document: Document) -> None:
        """Scan a long document in chunks off the event loop, with progress if slow."""
        analyzer, kind = self.analyzer, document.kind
        snapshot = tuple(document.lines)
        generation = document.generation
        document.lowest_edit = None
        total = len(snapshot)
        found = []
        token = None
        started = time.perf_counter()
        for start in range(0, total, CHUNK_LINES):
            stop = min(total, start + CHUNK_LINES)
            found.extend(
                await asyncio.to_thread(
                    analyzer.scan_chunk, snapshot, kind, start, stop
                )
            )
            elapsed = time.perf_counter() - started
            if (
                token is None
                and stop < total
                and elapsed * total / stop > PROGRESS_AFTER_SECONDS
            ):
                token = await self._begin_progress(document)
            if token is not None:
                self.work_done_progress.report(
                    token,
                    types.WorkDoneProgressReport(
                        message=f"line {stop} of {total}",
                        percentage=stop * 100 // total,
                    ),
                )
        if token is not None:
            self.work_done_progress.end(
                token, types.WorkDoneProgressEnd(message="done")
            )
        logger.info(
            "%s: scanned %d lines in %.0f ms: %d findings",
            document.uri,
            total,
            (time.perf_counter() - started) * 1000,
            len(found),
        )

        if document.generation == generation:
            document.findings = found
            document.dirty = None
            return
        # Edited meanwhile: keep what lies before the first edit; rescan the rest.
        floor = document.lowest_edit or 0
        if analyzer.has_multiline(kind):
            floor = max(0, floor - MULTILINE_CONTEXT)
        document.findings = [f for f in found if f.end_line < floor]
        document.dirty = (floor, len(document.lines))

    async def _begin_progress(self, document: Document) -> str | None:
        if not self.client_supports("window", "work_done_progress"):
            return None
        token = f"faultlore-scan-{uuid.uuid4().hex}"
        try:
            await self.work_done_progress.create_async(token)
        except Exception:
            logger.debug("the client refused a progress token", exc_info=True)
            return None
        self.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title="faultlore",
                message=f"scanning {Path(document.path).name}",
                percentage=0,
            ),
        )
        return token

    def visible(self, document: Document):
        """The findings of *document* that are shown (not ignored or turned off)."""
        key = file_key(self.root(), document.path)
        return diagnostics.visible_findings(
            document, self.kb, self.settings, self.ignores, key
        )

    def finding_under(
        self, document: Document, position: types.Position
    ) -> Finding | None:
        """The shown finding at *position* (the narrowest when several hold it)."""
        line, column = from_position(document.lines, position, self.counter)
        shown = set(map(id, self.visible(document)))
        here = [f for f in document.finding_at(line, column) if id(f) in shown]
        return pick(here)

    def range_of(self, document: Document, finding: Finding) -> types.Range:
        """The LSP range of *finding* in the client's encoding."""
        return finding_range(document.lines, finding, self.counter)

    def diagnostics_of(self, document: Document) -> list[types.Diagnostic]:
        """Everything to report for *document*."""
        if document.kind == "kb":
            return document.kb_diagnostics
        if document.kind is None:
            return []
        return diagnostics.render_diagnostics(
            document,
            self.visible(document),
            self.kb,
            self.settings,
            self.counter,
            self.locale,
        )

    def publish(self, document: Document) -> None:
        """Push the diagnostics of *document* with its version."""
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=document.uri,
                version=document.version,
                diagnostics=self.diagnostics_of(document),
            )
        )

    async def rediagnose_all(self, rekind: bool = False) -> None:
        """Rescan every open document (after a knowledge-base or settings change)."""
        for document in list(self.documents.values()):
            if rekind:
                document.kind = self.kind_for(
                    document.path, document.text, document.language_id
                )
            # A new generation: a scan still running with the old matcher is dropped.
            document.rescan_all()
            await self.refresh(document)
        if self.pull_mode and self.client_supports(
            "workspace", "diagnostics", "refresh_support"
        ):
            self.workspace_diagnostic_refresh(None)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Log unexpected errors with their traceback instead of popping them up."""
        # pygls hands over a JsonRpcInternalError keeping the handler's traceback
        # in `data`; any other error may still carry its own.
        data = getattr(error, "data", None)
        frames = data.get("traceback") if isinstance(data, dict) else None
        logger.error(
            "server error (%s): %s%s",
            getattr(source, "__name__", source),
            error,
            "\n" + "".join(frames) if frames else "",
            exc_info=None if frames else error,
        )


def _build(sources: list[Path]) -> tuple[KnowledgeBase, Analyzer, float]:
    """Load *sources* and compile their matcher; returns the time it took too."""
    started = time.perf_counter()
    kb = load_knowledge_base(sources)
    analyzer = Analyzer(Matcher(kb))
    return kb, analyzer, time.perf_counter() - started


server = FaultloreServer()


@server.feature(types.INITIALIZE)
def initialize(ls: FaultloreServer, params: types.InitializeParams) -> None:
    """Read the initialization options and the client's preferences; load the KB."""
    ls.setup(params)


@server.feature(types.INITIALIZED)
async def initialized(ls: FaultloreServer, params: types.InitializedParams) -> None:
    """Start forwarding the log, fetch settings, watch the knowledge base."""
    ls.mark_ready()
    await ls.fetch_settings()
    await ls.start_watching()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
async def did_open(
    ls: FaultloreServer, params: types.DidOpenTextDocumentParams
) -> None:
    """Scan a newly opened document right away."""
    document = ls.open_document(params.text_document)
    await ls.refresh(document)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: FaultloreServer, params: types.DidChangeTextDocumentParams) -> None:
    """Apply the edit now; rescan the touched lines after the debounce delay."""
    document = ls.change_document(params)
    if document is not None and not ls.pull_mode:
        ls.schedule(document)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
async def did_save(
    ls: FaultloreServer, params: types.DidSaveTextDocumentParams
) -> None:
    """A saved knowledge-base file reloads the knowledge base."""
    path = to_fs_path(params.text_document.uri) or ""
    if ls.in_kb_source(path):
        await ls.reload_kb()


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: FaultloreServer, params: types.DidCloseTextDocumentParams) -> None:
    """Forget the document and clear its diagnostics."""
    ls.close_document(params.text_document.uri)


@server.feature(
    types.TEXT_DOCUMENT_DIAGNOSTIC,
    types.DiagnosticOptions(
        identifier="faultlore",
        inter_file_dependencies=False,
        workspace_diagnostics=True,
    ),
)
async def diagnostic(
    ls: FaultloreServer, params: types.DocumentDiagnosticParams
) -> types.DocumentDiagnosticReport:
    """Pull diagnostics: scan what changed, then report the document."""
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    await ls.analyze(document)
    return types.RelatedFullDocumentDiagnosticReport(
        items=ls.diagnostics_of(document),
        result_id=f"{document.version}-{document.generation}",
    )


@server.feature(types.WORKSPACE_DIAGNOSTIC)
async def workspace_diagnostic(
    ls: FaultloreServer, params: types.WorkspaceDiagnosticParams
) -> types.WorkspaceDiagnosticReport:
    """Pull diagnostics for every open document."""
    items = []
    for document in list(ls.documents.values()):
        await ls.analyze(document)
        items.append(
            types.WorkspaceFullDocumentDiagnosticReport(
                uri=document.uri,
                version=document.version,
                items=ls.diagnostics_of(document),
            )
        )
    return types.WorkspaceDiagnosticReport(items=items)


@server.feature(types.TEXT_DOCUMENT_HOVER)
async def hover(ls: FaultloreServer, params: types.HoverParams) -> types.Hover | None:
    """The explanation card of the finding under the cursor; nothing elsewhere."""
    document = ls.documents.get(params.text_document.uri)
    if document is None or document.kind in (None, "kb"):
        return None
    await ls.analyze(document)
    finding = ls.finding_under(document, params.position)
    signature = ls.kb.get(finding.signature_id) if finding else None
    if signature is None:
        return None
    span = ls.range_of(document, finding)
    return render_hover(signature, span, ls.markdown, ls.locale)


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
async def document_symbol(
    ls: FaultloreServer, params: types.DocumentSymbolParams
) -> list[types.DocumentSymbol] | None:
    """Every finding as an outline, grouped by signature."""
    document = ls.documents.get(params.text_document.uri)
    if document is None or document.kind in (None, "kb"):
        return None
    await ls.analyze(document)
    return symbols.render_symbols(document, ls.visible(document), ls.kb, ls.counter)


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(
        code_action_kinds=list(code_actions.KINDS), resolve_provider=False
    ),
)
def code_action(
    ls: FaultloreServer, params: types.CodeActionParams
) -> list[types.CodeAction] | None:
    """Quick fixes, notes, ignores and documentation for our diagnostics in range."""
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    return code_actions.code_actions(ls, document, params) or None


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(
    ls: FaultloreServer, params: types.DidChangeConfigurationParams
) -> None:
    """Re-read the settings and re-diagnose."""
    pushed = (
        params.settings
        if isinstance(params.settings, dict) and params.settings
        else None
    )
    await ls.fetch_settings(pushed)


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
async def did_change_watched_files(
    ls: FaultloreServer, params: types.DidChangeWatchedFilesParams
) -> None:
    """Reload when a knowledge-base file or ``.faultlore.toml`` changed."""
    paths = [to_fs_path(change.uri) or "" for change in params.changes]
    if any(ls.in_kb_source(path) for path in paths):
        await ls.reload_kb()
    elif any(path.endswith(FILE_NAME) for path in paths):
        ls.reload_ignores()


@server.command(CMD_RELOAD)
async def reload_command(ls: FaultloreServer, *args: Any) -> dict[str, Any]:
    """Reload the knowledge base; returns the signature count and the problems."""
    count = await ls.reload_kb()
    return {"signatures": count, "problems": [str(p) for p in ls.kb.problems]}


@server.command(CMD_EXPLAIN)
def explain_command(ls: FaultloreServer, *args: Any) -> dict[str, Any] | None:
    """The card of a signature by id, as Markdown and plain text."""
    signature = ls.kb.get(str(args[0])) if args else None
    if signature is None:
        return None
    return code_actions.explain(signature, ls.locale)


@server.command(CMD_IGNORE)
async def ignore_command(ls: FaultloreServer, *args: Any) -> dict[str, Any] | None:
    """Silence a signature in one file or the workspace (edits ``.faultlore.toml``)."""
    return await code_actions.ignore(ls, args[0] if args else {})


@server.command(CMD_OPEN_DOCS)
async def open_docs_command(ls: FaultloreServer, *args: Any) -> bool:
    """Open a signature's documentation in the browser (``window/showDocument``)."""
    return await code_actions.open_docs(ls, str(args[0]) if args else "")


def run(tcp: str | None = None) -> None:
    """Serve on stdio, or on ``HOST:PORT`` when *tcp* is given."""
    root = logging.getLogger("faultlore")
    if root.getEffectiveLevel() > logging.INFO:
        # Keep stderr at the CLI's level while the editor's log gets lifecycle info.
        for handler in root.handlers:
            handler.setLevel(root.getEffectiveLevel())
        root.setLevel(logging.INFO)
    server.log_handler = LspLogHandler(server)
    root.addHandler(server.log_handler)
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
