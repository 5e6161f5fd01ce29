"""A real Neovim 0.11 with `vim.lsp.enable('faultlore')` on a real log.

The log is copied from the shared corpora into a temporary workspace (a folder with
`.git`, so it is the workspace root) beside a minimal nginx.conf; Neovim shows the
diagnostic, the hover card, and applies a code action.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from faultlore.kb import default_sources, load_knowledge_base

pytestmark = [pytest.mark.editor, pytest.mark.corpus]

SIGNATURE = "web/nginx-client-body-too-large"
REPORT = "04-nginx-413-openresty.log"
BODY_LINE = "client intended to send too large body"

NGINX_CONF = """\
events {}

http {
    server {
        listen 8070;
        server_name localhost;

        location /test {
            proxy_pass http://127.0.0.1:8080;
        }
    }
}
"""


@pytest.fixture(scope="module")
def signature():
    """The bundled record the corpus log must hit."""
    kb = load_knowledge_base(default_sources(user=False))
    found = kb.get(SIGNATURE)
    assert found is not None, f"{SIGNATURE} is not in the bundled knowledge base"
    return found


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A project folder: `.git` marks its root, nginx.conf is the config to fix."""
    root = tmp_path / "workspace"
    (root / ".git").mkdir(parents=True)
    (root / "nginx.conf").write_text(NGINX_CONF)
    return root


def first_words(text: str, count: int = 8) -> str:
    return " ".join(text.split()[:count])


def write_spec(tmp_path: Path, **spec: str) -> str:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    return str(path)


def run_flow(run_lua, tmp_path: Path, **spec: str) -> str:
    result = run_lua("lsp_flow.lua", write_spec(tmp_path, **spec))
    return result.stdout


def test_corpus_log_fix_goes_into_nginx_conf(
    run_lua, corpora: Path, workspace: Path, tmp_path: Path, signature
) -> None:
    log = workspace / REPORT
    shutil.copyfile(corpora / "reports" / REPORT, log)
    fix = next(w for w in signature.workarounds() if w.snippet and w.snippet.text)

    out = run_flow(
        run_lua,
        tmp_path,
        log=str(log),
        signature=SIGNATURE,
        match=BODY_LINE,
        root_cause=first_words(signature.record["root_cause"]),
        action=f"Fix in nginx.conf: {fix.action}",
        edited=str(workspace / "nginx.conf"),
        contains=f"    {fix.snippet.text}",
    )

    assert f"[{SIGNATURE}]" in out
    conf = (workspace / "nginx.conf").read_text().splitlines()
    http = conf.index("http {")
    assert conf[http + 1].strip() == fix.snippet.text
    assert log.read_bytes() == (corpora / "reports" / REPORT).read_bytes()


def test_corpus_log_gets_a_note(
    run_lua, corpora: Path, workspace: Path, tmp_path: Path, signature
) -> None:
    log = workspace / REPORT
    shutil.copyfile(corpora / "reports" / REPORT, log)
    first = signature.workarounds()[0]

    run_flow(
        run_lua,
        tmp_path,
        log=str(log),
        signature=SIGNATURE,
        match=BODY_LINE,
        root_cause=first_words(signature.record["root_cause"]),
        action=f"Add a note: {first.action}",
        edited=str(log),
        contains=f"[faultlore] {SIGNATURE}: {first.action}",
    )

    lines = log.read_text().splitlines()
    assert lines[0].startswith("2016/08/24 21:35:05 [error]")
    assert lines[1].startswith(f"[faultlore] {SIGNATURE}: {first.action}")
    assert (workspace / "nginx.conf").read_text() == NGINX_CONF


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_unicode_columns(
    run_lua, corpora: Path, workspace: Path, tmp_path: Path, signature, encoding: str
) -> None:
    # Accented and astral-plane text before the match: the range must still cover
    # exactly the matched text in each position encoding the client may offer.
    original = (corpora / "reports" / REPORT).read_text().splitlines()[0]
    log = workspace / "unicode.log"
    log.write_text(original.replace("*2 ", "*2 naïve café 🙂𝄞 ", 1) + "\n")
    first = signature.workarounds()[0]

    out = run_flow(
        run_lua,
        tmp_path,
        log=str(log),
        signature=SIGNATURE,
        match=BODY_LINE,
        root_cause=first_words(signature.record["root_cause"]),
        action=f"Add a note: {first.action}",
        edited=str(log),
        contains=f"[faultlore] {SIGNATURE}: {first.action}",
        encoding=encoding,
    )

    assert f"position encoding {encoding}" in out
    assert log.read_text().splitlines()[1].startswith("[faultlore] ")


@pytest.mark.parametrize("path", ["0.11", "legacy"])
def test_setup_after_startup_applies_settings(
    run_lua, corpora: Path, workspace: Path, path: str
) -> None:
    # lazy.nvim's `config`: the plugin joins 'runtimepath' after start-up, so
    # setup() must register the filetype rules itself; `legacy` takes the path
    # Neovim 0.10 would (vim.lsp.start on FileType instead of vim.lsp.enable).
    log = workspace / REPORT
    shutil.copyfile(corpora / "reports" / REPORT, log)

    out = run_lua("setup_flow.lua", str(log), SIGNATURE, path, on_rtp=False).stdout

    assert f"diagnostic: {SIGNATURE} as a hint" in out
