"""Dates and durations: reading them from text, moving dates along the calendar, and
formatting them as moment.js does."""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache

from kb_compiler.bases.expressions.values import (
    DAY_MS,
    MONTH_MS,
    YEAR_MS,
    DateValue,
    Duration,
    EvaluationError,
    num,
)

_DATE_TEXT = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
)


def parse_date(text: str) -> DateValue | None:
    match = _DATE_TEXT.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction = match.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0),
            int(second or 0), int((fraction or "0").ljust(6, "0")),
        )  # fmt: skip
    except ValueError:
        return None
    return DateValue(moment, hour is not None)


def day_of(moment: date) -> DateValue:
    return DateValue(datetime(moment.year, moment.month, moment.day), False)


def naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


_DURATION_TERM = re.compile(r"\s*([+-]?[0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]+)\s*,?")
_UNIT_MS = {"s": 1000, "second": 1000, "m": 60_000, "minute": 60_000, "h": 3_600_000,
            "hour": 3_600_000, "d": DAY_MS, "day": DAY_MS, "w": 7 * DAY_MS,
            "week": 7 * DAY_MS, "ms": 1, "millisecond": 1}  # fmt: skip
_UNIT_MONTHS = {"M": 1, "month": 1, "y": 12, "year": 12}


def _unit(raw: str) -> str:
    if raw in ("M", "ms"):  # 'M' is months and 'm' minutes: the one case that matters
        return raw
    return raw.lower() if len(raw) == 1 else raw.lower().removesuffix("s")


@lru_cache(maxsize=512)
def parse_duration(text: str) -> Duration | None:
    """``"1d"``, ``"2 hours"``, ``"1y 2M"`` ...; None when the text is not a duration."""
    text, pos, ms, months = text.strip(), 0, 0.0, 0.0
    while pos < len(text):
        match = _DURATION_TERM.match(text, pos)
        if match is None:
            return None
        amount, unit = float(match[1]), _unit(match[2])
        if unit in _UNIT_MONTHS:
            months += amount * _UNIT_MONTHS[unit]
        elif unit in _UNIT_MS:
            ms += amount * _UNIT_MS[unit]
        else:
            return None
        pos = match.end()
    return _duration(ms, months) if text else None


def _duration(ms: float, months: float) -> Duration:
    whole = int(months)  # a fraction of a month has no calendar meaning: keep it as time
    return Duration(num(ms + (months - whole) * MONTH_MS), whole)


def scale(duration: Duration, factor: float) -> Duration:
    return _duration(duration.milliseconds * factor, duration.months * factor)


def as_duration(value: object) -> Duration | None:
    if isinstance(value, Duration):
        return value
    return parse_duration(value) if isinstance(value, str) else None


def shift_date(value: DateValue, duration: Duration) -> DateValue:
    try:
        moment = _add_months(value.moment, duration.months)
        moment += timedelta(milliseconds=duration.milliseconds)
    except (OverflowError, ValueError):
        raise EvaluationError("date out of range") from None
    return DateValue(moment, value.has_time or duration.milliseconds % DAY_MS != 0)


def _add_months(moment: datetime, months: int) -> datetime:
    # Calendar months, clamping the day as moment.js does (Jan 31 + 1M = Feb 28/29).
    year, month = divmod(moment.year * 12 + moment.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        raise ValueError("year out of range")
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


_MONTH_NAMES = tuple(calendar.month_name)[1:]
_DAY_NAMES = tuple(calendar.day_name)  # Monday first, like datetime.weekday()
_FORMAT_TOKEN = re.compile(
    r"\[([^\]]*)\]|YYYY|YY|MMMM|MMM|MM|M|Do|DD|D|dddd|ddd|d|HH|H|hh|h|mm|m|ss|s|SSS|A|a"
)
_FORMAT: dict[str, Callable[[datetime], str]] = {
    "YYYY": lambda d: f"{d.year:04d}",
    "YY": lambda d: f"{d.year % 100:02d}",
    "MMMM": lambda d: _MONTH_NAMES[d.month - 1],
    "MMM": lambda d: _MONTH_NAMES[d.month - 1][:3],
    "MM": lambda d: f"{d.month:02d}",
    "M": lambda d: str(d.month),
    "Do": lambda d: _ordinal(d.day),
    "DD": lambda d: f"{d.day:02d}",
    "D": lambda d: str(d.day),
    "dddd": lambda d: _DAY_NAMES[d.weekday()],
    "ddd": lambda d: _DAY_NAMES[d.weekday()][:3],
    "d": lambda d: str((d.weekday() + 1) % 7),  # moment counts from Sunday = 0
    "HH": lambda d: f"{d.hour:02d}",
    "H": lambda d: str(d.hour),
    "hh": lambda d: f"{(d.hour - 1) % 12 + 1:02d}",
    "h": lambda d: str((d.hour - 1) % 12 + 1),
    "mm": lambda d: f"{d.minute:02d}",
    "m": lambda d: str(d.minute),
    "ss": lambda d: f"{d.second:02d}",
    "s": lambda d: str(d.second),
    "SSS": lambda d: f"{d.microsecond // 1000:03d}",
    "A": lambda d: "AM" if d.hour < 12 else "PM",
    "a": lambda d: "am" if d.hour < 12 else "pm",
}


def format_date(moment: datetime, pattern: str) -> str:
    """Format with the moment.js tokens above; ``[text]`` is copied literally."""
    return _FORMAT_TOKEN.sub(
        lambda m: m[1] if m[1] is not None else _FORMAT[m[0]](moment), pattern
    )


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


# moment.js's humanize thresholds: (below this many seconds, counting unit, wording)
_RELATIVE = (
    (45, 0, "a few seconds"), (90, 0, "a minute"), (45 * 60, 60, "{} minutes"),
    (90 * 60, 0, "an hour"), (22 * 3600, 3600, "{} hours"), (36 * 3600, 0, "a day"),
    (26 * 86400, 86400, "{} days"), (45 * 86400, 0, "a month"),
    (320 * 86400, MONTH_MS / 1000, "{} months"), (548 * 86400, 0, "a year"),
    (math.inf, YEAR_MS / 1000, "{} years"),
)  # fmt: skip


def relative(moment: datetime, now: datetime) -> str:
    seconds = (moment - now).total_seconds()
    phrase = _humanize(abs(seconds))
    return f"in {phrase}" if seconds > 0 else f"{phrase} ago"


def _humanize(seconds: float) -> str:
    for limit, unit, wording in _RELATIVE:
        if seconds < limit:
            return wording.format(math.floor(seconds / unit + 0.5) if unit else "")
    return "a long time"
