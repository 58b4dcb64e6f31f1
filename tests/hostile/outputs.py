"""Looking at what kbc wrote: file-system snapshots (to prove nothing else changed),
every output file's bytes (gzip members opened, as pagefind stores its index), and a
scan of HTML for script that could run."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import re
import stat
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

Snapshot = dict[str, tuple[str, str]]


def snapshot(folder: Path, skip: tuple[str, ...] = ()) -> Snapshot:
    """Every entry under ``folder`` (symlinks not followed, FIFOs never opened): its
    kind and, for a regular file, its mode and content hash; for a symlink, its target.
    ``skip`` names top-level entries to leave out (the output folders)."""
    found: Snapshot = {}
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except PermissionError:  # a chmod 000 test folder (when not run as root)
            found[current.relative_to(folder).as_posix() + "/*"] = ("unreadable", "")
            continue
        for entry in entries:
            relative = Path(entry.path).relative_to(folder).as_posix()
            if relative.split("/", 1)[0] in skip:
                continue
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISLNK(info.st_mode):
                found[relative] = ("link", os.readlink(entry.path))
            elif stat.S_ISDIR(info.st_mode):
                found[relative] = ("dir", oct(info.st_mode))
                stack.append(Path(entry.path))
            elif stat.S_ISREG(info.st_mode):
                found[relative] = ("file", f"{oct(info.st_mode)} {_digest(entry.path)}")
            else:
                found[relative] = ("special", oct(info.st_mode))
    return found


def _digest(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except PermissionError:  # a chmod 000 test file (when not run as root)
        return "unreadable"


def output_files(out: Path) -> Iterator[tuple[str, bytes]]:
    """(relative path, bytes) of every file under ``out``; a gzip file is also given
    decompressed (path + ``!gunzip``), so markers inside a compressed index are seen."""
    for path in sorted(out.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        relative = path.relative_to(out).as_posix()
        data = path.read_bytes()
        yield relative, data
        if data[:2] == b"\x1f\x8b":
            with contextlib.suppress(OSError, EOFError, zlib.error):
                yield relative + "!gunzip", gzip.decompress(data)


def total_size(out: Path) -> int:
    return sum(path.stat().st_size for path in out.rglob("*")
               if path.is_file() and not path.is_symlink())


# --- live script in HTML ---------------------------------------------------------------

_URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
    "codebase", "cite", "srcset", "ping",
})
_DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "livescript:")
_FRAMES = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "base"})
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def _dangerous_url(value: str) -> bool:
    compact = _INVISIBLE.sub("", value).lower()
    return compact.startswith(_DANGEROUS_SCHEMES)


class _ScriptFinder(HTMLParser):
    """Collects every place where markup from a page could run script: event-handler
    attributes, script URLs, frames and objects, meta refreshes to script, and script
    elements that are not the site's own (an external src, or inline ``alert(``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on") or (name in _URL_ATTRIBUTES and _dangerous_url(value)):
                self.found.append(f"<{tag} {name}={value!r}>")
            elif name == "srcdoc":
                self.found.append(f"<{tag} srcdoc>")
            elif name == "style" and "javascript:" in value.lower():
                self.found.append(f"<{tag} style={value!r}>")
        if tag in _FRAMES:
            self.found.append(f"<{tag}>")
        if tag == "meta" and "refresh" in values.get("http-equiv", "").lower():
            target = values.get("content", "").partition("url=")[2]
            if _dangerous_url(target) or "evil.example" in target:
                self.found.append(f"<meta refresh {target!r}>")
        if tag == "script":
            source = values.get("src", "")
            if "//" in source or ":" in source:
                self.found.append(f"<script src={source!r}>")
            self._in_script = True
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_script and ("alert(" in data or "evil.example" in data):
            self.found.append(f"<script>{data[:80]!r}")
        if self._in_style and "javascript:" in data.lower():
            self.found.append(f"<style>{data[:80]!r}")


def live_script(html: str) -> list[str]:
    """Each place in ``html`` where script from page content could run (empty: none)."""
    finder = _ScriptFinder()
    finder.feed(html)
    finder.close()
    return finder.found
