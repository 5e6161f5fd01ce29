"""The ``faultlore`` command: check files, explain signatures, check knowledge bases."""

from __future__ import annotations

import logging
import sys
from collections import Counter
from pathlib import Path

import click
from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table

from faultlore import __version__, filekinds
from faultlore.card import build_card, render_markdown, render_plain
from faultlore.fixes import COMMENT_PREFIX, inline_ignores, is_ignored
from faultlore.ignores import Ignores, file_key, read_ignores
from faultlore.kb import KnowledgeBase, default_sources, load_knowledge_base
from faultlore.kb.model import SEVERITIES
from faultlore.kb.validate import check_signatures
from faultlore.matcher import Finding, Matcher
from faultlore.report import Located, to_json, to_sarif
from faultlore.scan import FileScan, scan_file, scan_stdin, walk
from faultlore.text import decode, split_lines

logger = logging.getLogger("faultlore")

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

_STYLE = {
    "error": "bold red",
    "warning": "yellow",
    "information": "cyan",
    "hint": "dim",
}

kb_option = click.option(
    "--kb",
    "kb_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help=(
        "Add a knowledge-base file or folder (repeatable); loaded after the bundled "
        "one."
    ),
)
no_bundled_option = click.option(
    "--no-bundled", is_flag=True, help="Leave the bundled knowledge base out."
)


def setup_logging(verbose: int, log_file: Path | None) -> None:
    """Log to stderr (warnings by default, -v info, -vv debug) and optionally a file."""
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8")
        if log_file
        else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("faultlore")
    root.handlers[:] = [handler]
    root.setLevel(level)


def load(kb_paths: tuple[Path, ...], no_bundled: bool, err: Console) -> KnowledgeBase:
    """Load the standard sources plus *kb_paths*, printing each problem once."""
    sources = default_sources(bundled=not no_bundled, workspace=Path.cwd())
    kb = load_knowledge_base([*sources, *kb_paths])
    for problem in kb.problems:
        err.print(
            f"[yellow]knowledge base:[/] {escape(str(problem))}",
            markup=True,
            highlight=False,
            soft_wrap=True,
        )
    return kb


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="faultlore")
@click.option(
    "-v", "--verbose", count=True, help="More log output on stderr (-vv for debug)."
)
@click.option(
    "--log-file",
    type=click.Path(path_type=Path),
    help="Write the log to this file instead of stderr.",
)
def main(verbose: int, log_file: Path | None) -> None:
    """Find known failures in logs and config files, and say how to fix them."""
    setup_logging(verbose, log_file)
    # The root logger stays quiet: only faultlore's own records are shown.
    logging.getLogger().setLevel(logging.CRITICAL)


@main.command()
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(path_type=Path, allow_dash=True)
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
)
@click.option(
    "--kind",
    type=click.Choice(filekinds.ALL_KINDS[:-1]),
    help="Treat every input as this kind of file (default: by name and content).",
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the text output (default: when writing to a terminal).",
)
@click.option(
    "--min-severity",
    type=click.Choice(SEVERITIES[::-1]),
    default="hint",
    show_default=True,
    help="Report only findings at least this severe (and exit 1 only for those).",
)
@kb_option
@no_bundled_option
def check(
    paths: tuple[Path, ...],
    output_format: str,
    kind: str | None,
    color: bool | None,
    min_severity: str,
    kb_paths: tuple[Path, ...],
    no_bundled: bool,
) -> None:
    """Scan files, folders (recursively) or - (standard input) for known failures.

    Findings silenced in ./.faultlore.toml, or by an inline
    ``# faultlore: ignore[ID]`` comment in a config file, are left out.

    Exit status: 0 nothing found, 1 findings, 2 usage or input errors.
    """
    err = Console(stderr=True, highlight=False)
    kb = load(kb_paths, no_bundled, err)
    matcher = Matcher(kb)
    had_errors = any(problem.level == "error" for problem in kb.problems)

    scans: list[FileScan] = []
    for path in paths:
        if str(path) == "-":
            scans.append(scan_stdin(matcher, kind))
        elif path.is_dir():
            for child, child_kind in walk(path):
                scan = scan_file(matcher, child, kind or child_kind)
                if scan.binary:
                    logger.debug("%s", scan.error)
                    continue
                scans.append(scan)
        elif path.exists():
            scans.append(scan_file(matcher, path, kind))
        else:
            scans.append(
                FileScan(
                    str(path),
                    kind or filekinds.LOG,
                    error=f"{path}: no such file or folder",
                )
            )

    ignores = read_ignores(Path.cwd())
    if ignores.problem:
        err.print(f"[yellow]note:[/] {escape(ignores.problem)}", soft_wrap=True)
    threshold = SEVERITIES.index(min_severity)
    located: list[Located] = []
    for scan in scans:
        if scan.error:
            had_errors = True
            err.print(f"[red]error:[/] {escape(scan.error)}", soft_wrap=True)
        for note in scan.notes:
            err.print(f"[yellow]note:[/] {escape(note)}", soft_wrap=True)
        for finding in unsilenced(scan, ignores):
            signature = kb.get(finding.signature_id)
            if SEVERITIES.index(signature.severity) > threshold:
                continue
            located.append(
                Located(scan.path, finding, signature.severity, signature.title)
            )

    out = Console(
        highlight=False, soft_wrap=True, force_terminal=color, no_color=color is False
    )
    if output_format == "json":
        click.echo(to_json(located))
    elif output_format == "sarif":
        click.echo(to_sarif(located, kb))
    else:
        for item in located:
            f = item.finding
            style = _STYLE[item.severity]
            out.print(
                f"[bold]{escape(item.path)}:{f.line + 1}:{f.column + 1}:[/] "
                f"[{style}]{item.severity}:[/] {escape(item.message)} "
                f"[dim]\\[{escape(f.signature_id)}][/]"
            )
        err.print(f"[dim]{summary(located, scans)}[/]", soft_wrap=True)
    if had_errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if located else EXIT_CLEAN)


def unsilenced(scan: FileScan, ignores: Ignores) -> list[Finding]:
    """The findings of *scan* that neither ``.faultlore.toml`` nor a comment silence."""
    stdin = scan.path == "-"
    key = None if stdin else file_key(Path.cwd(), str(Path(scan.path).absolute()))
    inline: dict = {}
    if scan.kind in COMMENT_PREFIX and scan.findings and not stdin:
        # Config files are small; their comments can silence a finding inline.
        text, _ = decode(Path(scan.path).read_bytes(), name=scan.path, sniff=False)
        inline = inline_ignores(split_lines(text), scan.kind)
    return [
        f
        for f in scan.findings
        if not ignores.ignored(f.signature_id, key)
        and not (inline and is_ignored(inline, f.line, f.signature_id))
    ]


def summary(located: list[Located], scans: list[FileScan]) -> str:
    """One line for the end of the text output: how much was found where."""
    counts = Counter(item.severity for item in located)
    files = len({item.path for item in located})
    parts = [
        f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'information' else ''}"
        for s in SEVERITIES
        if counts[s]
    ]
    detail = f" ({', '.join(parts)})" if parts else ""
    return (
        f"{len(located)} finding{'s' if len(located) != 1 else ''}{detail} "
        f"in {files} of {len(scans)} file{'s' if len(scans) != 1 else ''}"
    )


@main.command()
@click.argument("signature_id")
@click.option(
    "--locale",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="zh shows the Chinese fields where the record has them.",
)
@kb_option
@no_bundled_option
def explain(
    signature_id: str, locale: str, kb_paths: tuple[Path, ...], no_bundled: bool
) -> None:
    """Print the whole card of a signature: cause, dead ends, workarounds, docs."""
    err = Console(stderr=True, highlight=False)
    kb = load(kb_paths, no_bundled, err)
    signature = kb.get(signature_id)
    if signature is None:
        close = [s.id for s in kb if signature_id.lower() in s.id.lower()][:10]
        hint = (
            f" Did you mean: {', '.join(close)}?"
            if close
            else " `faultlore kb list` shows them all."
        )
        err.print(
            f"[red]error:[/] no signature with id {signature_id!r}.{hint}",
            soft_wrap=True,
        )
        sys.exit(EXIT_ERROR)
    card = build_card(signature, locale)
    out = Console()
    if out.is_terminal:
        out.print(Markdown(render_markdown(card, locale)))
    else:
        # Piped: plain text, no padding to the terminal width.
        click.echo(render_plain(card, locale), nl=False)


@main.group(name="kb")
def kb_group() -> None:
    """Inspect and check knowledge bases."""


@kb_group.command(name="list")
@kb_option
@no_bundled_option
def kb_list(kb_paths: tuple[Path, ...], no_bundled: bool) -> None:
    """One signature a line: id, domain, category, title."""
    kb = load(kb_paths, no_bundled, Console(stderr=True))
    for signature in kb:
        fields = (signature.id, signature.domain, signature.category, signature.title)
        click.echo("\t".join(fields))


@kb_group.command(name="validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--strict/--lenient",
    default=None,
    help=(
        "Require two examples and two counter-examples per record and bounded "
        "patterns (default: strict for the bundled knowledge base)."
    ),
)
def kb_validate(paths: tuple[Path, ...], strict: bool | None) -> None:
    """Check records (default: the bundled knowledge base): schema, regexes, examples.

    Exit status 1 on any problem.
    """
    sources = list(paths) or default_sources(user=False)
    if strict is None:
        strict = not paths
    err = Console(stderr=True, highlight=False)
    kb = load_knowledge_base(sources)
    problems = list(kb.problems) + check_signatures(list(kb), strict=strict)
    for problem in problems:
        colour = "red" if problem.level == "error" else "yellow"
        err.print(
            f"[{colour}]{problem.level}:[/] {escape(str(problem))}", soft_wrap=True
        )
    summary = Table.grid(padding=(0, 2))
    summary.add_row("signatures", str(len(kb)))
    summary.add_row("sources", ", ".join(str(s) for s in sources))
    summary.add_row("problems", str(len(problems)))
    Console(stderr=True).print(summary)
    sys.exit(1 if problems else 0)


@main.command()
@click.option(
    "--tcp", metavar="HOST:PORT", help="Listen on TCP instead of stdio (for debugging)."
)
def lsp(tcp: str | None) -> None:
    """Run the language server on stdio."""
    from faultlore.lsp.server import run

    run(tcp)
