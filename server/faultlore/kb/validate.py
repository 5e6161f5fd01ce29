"""Checks beyond the schema: examples, counter-examples, shadowing and regex shapes.

`faultlore kb validate` runs these over a knowledge base. The shape linter rejects
patterns that can backtrack catastrophically (a quantified group that itself holds an
unbounded quantifier), and every pattern is also run against adversarial input under
the matcher's timeout.
"""

from __future__ import annotations

import re._constants as sre
import re._parser as sre_parse
from collections.abc import Iterable
from typing import Any

from faultlore.kb.model import Problem, Signature
from faultlore.literals import required_literals
from faultlore.matcher import REGEX_TIMEOUT, Matcher
from faultlore.text import split_lines

_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)}
_UNBOUNDED = sre.MAXREPEAT
_LINE_STARTS = (sre.AT_BEGINNING, sre.AT_BEGINNING_STRING)


def lint_pattern(pattern: str, *, strict: bool = False) -> list[str]:
    """Problems with the shape of *pattern*; *strict* also rejects unbounded ``.*``."""
    try:
        parsed = sre_parse.parse(pattern)
    except Exception:  # noqa: BLE001 - regex-only syntax: the timing check still runs
        return []
    problems: list[str] = []
    items = list(parsed)
    # A pattern anchored at the start of a line (a config key) stays precise with
    # a wildcard between the key and its value: the line bounds it.
    anchored = bool(items) and items[0][0] is sre.AT and items[0][1] in _LINE_STARTS
    _walk(items, problems, strict and not anchored, inside_repeat=False)
    return sorted(set(problems))


def _walk(
    items: list[tuple[Any, Any]], problems: list[str], strict: bool, inside_repeat: bool
) -> bool:
    """Walk parsed items; return whether they hold an unbounded repeat."""
    unbounded = False
    for position, (op, value) in enumerate(items):
        if op in _REPEATS:
            low, high, body = value
            inner = _walk(list(body), problems, strict, inside_repeat=True)
            if (
                inner
                and (high == _UNBOUNDED or high > 1)
                and not _delimited(list(body))
            ):
                problems.append(
                    "nested quantifier: a repeated group holds an unbounded repeat "
                    "(catastrophic backtracking)"
                )
            if (high == _UNBOUNDED or high > 1) and _ambiguous_alternation(list(body)):
                problems.append(
                    "repeated alternatives that can match alike, as in (a|aa)+ "
                    "(catastrophic backtracking)"
                )
            if high == _UNBOUNDED:
                unbounded = True
                trailing = all(
                    later_op is sre.AT for later_op, _ in items[position + 1 :]
                )
                if strict and not trailing and _is_wildcard(body):
                    problems.append(
                        "unbounded '.*' or '[^x]*' between parts: bound it ({0,200}) "
                        "or spell out the text between"
                    )
            unbounded = unbounded or inner
        elif op is sre.SUBPATTERN:
            unbounded |= _walk(list(value[-1]), problems, strict, inside_repeat)
        elif op is getattr(sre, "ATOMIC_GROUP", None):
            unbounded |= _walk(list(value), problems, strict, inside_repeat)
        elif op is sre.BRANCH:
            for branch in value[1]:
                unbounded |= _walk(list(branch), problems, strict, inside_repeat)
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            _walk(list(value[1]), problems, strict, inside_repeat)
    return unbounded


_CATEGORIES = {
    sre.CATEGORY_SPACE: str.isspace,
    sre.CATEGORY_DIGIT: str.isdigit,
    sre.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
}
_NEGATED = {
    sre.CATEGORY_NOT_SPACE: sre.CATEGORY_SPACE,
    sre.CATEGORY_NOT_DIGIT: sre.CATEGORY_DIGIT,
    sre.CATEGORY_NOT_WORD: sre.CATEGORY_WORD,
}


def _single_char_matches(op: Any, value: Any, char: str) -> bool | None:
    """Whether one-character item (op, value) matches *char*; None when unsure."""
    if op is sre.LITERAL:
        return chr(value) == char
    if op is sre.NOT_LITERAL:
        return chr(value) != char
    if op is sre.ANY:
        return char != "\n"
    if op is sre.IN:
        negate = bool(value) and value[0][0] is sre.NEGATE
        hit = False
        for item_op, item_value in value[1:] if negate else value:
            if item_op is sre.LITERAL:
                hit |= chr(item_value) == char
            elif item_op is sre.RANGE:
                hit |= item_value[0] <= ord(char) <= item_value[1]
            elif item_op is sre.CATEGORY and item_value in _CATEGORIES:
                hit |= _CATEGORIES[item_value](char)
            elif item_op is sre.CATEGORY and item_value in _NEGATED:
                hit |= not _CATEGORIES[_NEGATED[item_value]](char)
            else:
                return None
        return hit != negate
    return None


def _delimited(body: list[tuple[Any, Any]]) -> bool:
    """A repeated body that starts with a character none of its inner repeats can match.

    ``(?:\\n[ \\t]+[^\\n]*){0,60}`` is safe: each iteration must begin at a line break
    and nothing inside can consume one, so there is only one way to split the text.
    """
    if not body or body[0][0] is not sre.LITERAL:
        return False
    delimiter = chr(body[0][1])
    for op, value in body[1:]:
        if op in _REPEATS:
            inner = list(value[2])
            if (
                len(inner) != 1
                or _single_char_matches(*inner[0], delimiter) is not False
            ):
                return False
        elif op in (sre.SUBPATTERN, sre.BRANCH):
            return False
    return True


def _ambiguous_alternation(body: list[tuple[Any, Any]]) -> bool:
    """A repeated body holding an alternation with an empty branch.

    Python's parser factors a common prefix out of alternatives, so ``(a|aa)+``
    reads as ``(a(?:|a))+``: the empty branch is what makes each iteration's length
    ambiguous. Two branches that start with the same character are caught too.
    """
    for op, value in body:
        if op is sre.SUBPATTERN and _ambiguous_alternation(list(value[-1])):
            return True
        if op is sre.BRANCH:
            branches = [list(branch) for branch in value[1]]
            if any(not branch for branch in branches):
                return True
            firsts = [b[0][1] for b in branches if b[0][0] is sre.LITERAL]
            if len(firsts) != len(set(firsts)):
                return True
    return False


def _is_wildcard(body: Any) -> bool:
    """Whether a repeat body is ``.``, a negated class or ``\\S``: text of any kind."""
    if len(body) != 1:
        return False
    op, value = body[0]
    if op is sre.ANY or op is sre.NOT_LITERAL:
        return True
    return op is sre.IN and bool(value) and value[0][0] is sre.NEGATE


def _adversarial_inputs(signature: Signature) -> Iterable[str]:
    examples = list(signature.record.get("examples") or []) or [signature.title]
    for example in examples[:3]:
        flat = example.replace("\n", " ")
        yield flat * 40
        yield (flat[:-1] + " ") * 40
        yield " ".join(flat) * 4
    yield "a" * 20000
    yield " \t" * 10000
    yield "\n".join(["    at x.y.z(Foo.java:1)"] * 200)


def check_signature(
    signature: Signature, everything: Matcher | None = None, *, strict: bool = False
) -> list[Problem]:
    """Problems with one signature: shape, timing, (counter-)examples, shadowing."""
    record = signature.record

    def problem(message: str, pointer: str = "", level: str = "error") -> Problem:
        return Problem(signature.source, message, signature.id, pointer, level=level)

    problems = [
        problem(message, "/regex")
        for message in lint_pattern(signature.pattern.pattern, strict=strict)
    ]
    for text in _adversarial_inputs(signature):
        try:
            signature.pattern.search(text, timeout=REGEX_TIMEOUT)
        except TimeoutError:
            problems.append(
                problem(
                    f"regex takes over {REGEX_TIMEOUT:g} s on adversarial input "
                    f"({text[:40]!r}...)",
                    "/regex",
                )
            )
            return problems

    if (
        required_literals(
            signature.pattern.pattern, ignore_case=not record.get("case_sensitive")
        )
        is None
    ):
        problems.append(
            problem(
                "no literal text of 3+ characters that every match contains: "
                "tried on every line (slow)",
                "/regex",
                level="warning",
            )
        )

    examples = list(record.get("examples") or [])
    counters = list(record.get("counter_examples") or [])
    if strict and len(examples) < 2:
        problems.append(problem("needs at least two examples", "/examples"))
    if strict and len(counters) < 2:
        problems.append(
            problem("needs at least two counter-examples", "/counter_examples")
        )

    alone = Matcher([signature])
    kind = (
        "log"
        if "log" in signature.files or "any" in signature.files
        else sorted(signature.files)[0]
    )
    for position, example in enumerate(examples):
        lines = split_lines(example)
        found = alone.scan_lines(lines, kind).findings
        if not found:
            problems.append(
                problem(
                    f"example does not match: {example[:120]!r}",
                    f"/examples/{position}",
                )
            )
            continue
        if everything is not None:
            winners = everything.scan_lines(lines, kind).findings
            if winners and not any(f.signature_id == signature.id for f in winners):
                problems.append(
                    problem(
                        f"shadowed: on its example {example[:80]!r} the finding is "
                        f"{winners[0].signature_id}; tighten one of them or set "
                        "priority",
                        f"/examples/{position}",
                    )
                )
    for position, counter in enumerate(counters):
        if alone.scan_lines(split_lines(counter), kind).findings:
            problems.append(
                problem(
                    f"counter-example matches: {counter[:120]!r}",
                    f"/counter_examples/{position}",
                )
            )

    if everything is None:
        return problems
    for relation in ("leads_to", "preceded_by", "frequently_confused_with"):
        for target in signature.related(relation):
            if target not in everything.ids:
                problems.append(
                    problem(
                        f"transition_graph links to unknown id {target}",
                        f"/transition_graph/{relation}",
                        level="warning",
                    )
                )
    return problems


def check_signatures(
    signatures: list[Signature], *, strict: bool = False
) -> list[Problem]:
    """Check every signature against the others."""
    everything = Matcher(signatures)
    problems: list[Problem] = []
    for signature in signatures:
        problems.extend(check_signature(signature, everything, strict=strict))
    return problems
