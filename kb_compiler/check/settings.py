"""What the vault's own kbc settings say that cannot be meant.

- ``unmatched-exclude`` (warning): a pattern of ``kbc.toml``'s ``exclude`` (or
  ``[tool.kbc]`` in ``pyproject.toml``) that keeps nothing off the site. ``exclude`` is
  how pages stay private, and a misspelt pattern (``Privat/**``) publishes what it was
  meant to hide without a word; reported at the pattern, in the settings file.
- ``ignored-settings`` (warning): a ``[tool.kbc]`` table in ``pyproject.toml`` beside a
  ``kbc.toml``, which holds kbc's settings: the table is not read, and an ``exclude``
  list there published what it names.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from kb_compiler.config import KBC_CONFIG, PYPROJECT, VaultConfig
from kb_compiler.globs import excluded
from kb_compiler.model import Diagnostic, KnowledgeBase, Severity

UNMATCHED_EXCLUDE = "unmatched-exclude"
IGNORED_SETTINGS = "ignored-settings"
SETTINGS_FILES = (KBC_CONFIG, PYPROJECT)
_TOOL_KBC = re.compile(r"\s*\[\s*tool\s*\.\s*kbc\s*[\].]")


def ignored_settings(kb: KnowledgeBase, config: VaultConfig) -> list[Diagnostic]:
    """An ``ignored-settings`` warning at ``[tool.kbc]`` when ``kbc.toml`` holds kbc's
    settings too (a ``pyproject.toml`` that does not read is not kbc's concern)."""
    if KBC_CONFIG not in config.sources:
        return []
    text = read_text(kb.root / PYPROJECT)
    try:
        tool = tomllib.loads(text).get("tool") if text else None
    except tomllib.TOMLDecodeError:
        return []
    if not isinstance(tool, dict) or "kbc" not in tool:
        return []
    line = next((number for number, row in enumerate(text.split("\n"), start=1)
                 if _TOOL_KBC.match(row)), 1)
    return [Diagnostic(IGNORED_SETTINGS, Severity.WARNING, PYPROJECT, line, 1,
                       "[tool.kbc] is not read: kbc.toml holds kbc's settings; keep them "
                       "in one file", target="tool.kbc")]


def exclude_problems(kb: KnowledgeBase, config: VaultConfig) -> list[Diagnostic]:
    """An ``unmatched-exclude`` for each ``exclude`` pattern no page or file matches."""
    if not config.exclude:
        return []
    source = settings_file(config)
    paths = [page.path for page in kb.pages] + [asset.path for asset in kb.assets]
    text = read_text(kb.root / source)
    found = []
    for pattern in config.exclude:
        if any(excluded(path, (pattern,)) for path in paths):
            continue
        line, column = _place(text, pattern)
        found.append(Diagnostic(
            UNMATCHED_EXCLUDE, Severity.WARNING, source, line, column,
            f"exclude pattern '{pattern}' matches no page or file: it keeps nothing off "
            "the site", target=pattern,
            end_column=column + len(pattern) if column else None))
    return found


def settings_file(config: VaultConfig) -> str:
    """The vault-relative name of the file kbc's settings were read from."""
    return next((source for source in config.sources if source in SETTINGS_FILES),
                KBC_CONFIG)


def _place(text: str, pattern: str) -> tuple[int, int]:
    """The line and column of ``pattern`` written as a TOML string; else of the
    ``exclude`` key; else the file's first line."""
    key_line = 0
    for number, line in enumerate(text.split("\n"), start=1):
        for quote in ('"', "'"):
            at = line.find(f"{quote}{pattern}{quote}")
            if at >= 0:
                return number, at + 2
        if not key_line and line.lstrip().startswith("exclude"):
            key_line = number
    return (key_line, 1) if key_line else (1, 0)


def read_text(path: Path) -> str:
    """The file's text; empty when it cannot be read as UTF-8 (a BOM allowed)."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ""
