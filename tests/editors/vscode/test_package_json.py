"""The VS Code extension's manifest agrees with the server it carries."""

from __future__ import annotations

import json
import re

import pytest
from tests.conftest import ROOT

from faultlore.lsp import settings
from faultlore.lsp.settings import SECTION, default_settings

MANIFEST = ROOT / "editors" / "vscode" / "package.json"
CODE_SERVER_VSCODE = (1, 139, 1)
"""The VS Code inside code-server 4.139.1, which the end-to-end test runs."""

CLIENT_ONLY = {"server.path", "server.python", "trace.server"}
"""Settings the extension reads itself and does not pass to the server."""


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def _properties(manifest: dict) -> dict[str, dict]:
    prefix = f"{SECTION}."
    properties = manifest["contributes"]["configuration"]["properties"]
    return {key.removeprefix(prefix): value for key, value in properties.items()}


def _version(spec: str) -> tuple[int, ...]:
    found = re.fullmatch(r"[~^]?(\d+)\.(\d+)\.(\d+)", spec)
    assert found is not None, spec
    return tuple(int(part) for part in found.groups())


def test_setting_defaults_equal_the_server_defaults(manifest: dict) -> None:
    contributed = {
        key: value["default"]
        for key, value in _properties(manifest).items()
        if key not in CLIENT_ONLY
    }

    assert contributed == default_settings(flat=True)


def test_enum_settings_offer_what_the_server_accepts(manifest: dict) -> None:
    properties = _properties(manifest)

    assert properties["locale"]["enum"] == list(settings.LOCALES)
    assert properties["diagnosticMode"]["enum"] == list(settings.DIAGNOSTIC_MODES)
    severity = properties["severity"]["additionalProperties"]["enum"]
    assert severity == list(settings.SEVERITY_VALUES)


def test_engine_is_no_newer_than_the_tested_vscode(manifest: dict) -> None:
    engine = _version(manifest["engines"]["vscode"])
    types = _version(manifest["devDependencies"]["@types/vscode"])

    assert engine <= CODE_SERVER_VSCODE
    # vsce refuses to package when the API types are newer than the engine.
    assert types <= engine


def test_untrusted_workspaces_restrict_what_runs_code(manifest: dict) -> None:
    untrusted = manifest["capabilities"]["untrustedWorkspaces"]

    assert untrusted["supported"] == "limited"
    assert {"faultlore.server.path", "faultlore.server.python"} <= set(
        untrusted["restrictedConfigurations"]
    )


def test_commands_are_contributed(manifest: dict) -> None:
    commands = {c["command"] for c in manifest["contributes"]["commands"]}

    assert commands == {"faultlore.restart", "faultlore.reload", "faultlore.showOutput"}
