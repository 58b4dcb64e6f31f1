"""Page names <-> file names, per vault kind (FORMATS.md 1.10, 1.11, 2.1).

- Logseq graph: only the file's own name counts (folders inside ``pages/`` are ignored);
  its body is decoded with the graph's ``:file/name-format``; ``pages/contents.md`` is
  ``Contents``; a journal file's name is turned into its day's title.
- Obsidian vault: the vault-relative path without ``.md`` (folders are ``/`` namespaces).
- Plain folder: each file body decoded as triple-lowbar (today's Logseq default), with
  its folders as namespace prefixes.

``title::`` overriding the file name is the Logseq parser's business, not this module's.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from datetime import date
from functools import lru_cache
from urllib.parse import unquote

from kb_compiler.config import ParseOptions
from kb_compiler.encoding import utf8_length
from kb_compiler.model import Page, VaultKind

__all__ = [
    "AUDIO_SUFFIXES",
    "BASE_SUFFIX",
    "DRAWING_PART",
    "IMAGE_SUFFIXES",
    "LOGSEQ_BUILT_IN_PAGES",
    "LOGSEQ_DRAWINGS",
    "MEDIA_SUFFIXES",
    "VIDEO_SUFFIXES",
    "decode_file_body",
    "file_name_for_page",
    "is_drawing_part",
    "is_media_path",
    "journal_title",
    "page_name_for_path",
    "parse_journal_file_name",
    "title_for_journal_file",
]

PAGE_SUFFIXES = (".md", ".markdown", ".org")
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".avif",
                            ".ico"})
VIDEO_SUFFIXES = frozenset({".webm", ".mp4", ".mov", ".mkv", ".ogv"})
AUDIO_SUFFIXES = frozenset({".mp3", ".wav", ".ogg", ".m4a", ".flac"})
# What Logseq shows in place when a link names it (and the site draws as a picture or a
# player): pictures, sounds and videos.
MEDIA_SUFFIXES = IMAGE_SUFFIXES | VIDEO_SUFFIXES | AUDIO_SUFFIXES
BASE_SUFFIX = ".base"  # an Obsidian base: an asset that pages embed as a view
# Journal file names Logseq has written by default, tried after the configured format.
DEFAULT_JOURNAL_FILE_FORMATS = ("yyyy_MM_dd", "yyyy-MM-dd", "yyyyMMdd")

_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_ESCAPE_LIKE = re.compile(r"%(?=[0-9A-Fa-f]{2})")
# Characters Windows or Logseq cannot keep in a file name, plus controls (an extension
# of Logseq's list: a newline in a file name helps nobody).
_RESERVED = re.compile(r'[:*?"<>|#\\\x00-\x1f\x7f]')
_WINDOWS_RESERVED = re.compile(r"(?i)(?:CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])")
# The names Windows takes for a device, in any case and before any dot (``con.x`` too):
# no file or folder can have one. Logseq's own escape knows fewer (``_WINDOWS_RESERVED``).
WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"{device}{n}" for device in ("com", "lpt") for n in "0123456789¹²³"})


def page_name_for_path(path: str, options: ParseOptions, *, is_journal: bool = False) -> str:
    """The display name a page file gets from its vault-relative posix ``path``."""
    folders, _, file_name = path.rpartition("/")
    body = _strip_page_suffix(file_name)
    if options.vault_kind is VaultKind.OBSIDIAN:
        return f"{folders}/{body}" if folders else body
    if options.vault_kind is VaultKind.LOGSEQ:
        return _logseq_name(folders, body, options, is_journal)
    name = decode_file_body(body, "triple-lowbar")
    if is_journal:
        name = title_for_journal_file(body, options) or name
    return f"{folders}/{name}" if folders else name


def _logseq_name(folders: str, body: str, options: ParseOptions, is_journal: bool) -> str:
    if is_journal:
        title = title_for_journal_file(body, options)
        if title:
            return title
    if folders == options.pages_directory and body == "contents":
        return "Contents"
    return decode_file_body(body, options.name_format)


def title_for_journal_file(body: str, options: ParseOptions) -> str | None:
    """A journal file body's page title (``2024_01_15`` -> ``Jan 15th, 2024``), or None
    when no known journal file format reads it (the file is then an ordinary page)."""
    day = journal_date(body, options.journal_file_format)
    return journal_title(day, options.journal_title_format) if day else None


def journal_file_date(path: str, options: ParseOptions) -> date | None:
    """The day a journal page's file names (``journals/2024_01_15.md``)."""
    return journal_date(path.rpartition("/")[2].rsplit(".", 1)[0], options.journal_file_format)


def journal_date(body: str, file_format: str) -> date | None:
    """The day a journal file body names: the configured format first, then the
    formats Logseq has used by default (a format change is not retroactive)."""
    for candidate in (file_format, *DEFAULT_JOURNAL_FILE_FORMATS):
        day = parse_journal_file_name(body, candidate)
        if day:
            return day
    return None


def _strip_page_suffix(file_name: str) -> str:
    lowered = file_name.lower()
    for suffix in PAGE_SUFFIXES:
        if lowered.endswith(suffix) and len(file_name) > len(suffix):
            return file_name[: -len(suffix)]
    return file_name


# --- Reading: file body -> title ---------------------------------------------------


def decode_file_body(body: str, name_format: str = "triple-lowbar") -> str:
    """A file body (name without extension) decoded to a page title."""
    if name_format == "legacy":
        name = _legacy_decode(body)
    else:
        name = _decode_escapes(body.replace("___", "/"))
    cleaned = "/".join(part for part in name.split("/") if part)
    return cleaned or body


def _legacy_decode(body: str) -> str:
    """Legacy rules: every ``.`` is a namespace ``/``, then the whole body is URI-decoded
    all or nothing, as ``decodeURIComponent`` does: one bad escape keeps the text."""
    name = body.replace(".", "/")
    if "%" in _ESCAPES.sub("", name):
        return name
    try:
        return unquote(name, errors="strict")
    except UnicodeDecodeError:
        return name


def _decode_escapes(text: str) -> str:
    """Decode every valid ``%XX`` escape run as UTF-8; bytes that do not form valid
    UTF-8 keep their escapes exactly as written (``abc%2——ef`` stays)."""
    return _ESCAPES.sub(_decode_escape_run, text)


def _decode_escape_run(match: re.Match[str]) -> str:
    written = match.group()
    raw = bytes.fromhex(written.replace("%", ""))
    out: list[str] = []
    index = 0
    while index < len(raw):
        size = utf8_length(raw[index])
        try:
            out.append(raw[index:index + size].decode("utf-8") if size else "")
        except UnicodeDecodeError:
            size = 0
        if not size:
            out.append(written[index * 3:index * 3 + 3])
            size = 1
        index += size
    return "".join(out)


# --- Writing: title -> file body ---------------------------------------------------


def file_name_for_page(name: str, name_format: str = "triple-lowbar") -> str:
    """The file body (without ``.md``) kbc writes for page ``name`` in a Logseq graph,
    such that ``decode_file_body`` gives the name back. Raises ``ValueError`` for a
    name that is empty once boundary slashes are dropped."""
    title = unicodedata.normalize("NFC", name).strip("/")
    title = "/".join(part for part in title.split("/") if part)
    if not title:
        raise ValueError(f"page name {name!r} has no characters a file name can hold")
    if name_format == "legacy":
        return _legacy_encode(title)
    return _triple_lowbar_encode(title)


def _triple_lowbar_encode(title: str) -> str:
    body = _ESCAPE_LIKE.sub("%25", title)
    body = _RESERVED.sub(lambda m: f"%{ord(m.group()):02X}", body)
    if body.startswith("."):
        body = "%2E" + body[1:]  # a leading dot would hide the file from Logseq and kbc
    if _WINDOWS_RESERVED.fullmatch(body) or body.endswith("."):
        body += "/"
    body = body.replace("___", "%5F%5F%5F")
    body = body.replace("_/", "%5F/").replace("/_", "/%5F")
    return body.replace("/", "___")


def _legacy_encode(title: str) -> str:
    """Percent-encode everything the legacy reader would misread: ``%``, ``/`` and
    ``.`` (which it reads as ``/``), and the reserved characters."""
    body = re.sub(r'[%/.:*?"<>|#\\\x00-\x1f\x7f]', lambda m: f"%{ord(m.group()):02X}", title)
    return body + "%2F" if _WINDOWS_RESERVED.fullmatch(body) else body


# --- Journal dates: Logseq's date-fns style formats ---------------------------------

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TOKEN = re.compile(r"'[^']*'|yyyy|yy|MMMM|MMM|MM|M|do|dd|d|EEEE|EEE|EE|E|.", re.DOTALL)
_NAMES = "|".join(_MONTHS)
_ABBREVIATIONS = "|".join(month[:3] for month in _MONTHS)
# token -> (regex group, what the group holds)
_FIELDS = {
    "yyyy": (r"(\d{4})", "year"),
    "yy": (r"(\d{2})", "year2"),
    "MMMM": (f"({_NAMES})", "month-name"),
    "MMM": (f"({_ABBREVIATIONS})", "month-name"),
    "MM": (r"(\d{2})", "month"),
    "M": (r"(\d{1,2})", "month"),
    "dd": (r"(\d{2})", "day"),
    "d": (r"(\d{1,2})", "day"),
    "do": (r"(\d{1,2})(?:st|nd|rd|th)", "day"),
}


def journal_title(day: date, fmt: str = "MMM do, yyyy") -> str:
    """A day's journal page title in a ``:journal/page-title-format`` (date-fns tokens:
    ``yyyy yy MMMM MMM MM M dd d do EEEE EEE E``, ``'quoted'`` text literal)."""
    return "".join(_render(token, day) for token in _TOKEN.findall(fmt))


def _render(token: str, day: date) -> str:
    numbers = {"yyyy": f"{day.year:04d}", "yy": f"{day.year % 100:02d}",
               "MM": f"{day.month:02d}", "M": str(day.month),
               "dd": f"{day.day:02d}", "d": str(day.day), "do": _ordinal(day.day)}
    if token in numbers:
        return numbers[token]
    if token in ("MMMM", "MMM"):
        month = _MONTHS[day.month - 1]
        return month if token == "MMMM" else month[:3]
    if token.startswith("E"):
        weekday = _WEEKDAYS[day.weekday()]
        return weekday if token == "EEEE" else weekday[:3]
    if len(token) >= 2 and token.startswith("'") and token.endswith("'"):
        return token[1:-1] or "'"
    return token


def _ordinal(number: int) -> str:
    if 11 <= number % 100 <= 13:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th')}"


def parse_journal_file_name(stem: str, fmt: str = "yyyy_MM_dd") -> date | None:
    """The day a journal file body names in a ``:journal/file-name-format`` (or a page
    title in a ``:journal/page-title-format``: the same tokens), or None when it does not
    match the format or names no real day (``2024_02_30``)."""
    pattern, kinds = _journal_pattern(fmt)
    match = pattern.fullmatch(stem)
    if not match:
        return None
    found: dict[str, int] = {}
    for kind, value in zip(kinds, match.groups(), strict=True):
        if kind == "month-name":
            found["month"] = [m[:3].lower() for m in _MONTHS].index(value[:3].lower()) + 1
        elif kind == "year2":
            found["year"] = 2000 + int(value)
        else:
            found[kind] = int(value)
    try:
        return date(found["year"], found["month"], found["day"])
    except (KeyError, ValueError):
        return None


@lru_cache(maxsize=64)
def _journal_pattern(fmt: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    parts: list[str] = []
    kinds: list[str] = []
    for token in _TOKEN.findall(fmt):
        if token in _FIELDS:
            regex, kind = _FIELDS[token]
            parts.append(regex)
            kinds.append(kind)
        elif token.startswith("E"):
            parts.append("[A-Za-z]+")
        elif len(token) >= 2 and token.startswith("'") and token.endswith("'"):
            parts.append(re.escape(token[1:-1] or "'"))
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts), re.IGNORECASE), tuple(kinds)


def is_media_path(path: str) -> bool:
    """Whether a file path (or a web address's path) names a picture, a sound or a
    video, which Logseq shows in place rather than as a link."""
    return posixpath.splitext(path)[1].lower() in MEDIA_SUFFIXES


# Every Logseq file graph has these pages, file or not (graph-parser's
# ``built-in-pages-names``): the task markers, the priorities, and Favorites, Contents
# and card (``#card`` makes a flashcard).
LOGSEQ_BUILT_IN_PAGES = frozenset({
    "now", "later", "doing", "done", "canceled", "cancelled", "in-progress", "todo", "wait",
    "waiting", "a", "b", "c", "favorites", "contents", "card"})

# Logseq's /draw writes ``[[draws/2024-01-01-10-00-00.excalidraw]]``: a file, which its
# parser never takes for a page (``config/draw?``).
LOGSEQ_DRAWINGS = "draws/"

# Excalidraw's references into a drawing: ``[[Drawing#^group=ID]]`` (its element
# group), ``^area=`` (a cut-out around the element), ``^frame=`` and ``^clippedframe=``.
DRAWING_PART = re.compile(r"\^(?:group|area|frame|clippedframe)=", re.IGNORECASE)


def is_drawing_part(page: Page, subpath: str) -> bool:
    """Whether ``subpath`` names a part of an Excalidraw drawing, which lives in the
    drawing's data, not in a block of the note."""
    return page.property("excalidraw-plugin") is not None and \
        DRAWING_PART.match(subpath) is not None
