"""The anatomy of an Obsidian link target, shared by the body scanner and the property
reader: ``[[TARGET#SUBPATH|DISPLAY]]`` split into its parts, asset detection by file
extension, and Markdown-link destinations decoded to the same parts (FORMATS.md 2.3-2.6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

# Attachment types Obsidian opens or embeds, plus other common files people link. A
# closed list on purpose: note names often contain dots ("Dr. Who", "Web 2.0",
# "v1.10"), so "has a dot" is no sign of a file.
ASSET_EXTENSIONS = frozenset({
    # images, audio, video, documents (what Obsidian embeds or opens)
    "avif", "bmp", "gif", "heic", "ico", "jfif", "jpeg", "jpg", "png", "svg", "tif", "tiff",
    "webp", "flac", "m4a", "mp3", "oga", "ogg", "opus", "wav", "3gp", "mkv", "mov", "mp4",
    "mpeg", "ogv", "webm", "pdf", "epub", "djvu", "canvas", "base", "excalidraw",
    # other files people attach; not "js"/"ts": notes are called "Node.js" and "Vue.js"
    "txt", "csv", "tsv", "json", "yaml", "yml", "xml", "html", "htm", "css", "toml",
    "doc", "docx", "odt", "rtf", "xls", "xlsx", "ods", "ppt", "pptx", "odp",
    "zip", "gz", "tgz", "tar", "7z", "rar", "bz2", "xz",
})

_SIZE = re.compile(r"\d+(?:x\d+)?")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]+:|//")
_MD_SUFFIX = ".md"


@dataclass(frozen=True, slots=True)
class LinkParts:
    """One link's target, subpath (``Heading#Sub`` or ``^block``) and display text."""

    target: str
    subpath: str | None
    label: str | None

    @property
    def is_block(self) -> bool:
        return bool(self.subpath and self.subpath.startswith("^"))


def split_wikilink(inner: str) -> LinkParts:
    """Split the text between ``[[`` and ``]]``: display text after the first ``|`` (a
    table's escaped ``\\|`` counts as the separator), then target and subpath at the
    first ``#``. A trailing ``.md`` is dropped: ``[[Note.md]]`` names the note."""
    head, bar, label = inner.partition("|")
    if bar and head.endswith("\\"):
        head = head[:-1]
    target, hash_mark, subpath = head.partition("#")
    return LinkParts(
        target=_drop_md_suffix(target.strip()),
        subpath=normalize_subpath(subpath) if hash_mark else None,
        label=label.strip() if bar else None,
    )


def normalize_subpath(subpath: str) -> str | None:
    """``^id`` stays a block id; a heading chain is trimmed part by part (``H1#H2``)."""
    subpath = subpath.strip()
    if subpath.startswith("^"):
        return "^" + subpath[1:].strip() if subpath[1:].strip() else None
    parts = [part.strip() for part in subpath.split("#") if part.strip()]
    return "#".join(parts) or None


def is_asset_name(target: str) -> bool:
    """Whether ``target`` names an attachment (``Figure 1.png``, ``Books.base``) rather
    than a note: its last path segment ends in a known non-Markdown extension."""
    name = target.rsplit("/", 1)[-1]
    stem, dot, extension = name.rpartition(".")
    return bool(dot and stem) and extension.lower() in ASSET_EXTENSIONS


def embed_size(label: str | None) -> str | None:
    """``400`` or ``640x480`` when an asset embed's display part is a size."""
    return label if label is not None and _SIZE.fullmatch(label) else None


def is_external(destination: str) -> bool:
    """``http:``, ``mailto:``, ``obsidian:``... and protocol-relative ``//host``: not a
    note. A one-letter "scheme" is a Windows drive (``C:``), kept as a local path so the
    resolver can refuse it as an escape."""
    return bool(_SCHEME.match(destination))


def split_destination(destination: str) -> LinkParts:
    """A Markdown link's destination (``Some%20Note.md#Heading``, ``<My Note.md>``) as
    link parts: angle brackets removed, percent-decoded, fragment as subpath, ``.md``
    dropped. The label is filled in by the caller."""
    destination = destination.strip()
    if destination.startswith("<") and destination.endswith(">"):
        destination = destination[1:-1]
    path, hash_mark, fragment = destination.partition("#")
    path = path.partition("?")[0]
    return LinkParts(
        target=_drop_md_suffix(unquote(path).strip()),
        subpath=normalize_subpath(unquote(fragment)) if hash_mark else None,
        label=None,
    )


def _drop_md_suffix(target: str) -> str:
    if target.lower().endswith(_MD_SUFFIX) and len(target) > len(_MD_SUFFIX):
        return target[: -len(_MD_SUFFIX)]
    return target
