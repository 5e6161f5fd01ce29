"""What every real-editor test needs: faultlore on PATH, and a home of its own."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest


def faultlore_bin() -> Path:
    """The folder holding the `faultlore` executable of this environment."""
    beside = Path(sys.executable).parent / "faultlore"
    if beside.exists():
        return beside.parent
    found = shutil.which("faultlore")
    if found is None:
        pytest.fail("the faultlore executable is not installed (pip install -e .)")
    return Path(found).parent


def isolated_env(tmp_path: Path, drop: tuple[str, ...] = ()) -> dict[str, str]:
    """os.environ with faultlore first on PATH and HOME and XDG folders in tmp_path.

    The user knowledge-base folder ($XDG_CONFIG_HOME/faultlore/kb) is then empty, so
    only the bundled knowledge base (and what a test adds) is loaded.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("XDG_", *drop))
    }
    env["PATH"] = f"{faultlore_bin()}{os.pathsep}{env.get('PATH', '')}"
    home = tmp_path / "home"
    env["HOME"] = str(home)
    for name in ("CONFIG", "DATA", "STATE", "CACHE"):
        folder = home / f".{name.lower()}"
        folder.mkdir(parents=True)
        env[f"XDG_{name}_HOME"] = str(folder)
    return env
