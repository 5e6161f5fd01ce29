"""``textDocument/codeAction`` and the commands behind some actions.

For each of our diagnostics in the request: the record's workarounds as quick fixes
(in place in a config file; from a log, in the config file the snippet belongs in;
or as a note below the log line), ignores (an inline directive, this file, the
workspace) and the documentation. The best-rated fix is preferred. Placement is
`faultlore.fixes`; this module turns it into workspace edits.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from faultlore.card import build_card, render_markdown, render_plain, safe_url
from faultlore.filekinds import CONFIG_KINDS, LOG
from faultlore.fixes import Span, TextEdit, ignore_directive, note_below, plan_snippet
from faultlore.ignores import add_ignore, file_key
from faultlore.kb.model import Signature, Workaround
from faultlore.lsp.analysis import Document, detect_newline
from faultlore.lsp.diagnostics import SOURCE
from faultlore.lsp.positions import from_position, to_range
from faultlore.scan import SKIP_DIRS, detect_kind
from faultlore.text import decode, split_lines

if TYPE_CHECKING:
    from faultlore.lsp.server import FaultloreServer

logger = logging.getLogger(__name__)

FIX = types.CodeActionKind.QuickFix.value
NOTE = "quickfix.faultlore.note"
IGNORE = "quickfix.faultlore.ignore"
DOCS = "quickfix.faultlore.docs"
KINDS = (FIX, NOTE, IGNORE, DOCS)

MAX_TARGETS = 3
"""Config files offered per fix when a log's fix belongs in another file."""
MAX_NOTES = 3
WALK_LIMIT = 5000
"""Files looked at when searching the workspace for a config file."""
WALK_CACHE_SECONDS = 30.0

_walk_cache: dict[str, tuple[float, list[tuple[str, str]]]] = {}


def code_actions(
    ls: FaultloreServer, document: Document, params: types.CodeActionParams
) -> list[types.CodeAction]:
    """Every action for the faultlore diagnostics in *params*, filtered by ``only``."""
    only = params.context.only
    actions: list[types.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        data = diagnostic.data
        if (
            diagnostic.source != SOURCE
            or not isinstance(data, dict)
            or "id" not in data
        ):
            continue
        signature = ls.kb.get(data["id"])
        if signature is None:
            continue
        span = _span(ls, document, diagnostic, data)
        for action in finding_actions(ls, document, signature, span, diagnostic):
            if _allowed(action.kind, only):
                actions.append(action)
    return actions


def _allowed(kind: str | None, only: list[str] | None) -> bool:
    if not only:
        return True
    return kind is not None and any(kind == o or kind.startswith(f"{o}.") for o in only)


def _span(
    ls: FaultloreServer, document: Document, diagnostic: types.Diagnostic, data: dict
) -> Span:
    """The finding's code-point span: from ``data`` if current, else from the range."""
    raw = data.get("span")
    if (
        data.get("version") == document.version
        and isinstance(raw, list)
        and len(raw) == 4
    ):
        return Span(*raw)
    start = from_position(document.lines, diagnostic.range.start, ls.counter)
    end = from_position(document.lines, diagnostic.range.end, ls.counter)
    return Span(start[0], start[1], end[0], end[1])


def finding_actions(
    ls: FaultloreServer,
    document: Document,
    signature: Signature,
    span: Span,
    diagnostic: types.Diagnostic,
) -> list[types.CodeAction]:
    """The actions for one finding, best fix first."""
    workarounds = signature.workarounds()
    actions = fix_actions(ls, document, workarounds, span, diagnostic)
    if document.kind == LOG:
        actions += note_actions(ls, document, signature, workarounds, span, diagnostic)
    if actions and actions[0].kind == FIX:
        actions[0].is_preferred = True
    actions += ignore_actions(ls, document, signature, span, diagnostic)
    url = safe_url(signature.doc_url)
    if url:
        actions.append(
            types.CodeAction(
                title=f"Open the documentation of {signature.id}",
                kind=DOCS,
                diagnostics=[diagnostic],
                command=types.Command(
                    title="Open documentation",
                    command="faultlore.openDocs",
                    arguments=[url],
                ),
            )
        )
    return actions


def fix_actions(
    ls: FaultloreServer,
    document: Document,
    workarounds: list[Workaround],
    span: Span,
    diagnostic: types.Diagnostic,
) -> list[types.CodeAction]:
    """Workaround snippets applied in this file or in the config file they belong in."""
    actions = []
    for workaround in workarounds:
        snippet = workaround.snippet
        if snippet is None or not snippet.text:
            continue
        target_kind = snippet.file or document.kind
        rate = _rate(workaround)
        if target_kind == document.kind and document.kind != LOG:
            edits = plan_snippet(
                snippet, document.lines, document.kind, span, document.newline
            )
            edit = workspace_edit(
                ls, document.uri, document.version, document.lines, edits
            )
            actions.append(_fix(f"Fix: {workaround.action}{rate}", diagnostic, edit))
        elif target_kind in CONFIG_KINDS:
            for path, lines, version, newline in config_targets(
                ls, target_kind, document
            ):
                edits = plan_snippet(snippet, lines, target_kind, None, newline)
                edit = workspace_edit(ls, from_fs_path(path), version, lines, edits)
                title = f"Fix in {Path(path).name}: {workaround.action}{rate}"
                actions.append(_fix(title, diagnostic, edit))
    return actions


def _fix(
    title: str, diagnostic: types.Diagnostic, edit: types.WorkspaceEdit
) -> types.CodeAction:
    """A quick fix for *diagnostic* that applies *edit*."""
    return types.CodeAction(
        title=_title(title), kind=FIX, diagnostics=[diagnostic], edit=edit
    )


def note_actions(
    ls: FaultloreServer,
    document: Document,
    signature: Signature,
    workarounds: list[Workaround],
    span: Span,
    diagnostic: types.Diagnostic,
) -> list[types.CodeAction]:
    """Workarounds written below the log line, for logs kept as notes."""
    actions = []
    for workaround in workarounds[:MAX_NOTES]:
        note = [f"[faultlore] {signature.id}: {workaround.action}{_rate(workaround)}"]
        if workaround.snippet and workaround.snippet.text:
            where = workaround.snippet.file or "config"
            note += [
                f"[faultlore]   {where}: {line}"
                for line in workaround.snippet.text.splitlines()
            ]
        edits = note_below(
            document.lines,
            span,
            "\n".join(note).replace("\n", document.newline),
            document.newline,
        )
        actions.append(
            types.CodeAction(
                title=_title(f"Add a note: {workaround.action}"),
                kind=NOTE,
                diagnostics=[diagnostic],
                edit=workspace_edit(
                    ls, document.uri, document.version, document.lines, edits
                ),
            )
        )
    return actions


def ignore_actions(
    ls: FaultloreServer,
    document: Document,
    signature: Signature,
    span: Span,
    diagnostic: types.Diagnostic,
) -> list[types.CodeAction]:
    """Ignore this finding (inline), or the signature in this file or the workspace."""
    actions = []
    edits = ignore_directive(
        document.lines, span.line, document.kind or "", signature.id, document.newline
    )
    if edits:
        actions.append(
            types.CodeAction(
                title=f"Ignore {signature.id} here",
                kind=IGNORE,
                diagnostics=[diagnostic],
                edit=workspace_edit(
                    ls, document.uri, document.version, document.lines, edits
                ),
            )
        )
    root = ls.root()
    if root is None:
        return actions
    if file_key(root, document.path) is not None:
        actions.append(
            _ignore_command(
                f"Ignore {signature.id} in this file",
                signature,
                document,
                "file",
                diagnostic,
            )
        )
    actions.append(
        _ignore_command(
            f"Ignore {signature.id} in the workspace",
            signature,
            document,
            "workspace",
            diagnostic,
        )
    )
    return actions


def _ignore_command(
    title: str,
    signature: Signature,
    document: Document,
    scope: str,
    diagnostic: types.Diagnostic,
) -> types.CodeAction:
    arguments = [{"id": signature.id, "uri": document.uri, "scope": scope}]
    return types.CodeAction(
        title=title,
        kind=IGNORE,
        diagnostics=[diagnostic],
        command=types.Command(
            title=title, command="faultlore.ignore", arguments=arguments
        ),
    )


def workspace_edit(
    ls: FaultloreServer,
    uri: str,
    version: int | None,
    lines: list[str],
    edits: list[TextEdit],
) -> types.WorkspaceEdit:
    """*edits* (code points) as a workspace edit in the client's position encoding."""
    counter = ls.counter
    text_edits = [
        types.TextEdit(
            range=to_range(
                lines,
                edit.span.line,
                edit.span.column,
                edit.span.end_line,
                edit.span.end_column,
                counter,
            ),
            new_text=edit.new_text,
        )
        for edit in edits
    ]
    if ls.client_supports("workspace", "workspace_edit", "document_changes"):
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=uri, version=version
                    ),
                    edits=text_edits,
                )
            ]
        )
    return types.WorkspaceEdit(changes={uri: text_edits})


def config_targets(
    ls: FaultloreServer, kind: str, origin: Document
) -> list[tuple[str, list[str], int | None, str]]:
    """Config files of *kind*: open ones first, then the workspace's, best first."""
    found: list[tuple[str, list[str], int | None, str]] = []
    seen: set[str] = set()
    for document in ls.documents.values():
        if document.kind == kind and _takes_settings(document.path):
            found.append(
                (document.path, document.lines, document.version, document.newline)
            )
            seen.add(os.path.normcase(os.path.abspath(document.path)))
    root = ls.root()
    if root is not None:
        candidates = [
            path
            for path, k in _workspace_files(root)
            if k == kind and _takes_settings(path)
        ]
        candidates.sort(
            key=lambda path: -_shared_prefix(Path(path).name, Path(origin.path).name)
        )
        for path in candidates:
            if (
                os.path.normcase(os.path.abspath(path)) in seen
                or len(found) >= MAX_TARGETS
            ):
                continue
            try:
                text, _notes = decode(Path(path).read_bytes(), name=path)
            except (OSError, ValueError):
                continue
            found.append((path, split_lines(text), None, detect_newline(text)))
    return found[:MAX_TARGETS]


def _takes_settings(path: str) -> bool:
    """Whether a fix from a log may go into *path*: postfix's ``master.cf`` lists
    services, and a ``main.cf`` parameter there stops postfix from starting."""
    return not Path(path).name.endswith("master.cf")


def _workspace_files(root: Path) -> list[tuple[str, str]]:
    """Config files under *root* with their kinds (cached briefly; bounded)."""
    key = str(root)
    cached = _walk_cache.get(key)
    if cached and time.monotonic() - cached[0] < WALK_CACHE_SECONDS:
        return cached[1]
    found: list[tuple[str, str]] = []
    looked = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")
        )
        for name in sorted(files):
            looked += 1
            if looked > WALK_LIMIT:
                break
            path = Path(folder) / name
            kind = detect_kind(path)
            if kind is not None and kind != LOG:
                found.append((str(path), kind))
        if looked > WALK_LIMIT:
            break
    _walk_cache[key] = (time.monotonic(), found)
    return found


def _shared_prefix(a: str, b: str) -> int:
    return len(os.path.commonprefix([a.lower(), b.lower()]))


def _rate(workaround: Workaround) -> str:
    if isinstance(workaround.success_rate, int | float):
        return f" ({round(workaround.success_rate * 100)}%)"
    return ""


def _title(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def explain(signature: Signature, locale: str) -> dict[str, Any]:
    """The card of *signature* for the explain command."""
    card = build_card(signature, locale)
    return {
        "id": signature.id,
        "title": card.title,
        "markdown": render_markdown(card, locale),
        "plaintext": render_plain(card, locale),
    }


async def ignore(ls: FaultloreServer, argument: Any) -> dict[str, Any] | None:
    """Add a signature to ``.faultlore.toml`` (one file or all) and re-diagnose."""
    if not isinstance(argument, dict) or not argument.get("id"):
        return None
    root = ls.root()
    if root is None:
        ls.notify_once(
            "faultlore: ignoring needs a workspace folder (for .faultlore.toml)"
        )
        return None
    key = None
    if argument.get("scope") == "file":
        path = to_fs_path(str(argument.get("uri") or "")) or ""
        key = file_key(root, path)
        if key is None:
            return None
    written = add_ignore(root, str(argument["id"]), key)
    logger.info(
        "%s: ignoring %s in %s", written, argument["id"], key or "the workspace"
    )
    ls.reload_ignores()
    return {"file": str(written), "scope": argument.get("scope") or "workspace"}


async def open_docs(ls: FaultloreServer, url: str) -> bool:
    """Ask the client to open *url* in the browser; say it in a message otherwise."""
    url = safe_url(url) or ""
    if not url:
        return False
    if ls.client_supports("window", "show_document", "support"):
        result = await ls.window_show_document_async(
            types.ShowDocumentParams(uri=url, external=True)
        )
        return bool(result and result.success)
    ls.window_show_message(
        types.ShowMessageParams(
            type=types.MessageType.Info, message=f"Documentation: {url}"
        )
    )
    return True
