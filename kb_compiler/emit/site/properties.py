"""Property values shown as typed HTML: numbers, booleans, page references as links
(broken ones as broken, unpublished ones as plain text), lists as chips, text as inline
Markdown. Properties the apps hide (ids, fold state, timestamps...) or that the page
shows elsewhere (title, icon, aliases, tags, publishing flags) are left out."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from kb_compiler.emit.site.render import RenderOptions, RenderState, render_markdown
from kb_compiler.emit.site.text import apart
from kb_compiler.model import Block, Dialect, Page, Property, PropertyValue
from kb_compiler.parse.logseq_properties import HIDDEN_KEYS as LOGSEQ_HIDDEN_KEYS

if TYPE_CHECKING:
    from kb_compiler.emit.site.linker import PageLinker

# What Logseq hides, and what the page shows elsewhere or only configures.
HIDDEN_KEYS = LOGSEQ_HIDDEN_KEYS | {
    "title", "icon", "public", "filters", "alias", "aliases", "tags", "tag", "publish",
    "private", "draft", "cssclasses", "cssclass", "permalink",
}
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?=\s|$)")
# A page reference written in a property value: [[Page]], #[[Page]], #tag
_REFERENCE_TOKEN = re.compile(r"#?\[\[.*?\]\]|#[^\s,，\[\]()]+")
_COMMAS = re.compile(r"[,，]")
# What would open a page or block reference in inline Markdown, escaped by a backslash.
_NOT_A_REFERENCE = re.compile(r"\[(?=\[)|\((?=\()|(?<!\S)#")


@dataclass(frozen=True, slots=True)
class PropertyView:
    """One row of a properties panel, ready for a template."""

    key: str  # as the author wrote it
    value: str  # trusted HTML
    kind: str  # number, boolean, refs, list, text, empty
    lookup: str = ""  # the key's lookup form (lower case, ``-``)


def visible(properties: tuple[Property, ...], linker: PageLinker) -> list[Property]:
    """The properties a reader of ``linker``'s page sees: not the hidden ones (the
    graph's ``:block-hidden-properties`` too), nor, in Logseq, a key with an empty value
    (``Attendees::``, a template's placeholder), which Logseq does not show (Obsidian's
    properties panel shows an empty one)."""
    hidden = linker.context.hidden_properties
    logseq = linker.page.dialect is Dialect.LOGSEQ
    return [p for p in properties if p.key not in hidden and (not logseq or p.raw.strip())]


def property_views(page: Page, linker: PageLinker) -> list[PropertyView]:
    return [render_property(prop, linker) for prop in visible(page.properties, linker)]


def render_property(prop: Property, linker: PageLinker) -> PropertyView:
    prose = _prose(prop, linker.page.dialect) if prop.references else None
    if prose is not None:
        # Logseq keeps only the pages as the value but shows the sentence they sit in
        _, value = _render_value(prose, linker)
        return PropertyView(prop.raw_key, value, "text", prop.key)
    if prop.references:
        links = [_reference(name, linker) for name in prop.references]
        return PropertyView(prop.raw_key, '<span class="sep">, </span>'.join(links), "refs",
                            prop.key)
    value_to_show: PropertyValue = prop.value
    logseq = linker.page.dialect is Dialect.LOGSEQ
    if value_to_show == () and prop.raw.strip() and logseq:
        value_to_show = prop.raw.strip()  # e.g. an empty ``[[]]``: shown as written
    elif isinstance(value_to_show, str) and logseq:
        # Text the parser found no reference in (a quoted value, a key of
        # :ignored-page-references-keywords, template::): no link there either, or the
        # site would list broken links ``kbc check`` never reports.
        value_to_show = _NOT_A_REFERENCE.sub(r"\\\g<0>", value_to_show)
    kind, value = _render_value(value_to_show, linker)
    return PropertyView(prop.raw_key, value, kind, prop.key)


def _prose(prop: Property, dialect: Dialect) -> str | None:
    """The text of a value with page references that holds text around them ("An element
    on the [[Canvas]], like [[Blocks]]"), or None for a value of references alone. In
    Logseq, pieces of text that are references themselves (a key split at commas:
    "type:: Feature, [[Bug]]") are no prose; in Obsidian a list is a list."""
    if dialect is not Dialect.LOGSEQ:
        text = prop.value if isinstance(prop.value, str) else ""
        return text if _REFERENCE_TOKEN.sub("", text).strip() else None
    rest = _REFERENCE_TOKEN.sub(",", prop.raw)
    names = {name.strip().lower() for name in prop.references}
    prose = any(piece.strip() and piece.strip().lower() not in names
                for piece in _COMMAS.split(rest))
    return prop.raw.strip() if prose else None


def _reference(name: str, linker: PageLinker) -> str:
    if not name.strip():
        return linker.empty_link("[[]]")
    found = linker.context.find_ref(linker.page.id, [name], None)
    if found is None:
        linker.looked_up()
    target = found.target if found is not None else linker.context.lookup(
        name, None, linker.page.id)
    if target.asset is not None:  # cover: "[[cover.jpg]]": a file of the vault
        return linker.asset_link(target, name)
    return linker.page_link(target, name, "prop-link")


def _render_value(value: PropertyValue, linker: PageLinker) -> tuple[str, str]:
    if value is None or value == "" or value == ():  # (an empty YAML list, "[]")
        return "empty", '<span class="empty">\u2014</span>'
    if isinstance(value, bool):
        word = "yes" if value else "no"
        return "boolean", f'<span class="bool bool-{word}">{word}</span>'
    if isinstance(value, int | float):
        return "number", f'<span class="num">{html.escape(str(value))}</span>'
    if isinstance(value, tuple):
        items = [_render_value(item, linker)[1] for item in value]
        return "list", "".join(f'<span class="chip">{item}</span>' for item in items)
    obsidian = linker.page.dialect is not Dialect.LOGSEQ  # no Logseq {{macros}} there
    state = RenderState(linker, RenderOptions(embedded=True, allow_raw_html=False,
                                              comments=False, obsidian_syntax=obsidian))
    return "text", render_markdown(str(value), state, inline=True)


def planning_html(block: Block) -> str:
    """A Logseq block's ``SCHEDULED:`` and ``DEADLINE:`` dates, shown under its text as
    Logseq shows them (its ``timestamp-cp``: the label, then the date in angle
    brackets), with a machine-readable ``<time>`` when the date is one."""
    rows = []
    for label, written in (("SCHEDULED", block.scheduled), ("DEADLINE", block.deadline)):
        if not written:
            continue
        day = _ISO_DAY.match(written)
        attribute = f' datetime="{day.group()}"' if day and _is_date(day.group()) else ""
        rows.append(f'<div class="planning"><span class="planning-label">{label}:</span> '
                    f"<time{attribute}>&lt;{html.escape(written)}&gt;</time></div>")
    return "".join(rows)


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def block_properties_html(block: Block, linker: PageLinker) -> str:
    """The visible properties of a Logseq block, as a small definition list."""
    return properties_html(block.properties, linker)


def properties_html(properties: tuple[Property, ...], linker: PageLinker, *,
                    inline: bool = False) -> str:
    """The visible ``properties`` as a small definition list (a block's own, or a page's
    where a query found its properties block). ``inline``: as spans, for a place where
    only phrasing content may stand (a query written in a paragraph)."""
    shown = visible(properties, linker)
    if not shown:
        return ""
    rows = []
    for prop in shown:
        view = render_property(prop, linker)
        key = html.escape(view.key)
        if inline:
            pair = apart([f'<span class="prop-key">{key}</span>',
                          f'<span class="prop-value">{view.value}</span>'])
            rows.append(f'<span class="prop prop-{view.kind}">{pair}</span>')
        else:
            pair = apart([f"<dt>{key}</dt>", f"<dd>{view.value}</dd>"])
            rows.append(f'<div class="prop prop-{view.kind}">{pair}</div>')
    if inline:
        return f'<span class="block-props">{apart(rows)}</span>'
    return f'<dl class="block-props">{apart(rows)}</dl>'
