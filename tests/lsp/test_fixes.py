"""Unit tests of `faultlore.fixes`: where a workaround's snippet goes."""

from __future__ import annotations

import pytest

from faultlore.fixes import (
    Span,
    apply_edits,
    ignore_directive,
    inline_ignores,
    is_ignored,
    note_below,
    plan_snippet,
)
from faultlore.kb import Snippet
from faultlore.text import split_lines

NGINX = (
    "user nginx;\nevents {}\nhttp {\n    include mime.types;\n"
    "    server {\n        listen 80;\n    }\n}\n"
)


def run(snippet: Snippet, text: str, kind: str, match: Span | None = None) -> str:
    lines = split_lines(text)
    return apply_edits(lines, plan_snippet(snippet, lines, kind, match))


@pytest.mark.parametrize(
    ("snippet", "text", "kind", "match", "expected"),
    [
        # The directive goes first inside the http block, indented like its body.
        pytest.param(
            Snippet("client_max_body_size 50m;", "nginx", "block:http"),
            NGINX,
            "nginx",
            None,
            NGINX.replace("http {\n", "http {\n    client_max_body_size 50m;\n"),
            id="block-insert",
        ),
        # A directive the block already has is replaced, not duplicated.
        pytest.param(
            Snippet("client_max_body_size 50m;", "nginx", "block:http"),
            NGINX.replace("http {\n", "http {\n    client_max_body_size 1m;\n"),
            "nginx",
            None,
            NGINX.replace("http {\n", "http {\n    client_max_body_size 50m;\n"),
            id="block-replace-existing",
        ),
        # The nested server block is not the http block's top level.
        pytest.param(
            Snippet("listen 8080;", "nginx", "block:http"),
            NGINX,
            "nginx",
            None,
            NGINX.replace("http {\n", "http {\n    listen 8080;\n"),
            id="block-ignores-nested-keys",
        ),
        # A missing block is created at the end.
        pytest.param(
            Snippet("client_max_body_size 50m;", "nginx", "block:http"),
            "user nginx;\n",
            "nginx",
            None,
            "user nginx;\nhttp {\n    client_max_body_size 50m;\n}\n",
            id="block-created",
        ),
        pytest.param(
            Snippet("max_connections = 500", "mysql", "section:mysqld"),
            "[client]\nport = 3306\n[mysqld]\nuser = mysql\n",
            "mysql",
            None,
            "[client]\nport = 3306\n[mysqld]\nmax_connections = 500\nuser = mysql\n",
            id="section-insert",
        ),
        pytest.param(
            Snippet("max_connections = 500", "mysql", "section:mysqld"),
            "[mysqld]\nmax_connections = 100\n",
            "mysql",
            None,
            "[mysqld]\nmax_connections = 500\n",
            id="section-replace-existing",
        ),
        pytest.param(
            Snippet("max_connections = 500", "mysql", "section:mysqld"),
            "[client]\nport = 3306",
            "mysql",
            None,
            "[client]\nport = 3306\n[mysqld]\nmax_connections = 500",
            id="section-created-no-final-newline",
        ),
        pytest.param(
            Snippet("MaxAuthTries 10", "sshd", "end"),
            "Port 22\nMaxAuthTries 3\n",
            "sshd",
            None,
            "Port 22\nMaxAuthTries 10\n",
            id="end-replaces-same-key",
        ),
        pytest.param(
            Snippet("MaxAuthTries 10", "sshd", "end"),
            "Port 22\n",
            "sshd",
            None,
            "Port 22\nMaxAuthTries 10\n",
            id="end-appends",
        ),
        pytest.param(
            Snippet("PermitRootLogin no", None, "replace_match"),
            "PermitRootLogin yes # old\n",
            "sshd",
            Span(0, 0, 0, 19),
            "PermitRootLogin no # old\n",
            id="replace-match",
        ),
        pytest.param(
            Snippet("client_max_body_size 50m;", None, "replace_line"),
            "http {\n    client_max_body_size 1m;\n}",
            "nginx",
            Span(1, 4, 1, 28),
            "http {\n    client_max_body_size 50m;\n}",
            id="replace-line-keeps-indent",
        ),
        pytest.param(
            Snippet("# why", None, "before_line"),
            "a\n  b\n",
            "nginx",
            Span(1, 2, 1, 3),
            "a\n  # why\n  b\n",
            id="before-line",
        ),
        pytest.param(
            Snippet("c 1;\nd 2;", None, "after_line"),
            "a\n  b\n",
            "nginx",
            Span(1, 2, 1, 3),
            "a\n  b\n  c 1;\n  d 2;\n",
            id="after-line-multi-line-snippet",
        ),
        # Several settings at once: each replaces its own line or is added.
        pytest.param(
            Snippet("auth = yes\nmaps = hash:/etc/sasl", "postfix", "end"),
            "relayhost =\nauth = no\n",
            "postfix",
            None,
            "relayhost =\nauth = yes\nmaps = hash:/etc/sasl\n",
            id="end-multi-line-replaces-each-key",
        ),
        pytest.param(
            Snippet("max_connections = 500\nwait_timeout = 60", None, "section:mysqld"),
            "[mysqld]\nmax_connections = 100\n[client]\n",
            "mysql",
            None,
            "[mysqld]\nwait_timeout = 60\nmax_connections = 500\n[client]\n",
            id="section-multi-line-replaces-each-key",
        ),
        # pg_hba lines are rules, not settings: another host rule is kept.
        pytest.param(
            Snippet("host  all  all  192.0.2.0/24  scram-sha-256", "pg_hba", "end"),
            "local all postgres peer\nhost all all 127.0.0.1/32 md5\n",
            "pg_hba",
            None,
            "local all postgres peer\nhost all all 127.0.0.1/32 md5\n"
            "host  all  all  192.0.2.0/24  scram-sha-256\n",
            id="pg-hba-adds-a-rule",
        ),
        # ... and the rule for the same connections is replaced.
        pytest.param(
            Snippet("local   all    all    scram-sha-256", "pg_hba", "end"),
            "local all postgres peer\nlocal all all peer\n",
            "pg_hba",
            None,
            "local all postgres peer\nlocal   all    all    scram-sha-256\n",
            id="pg-hba-replaces-the-same-rule",
        ),
        # One limit per client class: the replica line is the one replaced.
        pytest.param(
            Snippet("client-output-buffer-limit replica 1gb 512mb 120", "redis", "end"),
            "client-output-buffer-limit normal 0 0 0\n"
            "client-output-buffer-limit replica 256mb 64mb 60\n",
            "redis",
            None,
            "client-output-buffer-limit normal 0 0 0\n"
            "client-output-buffer-limit replica 1gb 512mb 120\n",
            id="redis-key-with-class",
        ),
        # Carried over from a log (no match in this file): falls back to the end.
        pytest.param(
            Snippet("maxmemory 2gb", "redis", "after_line"),
            "port 6379\n",
            "redis",
            None,
            "port 6379\nmaxmemory 2gb\n",
            id="no-match-falls-back-to-end",
        ),
    ],
)
def test_plan_snippet(snippet, text, kind, match, expected):
    assert run(snippet, text, kind, match) == expected


def test_crlf_files_keep_crlf():
    lines = split_lines("[mysqld]\r\nuser = mysql\r\n")
    edits = plan_snippet(
        Snippet("a = 1", None, "section:mysqld"), lines, "mysql", None, "\r\n"
    )
    assert apply_edits(lines, edits, "\r\n") == "[mysqld]\r\na = 1\r\nuser = mysql\r\n"


def test_note_below():
    lines = split_lines("x error\ny")
    text = apply_edits(lines, note_below(lines, Span(0, 2, 0, 7), "[faultlore] fix it"))
    assert text == "x error\n[faultlore] fix it\ny"


def test_ignore_directive_inserts_and_extends():
    lines = split_lines("http {\n    client_max_body_size 1m;\n}")
    once = apply_edits(lines, ignore_directive(lines, 1, "nginx", "a/b"))
    assert (
        once == "http {\n    # faultlore: ignore[a/b]\n    client_max_body_size 1m;\n}"
    )
    lines = split_lines(once)
    twice = apply_edits(lines, ignore_directive(lines, 2, "nginx", "c/d"))
    assert "# faultlore: ignore[a/b, c/d]\n" in twice
    assert ignore_directive(lines, 2, "nginx", "a/b") == []


def test_logs_have_no_inline_directive():
    assert ignore_directive(["x"], 0, "log", "a/b") is None
    assert inline_ignores(["# faultlore: ignore[a/b]", "x"], "log") == {}


@pytest.mark.parametrize(
    ("text", "line", "signature_id", "expected"),
    [
        pytest.param("# faultlore: ignore[a/b]\nx", 1, "a/b", True, id="line-before"),
        pytest.param("# faultlore: ignore[a/b]\nx", 1, "c/d", False, id="other-id"),
        pytest.param("x  # faultlore: ignore[a/b]", 0, "a/b", True, id="same-line"),
        pytest.param(
            "x  # faultlore: ignore[a/b]\ny", 1, "a/b", False, id="trailing-not-next"
        ),
        pytest.param(
            "# faultlore: ignore\nx", 1, "any/id", True, id="bare-ignores-all"
        ),
        pytest.param(
            "x = 'faultlore: ignore[a/b]'", 0, "a/b", False, id="not-a-comment"
        ),
    ],
)
def test_inline_ignores(text, line, signature_id, expected):
    ignores = inline_ignores(split_lines(text), "nginx")
    assert is_ignored(ignores, line, signature_id) is expected


def test_block_http_in_an_included_site_file_goes_to_top_level():
    # conf.d/sites-enabled files live inside http {}: a new http block would not load.
    site = (
        "# my site\nupstream app {\n  server unix:/tmp/a.sock;\n}\n\n"
        "server {\n  listen 80;\n}\n"
    )
    snippet = Snippet("client_max_body_size 50m;", "nginx", "block:http")
    assert run(snippet, site, "nginx") == site.replace(
        "upstream app", "client_max_body_size 50m;\n\nupstream app"
    )
    again = run(
        snippet, site.replace("# my site\n", "client_max_body_size 1m;\n"), "nginx"
    )
    assert again.startswith("client_max_body_size 50m;\nupstream app")
