"""Helpers for the site tests: a crawler that checks every local link of a built site,
and a scan for markup that could run script.

``crawl(site)`` parses every HTML file and reports each local ``href``/``src`` whose file
is missing, each ``#fragment`` that names no element id in its target page, and each id
used twice in one page.
``dangerous_markup(html)`` lists the elements and attributes in a page that could run
script (our own two scripts excepted).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

RUNNABLE_TAGS = frozenset({"script", "iframe", "object", "embed", "frame", "frameset",
                           "applet", "form", "base", "meta", "link", "svg", "math"})
# Our own pages carry these; they are checked apart.
OWN_SCRIPT = re.compile(r"^(?:\.\./)*static/site\.js$")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster")


@dataclass
class PageScan:
    ids: set[str] = field(default_factory=set)
    duplicate_ids: set[str] = field(default_factory=set)
    urls: list[tuple[str, str, str]] = field(default_factory=list)  # tag, attribute, value


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = PageScan()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            if values["id"] in self.scan.ids:
                self.scan.duplicate_ids.add(values["id"])
            self.scan.ids.add(values["id"])
        for name in ("href", "src"):
            if name in values and tag != "base":
                self.scan.urls.append((tag, name, values[name]))


def scan_page(markup: str) -> PageScan:
    collector = _Collector()
    collector.feed(markup)
    return collector.scan


def crawl(site: Path) -> tuple[list[str], dict[str, PageScan]]:
    """Problems with local links in the built ``site``, and each page's scan."""
    pages = {path.relative_to(site).as_posix(): scan_page(path.read_text("utf-8"))
             for path in sorted(site.rglob("*.html"))}
    problems: list[str] = []
    for name, scan in pages.items():
        problems.extend(f"{name}: duplicate id {i}" for i in sorted(scan.duplicate_ids))
        for _, _, url in scan.urls:
            problem = _check(site, pages, name, url)
            if problem:
                problems.append(f"{name}: {url} -> {problem}")
    return problems, pages


def _check(site: Path, pages: dict[str, PageScan], name: str, url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme or url.startswith("//"):
        return None
    path = unquote(parts.path)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(name), path)) if path else name
    if target == ".." or target.startswith("../"):
        return "leaves the site"
    if not (site / target).exists():
        return f"missing file {target}"
    if parts.fragment and target.endswith(".html") and \
            unquote(parts.fragment) not in pages[target].ids:
        return f"no element #{unquote(parts.fragment)}"
    return None


# The only inline scripts our templates write: the theme switch before first paint, and
# an alias page's redirect to its target.
OWN_INLINE = (
    re.compile(r"^\s*/\* Theme before first paint.*\}\)\(\);\s*$", re.DOTALL),
    re.compile(r'^location\.replace\("[\w.%/-]*" \+ location\.hash\);$'),
)


class _Danger(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_inline_script = False
        self._script: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if tag == "script":
            src = values.get("src", "")
            if src and not OWN_SCRIPT.match(src):
                self.found.append(f"script src={src}")
            self._in_inline_script = not src
        elif tag in RUNNABLE_TAGS and not _own_head(tag, values):
            self.found.append(f"<{tag}>")
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in URL_ATTRIBUTES and _is_script_url(value):
                self.found.append(f"{tag} {name}={value}")
            if name == "style" and re.search(r"url\s*\(|expression", value, re.I):
                self.found.append(f"{tag} style={value}")

    def handle_data(self, data: str) -> None:
        if self._in_inline_script:
            self._script.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_inline_script:
            code = "".join(self._script)
            if not any(pattern.match(code) for pattern in OWN_INLINE):
                self.found.append(f"inline script: {code[:80]}")
            self._in_inline_script = False
            self._script = []


def _own_head(tag: str, values: dict[str, str]) -> bool:
    """Our templates' own <meta>, <link rel=...> and graph <svg> are fine."""
    if tag == "meta":
        return values.get("http-equiv", "").lower() != "refresh" or "javascript" not in \
            values.get("content", "").lower()
    if tag == "link":
        return values.get("rel") in {"stylesheet", "icon", "alternate", "canonical"}
    if tag == "svg":
        return True  # checked by the attribute rules like any element
    return tag == "base"


def _is_script_url(value: str) -> bool:
    cleaned = re.sub(r"[\x00-\x20]", "", value).lower()
    return cleaned.startswith(("javascript:", "vbscript:", "data:text/html"))


def dangerous_markup(markup: str) -> list[str]:
    """What in ``markup`` could run script: foreign scripts, inline scripts other than
    our own two, event attributes, script URLs, frames, forms."""
    scanner = _Danger()
    scanner.feed(markup)
    return scanner.found
