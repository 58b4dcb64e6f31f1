"""`kbc graph`: the knowledge graph as JSON, GraphML, DOT or Mermaid."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from kb_compiler.atomic import replacing
from kb_compiler.commands.common import (
    jobs_option,
    plural,
    refuse_vault_file,
    report_left_out,
    resolve_vault,
    standard_output,
    vault_argument,
)
from kb_compiler.emit.graph import FORMAT_NAMES, write_graph
from kb_compiler.model import KnowledgeBase


@click.command(name="graph")
@vault_argument
@click.option("--format", "output_format", type=click.Choice(FORMAT_NAMES), default="json",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE (atomically) instead of stdout.")
@click.option("--no-fix-encoding", is_flag=True, help="Do not repair mojibake.")
@click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")
@jobs_option
def command(vault: str | None, output_format: str, output: Path | None,
            no_fix_encoding: bool, quiet: bool, jobs: int | None) -> None:
    """Export the knowledge graph of VAULT: a node per page (missing pages with
    exists false) and per asset, typed edges with their source lines."""
    from kb_compiler import load
    from kb_compiler.resolve import resolve

    root = resolve_vault(vault)
    refuse_vault_file(output, root)
    kb = load(root, jobs=jobs, fix_encoding=False if no_fix_encoding else None)
    knowledge = resolve(_without_output(kb, output))
    if output is None:
        with standard_output() as stream:
            write_graph(knowledge.graph, output_format, stream)
    else:
        with replacing(output) as stream:
            write_graph(knowledge.graph, output_format, stream)
    if not quiet:
        report_left_out(knowledge, "graph")
        stats = knowledge.graph.graph
        click.echo(f"kbc graph: {plural(stats['pages'], 'page')}, {stats['missing']} missing, "
                   f"{plural(stats['assets'], 'asset')}, {plural(stats['edges'], 'edge')}, "
                   f"{plural(stats['orphans'], 'orphan')}, "
                   f"{plural(stats['components'], 'component')}", err=True)


def _without_output(kb: KnowledgeBase, output: Path | None) -> KnowledgeBase:
    """The vault without the file this command writes: a graph kept beside the pages
    (which ``-o`` allows) is no asset of the vault, or each run would add it, and the
    same command run twice would not give the same bytes."""
    if output is None or str(output) == "-":
        return kb
    try:
        written = output.resolve().relative_to(kb.root.resolve()).as_posix()
    except ValueError:
        return kb
    assets = tuple(asset for asset in kb.assets if asset.path != written)
    return kb if len(assets) == len(kb.assets) else replace(kb, assets=assets)
