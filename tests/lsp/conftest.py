"""Fixtures for the language-server tests: a server over stdio per client profile."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

DATA = Path(__file__).resolve().parent.parent / "data" / "lsp"
KB = DATA / "kb.json"
TIMEOUT = 15.0

CLIENTS = ["visual-studio-code", "neovim"]


def settings(**overrides: Any) -> dict[str, Any]:
    """Test settings: only the small test knowledge base, no debounce."""
    base: dict[str, Any] = {
        "knowledgeBase": {"paths": [str(KB)], "bundled": False, "user": False},
        "debounceMs": 0,
    }
    base.update(overrides)
    return base


async def start(
    client: LanguageClient,
    profile: str,
    root: Path,
    options: dict[str, Any] | None = None,
    locale: str | None = None,
) -> types.InitializeResult:
    """Initialize the server as the recorded client *profile* would."""
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(profile),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
            initialization_options=settings() if options is None else options,
            locale=locale,
        )
    )


def pulls(client: LanguageClient, result: types.InitializeResult) -> bool:
    return result.capabilities.diagnostic_provider is not None


async def open_and_wait(
    client: LanguageClient,
    result: types.InitializeResult,
    path: Path,
    text: str | None = None,
    language_id: str = "log",
) -> list[types.Diagnostic]:
    """Open *path* and return its diagnostics, pushed or pulled."""
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri,
                language_id=language_id,
                version=1,
                text=path.read_text(encoding="utf-8") if text is None else text,
            )
        )
    )
    return await diagnostics_of(client, result, uri)


async def diagnostics_of(
    client: LanguageClient, result: types.InitializeResult, uri: str
) -> list[types.Diagnostic]:
    """The current diagnostics of *uri*: pulled, or the next push for it."""
    if pulls(client, result):
        report = await asyncio.wait_for(
            client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(
                    text_document=types.TextDocumentIdentifier(uri=uri)
                )
            ),
            TIMEOUT,
        )
        return list(report.items)
    return await next_push(client, uri)


async def next_push(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    """Wait for a ``publishDiagnostics`` for *uri* (a timeout fails the test)."""

    async def wait() -> list[types.Diagnostic]:
        while True:
            if uri in client.diagnostics:
                return list(client.diagnostics.pop(uri))
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(wait(), TIMEOUT)


def _command_or_action(converter):
    def structure(data: Any, _type: Any) -> types.Command | types.CodeAction:
        if isinstance(data.get("command"), str):
            return converter.structure(data, types.Command)
        return converter.structure(data, types.CodeAction)

    return structure


SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "faultlore", "lsp"])


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient):
    """A started server; each test initializes it with its own client profile."""
    lsp_client.registrations = []
    lsp_client.registered = asyncio.Event()

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(ls: LanguageClient, params: types.RegistrationParams) -> None:
        ls.registrations.extend(params.registrations)
        ls.registered.set()

    @lsp_client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(
        ls: LanguageClient, params: types.ApplyWorkspaceEditParams
    ) -> types.ApplyWorkspaceEditResult:
        ls.applied_edits.append(params.edit)
        return types.ApplyWorkspaceEditResult(applied=True)

    lsp_client.applied_edits = []
    # HACK: lsprotocol's client-side hook turns every code action that carries a
    # command into a bare Command; real clients read the JSON and are not affected.
    converter = lsp_client.protocol._converter
    converter.register_structure_hook(
        types.Command | types.CodeAction, _command_or_action(converter)
    )
    yield
    await lsp_client.shutdown_session()
