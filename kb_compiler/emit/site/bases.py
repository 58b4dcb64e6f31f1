"""Obsidian Bases on the site: ``![[Books.base]]``, ``![[Books.base#View]]`` and
``base`` code blocks shown as the view Obsidian shows, evaluated at build time.

A view is evaluated over the files the site publishes, so an unpublished note never
appears in one. Tables, cards and lists are drawn as such; a layout the site cannot
draw (a map, a kanban board) is shown as a table and says so. ``now()`` and ``today()``
are the build's reference time: ``SOURCE_DATE_EPOCH`` when it is set (reproducible
builds), else the start of the current day in UTC.

A page showing a base depends on every published file (a new note may match its
filters), so it records ``vaultwide.VAULT_READ``.
"""

from __future__ import annotations

import html
import posixpath
import re
from typing import TYPE_CHECKING

from kb_compiler.bases.document import (
    BaseDocument,
    BaseError,
    View,
    read_base,
    read_base_file,
)
from kb_compiler.bases.expressions import (
    DateValue,
    FileRecord,
    FileValue,
    Html,
    Icon,
    Image,
    Link,
    to_text,
)
from kb_compiler.bases.query import Cell, Group, Row, ViewResult, run_view
from kb_compiler.bases.records import VaultFiles
from kb_compiler.emit.site.text import apart
from kb_compiler.emit.site.urls import asset_file, relative_url
from kb_compiler.emit.site.vaultwide import VAULT_READ, reference_time

if TYPE_CHECKING:
    from kb_compiler.emit.site.context import SiteContext
    from kb_compiler.emit.site.linker import PageLinker

MAX_ROWS = 1000  # a view of a whole large vault would be a page of megabytes
_DRAWN = ("table", "cards", "list")
_IMAGE = frozenset(["png", "jpg", "jpeg", "gif", "webp", "svg", "bmp", "avif"])
_WEB = re.compile(r"^https?://", re.IGNORECASE)


class BaseViews:
    """The bases of one build: ``.base`` files read once, files gathered on first use."""

    def __init__(self, context: SiteContext) -> None:
        self.context = context
        self.now = reference_time()
        self._files: VaultFiles | None = None
        self._documents: dict[str, BaseDocument | BaseError] = {}

    @property
    def files(self) -> VaultFiles:
        if self._files is None:
            context = self.context
            self._files = VaultFiles(context.graph, self.now,
                                     include_page=lambda page: page.id in context.pages,
                                     include_asset=context.can_publish)
        return self._files

    def document(self, path: str) -> BaseDocument | BaseError:
        found = self._documents.get(path)
        if found is None:
            found = self._documents[path] = self._read(path)
        return found

    def _read(self, path: str) -> BaseDocument | BaseError:
        try:
            return read_base_file(self.context.kb.root / path)
        except BaseError as error:
            return error

    def embed(self, linker: PageLinker, path: str, view_name: str | None) -> str:
        """``![[path#view_name]]`` on the page ``linker`` renders."""
        linker.report.reads.add(VAULT_READ)
        return self._shown(linker, self.document(path), view_name, posixpath.basename(path))

    def code_block(self, linker: PageLinker, text: str) -> str:
        """A ```` ```base ```` block: the base written in the page itself."""
        linker.report.reads.add(VAULT_READ)
        try:
            document: BaseDocument | BaseError = read_base(text)
        except BaseError as error:
            document = error
        return self._shown(linker, document, None, "base")

    def _shown(self, linker: PageLinker, document: BaseDocument | BaseError,
               view_name: str | None, label: str) -> str:
        if isinstance(document, BaseError):
            return (f'<div class="base-view base-broken" data-pagefind-ignore><p>'
                    f"{_escape(label)} cannot be shown: {_escape(str(document))}</p></div>")
        files = self.files
        view = document.view(view_name)
        result = run_view(document, view, files.files, files, files.record(linker.page.path))
        return _Drawing(self.context, linker, files).view(result, label)


class _Drawing:
    """One view result as HTML, its links relative to the page being rendered."""

    def __init__(self, context: SiteContext, linker: PageLinker, files: VaultFiles) -> None:
        self.context = context
        self.linker = linker
        self.files = files

    def view(self, result: ViewResult, label: str) -> str:
        view = result.view
        layout = view.type if view.type in _DRAWN else "table"
        rows = min(sum(len(group.rows) for group in result.groups), MAX_ROWS)
        parts = [f'<figure class="base-view base-{layout}" data-pagefind-ignore>',
                 self._caption(view, result.matched, rows, label)]
        parts.extend(f'<p class="base-problem">{_escape(problem)}</p>'
                     for problem in result.problems)
        if not rows:
            parts.append('<p class="base-empty">No files match this view.</p>')
        elif layout == "cards":
            parts.append(self._cards(result))
        elif layout == "list":
            parts.append(self._list(result))
        else:
            parts.append(self._table(result))
        parts.append("</figure>")
        return "".join(parts)

    def _caption(self, view: View, matched: int, rows: int, label: str) -> str:
        count = f"{matched:,} file{'' if matched == 1 else 's'}"
        if rows < matched:
            count = f"{rows:,} of {count}"
        note = "" if view.type in _DRAWN else \
            f'<span class="base-note">a {_escape(view.type)} view, shown as a table</span>'
        parts = [f'<span class="base-title">{_escape(view.name)}</span>',
                 f'<span class="base-count">{count}</span>', note,
                 f'<span class="base-source">{_escape(label)}</span>']
        return f'<figcaption class="base-caption">{apart(parts)}</figcaption>'

    def _table(self, result: ViewResult) -> str:
        heads = "".join(f'<th scope="col">{_escape(heading)}</th>'
                        for _, heading in result.columns)
        parts = [f'<table class="base-table"><thead><tr>{heads}</tr></thead>']
        for group in _limited(result.groups):
            parts.append("<tbody>")
            if group.key is not None:
                parts.append(f'<tr class="base-group"><th colspan="{len(result.columns)}" '
                             f'scope="rowgroup">{self._group_label(group)}</th></tr>')
            for row in group.rows:
                cells = "".join(f"<td>{self._column(column, cell, row)}</td>" for
                                (column, _), cell in zip(result.columns, row.cells,
                                                         strict=True))
                parts.append(f"<tr>{cells}</tr>")
            parts.append("</tbody>")
        parts.append("</table>")
        return "".join(parts)

    def _cards(self, result: ViewResult) -> str:
        parts: list[str] = []
        for group in _limited(result.groups):
            if group.key is not None:
                parts.append(f'<p class="base-group">{self._group_label(group)}</p>')
            parts.append('<ul class="base-cards">')
            for row in group.rows:
                picture = self._picture(row.image) if row.image is not None else ""
                details = "".join(
                    f'<div class="base-field"><span class="base-label">{_escape(heading)}'
                    f'</span> {self._column(column, cell, row)}</div>'
                    for (column, heading), cell in zip(result.columns, row.cells, strict=True)
                    if column != "file.name")
                parts.append(f'<li class="base-card">{picture or _NO_PICTURE}'
                             f'<div class="base-card-body">{self._file_link(row.file)}'
                             f"{details}</div></li>")
            parts.append("</ul>")
        return "".join(parts)

    def _list(self, result: ViewResult) -> str:
        parts: list[str] = []
        for group in _limited(result.groups):
            if group.key is not None:
                parts.append(f'<p class="base-group">{self._group_label(group)}</p>')
            parts.append('<ul class="base-list">')
            for row in group.rows:
                shown = [self._column(column, cell, row) for (column, _), cell in
                         zip(result.columns, row.cells, strict=True) if column != "file.name"]
                rest = "".join(f'<span class="base-sep"> · </span>{item}'
                               for item in shown if item)
                parts.append(f"<li>{self._file_link(row.file)}{rest}</li>")
            parts.append("</ul>")
        return "".join(parts)

    def _group_label(self, group: Group) -> str:
        shown = self._cell(group.key) if group.key is not None else ""
        return shown or '<span class="base-missing">(no value)</span>'

    def _column(self, column: str, cell: Cell, row: Row) -> str:
        if column == "file.name" and cell.error is None:
            return self._file_link(row.file)
        return self._cell(cell)

    def _cell(self, cell: Cell) -> str:
        if cell.error is not None:
            return f'<span class="base-error" title="{_escape(cell.error)}">error</span>'
        return self._value(cell.value)

    def _value(self, value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, tuple | list):
            items = [self._value(item) for item in value]
            return ", ".join(item for item in items if item)
        if isinstance(value, Link):
            return self._link(value)
        if isinstance(value, FileValue):
            return self._file_link(value.record)
        if isinstance(value, DateValue):
            moment = value.moment
            stamp = moment.isoformat(timespec="minutes") if value.has_time \
                else moment.date().isoformat()
            return f'<time datetime="{stamp}">{_escape(to_text(value))}</time>'
        if isinstance(value, Image):
            return self._picture(Cell(value.target)) or _escape(to_text(value.target))
        if isinstance(value, Html | Icon):
            return _escape(to_text(value))
        return _escape(to_text(value))

    def _link(self, link: Link) -> str:
        label = link.display or (self._name(link.path) if link.path else link.text)
        record = self.files.record(link.path) if link.path else None
        if record is None:
            return f'<span class="base-missing">{_escape(label)}</span>'
        return self._file_link(record, label)

    def _file_link(self, record: FileRecord, label: str | None = None) -> str:
        shown = _escape(label or self._name(record.path))
        page = self.files.page_of(record.path)
        if page is not None:
            href = self.context.href(self.linker.file, page.id)
            return f'<a class="internal" href="{_escape(href)}">{shown}</a>' if href else shown
        self.linker.report.assets.add(record.path)
        href = relative_url(self.linker.file, asset_file(record.path))
        return f'<a class="asset" href="{_escape(href)}">{shown}</a>'

    def _name(self, path: str) -> str:
        page = self.files.page_of(path)
        return page.name.rsplit("/", 1)[-1] if page is not None else posixpath.basename(path)

    def _picture(self, cell: Cell) -> str:
        """An image for a card: a published image file, or one on the web."""
        value = cell.value
        if isinstance(value, Image):
            value = value.target
        if isinstance(value, tuple | list):
            value = value[0] if value else None
        path: str | None = None
        if isinstance(value, FileValue):
            path = value.record.path
        elif isinstance(value, Link):
            path = value.path or (value.text if _WEB.match(value.text) else None)
        elif isinstance(value, str) and value.strip():
            path = value.strip() if _WEB.match(value.strip()) else \
                self.files.resolve(value, None)
        if not path:
            return ""
        if _WEB.match(path):
            return f'<img class="base-picture" src="{_escape(path)}" alt="" loading="lazy">'
        record = self.files.record(path)
        if record is None or record.ext not in _IMAGE or self.files.page_of(path) is not None:
            return ""
        self.linker.report.assets.add(path)
        src = relative_url(self.linker.file, asset_file(path))
        return f'<img class="base-picture" src="{_escape(src)}" alt="" loading="lazy">'


_NO_PICTURE = '<div class="base-picture base-no-picture" aria-hidden="true"></div>'


def _limited(groups: tuple[Group, ...]) -> list[Group]:
    """The groups with at most ``MAX_ROWS`` rows in all."""
    kept: list[Group] = []
    left = MAX_ROWS
    for group in groups:
        if left <= 0:
            break
        kept.append(Group(group.key, group.rows[:left]))
        left -= len(group.rows)
    return kept


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


__all__ = ["BaseViews"]
