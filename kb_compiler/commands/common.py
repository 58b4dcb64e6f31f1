"""Options and helpers every verb shares."""

from __future__ import annotations

from pathlib import Path

import click

from kb_compiler.errors import KbcError


def resolve_vault(vault: str | None) -> Path:
    """VAULT defaults to ./vault when that folder exists, else the current folder."""
    if vault is None:
        candidate = Path("vault")
        return candidate if candidate.is_dir() else Path(".")
    path = Path(vault)
    if not path.exists():
        raise KbcError("vault folder not found", path=vault)
    if not path.is_dir():
        raise KbcError("not a folder; give the vault's folder", path=vault)
    return path


vault_argument = click.argument("vault", required=False, type=click.Path())
