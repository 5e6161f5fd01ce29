"""VS Code (code-server in headless Chromium) with the packaged extension, end to end.

Runs ``editors/vscode/test/e2e.mjs``: a real nginx log gets its squiggle and Problems
count, the hover shows the root cause, and the quick fix adds ``client_max_body_size``
to the workspace's nginx.conf on disk. The screenshots it takes replace those in
``docs/images/`` when the test passes. ``editors/vscode/scripts/ci-setup.sh`` installs
Node 24, code-server and the extension's packages, and packages the ``.vsix``.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.conftest import ROOT, require_or_skip

pytestmark = [pytest.mark.editor, pytest.mark.corpus]

EXTENSION = ROOT / "editors" / "vscode"
TOOLS = EXTENSION / ".e2e"
VSIX = EXTENSION / "faultlore.vsix"
CODE_SERVER = TOOLS / "code-server" / "node_modules" / "code-server" / "out" / "node"
IMAGES = ROOT / "docs" / "images"
SETUP = "bash editors/vscode/scripts/ci-setup.sh"

NGINX_CONF = """\
events {}

http {
    server {
        listen 8070;
        location / {
            proxy_pass http://127.0.0.1:9000;
        }
    }
}
"""


WORKSPACE_RECORD = {
    "id": "local/openresty-version-banner",
    "signature": "The error page shows the OpenResty version (workspace record)",
    "regex": r"<center>openresty/\d+(?:\.\d+)+</center>",
    "severity": "information",
    "root_cause": "Error pages name the server version unless server_tokens is off.",
    "examples": ["<hr><center>openresty/1.9.15.1</center>"],
    "counter_examples": ["<hr><center>nginx</center>"],
}
"""A record of the workspace's own .faultlore/ folder, loaded only when trusted."""


def make_workspace(tmp_path: Path, corpora: Path, report: str) -> Path:
    """A folder with the real log, a small nginx.conf and a .faultlore/ record."""
    workspace = tmp_path / "workspace"
    (workspace / ".faultlore").mkdir(parents=True)
    shutil.copyfile(corpora / "reports" / report, workspace / report)
    (workspace / "nginx.conf").write_text(NGINX_CONF, encoding="utf-8")
    (workspace / ".faultlore" / "team.json").write_text(
        json.dumps(WORKSPACE_RECORD), encoding="utf-8"
    )
    return workspace


def _sources() -> list[Path]:
    """What the .vsix is built from: the extension and the server it bundles."""
    return [
        *(EXTENSION / "src").rglob("*.ts"),
        EXTENSION / "package.json",
        *(ROOT / "server" / "faultlore").rglob("*.py"),
        *(ROOT / "server" / "faultlore" / "kb").rglob("*.json"),
    ]


@pytest.fixture(scope="session")
def node24() -> Path:
    """Node 24 (code-server needs it) with the extension's packages installed."""
    node = TOOLS / "bin" / "node"
    ready = node.exists() and (EXTENSION / "node_modules" / "playwright-core").is_dir()
    require_or_skip(
        ready, f"Node 24 and the extension's packages are missing ({SETUP})"
    )
    return node


@pytest.fixture(scope="session")
def vsix(node24: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the packaged extension, rebuilt first when a source is newer."""
    TOOLS.mkdir(exist_ok=True)
    with (TOOLS / "package.lock").open("w") as lock:
        # Test sessions running side by side must not rebuild bundled/ under each other.
        fcntl.flock(lock, fcntl.LOCK_EX)
        newest = max(path.stat().st_mtime for path in _sources())
        if not VSIX.exists() or VSIX.stat().st_mtime < newest:
            path = f"{node24.parent}{os.pathsep}{os.environ['PATH']}"
            built = subprocess.run(
                [str(node24.parent / "npm"), "run", "package"],
                cwd=EXTENSION,
                env=dict(os.environ, PATH=path),
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert built.returncode == 0, built.stdout + built.stderr
        copy = tmp_path_factory.mktemp("vsix") / VSIX.name
        shutil.copyfile(VSIX, copy)
    return copy


@pytest.fixture(scope="session")
def code_server() -> Path:
    entry = CODE_SERVER / "entry.js"
    require_or_skip(entry.exists(), f"code-server 4.139 is not installed ({SETUP})")
    return entry


@pytest.fixture(scope="session")
def chromium() -> str:
    found = shutil.which("chromium")
    require_or_skip(found is not None, "no chromium (Debian: apt-get install chromium)")
    assert found is not None
    return found


def _root_cause(signature_id: str) -> str:
    """The first words of the record's root cause, as the hover card shows them."""
    domain = signature_id.split("/")[0]
    bundled = ROOT / "server" / "faultlore" / "kb" / "bundled" / f"{domain}.json"
    records = json.loads(bundled.read_text(encoding="utf-8"))
    record = next(r for r in records if r["id"] == signature_id)
    return " ".join(record["root_cause"].split()[:8])


def _env_without_faultlore(tmp_path: Path) -> dict[str, str]:
    """os.environ without a faultlore on PATH (the bundled one must run); own HOME."""
    path = [
        folder
        for folder in os.environ.get("PATH", "").split(os.pathsep)
        if folder and not (Path(folder) / "faultlore").exists()
    ]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("XDG_", "VIRTUAL_ENV", "PYTHON", "VSCODE_"))
    }
    home = tmp_path / "home"
    home.mkdir()
    env.update(PATH=os.pathsep.join(path), HOME=str(home))
    return env


def run_e2e(
    tools: tuple[Path, Path, Path, str],
    workspace: Path,
    tmp_path: Path,
    **settings: str,
) -> str:
    """Run test/e2e.mjs on *workspace*; return its output, failing when it fails."""
    node24, vsix, code_server, chromium = tools
    env = _env_without_faultlore(tmp_path)
    env.update(
        E2E_VSIX=str(vsix),
        E2E_WORKSPACE=str(workspace),
        E2E_NODE=str(node24),
        E2E_CODE_SERVER=str(code_server),
        E2E_CHROMIUM=chromium,
        E2E_SCREENSHOTS=str(tmp_path / "screenshots"),
        E2E_TMP=str(tmp_path),
        E2E_TIMEOUT_MS="90000",
        **settings,
    )

    result = subprocess.run(
        [str(node24), "test/e2e.mjs"],
        cwd=EXTENSION,
        env=env,
        capture_output=True,
        text=True,
        timeout=420,
        stdin=subprocess.DEVNULL,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def keep_screenshots(tmp_path: Path) -> None:
    """Replace the documentation's screenshots with the ones this run took."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    for shot in sorted((tmp_path / "screenshots").glob("*.png")):
        shutil.copyfile(shot, IMAGES / shot.name)


@pytest.fixture
def tools(
    node24: Path, vsix: Path, code_server: Path, chromium: str
) -> tuple[Path, Path, Path, str]:
    return node24, vsix, code_server, chromium


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
def test_vscode_diagnoses_hovers_and_fixes(
    tools: tuple[Path, Path, Path, str],
    corpora: Path,
    tmp_path: Path,
    report: str,
    expect: str,
) -> None:
    workspace = make_workspace(tmp_path, corpora, report)

    output = run_e2e(
        tools,
        workspace,
        tmp_path,
        E2E_LOG=report,
        E2E_EXPECT_ID=expect,
        E2E_WORKSPACE_ID=WORKSPACE_RECORD["id"],
        E2E_EXPECT_HOVER=_root_cause(expect),
    )

    assert "client_max_body_size" in (workspace / "nginx.conf").read_text("utf-8")
    assert "-m faultlore lsp" in output, "the bundled server did not run:\n" + output
    keep_screenshots(tmp_path)


def test_vscode_without_python_says_what_to_install(
    tools: tuple[Path, Path, Path, str], corpora: Path, tmp_path: Path
) -> None:
    report = "04-nginx-413-openresty.log"
    workspace = make_workspace(tmp_path, corpora, report)

    output = run_e2e(
        tools,
        workspace,
        tmp_path,
        E2E_LOG=report,
        E2E_SCENARIO="no-python",
    )

    assert "no Python" in output
    keep_screenshots(tmp_path)


def test_vscode_untrusted_workspace_leaves_its_records_out(
    tools: tuple[Path, Path, Path, str], corpora: Path, tmp_path: Path
) -> None:
    report = "04-nginx-413-openresty.log"
    workspace = make_workspace(tmp_path, corpora, report)

    run_e2e(
        tools,
        workspace,
        tmp_path,
        E2E_LOG=report,
        E2E_EXPECT_ID="web/nginx-client-body-too-large",
        E2E_WORKSPACE_ID=WORKSPACE_RECORD["id"],
        E2E_SCENARIO="untrusted",
    )

    keep_screenshots(tmp_path)
