"""`kbc serve`."""

from __future__ import annotations

import click

from kb_compiler.commands.common import vault_argument


@click.command(name="serve")
@vault_argument
def command(vault: str | None) -> None:
    """Not implemented yet."""
    raise click.ClickException("kbc serve is not implemented yet")
