"""The typed model every stage shares: what a knowledge base *says*, with file and line.

Parsing produces these values; later stages read them and return new values. Everything
here is a frozen dataclass of plain data (str, int, tuples), so parse results pickle
cheaply across processes and hash for caching.

The block tree is stored flat (``Page.blocks`` in document order, each block naming its
parent's index) rather than as nested objects: a 10,000-level outline must not hit
Python's recursion limit when it is pickled, compared or printed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kb_compiler.config import VaultConfig


class Dialect(StrEnum):
    """How a page file is written."""

    LOGSEQ = "logseq"
    OBSIDIAN = "obsidian"
    MARKDOWN = "markdown"  # plain Markdown, no dialect marks


class VaultKind(StrEnum):
    """What kind of folder a vault is, which decides file-name rules and defaults."""

    LOGSEQ = "logseq"  # has logseq/config.edn
    OBSIDIAN = "obsidian"  # has .obsidian/
    FOLDER = "folder"  # neither: each file's dialect comes from its own marks


class RefKind(StrEnum):
    """What a reference in the text does. Matches the graph's edge kinds."""

    LINK = "link"  # [[Page]], [label]([[Page]]), [text](Note.md)
    EMBED = "embed"  # {{embed [[Page]]}}, {{embed ((uuid))}}, ![[Note]]
    BLOCK_REF = "block-ref"  # ((uuid)), [[Note#^id]]
    TAG = "tag"  # #tag, #[[multi word]], tags:: values, frontmatter tags
    PROPERTY = "property"  # a page named inside a property value (relations::, metamodel-id::)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


# A property's typed value: numbers, booleans and text as themselves; a list (page
# references or a YAML list) as a tuple; a YAML mapping as a tuple of (key, value) pairs.
PropertyValue = int | float | bool | str | None | tuple["PropertyValue", ...]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in the knowledge base, at a place in a file.

    ``code`` is stable (see INTERFACE.md); ``path`` is vault-relative with ``/``; ``line``
    and ``column`` are 1-based (0 when the problem concerns the whole file).
    """

    code: str
    severity: Severity
    path: str
    line: int
    column: int
    message: str
    target: str | None = None
    suggestion: str | None = None
    end_column: int | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)

    def __str__(self) -> str:
        """The compiler form ``path:line:col: error[code] message``, as ``kbc check``
        heads each problem (line and column left out when they are 0)."""
        where = self.path
        if self.line > 0:
            where += f":{self.line}" + (f":{self.column}" if self.column > 0 else "")
        return f"{where}: {self.severity.value}[{self.code}] {self.message}"


@dataclass(frozen=True, slots=True)
class Reference:
    """A pointer written in a page: to a page, a heading, a block, or an asset file.

    ``target`` is the page name (or asset path) exactly as written, trimmed, before any
    resolution; empty for a same-page link such as ``[[#Heading]]``. ``subpath`` holds a
    heading chain (``Heading#Sub``) or a block id with its caret (``^abc``). ``block_id``
    holds a Logseq uuid for ``((uuid))`` refs and embeds (``target`` is then empty).
    """

    kind: RefKind
    target: str
    line: int
    column: int
    label: str | None = None
    subpath: str | None = None
    block_id: str | None = None
    property: str | None = None  # set when the reference sits in a property value
    is_asset: bool = False  # a file that is not a page (image, PDF...)
    size: str | None = None  # an embed size such as "400" or "640x480"
    raw: str = ""  # the source text of the reference


@dataclass(frozen=True, slots=True)
class Property:
    """A ``key:: value`` line or a frontmatter entry.

    ``key`` is the lookup form (lower-case, ``_`` -> ``-``); ``raw_key`` and ``raw`` keep
    the author's spelling so output can reproduce the source. ``references`` lists the
    page names the value points to, in order.
    """

    key: str
    raw_key: str
    raw: str
    value: PropertyValue
    line: int
    references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Callout:
    """The head of an Obsidian callout, ``> [!type]± Title``.

    ``type`` is the identifier lower-cased (``note``, ``faq``, or any custom type);
    ``title`` is the title as written, or the type in title case when none is given;
    ``fold`` is ``"-"`` (collapsed), ``"+"`` (expanded) or None (not foldable).
    """

    type: str
    title: str
    fold: str | None = None


@dataclass(frozen=True, slots=True)
class Macro:
    """A Logseq macro kept as an opaque node: ``{{name arg1, arg2}}`` (``query``,
    ``renderer``, ``video``, user macros...). ``{{embed ...}}`` is a Reference instead.

    ``args`` are the comma-separated arguments, trimmed; ``raw`` is the whole source
    text including the braces; ``line`` and ``column`` (1-based) locate the ``{{``.
    """

    name: str
    args: tuple[str, ...]
    line: int
    column: int
    raw: str


ORG_TEXT = "org"  # Block.kind of an Org-mode heading: its content is Org text, not Markdown
# Block.kind of a Logseq whiteboard's text shape: plain words, shown as they are written
SHAPE_TEXT = "shape-text"


@dataclass(frozen=True, slots=True)
class Block:
    """One outline block (Logseq) or one Markdown block: a heading, paragraph, list item,
    callout, table or code fence (Obsidian / plain Markdown).

    ``parent`` is the index of the parent block in ``Page.blocks`` (None at top level);
    ``depth`` is 0 at top level. ``content`` is the block's own text with the bullet,
    indentation, property lines and id marks removed; ``heading`` is the heading level
    (1..6) when the block is a heading. ``block_id`` is the id other pages use to point
    at it: a Logseq ``id::`` uuid or an Obsidian ``^id`` (without the caret).
    """

    index: int
    parent: int | None
    depth: int
    line: int
    end_line: int
    content: str
    properties: tuple[Property, ...] = ()
    references: tuple[Reference, ...] = ()
    heading: int | None = None
    block_id: str | None = None
    # block, heading, paragraph, list-item, callout, code, table, ... ORG_TEXT, SHAPE_TEXT
    kind: str = "block"
    callout: Callout | None = None  # set when kind == "callout" (Obsidian ``> [!type]``)
    # Logseq: macros other than embeds, and the task parts of a block's first line
    # (removed from ``content``): marker (TODO, DONE...), priority (A, B, C), and the
    # dates of SCHEDULED: / DEADLINE: lines as written inside the angle brackets.
    macros: tuple[Macro, ...] = ()
    marker: str | None = None
    priority: str | None = None
    scheduled: str | None = None
    deadline: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """One page file, parsed.

    ``name`` is the page name as the dialect resolves it (title:: wins over the file
    name in Logseq; the vault-relative path without ``.md`` in Obsidian), with the
    author's case; ``id`` is its case-folded identity (see ``page_id``).
    ``references`` holds every reference of the page (page properties and blocks) in
    source order; ``text`` is the whole decoded, repaired text, kept so emitters can
    render and round-trip it.
    """

    path: str
    name: str
    dialect: Dialect
    text: str
    properties: tuple[Property, ...] = ()
    blocks: tuple[Block, ...] = ()
    references: tuple[Reference, ...] = ()
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    is_journal: bool = False
    frontmatter: str | None = None  # the raw YAML text, when the page has frontmatter
    diagnostics: tuple[Diagnostic, ...] = ()
    # (line, the line as the file holds it) of each line whose encoding damage was
    # repaired: positions are counted in ``text``, and reports map them back to the file
    repaired_lines: tuple[tuple[int, str], ...] = ()

    @property
    def id(self) -> str:
        return page_id(self.name)

    def property(self, key: str) -> Property | None:
        """The page property named ``key`` (lookup form), or None; of a key written
        twice, the last (Logseq builds its property map from the lines in order)."""
        return last_property(self.properties, key)

    def children(self, index: int | None) -> tuple[Block, ...]:
        """The direct children of block ``index`` (None: the top-level blocks)."""
        return tuple(b for b in self.blocks if b.parent == index)


@dataclass(frozen=True, slots=True)
class Asset:
    """A non-page file in the vault (image, PDF...), by vault-relative path."""

    path: str
    size: int = 0


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A page file found by discovery, before parsing."""

    path: str  # vault-relative, with /
    absolute: Path
    dialect_hint: Dialect | None = None  # from the vault kind; None: detect per file
    is_journal: bool = False


@dataclass(frozen=True)
class KnowledgeBase:
    """A whole vault, parsed: the output of ``kb_compiler.load``."""

    root: Path
    kind: VaultKind
    pages: tuple[Page, ...]
    assets: tuple[Asset, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()  # discovery and config problems
    config: VaultConfig | None = field(default=None, compare=False)

    def __repr__(self) -> str:
        # The generated repr printed every page, block and property: 340 KB for the
        # sample vault in a REPL. Counts say what a knowledge base holds.
        return (f"KnowledgeBase(root={str(self.root)!r}, kind={self.kind.value!r}, "
                f"pages={len(self.pages)}, assets={len(self.assets)}, "
                f"diagnostics={len(self.all_diagnostics())})")

    def page(self, name: str) -> Page | None:
        """The first page whose id equals ``page_id(name)``, or None (no alias lookup)."""
        wanted = page_id(name)
        return next((p for p in self.pages if p.id == wanted), None)

    def all_diagnostics(self) -> tuple[Diagnostic, ...]:
        found = list(self.diagnostics)
        for page in self.pages:
            found.extend(page.diagnostics)
        return tuple(sorted(found, key=Diagnostic.sort_key))


def last_property(properties: Sequence[Property], key: str) -> Property | None:
    """The property named ``key`` (any spelling) among ``properties``: the last one
    when the key is written twice, as Logseq and YAML readers both keep the last."""
    wanted = normalize_key(key)
    return next((p for p in reversed(properties) if p.key == wanted), None)


@functools.lru_cache(maxsize=1 << 16)  # pure, and asked for the same names again and again
def page_id(name: str) -> str:
    """A page's identity: NFC-normalized, lower-cased, boundary slashes dropped, and a
    namespace's empty segments too. Only case and Unicode form are folded, never spaces
    or punctuation (Logseq's ``page-name-sanity-lc``)."""
    name = unicodedata.normalize("NFC", name).strip()
    if not namespaced(name):  # "https://x.org/a" keeps its "//"
        return name.strip("/").lower()
    parts = [part for part in name.split("/") if part]
    return "/".join(parts).lower()


# An address whose origin is not "null" (Logseq's ``url?``: what the browser's URL
# parser accepts with a host); ``http:example.org`` counts, as it does there.
_ADDRESS = re.compile(r"(?:https?|ftp|wss?):[/\\]*[^/\\?#\s]", re.IGNORECASE)


def namespaced(name: str) -> bool:
    """Whether ``name`` names a page in a namespace (``a/b`` lives in ``a``): it holds a
    "/", and is neither a path from here (``./x``, ``../x``) nor an address (Logseq's
    ``namespace-page?``)."""
    name = name.strip()
    return "/" in name.strip("/") and not name.startswith(("./", "../")) \
        and not _ADDRESS.match(name)


def normalize_key(key: str) -> str:
    """A property key's lookup form: lower-case, ``_`` written as ``-``."""
    return key.strip().lower().replace("_", "-")
