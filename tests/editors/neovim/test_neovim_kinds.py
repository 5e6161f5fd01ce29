"""The plugin's file kinds and filetype rules agree with the server's `filekinds`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faultlore import filekinds

pytestmark = pytest.mark.editor

CASES = [
    # Logs by name, rotated logs and the syslog family without an extension.
    ("/var/log/app.log", ""),
    ("/var/log/app.log.1", ""),
    ("/var/log/syslog", ""),
    ("/var/log/syslog.2", ""),
    ("/var/log/messages", ""),
    ("/var/log/messages.1", ""),
    ("/var/log/mail.log", ""),
    ("/var/log/mail.warn", ""),
    ("/var/log/httpd/error_log", ""),
    ("/var/log/httpd/access_log", ""),
    ("/var/log/secure", ""),
    ("/tmp/run.out", ""),
    ("/tmp/run.err", ""),
    ("/tmp/events.jsonl", ""),
    ("/var/log/app.0", ""),
    ("/var/log/kern.12", ""),
    ("/work/04-nginx-413-openresty.log", ""),
    # Config files by name, bare and with the prefixes pasted files carry.
    ("/etc/nginx/nginx.conf", ""),
    # Debian's site files have no suffix; Apache's sites-* folders stay Apache.
    ("/etc/nginx/sites-enabled/example.com", ""),
    ("/etc/nginx/sites-available/default", ""),
    ("/etc/apache2/sites-enabled/000-default.conf", ""),
    ("/work/07-app.nginx.conf", ""),
    ("/work/site.nginx", ""),
    ("/etc/postfix/main.cf", ""),
    ("/work/43-relay.main.cf", ""),
    ("/etc/postfix/master.cf", ""),
    ("/etc/ssh/sshd_config", ""),
    ("/work/57-sftp.sshd_config", ""),
    ("/etc/mysql/my.cnf", ""),
    ("/home/user1/.my.cnf", ""),
    ("/etc/mysql/mysql.conf.d/mysqld.cnf", ""),
    ("/etc/mysql/mariadb.cnf", ""),
    ("/etc/postgresql/16/main/pg_hba.conf", ""),
    ("/etc/postgresql/16/main/postgresql.conf", ""),
    ("/var/lib/postgresql/data/postgresql.auto.conf", ""),
    ("/etc/redis/redis.conf", ""),
    ("/etc/redis/sentinel.conf", ""),
    ("/srv/app/docker-compose.yml", ""),
    ("/srv/app/docker-compose.override.yaml", ""),
    ("/srv/app/compose.yaml", ""),
    ("/srv/app/compose.yml", ""),
    ("/etc/httpd/conf/httpd.conf", ""),
    ("/etc/apache2/apache2.conf", ""),
    ("/var/www/html/.htaccess", ""),
    ("/etc/systemd/system/app.service", ""),
    ("/srv/app/deploy/app.service", ""),
    ("/srv/app/deploy/app.socket", ""),
    ("/srv/app/deploy/backup.timer", ""),
    # Settled by content or folder: YAML and .conf files.
    ("/srv/k8s/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"),
    ("/srv/k8s/pod.yml", "kind: Pod\napiVersion: v1\n"),
    ("/srv/app/stack.yml", "services:\n  web:\n    image: nginx\n"),
    ("/srv/app/config.yaml", "debug: true\n"),
    ("/srv/app/site.conf", "server {\n    listen 80;\n}\n"),
    ("/srv/app/api.conf", "location /api {\n    proxy_pass http://app;\n}\n"),
    ("/srv/app/vhost.conf", "<VirtualHost *:80>\n</VirtualHost>\n"),
    ("/etc/nginx/conf.d/default.conf", ""),
    ("/etc/mysql/conf.d/tuning.cnf", "[mysqld]\n"),
    ("/srv/app/other.cnf", "[client]\n"),
    ("/etc/redis/local.conf", ""),
    ("/etc/ssh/sshd_config.d/10-local.conf", "PasswordAuthentication no\n"),
    # Not ours.
    ("/srv/app/plain.conf", "key value\n"),
    ("/srv/app/README.md", "# title\n"),
    ("/srv/app/notes.txt", "hello\n"),
]

# Logs by a name too generic for the plugin to claim their filetype (`.1` is also a
# man page): the server scans them, but Neovim attaches it only after `:set ft=log`.
UNCLAIMED = {
    "/tmp/run.out",
    "/tmp/run.err",
    "/tmp/events.jsonl",
    "/var/log/app.0",
    "/var/log/kern.12",
}

EXPECTED_FILETYPES = {
    "/var/log/app.log": "log",
    "/var/log/app.log.1": "log",
    "/var/log/syslog": "log",
    "/var/log/syslog.2": "log",
    "/var/log/messages": "log",
    "/var/log/mail.log": "log",
    "/var/log/httpd/error_log": "log",
    "/work/04-nginx-413-openresty.log": "log",
    "/work/07-app.nginx.conf": "nginx",
    "/work/43-relay.main.cf": "pfmain",
    "/work/57-sftp.sshd_config": "sshdconfig",
    "/etc/mysql/my.cnf": "dosini",
    "/etc/redis/redis.conf": "conf",
    "/etc/postgresql/16/main/pg_hba.conf": "conf",
    "/srv/app/docker-compose.yml": "yaml",
    "/srv/app/deploy/app.service": "systemd",
}


@pytest.fixture
def plugin_view(run_lua, tmp_path: Path) -> dict[str, dict]:
    """What the plugin says about each case: kind, filetype, whether it attaches."""
    cases = tmp_path / "cases.json"
    out = tmp_path / "out.json"
    cases.write_text(json.dumps([{"path": p, "text": t} for p, t in CASES]))
    run_lua("kinds.lua", str(cases), str(out))
    return {row["path"]: row for row in json.loads(out.read_text())}


def test_plugin_kinds_match_the_server(plugin_view: dict[str, dict]) -> None:
    mismatches = {
        path: (plugin_view[path]["kind"], filekinds.kind_of(path, text or None))
        for path, text in CASES
        if plugin_view[path]["kind"] != filekinds.kind_of(path, text or None)
    }
    assert mismatches == {}, "path: (plugin, server)"


def test_every_known_kind_gets_a_filetype_faultlore_attaches_to(
    plugin_view: dict[str, dict],
) -> None:
    missed = [
        (path, row["filetype"])
        for path, row in plugin_view.items()
        if row["kind"] is not None and path not in UNCLAIMED and not row["attaches"]
    ]
    assert missed == [], missed


def test_filetype_rules(plugin_view: dict[str, dict]) -> None:
    detected = {path: plugin_view[path]["filetype"] for path in EXPECTED_FILETYPES}
    assert detected == EXPECTED_FILETYPES


def test_the_server_starts_only_on_files_it_knows(plugin_view: dict[str, dict]) -> None:
    # A YAML or .conf buffer of another kind keeps its filetype but gets no server.
    wrong = [
        path
        for path, row in plugin_view.items()
        if row["wanted"] != (row["kind"] is not None or row["filetype"] == "log")
    ]
    assert wrong == []
    for path in ("/srv/app/config.yaml", "/srv/app/plain.conf", "/srv/app/README.md"):
        assert not plugin_view[path]["wanted"], path
