"""The values expressions compute with: the loader's Protocols, the value classes, their
kinds, JavaScript-like numbers and truthiness."""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol

DAY_MS = 86_400_000
MONTH_MS = DAY_MS * 365.25 / 12
YEAR_MS = DAY_MS * 365.25
_SAFE_INTEGER = 2**53  # past this a JavaScript number is no longer an exact integer
MAX_TEXT = 10_000_000  # no formula should build a string bigger than this


class EvaluationError(ValueError):
    """An expression that cannot be evaluated for this file."""


# -- what the loader supplies ----------------------------------------------------------------


class FileRecord(Protocol):
    """One vault file as expressions see it."""

    @property
    def name(self) -> str: ...
    @property
    def basename(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def folder(self) -> str: ...
    @property
    def ext(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def properties(self) -> Mapping[str, object]: ...
    @property
    def tags(self) -> tuple[str, ...]: ...
    @property
    def links(self) -> tuple[str, ...]: ...
    @property
    def embeds(self) -> tuple[str, ...]: ...
    @property
    def backlinks(self) -> tuple[str, ...]: ...
    @property
    def ctime(self) -> datetime | None: ...
    @property
    def mtime(self) -> datetime | None: ...


class Environment(Protocol):
    """The vault around the file: lookups by path, link resolution and the build's clock."""

    @property
    def now(self) -> datetime: ...
    def record(self, path: str) -> FileRecord | None: ...
    def resolve(self, target: str, source: FileRecord | None) -> str | None: ...


# -- values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A link; ``path`` is the vault path it lands on, None when it lands nowhere.

    ``text`` is the target as written (``Books``, ``Books#Plot``, a URL, a vault path) and
    ``display`` the text after ``|`` or given to ``link()`` / ``asLink()``.
    """

    path: str | None
    text: str
    display: str | None = None


@dataclass(frozen=True, eq=False)
class FileValue:
    """A vault file as a value (``file``, ``this``, ``link.asFile()``)."""

    record: FileRecord

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FileValue) and other.record.path == self.record.path

    def __hash__(self) -> int:
        return hash(self.record.path)


@dataclass(frozen=True)
class DateValue:
    """A naive date-time; ``has_time`` is False for plain dates (shown without a time)."""

    moment: datetime
    has_time: bool = True


@dataclass(frozen=True)
class Duration:
    """A length of time; ``months`` (from ``M`` and ``y``) moves dates along the calendar."""

    milliseconds: float
    months: int = 0

    @property
    def total_ms(self) -> float:
        return self.milliseconds + self.months * MONTH_MS


@dataclass(frozen=True)
class Regex:
    """A ``/source/flags`` literal, run with Python's ``re``."""

    source: str
    flags: str = ""

    def compiled(self) -> re.Pattern[str]:
        return compile_regex(self.source, self.flags)


@dataclass(frozen=True)
class Html:
    """Markup from ``html()``, for the renderer to sanitise and show."""

    text: str


@dataclass(frozen=True)
class Image:
    """An image from ``image()``: ``target`` as given (URL or name), ``path`` if in the vault."""

    target: str
    path: str | None = None


@dataclass(frozen=True)
class Icon:
    """A Lucide icon from ``icon()``."""

    name: str


VALUE_TYPES = (Link, FileValue, DateValue, Duration, Regex, Html, Image, Icon)


@lru_cache(maxsize=256)
def compile_regex(source: str, flags: str) -> re.Pattern[str]:
    options = 0
    for flag, option in (("i", re.IGNORECASE), ("m", re.MULTILINE), ("s", re.DOTALL)):
        options |= option if flag in flags else 0
    # JavaScript spells named groups (?<name>...); Python wants (?P<name>...).
    translated = re.sub(r"\(\?<(?![=!])", "(?P<", source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Python's "possible nested set" hints mean nothing here
        return re.compile(translated, options)


# -- types, truth and numbers ----------------------------------------------------------------

_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "boolean"), ((int, float), "number"), (str, "string"), ((tuple, list), "list"),
    (dict, "object"), (DateValue, "date"), (Duration, "duration"), (Link, "link"),
    (FileValue, "file"), (Regex, "regex"), (Html, "html"), (Image, "image"), (Icon, "icon"),
)  # fmt: skip


def kind_of(value: object) -> str:
    if value is None:
        return "null"
    for types, name in _KINDS:
        if isinstance(value, types):
            return name
    return "unknown"


def display_name(value: object) -> str:
    kind = kind_of(value)
    return "text" if kind == "string" else kind


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def num(value: float) -> int | float:
    """A JavaScript-like number: integral values as ints while they are exact."""
    if isinstance(value, int):
        return value if abs(value) <= _SAFE_INTEGER else float(value)
    if value.is_integer() and abs(value) <= _SAFE_INTEGER:
        return int(value)
    return value


_NUMERIC = re.compile(r"\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*")


def numeric(text: str) -> int | float | None:
    return num(float(text)) if _NUMERIC.fullmatch(text) else None


def truthy(value: object) -> bool:
    """False for null, false, 0, NaN, "", and empty lists and objects; true otherwise."""
    if value is None or value is False:
        return False
    if is_number(value):
        return value == value and value != 0  # NaN is the one value unequal to itself
    if isinstance(value, str | tuple | list | dict):
        return len(value) > 0
    return True


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str | tuple | list | dict) and len(value) == 0)


def lookup(mapping: Mapping[Any, Any], name: str) -> tuple[str, Any] | None:
    """The entry named ``name``: the exact key first, then one that differs only in case."""
    if name in mapping:
        return name, mapping[name]
    folded = name.casefold()
    for key, value in mapping.items():
        if str(key).casefold() == folded:
            return str(key), value
    return None
