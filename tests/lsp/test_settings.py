"""Unit tests of the settings model: defaults on the wire, bad values, merging."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faultlore.lsp.settings import Settings, default_settings, merge, parse_settings


def test_defaults_are_camel_case_and_complete():
    defaults = default_settings()
    assert defaults["knowledgeBase"] == {"paths": [], "bundled": True, "user": True}
    assert defaults["maxDiagnosticsPerDocument"] == 500
    assert defaults["foldIdentical"] is True
    assert defaults["debounceMs"] == 300
    assert defaults["trustWorkspace"] is True
    assert set(default_settings(flat=True)) >= {
        "knowledgeBase.paths",
        "knowledgeBase.bundled",
        "include",
        "exclude",
        "severity",
        "locale",
    }


def test_defaults_round_trip():
    settings, problems = parse_settings(default_settings())
    assert settings == Settings() and problems == []


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        pytest.param({"debounceMs": -5}, "debounceMs", id="negative-number"),
        pytest.param({"debounceMs": "300"}, "debounceMs", id="string-for-number"),
        pytest.param({"foldIdentical": "yes"}, "foldIdentical", id="string-for-bool"),
        pytest.param({"locale": "fr"}, "locale", id="unknown-locale"),
        pytest.param({"severity": {"web": "loud"}}, "severity", id="unknown-severity"),
        pytest.param({"exclude": "*.log"}, "exclude", id="string-for-list"),
        pytest.param(
            {"knowledgeBase": {"bundled": 0}}, "knowledgeBase.bundled", id="nested"
        ),
        pytest.param(
            {"maxDiagnosticsPerDocument": 0}, "maxDiagnosticsPerDocument", id="zero-cap"
        ),
        # An empty path would load the whole workspace folder as a knowledge base.
        pytest.param(
            {"knowledgeBase": {"paths": [""]}}, "knowledgeBase.paths", id="empty-path"
        ),
    ],
)
def test_bad_value_gets_default_and_one_message(raw, key):
    settings, problems = parse_settings(
        {**raw, "foldIdentical": False} if key != "foldIdentical" else raw
    )
    assert len(problems) == 1 and problems[0].startswith(f"{key}:")
    assert "using the default" in problems[0]
    if key != "foldIdentical":
        assert settings.fold_identical is False  # the good values still apply


def test_unknown_keys_are_ignored():
    settings, problems = parse_settings({"colour": "red", "debounceMs": 10})
    assert settings.debounce_ms == 10 and problems == []


def test_merge_is_deep_and_skips_none():
    merged = merge(
        {"knowledgeBase": {"paths": ["a"], "bundled": False}},
        {"knowledgeBase": {"bundled": True}, "locale": None},
    )
    assert merged == {"knowledgeBase": {"paths": ["a"], "bundled": True}}


def test_settings_table_lists_every_default():
    # docs/settings.md is the user's reference: every key with its real default.
    table = (Path(__file__).resolve().parents[2] / "docs" / "settings.md").read_text()
    for key, default in default_settings(flat=True).items():
        row = next(
            (line for line in table.splitlines() if line.startswith(f"| `{key}` |")),
            None,
        )
        assert row is not None, key
        assert f"`{json.dumps(default)}`" in row, (key, default)
