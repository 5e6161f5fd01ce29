"""Pattern analysis: the literals every match needs, and whether lines can be joined.

The matcher feeds the literals to one Aho-Corasick automaton so that a pattern is
only tried on lines that hold one of them. The analysis reads Python's own parser
and is conservative: when unsure it answers "no requirement" (None) or "not
line-local" (False), which costs speed, never a match.
"""

from __future__ import annotations

import logging
import re._constants as sre
import re._parser as sre_parse
import warnings
from typing import Any

import regex

logger = logging.getLogger(__name__)

MIN_LITERAL = 3
"""Shorter literals hit too many lines to be worth a prefilter."""

MAX_ALTERNATIVES = 64

_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)}

# Python's parser reads a `regex` fuzzy constraint such as "(?:foo){e<=1}" as the
# literal text "{e<=1}", and the group before it is then not required at all.
_FUZZY = regex.compile(r"(?:^|[^\\])(?:\\\\)*\{[^}]*[eids][^}]*\}")

_STRING_ANCHORS = {sre.AT_BEGINNING_STRING, sre.AT_END_STRING}


def fold(text: str) -> str:
    """The case-folded form the literals and the text they are found in share."""
    return text.casefold()


def required_literals(
    pattern: str, *, ignore_case: bool = True
) -> tuple[str, ...] | None:
    """Literals one of which occurs in every match of *pattern*, case-folded.

    No literal holds a line break, so each is found within one line.

    Returns None when no such set of useful literals is found, or when the pattern
    uses syntax only the ``regex`` package knows.
    """
    parsed = _parse(pattern, ignore_case)
    if parsed is None:
        return None

    _, required = _sequence(parsed)
    if not required:
        return None

    # The text is searched line by line at times: keep the longest line of each.
    literals = tuple(
        sorted({max(fold(literal).split("\n"), key=_weight) for literal in required})
    )
    if min(_weight(literal) for literal in literals) < MIN_LITERAL:
        return None
    return literals


def line_local(pattern: str) -> bool:
    """Whether *pattern* finds the same matches in a line alone and inside a text.

    True when no match crosses a line break (the caller checks that) and nothing in
    the pattern looks past the match: no lookaround (it could see the next line) and
    no ``\\A`` or ``\\Z`` (they anchor at each line only when it stands alone).
    """
    parsed = _parse(pattern, ignore_case=False)
    return parsed is not None and _only_local(parsed)


def _parse(pattern: str, ignore_case: bool) -> list[tuple[Any, Any]] | None:
    """Python's parse of *pattern*, or None where it may differ from `regex`'s."""
    if _FUZZY.search(pattern):
        logger.debug("no analysis for %r: it may use fuzzy matching", pattern)
        return None
    try:
        with warnings.catch_warnings():
            # "Possible nested set": a POSIX class such as [[:digit:]], which
            # Python reads as a set followed by a literal "]".
            warnings.simplefilter("error")
            parsed = sre_parse.parse(
                pattern, sre.SRE_FLAG_IGNORECASE if ignore_case else 0
            )
    except Exception as exc:  # noqa: BLE001 - any parse failure means "no analysis"
        logger.debug("no analysis for %r: %s", pattern, exc)
        return None
    return list(parsed)


def _only_local(items: Any) -> bool:
    """False when the parsed *items* hold a lookaround or a string anchor."""
    for op, value in items:
        if op is sre.ASSERT or op is sre.ASSERT_NOT:
            return False
        if op is sre.AT and value in _STRING_ANCHORS:
            return False
        nested = value if isinstance(value, tuple | list) else (value,)
        for part in nested:
            if isinstance(part, sre_parse.SubPattern) and not _only_local(part):
                return False
            if isinstance(part, list) and not all(
                _only_local(branch)
                for branch in part
                if isinstance(branch, sre_parse.SubPattern)
            ):
                return False
    return True


def _leading(items: list[tuple[Any, Any]]) -> str:
    """The literal characters a sequence starts with."""
    chars = []
    for op, value in items:
        if op is sre.LITERAL:
            chars.append(chr(value))
        elif op is sre.IN and len(value) == 1 and value[0][0] is sre.LITERAL:
            chars.append(chr(value[0][1]))
        else:
            break
    return "".join(chars)


def _weight(literal: str) -> int:
    """How selective a literal is: a non-ASCII character (CJK, say) counts double."""
    return sum(2 if ord(char) > 127 else 1 for char in literal)


def _sequence(items: list[tuple[Any, Any]]) -> tuple[str | None, set[str] | None]:
    """Analyse a sequence: (its exact text if it is all literal, best required set)."""
    candidates: list[set[str]] = []
    run: list[str] = []
    exact = True

    def close_run() -> None:
        if run:
            candidates.append({"".join(run)})
            run.clear()

    for op, value in items:
        if op is sre.LITERAL:
            run.append(chr(value))
            continue
        if op is sre.AT:
            continue
        if op is sre.IN and len(value) == 1 and value[0][0] is sre.LITERAL:
            run.append(chr(value[0][1]))
            continue
        if op is sre.SUBPATTERN or op is getattr(sre, "ATOMIC_GROUP", None):
            body = value[-1] if op is sre.SUBPATTERN else value
            inner_exact, inner_required = _sequence(list(body))
            if inner_exact is not None:
                run.append(inner_exact)
                continue
            exact = False
            close_run()
            if inner_required:
                candidates.append(inner_required)
            continue
        exact = False
        run_before_branch = list(run)
        close_run()
        if op is sre.BRANCH:
            # Python's parser factors a shared prefix out of alternatives
            # ("OOMKilled|OOM" reads as "O(?:OMKilled|OM)"): glue it back on.
            prefix = "".join(run_before_branch)
            branch_sets = []
            for branch in value[1]:
                branch_exact, branch_required = _sequence(list(branch))
                glued = prefix + (
                    branch_exact if branch_exact is not None else _leading(list(branch))
                )
                chosen = {branch_exact} if branch_exact else branch_required
                if len(glued) >= min((len(c) for c in chosen or {""}), default=0):
                    chosen = {glued} if glued else chosen
                if not chosen:
                    branch_sets = []
                    break
                branch_sets.append(chosen)
            union = set().union(*branch_sets) if branch_sets else set()
            if union and len(union) <= MAX_ALTERNATIVES:
                candidates.append(union)
        elif op in _REPEATS:
            low, _high, body = value
            if low >= 1:
                inner_exact, inner_required = _sequence(list(body))
                chosen = {inner_exact} if inner_exact else inner_required
                if chosen:
                    candidates.append(chosen)
        # Anything else (classes, any, lookarounds, backrefs) requires nothing.
    close_run()

    text = None
    if exact and len(candidates) <= 1:
        text = next(iter(candidates[0])) if candidates else ""
    usable = [c for c in candidates if c and all(c_ for c_ in c)]
    if not usable:
        return text, None
    best = max(usable, key=lambda c: (min(_weight(s) for s in c), -len(c)))
    return text, best
