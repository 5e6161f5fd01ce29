"""The workspace's ``.faultlore.toml``: signatures silenced per file or everywhere.

::

    [ignore]
    signatures = ["web/nginx-client-body-too-large"]   # the whole workspace

    [ignore.files]
    "logs/app.log" = ["runtime/python-module-not-found"]  # one file

File keys are paths relative to the workspace root, with forward slashes. The file is
edited with tomlkit, so the user's comments and layout survive.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path, PurePosixPath

import attrs
import tomlkit
import tomlkit.exceptions

logger = logging.getLogger(__name__)

FILE_NAME = ".faultlore.toml"


@attrs.define
class Ignores:
    """What the workspace's ``.faultlore.toml`` silences."""

    everywhere: set[str] = attrs.Factory(set)
    per_file: dict[str, set[str]] = attrs.Factory(dict)
    problem: str | None = None
    """Why the file could not be read, if it could not."""

    def ignored(self, signature_id: str, key: str | None) -> bool:
        """Whether *signature_id* is silenced in the file with workspace key *key*."""
        if signature_id in self.everywhere:
            return True
        return key is not None and signature_id in self.per_file.get(key, set())


def file_key(root: Path | None, path: str) -> str | None:
    """The key of *path* in ``[ignore.files]``: relative to *root*, forward slashes."""
    if root is None or not path:
        return None
    try:
        relative = os.path.relpath(path, root)
    except ValueError:
        return None
    if relative.startswith(".."):
        return None
    return PurePosixPath(*Path(relative).parts).as_posix()


def read_ignores(root: Path | None) -> Ignores:
    """Read ``.faultlore.toml`` at *root*; a missing file silences nothing."""
    if root is None:
        return Ignores()
    path = root / FILE_NAME
    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Ignores()
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.TOMLKitError) as exc:
        logger.warning("%s: cannot read: %s", path, exc)
        return Ignores(problem=f"{path}: {exc}")
    table = document.get("ignore") or {}
    everywhere = {str(item) for item in table.get("signatures") or []}
    per_file = {
        str(key): {str(item) for item in value or []}
        for key, value in (table.get("files") or {}).items()
    }
    return Ignores(everywhere, per_file)


def add_ignore(root: Path, signature_id: str, key: str | None = None) -> Path:
    """Silence *signature_id* everywhere, or in the file *key*; return the file."""
    path = root / FILE_NAME
    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        document = tomlkit.document()
    if "ignore" not in document:
        document["ignore"] = tomlkit.table()
    table = document["ignore"]
    if key is None:
        if "signatures" not in table:
            table["signatures"] = tomlkit.array()
        target = table["signatures"]
    else:
        if "files" not in table:
            table["files"] = tomlkit.table()
        files = table["files"]
        if key not in files:
            files[key] = tomlkit.array()
        target = files[key]
    if signature_id not in [str(item) for item in target]:
        target.append(signature_id)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(tomlkit.dumps(document), encoding="utf-8")
    temporary.replace(path)
    return path
