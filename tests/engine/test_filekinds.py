"""Which kind of file a path (or a piped text) is."""

from __future__ import annotations

import pytest

from faultlore.filekinds import kind_of, sniff


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        pytest.param("/var/log/nginx/error.log", "log", id="log-by-suffix"),
        pytest.param("/var/log/syslog.1", "log", id="rotated-log"),
        pytest.param("/etc/nginx/sites-enabled/example.com", "nginx", id="debian-site"),
        pytest.param(
            "/etc/nginx/sites-available/default", "nginx", id="debian-default"
        ),
        pytest.param(
            "/etc/apache2/sites-enabled/000-default.conf", "apache", id="apache-site"
        ),
        pytest.param("/etc/nginx/conf.d/app.conf", "nginx", id="conf-d"),
        pytest.param("/work/43-relay.main.cf", "postfix", id="prefixed-main-cf"),
        pytest.param("/srv/README.md", None, id="unknown"),
    ],
)
def test_kind_by_path(path: str, kind: str | None) -> None:
    assert kind_of(path) == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        pytest.param(
            "http {\n  server {\n    listen 80;\n  }\n}\n", "nginx", id="nginx"
        ),
        pytest.param(
            "services:\n  db:\n    image: postgres\n", "compose", id="compose"
        ),
        pytest.param("apiVersion: v1\nkind: Pod\n", "kubernetes", id="kubernetes"),
        pytest.param("Jan 1 00:00:00 host sshd[1]: started\n", None, id="log-line"),
    ],
)
def test_piped_text_kind_by_content(text: str, kind: str | None) -> None:
    assert sniff(text) == kind
