"""Resolving one ``Reference`` of one page to a ``Target``, with the diagnostics a
reference that lands nowhere deserves (broken-*, empty-link, missing-asset,
ambiguous-link, path-escape)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace
from urllib.parse import unquote

from kb_compiler.model import (
    Diagnostic,
    Dialect,
    Page,
    Reference,
    RefKind,
    Severity,
    page_id,
)
from kb_compiler.parse.logseq_whiteboard import is_whiteboard
from kb_compiler.parse.names import LOGSEQ_DRAWINGS, is_drawing_part
from kb_compiler.resolve.blocks import find_heading, nearest_block_id, nearest_heading
from kb_compiler.resolve.files import ABSOLUTE, FileFinder, file_target, from_vault_root
from kb_compiler.resolve.index import (
    PAGE_SUFFIXES,
    UUID,
    VaultIndex,
    folder_of,
    path_key,
)
from kb_compiler.resolve.names import NameHit, NameResolver
from kb_compiler.resolve.types import Target

# Said of a Logseq page reference written like an Org file link.
FILE_NAME_HINT = ("; on a Markdown page Logseq reads [[file:...]] as a page name: link a "
                  "file as [label](path)")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}$")
_LEADING_DOTS = re.compile(r"^(?:\.\.?/)+")
NON_LINK_PROPERTIES = frozenset({"alias", "aliases"})  # they name the page itself


def is_path_form(target: str) -> bool:
    """A target written as a file path rather than a page name."""
    lowered = target.lower()
    return (lowered.endswith(PAGE_SUFFIXES) or target.startswith(("./", "../"))
            or bool(ABSOLUTE.match(target)))




class ReferenceResolver:
    """Turns references into targets; collects diagnostics in ``diagnostics``."""

    def __init__(self, index: VaultIndex, names: NameResolver, *,
                 templates: tuple[str, ...] = ()) -> None:
        self.index = index
        self.names = names
        self.templates = templates  # Obsidian's template folders
        self.files = FileFinder(index)
        self.diagnostics: list[Diagnostic] = []
        self._folders: dict[str, str] = {}
        self._headings: dict[tuple[str, str], int | None] = {}  # (page, chain) -> block
        self._targets: dict[tuple[object, ...], Target] = {}
        self._landed: dict[tuple[object, ...], Target] = {}
        self._place: tuple[Page | None, tuple[Dialect, str]] = (None, (Dialect.LOGSEQ, ""))

    def _folder(self, page: Page) -> str:
        folder = self._folders.get(page.path)
        if folder is None:
            folder = self._folders[page.path] = folder_of(page.path)
        return folder

    # -- entry points ------------------------------------------------------------------

    def lookup(self, name: str, from_page: str | None = None) -> Target:
        """Resolve a bare name as a ``[[name]]`` link in ``from_page`` would."""
        source = self.index.pages.get(from_page) if from_page else None
        obsidian = source is None or source.dialect is not Dialect.LOGSEQ
        folder = folder_of(source.path) if source is not None else ""
        return self._page_target(name, self.names.resolve(name, obsidian=obsidian,
                                                          folder=folder))

    def resolve(self, page: Page, ref: Reference) -> Target:
        """Where ``ref``, written in ``page``, lands; a reference that lands nowhere (or
        in more than one place) adds its diagnostic to ``diagnostics``."""
        # Where a reference lands depends only on what it names and where it is written,
        # so the same link written again (three in four, in a large vault) is looked up
        # once. One that needed a diagnostic is resolved afresh: it is reported each time.
        if page is not self._place[0]:  # a page's references come one after another
            self._place = (page, (page.dialect, posixpath.dirname(page.path)))
        written = (self._place[1], ref.kind, ref.target, ref.subpath, ref.block_id,
                   ref.is_asset, "" if ref.target.strip() else page.id,
                   _markdown_link(ref))
        target = self._landed.get(written)
        if target is None:
            reported = len(self.diagnostics)
            target = self._resolve(page, ref)
            if len(self.diagnostics) == reported:
                self._landed[written] = target
        return target

    def forget_written(self) -> None:
        """Drop the lookups by written form once every page is resolved (about 200,000
        at 50,000 pages: 45 MB the site build and the graph export do not need)."""
        self._landed.clear()

    def _resolve(self, page: Page, ref: Reference) -> Target:
        if ref.block_id:
            return self._uuid(page, ref)
        target = ref.target.strip()
        if not target and not ref.subpath:
            self._report(page, ref, "empty-link", Severity.WARNING, "link with an empty target")
            return Target(None, None, None, False, "")
        if not target:
            return self._subpath(page, ref, self._existing(page.id))
        if page.dialect is Dialect.LOGSEQ and target.lower().startswith(LOGSEQ_DRAWINGS):
            # Logseq's /draw writes [[draws/2024-01-01-10-00-00.excalidraw]]: a file,
            # which its parser never takes for a page (config/draw?)
            return self._asset(page, ref, target)
        if ref.is_asset and is_whiteboard(target) and \
                (board := self._page_path(page, ref, target)).exists:
            return board  # a whiteboard's file: the board, a page
        if ref.is_asset and page.dialect is Dialect.LOGSEQ and \
                (path := target.split("#", 1)[0]).lower().endswith(PAGE_SUFFIXES):
            # [B](b.md#h): a Markdown file, in assets/ a file (as Logseq has it), else
            # the page b.md, as [A](b.md) is
            file = self.files.find(_file_path(page, path), page)
            if file.exists:
                return self._asset(page, ref, path, found=file)
            target = path
        if ref.is_asset and not target.lower().endswith(PAGE_SUFFIXES):
            file = self.files.find(_file_path(page, target), page)
            if file.exists or not self._note_named_like_a_file(page, target):
                return self._asset(page, ref, target, found=file)
        as_path = is_path_form(target) or \
            (page.dialect is not Dialect.LOGSEQ and _markdown_link(ref))
        if as_path and not _logseq_page_name(page, ref):
            found = self._page_path(page, ref, target)
        else:
            found = self._name(page, target, ref.kind)
            if not found.exists and not found.implied and _EXTENSION.search(target):
                asset = self._asset(page, ref, target, quiet=True)
                if asset.exists:
                    return asset
                if target.startswith(("./", "../", "/")) and \
                        not target.lower().endswith(PAGE_SUFFIXES):
                    return self._asset(page, ref, target)  # a file: Logseq's local asset
            if not found.exists and target.lower().endswith(PAGE_SUFFIXES):
                found = self._offer_page_of_file(page, target, found)
        self._report_page(page, ref, found)
        if found.exists and ref.subpath:
            return self._subpath(page, ref, found)
        return found

    # -- pages -------------------------------------------------------------------------

    def _name(self, page: Page, name: str, kind: RefKind = RefKind.LINK) -> Target:
        # Tags name pages by their exact name in both dialects (no shortest-path rule).
        if kind is RefKind.TAG and page.dialect is not Dialect.LOGSEQ:
            return self._page_target(name, self.names.obsidian_tag(name))
        obsidian = page.dialect is not Dialect.LOGSEQ
        hit = self.names.resolve(name, obsidian=obsidian, folder=self._folder(page))
        return self._page_target(name, hit)

    def _page_target(self, name: str, hit: NameHit) -> Target:
        # Targets are immutable: one per page (or per missing name) serves every
        # reference to it, sparing an object per reference (memory at 50,000 pages).
        key = (hit.page, hit.candidates) if hit.page is not None else (name, hit)
        target = self._targets.get(key)
        if target is None:
            target = self._targets[key] = self._new_page_target(name, hit)
        return target

    def _new_page_target(self, name: str, hit: NameHit) -> Target:
        if hit.page is not None:
            owner = self.index.pages[hit.page]
            return Target(hit.page, None, None, True, owner.name,
                          candidates=hit.candidates, node=hit.page)
        return Target(None, None, None, False, name, suggestion=hit.suggestion,
                      node=hit.key or page_id(name) or None, implied=hit.implied)

    def _note_named_like_a_file(self, page: Page, target: str) -> bool:
        """Whether ``target``, which reads as a file (``Drawing.excalidraw``) that the
        vault does not have, names an Obsidian note instead (``Drawing.excalidraw.md``,
        as the Excalidraw plugin saves drawings)."""
        return page.dialect is not Dialect.LOGSEQ and self._name(page, target).exists

    def _offer_page_of_file(self, page: Page, written: str, found: Target) -> Target:
        """``[[notes.md]]`` on a Logseq page names the page "notes.md"; when there is
        none but a page "notes", that is the suggestion."""
        stem = self._name(page, written.rsplit(".", 1)[0])
        return replace(found, suggestion=stem.name) if stem.exists else found

    def _existing(self, key: str) -> Target:
        return Target(key, None, None, True, self.index.pages[key].name, node=key)

    def _page_path(self, page: Page, ref: Reference, target: str) -> Target:
        """A Markdown link to a note file: from the vault root when it starts at one "/"
        (as a file's path), else relative to the source, then from the vault root, then
        by name (FORMATS.md 2.4), the folders it names kept. A backslash separates
        folders, as in a file's path (``FileFinder.find``)."""
        decoded = unquote(target).replace("\\", "/")
        rooted = from_vault_root(decoded)  # /Note.md: the vault's, as for a file
        key = self.index.by_path.get(_stem(rooted)) if rooted is not None else None
        if key is not None:
            return self._existing(key)
        if ABSOLUTE.match(decoded):
            return self._escape(page, ref, decoded)
        relative = posixpath.normpath(posixpath.join(posixpath.dirname(page.path), decoded))
        if relative == ".." or relative.startswith("../"):
            return self._escape(page, ref, decoded)
        for candidate in (relative, posixpath.normpath(decoded)):
            key = self.index.by_path.get(_stem(candidate))
            if key is not None:
                return self._existing(key)
        written = _stem_keep_case(decoded)
        if page.dialect is Dialect.LOGSEQ:
            return self._name(page, posixpath.basename(written))
        # The folders written after "./" and "../" must match, as a path ending: a link
        # into a folder that was moved or renamed is broken, not some note of that name.
        return self._name(page, _LEADING_DOTS.sub("", written))

    def _escape(self, page: Page, ref: Reference, written: str) -> Target:
        why = "points outside the vault; not followed"
        if from_vault_root(written) is not None:  # /docs/x.png, copied from a web page
            why = "is no file of the vault (read from its root), and a path outside it " \
                  "is not followed"
        self._report(page, ref, "path-escape", Severity.ERROR, f"'{written}' {why}",
                     target=written)
        return Target(None, None, None, False, written, escapes=True)

    # -- headings and blocks -----------------------------------------------------------

    def _subpath(self, page: Page, ref: Reference, found: Target) -> Target:
        assert found.page is not None
        target_page = self.index.pages[found.page]
        subpath = (ref.subpath or "").strip()
        is_block = subpath.startswith("^")
        if is_block:
            index = self.index.page_blocks.get(found.page, {}).get(subpath[1:].lower())
        else:
            key = (found.page, subpath)
            if key not in self._headings:  # many links to one long page stay linear
                self._headings[key] = find_heading(target_page, _heading_chain(subpath))
            index = self._headings[key]
        if index is not None:
            return Target(found.page, index, None, True, found.name,
                          candidates=found.candidates, node=found.page)
        if is_drawing_part(target_page, subpath):
            return found  # a group, area or frame of the drawing: no block to find
        # A heading chain as Obsidian shows it ("A > B"): the parser has trimmed the
        # spaces around each "#", so "C #tips" would otherwise read "C#tips".
        chain = _heading_chain(subpath)
        shown = " > ".join(part.strip() for part in chain)
        what = f"block '{subpath}'" if is_block else f"heading '{shown}'"
        code, severity = _broken_code(ref, block=is_block)
        if ref.kind is RefKind.LINK and not is_block:
            severity = Severity.WARNING  # the note still opens, at its top
        if is_block:
            ids = self.index.page_blocks.get(found.page, {}).values()
            near = nearest_block_id(
                (target_page.blocks[i].block_id or "" for i in ids), subpath[1:])
            near = near and f"^{near}"
        else:
            near = nearest_heading(target_page, chain[-1]) if chain else None
        self._report(page, ref, code, severity,
                     f"{what} not found in page '{found.name}'", target=ref.raw or subpath,
                     suggestion=near and f"{ref.target.strip()}#{near}")
        return Target(found.page, None, None, False, found.name, node=found.page)

    def _uuid(self, page: Page, ref: Reference) -> Target:
        uuid = (ref.block_id or "").strip()
        # Logseq keeps a ((ref)) only when it is a UUID, whatever id:: some block holds.
        is_uuid = UUID.fullmatch(uuid.lower()) is not None
        hit = self.index.blocks.get(uuid.lower()) if is_uuid else None
        if hit is not None:
            key, index = hit
            return Target(key, index, None, True, self.index.pages[key].name, node=key)
        code = "broken-embed" if ref.kind is RefKind.EMBED else "broken-block-ref"
        noun = "embedded" if ref.kind is RefKind.EMBED else "referenced"
        why = "does not exist" if is_uuid else \
            "is not a block id (a UUID); Logseq shows it as an invalid reference"
        self._report(page, ref, code, Severity.ERROR, f"{noun} block (({uuid})) {why}",
                     target=uuid)
        return Target(None, None, None, False, f"(({uuid}))")

    # -- assets ------------------------------------------------------------------------

    def find_asset(self, written: str, page: Page) -> Target:
        """Where a file path written on ``page`` lands, quietly (``FileFinder.find``)."""
        return self.files.find(written, page)

    def _asset(self, page: Page, ref: Reference, target: str, quiet: bool = False,
               found: Target | None = None) -> Target:
        """The file ``target`` names (``found``: already looked up), reported when it
        is missing, ambiguous, outside the vault or, in Logseq, in another case."""
        written = _file_path(page, target)
        if found is None:
            found = self.files.find(written, page)
        if found.escapes:  # quiet: a page name first, tried as a file too
            return found if quiet else self._escape(page, ref, written)
        if not quiet and found.candidates:
            self._ambiguous(page, ref, written, list(found.candidates),
                            found.asset or found.candidates[0])
        elif not quiet and not found.exists:
            self._report(page, ref, "missing-asset", Severity.ERROR,
                         f"file '{written}' is not in the vault", target=written,
                         suggestion=self.files.nearest(written, page, by_name=_by_name(page, ref)))
        elif not quiet and page.dialect is Dialect.LOGSEQ and found.asset is not None and \
                (spelt := self.files.spelt_otherwise(written, page, found.asset)) is not None:
            # a Logseq path is a file path, found only in its exact case on a
            # case-sensitive file system (the app on Linux, a checkout in CI)
            self._report(page, ref, "missing-asset", Severity.WARNING,
                         f"file '{written}' is in the vault as '{found.asset}', whose case "
                         "differs: Logseq does not find it on a case-sensitive file system",
                         target=written, suggestion=spelt)
        if not found.exists and ref.raw.lstrip("!").startswith("[[") and (
                page.dialect is not Dialect.LOGSEQ or written.lower().startswith(LOGSEQ_DRAWINGS)):
            # An Obsidian wikilink names a file, wherever it is, not a path from the
            # note (one missing file linked from two folders is one node, as in
            # Obsidian); a Logseq drawing is named from the graph's folder.
            return file_target(posixpath.normpath(written), False)
        return found

    # -- diagnostics -------------------------------------------------------------------

    def _report_page(self, page: Page, ref: Reference, found: Target) -> None:
        if found.escapes:
            return
        if found.exists:
            if found.candidates and found.page is not None:
                self._ambiguous(page, ref, ref.target, [
                    self.index.page_path(c) for c in found.candidates],
                    self.index.page_path(found.page))
            return
        if found.implied:
            return  # a Logseq namespace parent without a file is a page all the same
        if ref.kind is RefKind.TAG and page.dialect is not Dialect.LOGSEQ:
            return  # Obsidian tags are labels, not pages: nothing is missing
        if _PLACEHOLDER.search(ref.target) and self._in_templates(page):
            return  # [[<% tp.file.title %>]], [[{{date}}]]: filled in when it is used
        code, severity = _broken_code(ref)
        noun = {"broken-embed": "embedded page", "broken-relation": "page"}.get(code, "page")
        if ref.kind is RefKind.TAG:
            noun = "tag page"
        where = f"property '{_written_key(page, ref)}': " if code == "broken-relation" else ""
        hint = FILE_NAME_HINT if _logseq_file_name(page, ref) else ""
        suggestion = found.suggestion or self.files.named_with_extension(page, ref.target)
        self._report(page, ref, code, severity,
                     f"{where}{noun} '{found.name}' does not exist{hint}",
                     target=found.name, suggestion=suggestion)

    def _in_templates(self, page: Page) -> bool:
        return any(page.path.startswith(folder + "/") for folder in self.templates)

    def _ambiguous(self, page: Page, ref: Reference, written: str, paths: list[str],
                   used: str) -> None:
        listed = ", ".join(paths)
        self._report(page, ref, "ambiguous-link", Severity.WARNING,
                     f"'{written}' matches {len(paths)} files: {listed}; "
                     f"'{used}' is used", target=written)

    def _report(self, page: Page, ref: Reference, code: str, severity: Severity,
                message: str, *, target: str | None = None,
                suggestion: str | None = None) -> None:
        end = ref.column + len(ref.raw) if ref.raw and ref.column else None
        self.diagnostics.append(Diagnostic(
            code, severity, page.path, ref.line, ref.column, message,
            target=target if target is not None else ref.target,
            suggestion=suggestion, end_column=end,
        ))


def _logseq_page_name(page: Page, ref: Reference) -> bool:
    """Whether ``ref`` names a page however much it reads like a path: on a Logseq
    Markdown page a ``[[...]]`` (alone, labelled or embedded), a tag or a property value
    is a page name (``[[../x]]`` the page "../x", ``[[/a/b/]]`` the page "a/b",
    ``[[notes.md]]`` the page "notes.md"): mldoc's Markdown page references have no
    file case. A Markdown link ``[x](../x.md)`` is a path, and so is any Org link."""
    return page.dialect is Dialect.LOGSEQ and _markdown_page(page) and (
        ref.raw.startswith(("[[", "{{", "#")) or "([[" in ref.raw or bool(ref.property))


def _markdown_page(page: Page) -> bool:
    """A page of Markdown text: a Markdown file, or a whiteboard (its blocks' text)."""
    return page.path.lower().endswith((".md", ".markdown")) or is_whiteboard(page.path)


def _logseq_file_name(page: Page, ref: Reference) -> bool:
    """Whether ``ref`` is ``[[file:...]]`` on a Logseq Markdown page: mldoc reads it as a
    page name there (its Markdown page references have no ``file:`` case; Org pages read
    it as a file link), which the message for a missing page explains."""
    return page.dialect is Dialect.LOGSEQ and ref.raw.startswith(("[[", "{{")) \
        and ref.target.lower().startswith("file:") and _markdown_page(page)


def _broken_code(ref: Reference, block: bool = False) -> tuple[str, Severity]:
    if ref.kind is RefKind.EMBED:
        return "broken-embed", Severity.ERROR
    if ref.kind is RefKind.BLOCK_REF or block:
        return "broken-block-ref", Severity.ERROR
    if ref.kind is RefKind.TAG:
        return "broken-link", Severity.WARNING
    if ref.kind is RefKind.PROPERTY or ref.property:
        return "broken-relation", Severity.ERROR
    return "broken-link", Severity.ERROR


def _markdown_link(ref: Reference) -> bool:
    """``[x](Note.md)`` or ``![x](Note.md)``: a path, read from the source's folder
    first (the parser drops the ``.md``), where ``[[Note]]`` is a name."""
    return ref.raw.startswith(("[", "![")) and not ref.raw.startswith(("[[", "![["))


# What Templater (``<% ... %>``) and Obsidian's core Templates (``{{date}}``) fill in.
_PLACEHOLDER = re.compile(r"<%.*?%>|\{\{[^{}]*\}\}")

def _written_key(page: Page, ref: Reference) -> str | None:
    """The key of the property ``ref`` sits in, as the author wrote it
    (``publication_date``, which kbc looks up as ``publication-date``)."""
    written = ref.property
    for prop in (*page.properties, *(p for block in page.blocks for p in block.properties)):
        if prop.key == ref.property and prop.line <= ref.line:
            written = prop.raw_key  # the last one at or above the reference's line
    return written


def _file_path(page: Page, target: str) -> str:
    """The path a file reference's target names."""
    if page.dialect is Dialect.LOGSEQ:  # as in the file: "%20", "#page=2", "?raw"
        return unquote(target.split("#", 1)[0].split("?", 1)[0]).strip()
    return target.strip()  # the parser took off the "#" part and decoded a Markdown path


def _by_name(page: Page, ref: Reference) -> bool:
    """Whether ``ref`` names a file by its name (an Obsidian wikilink), not by a path."""
    return ref.raw.lstrip("!").startswith("[[") and page.dialect is not Dialect.LOGSEQ


def _heading_chain(subpath: str) -> list[str]:
    """The headings of an Obsidian ``Note#A#B`` link, outermost first."""
    return [part for part in subpath.split("#") if part.strip()]


def _stem(path: str) -> str:
    return path_key(path)


def _stem_keep_case(path: str) -> str:
    for suffix in PAGE_SUFFIXES:
        if path.lower().endswith(suffix):
            return path[: -len(suffix)]
    return path
