"""Every reference written again in the target dialect, pointing at the canonical name.

A reference that resolved (``KnowledgeGraph.refs``) is rewritten to the name its page
has in the exported vault: aliases and case resolved, shortest or full Obsidian paths as
the vault links, and its syntax translated (``{{embed [[x]]}}`` <-> ``![[x]]``,
``[text]([[x]])`` <-> ``[[x|text]]``, ``((uuid))`` <-> ``[[Note#^uuid]]``, tags,
asset paths). A link written with an alias keeps the alias as its label. A reference
that did not resolve keeps the name as written: only its syntax is translated where the
target dialect needs it. Near misses resolve only when the vault's loose matching is on
(the resolve stage decides).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import unquote

from kb_compiler.emit.vault.blocks import Anchor, BlockPlan
from kb_compiler.emit.vault.names import (
    is_logseq_bare_tag,
    is_obsidian_tag,
    name_from_obsidian,
    obsidian_name,
)
from kb_compiler.emit.vault.plan import (
    LOGSEQ_DEFAULTS,
    PageTarget,
    VaultPlan,
    daily_note_day,
    daily_note_name,
    is_drawing_note,
)
from kb_compiler.emit.vault.properties import Converted
from kb_compiler.model import Diagnostic, Dialect, Page, Reference, RefKind, Severity, page_id
from kb_compiler.parse.logseq_inline import image_size
from kb_compiler.parse.logseq_whiteboard import is_whiteboard
from kb_compiler.parse.names import (
    DRAWING_PART,
    LOGSEQ_BUILT_IN_PAGES,
    LOGSEQ_DRAWINGS,
    is_drawing_part,
    journal_title,
    parse_journal_file_name,
)
from kb_compiler.resolve import ResolvedRef

_DESTINATION = re.compile(r"\]\(\s*(<[^>]*>|[^\s)]*(?:\([^\s)]*\)[^\s)]*)*)")
_TAG_FOLLOWERS = " \t,.!?;:)]"
_NOT_IN_HEADING_LINK = re.compile(r"[#|^:%\[\]]")
_UNLINKABLE = re.compile(r"[\[\]|]")


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``line[start:end]`` (0-based columns) with ``text``."""

    start: int
    end: int
    text: str


class LinkWriter:
    """Writes references of pages in the target dialect (see the module docstring)."""

    def __init__(self, plan: VaultPlan, blocks: BlockPlan) -> None:
        self.plan = plan
        self.blocks = blocks
        self.to_logseq = plan.target is Dialect.LOGSEQ
        self.asset_names = _shortest_assets(plan)
        self.suffixes = set() if self.to_logseq else _name_suffixes(plan)
        self.notes: dict[tuple[str, int, str], Diagnostic] = {}

    # -- entry points ------------------------------------------------------------------

    def edit(self, page: Page, resolved: ResolvedRef, line: str) -> Edit | None:
        """The edit rewriting ``resolved`` on its source ``line``, or None to keep it."""
        ref = resolved.ref
        start, raw = ref.column - 1, ref.raw
        if not raw or "\n" in raw or start < 0 or line[start:start + len(raw)] != raw:
            return None
        end = start + len(raw)
        hashed = _hash_link(page, ref, line, start)
        if hashed:
            start -= 1
        size = ref.size
        suffix = image_size(line, end) if raw.startswith("![") and \
            page.dialect is Dialect.LOGSEQ else None
        if suffix and not self.to_logseq and _obsidian_size(suffix):
            size, end = _obsidian_size(suffix), suffix[2]
        context = (line[start - 1] if start > 0 else " ", line[end] if end < len(line) else " ")
        text = self.text(page, resolved, hashed=hashed, size=size, context=context)
        if text is None or text == line[start:end]:
            return None
        return Edit(start, end, text)

    def converted(self, page: Page, resolved: ResolvedRef) -> Converted:
        """A property's reference: its text in the target syntax and target name."""
        text = resolved.ref.raw if resolved.target.asset is not None \
            else self.text(page, resolved) or resolved.ref.raw  # files: named alike
        owner = self.plan.owner(resolved.target.page) if resolved.target.exists else None
        name = None
        if owner is not None and resolved.target.block is None:
            name = owner.name if self.to_logseq else (
                owner.tag if resolved.ref.kind is RefKind.TAG else owner.link)
        return Converted(resolved.ref, text, name)

    # -- the rules ---------------------------------------------------------------------

    def text(self, page: Page, resolved: ResolvedRef, *, hashed: bool = False,
             size: str | None = None, context: tuple[str, str] = (" ", " ")) -> str | None:
        """The reference in the target dialect; None keeps the source text."""
        ref, target = resolved.ref, resolved.target
        from_logseq = page.dialect is Dialect.LOGSEQ
        if target.asset is not None:
            if ref.property or (not target.exists and ref.raw.startswith("[[")):
                return None  # a link to a missing file by name (Logseq: to a page)
            return self._asset(page, ref, target.asset, size)  # a path moves with the page
        owner = self.plan.owner(target.page) if target.exists else None
        tag = (ref.kind is RefKind.TAG and not ref.property) or hashed or ref.raw.startswith("#")
        if tag and target.block is None:
            return self._tag(ref, owner, context, hashed=hashed, from_logseq=from_logseq)
        if owner is None and not tag and from_logseq != self.to_logseq:
            day = self._missing_day(resolved) if from_logseq else None
            if day is not None or not from_logseq:
                written = self._missing_day_link(ref, day)
                if written is not None:
                    return written
            elif target.implied and page_id(ref.target) in LOGSEQ_BUILT_IN_PAGES:
                self._warn(page, ref, f"'{ref.target}' is a page every Logseq graph has; "
                           "Obsidian has no such note, so the link is to a missing note")
        if owner is None:
            return self._unresolved(page, ref, from_logseq, hashed)
        if target.block is None and ref.subpath and is_drawing_part(owner.source, ref.subpath):
            return self._drawing_part(page, ref, owner, size)
        if target.block is not None:
            return self._block(page, ref, owner, target.block, from_logseq)
        if not self.to_logseq and is_whiteboard(owner.path):
            return self._board(ref, owner)
        if ref.kind is RefKind.EMBED:
            name = self._name(owner)
            return f"{{{{embed [[{name}]]}}}}" if self.to_logseq else f"![[{name}]]"
        if ref.property and from_logseq and not ref.raw.startswith(("[", "#")):
            return _piece(owner.name) if self.to_logseq else None  # a plain comma piece
        if _markdown_form(ref.raw) and not self.to_logseq and not from_logseq:
            return self._markdown_page(page, ref, owner)
        return self._link(self._name(owner), ref.label or self._alias_label(ref, owner))

    def _name(self, owner: PageTarget) -> str:
        return owner.name if self.to_logseq else owner.link

    def _link(self, name: str, label: str | None) -> str:
        if self.to_logseq:
            return f"[{label}]([[{name}]])" if label else f"[[{name}]]"
        return f"[[{name}|{label}]]" if label else f"[[{name}]]"

    def _alias_label(self, ref: Reference, owner: PageTarget) -> str | None:
        """The written name as the label where the link says another: an alias, or a
        name the file name had to escape (``[[New to Logseq?]]`` links the note
        ``New to Logseq%3F``, which Obsidian would show)."""
        written = page_id(ref.target)
        aliases = {page_id(alias) for alias in owner.source.aliases}
        if written in aliases and written != owner.source.id:
            return ref.target
        link = self._name(owner)
        decoded = name_from_obsidian(link)  # %B9 is "¹" here, not half a UTF-8 byte pair
        escaped = decoded != link and page_id(decoded) == written
        return ref.target.strip() if escaped and not self.to_logseq else None

    def _tag(self, ref: Reference, owner: PageTarget | None, context: tuple[str, str], *,
             hashed: bool, from_logseq: bool) -> str | None:
        """A tag: bare where the target dialect reads it back as the same tag, else in
        the bracket form (``#[[b c]]``, an Obsidian link to the page)."""
        name = ref.target if owner is None else (owner.name if self.to_logseq else owner.tag)
        link = ref.target if owner is None else owner.link
        if self.to_logseq:
            return _logseq_tag(name, context)
        if hashed:
            return f"#[[{link}]]"
        if owner is None and not from_logseq:
            return None  # an Obsidian tag of no page stays as written
        return f"#{name}" if is_obsidian_tag(name) else f"#[[{link}]]"

    def _block(self, page: Page, ref: Reference, owner: PageTarget, block: int,
               from_logseq: bool) -> str | None:
        if owner.as_written:  # uuids kept (in Obsidian a file, not a note)
            if self.to_logseq and is_drawing_note(owner.source) and ref.subpath:
                self._warn(page, ref, f"'{ref.target}#{ref.subpath}' names a block of an "
                           "Excalidraw drawing, which Logseq does not read as blocks; kept "
                           "as written", code="kept-as-written")
            return None
        anchor = self.blocks.anchor(owner.source.path, block)
        if anchor is None:
            return None
        embed = ref.kind is RefKind.EMBED
        label = ref.label
        if self.to_logseq:
            if anchor.block is None:
                return None
            core = f"(({anchor.block}))"
            if embed:
                return f"{{{{embed {core}}}}}"
            return f"[{label}]({core})" if label else core
        if not from_logseq and not ref.target:
            return None  # [[#Heading]] / [[#^id]] inside the same note stays
        if anchor.block is None and anchor.heading is None:
            link = owner.link  # the page's properties: the note's front matter
        elif anchor.block is None and not from_logseq and ref.subpath:
            # as written: a heading chain (#Beta#Notes) stays one, in Obsidian's own form
            link = f"{owner.link}#{ref.subpath}"
        else:
            link = f"{owner.link}{_subpath(anchor)}"
        if embed:
            return f"![[{link}]]"
        return f"[[{link}|{label}]]" if label else f"[[{link}]]"

    def _missing_day(self, resolved: ResolvedRef) -> date | None:
        """The day of a Logseq journal that has no file (``[[2024-01-16]]``, any spelling
        of it: the resolver names the day's journal title as its node)."""
        target = resolved.target
        if not target.implied or not target.node:
            return None
        return parse_journal_file_name(target.node, self.plan.day_title_format)

    def _missing_day_link(self, ref: Reference, day: date | None) -> str | None:
        """A day without a page: Logseq -> Obsidian, the daily note Obsidian makes for
        it (one link for every spelling, as the days that have a file); Obsidian ->
        Logseq, such a daily-note name as the day's journal title again."""
        if ref.property and not ref.raw.startswith("["):
            return None  # a plain piece of a property value: stays as written
        if day is None:  # Obsidian -> Logseq
            if not ref.raw.startswith(("[[", "![[")) or ref.subpath:
                return None
            day = daily_note_day(self.plan, ref.target)
            if day is None:
                return None
            name = journal_title(day, LOGSEQ_DEFAULTS.journal_title_format)
        else:
            name = daily_note_name(self.plan, day)
        if ref.kind is RefKind.EMBED:
            return f"{{{{embed [[{name}]]}}}}" if self.to_logseq else f"![[{name}]]"
        labelled = ref.label is not None and ref.label != ref.target
        return self._link(name, ref.label if labelled else None)

    def _board(self, ref: Reference, owner: PageTarget) -> str:
        """A Logseq whiteboard is a file in Obsidian (``whiteboards/<name>.edn``, copied
        as it is): links point at the file, labelled with the board's name, which kbc's
        resolver reads as the board again in Logseq."""
        if ref.kind is RefKind.EMBED:
            return f"![[{owner.path}]]"
        label = ref.label or self._alias_label(ref, owner) or owner.name
        return f"[[{owner.path}|{label}]]"

    def _board_link(self, ref: Reference, board: str) -> str:
        """A link to a whiteboard's file (how ``_board`` writes one in Obsidian) as the
        link to the board it is in Logseq."""
        if ref.kind is RefKind.EMBED or ref.raw.startswith("!"):
            return f"{{{{embed [[{board}]]}}}}"
        return self._link(board, ref.label if ref.label not in (None, board) else None)

    def _drawing_part(self, page: Page, ref: Reference, owner: PageTarget,
                      size: str | None) -> str | None:
        """A group, area or frame of an Excalidraw drawing (``#^group=id``): the subpath
        and the size kept as written, the drawing named as the vault links it. Logseq
        cannot show part of a drawing: there the reference stays as written, reported."""
        if self.to_logseq:
            self._warn(page, ref, f"'{ref.target}#{ref.subpath}' names a part of an "
                       "Excalidraw drawing, which Logseq cannot show; kept as written",
                       code="kept-as-written")
            return None
        embed = ref.kind is RefKind.EMBED or ref.raw.startswith("!")
        extra = f"|{size}" if size else (f"|{ref.label}" if ref.label else "")
        return f"{'!' if embed else ''}[[{owner.link}#{ref.subpath}{extra}]]"

    def _unresolved(self, page: Page, ref: Reference, from_logseq: bool,
                    hashed: bool) -> str | None:
        """Only the syntax changes, where the target dialect needs it. A missing page's
        name that an Obsidian link cannot hold (``[[a [[b]]]]``, ``a|b``) is escaped as
        note names are, and unescaped on the way back. One holding "#" is written as it
        is (so a link Obsidian wrote comes back as it was) and reported: Obsidian reads
        ``[[Beta#Setup]]`` as the heading Setup of the note Beta."""
        if from_logseq == self.to_logseq or ref.block_id or ref.is_asset:
            return None
        name = ref.target
        if from_logseq and ref.raw.startswith(("[[", "![[")) and \
                DRAWING_PART.match(name.partition("#")[2]):
            return None  # a part of an Excalidraw drawing, as an Obsidian note wrote it
        if from_logseq:
            if page_id(name) in self.suffixes:
                self._warn(page, ref, f"'{name}' names no page, but in Obsidian a link to "
                           "it opens the note of that name in a folder")
            elif "#" in name:
                note, subpath = name.split("#", 1)
                self._warn(page, ref, f"'{name}' names no page, but in Obsidian a link to "
                           f"it opens the note '{note}' at '#{subpath}'")
            embed = ref.kind is RefKind.EMBED and ref.raw.startswith("{{")
            labelled = ref.label is not None and ref.raw.startswith("[") and "([[" in ref.raw
            if not (embed or labelled or ref.raw.startswith("[[")):
                return None
            written = obsidian_name(name) if _UNLINKABLE.search(name) else name
            if embed:
                return f"![[{written}]]"
            if labelled:
                return f"[[{written}|{ref.label}]]"
            return f"[[{written}]]" if written != name else None
        if ref.subpath or hashed or not ref.raw.startswith(("[[", "![[")):
            return None
        decoded = name_from_obsidian(name) if "%" in name else name
        if ref.kind is RefKind.EMBED:
            return f"{{{{embed [[{decoded}]]}}}}"
        if ref.label:
            return f"[{ref.label}]([[{decoded}]])"
        return f"[[{decoded}]]" if decoded != name else None

    def _warn(self, page: Page, ref: Reference, message: str,
              code: str = "link-changes-meaning") -> None:
        key = (page.path, ref.line, message)
        self.notes[key] = Diagnostic(code, Severity.WARNING, page.path,
                                     ref.line, ref.column, message, target=ref.target)

    # -- assets and Markdown links -------------------------------------------------------

    def _asset(self, page: Page, ref: Reference, asset: str, size: str | None) -> str | None:
        board = self.plan.boards.get(asset) if self.to_logseq else None
        if board is not None and ref.raw.startswith(("[[", "![[")):
            return self._board_link(ref, board)
        entry = self.plan.for_page(page)
        out = self.plan.assets.get(asset, asset)
        relative = posixpath.relpath(out, posixpath.dirname(entry.path) or ".")
        written = _destination(ref.raw)
        subpath = ref.subpath or (unquote(written.partition("#")[2]) if written else "")
        fragment = f"#{subpath}" if subpath and not subpath.startswith("^") else ""
        encoded_fragment = f"#{encode_path(fragment[1:])}" if fragment else ""
        embed = ref.kind is RefKind.EMBED or ref.raw.startswith("!")
        wikilink = ref.raw.startswith(("[[", "![["))
        if not self.to_logseq and wikilink:
            name = self.asset_names.get(out, out) if self.plan.link_format == "shortest" \
                else out
            extra = f"|{size}" if size else (f"|{ref.label}" if ref.label else "")
            return f"{'!' if embed else ''}[[{name}{fragment}{extra}]]"
        if self.to_logseq and wikilink and not embed and ref.label is None and \
                out.lower().startswith(LOGSEQ_DRAWINGS) and out.lower().endswith(".excalidraw"):
            return f"[[{out}]]"  # Logseq's /draw link, which shows the drawing in place
        if not wikilink and written is not None and unquote(written.split("#")[0]) \
                == relative and not (size and not self.to_logseq and "|" not in ref.raw):
            return None
        label = ref.label if ref.label is not None else posixpath.basename(out)
        destination = encode_path(relative) + encoded_fragment
        if self.to_logseq:
            text = f"{'!' if embed else ''}[{label}]({destination})"
            if size and embed and page.dialect is not Dialect.LOGSEQ:
                width, _, height = size.partition("x")
                text += f"{{:width {width}, :height {height}}}" if height \
                    else f"{{:width {width}}}"
            return text
        shown = f"{label}|{size}" if size and embed else label
        return f"{'!' if embed else ''}[{shown}]({destination})"

    def _markdown_page(self, page: Page, ref: Reference, owner: PageTarget) -> str | None:
        entry = self.plan.for_page(page)
        relative = posixpath.relpath(owner.path, posixpath.dirname(entry.path) or ".")
        written = _destination(ref.raw)
        if written is not None and unquote(written.split("#")[0]).strip("<>") == relative:
            return None
        fragment = f"#{ref.subpath}" if ref.subpath else ""
        return f"[{ref.label or owner.link}]({encode_path(relative)}{fragment})"


def _subpath(anchor: Anchor) -> str:
    return f"#^{anchor.block}" if anchor.block else f"#{_heading_link(anchor.heading or '')}"


def _heading_link(heading: str) -> str:
    """A heading as an Obsidian link names it: without the characters a link cannot
    hold (``#`` would start a heading chain, ``[[`` a link), as Obsidian writes it."""
    return " ".join(_NOT_IN_HEADING_LINK.sub(" ", heading).split())


def _logseq_tag(name: str, context: tuple[str, str]) -> str:
    before, after = context
    if is_logseq_bare_tag(name) and before.isspace() and after in _TAG_FOLLOWERS:
        return f"#{name}"
    return f"#[[{name}]]"


def _piece(name: str) -> str:
    bare = name == name.strip() and not any(mark in name for mark in (",", "，", "[[", "]]"))
    return name if bare else f"[[{name}]]"


def _hash_link(page: Page, ref: Reference, line: str, start: int) -> bool:
    """An Obsidian ``#[[Page]]``: a link written as a tag (kbc writes Logseq tags that
    Obsidian cannot hold this way)."""
    return (page.dialect is not Dialect.LOGSEQ and ref.kind is RefKind.LINK
            and ref.raw.startswith("[[") and start > 0 and line[start - 1] == "#"
            and (start == 1 or line[start - 2].isspace()))


def _markdown_form(raw: str) -> bool:
    return raw.startswith(("[", "![")) and not raw.startswith(("[[", "![[")) and "](" in raw


def _destination(raw: str) -> str | None:
    found = _DESTINATION.search(raw)
    return found.group(1) if found else None


def _obsidian_size(size: tuple[str, str, int]) -> str:
    """A Logseq image size as Obsidian writes one (``400`` or ``400x300``): whole
    numbers, the width given; empty when Obsidian has no way to say it."""
    width, height = size[:2]
    if not width.isdigit() or not (height.isdigit() or not height):
        return ""
    return f"{width}x{height}" if height else width


def encode_path(path: str) -> str:
    """A relative path as a Markdown link destination: only what breaks the link is
    escaped (spaces, parentheses, ``%``, ``#``, ``?``, angle brackets)."""
    return re.sub(r"[%\s()<>#?]", lambda m: "".join(f"%{b:02X}" for b in
                                                   m.group().encode("utf-8")), path)


def _name_suffixes(plan: VaultPlan) -> set[str]:
    """Every name a bare Obsidian link finds a note by: each note's path suffixes."""
    found: set[str] = set()
    for entry in plan.pages.values():
        parts = page_id(entry.name).split("/")
        found.update("/".join(parts[start:]) for start in range(len(parts)))
    return found


def _shortest_assets(plan: VaultPlan) -> dict[str, str]:
    """Each asset's shortest Obsidian name: its file name when no other file has it."""
    counts: dict[str, int] = {}
    for out in plan.assets.values():
        base = posixpath.basename(out).lower()
        counts[base] = counts.get(base, 0) + 1
    return {out: posixpath.basename(out) if counts[posixpath.basename(out).lower()] == 1
            else out for out in plan.assets.values()}
