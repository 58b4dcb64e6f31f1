"""Frontmatter values and link text as expression values: wikilinks become ``Link``, dates
``DateValue``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime

from kb_compiler.bases.expressions.dates import day_of, parse_date
from kb_compiler.bases.expressions.values import (
    VALUE_TYPES,
    DateValue,
    Environment,
    FileRecord,
    Link,
    num,
)

WIKILINK = re.compile(r"!?\[\[([^\[\]]+)\]\]")


def convert(raw: object, source: FileRecord | None, env: Environment) -> object:
    if raw is None or isinstance(raw, (bool, *VALUE_TYPES)):
        return raw
    if isinstance(raw, int | float):
        return num(raw)
    if isinstance(raw, str):
        return _convert_text(raw, source, env)
    if isinstance(raw, datetime):
        return DateValue(raw.replace(tzinfo=None), True)
    if isinstance(raw, date):
        return day_of(raw)
    if isinstance(raw, Mapping):
        return {str(key): convert(value, source, env) for key, value in raw.items()}
    if isinstance(raw, list | tuple):
        return tuple(convert(item, source, env) for item in raw)
    return str(raw)


def _convert_text(text: str, source: FileRecord | None, env: Environment) -> object:
    if match := WIKILINK.fullmatch(text.strip()):
        return _wikilink(match[1], source, env)
    parsed = parse_date(text)
    return text if parsed is None else parsed


def _wikilink(inner: str, source: FileRecord | None, env: Environment) -> Link:
    target, bar, display = inner.partition("|")
    # In tables Obsidian writes [[Target\|Display]]; the backslash is not part of the target.
    return _make_link(target.removesuffix("\\"), display if bar else None, source, env)


def _make_link(text: str, display: str | None, source: FileRecord | None, env: Environment) -> Link:
    text = text.strip()
    name = text.partition("#")[0].strip()
    # [[#Heading]] points into the source itself.
    path = env.resolve(name, source) if name else getattr(source, "path", None)
    return Link(path, text, display)


def text_link(text: str, source: FileRecord | None, env: Environment) -> Link:
    if match := WIKILINK.fullmatch(text.strip()):
        return _wikilink(match[1], source, env)
    return _make_link(text, None, source, env)
