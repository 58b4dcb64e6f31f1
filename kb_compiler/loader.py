"""``load``: discover a vault's files and parse each one into the model."""

from __future__ import annotations

from pathlib import Path

from kb_compiler.config import VaultConfig, load_config
from kb_compiler.discover import discover
from kb_compiler.errors import KbcError
from kb_compiler.model import KnowledgeBase
from kb_compiler.parse import parse_source


def load(
    path: str | Path,
    *,
    fix_encoding: bool | None = None,
    config: VaultConfig | None = None,
) -> KnowledgeBase:
    """Read the vault at ``path``: every page file parsed, every asset listed, with the
    diagnostics found on the way. Raises ``KbcError`` when the vault cannot be read at
    all (missing folder, unusable config); a broken page is a diagnostic, never an
    exception."""
    root = Path(path)
    if not root.is_dir():
        raise KbcError("vault folder not found", path=str(path))
    root = root.resolve()
    config = config or load_config(root)
    options = config.parse
    if fix_encoding is not None and fix_encoding != options.fix_encoding:
        from dataclasses import replace

        options = replace(options, fix_encoding=fix_encoding)
        config = replace(config, parse=options)
    found = discover(root, config)
    pages = tuple(parse_source(source, options) for source in found.sources)
    return KnowledgeBase(
        root=root,
        kind=config.kind,
        pages=pages,
        assets=found.assets,
        diagnostics=found.diagnostics,
        config=config,
    )
