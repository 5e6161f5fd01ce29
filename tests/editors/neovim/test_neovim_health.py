"""`:checkhealth faultlore` in a real Neovim: server found, version, signatures."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.editor


def test_checkhealth_reports_ok(run_lua) -> None:
    result = run_lua("health.lua")

    assert "ERROR" not in result.stdout
    found = re.search(r"knowledge base loaded: (\d+) signatures", result.stdout)
    assert found, result.stdout
    assert int(found[1]) > 0


def test_checkhealth_reports_a_missing_server(run_lua, nvim_env) -> None:
    nvim_env["PATH"] = "/nonexistent"
    result = run_lua("health_missing.lua")

    assert "`faultlore` not found" in result.stdout
