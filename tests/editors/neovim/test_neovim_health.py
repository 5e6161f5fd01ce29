"""`:checkhealth faultlore` in a real Neovim: server found, version, signatures."""

from __future__ import annotations

import json
import re
from pathlib import Path

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


def test_checkhealth_counts_the_configured_knowledge_base(
    run_lua, corpora: Path, tmp_path: Path
) -> None:
    # The count follows knowledgeBase.paths and knowledgeBase.bundled, as the
    # server does: only the one seed record here.
    seed = corpora.parent / "kb-format" / "seed-example.json"
    settings = tmp_path / "settings.json"
    settings.write_text(
        json.dumps({"knowledgeBase": {"paths": [str(seed)], "bundled": False}})
    )

    result = run_lua("health.lua", str(settings))

    assert "knowledge base loaded: 1 signature\n" in result.stdout
