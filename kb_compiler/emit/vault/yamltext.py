"""Writing YAML front matter the way Obsidian writes it: ``key: value`` lines, lists as
block lists (``  - item``), links quoted (``"[[Note]]"``), every scalar plain when YAML
reads it back as the same value and double-quoted otherwise.

Hand-written rather than ``yaml.safe_dump`` so the output is stable and idiomatic (no
line folding, no ``!!`` tags, key order kept), and so a value can be written exactly as
its source spelled it (``Raw``: ``1.10`` stays ``1.10``, a date stays a date).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
_UNSAFE_START = tuple("[]{}&*!|>'\"%@`#,?:-~ ")


@dataclass(frozen=True, slots=True)
class Raw:
    """A scalar written exactly as given (it is known to read back as intended)."""

    text: str


YamlValue = str | int | float | bool | None | Raw | list["YamlValue"]


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=8192)
def reads_as(text: str) -> object:
    """What YAML makes of ``text`` written plain after ``key:``; a sentinel when it
    does not parse. (Cached: keys and values repeat across a vault's pages.)"""
    try:
        loaded = yaml.load(f"k: {text}", Loader=_LOADER)
    except yaml.YAMLError:
        return _UNREADABLE
    return loaded.get("k", _UNREADABLE) if isinstance(loaded, dict) else _UNREADABLE


_UNREADABLE = object()


def scalar(value: YamlValue) -> str:
    """One scalar as YAML text (empty for None)."""
    if value is None:
        return ""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if _plain_ok(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _plain_ok(text: str) -> bool:
    if not text or text != text.strip() or text.startswith(_UNSAFE_START):
        return False
    if any(mark in text for mark in (": ", " #", "\n", "\t", "\\")) or text.endswith(":"):
        return False
    return reads_as(text) == text


def key_text(key: str) -> str:
    return key if _PLAIN_KEY.fullmatch(key) and reads_as(key) == key \
        else json.dumps(key, ensure_ascii=False)


def frontmatter(entries: list[tuple[str, YamlValue]]) -> str:
    """The whole front matter block, fences included, ending with a newline."""
    out = ["---"]
    for key, value in entries:
        shown = key_text(key)
        if isinstance(value, list):
            if not value:
                out.append(f"{shown}: []")
                continue
            out.append(f"{shown}:")
            out.extend(f"  - {scalar(item)}".rstrip() for item in value)
        else:
            out.append(f"{shown}: {scalar(value)}".rstrip())
    out.append("---")
    return "\n".join(out) + "\n"


def flow(value: object) -> str:
    """A nested value (mapping, list of lists) as one line of YAML flow text."""
    return yaml.safe_dump(value, default_flow_style=True, width=10**9, allow_unicode=True,
                          sort_keys=False).strip().removesuffix("...").strip()
