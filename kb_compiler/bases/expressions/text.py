"""``to_text``: Obsidian's plain-text form of every value."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from kb_compiler.bases.expressions.dates import format_date
from kb_compiler.bases.expressions.values import (
    DAY_MS,
    DateValue,
    Duration,
    FileValue,
    Html,
    Icon,
    Image,
    Link,
    Regex,
    is_number,
)


def to_text(value: object) -> str:
    """Obsidian's plain-text form of a value (what a table cell shows without markup)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return _number_text(value)  # type: ignore[arg-type]
    if isinstance(value, str):
        return value
    if isinstance(value, tuple | list):
        return ", ".join(to_text(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(_jsonable(value), ensure_ascii=False)
    form = _TEXT_FORMS.get(type(value))
    return form(value) if form is not None else str(value)


def _number_text(number: float) -> str:
    if isinstance(number, int):
        return str(number)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number.is_integer() and abs(number) < 1e21:
        return str(int(number))
    return re.sub(r"e([+-])0*(\d)", r"e\1\2", repr(number))  # 1e-07 -> 1e-7, as JavaScript


def _jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return to_text(value)


def _link_text(link: Link) -> str:
    if link.display is not None:
        return link.display
    if link.path is None:
        return link.text.removesuffix(".md")
    stem = link.path.rsplit("/", 1)[-1].removesuffix(".md")
    heading = link.text.partition("#")[2]
    return f"{stem} > {heading}" if heading else stem


def _date_text(value: DateValue) -> str:
    return format_date(value.moment, "YYYY-MM-DD HH:mm" if value.has_time else "YYYY-MM-DD")


def _duration_text(duration: Duration) -> str:
    years, months = divmod(abs(duration.months), 12)
    rest = round(abs(duration.milliseconds))
    amounts = [years, months]
    for unit in (DAY_MS, 3_600_000, 60_000, 1000):
        amount, rest = divmod(rest, unit)
        amounts.append(amount)
    amounts.append(rest)
    names = ("year", "month", "day", "hour", "minute", "second", "millisecond")
    pairs = zip(amounts, names, strict=True)
    parts = [f"{n} {name}{'' if n == 1 else 's'}" for n, name in pairs if n]
    sign = "-" if duration.total_ms < 0 else ""
    return sign + " ".join(parts) if parts else "0 seconds"


_TEXT_FORMS: dict[type, Callable[[Any], str]] = {
    Link: _link_text,
    FileValue: lambda value: value.record.basename,
    DateValue: _date_text,
    Duration: _duration_text,
    Regex: lambda value: f"/{value.source}/{value.flags}",
    Html: lambda value: value.text,
    Image: lambda value: value.target,
    Icon: lambda value: value.name,
}
