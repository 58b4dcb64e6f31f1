"""`kbc export`: a normalized vault, or the vault converted to the other dialect."""

from __future__ import annotations

import click

from kb_compiler.commands.common import (
    output_folder,
    plural,
    report_problems,
    resolve_vault,
    vault_argument,
)


@click.command(name="export")
@vault_argument
@click.option("-o", "--out", "--output", "out", required=True,
              type=click.Path(file_okay=False),
              help="Output folder (written atomically; never the vault or inside it).")
@click.option("--to", "to", type=click.Choice(["obsidian", "logseq"]),
              help="Target dialect (default: the vault's own; for a plain folder, the "
                   "dialect most of its pages are written in).")
@click.option("--force", is_flag=True, help="Replace OUT even when it is not empty.")
@click.option("--no-fix-encoding", is_flag=True, help="Do not repair mojibake.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
def command(vault: str | None, out: str, to: str | None, force: bool,
            no_fix_encoding: bool, quiet: bool) -> None:
    """Write VAULT as a complete Logseq graph or Obsidian vault in OUT: file names,
    links, properties, block ids, journals and assets in the target's own form."""
    from kb_compiler import load
    from kb_compiler.check.formats.text import plain_headline
    from kb_compiler.emit.vault import export_vault
    from kb_compiler.emit.vault.writer import check_output_folder
    from kb_compiler.model import Dialect
    from kb_compiler.resolve import resolve

    root = resolve_vault(vault)
    folder = output_folder(out)
    check_output_folder(folder, root, force=force)  # refuse before reading the vault
    knowledge = resolve(load(root, fix_encoding=False if no_fix_encoding else None))
    report = export_vault(knowledge, folder, to=Dialect(to) if to else None, force=force)
    if quiet:
        return
    report_problems(knowledge, "export")
    if report.majority and to is None:
        click.echo(f"kbc export: {report.majority} (choose with --to)", err=True)
    for note in report.diagnostics:
        click.echo(plain_headline(note), err=True)
    written_as = "a Logseq graph" if report.target is Dialect.LOGSEQ else "an Obsidian vault"
    click.echo(f"kbc export: {plural(report.pages, 'page')} and "
               f"{plural(report.assets, 'asset')} written as {written_as} to {report.out}",
               err=True)
