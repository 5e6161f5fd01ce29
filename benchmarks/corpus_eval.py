"""Measure faultlore's knowledge base on the shared real-world corpora.

Prints one table: recall on the bug-report excerpts (``reports/INDEX.md``), precision
and recall on fail2ban's labelled auth-failure logs, and findings per 10,000 lines on
mostly benign logs; the same for the deadends.dev canons loaded instead of ours.

    python benchmarks/corpus_eval.py [--corpora ../shared/corpora] [--json]

The tests import the measuring functions from here, so the figures in the README and
the gates in CI come from the same code.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import sys
import tomllib
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import attrs
from rich.console import Console
from rich.table import Table

from faultlore import filekinds
from faultlore.kb import KnowledgeBase, bundled_path, load_knowledge_base
from faultlore.matcher import Finding, Matcher
from faultlore.scan import scan_file

HERE = Path(__file__).resolve().parent
EXPECTED = HERE / "reports-expected.toml"

AUTH_FAMILIES = (
    "sshd",
    "postfix",
    "dovecot",
    "exim",
    "mysqld-auth",
    "nginx-http-auth",
    "apache-auth",
)
BENIGN_LOGHUB = ("Windows", "Mac", "Android", "HealthApp", "Proxifier", "OpenStack")


def default_corpora() -> Path:
    return HERE.parent.parent / "shared" / "corpora"


def load_bundled() -> KnowledgeBase:
    return load_knowledge_base([bundled_path()])


def load_canons(corpora: Path) -> KnowledgeBase:
    canons = corpora / "deadends-canons"
    return load_knowledge_base(
        [
            p
            for p in sorted(canons.rglob("*.json"))
            if p.name != "benchmark-scenarios.json"
        ]
    )


# --- reports/ -----------------------------------------------------------------


@attrs.frozen
class ReportRow:
    file: str
    error: str
    lines: tuple[int, ...]


def parse_index(corpora: Path) -> list[ReportRow]:
    """The rows of reports/INDEX.md: file, error shown, 1-based signature lines."""
    rows = []
    for line in (corpora / "reports" / "INDEX.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        match = re.match(r"\[([^\]]+)\]", cells[0]) if cells else None
        if not match or len(cells) < 4:
            continue
        numbers: list[int] = []
        for part in re.findall(r"\d+(?:-\d+)?", cells[3]):
            low, _, high = part.partition("-")
            numbers.extend(range(int(low), int(high or low) + 1))
        rows.append(ReportRow(match.group(1), cells[2], tuple(numbers)))
    return rows


def expected_ids() -> dict[str, list[str]]:
    """File name -> id globs of the signatures 'about' its error (reviewed by hand)."""
    return tomllib.loads(EXPECTED.read_text())["expected"]


@attrs.frozen
class ReportResult:
    row: ReportRow
    findings: tuple[Finding, ...]
    about: tuple[Finding, ...]
    """The findings whose signature is about the file's error."""
    covered: tuple[int, ...]


def covered_lines(findings: Iterable[Finding]) -> set[int]:
    """1-based lines that lie within a finding's span."""
    lines: set[int] = set()
    for finding in findings:
        lines.update(range(finding.line + 1, finding.end_line + 2))
    return lines


def evaluate_reports(
    matcher: Matcher, corpora: Path, expected: dict[str, list[str]] | None
) -> list[ReportResult]:
    """Scan each report file; with *expected*, only findings about its error count."""
    results = []
    for row in parse_index(corpora):
        path = corpora / "reports" / row.file
        findings = tuple(scan_file(matcher, path).findings)
        if expected is None:
            about = findings
        else:
            globs = expected.get(row.file, [])
            about = tuple(
                f
                for f in findings
                if any(
                    fnmatch.fnmatchcase(sid, glob)
                    for sid in (f.signature_id, *f.alternatives)
                    for glob in globs
                )
            )
        covered = tuple(sorted(covered_lines(about) & set(row.lines)))
        results.append(ReportResult(row, findings, about, covered))
    return results


# --- fail2ban-logs/ -------------------------------------------------------------


@attrs.frozen
class Labelled:
    family: str
    line: int
    """0-based line of the labelled log line."""
    match: bool
    counts_for_recall: bool
    """Whether fail2ban's default filter (postfix: its SASL "auth" mode) catches it."""


def _default_mode(family: str, options: list[dict]) -> bool:
    """Whether a test block with these ``filterOptions`` runs in the default mode.

    Blocks only for the ddos, aggressive, extra or errors modes test what fail2ban
    catches beyond login failures; postfix's default mode is about rejected mail, and
    its login failures are the "auth" mode.
    """
    modes = {option.get("mode", "") for option in options if isinstance(option, dict)}
    if family == "postfix":
        return "auth" in modes
    return not options or bool(modes & {"", "normal"})


def fail2ban_labels(
    corpora: Path, families: Iterable[str] = AUTH_FAMILIES
) -> list[Labelled]:
    """Lines a ``# failJSON:`` marker labels as an auth failure or a deliberate miss."""
    labels = []
    for family in families:
        lines = (
            (corpora / "fail2ban-logs" / family)
            .read_text(errors="replace")
            .splitlines()
        )
        options: list[dict] = []
        for number, line in enumerate(lines[:-1]):
            if line.startswith("# filterOptions:"):
                try:
                    parsed = json.loads(line.partition(":")[2])
                except json.JSONDecodeError:
                    parsed = []
                options = parsed if isinstance(parsed, list) else [parsed]
                continue
            if not line.startswith("# failJSON:"):
                continue
            try:
                marker = json.loads(line.partition(":")[2])
            except json.JSONDecodeError:
                continue
            if isinstance(marker, dict) and "match" in marker:
                counts = _default_mode(family, options) and "constraint" not in marker
                labels.append(
                    Labelled(family, number + 1, bool(marker["match"]), counts)
                )
    return labels


@attrs.frozen
class PrecisionRecall:
    true_positive: int
    false_positive: int
    false_negative: int

    @property
    def precision(self) -> float:
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else 1.0


def evaluate_fail2ban(
    matcher: Matcher, kb: KnowledgeBase, corpora: Path, *, auth_only: bool = True
) -> dict[str, PrecisionRecall]:
    """Per family: a labelled line is flagged when an auth-failure finding is on it."""
    by_family: dict[str, list[Labelled]] = {}
    for label in fail2ban_labels(corpora):
        by_family.setdefault(label.family, []).append(label)
    results = {}
    for family, labels in by_family.items():
        findings = scan_file(
            matcher, corpora / "fail2ban-logs" / family, filekinds.LOG
        ).findings
        flagged = {
            f.line
            for f in findings
            if not auth_only
            or kb.get(f.signature_id).category in ("auth_failure", "auth_error")
        }
        # Every deliberate miss counts against precision, whatever its mode.
        wanted = [label for label in labels if label.match and label.counts_for_recall]
        tp = sum(1 for label in wanted if label.line in flagged)
        fn = len(wanted) - tp
        fp = sum(1 for label in labels if not label.match and label.line in flagged)
        results[family] = PrecisionRecall(tp, fp, fn)
    return results


# --- benign logs ------------------------------------------------------------------


def benign_files(corpora: Path) -> list[Path]:
    files = [
        p
        for name in BENIGN_LOGHUB
        for p in sorted((corpora / "loghub" / name).glob("*.log"))
    ]
    files += [
        p
        for p in sorted((corpora / "lnav-test-logs").iterdir())
        if p.is_file() and p.name not in ("README.md", "LICENSE")
    ]
    return files


@attrs.frozen
class BenignHit:
    path: Path
    finding: Finding


def evaluate_benign(matcher: Matcher, corpora: Path) -> tuple[int, list[BenignHit]]:
    """Lines scanned and every finding on the benign-heavy logs."""
    total_lines = 0
    hits = []
    for path in benign_files(corpora):
        scan = scan_file(matcher, path, filekinds.LOG)
        total_lines += sum(1 for _ in path.open("rb"))
        hits.extend(BenignHit(path, f) for f in scan.findings)
    return total_lines, hits


# --- the table ----------------------------------------------------------------------


def measure(
    kb: KnowledgeBase, corpora: Path, expected: dict[str, list[str]] | None
) -> dict[str, object]:
    matcher = Matcher(kb)
    reports = evaluate_reports(matcher, corpora, expected)
    wanted = sum(len(r.row.lines) for r in reports)
    covered = sum(len(r.covered) for r in reports)
    log_rows = [r for r in reports if r.row.file.endswith(".log")]
    fail2ban = evaluate_fail2ban(matcher, kb, corpora, auth_only=expected is not None)
    total = PrecisionRecall(
        sum(r.true_positive for r in fail2ban.values()),
        sum(r.false_positive for r in fail2ban.values()),
        sum(r.false_negative for r in fail2ban.values()),
    )
    lines, hits = evaluate_benign(matcher, corpora)
    return {
        "signatures": len(kb),
        "reports_line_recall": covered / wanted if wanted else 0.0,
        "reports_lines": (covered, wanted),
        "reports_files_found": sum(1 for r in log_rows if r.about),
        "reports_files": len(log_rows),
        "fail2ban": fail2ban,
        "fail2ban_total": total,
        "benign_lines": lines,
        "benign_findings": len(hits),
        "benign_per_10k": len(hits) * 10000 / lines if lines else 0.0,
        "benign_top": Counter(h.finding.signature_id for h in hits).most_common(5),
    }


def markdown_table(table: Table) -> str:
    """A rich table as a Markdown table, cell text unchanged."""
    headers = [str(column.header) for column in table.columns]
    cells = [[str(cell) for cell in column.cells] for column in table.columns]
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join(" --- " for _ in headers) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in zip(*cells, strict=True)]
    return "\n".join(lines)


def print_table(table: Table, *, markdown: bool) -> None:
    """Print *table* for a terminal, or as Markdown for the README."""
    if markdown:
        print(markdown_table(table))
    else:
        Console(width=max(100, Console().width)).print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=default_corpora())
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="Print a Markdown table (for the README).",
    )
    parser.add_argument(
        "--no-canons", action="store_true", help="Measure only our knowledge base."
    )
    args = parser.parse_args(argv)
    if not (args.corpora / "reports" / "INDEX.md").is_file():
        print(f"no corpora at {args.corpora} (pass --corpora)", file=sys.stderr)
        return 2

    columns = {
        "faultlore (bundled)": measure(load_bundled(), args.corpora, expected_ids())
    }
    if not args.no_canons:
        # The canons have no notion of "about this error": any finding on the line
        # counts.
        columns["deadends.dev canons"] = measure(
            load_canons(args.corpora), args.corpora, None
        )

    table = Table(title="faultlore on the shared corpora")
    table.add_column("measure")
    for name in columns:
        table.add_column(name, justify="right")

    def row(label: str, render) -> None:
        table.add_row(label, *(render(m) for m in columns.values()))

    row("signatures", lambda m: str(m["signatures"]))
    row(
        "reports: files with a finding on their error",
        lambda m: f"{m['reports_files_found']}/{m['reports_files']}",
    )
    row(
        "reports: signature-line recall (target >= 95%)",
        lambda m: (
            f"{m['reports_line_recall']:.1%} "
            f"({m['reports_lines'][0]}/{m['reports_lines'][1]})"
        ),
    )
    row(
        "fail2ban auth: recall (target >= 90%)",
        lambda m: f"{m['fail2ban_total'].recall:.1%}",
    )
    row(
        "fail2ban auth: precision (target >= 99%)",
        lambda m: f"{m['fail2ban_total'].precision:.1%}",
    )
    for family in AUTH_FAMILIES:
        row(
            f"  {family}: recall / precision",
            lambda m, family=family: (
                f"{m['fail2ban'][family].recall:.0%} / "
                f"{m['fail2ban'][family].precision:.0%}"
                if family in m["fail2ban"]
                else "-"
            ),
        )
    row(
        "benign logs: findings per 10k lines (target <= 5)",
        lambda m: (
            f"{m['benign_per_10k']:.1f} ({m['benign_findings']} in {m['benign_lines']})"
        ),
    )
    row(
        "benign logs: most frequent",
        lambda m: ", ".join(f"{i} x{n}" for i, n in m["benign_top"][:3]) or "-",
    )
    print_table(table, markdown=args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
