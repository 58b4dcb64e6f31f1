"""Rebuild only what changed: the previous site is the cache.

Every page file the build writes is recorded in a manifest (``.kbc-manifest.json`` in
OUT) with a *fingerprint*: a hash of everything that page's HTML is made from. On the
next build a page whose fingerprint is unchanged is not rendered again; its file is
taken over from the previous site (hard-linked where the file system allows).

A page's HTML depends on its own text and on its neighbourhood, so the fingerprint
covers, conservatively:

- the build itself: kbc's site code and templates, the options, the sidebar, the
  vault's text macros, the ``exclude`` globs;
- the page: path, name, text, and the pictures its PDF area highlights show (files it
  names without a link, found or not);
- every reference it writes and where the graph resolved it (existence, block,
  suggestion...), and what the link shows of its target: published or not, file name,
  name, type and the anchor it points at (a heading renamed there moves that anchor);
  a block ref (or an embed of a block, which backlinks show as a link with its text)
  shows the block's text, so for it that block's text and where the links in it land
  (a quoted block that quotes or embeds in turn: its page's whole text, and that of
  every page quoted from there on);
- every page linking to it (backlink context): what it is called and where, where its
  references land, and the text of the blocks its links sit in (those blocks are
  shown here), but not the rest of its text; when one of those blocks holds a query,
  the whole vault (what the query finds);
- its namespace ancestors (the breadcrumbs) and children, the page of its type (its
  badge), and its metamodel score with its parts' scores (by name, type, icon and
  score: their text is not shown);
- every page whose content the render showed (``reads``: the embeds it filled, nested
  ones too, and the blocks its block refs quote), with where their references land;
  a page showing a base or a query reads every published file (``vaultwide``), and so
  does a page with a link the render resolves itself (raw HTML's ``src``/``href``, a
  reference-style link: the parser lists neither).

The last part is recorded while rendering, not worked out beforehand: the embeds a page
shows depend on cycles, depth and size bounds, and following every embed edge to the
depth bound would make most pages of a densely embedding vault depend on most others.
The manifest keeps each page's reads; the next build hashes those pages again and
compares. A page whose embeds change has new references of its own, so its first part
changes and it is rendered again, recording its new reads.

A change anywhere else leaves the fingerprint, and so the page, as it was.
"""

from __future__ import annotations

import functools
import hashlib
import json
import marshal
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from kb_compiler.emit.site.context import SiteContext
from kb_compiler.emit.site.metamodel import icon_of
from kb_compiler.emit.site.pages import breadcrumb_pages
from kb_compiler.emit.site.vaultwide import VAULT_READ, vault_digest
from kb_compiler.model import Block, Reference, RefKind
from kb_compiler.resolve import ResolvedRef, Target, target_id
from kb_compiler.resolve.blocks import LineMap, heading_level
from kb_compiler.versions import RENDERING_LIBRARIES, library_versions

MANIFEST = ".kbc-manifest.json"
_ADVANCED_QUERY = re.compile(r"#\+BEGIN_QUERY", re.IGNORECASE)
FORMAT = 3


@dataclass(frozen=True, slots=True)
class Recorded:
    """What the manifest keeps of one page file."""

    fingerprint: str
    key: str
    title: str
    excerpt: str
    assets: tuple[str, ...]
    broken: int
    reads: tuple[str, ...] = ()  # pages whose content the page shows (sorted)
    search_key: str = ""  # what the search index holds of it (``search.search_key``)


def read_manifest(out: Path) -> dict[str, Recorded]:
    """The previous build's manifest (empty when there is none or it is unreadable)."""
    try:
        data = json.loads((out / MANIFEST).read_text("utf-8"))
        if data.get("format") != FORMAT:
            return {}
        keys, pages = data["keys"], data["pages"]
        found = {}
        for name in list(pages):
            entry = pages.pop(name)  # each entry's list goes as its record comes
            fingerprint, key, title, excerpt, assets, broken, reads, search_key = entry
            found[name] = Recorded(fingerprint, key, title, excerpt, tuple(assets), broken,
                                   tuple(keys[i] for i in reads), search_key)
        return found
    except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError):
        return {}


def write_manifest(pages: Mapping[str, Recorded], out: TextIO) -> None:
    """The manifest as JSON, a page at a time (the whole text of a 50,000-page site's
    manifest, built at once, was 150 MB at the build's peak). Reads are numbers into one
    sorted list of page keys, as a page embedding much would otherwise repeat long keys
    thousands of times."""
    keys = sorted({key for r in pages.values() for key in r.reads})
    number = {key: i for i, key in enumerate(keys)}
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    out.write(f'{{"format":{FORMAT},"keys":{encode(keys)},"pages":{{')
    for count, name in enumerate(sorted(pages)):
        r = pages[name]
        entry = [r.fingerprint, r.key, r.title, r.excerpt, list(r.assets), r.broken,
                 [number[key] for key in r.reads], r.search_key]
        out.write(f"{',' if count else ''}{encode(name)}:{encode(entry)}")
    out.write("}}\n")


def code_fingerprint(templates: tuple[str, ...]) -> str:
    """A hash of kbc's code, of the template folders' files and of the versions of the
    libraries rendering uses. All of kbc's code counts, not only the emitter's: pages
    are rendered with the parsers' readers (Org code spans, bracket matching), the EDN
    reader (hiccup), and the bases and queries engines, so a change in any of them may
    change pages whose text did not. The templates are read again on every call: ``kbc
    serve`` rebuilds in one process while a user edits them."""
    return _hash([package_fingerprint(), [_files_digest(Path(t)) for t in templates]])


@functools.cache
def package_fingerprint() -> str:
    """The part of ``code_fingerprint`` a process reads once: kbc's code, the libraries."""
    return _hash([library_versions(RENDERING_LIBRARIES),
                  _files_digest(Path(__file__).resolve().parents[2], "*.py")])


def _files_digest(folder: Path, pattern: str = "*") -> str:
    """The hash of the files under ``folder`` that can change what is built: not hidden
    files (``.DS_Store``), editor backups (``page.html~``) or bytecode, which made the
    published manifest differ between two installs of the same kbc."""
    digest = hashlib.sha1()
    for path in sorted(p for p in folder.rglob(pattern) if p.is_file()):
        relative = path.relative_to(folder)
        if path.suffix == ".pyc" or path.name.endswith("~") or \
                any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
            continue
        digest.update(relative.as_posix().encode("utf-8"))
        digest.update(path.read_bytes())
    return digest.hexdigest()


class Fingerprints:
    """Computes page fingerprints for one build (see the module doc)."""

    def __init__(self, context: SiteContext, site_wide: str) -> None:
        self.context = context
        self.site_wide = site_wide
        self._texts: dict[str, str] = {}
        self._links: dict[str, str] = {}
        self._infos: dict[str, str] = {}
        self._identities: dict[str, str] = {}
        self._shown: dict[str, str] = {}
        self._linkings: dict[str, str] = {}
        self._closures: dict[str, str] = {}
        self._landings: dict[tuple[int, bool], tuple[Target, str]] = {}

    def page(self, key: str) -> str:
        """What the page's file is made from, but for its reads (see ``complete``)."""
        graph = self.context.graph
        parts: list[object] = [self.site_wide, "page", self._page_info(key),
                               ("refs", self._links_of(key))]  # hashed once, shared
        parts.extend(self._linking(source) for source in self._sources(key))
        parts.extend(("ancestor", self._identity(up)) for up in breadcrumb_pages(graph, key))
        parts.extend(("child", self._identity(child)) for child in graph.children(key))
        page_type = graph.page_type(key)
        if page_type is not None:  # its badge links to the type's page when published
            parts.append(("type", self._identity(page_type)))
        score = graph.score(key)
        if score is not None:
            parts.append(("score", repr(score), self.context.rollup(key)))
            parts.extend(("part", self._identity(child)) for child in score.children)
        return _hash(parts)

    def made_up(self, key: str) -> str:
        made = self.context.made_up[key]
        parts: list[object] = [self.site_wide, "made-up", key, made.name, made.is_namespace,
                               made.linked]
        parts.extend(("tagged", self._identity(source)) for source in sorted(made.tagged))
        parts.extend(("ancestor", self._identity(up))
                     for up in breadcrumb_pages(self.context.graph, key))
        parts.extend(("child", self._identity(child))
                     for child in self.context.graph.children(key))
        parts.extend(self._linking(source) for source in self._sources(key))
        return _hash(parts)

    def complete(self, fingerprint: str, reads: Iterable[str]) -> str:
        """The whole fingerprint: ``fingerprint`` (from ``page`` or ``made_up``) and the
        pages ``reads`` as they are now."""
        shown = [(key, self._info(key), self._links_of(key) if key in self.context.pages
                  else None) for key in sorted(reads)]
        return _hash([fingerprint, shown]) if shown else fingerprint

    def _sources(self, key: str) -> list[str]:
        """The published pages linking to ``key``: its backlinks show them."""
        pages = self.context.pages
        return sorted({r.source for r in self.context.graph.backlinks(key)
                       if r.source in pages})

    def _linking(self, source: str) -> str:
        """A hash of what a page's backlinks show of ``source``: its name and place, its
        linking blocks and where their links land (hashed once: a page links to many)."""
        found = self._linkings.get(source)
        if found is None:
            found = self._linkings[source] = _hash(["from", self._identity(source),
                                                    self._links_of(source),
                                                    self._shown_text(source)])
        return found

    def _shown_text(self, key: str) -> str:
        """A hash of the text of ``key`` that backlinks show: each block holding a link
        (with its number and its anchor, which backlinks point at: a heading's id
        depends on the headings before it) and the property each property link sits
        in. Editing the rest of the page leaves the pages it links to as they are. A
        page that may hold a link reference or footnote definition counts whole: a
        definition reaches across blocks, and whether it does depends on how the
        page's other blocks render."""
        found = self._shown.get(key)
        if found is None:
            found = self._shown[key] = self._text(key) if "]:" in \
                self.context.pages[key].text else self._linking_blocks(key)
        return found

    def _linking_blocks(self, key: str) -> str:
        page = self.context.pages[key]
        lines = page.text.split("\n")
        starts = LineMap(page)
        shown: set[int] = set()
        properties: set[tuple[int, str]] = set()
        for resolved in self.context.graph.outgoing(key):
            ref = resolved.ref
            if ref.property:
                properties.add((ref.line, ref.property))
            elif (index := starts.block_at(ref.line)) is not None:
                shown.add(index)
        blocks = [self._block_shown(key, page.blocks[index], lines) for index in sorted(shown)]
        # a query in a block shown lists what it finds in the whole vault, now
        queries = any(_holds_query(page.blocks[index]) for index in shown)
        return _hash([page.dialect.value, bool(page.blocks), blocks, sorted(properties),
                      self._info(VAULT_READ) if queries else None])

    def _links_of(self, key: str) -> str:
        """Where the references of another page land (its text shown here holds them),
        and the pictures its PDF area highlights show: files it names without a link."""
        found = self._links.get(key)
        if found is None:
            references = [self._reference(r) for r in self.context.graph.outgoing(key)]
            page = self.context.pages.get(key)
            pictures = [self.context.area_picture(page, block) for block in page.blocks] \
                if page is not None else []
            found = self._links[key] = _hash([references, pictures])
        return found

    def _reference(self, resolved: ResolvedRef) -> tuple[object, ...]:
        return (*_written(resolved.ref), self._landing(resolved.target, quoted=_quotes(resolved)))

    def _landing(self, target: Target, *, quoted: bool) -> str:
        """A hash of where a reference lands and what it shows there: a block ref the
        block's text (wherever it is rendered, backlinks too), other links only what
        ``_link_info`` covers. Every reference to a page shares one ``Target``, so each
        is described once (kept here with its hash, so its id is never reused)."""
        found = self._landings.get((id(target), quoted))
        if found is None:
            shown = self._quoted(target) if quoted \
                else self._link_info(target_id(target), target.block)
            # whether a file is published: an SVG's content decides (it may run script)
            withheld = self.context.withheld_because(target.asset) \
                if target.asset is not None and target.exists else None
            described = _hash([target.page, target.block, target.asset, target.exists,
                               target.name, target.suggestion, target.node, target.implied,
                               target.escapes, shown, withheld,
                               self.context.shown_suggestion(target)])
            found = self._landings[(id(target), quoted)] = (target, described)
        return found[1]

    def _quoted(self, target: Target) -> str:
        """What a block ref shows of its target: the block's text, where the links in it
        land, and the page's name and place. A block that itself quotes or embeds counts
        as its whole page, and with what those blocks show in turn, however deep (its
        ref to a block made private shows "(unpublished block)")."""
        key = target_id(target)
        page = self.context.pages.get(key) if key else None
        if page is None or target.block is None or not 0 <= target.block < len(page.blocks):
            return self._info(key)
        assert key is not None  # the page was found by it
        block = page.blocks[target.block]
        inside = [r for r in self.context.graph.outgoing(key)
                  if block.line <= r.ref.line <= block.end_line]
        nested = sorted({other for r in inside if _quotes(r)
                         and (other := target_id(r.target)) is not None})
        if nested:
            return _hash([self._info(key), [self._quoted_from(other) for other in nested]])
        links = [(*_written(r.ref), self._link_info(target_id(r.target), r.target.block))
                 for r in inside]
        return _hash([self._identity(key),
                      self._block_shown(key, block, page.text.split("\n")), links])

    def _quoted_from(self, key: str) -> str:
        """A hash of page ``key`` and every page quoted or embedded from there on, each
        whole and once (quotes may run in a circle); worked out once per page."""
        found = self._closures.get(key)
        if found is None:
            seen, todo = {key}, [key]
            while todo:
                for resolved in self.context.graph.outgoing(todo.pop()):
                    other = target_id(resolved.target)
                    if other is not None and other not in seen and _quotes(resolved):
                        seen.add(other)
                        todo.append(other)
            found = self._closures[key] = _hash(sorted(self._info(page) for page in seen))
        return found

    def _block_shown(self, key: str, block: Block, lines: list[str]) -> tuple[object, ...]:
        """What another page shows of a block of page ``key``: its number, its anchor
        (a heading's id is numbered among the page's headings; other blocks' anchors are
        their id or number, in their lines or here already), its place and its lines."""
        anchor = self.context.anchor(key, block.index) if heading_level(block) is not None \
            else None
        picture = self.context.area_picture(self.context.pages[key], block)
        return (block.index, anchor, block.line, block.end_line,
                lines[block.line - 1:block.end_line], picture)

    def _link_info(self, key: str | None, block: int | None) -> tuple[object, ...]:
        """What a link shows of its target: where it is, what it is called and its type
        (the local graph's colour), not its text (a page whose content is shown is in
        the reads, with its text)."""
        if key is None:
            return ()
        context = self.context
        made = context.made_up.get(key)
        return (key, key in context.pages, made is not None,
                made is not None and (made.linked or made.is_namespace),  # a link opens it
                context.publish.is_public(key), context.slugs.get(key),
                context.display_name(key), context.graph.page_type(key),
                context.anchor(key, block))

    def _info(self, key: str | None) -> str:
        """A hash of a page shown whole, text included (a page a render read: an embed,
        a quoted block that falls back to its page)."""
        if key is None:
            return "none"
        found = self._infos.get(key)
        if found is None and key == VAULT_READ:
            found = self._infos[key] = vault_digest(self.context, self._links_of)
        if found is None:
            text = self._text(key) if key in self.context.pages else None
            found = self._infos[key] = _hash([self._identity(key), text])
        return found

    def _identity(self, key: str | None) -> str:
        """A hash of what a page shows of another it only names: name, place, type and
        score (hashed once: it is in many fingerprints, and a short string is quick to
        hash again)."""
        if key is None:
            return "none"
        found = self._identities.get(key)
        if found is None:
            found = self._identities[key] = _hash([self._describe(key)])
        return found

    def _describe(self, key: str) -> tuple[object, ...]:
        context = self.context
        page = context.pages.get(key)
        score = context.graph.score(key)
        return (key, context.publish.is_public(key), page is not None,
                key in context.made_up, context.slugs.get(key), context.display_name(key),
                context.graph.page_type(key), repr(score) if score else None,
                context.rollup(key),
                page.path if page is not None else None, icon_of(context, key))

    def _page_info(self, key: str) -> tuple[object, ...]:
        page = self.context.pages[key]
        return (self._info(key), page.dialect.value, page.is_journal)

    def _text(self, key: str) -> str:
        found = self._texts.get(key)
        if found is None:
            page = self.context.pages[key]
            found = self._texts[key] = hashlib.sha1(page.text.encode("utf-8")).hexdigest()
        return found


def _holds_query(block: Block) -> bool:
    """Whether the block shows a Logseq query's results (``{{query}}``, as the parser
    read it, or ``#+BEGIN_QUERY``)."""
    return any(macro.name.lower() == "query" for macro in block.macros) or \
        _ADVANCED_QUERY.search(block.content) is not None


def _quotes(resolved: ResolvedRef) -> bool:
    """Whether the reference shows a block's text where it is written: a block ref, or
    an embed of a block (shown as a link with the block's text in backlinks)."""
    kind = resolved.ref.kind
    return kind is RefKind.BLOCK_REF or \
        (kind is RefKind.EMBED and resolved.target.block is not None)


def _written(ref: Reference) -> tuple[object, ...]:
    """A reference as written: kind, target, heading or block, and line."""
    return (ref.kind.value, ref.target, ref.subpath, ref.block_id, ref.line)


def _hash(parts: list[Any]) -> str:
    """A hash of ``parts`` (strings, numbers, None and containers of them), serialized
    by ``marshal`` version 2: unambiguous, the same bytes for equal values whichever
    objects hold them (later versions refer back to repeated objects), and three times
    faster than ``repr``, which was a third of planning a rebuild."""
    try:
        data = marshal.dumps(parts, 2)
    except ValueError:  # a value marshal does not know: its repr says it all the same
        data = repr(parts).encode("utf-8")
    return hashlib.sha1(data).hexdigest()
