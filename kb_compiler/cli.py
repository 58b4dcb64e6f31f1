"""The ``kbc`` command line: parses options and calls the library. One module per verb
under ``kb_compiler.commands``; this file only assembles them and turns user errors into
one line on stderr with exit status 2."""

from __future__ import annotations

import sys

import click

from kb_compiler import __version__
from kb_compiler.commands import build, check, export, graph, scores, serve
from kb_compiler.errors import KbcError


class KbcGroup(click.Group):
    """A click group that reports ``KbcError`` as one line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KbcError as error:
            click.echo(f"kbc: error: {error}", err=True)
            sys.exit(2)


@click.group(cls=KbcGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kbc")
def main() -> None:
    """Compile Logseq and Obsidian knowledge bases: check them, build a site, export."""


for module in (build, check, export, graph, scores, serve):
    main.add_command(module.command)


