"""`kbc scores`: key-weight scores and roll-ups, as a table or JSON.

A page is listed when it takes part in the scoring: it has keys, a ``weight::`` or
roll-up children (``--all`` lists every page). The formula is in
``kb_compiler.resolve.scores``.
"""

from __future__ import annotations

import errno
import io
import json
from pathlib import Path
from typing import BinaryIO

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from kb_compiler.atomic import replacing
from kb_compiler.commands.common import (
    refuse_vault_file,
    report_left_out,
    resolve_vault,
    standard_output,
    vault_argument,
)
from kb_compiler.resolve.graph import KnowledgeGraph
from kb_compiler.resolve.network import one_decimal, rounded
from kb_compiler.resolve.types import PageScore

TABLE_LABEL_CHARS = 80
NO_KEYS = "no keys: the roll-up comes from its children only"
NOTHING_TO_ROLL_UP = "no keys and no scored children: no score and no roll-up"
KEYS_WEIGH_NOTHING = "its keys weigh nothing (every key-weight is 0): no score"
INVALID_WEIGHT = "weight '{}' is no whole number from 0 to 100: its parent's roll-up leaves it out"
PIPE_WIDTH = 120


@click.command(name="scores")
@vault_argument
@click.option("--format", "output_format", type=click.Choice(["table", "json"]),
              default="table", show_default=True, help="Output format.")
@click.option("--all", "show_all", is_flag=True, help="List every page, not only metamodel pages.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE (atomically) instead of stdout.")
@click.option("--no-fix-encoding", is_flag=True, help="Do not repair mojibake.")
def command(vault: str | None, output_format: str, show_all: bool, output: Path | None,
            no_fix_encoding: bool) -> None:
    """Show each page's key-weight score (the key-weighted mean of its keys' values)
    and its roll-up over its metamodel children."""
    from kb_compiler import load
    from kb_compiler.resolve import resolve

    root = resolve_vault(vault)
    refuse_vault_file(output, root)
    knowledge = resolve(load(root, fix_encoding=False if no_fix_encoding else None))
    report_left_out(knowledge, "scores")
    listed = [s for s in knowledge.scores() if show_all or _relevant(knowledge, s)]
    with standard_output() if output is None else replacing(output) as stream:
        if output_format == "json":
            text = json.dumps(scores_json(knowledge, listed), ensure_ascii=False, indent=2)
            stream.write((text + "\n").encode("utf-8"))
        else:
            _write_table(knowledge, listed, stream)


def _write_table(knowledge: KnowledgeGraph, listed: list[PageScore], stream: BinaryIO) -> None:
    # A pipe or file gets a fixed, wide layout so rows do not wrap and output is stable.
    width = None if stream.isatty() else PIPE_WIDTH
    text_stream = io.TextIOWrapper(stream, encoding="utf-8", newline="\n")
    try:
        print_table(knowledge, listed, _ReportConsole(file=text_stream, highlight=False,
                                                      width=width))
        text_stream.flush()
    finally:
        text_stream.detach()  # the stream stays open: it is the caller's


class _ReportConsole(Console):
    """Rich exits 1 without a word when the reader of standard output left; as every
    report, the table says so and exits 2 (``standard_output``)."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


def _relevant(knowledge: KnowledgeGraph, score: PageScore) -> bool:
    page = knowledge.page(score.page)
    has_weight = page is not None and page.property("weight") is not None
    return bool(score.keys or has_weight or score.children)


def _weight(knowledge: KnowledgeGraph, score: PageScore) -> Text:
    """The weight, or the invalid value as written (in red: it does not count)."""
    if score.weight is not None:
        return Text(str(score.weight))
    written = _invalid_weight(knowledge, score)
    return Text(f"{written}!", style="red") if written is not None else Text("")


def scores_json(knowledge: KnowledgeGraph, listed: list[PageScore]) -> dict:
    """The INTERFACE.md form: ``{"pages": [...]}`` sorted by id, with a note where a
    figure is null or left out (no keys, keys that weigh nothing, an invalid weight)."""
    pages = []
    for score in listed:
        page = knowledge.page(score.page)
        entry = {
            "id": score.page, "name": page.name if page else score.page,
            "type": knowledge.page_type(score.page), "weight": score.weight,
            "score": rounded(score.score), "rollup": rounded(score.rollup),
            "keys": [{"label": k.label, "key_weight": k.key_weight, "value": k.value,
                      "line": k.line} for k in score.keys],
            "children": list(score.children),
        }
        notes = _notes(knowledge, score)
        if notes:
            entry["note"] = "; ".join(notes)
        pages.append(entry)
    return {"pages": pages}


def _notes(knowledge: KnowledgeGraph, score: PageScore) -> list[str]:
    """Why a page's figures are null, or left out of its parent's roll-up."""
    notes = []
    written = _invalid_weight(knowledge, score)
    if written is not None:
        notes.append(INVALID_WEIGHT.format(written))
    if not score.keys:
        notes.append(NO_KEYS if score.rollup is not None else NOTHING_TO_ROLL_UP)
    elif score.score is None:
        notes.append(KEYS_WEIGH_NOTHING)
    return notes


def _invalid_weight(knowledge: KnowledgeGraph, score: PageScore) -> str | None:
    """The ``weight::`` as written when it is there but not counted (an empty one is
    no weight, as the check has it)."""
    if score.weight is not None:
        return None
    page = knowledge.page(score.page)
    written = page.property("weight") if page is not None else None
    return written.raw if written is not None and written.raw.strip() else None


def _number(value: float | None) -> Text:
    return Text("—", style="dim") if value is None else Text(one_decimal(value))


def _shortened(label: str) -> str:
    """A key's label cut to fit a table row, marked where it was cut (JSON has it all)."""
    return label if len(label) <= TABLE_LABEL_CHARS else label[:TABLE_LABEL_CHARS - 1] + "\u2026"


def print_table(knowledge: KnowledgeGraph, listed: list[PageScore], console: Console) -> None:
    if not listed:
        console.print("No page has keys, a weight:: or children to roll up.")
        return
    table = Table(title="Key-weight scores", title_justify="left")
    for column, justify in (("Page", "left"), ("Type", "left"), ("Weight", "right"),
                            ("Keys", "right"), ("Score", "right"), ("Roll-up", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for score in listed:
        page = knowledge.page(score.page)
        table.add_row(
            page.name if page else score.page, knowledge.page_type(score.page) or "",
            _weight(knowledge, score), str(len(score.keys)),
            _number(score.score), _number(score.rollup),
        )
        for key in score.keys:
            table.add_row(Text(f"  {_shortened(key.label)}", style="dim"), "", "",
                          Text(f"w {key.key_weight}", style="dim"),
                          Text(str(key.value), style="dim"), "")
    console.print(table)
    without = sum(1 for s in listed if not s.keys)
    if without:
        console.print(f"{without} page(s) without keys: score — (none); the roll-up comes "
                      "from scored children only, — when there are none.")
    console.print("score = Σ key-weight·value / Σ key-weight;  roll-up = (100·score + "
                  "Σ weight·child roll-up) / (100 + Σ weight)")
