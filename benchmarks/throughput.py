"""Scan throughput on real logs: the loghub corpus concatenated to a given size.

    python benchmarks/throughput.py [--mb 10] [--corpora ../shared/corpora]

Prints MB/s and findings for the bundled knowledge base and for the deadends.dev
canons (2,522 loose patterns), each on the same text. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_eval import (  # noqa: E402
    default_corpora,
    load_bundled,
    load_canons,
    print_table,
)

from faultlore.matcher import Matcher  # noqa: E402
from faultlore.scan import scan_file  # noqa: E402


def build_input(corpora: Path, megabytes: float, target: Path) -> Path:
    """Concatenate the loghub logs, repeated, to *megabytes* of text at *target*."""
    sources = sorted((corpora / "loghub").glob("*/*.log"))
    size = int(megabytes * 1_000_000)
    written = 0
    with target.open("wb") as out:
        while written < size:
            for source in sources:
                data = source.read_bytes()
                out.write(data if data.endswith(b"\n") else data + b"\n")
                written += len(data) + 1
                if written >= size:
                    break
    return target


def measure(name: str, kb, path: Path) -> tuple[str, int, float, float, int, float]:
    started = time.perf_counter()
    matcher = Matcher(kb)
    build = time.perf_counter() - started
    started = time.perf_counter()
    scan = scan_file(matcher, path, "log")
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000
    megabytes = path.stat().st_size / 1_000_000
    return name, len(kb), build, megabytes / elapsed, len(scan.findings), peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--corpora", type=Path, default=default_corpora())
    parser.add_argument("--out", type=Path, default=Path("/tmp/faultlore-bench.log"))
    parser.add_argument("--no-canons", action="store_true")
    parser.add_argument(
        "--markdown", action="store_true", help="Print a Markdown table."
    )
    args = parser.parse_args()
    if not (args.corpora / "loghub").is_dir():
        print(f"no corpora at {args.corpora} (pass --corpora)", file=sys.stderr)
        return 2

    path = build_input(args.corpora, args.mb, args.out)
    rows = [measure("faultlore bundled", load_bundled(), path)]
    if not args.no_canons:
        rows.append(measure("deadends.dev canons", load_canons(args.corpora), path))

    table = Table(
        title=f"scan throughput on {path.stat().st_size / 1e6:.1f} MB of loghub logs"
    )
    for column in (
        "knowledge base",
        "signatures",
        "build s",
        "MB/s",
        "findings",
        "peak RSS MB so far",
    ):
        table.add_column(column, justify="right")
    for name, count, build, speed, findings, peak in rows:
        table.add_row(
            name,
            str(count),
            f"{build:.2f}",
            f"{speed:.2f}",
            str(findings),
            f"{peak:.0f}",
        )
    print_table(table, markdown=args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
