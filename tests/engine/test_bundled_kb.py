"""Quality gates for the bundled knowledge base: `faultlore kb validate`, and more."""

from __future__ import annotations

from collections import Counter

import pytest

from faultlore.kb import bundled_path, load_knowledge_base
from faultlore.kb.validate import check_signatures


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base([bundled_path()])


def test_bundled_kb_loads_without_problems(kb) -> None:
    assert kb.problems == []


def test_bundled_kb_passes_strict_validation(kb) -> None:
    problems = check_signatures(list(kb), strict=True)

    assert not problems, "\n".join(str(p) for p in problems[:40])


def test_breadth(kb) -> None:
    config = [s for s in kb if s.files - {"log"}]
    chinese = [
        s for s in kb if s.record.get("signature_zh") and s.record.get("root_cause_zh")
    ]

    assert len(kb) >= 400
    assert len(config) >= 60
    assert len(chinese) >= 100
    domains = Counter(s.domain for s in kb)
    for domain in (
        "communication",
        "security",
        "web",
        "network",
        "database",
        "container",
        "system",
        "runtime",
        "package",
    ):
        assert domains[domain] >= 10, domains


def test_config_signatures_offer_an_in_place_fix(kb) -> None:
    config = [s for s in kb if s.files - {"log"}]
    with_fix = [s for s in config if any(w.snippet for w in s.workarounds())]

    # A few have no safe literal fix (a floating image tag needs a version only the
    # user knows); they explain the change in words instead.
    assert len(with_fix) >= 60
    assert len(with_fix) >= 0.9 * len(config)


def test_every_record_explains_itself(kb) -> None:
    incomplete = [
        s.id
        for s in kb
        if not (
            s.record.get("root_cause")
            and s.workarounds()
            and (s.record.get("official_doc_url") or "").startswith("https://")
            and s.record.get("versions")
            and isinstance(s.record.get("confidence"), float | int)
        )
    ]

    assert not incomplete, incomplete[:20]


def test_chinese_workarounds_line_up_with_english(kb) -> None:
    mismatched = [
        s.id
        for s in kb
        if s.record.get("workarounds_zh")
        and len(s.record["workarounds_zh"]) != len(s.record.get("workarounds") or [])
    ]

    assert not mismatched
