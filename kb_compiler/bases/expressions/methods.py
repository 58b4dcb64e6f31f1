"""Methods and fields of values: ``Spec`` and argument checks, the method tables for text,
numbers, dates, files, links and any value, and fields such as ``file.name`` or
``date.year``. The list methods and the method lookup are in ``evaluate``, because
``filter``, ``map`` and ``reduce`` evaluate their arguments themselves."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from kb_compiler.bases.expressions.dates import day_of, format_date, naive, relative
from kb_compiler.bases.expressions.frontmatter import convert, text_link
from kb_compiler.bases.expressions.operators import concat
from kb_compiler.bases.expressions.scope import Frame
from kb_compiler.bases.expressions.text import to_text
from kb_compiler.bases.expressions.values import (
    DAY_MS,
    MAX_TEXT,
    MONTH_MS,
    YEAR_MS,
    DateValue,
    Duration,
    Environment,
    EvaluationError,
    FileRecord,
    FileValue,
    Link,
    Regex,
    display_name,
    is_empty,
    is_number,
    kind_of,
    lookup,
    num,
    truthy,
)


@dataclass(frozen=True)
class Spec:
    """A function or method: ``run(frame, args)`` or ``run(frame, target, args)``."""

    run: Callable[..., object]
    least: int
    most: int | None  # None: any number
    lazy: bool = False  # gets the argument trees, not their values


def check_arity(name: str, spec: Spec, count: int) -> None:
    if spec.least <= count and (spec.most is None or count <= spec.most):
        return
    if spec.most is None:
        wanted = f"at least {_plural(spec.least, 'argument')}"
    elif spec.least == spec.most:
        wanted = _plural(spec.least, "argument") if spec.least else "no arguments"
    else:
        wanted = f"{spec.least} to {spec.most} arguments"
    raise EvaluationError(f"'{name}' expects {wanted}, got {count}")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def spread(args: Iterable[object]) -> Iterator[object]:
    """Arguments, with list arguments spread into their items."""
    for arg in args:
        if isinstance(arg, tuple):
            yield from arg
        else:
            yield arg


def containment(test: Callable[[Any, object], bool]) -> dict[str, Spec]:
    """``contains``, ``containsAll`` and ``containsAny`` for a value ``test(value,
    needle)`` searches (text, a list); list arguments are spread."""
    return {
        "contains": Spec(lambda frame, value, args: test(value, args[0]), 1, 1),
        "containsAll": Spec(
            lambda frame, value, args: all(test(value, n) for n in spread(args)), 1, None),
        "containsAny": Spec(
            lambda frame, value, args: any(test(value, n) for n in spread(args)), 1, None),
    }


def _number_arg(name: str, value: object) -> float:
    if not is_number(value):
        raise EvaluationError(f"'{name}' expects a number argument, got {display_name(value)}")
    return value  # type: ignore[return-value]


def _int_arg(name: str, value: object) -> int:
    number = _number_arg(name, value)
    if math.isnan(number):
        raise EvaluationError(f"'{name}' expects a number argument, got NaN")
    return int(number) if math.isfinite(number) else int(math.copysign(2**62, number))


def slice_args(name: str, args: tuple[object, ...]) -> slice:
    # Python slices with negative ends count from the back exactly as JavaScript's slice().
    start = _int_arg(name, args[0])
    end = _int_arg(name, args[1]) if len(args) > 1 and args[1] is not None else None
    return slice(start, end)


# -- text methods ----------------------------------------------------------------------------


def _contains_text(text: str, needle: object) -> bool:
    return needle is not None and to_text(needle) in text


def _js_replacement(template: str, match: re.Match[str]) -> str:
    """Expand JavaScript's ``$1``, ``$<name>``, ``$&``, ``$```, ``$'`` and ``$$``."""

    def expand(token: re.Match[str]) -> str:
        key = token[1]
        special = {"$": "$", "&": match[0], "`": match.string[: match.start()],
                   "'": match.string[match.end() :]}  # fmt: skip
        if key in special:
            return special[key]
        if key.startswith("<"):
            groups = match.groupdict()
            return groups.get(key[1:-1]) or "" if key[1:-1] in groups else token[0]
        for digits in (key, key[:1]):
            if 1 <= int(digits) <= match.re.groups:
                return (match[int(digits)] or "") + key[len(digits) :]
        return token[0]

    return re.sub(r"\$(\$|&|`|'|[0-9]{1,2}|<[^>]*>)", expand, template)


def _replace(frame: Frame, text: str, args: tuple[object, ...]) -> str:
    pattern, replacement = args[0], to_text(args[1])
    if isinstance(pattern, Regex):
        count = 0 if "g" in pattern.flags else 1
        result = pattern.compiled().sub(
            lambda m: _js_replacement(replacement, m), text, count=count
        )
    else:
        result = text if pattern is None else text.replace(to_text(pattern), replacement)
    return concat(result, "")


def _repeat(frame: Frame, text: str, args: tuple[object, ...]) -> str:
    count = _int_arg("repeat", args[0])
    if count < 0:
        raise EvaluationError("'repeat' expects a count of 0 or more")
    if len(text) * count > MAX_TEXT:
        raise EvaluationError("text would be too long")
    return text * count


def _split(frame: Frame, text: str, args: tuple[object, ...]) -> tuple[object, ...]:
    separator = args[0]
    limit = _int_arg("split", args[1]) if len(args) > 1 and args[1] is not None else None
    parts: list[Any]
    if isinstance(separator, Regex):
        parts = separator.compiled().split(text)
    elif separator is None:
        parts = [text]
    else:
        sep = to_text(separator)
        parts = list(text) if sep == "" else text.split(sep)
    return tuple(parts if limit is None or limit < 0 else parts[:limit])


def _title(text: str) -> str:
    return re.sub(r"\S+", lambda m: m[0][:1].upper() + m[0][1:], text)


STRING_METHODS: dict[str, Spec] = {
    **containment(_contains_text),
    "startsWith": Spec(
        lambda frame, s, args: args[0] is not None and s.startswith(to_text(args[0])), 1, 1
    ),
    "endsWith": Spec(
        lambda frame, s, args: args[0] is not None and s.endswith(to_text(args[0])), 1, 1
    ),
    "lower": Spec(lambda frame, s, args: s.lower(), 0, 0),
    "upper": Spec(lambda frame, s, args: s.upper(), 0, 0),
    "title": Spec(lambda frame, s, args: _title(s), 0, 0),
    "trim": Spec(lambda frame, s, args: s.strip(), 0, 0),
    "reverse": Spec(lambda frame, s, args: s[::-1], 0, 0),
    "slice": Spec(lambda frame, s, args: s[slice_args("slice", args)], 1, 2),
    "replace": Spec(_replace, 2, 2),
    "repeat": Spec(_repeat, 1, 1),
    "split": Spec(_split, 1, 2),
}


# -- number methods --------------------------------------------------------------------------


def _whole(rounding: Callable[[float], int]) -> Spec:
    def run(frame: Frame, number: float, args: tuple[object, ...]) -> float:
        return num(rounding(number)) if math.isfinite(number) else number

    return Spec(run, 0, 0)


def _round(frame: Frame, number: float, args: tuple[object, ...]) -> float:
    digits = _int_arg("round", args[0]) if args and args[0] is not None else 0
    if not 0 <= digits <= 100:
        raise EvaluationError("'round' expects 0 to 100 digits")
    if not math.isfinite(number):
        return number
    scale = 10**digits
    return num(math.floor(number * scale + 0.5) / scale)  # Math.round: halves go up


def _to_fixed(frame: Frame, number: float, args: tuple[object, ...]) -> str:
    digits = _int_arg("toFixed", args[0])
    if not 0 <= digits <= 100:
        raise EvaluationError("'toFixed' expects 0 to 100 digits")
    if not math.isfinite(number):
        return to_text(number)
    exact = Decimal(number)  # the binary value itself, as JavaScript rounds it
    rounded = exact.quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP, Context(prec=1000))
    return format(rounded, "f")


NUMBER_METHODS: dict[str, Spec] = {
    "abs": Spec(lambda frame, n, args: abs(n), 0, 0),
    "ceil": _whole(math.ceil),
    "floor": _whole(math.floor),
    "round": Spec(_round, 0, 1),
    "toFixed": Spec(_to_fixed, 1, 1),
}


# -- date methods ----------------------------------------------------------------------------

DATE_METHODS: dict[str, Spec] = {
    "date": Spec(lambda frame, d, args: day_of(d.moment), 0, 0),
    "format": Spec(
        lambda frame, d, args: format_date(d.moment, to_text(args[0]) if args else "YYYY-MM-DD"),
        0,
        1,
    ),
    "time": Spec(lambda frame, d, args: format_date(d.moment, "HH:mm:ss"), 0, 0),
    "relative": Spec(
        lambda frame, d, args: relative(d.moment, naive(frame.scope.environment.now)), 0, 0
    ),
}


# -- file and link methods -------------------------------------------------------------------


def link_file(link: Link, env: Environment) -> FileValue | None:
    record = env.record(link.path) if link.path is not None else None
    return None if record is None else FileValue(record)


def file_link(record: FileRecord, display: object) -> Link:
    return Link(record.path, record.path, None if display is None else to_text(display))


def _has_link(record: FileRecord, other: object, env: Environment) -> bool:
    if other is None:
        return False
    if isinstance(other, FileValue):
        wanted = other.record.path
    else:
        link = other if isinstance(other, Link) else text_link(to_text(other), record, env)
        wanted = link.text if link.path is None else link.path
    return wanted in record.links


def _has_tag(record: FileRecord, args: tuple[object, ...]) -> bool:
    wanted = [to_text(tag).removeprefix("#").casefold() for tag in spread(args) if tag]
    tags = [tag.removeprefix("#").casefold() for tag in record.tags]
    return any(tag == w or tag.startswith(w + "/") for w in wanted for tag in tags)


def _in_folder(record: FileRecord, folder: object) -> bool:
    if folder is None:
        return False
    wanted, actual = to_text(folder).strip("/"), record.folder.strip("/")
    return not wanted or actual == wanted or actual.startswith(wanted + "/")


FILE_METHODS: dict[str, Spec] = {
    "asLink": Spec(lambda frame, f, args: file_link(f.record, args[0] if args else None), 0, 1),
    "hasLink": Spec(
        lambda frame, f, args: _has_link(f.record, args[0], frame.scope.environment), 1, 1
    ),
    "hasTag": Spec(lambda frame, f, args: _has_tag(f.record, args), 1, None),
    "hasProperty": Spec(
        lambda frame, f, args: args[0] is not None
        and lookup(f.record.properties, to_text(args[0])) is not None,
        1,
        1,
    ),
    "inFolder": Spec(lambda frame, f, args: _in_folder(f.record, args[0]), 1, 1),
}


def _links_to(link: Link, other: object, env: Environment) -> bool:
    linked = link_file(link, env)
    return linked is not None and _has_link(linked.record, other, env)


LINK_METHODS: dict[str, Spec] = {
    "asFile": Spec(lambda frame, link, args: link_file(link, frame.scope.environment), 0, 0),
    "linksTo": Spec(
        lambda frame, link, args: _links_to(link, args[0], frame.scope.environment), 1, 1
    ),
}


# -- methods of any value --------------------------------------------------------------------

_TYPE_ALIASES = {"text": "string", "regexp": "regex", "array": "list", "bool": "boolean"}

ANY_METHODS: dict[str, Spec] = {
    "isEmpty": Spec(lambda frame, value, args: is_empty(value), 0, 0),
    "isTruthy": Spec(lambda frame, value, args: truthy(value), 0, 0),
    "isType": Spec(
        lambda frame, value, args: kind_of(value)
        == _TYPE_ALIASES.get(to_text(args[0]).lower(), to_text(args[0]).lower()),
        1,
        1,
    ),
    "toString": Spec(lambda frame, value, args: to_text(value), 0, 0),
}


# -- fields ----------------------------------------------------------------------------------


def _duration_field(unit_ms: float) -> Callable[[Duration], object]:
    return lambda duration: num(duration.total_ms / unit_ms)


_FIELDS: dict[str, dict[str, Callable[[Any], object]]] = {
    "string": {"length": len},
    "list": {"length": len},
    "date": {
        "year": lambda d: d.moment.year,
        "month": lambda d: d.moment.month,
        "day": lambda d: d.moment.day,
        "hour": lambda d: d.moment.hour,
        "minute": lambda d: d.moment.minute,
        "second": lambda d: d.moment.second,
        "millisecond": lambda d: d.moment.microsecond // 1000,
    },
    "duration": {
        "milliseconds": _duration_field(1),
        "seconds": _duration_field(1000),
        "minutes": _duration_field(60_000),
        "hours": _duration_field(3_600_000),
        "days": _duration_field(DAY_MS),
        "weeks": _duration_field(7 * DAY_MS),
        "months": lambda d: num(d.months + d.milliseconds / MONTH_MS),
        "years": lambda d: num(d.months / 12 + d.milliseconds / YEAR_MS),
    },
}


def _date_or_null(moment: datetime | None) -> DateValue | None:
    return None if moment is None else DateValue(naive(moment))


def _path_link(path: str, env: Environment) -> Link:
    # Records list resolved vault paths, or the written target when nothing matched.
    return Link(path if env.record(path) is not None else None, path)


_FILE_FIELDS: dict[str, Callable[[FileRecord, Environment], object]] = {
    "name": lambda record, env: record.name,
    "basename": lambda record, env: record.basename,
    "path": lambda record, env: record.path,
    "folder": lambda record, env: record.folder,
    "ext": lambda record, env: record.ext,
    "size": lambda record, env: record.size,
    "properties": lambda record, env: convert(dict(record.properties), record, env),
    "tags": lambda record, env: tuple(tag.removeprefix("#") for tag in record.tags),
    "links": lambda record, env: tuple(_path_link(path, env) for path in record.links),
    "embeds": lambda record, env: tuple(_path_link(path, env) for path in record.embeds),
    "backlinks": lambda record, env: tuple(_path_link(path, env) for path in record.backlinks),
    "ctime": lambda record, env: _date_or_null(record.ctime),
    "mtime": lambda record, env: _date_or_null(record.mtime),
    "file": lambda record, env: FileValue(record),
}


def get_field(value: object, name: str, frame: Frame) -> object:
    if value is None:
        return 0 if name == "length" else None
    if isinstance(value, dict):
        found = lookup(value, name)
        return None if found is None else found[1]
    if isinstance(value, FileValue):
        getter = _FILE_FIELDS.get(name)
        if getter is None:
            raise EvaluationError(f"file has no field '{name}'")
        return getter(value.record, frame.scope.environment)
    field_getter = _FIELDS.get(kind_of(value), {}).get(name)
    if field_getter is None:
        raise EvaluationError(f"{display_name(value)} has no field '{name}'")
    return field_getter(value)


def get_index(value: object, index: object, frame: Frame) -> object:
    if value is None or index is None:
        return None
    if isinstance(value, tuple | str) and is_number(index):
        if not float(index).is_integer():  # type: ignore[arg-type]
            return None
        position = int(index)  # type: ignore[call-overload]
        return value[position] if 0 <= position < len(value) else None
    if isinstance(value, dict):
        return get_field(value, to_text(index), frame)
    if isinstance(value, FileValue) and isinstance(index, str):
        return get_field(value, index, frame)
    raise EvaluationError(f"cannot index {display_name(value)} with {display_name(index)}")
