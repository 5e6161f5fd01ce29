"""Shared fixtures: the real corpora (read in place) and editor requirements."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def corpora_root() -> Path | None:
    """The shared corpora: $FAULTLORE_CORPORA, else ../shared/corpora beside us."""
    configured = os.environ.get("FAULTLORE_CORPORA")
    candidates = [Path(configured)] if configured else []
    candidates.append(ROOT.parent / "shared" / "corpora")
    for candidate in candidates:
        if (candidate / "reports" / "INDEX.md").is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def corpora() -> Path:
    """Path to the shared corpora; skips (saying why) in a clone without them."""
    root = corpora_root()
    if root is None:
        pytest.skip(
            "the shared corpora are not here (expected ../shared/corpora beside the "
            "checkout, or set FAULTLORE_CORPORA); these tests read real logs in place"
        )
    return root


def require_or_skip(available: bool, why: str) -> None:
    """Skip when a real editor is missing, unless CI demands every editor test runs."""
    if available:
        return
    if os.environ.get("FAULTLORE_REQUIRE_EDITORS") == "1":
        pytest.fail(f"FAULTLORE_REQUIRE_EDITORS=1 but {why}")
    pytest.skip(why)
