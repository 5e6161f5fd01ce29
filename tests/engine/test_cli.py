"""The faultlore command: formats, exit statuses, explain and kb subcommands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from tests.conftest import DATA

from faultlore.cli import main

SMALL = str(DATA / "kb" / "small.json")
NGINX_ERROR = (
    "2024/01/02 10:11:12 [error] 7#7: *1 client intended to send too large body: "
    '1048577 bytes, client: 192.0.2.1, server: _, request: "POST /upload HTTP/1.1"\n'
)


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    (tmp_path / "error.log").write_text("ok\n" + NGINX_ERROR)
    (tmp_path / "clean.log").write_text("nothing to see\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "sshd_config").write_text(
        "Port 22\nUsePrivilegeSeparation yes\n"
    )
    (tmp_path / "sub" / "picture.png").write_bytes(b"\x89PNG\x00\x00binary")
    return tmp_path


def test_text_format_is_one_finding_a_line(logs: Path) -> None:
    result = run("check", "--no-bundled", "--kb", SMALL, str(logs / "error.log"))

    assert result.exit_code == 1
    column = NGINX_ERROR.index("client intended") + 1
    assert result.stdout == (
        f"{logs / 'error.log'}:2:{column}: error: nginx rejected a request body larger "
        "than client_max_body_size [test/nginx-body-too-large]\n"
    )


def test_folder_recursion_uses_file_kinds_and_skips_binaries(logs: Path) -> None:
    result = run("check", "--no-bundled", "--kb", SMALL, "--format", "json", str(logs))

    found = json.loads(result.stdout)
    assert result.exit_code == 1
    assert sorted((Path(f["path"]).name, f["id"]) for f in found) == [
        ("error.log", "test/nginx-body-too-large"),
        ("sshd_config", "test/sshd-use-privilege-separation"),
    ]


def test_json_format_fields_are_one_based(logs: Path) -> None:
    result = run(
        "check",
        "--no-bundled",
        "--kb",
        SMALL,
        "--format",
        "json",
        str(logs / "error.log"),
    )

    [finding] = json.loads(result.stdout)
    start = NGINX_ERROR.index("client intended")
    assert finding["line"] == finding["end_line"] == 2
    assert finding["column"] == start + 1
    assert finding["end_column"] == NGINX_ERROR.index(", client:") + 1
    assert finding["severity"] == "error"
    assert finding["id"] == "test/nginx-body-too-large"
    assert finding["message"].startswith("nginx rejected")


def test_sarif_output_is_valid_sarif_2_1_0(logs: Path) -> None:
    result = run("check", "--no-bundled", "--kb", SMALL, "--format", "sarif", str(logs))

    sarif = json.loads(result.stdout)
    jsonschema.Draft7Validator(
        json.loads((DATA / "sarif-2.1.0-subset.schema.json").read_text())
    ).validate(sarif)
    run_ = sarif["runs"][0]
    rules = {rule["id"]: rule for rule in run_["tool"]["driver"]["rules"]}
    assert set(rules) == {
        "test/nginx-body-too-large",
        "test/sshd-use-privilege-separation",
    }
    assert rules["test/nginx-body-too-large"]["helpUri"].startswith(
        "https://nginx.org/"
    )
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in run_["results"]
    }
    assert any(uri.endswith("error.log") for uri in uris)
    for result_ in run_["results"]:
        assert (
            run_["tool"]["driver"]["rules"][result_["ruleIndex"]]["id"]
            == result_["ruleId"]
        )


def test_stdin_is_scanned() -> None:
    result = run("check", "--no-bundled", "--kb", SMALL, "-", stdin=NGINX_ERROR)

    assert result.exit_code == 1
    assert result.stdout.startswith("-:1:")


def test_nothing_found_exits_zero(logs: Path) -> None:
    result = run("check", "--no-bundled", "--kb", SMALL, str(logs / "clean.log"))

    assert (result.exit_code, result.stdout) == (0, "")


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["check"], id="no-path"),
        pytest.param(["check", "--format", "xml", "x.log"], id="bad-format"),
        pytest.param(["check", "/definitely/not/here.log"], id="missing-file"),
    ],
)
def test_usage_and_input_errors_exit_two(args: list[str]) -> None:
    result = run(*args)

    assert result.exit_code == 2


def test_binary_file_named_explicitly_is_an_error(logs: Path) -> None:
    result = run(
        "check", "--no-bundled", "--kb", SMALL, str(logs / "sub" / "picture.png")
    )

    assert result.exit_code == 2
    assert "picture.png: binary data" in result.stderr


def test_broken_kb_is_reported_and_the_rest_still_works(logs: Path) -> None:
    result = run(
        "check",
        "--no-bundled",
        "--kb",
        str(DATA / "kb" / "bad-regex.json"),
        "--kb",
        SMALL,
        str(logs / "error.log"),
    )

    assert (
        "bad-regex.json:2: record test/unbalanced: at /regex: regex does not compile"
        in result.stderr
    )
    assert "test/nginx-body-too-large" in result.stdout
    assert result.exit_code == 2


def test_explain_prints_the_card() -> None:
    result = run("explain", "--no-bundled", "--kb", SMALL, "test/nginx-body-too-large")

    assert result.exit_code == 0
    assert "client_max_body_size" in result.stdout
    assert "Raise client_max_body_size" in result.stdout
    assert result.stdout.index("Raise client_max_body_size") < result.stdout.index(
        "Log the size"
    )
    assert "Restart the client" in result.stdout and "90%" in result.stdout


def test_explain_unknown_id_suggests_close_ones() -> None:
    result = run("explain", "--no-bundled", "--kb", SMALL, "nginx")

    assert result.exit_code == 2
    assert "test/nginx-body-too-large" in result.stderr


def test_kb_list_prints_id_domain_category_title() -> None:
    result = run("kb", "list", "--no-bundled", "--kb", SMALL)

    lines = result.stdout.splitlines()
    assert len(lines) == 6
    assert lines[0].split("\t")[:3] == [
        "test/nginx-body-too-large",
        "web",
        "limit_reached",
    ]


def test_kb_validate_passes_good_and_fails_bad() -> None:
    good = run("kb", "validate", SMALL)
    bad = run("kb", "validate", str(DATA / "kb" / "catastrophic.json"))

    assert good.exit_code == 0, good.stderr
    assert bad.exit_code == 1
    assert "catastrophic backtracking" in bad.stderr


def test_kb_validate_reports_failing_examples(tmp_path: Path) -> None:
    path = tmp_path / "kb.json"
    record = {
        "id": "t/ex",
        "signature": "s",
        "regex": "exact words",
        "examples": ["other words"],
        "counter_examples": ["exact words here"],
    }
    path.write_text(json.dumps([record]))

    result = run("kb", "validate", str(path))

    assert result.exit_code == 1
    assert "example does not match: 'other words'" in result.stderr
    assert "counter-example matches: 'exact words here'" in result.stderr


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "faultlore", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )

    assert done.stdout.startswith("faultlore, version ")


def test_user_and_workspace_folders_are_sources_in_order(
    tmp_path: Path, monkeypatch
) -> None:
    user_kb = tmp_path / "config" / "faultlore" / "kb"
    user_kb.mkdir(parents=True)
    (user_kb / "mine.json").write_text(
        json.dumps(
            {"id": "u/widget", "signature": "user title", "regex": "widget exploded"}
        )
    )
    workspace = tmp_path / "project"
    (workspace / ".faultlore").mkdir(parents=True)
    (workspace / ".faultlore" / "team.json").write_text(
        json.dumps(
            {
                "id": "u/widget",
                "signature": "workspace title",
                "regex": "widget exploded",
            }
        )
    )
    (workspace / "app.log").write_text("the widget exploded\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(workspace)

    result = run("check", "--no-bundled", "app.log")

    assert "workspace title [u/widget]" in result.stdout


def test_error_in_a_folder_named_binary_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "binary-builds"
    folder.mkdir()
    (folder / "app.log").write_text("ok\n")

    def unreadable(path: Path, **_options):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("faultlore.scan.read_chunks", unreadable)
    result = run("check", "--no-bundled", "--kb", SMALL, str(folder))

    assert result.exit_code == 2
    assert f"{folder / 'app.log'}: cannot read: Permission denied" in result.stderr


def test_square_brackets_in_paths_and_notes_are_printed_as_is(tmp_path: Path) -> None:
    missing = tmp_path / "[/old]" / "[bold]app.log"

    result = run("check", "--no-bundled", "--kb", SMALL, str(missing))

    assert result.exit_code == 2
    assert f"{missing}: no such file or folder" in result.stderr


def test_faultlore_toml_and_inline_comments_silence_findings(
    logs: Path, monkeypatch
) -> None:
    (logs / ".faultlore.toml").write_text(
        "[ignore]\nsignatures = []\n\n[ignore.files]\n"
        '"error.log" = ["test/nginx-body-too-large"]\n'
    )
    (logs / "sub" / "sshd_config").write_text(
        "Port 22\n# faultlore: ignore[test/sshd-use-privilege-separation]\n"
        "UsePrivilegeSeparation yes\n"
    )
    monkeypatch.chdir(logs)

    result = run("check", "--no-bundled", "--kb", SMALL, "error.log", "sub")

    assert (result.exit_code, result.stdout) == (0, "")
    assert "0 findings in 0 of 2 files" in result.stderr


def test_min_severity_leaves_out_milder_findings(logs: Path) -> None:
    result = run(
        "check",
        "--no-bundled",
        "--kb",
        SMALL,
        "--min-severity",
        "error",
        str(logs / "sub"),
    )

    # The sshd finding is a deprecation (a warning): below the threshold.
    assert (result.exit_code, result.stdout) == (0, "")


def test_stdin_kind_comes_from_the_content() -> None:
    config = "Port 22\nUsePrivilegeSeparation yes\n"
    nginx = "http {\n    server {\n        listen 80;\n    }\n}\n"

    assert run("check", "--no-bundled", "--kb", SMALL, "-", stdin=config).exit_code == 0
    assert (
        run(
            "check", "--no-bundled", "--kb", SMALL, "--kind", "sshd", "-", stdin=config
        ).exit_code
        == 1
    )
    assert run("check", "--no-bundled", "--kb", SMALL, "-", stdin=nginx).exit_code == 0


def test_card_keeps_code_spans_and_escapes_everything_else() -> None:
    from faultlore.card import escape_markdown

    text = "Set `client_max_body_size 50m;` in <http> [x](command:evil) a_b"

    assert escape_markdown(text) == (
        "Set `client_max_body_size 50m;` in &lt;http&gt; "
        "\\[x\\]\\(command:evil\\) a\\_b"
    )


def test_gzipped_rotated_logs_are_read_and_utf16_is_named(tmp_path: Path) -> None:
    import gzip

    with gzip.open(tmp_path / "error.log.2.gz", "wt") as stream:
        stream.write("ok\n" + NGINX_ERROR)
    (tmp_path / "wide.log").write_bytes(NGINX_ERROR.encode("utf-16"))

    result = run("check", "--no-bundled", "--kb", SMALL, str(tmp_path))

    assert "error.log.2.gz:2:" in result.stdout
    assert "wide.log: UTF-16 text" in result.stderr
    assert result.exit_code == 2
