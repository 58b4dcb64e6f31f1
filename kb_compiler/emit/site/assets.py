"""Which vault files the site may publish, and in what form.

A vault's attachments are served from the site's own origin, so a file a browser would
run is as dangerous as a page with a script: HTML, XHTML, JavaScript, XML stylesheets
and the like are *withheld* (links to them show as plain text). SVG images are common
and useful, but may carry script when opened directly; they are published only after
their script elements, event attributes and script URLs are removed (an SVG that does
not parse, or declares entities, is withheld).
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ACTIVE_SUFFIXES = frozenset({
    ".html", ".htm", ".xhtml", ".xht", ".shtml", ".mhtml", ".mht", ".js", ".mjs", ".cjs",
    ".xml", ".xsl", ".xslt", ".php", ".swf", ".svgz", ".hta", ".vbs", ".wasm",
})
_SVG_DROP = frozenset({"script", "foreignobject", "iframe", "embed", "object", "handler",
                       "listener", "set", "animate"})
_SCRIPT_URL = re.compile(r"^\s*(?:javascript|vbscript|data)\s*:", re.I)
_ENTITY = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
ElementTree.register_namespace("", "http://www.w3.org/2000/svg")
ElementTree.register_namespace("xlink", "http://www.w3.org/1999/xlink")


def read_published(root: Path, path: str) -> bytes | None:
    """The publishable bytes of vault file ``path``; None when it is withheld or
    resolves outside the vault (a symlink pointing out is never followed). ``OSError``
    when it cannot be read (gone since the vault was read, or no permission)."""
    vault = root.resolve()
    source = (vault / path).resolve()
    if vault not in source.parents:
        return None
    return published_bytes(path, source.read_bytes())


def publishable(path: str) -> bool:
    """Whether the site may publish the vault file ``path`` at all."""
    return posixpath.splitext(path)[1].lower() not in ACTIVE_SUFFIXES


def published_bytes(path: str, data: bytes) -> bytes | None:
    """The bytes to publish for ``path`` (None: withhold it)."""
    if not publishable(path):
        return None
    if posixpath.splitext(path)[1].lower() == ".svg":
        return _clean_svg(data)
    return data


def _clean_svg(data: bytes) -> bytes | None:
    if _ENTITY.search(data):
        return None  # no DTDs: they can expand without bound
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return None
    pending = [root]
    while pending:  # iterative: SVGs can nest deeply
        element = pending.pop()
        for child in list(element):
            if _local(child.tag) in _SVG_DROP:
                element.remove(child)
            else:
                pending.append(child)
        for name, value in list(element.attrib.items()):
            local = _local(name)
            if local.startswith("on") or (local == "href" and _SCRIPT_URL.match(value)):
                del element.attrib[name]
    if _local(root.tag) != "svg":
        return None
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _local(name: object) -> str:
    text = name if isinstance(name, str) else ""
    return text.rsplit("}", 1)[-1].lower()
