"""`kbc build`."""

from __future__ import annotations

import click

from kb_compiler.commands.common import vault_argument


@click.command(name="build")
@vault_argument
def command(vault: str | None) -> None:
    """Not implemented yet."""
    raise click.ClickException("kbc build is not implemented yet")
