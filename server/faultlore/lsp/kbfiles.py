"""Diagnostics for knowledge-base JSON files open in the editor.

Schema errors, regexes that do not compile, examples that do not match and
counter-examples that do: the checks of ``faultlore kb validate``, on the buffer.
"""

from __future__ import annotations

import json
import logging

from lsprotocol import types

from faultlore.kb import check_text
from faultlore.kb.model import Problem
from faultlore.kb.validate import check_signature
from faultlore.lsp.positions import to_range

logger = logging.getLogger(__name__)


def looks_like_kb(text: str) -> bool:
    """Whether a JSON text holds signature records (for files outside the sources)."""
    head = text[:20000]
    return '"regex"' in head and '"signature"' in head and '"id"' in head


def render_kb_diagnostics(
    lines: list[str], path: str, counter
) -> list[types.Diagnostic]:
    """Every problem with the records of a knowledge-base document (*lines*)."""
    text = "\n".join(lines)
    signatures, problems = check_text(text, path)
    for signature in signatures:
        try:
            problems.extend(check_signature(signature))
        except Exception:
            logger.exception("checking %s failed", signature.id)
    diagnostics = []
    for problem in problems:
        line, column = locate(lines, problem)
        end = len(lines[line]) if line < len(lines) else 0
        diagnostics.append(
            types.Diagnostic(
                range=to_range(lines, line, column, line, max(end, column), counter),
                message=problem.message,
                severity=(
                    types.DiagnosticSeverity.Error
                    if problem.level == "error"
                    else types.DiagnosticSeverity.Warning
                ),
                source="faultlore",
                code="kb",
                data={"record": problem.record, "pointer": problem.pointer},
            )
        )
    return diagnostics


def locate(lines: list[str], problem: Problem) -> tuple[int, int]:
    """0-based line and column of a problem: its own, else found via its record."""
    if problem.line is not None:
        line = min(max(problem.line - 1, 0), max(len(lines) - 1, 0))
        if problem.column is not None:
            return line, max(problem.column - 1, 0)
        return line, _indent(lines, line)
    line = 0
    if problem.record and not problem.record.startswith("#"):
        needle = json.dumps(problem.record, ensure_ascii=False)
        line = next((n for n, text in enumerate(lines) if needle in text), 0)
    parts = [part for part in problem.pointer.split("/") if part]
    names = [part for part in parts if not part.isdigit()]
    if names:
        field = json.dumps(names[-1]) + ":"
        found = next(
            (n for n in range(line, min(len(lines), line + 400)) if field in lines[n]),
            None,
        )
        if found is not None:
            line = found
            if parts[-1].isdigit():
                # An array element: count the items after the field name.
                line = min(len(lines) - 1, found + 1 + int(parts[-1]))
    return line, _indent(lines, line)


def _indent(lines: list[str], line: int) -> int:
    text = lines[line] if line < len(lines) else ""
    return len(text) - len(text.lstrip())
