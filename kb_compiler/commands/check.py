"""`kbc check`: lint a knowledge base and exit 0 (clean), 1 (errors; warnings too under
--strict) or 2 (could not run)."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

import click

from kb_compiler.atomic import write_file
from kb_compiler.check import check_vault
from kb_compiler.check.baseline import Baseline, baseline_note, read_baseline, subtract
from kb_compiler.check.formats import FORMAT_NAMES, RenderOptions, render
from kb_compiler.check.formats.text import summary_line
from kb_compiler.commands.common import (
    jobs_option,
    refuse_vault_file,
    resolve_vault,
    standard_output,
    vault_argument,
)
from kb_compiler.errors import KbcError


@click.command(name="check")
@vault_argument
@click.option(
    "--format", "output_format", type=click.Choice(FORMAT_NAMES), default="text",
    show_default=True, help="Output format.",
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of stdout.",
)
@click.option(
    "--no-fix-encoding", is_flag=True,
    help="Do not repair mojibake; report the text as it is.",
)
@click.option(
    "--color", type=click.Choice(["auto", "always", "never"]), default="auto",
    show_default=True, help="Colour in text output (auto: on a terminal, unless NO_COLOR).",
)
@click.option(
    "--baseline", type=click.Path(dir_okay=False, path_type=Path),
    help="A json report of known problems (kbc check --format json -o FILE): report "
         "and fail only on problems it does not hold.",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")
@jobs_option
def command(
    vault: str | None,
    output_format: str,
    strict: bool,
    output: Path | None,
    no_fix_encoding: bool,
    color: str,
    baseline: Path | None,
    quiet: bool,
    jobs: int | None,
) -> None:
    """Check the knowledge base in VAULT for broken links, embeds, block refs and
    relations, schema violations and damaged files."""
    root = resolve_vault(vault)
    refuse_vault_file(output, root)
    known = _read_baseline(baseline, output)
    result = check_vault(root, fix_encoding=False if no_fix_encoding else None, jobs=jobs)
    baselined = ""
    if known is not None:
        left = subtract(result.diagnostics, known)
        result = replace(result, diagnostics=left.diagnostics)
        baselined = baseline_note(left, known)
    options = RenderOptions(
        color=output_format == "text" and _use_color(color, output),
        path_prefix="" if output_format == "json" else
        _repository_prefix(root) if output_format in ("github", "sarif") else _path_prefix(root),
    )
    _write(render(output_format, result, options), output)
    if not quiet:
        click.echo(summary_line(result) + baselined, err=True)
    sys.exit(result.exit_code(strict))


def _read_baseline(baseline: Path | None, output: Path | None) -> Baseline | None:
    if baseline is None:
        return None
    if output is not None and _same_file(baseline, output):
        raise KbcError("the report would replace the baseline it is checked against; "
                       "write a new baseline without --baseline", path=str(output))
    return read_baseline(baseline)


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve() or one.samefile(other)
    except OSError:
        return False


def _use_color(choice: str, output: Path | None) -> bool:
    if choice != "auto":
        return choice == "always"
    if output is not None or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False  # TERM=dumb: a terminal that shows escape codes as text (Emacs' shell)
    return sys.stdout is not None and sys.stdout.isatty()


def _path_prefix(root: Path) -> str:
    """The vault's folder as seen from the current directory, so text, github and sarif
    paths open from where the command ran (the repository root in CI). A folder given
    below the current one keeps the name it was given (a symbolic link's, not its
    target's)."""
    given = Path(os.path.normpath(root))
    if not given.is_absolute() and given.parts[:1] != ("..",):
        return given.as_posix() if given.parts else ""
    absolute = root.resolve()
    try:
        relative = absolute.relative_to(Path.cwd().resolve())
    except ValueError:
        return str(absolute)
    return relative.as_posix() if relative.parts else ""


def _repository_prefix(root: Path) -> str:
    """The vault's folder within the repository it is checked out in, for github and
    sarif output: GitHub reads their paths from the repository's root whatever folder
    the step ran in (``working-directory: kb`` made ``vault/x.md`` of ``kb/vault/x.md``).
    The repository is $GITHUB_WORKSPACE in a GitHub workflow, else the nearest folder
    holding ``.git``; outside any, the paths are the current directory's."""
    absolute = root.resolve()
    workspace = os.environ.get("GITHUB_WORKSPACE")
    candidates = [Path(workspace).resolve()] if workspace else []
    candidates.extend(folder for folder in (absolute, *absolute.parents)
                      if (folder / ".git").exists())
    for top in candidates:
        if absolute == top or top in absolute.parents:
            relative = absolute.relative_to(top)
            return relative.as_posix() if relative.parts else ""
    return _path_prefix(root)


def _write(report: str, output: Path | None) -> None:
    data = report.encode("utf-8")
    if output is None:
        with standard_output() as stream:
            stream.write(data)
        return
    write_file(output, data)

