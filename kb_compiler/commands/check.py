"""`kbc check`."""

from __future__ import annotations

import click

from kb_compiler.commands.common import vault_argument


@click.command(name="check")
@vault_argument
def command(vault: str | None) -> None:
    """Not implemented yet."""
    raise click.ClickException("kbc check is not implemented yet")
