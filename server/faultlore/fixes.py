"""Where a workaround's snippet goes: pure text edits for code actions.

Everything here works on lines (split with `faultlore.text.split_lines`, so without
their line breaks) and code-point columns, and returns `TextEdit`s the language server
converts to the client's position encoding. Placements are described in
``docs/kb-format.md``: ``replace_match``, ``replace_line``, ``after_line``,
``before_line``, ``block:NAME``, ``section:NAME`` and ``end``.

Inserting a setting the file already has would leave two of them (nginx refuses to
start on a duplicate directive), so ``block:``, ``section:`` and ``end`` replace an
existing line with the same key inside their scope instead of adding another.

``block:http`` in an nginx file that holds ``server`` blocks but no ``http`` block (a
``conf.d`` or ``sites-enabled`` file, included inside ``http``) goes at the file's top
level, which is the http context: a new ``http`` block there would not load.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs
import regex

from faultlore.kb.model import Snippet

COMMENT_PREFIX = {
    "nginx": "#",
    "apache": "#",
    "postfix": "#",
    "sshd": "#",
    "mysql": "#",
    "postgres": "#",
    "pg_hba": "#",
    "redis": "#",
    "compose": "#",
    "systemd": "#",
    "kubernetes": "#",
}
"""Line-comment marker of each file kind that has comments (logs have none)."""

_DIRECTIVE = regex.compile(r"faultlore:\s*ignore(?:\[([^\]]*)\])?")
_KEY = regex.compile(r"^\s*([A-Za-z_][\w.\-]*)")
_DEFAULT_INDENT = "    "
_REDIS_PER_ARGUMENT = frozenset({"client-output-buffer-limit", "rename-command"})
"""Redis directives set once per first argument (a client class, a command)."""


@attrs.frozen
class Span:
    """A range of text: 0-based lines, code-point columns, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


@attrs.frozen
class TextEdit:
    """Replace *span* with *new_text* (an empty span inserts)."""

    span: Span
    new_text: str


def apply_edits(
    lines: Sequence[str], edits: Sequence[TextEdit], newline: str = "\n"
) -> str:
    """The text after *edits* (which must not overlap), as a client would make it."""
    text = newline.join(lines)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + len(newline))

    def offset(line: int, column: int) -> int:
        if line >= len(lines):
            return len(text)
        return starts[line] + min(column, len(lines[line]))

    ordered = sorted(edits, key=lambda e: (e.span.line, e.span.column), reverse=True)
    for edit in ordered:
        lo = offset(edit.span.line, edit.span.column)
        hi = offset(edit.span.end_line, edit.span.end_column)
        text = text[:lo] + edit.new_text + text[hi:]
    return text


def plan_snippet(
    snippet: Snippet,
    lines: Sequence[str],
    kind: str,
    match: Span | None = None,
    newline: str = "\n",
) -> list[TextEdit]:
    """The edits that put *snippet* into a file of *kind* holding *lines*.

    *match* is the finding's span when the snippet goes into the file it was found
    in; without it (a fix carried over from a log) placements that need the matched
    line fall back to ``end``.
    """
    placement = snippet.placement or "after_line"
    text = snippet.text.rstrip("\r\n")
    if placement.startswith("block:"):
        return _into_block(placement[6:].strip(), text, lines, newline)
    if placement.startswith("section:"):
        return _into_section(placement[8:].strip(), text, lines, newline)
    if placement == "end" or match is None:
        return _at_end(text, lines, kind, newline)

    line = lines[match.line] if match.line < len(lines) else ""
    indent = _indent_of(line)
    if placement == "replace_match":
        return [TextEdit(match, text)]
    if placement == "replace_line":
        last = lines[match.end_line] if match.end_line < len(lines) else ""
        span = Span(match.line, 0, match.end_line, len(last))
        return [TextEdit(span, _indent(text, indent, newline))]
    if placement == "before_line":
        span = Span(match.line, 0, match.line, 0)
        return [TextEdit(span, _indent(text, indent, newline) + newline)]
    # after_line, and anything unknown: the least destructive choice.
    last = lines[match.end_line] if match.end_line < len(lines) else ""
    span = Span(match.end_line, len(last), match.end_line, len(last))
    return [TextEdit(span, newline + _indent(text, _indent_of(last), newline))]


def note_below(
    lines: Sequence[str], match: Span, note: str, newline: str = "\n"
) -> list[TextEdit]:
    """Insert *note* (one or more lines) below the matched line(s)."""
    last = lines[match.end_line] if match.end_line < len(lines) else ""
    span = Span(match.end_line, len(last), match.end_line, len(last))
    return [TextEdit(span, newline + note.rstrip("\r\n"))]


def ignore_directive(
    lines: Sequence[str], line: int, kind: str, signature_id: str, newline: str = "\n"
) -> list[TextEdit] | None:
    """Insert ``# faultlore: ignore[ID]`` above *line*; None for kinds without comments.

    An existing directive on that line gets the id added instead.
    """
    prefix = COMMENT_PREFIX.get(kind)
    if prefix is None:
        return None
    if line > 0:
        above = lines[line - 1]
        found = _DIRECTIVE.search(above)
        if found and above.strip().startswith(prefix) and found.group(1) is not None:
            ids = [i.strip() for i in found.group(1).split(",") if i.strip()]
            if signature_id in ids:
                return []
            start, end = found.span(1)
            replacement = ", ".join([*ids, signature_id])
            return [TextEdit(Span(line - 1, start, line - 1, end), replacement)]
    current = lines[line] if line < len(lines) else ""
    directive = f"{_indent_of(current)}{prefix} faultlore: ignore[{signature_id}]"
    return [TextEdit(Span(line, 0, line, 0), directive + newline)]


def inline_ignores(lines: Sequence[str], kind: str) -> dict[int, frozenset[str] | None]:
    """Lines silenced by inline directives: line -> ids, or None for every signature.

    A directive silences its own line and, when it is alone on its line, the next one.
    """
    prefix = COMMENT_PREFIX.get(kind)
    if prefix is None:
        return {}
    out: dict[int, frozenset[str] | None] = {}
    for number, line in enumerate(lines):
        if "faultlore" not in line:
            continue
        comment = line.find(prefix)
        found = _DIRECTIVE.search(line, comment) if comment >= 0 else None
        if found is None:
            continue
        ids = (
            None
            if found.group(1) is None
            else frozenset(i.strip() for i in found.group(1).split(",") if i.strip())
        )
        targets = [number]
        if not line[:comment].strip():
            targets.append(number + 1)
        for target in targets:
            previous = out.get(target, frozenset())
            out[target] = None if ids is None or previous is None else previous | ids
    return out


def is_ignored(
    ignores: dict[int, frozenset[str] | None], line: int, signature_id: str
) -> bool:
    """Whether an inline directive silences *signature_id* on *line*."""
    if line not in ignores:
        return False
    ids = ignores[line]
    return ids is None or signature_id in ids


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _indent(text: str, indent: str, newline: str) -> str:
    """Indent every line of *text* by *indent* unless it brings its own indentation."""
    out = []
    for part in text.split("\n"):
        part = part.rstrip("\r")
        out.append(part if not part or part[:1] in " \t" else indent + part)
    return newline.join(out)


def _key(text: str, kind: str = "") -> str | None:
    """The setting a snippet line sets: the directive name or the ini key.

    A ``pg_hba.conf`` line is a rule of its own, keyed by what it matches (type,
    database, user and, for hosts, address), not by its first word; some redis
    directives are keyed by their first argument too.
    """
    first = text.strip().split("\n")[0]
    if kind == "pg_hba":
        fields = first.split()
        if not fields or fields[0].startswith("#"):
            return None
        return " ".join(fields[: 3 if fields[0] == "local" else 4]).lower()
    found = _KEY.match(first)
    if found is None:
        return None
    key = found.group(1).lower()
    if kind == "redis" and key in _REDIS_PER_ARGUMENT:
        return " ".join(first.split()[:2]).lower()
    return key


def _same_key(line: str, key: str | None, kind: str = "") -> bool:
    if key is None:
        return False
    stripped = line.strip()
    if not stripped or stripped[0] in "#;":
        return False
    return _key(stripped, kind) == key


def _settings(text: str, kind: str = "") -> list[tuple[str, str]] | None:
    """A snippet of plain settings as (key, line) pairs, one distinct key a line.

    None for anything else (blocks, indented or keyless lines), which is inserted
    whole.
    """
    pairs = []
    for part in text.split("\n"):
        key = _key(part, kind)
        if key is None or part[:1] in " \t" or "{" in part or "}" in part:
            return None
        pairs.append((key, part))
    if len({key for key, _part in pairs}) != len(pairs):
        return None
    return pairs


def _at_end(text: str, lines: Sequence[str], kind: str, newline: str) -> list[TextEdit]:
    pairs = _settings(text, kind)
    if pairs is None:
        return _append(text, lines, newline)
    top = [n for n, line in enumerate(lines) if _indent_of(line) == ""]
    return _replace_or_add(
        pairs,
        lines,
        top,
        lambda line, key: _same_key(line, key, kind),
        lambda missing: _append(newline.join(missing), lines, newline),
    )


def _replace_or_add(
    pairs: list[tuple[str, str]],
    lines: Sequence[str],
    candidates: Sequence[int],
    same: Callable[[str, str], bool],
    add: Callable[[list[str]], list[TextEdit]],
) -> list[TextEdit]:
    """Replace the first candidate line setting each key; *add* the lines left."""
    edits, missing = [], []
    for key, part in pairs:
        number = next((n for n in candidates if same(lines[n], key)), None)
        if number is None:
            missing.append(part)
        else:
            edits.append(TextEdit(Span(number, 0, number, len(lines[number])), part))
    if missing:
        edits += add(missing)
    return edits


def _append(text: str, lines: Sequence[str], newline: str) -> list[TextEdit]:
    if not lines or lines == [""]:
        return [TextEdit(Span(0, 0, 0, 0), text + newline)]
    last = len(lines) - 1
    if lines[last] == "":
        # The file ends with a line break: add whole lines before the final empty one.
        return [TextEdit(Span(last, 0, last, 0), text + newline)]
    return [
        TextEdit(Span(last, len(lines[last]), last, len(lines[last])), newline + text)
    ]


def _strip_comment(line: str) -> str:
    position = line.find("#")
    return line if position < 0 else line[:position]


def find_block(lines: Sequence[str], name: str) -> tuple[int, int] | None:
    """The opening and closing lines of the first brace block ``name { ... }``."""
    opener = regex.compile(rf"(?:^|[;{{}}\s]){regex.escape(name)}(?:\s[^{{;]*)?\{{")
    depth = 0
    start = None
    for number, raw in enumerate(lines):
        line = _strip_comment(raw)
        if start is None and opener.search(line):
            start = number
            depth = 0
        if start is not None:
            depth += line.count("{") - line.count("}")
            if depth <= 0 and number >= start and "}" in line:
                return start, number
    return (start, len(lines) - 1) if start is not None else None


def _into_block(
    name: str, text: str, lines: Sequence[str], newline: str
) -> list[TextEdit]:
    block = find_block(lines, name)
    if block is None and name == "http" and _is_included_site(lines):
        return _at_top_level(text, lines, newline)
    if block is None:
        body = _indent(text, _DEFAULT_INDENT, newline)
        return _append(f"{name} {{{newline}{body}{newline}}}", lines, newline)
    start, end = block
    opening = lines[start]
    inner_indent = _indent_of(opening) + _DEFAULT_INDENT
    key = _key(text) if "\n" not in text else None
    depth = 0
    for number in range(start, end + 1):
        line = _strip_comment(lines[number])
        if number > start and depth == 1 and _same_key(lines[number], key):
            indent = _indent_of(lines[number])
            span = Span(number, 0, number, len(lines[number]))
            return [TextEdit(span, _indent(text, indent, newline))]
        depth += line.count("{") - line.count("}")
    # Keep the first inner line's indentation when the block has one.
    for number in range(start + 1, end):
        if lines[number].strip():
            inner_indent = _indent_of(lines[number])
            break
    span = Span(start, len(opening), start, len(opening))
    return [TextEdit(span, newline + _indent(text, inner_indent, newline))]


def _depths(lines: Sequence[str]) -> list[int]:
    """The brace depth at the start of each line."""
    depths, depth = [], 0
    for line in lines:
        depths.append(depth)
        code = _strip_comment(line)
        depth = max(0, depth + code.count("{") - code.count("}"))
    return depths


def _is_included_site(lines: Sequence[str]) -> bool:
    """Whether an nginx file has top-level ``server`` blocks (so it sits in http)."""
    opener = regex.compile(r"^\s*(?:server|upstream|map)\b[^;{]*\{")
    depths = _depths(lines)
    return any(
        d == 0 and opener.match(line) for d, line in zip(depths, lines, strict=True)
    )


def _at_top_level(text: str, lines: Sequence[str], newline: str) -> list[TextEdit]:
    """Put *text* at the top level of an included site file: the http context."""
    key = _key(text) if "\n" not in text else None
    depths = _depths(lines)
    for number, line in enumerate(lines):
        if depths[number] == 0 and _same_key(line, key):
            return [TextEdit(Span(number, 0, number, len(line)), text)]
    first = next(
        (
            n
            for n, line in enumerate(lines)
            if line.strip() and not line.lstrip().startswith("#")
        ),
        0,
    )
    return [TextEdit(Span(first, 0, first, 0), text + newline + newline)]


def find_section(lines: Sequence[str], name: str) -> tuple[int, int] | None:
    """The header line of ini section ``[name]`` and the last line of its body."""
    header = regex.compile(rf"^\s*\[\s*{regex.escape(name)}\s*\]", regex.IGNORECASE)
    start = None
    for number, line in enumerate(lines):
        if start is None:
            if header.match(line):
                start = number
        elif regex.match(r"^\s*\[", line):
            return start, number - 1
    return (start, len(lines) - 1) if start is not None else None


def _into_section(
    name: str, text: str, lines: Sequence[str], newline: str
) -> list[TextEdit]:
    section = find_section(lines, name)
    if section is None:
        return _append(f"[{name}]{newline}{text}", lines, newline)
    start, end = section
    header = lines[start]
    after_header = Span(start, len(header), start, len(header))
    pairs = _settings(text)
    if pairs is None:
        return [TextEdit(after_header, newline + text)]
    return _replace_or_add(
        pairs,
        lines,
        range(start + 1, end + 1),
        lambda line, key: _same_key(line.split("=")[0], key),
        lambda missing: [TextEdit(after_header, newline + newline.join(missing))],
    )
