"""A page's date, as the site's feed, sitemap and pages show it and the check vets it.

A page's date is the first of its ``updated``, ``modified``, ``last-modified``, ``date``
and ``created`` properties that holds an ISO date (``2024-05-29``,
``2024-05-29T17:07:14``, ``2024-05-29T17:07:14+02:00``); a Logseq journal page without
one is dated by its file name (``journals/2024_05_29.md``). A value that looks like one
but names no real day or time (``2024-02-30``, which YAML leaves as text) dates nothing,
and the check warns about it (``invalid-property``).
"""

from __future__ import annotations

import datetime as dt
import re

from kb_compiler.model import Page, Property

DATE_KEYS = ("updated", "modified", "last-modified", "date", "created")
_ISO = re.compile(
    r"\s*(?P<day>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?"
    # an offset only after the seconds, as RFC 3339 writes it: "12:00-13:00" is a range
    r"(?:[ \t]*(?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?)(?![\d:]))?)?)?")
_JOURNAL_FILE = re.compile(r"(?:^|/)(\d{4})[_-](\d{2})[_-](\d{2})\.[A-Za-z]+$")


def page_date(page: Page) -> str | None:
    """The page's date (see module doc) in RFC 3339's form: ``YYYY-MM-DD``, or
    ``YYYY-MM-DDTHH:MM:SS`` with the offset as written (``+02:00``, ``Z``) when it has
    one. The offset is kept, not turned into UTC, so the day shown is the author's."""
    for key in DATE_KEYS:
        prop = page.property(key)
        if prop is not None and (date := _read(date_text(prop))):
            return date
    if page.is_journal:
        found = _JOURNAL_FILE.search(page.path)
        if found and (date := _checked(f"{found[1]}-{found[2]}-{found[3]}")):
            return date
    return None


def instant(date: str) -> dt.datetime:
    """When a ``page_date`` value is, in UTC, for ordering dates written with different
    offsets; a date without an offset is read as UTC (as the feed writes it)."""
    moment = dt.datetime.fromisoformat(date)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def date_text(prop: Property) -> str:
    """The text a date property is read from: its value when that is text (YAML's dates
    are ISO text already), else the value as written."""
    return prop.value if isinstance(prop.value, str) else prop.raw


def impossible_date(text: str) -> str | None:
    """The ISO date ``text`` starts with when it names no real day or time
    (``2024-02-30``, ``2024-05-29T24:30``), as written; None when it starts with no ISO
    date or with a real one."""
    found = _ISO.match(text)
    if found is None or _read(text) is not None:
        return None
    return found[0].strip()


def _read(text: str) -> str | None:
    found = _ISO.match(text)
    if found is None:
        return None
    if found["hour"] is None:
        return _checked(found["day"])
    zone = found["zone"] or ""
    if zone in ("z", "Z"):
        zone = "Z"
    elif zone:
        digits = zone[1:].replace(":", "")
        zone = f"{zone[0]}{digits[:2]}:{digits[2:] or '00'}"
    return _checked(f"{found['day']}T{found['hour']}:{found['minute']}:"
                    f"{found['second'] or '00'}{zone}")


def _checked(date: str) -> str | None:
    """``date`` when it names a real day and time, else None."""
    try:
        dt.datetime.fromisoformat(date)
    except ValueError:
        return None
    return date
