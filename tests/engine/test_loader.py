"""Loading knowledge bases: every format, every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import DATA

from faultlore.kb import check_text, load_knowledge_base, read_source

KB = DATA / "kb"


def test_seed_example_loads_with_every_field(corpora: Path) -> None:
    seed = corpora.parent / "kb-format" / "seed-example.json"
    signatures, problems = read_source(seed)

    assert problems == []
    [signature] = signatures
    raw = json.loads(seed.read_text())
    assert signature.id == raw["id"]
    assert dict(signature.record) == raw
    assert signature.severity == "error"  # auth_error is not a warning category
    assert [w.success_rate for w in signature.workarounds()] == [0.95, 0.9, 0.85]
    assert signature.workarounds()[0].action_zh.startswith("在邮件提供商")
    assert signature.pattern.search("535 5.7.8  authentication CREDENTIALS invalid")


def test_array_jsonl_and_folder_sources(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    (folder / "nested").mkdir(parents=True)
    (folder / "nested" / "one.json").write_text(
        json.dumps({"id": "a/one", "signature": "one", "regex": "one thing"})
    )
    (folder / "many.jsonl").write_text(
        "\n".join(
            json.dumps({"id": f"a/line-{n}", "signature": "x", "regex": f"line {n}"})
            for n in range(3)
        )
    )
    (folder / "notes.txt").write_text("not a knowledge base file")

    kb = load_knowledge_base([folder])

    assert sorted(kb.signatures) == ["a/line-0", "a/line-1", "a/line-2", "a/one"]
    assert kb.problems == []


@pytest.mark.parametrize(
    ("name", "expected", "message", "loaded"),
    [
        # The broken second record is named with its line; the first still loads.
        pytest.param(
            "broken-json.json",
            ("#1", None, 3),
            "broken JSON",
            ["test/first-good"],
            id="broken-json",
        ),
        # A rate above 1: the record and the field are named, the next record loads.
        pytest.param(
            "schema-violation.json",
            ("test/bad-rate", "/workarounds/0/success_rate", 3),
            "1.7",
            ["test/good-after-bad"],
            id="schema-violation",
        ),
        pytest.param(
            "bad-regex.json",
            ("test/unbalanced", "/regex", 2),
            "regex does not compile",
            ["test/fine"],
            id="bad-regex",
        ),
        pytest.param(
            "duplicate-id.json",
            ("test/twice", "/id", 3),
            "duplicate id",
            ["test/twice"],
            id="duplicate-id",
        ),
    ],
)
def test_bad_input_names_file_record_and_field(name, expected, message, loaded) -> None:
    kb = load_knowledge_base([KB / name])

    [problem] = kb.problems
    record, pointer, line = expected
    assert problem.path.endswith(name)
    assert problem.record == record
    if pointer is not None:
        assert problem.pointer == pointer
    assert problem.line == line
    assert message in str(problem)
    assert sorted(kb.signatures) == loaded


def test_duplicate_id_keeps_the_later_record() -> None:
    kb = load_knowledge_base([KB / "duplicate-id.json"])

    assert kb.get("test/twice").title == "second version"


def test_later_source_overrides_and_is_logged(caplog) -> None:
    caplog.set_level("INFO", logger="faultlore")

    kb = load_knowledge_base([KB / "small.json", KB / "override.jsonl"])

    assert kb.get("test/oom-killed-process").title == "Overridden OOM title"
    assert "overrides" in caplog.text


def test_missing_source_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    kb = load_knowledge_base([tmp_path / "absent", KB / "small.json"])

    assert "no such file" in str(kb.problems[0])
    assert len(kb) == 6


def test_unclosed_array_keeps_complete_records() -> None:
    text = '[{"id": "a/b", "signature": "s", "regex": "complete one"},\n'

    signatures, problems = check_text(text, "cut.json")

    assert [s.id for s in signatures] == ["a/b"]
    assert "broken JSON" in problems[0].message or "not closed" in problems[0].message


def test_deadends_canons_all_load(corpora: Path) -> None:
    canons = corpora / "deadends-canons"
    files = [p for p in canons.rglob("*.json") if p.name != "benchmark-scenarios.json"]

    kb = load_knowledge_base(files)

    assert len(files) == 2522
    assert kb.problems == []
    assert len(kb) == 2522
    sample = next(s for s in kb if s.id.startswith("python/"))
    assert sample.record["root_cause"]
    assert sample.workarounds()


def test_json_lines_record_may_hold_unicode_line_separators() -> None:
    record = {"id": "a/sep", "signature": "first\u2028second\x85third", "regex": "sep"}
    text = json.dumps(record, ensure_ascii=False) + "\r\n"

    signatures, problems = check_text(text, "separators.jsonl")

    assert problems == []
    assert [s.title for s in signatures] == [record["signature"]]


def test_canon_without_id_is_a_problem_not_a_crash() -> None:
    canon = {"error": {"signature": "x", "regex": "thing broke"}, "verdict": {}}

    signatures, problems = check_text(json.dumps([canon]), "canons.json")

    assert signatures == []
    [problem] = problems
    assert (problem.record, problem.pointer) == ("#0", "/id")
