"""Emacs with Eglot, headless: a real log gets faultlore's diagnostics in Flymake."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from tests.conftest import ROOT, require_or_skip
from tests.editors.editor_env import isolated_env

pytestmark = [pytest.mark.editor, pytest.mark.corpus]

SCRIPT = Path(__file__).resolve().parent / "eglot_diagnostics.el"
SNIPPET = ROOT / "editors" / "other" / "faultlore-eglot.el"


def _has_eglot(emacs: str) -> bool:
    try:
        loaded = subprocess.run(
            [emacs, "--batch", "--eval", "(require 'eglot)"],
            capture_output=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return loaded.returncode == 0


@pytest.fixture(scope="session")
def emacs() -> str:
    """Path to an Emacs that can load Eglot; skips when there is none."""
    found = shutil.which("emacs")
    require_or_skip(
        found is not None and _has_eglot(found),
        "no Emacs with Eglot (Debian: apt-get install emacs-nox elpa-eglot)",
    )
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("report", "expect"),
    [
        pytest.param(
            "04-nginx-413-openresty.log",
            "web/nginx-client-body-too-large",
            id="nginx-413",
        ),
    ],
)
def test_eglot_shows_faultlore_diagnostics(
    emacs: str, corpora: Path, tmp_path: Path, report: str, expect: str
) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    log = workspace / report
    shutil.copyfile(corpora / "reports" / report, log)
    env = isolated_env(tmp_path, drop=("EMACS",))
    env.update(
        FAULTLORE_SNIPPET=str(SNIPPET),
        FAULTLORE_LOG=str(log),
        FAULTLORE_EXPECT=expect,
        FAULTLORE_TIMEOUT="60",
    )

    result = subprocess.run(
        [emacs, "--batch", "-l", str(SCRIPT)],
        env=env,
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert f"OK: line 1: faultlore [{expect}]" in output
