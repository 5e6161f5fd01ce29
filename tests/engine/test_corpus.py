"""The bundled knowledge base on real input: bug-report excerpts and benign logs.

The corpora are read in place from ../shared/corpora (skipped, saying why, when a
clone does not have them). The measuring code is shared with
``benchmarks/corpus_eval.py``, which prints the same figures as a table.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from benchmarks.corpus_eval import (
    evaluate_benign,
    evaluate_reports,
    expected_ids,
    parse_index,
)
from tests.conftest import DATA, corpora_root

from faultlore.kb import bundled_path, load_knowledge_base
from faultlore.matcher import Matcher

ALLOWLIST = DATA / "benign-allowlist.toml"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_knowledge_base([bundled_path()]))


@pytest.fixture(scope="module")
def report_results(matcher: Matcher, corpora: Path):
    return {r.row.file: r for r in evaluate_reports(matcher, corpora, expected_ids())}


def report_logs() -> list[str]:
    root = corpora_root()
    if root is None:
        return ["(corpora absent)"]
    return [row.file for row in parse_index(root) if row.file.endswith(".log")]


@pytest.mark.parametrize("name", report_logs())
def test_every_report_log_gets_a_finding_about_its_error(
    report_results, name: str
) -> None:
    result = report_results[name]

    assert result.about, (
        f"{name} ({result.row.error}): no finding from {expected_ids().get(name)}; "
        f"found {[f.signature_id for f in result.findings]}"
    )


def test_report_signature_lines_are_covered(report_results) -> None:
    wanted = sum(len(r.row.lines) for r in report_results.values())
    covered = sum(len(r.covered) for r in report_results.values())
    missed = {
        name: sorted(set(r.row.lines) - set(r.covered))
        for name, r in report_results.items()
        if set(r.row.lines) - set(r.covered)
    }

    assert covered / wanted >= 0.85, (
        f"{covered}/{wanted} lines covered; missed: {missed}"
    )


def test_every_expected_mapping_names_an_indexed_file(corpora: Path) -> None:
    indexed = {row.file for row in parse_index(corpora)}

    assert set(expected_ids()) <= indexed


def test_benign_logs_match_the_reviewed_allowlist(
    matcher: Matcher, corpora: Path
) -> None:
    reviewed = tomllib.loads(ALLOWLIST.read_text())["finding"]
    allowed = {(entry["file"], entry["line"], entry["id"]) for entry in reviewed}
    assert all(entry["why"].strip() for entry in reviewed)

    _, hits = evaluate_benign(matcher, corpora)
    found = {
        (
            hit.path.relative_to(corpora).as_posix(),
            hit.finding.line + 1,
            hit.finding.signature_id,
        )
        for hit in hits
    }

    new = sorted(found - allowed)
    stale = sorted(allowed - found)
    assert not new, (
        "new findings on benign logs (tighten the regex, or review and allow-list): "
        f"{new}"
    )
    assert not stale, (
        f"allow-listed findings that no longer occur (remove them): {stale}"
    )
