"""Pattern analysis: required literals must be sound, joined searches line-local."""

from __future__ import annotations

import re

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.engine.test_matcher import _signature

from faultlore.literals import fold, line_local, required_literals
from faultlore.matcher import Matcher

# Words with characters whose case is tricky: the final sigma, sharp s, Kelvin sign.
WORDS = ["abc", "fail", "ΛΟΓΟΣ", "λογοσ", "straße", "STRASSE", "\u212aelvin", "-"]
ATOMS = [*map(re.escape, WORDS), "[a-c]", r"\d", ".", r"\s", "[^x]"]


def _patterns() -> st.SearchStrategy[str]:
    """Small patterns built from literals, classes, groups, alternations, repeats."""
    atom = st.sampled_from(ATOMS)

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        group = inner.map(lambda p: f"(?:{p})")
        repeat = st.tuples(group, st.sampled_from(["?", "*", "+", "{1,3}", "{0,2}"]))
        return st.one_of(
            st.lists(inner, min_size=2, max_size=4).map("".join),
            st.lists(inner, min_size=2, max_size=3).map("|".join).map("(?:{})".format),
            repeat.map("".join),
        )

    return st.recursive(atom, extend, max_leaves=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), pattern=_patterns())
def test_every_match_holds_one_of_the_required_literals(data, pattern: str) -> None:
    literals = required_literals(pattern)
    compiled = re.compile(pattern, re.IGNORECASE)
    text = data.draw(st.from_regex(compiled))

    match = regex.search(pattern, text, regex.IGNORECASE | regex.MULTILINE)

    if literals is not None and match is not None and match.group():
        assert any(literal in fold(match.group()) for literal in literals), (
            literals,
            match.group(),
        )


@pytest.mark.parametrize(
    ("pattern", "line"),
    [
        # Python reads the fuzzy constraint as literal text: "foobar{e<=1} seen".
        pytest.param(r"(?:foobar){e<=1} seen", "fooXar seen", id="fuzzy"),
        # Python reads a POSIX class as a set and a literal "]".
        pytest.param(r"[[:digit:]]wxyz failed", "7wxyz failed", id="posix-class"),
        # Lower-casing makes the last sigma final ("ς"), the pattern has "σ".
        pytest.param(r"λογοσ failed", "ΛΟΓΟΣ failed", id="final-sigma"),
        # "ſ" (long s) is an "s" to the regex, but not to str.lower.
        pytest.param(r"stop signal", "ſtop signal", id="long-s"),
    ],
)
def test_prefilter_keeps_lines_the_regex_matches(pattern: str, line: str) -> None:
    matcher = Matcher([_signature(pattern)])

    findings = matcher.scan_text(line).findings

    assert [(f.line, f.column, f.end_column) for f in findings] == [(0, 0, len(line))]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # A negative lookahead must not see the next line.
        pytest.param(r"job error(?!\s+job)", 40, id="negative-lookahead"),
        # Nor may a positive one.
        pytest.param(r"job error(?=\s+job)", 0, id="positive-lookahead"),
        # \Z ends every line searched alone.
        pytest.param(r"job error\Z", 40, id="end-of-string"),
    ],
)
def test_dense_candidates_match_as_lines_alone(pattern: str, expected: int) -> None:
    matcher = Matcher([_signature(pattern)])
    lines = ["job error"] * 40

    findings = matcher.scan_lines(lines).findings

    assert len(findings) == expected


@pytest.mark.parametrize(
    ("pattern", "local"),
    [
        pytest.param(r"^\s*foo\b[^\n]*$", True, id="line-anchors"),
        pytest.param(r"(?:a|b(?=c))", False, id="lookahead-in-branch"),
        pytest.param(r"(?>x(?<!y))+", False, id="lookbehind-in-atomic-repeat"),
        pytest.param(r"\Afoo", False, id="start-of-string"),
        pytest.param(r"\p{L}+", False, id="regex-only-syntax"),
    ],
)
def test_line_local(pattern: str, local: bool) -> None:
    assert line_local(pattern) is local


@pytest.mark.parametrize(
    ("pattern", "text", "literals"),
    [
        # Only line breaks are literal: nothing to prefilter on.
        pytest.param(r"\n\n\n", "a\n\n\n\nb", None, id="only-line-breaks"),
        # The longest line of a literal that spans lines.
        pytest.param(r"x\n\nlonger", "x\n\nlonger", ("longer",), id="longest-line"),
    ],
)
def test_multiline_literals_keep_one_line(
    pattern: str, text: str, literals: tuple[str, ...] | None
) -> None:
    matcher = Matcher([_signature(pattern, multiline=True)])

    [finding] = matcher.scan_text(text).findings

    assert required_literals(pattern) == literals
    assert finding.text == regex.search(pattern, text).group()


def test_folding_that_changes_lengths_keeps_line_numbers() -> None:
    # "ß" folds to "ss": the folded text is longer than the original.
    matcher = Matcher([_signature(r"straße kaputt")])

    findings = matcher.scan_text("Grüße, ßß\nx\nStraße kaputt\nSTRASSE kaputt").findings

    assert [(f.line, f.column, f.text) for f in findings] == [(2, 0, "Straße kaputt")]
