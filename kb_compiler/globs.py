"""Path globs as ``kbc.toml``'s ``ignore`` list writes them (gitignore-like).

- ``*`` and ``?`` stay within one path segment; ``**`` spans segments.
- A pattern without ``/`` matches a file or folder name at any depth (``drafts``,
  ``*.excalidraw.md``); a pattern with ``/`` is anchored at the vault root
  (``pages/archive/*``; a leading ``/`` is allowed).
- A pattern that matches a folder matches everything inside it.
- Names are compared in NFC (a folder name macOS stored decomposed matches as typed).
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=256)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """The regular expression for one glob pattern (matched against whole paths)."""
    pattern = pattern.strip().rstrip("/")
    if "/" not in pattern:
        pattern = "**/" + pattern
    pattern = pattern.lstrip("/")
    return re.compile(_translate(pattern) + r"\Z")


def _translate(pattern: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append(r"(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(r".*")
            i += 2
        elif pattern[i] == "*":
            out.append(r"[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append(r"[^/]")
            i += 1
        elif pattern[i] == "[" and (close := pattern.find("]", i + 2)) != -1:
            body = pattern[i + 1 : close].replace("\\", "\\\\")
            out.append("[^" + body[1:] + "]" if body.startswith("!") else "[" + body + "]")
            i = close + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


def matches(path: str, pattern: str) -> bool:
    """Whether the vault-relative ``path`` (with ``/``) or one of its folders matches.
    Both are compared in NFC: a name macOS stored decomposed matches as typed."""
    return _matches(unicodedata.normalize("NFC", path), unicodedata.normalize("NFC", pattern))


def _matches(path: str, pattern: str) -> bool:
    """``matches`` of a path and a pattern both in NFC already."""
    regex = compile_glob(pattern)
    if regex.match(path):
        return True
    cut = path.rfind("/")
    while cut > 0:
        if regex.match(path[:cut]):
            return True
        cut = path.rfind("/", 0, cut)
    return False


def matches_any(path: str, patterns: Iterable[str]) -> bool:
    return any(matches(path, pattern) for pattern in patterns)


def excluded(path: str, patterns: Iterable[str]) -> bool:
    """Whether ``path`` (vault-relative, with ``/``) matches one of ``kbc.toml``'s
    ``exclude`` globs: as ``ignore``'s match (``matches``: a name without ``/`` at any
    depth, so ``drafts`` or ``secret.md`` in a Logseq graph's ``pages/``), or as a shell glob from
    the vault root, whose ``*`` spans folders too. A pattern keeps private whatever
    either reading names: one read more narrowly than its author meant would publish."""
    path = unicodedata.normalize("NFC", path)
    for pattern in patterns:
        pattern = unicodedata.normalize("NFC", pattern.strip().lstrip("/"))
        if not pattern:
            continue
        folder = pattern.rstrip("/").removesuffix("/**")
        if fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path, folder + "/*") \
                or _matches(path, pattern):
            return True
    return False
