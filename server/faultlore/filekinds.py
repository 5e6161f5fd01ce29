"""Which kind of file a path is: a log, or one of the config kinds signatures target."""

from __future__ import annotations

import fnmatch
from pathlib import PurePath

import regex

LOG = "log"

CONFIG_KINDS = (
    "nginx",
    "apache",
    "postfix",
    "sshd",
    "mysql",
    "postgres",
    "pg_hba",
    "redis",
    "compose",
    "systemd",
    "kubernetes",
)

ALL_KINDS = (LOG, *CONFIG_KINDS, "any")

# Checked in order against the lower-cased file name; the first match wins. A name
# may carry a prefix (``07-app.nginx.conf``, ``site-main.cf``), as pasted files do.
_NAME_RULES: tuple[tuple[str, str], ...] = (
    ("*nginx.conf", "nginx"),
    ("*.nginx", "nginx"),
    ("*main.cf", "postfix"),
    ("*master.cf", "postfix"),
    ("*sshd_config", "sshd"),
    ("*my.cnf", "mysql"),
    ("*mysqld.cnf", "mysql"),
    ("*mariadb.cnf", "mysql"),
    ("*pg_hba.conf", "pg_hba"),
    ("*postgresql.conf", "postgres"),
    ("*postgresql.auto.conf", "postgres"),
    ("*redis.conf", "redis"),
    ("*sentinel.conf", "redis"),
    ("*docker-compose*.yml", "compose"),
    ("*docker-compose*.yaml", "compose"),
    ("compose.yml", "compose"),
    ("compose.yaml", "compose"),
    ("*.compose.yml", "compose"),
    ("*.compose.yaml", "compose"),
    ("*httpd.conf", "apache"),
    ("*apache2.conf", "apache"),
    ("*.htaccess", "apache"),
    ("*.service", "systemd"),
    ("*.socket", "systemd"),
    ("*.timer", "systemd"),
    ("*.mount", "systemd"),
    ("*.path", "systemd"),
    ("*.target", "systemd"),
)

_LOG_NAMES = (
    "*.log",
    "*.log.[0-9]*",
    "*.out",
    "*.err",
    "syslog",
    "syslog.[0-9]*",
    "messages",
    "messages.[0-9]*",
    "mail.warn",
    "error_log",
    "access_log",
    "auth.log",
    "secure",
    "kern.log",
    "daemon.log",
    "*.[0-9]",  # rotated logs: syslog.1, app.0
    "*.[0-9][0-9]",
    "*.jsonl",
    "*.trace",
)

# Folders whose files are of a known kind whatever they are called.
_DIR_RULES: tuple[tuple[str, str], ...] = (
    ("nginx", "nginx"),
    ("sites-available", "nginx"),
    ("sites-enabled", "nginx"),
    ("sshd_config.d", "sshd"),
    ("apache2", "apache"),
    ("httpd", "apache"),
    ("mysql", "mysql"),
    ("redis", "redis"),
    ("postfix", "postfix"),
    ("systemd", "systemd"),
)

_KUBERNETES = regex.compile(
    r"^apiVersion:[ \t]*\S+[\s\S]{0,2000}?^kind:[ \t]*\w+", regex.M
)
_KUBERNETES_REVERSED = regex.compile(
    r"^kind:[ \t]*\w+[\s\S]{0,2000}?^apiVersion:", regex.M
)
_NGINX_CONTENT = regex.compile(
    r"^[ \t]*(?:server|http|upstream|location\b[^\n{]*|events)[ \t]*\{", regex.M
)
_APACHE_CONTENT = regex.compile(
    r"^[ \t]*<(?:VirtualHost|Directory|IfModule)\b", regex.M
)
_COMPOSE_CONTENT = regex.compile(r"^services:[ \t]*$", regex.M)


def kind_of(path: str | PurePath, text: str | None = None) -> str | None:
    """Return the kind of the file at *path*: ``log``, a config kind, or None.

    *text*, when given, settles ambiguous names (a ``.conf``, a YAML file) by content.
    """
    pure = PurePath(path)
    name = pure.name.lower()
    if name.endswith(".gz"):
        # A compressed rotated log is read through gzip: judge it by its inner name.
        inner = kind_of(pure.with_name(pure.name[:-3]))
        return LOG if inner == LOG else None
    for pattern, kind in _NAME_RULES:
        if fnmatch.fnmatchcase(name, pattern):
            return kind
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in _LOG_NAMES):
        return LOG
    folders = [part.lower() for part in pure.parts[:-1]]
    if folders and folders[-1] in ("sites-available", "sites-enabled"):
        # Debian's site files carry no suffix; Apache keeps the same folder names.
        return "apache" if {"apache2", "httpd"} & set(folders) else "nginx"
    head = text[:20000] if text else ""
    if name.endswith((".yml", ".yaml")):
        if _COMPOSE_CONTENT.search(head):
            return "compose"
        if _KUBERNETES.search(head) or _KUBERNETES_REVERSED.search(head):
            return "kubernetes"
        return None
    if name.endswith(".conf") or name.endswith(".cnf"):
        for folder in reversed(folders):
            for directory, kind in _DIR_RULES:
                if folder == directory:
                    return kind
        if _NGINX_CONTENT.search(head):
            return "nginx"
        if _APACHE_CONTENT.search(head):
            return "apache"
        if name.endswith(".cnf"):
            return "mysql"
    return None


def sniff(text: str) -> str | None:
    """The config kind that *text* reads as, when it has no name to go by."""
    if _COMPOSE_CONTENT.search(text):
        return "compose"
    if _KUBERNETES.search(text) or _KUBERNETES_REVERSED.search(text):
        return "kubernetes"
    if _NGINX_CONTENT.search(text):
        return "nginx"
    if _APACHE_CONTENT.search(text):
        return "apache"
    return None


def applies(signature_files: frozenset[str], kind: str) -> bool:
    """Whether a signature targeting *signature_files* fires in a file of *kind*."""
    return kind in signature_files or "any" in signature_files
