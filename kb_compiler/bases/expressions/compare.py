"""How values sort (``sort_key``), compare for equality (``==``, ``list.contains``) and
order (``<`` and friends)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from kb_compiler.bases.expressions.dates import parse_date
from kb_compiler.bases.expressions.frontmatter import WIKILINK
from kb_compiler.bases.expressions.text import to_text
from kb_compiler.bases.expressions.values import (
    DateValue,
    Duration,
    FileValue,
    Link,
    is_empty,
    is_number,
    numeric,
)

# -- sorting ---------------------------------------------------------------------------------

_CHUNKS = re.compile(r"[0-9]+|[^0-9]+")


def sort_key(value: object) -> tuple[int, int, Any]:
    """``(is_empty, rank, key)``: numbers, dates, durations, text (natural order), booleans,
    lists, objects; null, "", NaN and empty lists or objects last."""
    if is_empty(value) or (isinstance(value, float) and math.isnan(value)):
        return (1, -1, 0)
    if isinstance(value, bool):
        return (0, 4, int(value))
    if is_number(value):
        return (0, 0, value)
    if isinstance(value, DateValue):
        return (0, 1, value.moment)
    if isinstance(value, Duration):
        return (0, 2, value.total_ms)
    if isinstance(value, tuple | list):
        return (0, 5, tuple(sort_key(item) for item in value))
    if isinstance(value, dict):
        return (0, 6, to_text(value))
    return (0, 3, _natural_key(to_text(value)))


def _natural_key(text: str) -> tuple[tuple[tuple[int, int, str], ...], str]:
    # Digit runs compare by length then digits: numeric order without int() on huge runs.
    chunks = []
    for chunk in _CHUNKS.findall(text.casefold()):
        if chunk[0] in "0123456789":
            digits = chunk.lstrip("0")
            chunks.append((0, len(digits), digits))
        else:
            chunks.append((1, 0, chunk))
    return tuple(chunks), text


# -- equality and order ----------------------------------------------------------------------


def equal(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_number(a) and is_number(b):
        return a == b
    if isinstance(a, Link | FileValue) and isinstance(b, Link | FileValue):
        return _same_target(a, b)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(map(equal, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[key], b[key]) for key in a)
    if isinstance(a, Duration) and isinstance(b, Duration):
        return a.total_ms == b.total_ms
    a, b = _as_dates(a, b)
    if isinstance(a, DateValue) and isinstance(b, DateValue):
        return a.moment == b.moment
    return type(a) is type(b) and a == b


def _as_dates(a: object, b: object) -> tuple[object, object]:
    """Read text as a date when the other side is a date."""
    if isinstance(a, DateValue) and isinstance(b, str):
        return a, parse_date(b) or b
    if isinstance(b, DateValue) and isinstance(a, str):
        return parse_date(a) or a, b
    return a, b


def _target_path(value: Link | FileValue) -> str | None:
    return value.record.path if isinstance(value, FileValue) else value.path


def _same_target(a: Link | FileValue, b: Link | FileValue) -> bool:
    path_a, path_b = _target_path(a), _target_path(b)
    if path_a is not None and path_b is not None:
        return path_a == path_b
    return isinstance(a, Link) and isinstance(b, Link) and a.text == b.text


def item_matches(item: object, needle: object) -> bool:
    """``list.contains`` equality: ``==`` plus tag and link-name leniency."""
    if equal(item, needle):
        return True
    if isinstance(item, str) and isinstance(needle, str):
        return item.removeprefix("#") == needle.removeprefix("#")
    if isinstance(item, Link | FileValue) and isinstance(needle, str):
        return _link_named(item, needle)
    if isinstance(item, str) and isinstance(needle, Link | FileValue):
        return _link_named(needle, item)
    return False


def _link_named(target: Link | FileValue, name: str) -> bool:
    if match := WIKILINK.fullmatch(name.strip()):
        name = match[1].partition("|")[0]
    wanted = name.strip().casefold()
    path = _target_path(target)
    names = {target.text} if isinstance(target, Link) else set()
    if path is not None:
        names |= {path, path.rsplit("/", 1)[-1]}
    return any(wanted in (n.casefold(), n.removesuffix(".md").casefold()) for n in names)


def _compare(a: object, b: object) -> int | None:
    """-1, 0 or 1, or None when the two cannot be ordered (then every comparison is false)."""
    a, b = _as_dates(*_as_numbers(a, b))
    if (is_number(a) and is_number(b)) or (isinstance(a, str) and isinstance(b, str)):
        pair: tuple[Any, Any] = (a, b)
    elif isinstance(a, DateValue) and isinstance(b, DateValue):
        pair = (a.moment, b.moment)
    elif isinstance(a, Duration) and isinstance(b, Duration):
        pair = (a.total_ms, b.total_ms)
    elif isinstance(a, bool) and isinstance(b, bool):
        pair = (a, b)
    else:
        return None
    if any(isinstance(x, float) and math.isnan(x) for x in pair):
        return None
    return int(pair[0] > pair[1]) - int(pair[0] < pair[1])


def _as_numbers(a: object, b: object) -> tuple[object, object]:
    """Read numeric text as a number when the other side is a number."""
    if is_number(a) and isinstance(b, str):
        return a, numeric(b) if numeric(b) is not None else b
    if is_number(b) and isinstance(a, str):
        return (numeric(a) if numeric(a) is not None else a), b
    return a, b


def comparison(test: Callable[[int], bool]) -> Callable[[object, object], bool]:
    def compare(a: object, b: object) -> bool:
        order = _compare(a, b)
        return order is not None and test(order)

    return compare
