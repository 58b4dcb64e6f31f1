"""``PageLinker``: how references written in one page become HTML on the site.

The markdown rules hand over what was written; the linker finds the graph's resolution
(``SiteContext.find_ref``, falling back to ``lookup`` for syntax the parser did not
list) and writes the link: a relative link to a published page, plain text for an
unpublished one, a styled, unclickable span for a broken one (recorded for the page's
list of broken links), a slot for an embed (filled by ``embeds.Transcluder``).
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol
from urllib.parse import unquote

from kb_compiler.emit.site.context import SiteContext
from kb_compiler.emit.site.macros import media_link, render_macro
from kb_compiler.emit.site.render import LinkRewrite
from kb_compiler.emit.site.rules_core import FILE_EMBED_SUFFIXES
from kb_compiler.emit.site.sanitize import sanitize_html
from kb_compiler.emit.site.urls import asset_file, block_anchor, relative_url
from kb_compiler.emit.site.vaultwide import VAULT_READ
from kb_compiler.model import Dialect, Page, page_id
from kb_compiler.parse.names import AUDIO_SUFFIXES, BASE_SUFFIX, IMAGE_SUFFIXES, VIDEO_SUFFIXES
from kb_compiler.parse.web_media import obsidian_web_embed
from kb_compiler.resolve import Target, target_id
from kb_compiler.resolve.blocks import section_roots

if TYPE_CHECKING:
    from kb_compiler.emit.site.embeds import Transcluder


class Shown(NamedTuple):
    """Another page's content as rendered here: the HTML, the assets it shows, and the
    pages whose content it was made from (what the page depends on, for rebuilds)."""

    html: str
    assets: frozenset[str]
    reads: frozenset[str]


class Snippets(Protocol):
    """Short renderings of other pages' blocks (block-ref text), cached per build, as
    ``quoted_in_a_link`` makes them."""

    def block_text(self, key: str, index: int, from_file: str) -> Shown:
        ...

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")
_PDF_PAGE = re.compile(r"(?:^|&)page=(\d+)(?:&|$)")
_WEB = re.compile(r"^https?://", re.IGNORECASE)
_ANCHOR_TAG = re.compile(r"</?a\b[^>]*>")
# A block ref is one link, often inside a paragraph: what it quotes may only be phrasing
# content that does nothing of its own. A <div> (an embed) in it made the browser close
# the paragraph around it; a focus stop or a control in a link is invalid.
_BLOCK_TAG = re.compile(r"<(/?)(?:div|p|dl|dt|dd|ul|ol|li|table|thead|tbody|tfoot|tr|td|th|"
                        r"h[1-6]|pre|blockquote|details|summary|figure|figcaption|section)\b")
_NOT_IN_A_LINK = re.compile(r"<hr\b[^>]*>|<input\b[^>]*>|</?(?:button|iframe|video|audio|"
                            r"object|select|textarea|label)\b[^>]*>|\stabindex=\"[^\"]*\"")


def quoted_in_a_link(rendered: str) -> str:
    """A block's rendering as a block ref shows it: inside one link, so without links of
    its own, and phrasing content only, with no focus stop or control."""
    quoted = _NOT_IN_A_LINK.sub("", _ANCHOR_TAG.sub("", rendered))
    return _BLOCK_TAG.sub(r"<\1span", quoted)


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """One reference on a page that lands nowhere."""

    label: str
    target: str
    suggestion: str | None = None


@dataclass
class LinkReport:
    """What rendering a page found: broken references, the assets it shows, and the
    other pages whose content it shows (embedded, or quoted by a block ref)."""

    broken: list[BrokenLink] = field(default_factory=list)
    assets: set[str] = field(default_factory=set)
    reads: set[str] = field(default_factory=set)

    def include(self, shown: Shown) -> None:
        self.assets.update(shown.assets)
        self.reads.update(shown.reads)


class LabelHtml(str):
    """A link's label already rendered as HTML (a Logseq label's inline markup)."""

    __slots__ = ()


def escape(text: str) -> str:
    return text if isinstance(text, LabelHtml) else html.escape(text, quote=True)


class PageLinker:
    """The ``render.Linker`` of one page. ``shallow`` linkers (backlink context, block
    ref text, previews) show embeds and block refs as links, never their content."""

    def __init__(self, context: SiteContext, page: Page, site_file: str, report: LinkReport,
                 *, snippets: Snippets, transcluder: Transcluder | None = None,
                 shallow: bool = False) -> None:
        self.context = context
        self.snippets = snippets
        self.page = page
        self.file = site_file
        self.report = report
        self.transcluder = transcluder
        self.shallow = shallow or transcluder is None
        self.macro_depth = 0
        self.queries_drawn: dict[str, int] = {}  # a query's text: how often drawn here
        self._written: set[str] = set()  # hrefs this linker wrote into Markdown links
        # Set by the transcluder for embedded renders: what led here, how deep.
        self.chain: tuple[tuple[str, tuple[int, ...] | None], ...] = ((page.id, None),)
        self.depth = 0

    # -- wikilinks and embeds ----------------------------------------------------------

    def wikilink(self, meta: dict[str, Any]) -> str:
        target = str(meta["target"])
        written = str(meta["raw_target"])
        if not written.strip():
            return self.empty_link(str(meta["label"] or "[[]]"))
        if meta["embed"]:
            suffix = posixpath.splitext(target)[1].lower()
            if suffix == BASE_SUFFIX:
                return self._base(target, meta)
            if suffix in FILE_EMBED_SUFFIXES:
                return self._media(target, meta)
        found = self._resolve(meta)
        if found.asset is not None:
            if meta["embed"]:
                return self._media(target, meta)
            return self.asset_link(found, str(meta["label"] or written), meta.get("subpath"))
        label = self._label(meta) or self._shown_target(written) or target or self.page.name
        subpath = meta.get("subpath")
        if meta["embed"]:
            return self._embed(found, label, subpath)
        if not found.exists and found.page is not None and str(subpath or "").startswith("^"):
            # a block the page lacks: an error in the check, so no live link here
            return self.broken(label, found, subpath=str(subpath))
        if not found.exists and found.page in self.context.pages and subpath:
            return self._missing_heading(found, label, str(subpath))
        return self.page_link(found, label, "wikilink")

    def _missing_heading(self, found: Target, label: str, heading: str) -> str:
        """A link to a heading the page lacks: it opens the page, as Obsidian does, but
        the check warns (``broken-link``), so it is listed among the page's broken links
        and says why."""
        title = self._list_missing_part(found, label, heading)
        href = self.context.href(self.file, target_id(found)) or ""
        return (f'<a class="wikilink internal missing-heading" href="{escape(href)}" '
                f'title="{escape(title)}">{escape(label)}</a>')

    def _list_missing_part(self, found: Target, label: str, part: str) -> str:
        """List the link to a heading or ``^block`` a page lacks among the page's broken
        ones; what its title says."""
        self.report.broken.append(BrokenLink(label, f"{found.name} > {part}",
                                             self.context.shown_suggestion(found)))
        kind = "block" if part.startswith("^") else "heading"
        return f"{kind} \u2018{part}\u2019 not found in page \u2018{found.name}\u2019"

    def _shown_target(self, written: str) -> str:
        """A link's text when it has no label: as written, but an Obsidian link to a
        heading or block reads ``Note > Heading`` (``[[Note#Heading]]``), as Obsidian
        shows it."""
        if self.page.dialect is Dialect.LOGSEQ or "#" not in written:
            return written
        return " > ".join(part for part in written.split("#") if part.strip()) or written

    def _resolve(self, meta: dict[str, Any]) -> Target:
        target, written = str(meta["target"]), str(meta["raw_target"])
        subpath = meta["subpath"]
        key = self.page.id
        readings: list[tuple[str, str | None]] = [(target, subpath), (written, None)]
        if self.page.dialect is Dialect.LOGSEQ:
            readings.reverse()
        for name, sub in readings:
            found = self.context.find_ref(key, [name], sub)
            if found is not None:
                return found.target
        self.looked_up()
        return self.context.lookup(readings[0][0], readings[0][1], key)

    def looked_up(self) -> None:
        """A target resolved while rendering, not one the parser listed (raw HTML's
        ``src``/``href``, reference-style links): the page's fingerprint does not
        cover where it lands, so the page depends on every page and file instead."""
        self.report.reads.add(VAULT_READ)

    def page_link(self, found: Target, label: str, css: str) -> str:
        """A link to the target page, plain text when unpublished, broken otherwise."""
        key = target_id(found)
        context = self.context
        if key in context.pages:
            href = context.href(self.file, key, context.anchor(key, found.block))
            return f'<a class="{css} internal" href="{escape(href or "")}">{escape(label)}</a>'
        if context.links_to_made_up(key, self.page):
            href = context.href(self.file, key) or ""
            return f'<a class="{css} internal implied" href="{escape(href)}">{escape(label)}</a>'
        if key is not None and not context.publish.is_public(key):
            return escape(label)
        return self.broken(label, found)

    def broken(self, label: str, found: Target, what: str = "page",
               subpath: str | None = None) -> str:
        """A reference that lands nowhere; ``subpath``: the heading or ``^block`` of
        an existing page that it names and the page has not."""
        suggestion = self.context.shown_suggestion(found)
        self.report.broken.append(BrokenLink(label, found.name, suggestion))
        title = f"{what} \u2018{found.name}\u2019 does not exist"
        if subpath:
            part = "block" if subpath.startswith("^") else "heading"
            title = f"{part} \u2018{subpath}\u2019 not found in page \u2018{found.name}\u2019"
        if found.escapes:
            title = f"\u2018{found.name}\u2019 points outside the vault"
        if suggestion:
            title += f"; did you mean \u2018{suggestion}\u2019?"
        return (f'<span class="broken-link" title="{escape(title)}" role="link" '
                f'aria-disabled="true">{escape(label)}</span>')

    def empty_link(self, label: str) -> str:
        self.report.broken.append(BrokenLink(label, ""))
        return (f'<span class="broken-link" title="empty link: it names no page" role="link" '
                f'aria-disabled="true">{escape(label)}</span>')

    def _embed(self, found: Target, label: str, subpath: object = None) -> str:
        key = target_id(found)
        if key is not None and key not in self.context.pages and key not in self.context.made_up \
                and not self.context.publish.is_public(key):
            return escape(label)
        if not found.exists or key not in self.context.pages:
            missing = str(subpath).strip() if key in self.context.pages and subpath else None
            broken = self.broken(label, found, "embedded page", missing)
            return f'<div class="embed embed-broken">{broken}</div>'
        if self.shallow or self.transcluder is None:
            return self.page_link(found, label, "embed-link")
        page = self.context.pages[key]
        roots: tuple[int, ...] | None = None
        if found.block is not None:
            roots = section_roots(page, found.block) if self._is_heading(page, found.block) \
                else (found.block,)
        return self.transcluder.request(key, roots, label, self,
                                        self.page_link(found, label, "embed-link"))

    @staticmethod
    def _is_heading(page: Page, block: int) -> bool:
        return page.dialect is not Dialect.LOGSEQ and bool(page.blocks[block].heading)

    # -- block refs --------------------------------------------------------------------

    def block_ref(self, meta: dict[str, Any]) -> str:
        uuid = str(meta["uuid"])
        found = self._resolve_uuid(uuid)
        label = self._label(meta)
        key = found.page
        if not found.exists or key is None:
            return self.broken(label or f"(({uuid}))", found, "block")
        if key not in self.context.pages:
            return escape(label or "(unpublished block)")
        link = self.block_link(key, found.block or 0, label)
        if meta.get("embed") and not self.shallow and self.transcluder is not None:
            return self.transcluder.request(key, (found.block or 0,), f"(({uuid}))", self, link)
        return link

    def _label(self, meta: dict[str, Any]) -> str | None:
        """The label the author wrote for a link; as HTML (sanitized, as the page's own
        markup is) when its inline markup was rendered."""
        shown = meta.get("label_html")
        if not shown:
            return meta.get("label")
        if not self.context.options.allow_raw_html:
            shown = sanitize_html(shown, self.raw_url)
        return LabelHtml(shown)

    def block_link(self, key: str, block: int, label: str | None) -> str:
        """A link to a block of page ``key``, showing ``label`` or the block's text. The
        block's text is searched on its own page, as embedded text is, not here."""
        href = self.context.href(self.file, key, self.context.anchor(key, block)) or ""
        text = escape(label) if label else self._block_text(key, block)
        source = escape(self.context.display_name(key))
        quoted = "" if label else " data-pagefind-ignore"
        return (f'<a class="block-ref" href="{escape(href)}" title="Block in {source}"'
                f"{quoted}>{text}</a>")

    def _resolve_uuid(self, uuid: str) -> Target:
        found = self.context.find_ref(self.page.id, [""], None, uuid)
        if found is not None:
            return found.target
        owner = self.context.block_owner(uuid)
        if owner is None:
            return Target(None, None, None, False, f"(({uuid}))")
        key, index = owner
        return Target(key, index, None, True, self.context.display_name(key), node=key)

    def _block_text(self, key: str, index: int) -> str:
        """The referenced block's first lines, rendered shallow (see ``Snippets``)."""
        shown = self.snippets.block_text(key, index, self.file)
        self.report.include(shown)
        return shown.html

    # -- the rest of the syntax ----------------------------------------------------------

    def macro(self, meta: dict[str, Any]) -> str:
        return render_macro(self, meta)

    def tag(self, name: str) -> str:
        found = self.context.find_ref(self.page.id, [name], None, tag=True)
        if found is None:
            self.looked_up()
        target = found.target if found is not None else self.context.lookup(name, None,
                                                                             self.page.id)
        key = target_id(target) or page_id(name)
        label = f"#{name}"
        if self.context.is_shown(key):
            href = self.context.href(self.file, key) or ""
            return f'<a class="tag" href="{escape(href)}">{escape(label)}</a>'
        return f'<span class="tag tag-plain">{escape(label)}</span>'

    def block_anchor(self, block_id: str) -> str:
        return block_anchor(block_id)

    def local_link(self, href: str) -> LinkRewrite | None:
        if not href or _SCHEME.match(href):
            return None
        path, _, fragment = href.partition("#")
        path = path.partition("?")[0]  # a query names no other page: the parser drops it too
        decoded = unquote(path)
        rewrite = self._resolve_local(path, decoded, unquote(fragment)) if path else \
            self._own_section(unquote(fragment), href)
        if rewrite is not None and rewrite.href is not None:
            self._written.add(rewrite.href)
        return rewrite

    def _own_section(self, fragment: str, href: str) -> LinkRewrite | None:
        """``#Heading`` or ``#^id``: the heading or block of this page as its element id
        (``#Heading%20One`` names heading ``heading-one``); anything else as written."""
        key = self.page.id
        found = self.context.lookup("", fragment, key) if fragment else None
        if found is None or found.block is None:
            # a part the page lacks: the check reports it in Obsidian (a name in Logseq)
            if found is None or self.page.dialect is Dialect.LOGSEQ:
                return None
            return self._missing_part(found, f"#{fragment}", fragment, href)
        return LinkRewrite(self.context.href(self.file, key,
                                             self.context.anchor(key, found.block)), "internal")

    def _missing_part(self, found: Target, label: str, fragment: str,
                      href: str | None = None) -> LinkRewrite:
        """A Markdown link to a heading or ``^block`` a page lacks: listed among the
        page's broken links, as the check reports it; to a heading it still opens the
        page (``href``, else the page's address), as Obsidian does, to a block it is
        broken (as a wikilink to one is)."""
        title = self._list_missing_part(found, label, fragment)
        if fragment.startswith("^"):
            return LinkRewrite(None, "broken-link", title)
        return LinkRewrite(href or self.context.href(self.file, target_id(found)),
                           "internal missing-heading", title)

    def _resolve_local(self, path: str, decoded: str, fragment: str) -> LinkRewrite:
        # the parser lists a note's path without its ".md" (``sub/Note`` for
        # ``[a](sub/Note.md)``): found by it, the link goes where the graph's edge does,
        # not to another note of that file name
        written = list(dict.fromkeys([path, decoded, decoded.removesuffix(".md")]))
        found = self.context.find_ref(self.page.id, written, fragment or None) or \
            self.context.find_ref(self.page.id, written, None)
        if found is not None and found.target.asset is not None:
            return self._asset_rewrite(found.target.asset, found.target.exists, fragment)
        if found is None:
            self.looked_up()
            asset = self.context.find_asset(decoded, self.page)
            if asset is not None:
                return self._asset_rewrite(asset, True, fragment)
        target = found.target if found is not None else self.context.lookup(
            posixpath.basename(decoded.removesuffix(".md")), fragment or None, self.page.id)
        key = target_id(target)
        if key in self.context.pages and fragment and not target.exists:
            return self._missing_part(target, decoded or self.page.name, fragment)
        if key in self.context.pages or self.context.links_to_made_up(key, self.page):
            anchor = self.context.anchor(key, target.block) if key in self.context.pages else None
            return LinkRewrite(self.context.href(self.file, key, anchor), "internal")
        if key is not None and not self.context.publish.is_public(key):
            return LinkRewrite(None)
        self.report.broken.append(BrokenLink(decoded, target.name,
                                             self.context.shown_suggestion(target)))
        return LinkRewrite(None, "broken-link", f"\u2018{target.name}\u2019 does not exist")

    def _asset_rewrite(self, path: str, exists: bool, fragment: str = "") -> LinkRewrite:
        if not exists or path not in self.context.asset_paths:
            self.report.broken.append(BrokenLink(path, path))
            return LinkRewrite(None, "broken-link", f"file \u2018{path}\u2019 is not in the vault")
        withheld = self.context.withheld_because(path)
        if withheld is not None:
            return LinkRewrite(None, "withheld", withheld)
        self.report.assets.add(path)
        url = relative_url(self.file, asset_file(path)) + _pdf_page(path, fragment)
        return LinkRewrite(url, "asset")

    def raw_url(self, url: str, image: bool) -> str | None:
        """A local ``href``/``src`` in raw HTML, pointed at the site's copy; None drops
        it (nothing there). Other URLs pass (the sanitizer checks their scheme)."""
        if not url or url.startswith("#") or _SCHEME.match(url) or url in self._written:
            return url
        self.looked_up()
        asset = self.context.find_asset(unquote(url.partition("#")[0]), self.page)
        if asset is not None:
            if not self.context.can_publish(asset):
                return None
            self.report.assets.add(asset)
            return relative_url(self.file, asset_file(asset))
        if image:
            return None
        rewrite = self.local_link(url)
        return rewrite.href if rewrite is not None else url

    def image(self, src: str, alt: str, title: str | None,
              size: str | None = None) -> str | None:
        """A Markdown image (``size`` as ``400x300``, ``400`` or ``x300``): a player for
        a video or sound, a link for another file or (on Obsidian pages) for a YouTube
        video or a post on the web, None to leave one on the web as written."""
        if not src:
            return None
        if _SCHEME.match(src):
            embedded = obsidian_web_embed(src) if self.page.dialect is not Dialect.LOGSEQ \
                else None
            return media_link(embedded, src) if embedded else _remote_media(src, alt, size)
        path = self.context.find_asset(unquote(src), self.page)
        if path is None and (note := self._note_embed(src, alt)) is not None:
            return note
        if path is None:
            self.report.broken.append(BrokenLink(alt or src, unquote(src)))
            written = escape(unquote(src))
            return (f'<span class="broken-link broken-asset" title="file \u2018{written}'
                    f'\u2019 is not in the vault">{escape(alt or src)}</span>')
        if (withheld := self.context.withheld_because(path)) is not None:
            return self.withheld(alt or src, withheld)
        self.report.assets.add(path)
        url = relative_url(self.file, asset_file(path))
        if posixpath.splitext(path)[1].lower() not in IMAGE_SUFFIXES:
            # Both apps embed a video or sound written as an image; other files are links.
            return media_html(url, path, alt or posixpath.basename(path), size)
        extra = f' title="{escape(title)}"' if title else ""
        return (f'<img{dimensions(size)} src="{escape(url)}" alt="{escape(alt)}" '
                f'loading="lazy"{extra}>')

    def _note_embed(self, src: str, alt: str) -> str | None:
        """``![](Other%20Note.md#Part)``: a note embedded as ``![[Other Note#Part]]``
        is (FORMATS.md 2.4; Obsidian writes embeds so with wikilinks off), as the
        parser reads it; None when the path names no note."""
        path, _, fragment = src.partition("#")
        decoded, part = unquote(path), unquote(fragment) or None
        written = [path, decoded, decoded.removesuffix(".md")]  # as the parser names it
        found = self.context.find_ref(self.page.id, written, part) or \
            self.context.find_ref(self.page.id, written, None)
        if found is None or found.target.asset is not None or found.target.page is None:
            return None
        label = alt or posixpath.basename(decoded).removesuffix(".md")
        return self._embed(found.target, label, part)

    def _media(self, written: str, meta: dict[str, Any]) -> str:
        path = self.context.find_asset(unquote(written), self.page)
        if path is None:
            found = self._resolve(meta)
            path = found.asset if found.exists and found.asset in self.context.asset_paths \
                else None
        if path is None:
            missing = Target(None, None, written, False, written)
            return self.broken(str(meta["label"] or written), missing, "file")
        if (withheld := self.context.withheld_because(path)) is not None:
            return self.withheld(str(meta["label"] or written), withheld)
        self.report.assets.add(path)
        url = relative_url(self.file, asset_file(path)) + _pdf_page(path, meta.get("subpath"))
        return media_html(url, path, str(meta["label"] or posixpath.basename(path)),
                          meta["size"])

    def _base(self, written: str, meta: dict[str, Any]) -> str:
        """An embedded base: its view (``#View`` names one), as Obsidian shows it; its name
        in a preview (a backlink's context, a block ref's text), which draws no view. The
        site draws views, so it never publishes a ``.base`` file (its YAML, comments and
        all) for an embed: only for a link to it as a file."""
        path = self.context.find_asset(unquote(written), self.page)
        if path is None:
            return self._media(written, meta)  # reported as a missing file
        if self.shallow:
            label = str(meta["label"] or self._shown_target(str(meta["raw_target"])))
            return f'<span class="base-name">{escape(label)}</span>'
        subpath = meta.get("subpath")
        return self.context.bases.embed(self, path, str(subpath) if subpath else None)

    def base_block(self, source: str) -> str | None:
        """A ```` ```base ```` block's view; None (shown as code) in a preview."""
        return None if self.shallow else self.context.bases.code_block(self, source)

    def advanced_query(self, source: str) -> str | None:
        """What a Logseq ``#+BEGIN_QUERY`` finds; None (shown as code) in a preview, or
        when the site cannot run it."""
        return None if self.shallow else self.context.queries.advanced(self, source)

    def asset_link(self, found: Target, label: str, subpath: object = None) -> str:
        """A link to a file of the vault the site copies, broken when it has none."""
        path = found.asset or ""
        if not found.exists or path not in self.context.asset_paths:
            return self.broken(label, found, "file")
        if (withheld := self.context.withheld_because(path)) is not None:
            return self.withheld(label, withheld)
        self.report.assets.add(path)
        href = relative_url(self.file, asset_file(path)) + _pdf_page(path, subpath)
        return f'<a class="asset" href="{escape(href)}">{escape(label)}</a>'

    @staticmethod
    def withheld(label: str, why: str) -> str:
        """A file the site does not publish: its name, as text, titled with why."""
        return f'<span class="withheld" title="{escape(why)}">{escape(label)}</span>'


def _pdf_page(path: str, subpath: object) -> str:
    """``#page=N`` for a link to a PDF that names a page (Obsidian's
    ``[[Doc.pdf#page=3]]``, a Markdown link's ``#page=3``), which browsers' PDF viewers
    open the file at; empty for anything else."""
    if not subpath or not path.lower().endswith(".pdf"):
        return ""
    found = _PDF_PAGE.search(str(subpath))
    return f"#page={found.group(1)}" if found else ""


def _remote_media(url: str, alt: str, size: str | None) -> str | None:
    """A video or sound on the web written as an image: a player, as both apps show it
    (Logseq's docs append ``#screencast.webm`` to a URL to have it played); None leaves
    anything else an image."""
    if not _WEB.match(url):
        return None
    ending = url.lower().rsplit("#", 1)
    for part in ending[::-1]:
        suffix = posixpath.splitext(part.split("?", 1)[0])[1]
        if suffix in VIDEO_SUFFIXES or suffix in AUDIO_SUFFIXES:
            return media_html(url, f"media{suffix}", alt or url, size)
    return None


def dimensions(size: str | None) -> str:
    """`` width="400" height="300"`` of a size written ``400x300`` (either part may be
    missing); empty without one."""
    width, _, height = (size or "").partition("x")
    dims = f' width="{escape(width)}"' if width else ""
    return dims + (f' height="{escape(height)}"' if height else "")


def media_html(url: str, path: str, label: str, size: str | None) -> str:
    """An image, video, audio player or file link for an embedded asset."""
    suffix = posixpath.splitext(path)[1].lower()
    dims = dimensions(size)
    src = escape(url)
    if suffix in IMAGE_SUFFIXES:
        return f'<img class="embed-image" src="{src}" alt="{escape(label)}" loading="lazy"{dims}>'
    if suffix in VIDEO_SUFFIXES:
        return f'<video class="embed-media" src="{src}" controls preload="metadata"{dims}></video>'
    if suffix in AUDIO_SUFFIXES:
        return f'<audio class="embed-media" src="{src}" controls preload="metadata"></audio>'
    return f'<a class="asset embed-file" href="{src}">{escape(label)}</a>'
