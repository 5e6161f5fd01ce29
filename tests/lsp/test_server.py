"""End-to-end: `faultlore lsp` over stdio, driven as VS Code and Neovim would."""

from __future__ import annotations

import asyncio
import json
import shutil

import pytest
import tomlkit
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities
from tests.lsp.conftest import (
    CLIENTS,
    KB,
    TIMEOUT,
    diagnostics_of,
    next_push,
    open_and_wait,
    settings,
    start,
)

BODY_LINE = (
    "2016/08/24 21:35:05 [error] 50785#0: *2 client intended to send too large body:"
    " 3520276 bytes, client: 127.0.0.1"
)
REFUSED_LINE = (
    "2016/08/24 21:35:01 [error] 50785#0: *1 connect() failed (111: Connection refused)"
    " while connecting to upstream"
)
NGINX_CONF = """user nginx;
events {}
http {
    include mime.types;
    server {
        listen 80;
    }
}
"""


def doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


def edits_for(edit: types.WorkspaceEdit, uri: str) -> list[types.TextEdit]:
    """The text edits *edit* makes to *uri*, whichever form the server chose."""
    if edit.document_changes:
        return [
            e
            for change in edit.document_changes
            if change.text_document.uri == uri
            for e in change.edits
        ]
    return list((edit.changes or {}).get(uri, []))


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits with ASCII positions (the tests' edited files are ASCII)."""
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def offset(position: types.Position) -> int:
        if position.line >= len(lines):
            return len(text)
        return starts[position.line] + position.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = (
            text[: offset(edit.range.start)]
            + edit.new_text
            + text[offset(edit.range.end) :]
        )
    return text


async def actions_for(
    client: LanguageClient,
    uri: str,
    diagnostics: list[types.Diagnostic],
    only: list[str] | None = None,
) -> list[types.CodeAction]:
    result = await asyncio.wait_for(
        client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=doc(uri),
                range=diagnostics[0].range,
                context=types.CodeActionContext(diagnostics=diagnostics, only=only),
            )
        ),
        TIMEOUT,
    )
    return list(result or [])


async def hover_at(
    client: LanguageClient, uri: str, line: int, character: int
) -> types.Hover | None:
    return await asyncio.wait_for(
        client.text_document_hover_async(
            types.HoverParams(
                text_document=doc(uri),
                position=types.Position(line=line, character=character),
            )
        ),
        TIMEOUT,
    )


# -- diagnostics -------------------------------------------------------------


@pytest.mark.corpus
@pytest.mark.parametrize("profile", CLIENTS)
async def test_corpus_log_gets_exact_diagnostic(client, profile, corpora, tmp_path):
    # The real report log, read in place: one finding, exact span, self-describing.
    log = corpora / "reports" / "04-nginx-413-openresty.log"
    result = await start(client, profile, tmp_path)
    found = await open_and_wait(client, result, log)

    assert len(found) == 1
    diagnostic = found[0]
    first = log.read_text(encoding="utf-8").splitlines()[0]
    column = first.index("client intended to send too large body")
    assert diagnostic.range.start == types.Position(line=0, character=column)
    assert diagnostic.range.end == types.Position(
        line=0, character=column + len("client intended to send too large body")
    )
    assert diagnostic.source == "faultlore"
    assert diagnostic.code == "web/test-nginx-body-too-large"
    assert diagnostic.message == (
        "nginx rejected a request body larger than client_max_body_size"
    )
    assert diagnostic.code_description.href.startswith("https://nginx.org/")
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.data["id"] == "web/test-nginx-body-too-large"


@pytest.mark.corpus
async def test_bundled_kb_finds_nginx_413_in_corpus(client, corpora, tmp_path):
    # The bundled knowledge base alone must explain the openresty 413 report.
    log = corpora / "reports" / "04-nginx-413-openresty.log"
    options = {"knowledgeBase": {"bundled": True, "user": False}, "debounceMs": 0}
    result = await start(client, "visual-studio-code", tmp_path, options)
    found = await open_and_wait(client, result, log)

    assert any(d.range.start.line == 0 for d in found), found
    assert all(d.source == "faultlore" for d in found)


@pytest.mark.corpus
async def test_config_signature_fires_only_in_its_kind(client, corpora, tmp_path):
    # A config signature (files: [nginx]) stays quiet in a log with the same text.
    conf = corpora / "reports" / "07-nginx-upstream-timed-out-puma.nginx.conf"
    text = (
        conf.read_text(encoding="utf-8") + "\nhttp {\n    client_max_body_size 1m;\n}\n"
    )
    result = await start(client, "visual-studio-code", tmp_path)

    in_conf = await open_and_wait(client, result, conf, text, "nginx")
    as_log = await open_and_wait(client, result, tmp_path / "x.log", text)

    assert [d.code for d in in_conf] == ["web/test-nginx-config-small-body"]
    assert as_log == []


@pytest.mark.parametrize("profile", CLIENTS)
async def test_edits_rescan_and_close_clears(client, profile, tmp_path):
    # An appended error line is found (with the new version); closing clears.
    log = tmp_path / "app.log"
    log.write_text("started\n")
    result = await start(client, profile, tmp_path)
    assert await open_and_wait(client, result, log) == []

    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(
                uri=log.as_uri(), version=2
            ),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=1, character=0),
                        end=types.Position(line=1, character=0),
                    ),
                    text=BODY_LINE + "\n",
                )
            ],
        )
    )
    found = await diagnostics_of(client, result, log.as_uri())
    assert [d.range.start.line for d in found] == [1]

    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=doc(log.as_uri()))
    )
    if result.capabilities.diagnostic_provider is None:
        assert await next_push(client, log.as_uri()) == []


async def test_push_carries_document_version(client, tmp_path):
    log = tmp_path / "app.log"
    result = await start(client, "visual-studio-code", tmp_path)
    await open_and_wait(client, result, log, BODY_LINE)

    # wait_for_notification hands back the notification's params.
    waiter = asyncio.ensure_future(
        client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    )
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(
                uri=log.as_uri(), version=7
            ),
            content_changes=[
                types.TextDocumentContentChangeWholeDocument(text="quiet\n")
            ],
        )
    )
    published = await asyncio.wait_for(waiter, TIMEOUT)
    assert published.uri == log.as_uri()
    assert published.version == 7
    assert list(published.diagnostics) == []


async def test_related_information_points_at_preceding_error(client, tmp_path):
    # The 413 record says it usually follows the refused upstream: it points there.
    log = tmp_path / "error.log"
    result = await start(client, "visual-studio-code", tmp_path)
    found = await open_and_wait(
        client, result, log, f"{REFUSED_LINE}\nnoise\n{BODY_LINE}\n"
    )

    body = next(d for d in found if d.code == "web/test-nginx-body-too-large")
    (related,) = body.related_information
    assert related.location.range.start.line == 0
    assert related.message.startswith("usually follows:")
    assert "(line 1)" in related.message


async def test_identical_findings_fold_and_cap(client, tmp_path):
    # 3,000 copies (different numbers): one folded diagnostic; all in the outline.
    log = tmp_path / "flood.log"
    text = "\n".join(BODY_LINE.replace("3520276", str(n)) for n in range(3000))
    result = await start(client, "visual-studio-code", tmp_path)
    found = await open_and_wait(client, result, log, text)

    assert len(found) == 1
    assert found[0].message.endswith("(×3000)")
    assert found[0].data["count"] == 3000

    outline = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc(log.as_uri()))
    )
    assert len(outline) == 1 and len(outline[0].children) == 3000
    assert outline[0].children[2999].range.start.line == 2999


async def test_cap_without_folding(client, tmp_path):
    log = tmp_path / "flood.log"
    text = "\n".join([BODY_LINE] * 120)
    options = settings(foldIdentical=False, maxDiagnosticsPerDocument=50)
    result = await start(client, "visual-studio-code", tmp_path, options)
    found = await open_and_wait(client, result, log, text)

    assert len(found) == 51
    assert found[-1].code == "limit"
    assert "70 more" in found[-1].message


# -- pull diagnostics ----------------------------------------------------------


async def test_pull_diagnostics_when_the_client_pulls(client, tmp_path):
    # Neovim pulls: in pull mode the server serves document and workspace reports.
    log = tmp_path / "error.log"
    result = await start(client, "neovim", tmp_path, settings(diagnosticMode="pull"))
    assert result.capabilities.diagnostic_provider is not None

    found = await open_and_wait(client, result, log, BODY_LINE)
    assert [d.code for d in found] == ["web/test-nginx-body-too-large"]

    report = await asyncio.wait_for(
        client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(previous_result_ids=[])
        ),
        TIMEOUT,
    )
    (item,) = report.items
    assert item.uri == log.as_uri()
    assert [d.code for d in item.items] == ["web/test-nginx-body-too-large"]
    assert log.as_uri() not in client.diagnostics


async def test_no_pull_for_clients_that_do_not_pull(client, tmp_path):
    result = await start(
        client, "visual-studio-code", tmp_path, settings(diagnosticMode="pull")
    )
    assert result.capabilities.diagnostic_provider is None


# -- positions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "encoding"),
    [("visual-studio-code", "utf-16"), ("neovim", "utf-8")],
)
async def test_columns_in_negotiated_encoding(client, profile, encoding, tmp_path):
    # Accented, CJK and astral-plane text before the match: columns in client units.
    prefix = "🙂 café 日志: "
    line = prefix + "磁盘空间不足 👍 end"
    result = await start(client, profile, tmp_path)
    assert result.capabilities.position_encoding == encoding
    found = await open_and_wait(client, result, tmp_path / "disk.log", "first\n" + line)

    units = (
        (lambda s: len(s.encode("utf-16-le")) // 2)
        if encoding == "utf-16"
        else (lambda s: len(s.encode("utf-8")))
    )
    (diagnostic,) = found
    assert diagnostic.range.start.character == units(prefix)
    assert diagnostic.range.end.character == units(prefix + "磁盘空间不足")

    card = await hover_at(
        client, (tmp_path / "disk.log").as_uri(), 1, units(prefix) + 1
    )
    assert card is not None and card.range == diagnostic.range
    assert (
        await hover_at(client, (tmp_path / "disk.log").as_uri(), 1, units(prefix) - 1)
        is None
    )


# -- hover -----------------------------------------------------------------------


@pytest.mark.parametrize("profile", CLIENTS)
async def test_hover_card_markdown(client, profile, tmp_path):
    log = tmp_path / "error.log"
    result = await start(client, profile, tmp_path)
    (diagnostic,) = await open_and_wait(client, result, log, BODY_LINE)

    card = await hover_at(client, log.as_uri(), 0, diagnostic.range.start.character + 3)
    assert card.range == diagnostic.range
    assert card.contents.kind == types.MarkupKind.Markdown
    text = card.contents.value
    for expected in (
        "web/test-nginx-body-too-large",
        "Root cause",
        "Dead ends",
        "Workarounds",
        "usually follows",
        "nginx\\.org",
        "verification: tested",
        "last confirmed 2025\\-01\\-15",
    ):
        assert expected in text, expected
    # Workarounds are ranked: the 95% one comes before the 30% one.
    assert text.index("works about 95%") < text.index("works about 30%")

    assert await hover_at(client, log.as_uri(), 0, 2) is None


async def test_hover_plain_text_when_client_wants_it(client, tmp_path):
    capabilities = client_capabilities("visual-studio-code")
    capabilities.text_document.hover.content_format = [types.MarkupKind.PlainText]
    log = tmp_path / "error.log"
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=tmp_path.as_uri(),
            initialization_options=settings(),
        )
    )
    (diagnostic,) = await open_and_wait(client, result, log, BODY_LINE)

    card = await hover_at(client, log.as_uri(), 0, diagnostic.range.start.character)
    assert card.contents.kind == types.MarkupKind.PlainText
    assert "client_max_body_size" in card.contents.value
    assert "\\_" not in card.contents.value and "**" not in card.contents.value


@pytest.mark.parametrize(
    ("locale", "setting", "expected"),
    [
        pytest.param("zh-CN", None, "nginx 拒绝了", id="client-locale-chinese"),
        pytest.param("en", "zh", "nginx 拒绝了", id="setting-chinese"),
        pytest.param("zh-CN", "en", "nginx rejected", id="setting-overrides-client"),
    ],
)
async def test_hover_locale(client, tmp_path, locale, setting, expected):
    options = settings(**({"locale": setting} if setting else {}))
    log = tmp_path / "error.log"
    result = await start(client, "visual-studio-code", tmp_path, options, locale=locale)
    (diagnostic,) = await open_and_wait(client, result, log, BODY_LINE)

    card = await hover_at(client, log.as_uri(), 0, diagnostic.range.start.character)
    assert expected in card.contents.value
    assert diagnostic.message.startswith(expected)


async def test_hover_escapes_knowledge_base_text(client, tmp_path):
    # A record holding HTML, a command link and a javascript: URL cannot inject any.
    log = tmp_path / "mysql.log"
    result = await start(client, "visual-studio-code", tmp_path)
    (diagnostic,) = await open_and_wait(
        client, result, log, "ERROR 1040 (HY000): Too many connections"
    )
    assert diagnostic.code_description is None

    card = await hover_at(client, log.as_uri(), 0, 3)
    text = card.contents.value
    assert "<img" not in text and "<script" not in text
    assert "](command:" not in text
    assert "javascript:" not in text


# -- code actions -------------------------------------------------------------------


@pytest.mark.parametrize("profile", CLIENTS)
async def test_fix_in_config_file_in_place(client, profile, tmp_path):
    conf = tmp_path / "nginx.conf"
    text = NGINX_CONF.replace(
        "include mime.types;", "include mime.types;\n    client_max_body_size 1m;"
    )
    result = await start(client, profile, tmp_path)
    found = await open_and_wait(client, result, conf, text, "nginx")

    actions = await actions_for(client, conf.as_uri(), found)
    fixes = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert [a.is_preferred for a in fixes] == [True, None]
    assert list(fixes[0].diagnostics) == found
    replaced = apply(text, edits_for(fixes[0].edit, conf.as_uri()))
    assert "    client_max_body_size 50m;\n" in replaced
    assert "1m" not in replaced
    commented = apply(text, edits_for(fixes[1].edit, conf.as_uri()))
    assert (
        "    # 1m is enough: uploads go to S3 directly\n    client_max_body_size 1m;"
        in commented
    )


async def test_replace_match_in_sshd_config(client, tmp_path):
    conf = tmp_path / "sshd_config"
    text = "Port 22\nPermitRootLogin yes # legacy\n"
    result = await start(client, "visual-studio-code", tmp_path)
    found = await open_and_wait(client, result, conf, text, "sshd")

    (fix,) = [
        a
        for a in await actions_for(client, conf.as_uri(), found)
        if a.kind == "quickfix"
    ]
    assert apply(text, edits_for(fix.edit, conf.as_uri())) == (
        "Port 22\nPermitRootLogin prohibit-password # legacy\n"
    )


@pytest.mark.parametrize("opened", [False, True], ids=["found-in-workspace", "open"])
async def test_fix_from_log_goes_into_nginx_config(client, tmp_path, opened):
    # From a log, the nginx snippet lands in the http block of the workspace's config.
    conf = tmp_path / "nginx" / "nginx.conf"
    conf.parent.mkdir()
    conf.write_text(NGINX_CONF)
    log = tmp_path / "error.log"
    result = await start(client, "visual-studio-code", tmp_path)
    if opened:
        await open_and_wait(client, result, conf, language_id="nginx")
    found = await open_and_wait(client, result, log, BODY_LINE)

    actions = await actions_for(client, log.as_uri(), found)
    preferred = [a for a in actions if a.is_preferred]
    assert len(preferred) == 1
    fix = preferred[0]
    assert fix.title.startswith("Fix in nginx.conf: Raise client_max_body_size")
    edits = edits_for(fix.edit, conf.as_uri())
    assert apply(NGINX_CONF, edits) == NGINX_CONF.replace(
        "http {\n", "http {\n    client_max_body_size 50m;\n"
    )
    if fix.edit.document_changes:
        assert fix.edit.document_changes[0].text_document.version == (
            1 if opened else None
        )


async def test_note_below_log_line(client, tmp_path):
    log = tmp_path / "error.log"
    text = f"{BODY_LINE}\nnext line"
    result = await start(client, "visual-studio-code", tmp_path)
    found = await open_and_wait(client, result, log, text)

    notes = await actions_for(
        client, log.as_uri(), found, only=["quickfix.faultlore.note"]
    )
    assert notes and all(a.kind == "quickfix.faultlore.note" for a in notes)
    noted = apply(text, edits_for(notes[0].edit, log.as_uri()))
    assert noted.split("\n")[1].startswith(
        "[faultlore] web/test-nginx-body-too-large: Raise client_max_body_size"
    )
    assert noted.split("\n")[2] == "[faultlore]   nginx: client_max_body_size 50m;"
    assert noted.endswith("\nnext line")


async def test_context_only_is_honoured(client, tmp_path):
    log = tmp_path / "error.log"
    result = await start(client, "visual-studio-code", tmp_path)
    found = await open_and_wait(client, result, log, BODY_LINE)

    everything = await actions_for(client, log.as_uri(), found)
    ignores = await actions_for(
        client, log.as_uri(), found, only=["quickfix.faultlore.ignore"]
    )
    assert {a.kind for a in everything} >= {
        "quickfix.faultlore.note",
        "quickfix.faultlore.ignore",
        "quickfix.faultlore.docs",
    }
    assert ignores and {a.kind for a in ignores} == {"quickfix.faultlore.ignore"}
    assert await actions_for(client, log.as_uri(), found, only=["refactor"]) == []


async def test_open_documentation(client, tmp_path):
    log = tmp_path / "error.log"
    result = await start(client, "visual-studio-code", tmp_path)
    found = await open_and_wait(client, result, log, BODY_LINE)

    (docs,) = await actions_for(
        client, log.as_uri(), found, only=["quickfix.faultlore.docs"]
    )
    await asyncio.wait_for(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command=docs.command.command, arguments=docs.command.arguments
            )
        ),
        TIMEOUT,
    )
    (shown,) = client.shown_documents
    assert shown.uri.startswith("https://nginx.org/") and shown.external


@pytest.mark.parametrize("profile", CLIENTS)
async def test_inline_ignore_round_trip(client, profile, tmp_path):
    conf = tmp_path / "nginx.conf"
    text = "http {\n    client_max_body_size 1m;\n}\n"
    result = await start(client, profile, tmp_path)
    found = await open_and_wait(client, result, conf, text, "nginx")

    actions = await actions_for(client, conf.as_uri(), found)
    (inline,) = [a for a in actions if a.title.endswith(" here")]
    ignored = apply(text, edits_for(inline.edit, conf.as_uri()))
    assert "    # faultlore: ignore[web/test-nginx-config-small-body]\n" in ignored

    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(
                uri=conf.as_uri(), version=2
            ),
            content_changes=[
                types.TextDocumentContentChangeWholeDocument(text=ignored)
            ],
        )
    )
    assert await diagnostics_of(client, result, conf.as_uri()) == []


@pytest.mark.parametrize("profile", CLIENTS)
@pytest.mark.parametrize("scope", ["file", "workspace"])
async def test_ignore_in_faultlore_toml_round_trip(client, profile, scope, tmp_path):
    # The command edits .faultlore.toml (keeping the user's comments) and re-diagnoses.
    (tmp_path / ".faultlore.toml").write_text("# mine\n[ignore]\nsignatures = []\n")
    log = tmp_path / "logs" / "error.log"
    log.parent.mkdir()
    log.write_text(BODY_LINE)
    result = await start(client, profile, tmp_path)
    found = await open_and_wait(client, result, log)

    actions = await actions_for(client, log.as_uri(), found)
    wanted = "in this file" if scope == "file" else "in the workspace"
    (action,) = [a for a in actions if a.title.endswith(wanted)]
    await asyncio.wait_for(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command=action.command.command, arguments=action.command.arguments
            )
        ),
        TIMEOUT,
    )
    written = (tmp_path / ".faultlore.toml").read_text()
    assert written.startswith("# mine\n")
    table = tomlkit.parse(written)["ignore"]
    if scope == "file":
        assert table["files"]["logs/error.log"] == ["web/test-nginx-body-too-large"]
    else:
        assert table["signatures"] == ["web/test-nginx-body-too-large"]
    assert await diagnostics_of(client, result, log.as_uri()) == []


# -- settings, knowledge base, commands ---------------------------------------------


async def test_settings_change_applies_severity_override(client, tmp_path):
    log = tmp_path / "error.log"
    result = await start(client, "visual-studio-code", tmp_path)
    (diagnostic,) = await open_and_wait(client, result, log, BODY_LINE)
    assert diagnostic.severity == types.DiagnosticSeverity.Error

    client.set_configuration(
        settings(severity={"limit_reached": "hint"}), section="faultlore"
    )
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings=None)
    )
    (diagnostic,) = await next_push(client, log.as_uri())
    assert diagnostic.severity == types.DiagnosticSeverity.Hint

    client.set_configuration(settings(severity={"web": "off"}), section="faultlore")
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings=None)
    )
    assert await next_push(client, log.as_uri()) == []


async def test_bad_setting_gets_one_message_and_the_default(client, tmp_path):
    log = tmp_path / "error.log"
    result = await start(
        client, "visual-studio-code", tmp_path, settings(debounceMs="soon")
    )
    await open_and_wait(client, result, log, BODY_LINE)

    changed = {"faultlore": settings(debounceMs="soon", foldIdentical=False)}
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings=changed)
    )
    await next_push(client, log.as_uri())
    # The same bad value again: no second message. A request after it is a sync point.
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings=changed)
    )
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="faultlore.explain", arguments=["x"])
    )
    messages = [m.message for m in client.messages if "debounceMs" in m.message]
    assert len(messages) == 1
    assert "using the default 300" in messages[0]


@pytest.mark.parametrize("profile", CLIENTS)
async def test_editing_a_record_rediagnoses_without_restart(client, profile, tmp_path):
    # VS Code is told by its file watcher; Neovim's server polls the files.
    kb = tmp_path / "kb" / "kb.json"
    kb.parent.mkdir()
    shutil.copy(KB, kb)
    log = tmp_path / "error.log"
    options = settings(
        knowledgeBase={"paths": [str(kb)], "bundled": False, "user": False}
    )
    result = await start(client, profile, tmp_path, options)
    (diagnostic,) = await open_and_wait(client, result, log, BODY_LINE)

    records = json.loads(kb.read_text())
    records[0]["signature"] = "Request body over the limit"
    kb.write_text(json.dumps(records))
    if profile == "visual-studio-code":
        # The server registers its watchers once `initialized` has fetched settings.
        await asyncio.wait_for(client.registered.wait(), TIMEOUT)
        methods = [r.method for r in client.registrations]
        assert methods == [types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[
                    types.FileEvent(uri=kb.as_uri(), type=types.FileChangeType.Changed)
                ]
            )
        )
    (diagnostic,) = await diagnostics_until(
        client, result, log.as_uri(), "Request body"
    )
    assert diagnostic.message == "Request body over the limit"


async def diagnostics_until(
    client, result, uri: str, text: str
) -> list[types.Diagnostic]:
    """Diagnostics of *uri* once one mentions *text* (pushed, or pulled again)."""

    async def wait() -> list[types.Diagnostic]:
        while True:
            found = await diagnostics_of(client, result, uri)
            if any(text in d.message for d in found):
                return found

    return await asyncio.wait_for(wait(), TIMEOUT)


async def test_reload_and_explain_commands(client, tmp_path):
    result = await start(client, "visual-studio-code", tmp_path)
    assert result.capabilities.execute_command_provider.commands

    reloaded = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="faultlore.reloadKnowledgeBase")
    )
    assert reloaded["signatures"] == 7
    card = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="faultlore.explain", arguments=["web/test-nginx-body-too-large"]
        )
    )
    assert card["title"].startswith("nginx rejected")
    assert "**Root cause**" in card["markdown"]
    assert "Root cause:" in card["plaintext"]


async def test_unreadable_knowledge_base_pops_up_once(client, tmp_path):
    # Found while starting (before the client listens): shown once it does.
    missing = tmp_path / "missing.json"
    options = settings(knowledgeBase={"paths": [str(missing)], "bundled": False})
    result = await start(client, "visual-studio-code", tmp_path, options)
    assert await open_and_wait(client, result, tmp_path / "x.log", BODY_LINE) == []

    reloaded = await asyncio.wait_for(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="faultlore.reloadKnowledgeBase")
        ),
        TIMEOUT,
    )
    assert reloaded["signatures"] == 0
    shown = [m for m in client.messages if "missing.json" in m.message]
    assert len(shown) == 1 and shown[0].type == types.MessageType.Error


async def test_knowledge_base_file_diagnostics(client, tmp_path):
    # A KB file in the editor: broken regex and a failing example, on their lines.
    records = [
        {"id": "test/bad-regex", "signature": "Bad", "regex": "(unclosed"},
        {
            "id": "test/bad-example",
            "signature": "Example mismatch",
            "regex": "disk is full",
            "examples": ["the disk is empty"],
        },
    ]
    text = json.dumps(records, indent=2)
    kb = tmp_path / "mine.json"
    result = await start(client, "visual-studio-code", tmp_path)
    found = await open_and_wait(client, result, kb, text, "json")

    lines = text.split("\n")
    by_message = {d.message.split(":")[0]: d for d in found}
    regex_problem = next(d for d in found if "does not compile" in d.message)
    assert '"regex"' in lines[regex_problem.range.start.line]
    example_problem = next(d for d in found if "example does not match" in d.message)
    assert "the disk is empty" in lines[example_problem.range.start.line]
    assert by_message and all(d.source == "faultlore" for d in found)


# -- which files, edge cases ----------------------------------------------------


@pytest.mark.parametrize("trusted", [True, False], ids=["trusted", "untrusted"])
async def test_workspace_kb_folder_only_when_trusted(client, tmp_path, trusted):
    record = {
        "id": "test/workspace-only",
        "signature": "A signature from the workspace",
        "regex": "WORKSPACE-ONLY-MARKER",
    }
    (tmp_path / ".faultlore").mkdir()
    (tmp_path / ".faultlore" / "extra.json").write_text(json.dumps([record]))
    result = await start(
        client, "visual-studio-code", tmp_path, settings(trustWorkspace=trusted)
    )
    found = await open_and_wait(
        client, result, tmp_path / "a.log", "x WORKSPACE-ONLY-MARKER"
    )

    assert [d.code for d in found] == (["test/workspace-only"] if trusted else [])


async def test_include_and_exclude_globs(client, tmp_path):
    options = settings(include=["*.txt"], exclude=["*/skipped/*"])
    (tmp_path / "skipped").mkdir()
    result = await start(client, "visual-studio-code", tmp_path, options)

    included = await open_and_wait(
        client, result, tmp_path / "notes.txt", BODY_LINE, "plaintext"
    )
    excluded = await open_and_wait(
        client, result, tmp_path / "skipped" / "a.log", BODY_LINE
    )
    unknown = await open_and_wait(
        client, result, tmp_path / "notes.md", BODY_LINE, "markdown"
    )

    assert [d.code for d in included] == ["web/test-nginx-body-too-large"]
    assert excluded == [] and unknown == []


async def test_crlf_document(client, tmp_path):
    # Line breaks are \r\n: lines and columns still right, fixes keep \r\n.
    conf = tmp_path / "nginx.conf"
    text = "http {\r\n    client_max_body_size 1m;\r\n}\r\n"
    result = await start(client, "visual-studio-code", tmp_path)
    (diagnostic,) = await open_and_wait(client, result, conf, text, "nginx")
    assert (diagnostic.range.start.line, diagnostic.range.start.character) == (1, 0)
    assert diagnostic.range.end == types.Position(line=1, character=28)

    actions = await actions_for(client, conf.as_uri(), [diagnostic])
    (inline,) = [a for a in actions if a.title.endswith(" here")]
    assert apply(text, edits_for(inline.edit, conf.as_uri())) == (
        "http {\r\n    # faultlore: ignore[web/test-nginx-config-small-body]\r\n"
        "    client_max_body_size 1m;\r\n}\r\n"
    )


async def test_non_file_uri(client, tmp_path):
    # An unsaved buffer: scanned by language id; no per-file ignore (no path).
    result = await start(client, "visual-studio-code", tmp_path)
    uri = "untitled:Untitled-1"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="log", version=1, text=BODY_LINE
            )
        )
    )
    found = await diagnostics_of(client, result, uri)
    assert [d.code for d in found] == ["web/test-nginx-body-too-large"]

    titles = [a.title for a in await actions_for(client, uri, found)]
    assert not any(t.endswith("in this file") for t in titles)
    assert any(t.endswith("in the workspace") for t in titles)


async def test_huge_line(client, tmp_path):
    prefix = "x" * 2_000_000 + " "
    result = await start(client, "visual-studio-code", tmp_path)
    (diagnostic,) = await open_and_wait(
        client, result, tmp_path / "big.log", prefix + BODY_LINE
    )
    assert diagnostic.range.start.character == len(prefix) + BODY_LINE.index("client")


async def test_multi_line_finding_spans_the_traceback(client, tmp_path):
    text = (
        "start\nTraceback (most recent call last):\n"
        '  File "app.py", line 1, in <module>\n'
        "ModuleNotFoundError: No module named 'pkg_resources'\nend"
    )
    result = await start(client, "visual-studio-code", tmp_path)
    (diagnostic,) = await open_and_wait(client, result, tmp_path / "app.log", text)
    assert diagnostic.range.start == types.Position(line=1, character=0)
    assert diagnostic.range.end.line == 3


async def test_long_scan_reports_progress(client, tmp_path):
    # Over a second of scanning (the bundled knowledge base on 250,000 lines).
    text = "\n".join(
        f"Dec  3 10:00:{n % 60:02d} host app[{n}]: request {n} handled in {n % 97} ms"
        for n in range(250_000)
    )
    options = {"knowledgeBase": {"bundled": True, "user": False}, "debounceMs": 0}
    result = await start(client, "visual-studio-code", tmp_path, options)
    await asyncio.wait_for(
        open_and_wait(client, result, tmp_path / "big.log", text), 60
    )

    reports = [
        r for token, r in client.progress_reports.items() if "scan" in str(token)
    ]
    assert reports, "no $/progress for a long scan"
    kinds = [type(value).__name__ for value in reports[0]]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"


async def test_pull_with_refresh_after_reload(client, tmp_path):
    # A client that pulls and refreshes gets pull by default, and a refresh request
    # when the knowledge base reloads.
    capabilities = client_capabilities("visual-studio-code")
    capabilities.text_document.diagnostic = types.DiagnosticClientCapabilities()
    capabilities.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(
        refresh_support=True
    )
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=tmp_path.as_uri(),
            initialization_options=settings(),
        )
    )
    assert result.capabilities.diagnostic_provider.workspace_diagnostics
    found = await open_and_wait(client, result, tmp_path / "a.log", BODY_LINE)
    assert [d.code for d in found] == ["web/test-nginx-body-too-large"]

    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="faultlore.reloadKnowledgeBase")
    )
    assert client.diagnostic_refresh_count == 1


async def test_server_log_reaches_the_client(client, tmp_path):
    # Lifecycle info is forwarded to window/logMessage (including what came before
    # `initialized`), and pygls' own records are not.
    result = await start(client, "visual-studio-code", tmp_path)
    await open_and_wait(client, result, tmp_path / "a.log", BODY_LINE)

    messages = [m.message for m in client.log_messages]
    assert any("knowledge base: 7 signatures" in m for m in messages), messages
    assert not any(m.startswith("pygls") for m in messages)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param({"web": "hint"}, types.DiagnosticSeverity.Hint, id="domain"),
        pytest.param(
            {"web": "hint", "limit_reached": "warning"},
            types.DiagnosticSeverity.Warning,
            id="category-beats-domain",
        ),
        pytest.param(
            {
                "limit_reached": "warning",
                "web/test-nginx-body-too-large": "information",
            },
            types.DiagnosticSeverity.Information,
            id="id-beats-category",
        ),
    ],
)
async def test_severity_override_precedence(client, tmp_path, overrides, expected):
    result = await start(
        client, "visual-studio-code", tmp_path, settings(severity=overrides)
    )
    (diagnostic,) = await open_and_wait(client, result, tmp_path / "a.log", BODY_LINE)
    assert diagnostic.severity == expected


async def test_ignored_finding_has_no_hover(client, tmp_path):
    conf = tmp_path / "nginx.conf"
    directive = "# faultlore: ignore[web/test-nginx-config-small-body]"
    text = f"http {{\n    client_max_body_size 1m;  {directive}\n}}\n"
    result = await start(client, "visual-studio-code", tmp_path)
    assert await open_and_wait(client, result, conf, text, "nginx") == []
    assert await hover_at(client, conf.as_uri(), 1, 8) is None


async def test_hand_edited_faultlore_toml_applies(client, tmp_path):
    log = tmp_path / "a.log"
    result = await start(client, "visual-studio-code", tmp_path)
    assert await open_and_wait(client, result, log, BODY_LINE)

    toml = tmp_path / ".faultlore.toml"
    toml.write_text('[ignore]\nsignatures = ["web/test-nginx-body-too-large"]\n')
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(uri=toml.as_uri(), type=types.FileChangeType.Created)
            ]
        )
    )
    assert await next_push(client, log.as_uri()) == []


@pytest.mark.corpus
async def test_corpus_log_fix_lands_in_the_sites_nginx_config(client, corpora):
    # The reports folder as the workspace: its only nginx config is a site file
    # (server blocks, no http block), so the directive goes to its top level.
    reports = corpora / "reports"
    log = reports / "04-nginx-413-openresty.log"
    conf = reports / "07-nginx-upstream-timed-out-puma.nginx.conf"
    result = await start(client, "visual-studio-code", reports)
    found = await open_and_wait(client, result, log)

    actions = await actions_for(client, log.as_uri(), found)
    (fix,) = [a for a in actions if a.is_preferred]
    assert fix.title.startswith(f"Fix in {conf.name}:")
    original = conf.read_text(encoding="utf-8")
    fixed = apply(original, edits_for(fix.edit, conf.as_uri()))
    assert fixed == "client_max_body_size 50m;\n\n" + original


async def test_empty_file(client, tmp_path):
    result = await start(client, "visual-studio-code", tmp_path)
    assert await open_and_wait(client, result, tmp_path / "empty.log", "") == []
    outline = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc((tmp_path / "empty.log").as_uri()))
    )
    assert not outline


async def test_bad_kb_entry_skips_only_that_record(client, tmp_path):
    # One record with a broken regex: the rest still load and fire; the log says why.
    kb = tmp_path / "kb.json"
    records = json.loads(KB.read_text())
    records.insert(0, {"id": "test/broken", "signature": "Broken", "regex": "(x"})
    kb.write_text(json.dumps(records))
    options = settings(
        knowledgeBase={"paths": [str(kb)], "bundled": False, "user": False}
    )
    result = await start(client, "visual-studio-code", tmp_path, options)
    found = await open_and_wait(client, result, tmp_path / "a.log", BODY_LINE)

    assert [d.code for d in found] == ["web/test-nginx-body-too-large"]
    assert any("test/broken" in m.message for m in client.log_messages)
