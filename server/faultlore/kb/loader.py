"""Loading knowledge-base sources: files, folders, JSON, JSON Lines and ErrorCanons.

Every problem is collected as a `Problem` naming the file, the record and the field;
a bad record is skipped and everything else still loads.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import fastjsonschema
import jsonschema
import platformdirs
import regex

from faultlore.filekinds import ALL_KINDS
from faultlore.kb.canon import from_canon, is_canon
from faultlore.kb.model import KnowledgeBase, Problem, Signature, severity_for

logger = logging.getLogger(__name__)

KB_SUFFIXES = (".json", ".jsonl")


def bundled_path() -> Path:
    """The folder of the knowledge base shipped with faultlore."""
    return Path(str(resources.files("faultlore.kb") / "bundled"))


def user_path() -> Path:
    """The user's own knowledge-base folder (``~/.config/faultlore/kb``)."""
    return platformdirs.user_config_path("faultlore") / "kb"


@cache
def record_schema() -> dict[str, Any]:
    """The JSON Schema of one record."""
    text = (resources.files("faultlore.kb") / "record.schema.json").read_text()
    return json.loads(text)


@cache
def record_validator() -> jsonschema.Draft202012Validator:
    """The validator that names every schema violation of a record, with its path."""
    return jsonschema.Draft202012Validator(record_schema())


@cache
def fast_record_check() -> Callable[[Any], Any]:
    """A compiled yes/no check of the same schema, about 70 times faster.

    Loading hundreds of valid records is the common case; only a record this rejects
    goes through `record_validator` for precise messages. The schema uses nothing
    beyond draft 7, which fastjsonschema compiles.
    """
    schema = {**record_schema(), "$schema": "http://json-schema.org/draft-07/schema#"}
    return fastjsonschema.compile(schema)


def schema_is_valid(data: Any) -> bool:
    try:
        fast_record_check()(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


@attrs.frozen
class RawRecord:
    """A record as parsed, with where it came from."""

    data: Any
    path: str
    index: int | None
    """Position in an array or JSON Lines file; None for a file holding one record."""
    line: int
    """1-based line where the record starts."""
    text: str = ""
    """The record's source text (for locating fields)."""

    @property
    def label(self) -> str:
        if isinstance(self.data, Mapping) and isinstance(self.data.get("id"), str):
            return self.data["id"]
        return f"#{self.index or 0}"


def iter_source_files(path: Path) -> Iterator[Path]:
    """The knowledge-base files at *path*: the file itself, or a folder's, sorted."""
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.suffix in KB_SUFFIXES and child.is_file():
                yield child
    else:
        yield path


def parse_text(text: str, path: str) -> tuple[list[RawRecord], list[Problem]]:
    """Split a knowledge-base file's *text* into raw records, reporting broken JSON."""
    if path.endswith(".jsonl"):
        return _parse_json_lines(text, path)
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if position < len(text) and text[position] == "[":
        return _parse_array(text, path, decoder, position)
    try:
        data, end = decoder.raw_decode(text, position)
    except json.JSONDecodeError as exc:
        return [], [_json_problem(path, exc)]
    if _skip_space(text, end) != len(text):
        line, column = _line_column(text, _skip_space(text, end))
        return [], [
            Problem(path, "unexpected text after the record", line=line, column=column)
        ]
    return [RawRecord(data, path, None, _line_column(text, position)[0], text)], []


def _parse_array(
    text: str, path: str, decoder: json.JSONDecoder, position: int
) -> tuple[list[RawRecord], list[Problem]]:
    records: list[RawRecord] = []
    position = _skip_space(text, position + 1)
    index = 0
    while position < len(text) and text[position] != "]":
        try:
            data, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            # The records before the break still load.
            return records, [_json_problem(path, exc, record=f"#{index}")]
        records.append(
            RawRecord(
                data, path, index, _line_column(text, position)[0], text[position:end]
            )
        )
        index += 1
        position = _skip_space(text, end)
        if position < len(text) and text[position] == ",":
            position = _skip_space(text, position + 1)
        elif position < len(text) and text[position] != "]":
            line, column = _line_column(text, position)
            return records, [
                Problem(
                    path,
                    "expected ',' or ']' after a record",
                    f"#{index}",
                    line=line,
                    column=column,
                )
            ]
    if position >= len(text):
        line, column = _line_column(text, len(text))
        return records, [
            Problem(path, "the array is not closed with ']'", line=line, column=column)
        ]
    return records, []


def _parse_json_lines(text: str, path: str) -> tuple[list[RawRecord], list[Problem]]:
    records: list[RawRecord] = []
    problems: list[Problem] = []
    # Only "\n" ends a record: JSON strings may hold U+2028 and other breaks raw.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(
                Problem(
                    path,
                    f"broken JSON: {exc.msg}",
                    f"#{len(records)}",
                    line=number,
                    column=exc.colno,
                )
            )
            continue
        records.append(RawRecord(data, path, len(records), number, line))
    return records, problems


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n\ufeff":
        position += 1
    return position


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _json_problem(
    path: str, exc: json.JSONDecodeError, record: str | None = None
) -> Problem:
    return Problem(
        path, f"broken JSON: {exc.msg}", record, line=exc.lineno, column=exc.colno
    )


def _pointer(parts: Iterable[Any]) -> str:
    escaped = [str(part).replace("~", "~0").replace("/", "~1") for part in parts]
    return "/" + "/".join(escaped) if escaped else ""


def _field_line(raw: RawRecord, parts: list[Any]) -> int:
    """Best-effort line of the deepest named field of *parts* inside the record."""
    names = [part for part in parts if isinstance(part, str)]
    if not names or not raw.text:
        return raw.line
    offset = raw.text.find(json.dumps(names[-1]) + ":")
    if offset < 0:
        offset = raw.text.find(json.dumps(names[0]))
    return raw.line + raw.text.count("\n", 0, max(offset, 0))


def compile_record(raw: RawRecord) -> tuple[Signature | None, list[Problem]]:
    """Check one raw record against the schema and compile its pattern."""
    data = raw.data
    if isinstance(data, Mapping) and is_canon(data):
        data = from_canon(data)
    if not isinstance(data, Mapping):
        return None, [
            Problem(
                raw.path, "a record must be a JSON object", raw.label, line=raw.line
            )
        ]

    problems = []
    errors = [] if schema_is_valid(data) else record_validator().iter_errors(data)
    for error in sorted(errors, key=lambda e: list(e.absolute_path)):
        parts = list(error.absolute_path)
        problems.append(
            Problem(
                raw.path,
                f"schema: {error.message}",
                raw.label,
                _pointer(parts),
                line=_field_line(raw, parts),
            )
        )
    if problems:
        return None, problems

    flags = regex.MULTILINE | (0 if data.get("case_sensitive") else regex.IGNORECASE)
    try:
        pattern = regex.compile(data["regex"], flags)
    except (regex.error, OverflowError, RecursionError) as exc:
        position = getattr(exc, "pos", None)
        where = f" at position {position}" if position is not None else ""
        message = getattr(exc, "msg", None) or str(exc)
        return None, [
            Problem(
                raw.path,
                f"regex does not compile{where}: {message}",
                raw.label,
                "/regex",
                line=_field_line(raw, ["regex"]),
            )
        ]

    files = frozenset(data.get("files") or ["log"])
    unknown = files - set(ALL_KINDS)
    if unknown:
        return None, [
            Problem(
                raw.path, f"unknown file kinds: {sorted(unknown)}", raw.label, "/files"
            )
        ]

    signature = Signature(
        id=data["id"],
        title=data["signature"],
        pattern=pattern,
        files=files,
        severity=severity_for(data),
        multiline=bool(data.get("multiline")),
        priority=int(data.get("priority") or 0),
        confidence=float(data.get("confidence") or 0.0),
        record=data,
        source=raw.path,
        index=raw.index,
    )
    return signature, []


def read_source(path: Path) -> tuple[list[Signature], list[Problem]]:
    """Load every record of one file or folder, with the problems found on the way."""
    signatures: list[Signature] = []
    problems: list[Problem] = []
    if not path.exists():
        return [], [Problem(str(path), "no such file or folder")]
    for file in iter_source_files(path):
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(file), f"cannot read: {exc}"))
            continue
        found, file_problems = check_text(text, str(file))
        signatures.extend(found)
        problems.extend(file_problems)
    return signatures, problems


def check_text(text: str, path: str) -> tuple[list[Signature], list[Problem]]:
    """Parse and compile the knowledge-base file *text* (as read from *path*)."""
    raws, problems = parse_text(text, path)
    signatures = []
    seen: dict[str, RawRecord] = {}
    for raw in raws:
        signature, record_problems = compile_record(raw)
        problems.extend(record_problems)
        if signature is None:
            continue
        if signature.id in seen:
            problems.append(
                Problem(
                    path,
                    f"duplicate id: also the record at line {seen[signature.id].line}; "
                    "the later one wins",
                    signature.id,
                    "/id",
                    line=raw.line,
                    level="warning",
                )
            )
        seen[signature.id] = raw
        signatures.append(signature)
    return signatures, problems


WORKSPACE_FOLDER = ".faultlore"


def default_sources(
    *, bundled: bool = True, user: bool = True, workspace: Path | None = None
) -> list[Path]:
    """The standard sources that exist, in load order.

    The bundled knowledge base, the user's folder, then *workspace*'s ``.faultlore/``.
    """
    sources = []
    if bundled:
        sources.append(bundled_path())
    if user and user_path().is_dir():
        sources.append(user_path())
    if workspace is not None and (workspace / WORKSPACE_FOLDER).is_dir():
        sources.append(workspace / WORKSPACE_FOLDER)
    return sources


def load_knowledge_base(sources: Iterable[Path]) -> KnowledgeBase:
    """Load *sources* in order; a later record overrides an earlier one of its id."""
    started = time.perf_counter()
    kb = KnowledgeBase()
    for source in sources:
        signatures, problems = read_source(Path(source))
        kb.sources.append(str(source))
        kb.problems.extend(problems)
        for problem in problems:
            # Callers show kb.problems to the user; the log keeps the detail.
            logger.debug("%s", problem)
        if problems:
            logger.info(
                "%s: %d problems (first: %s)", source, len(problems), problems[0]
            )
        for signature in signatures:
            previous = kb.signatures.pop(signature.id, None)
            if previous is not None and previous.source != signature.source:
                logger.info(
                    "%s: record %s overrides the one from %s",
                    signature.source,
                    signature.id,
                    previous.source,
                )
            kb.signatures[signature.id] = signature
    logger.info(
        "loaded %d signatures from %d sources in %.0f ms",
        len(kb),
        len(kb.sources),
        (time.perf_counter() - started) * 1000,
    )
    return kb
