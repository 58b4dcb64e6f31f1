"""A ``.base`` file read into plain data: its filters, formulas, property names and views.

Obsidian's Bases syntax (help.obsidian.md/bases/syntax) is YAML: ``filters`` (a
statement, or a mapping with one of ``and``/``or``/``not`` holding a list of filters),
``formulas`` (name: expression), ``properties`` (per property, a ``displayName``) and
``views`` (each with ``type``, ``name``, its own ``filters``, ``order``, ``sort``,
``limit``, ``groupBy``, and layout settings such as a cards view's ``image``). Keys this
reader does not know are left alone: views and plugins add their own.

Every expression is parsed here, so a mistake is reported with the line it is on, once
per file instead of once per note it is tested against.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kb_compiler.bases.expressions import Expression, ExpressionError, parse_expression
from kb_compiler.errors import KbcError

_CONNECTIVES = ("and", "or", "not")


class BaseError(KbcError, ValueError):
    """A ``.base`` file that cannot be used: not YAML, a wrong shape, or an expression
    that does not parse. ``line`` is 1-based (0 when unknown). A ``KbcError``, the one
    kind of error a user's input raises (a ``ValueError`` too, as it always was)."""

    line: int  # never None, unlike a KbcError's: 0 stands for unknown

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.reason = message
        self.line = line


@dataclass(frozen=True, slots=True)
class Statement:
    """One filter statement or formula, as written and parsed."""

    source: str
    expression: Expression
    line: int


@dataclass(frozen=True, slots=True)
class FilterGroup:
    """``and`` (all hold), ``or`` (any holds) or ``not`` (none holds) over its items."""

    connective: str
    items: tuple[Filter, ...]


Filter = FilterGroup | Statement


@dataclass(frozen=True, slots=True)
class SortKey:
    """A property to sort or group by (``note.``, ``file.`` or ``formula.`` id)."""

    property: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class View:
    """One view of a base. ``order`` lists the property ids it shows, in order."""

    type: str
    name: str
    filters: Filter | None = None
    order: tuple[str, ...] = ()
    sort: tuple[SortKey, ...] = ()
    limit: int | None = None
    group_by: SortKey | None = None
    image: str | None = None  # the property a cards view takes its picture from


@dataclass(frozen=True, slots=True)
class BaseDocument:
    """A whole ``.base`` file (or ``base`` code block)."""

    filters: Filter | None
    formulas: tuple[tuple[str, Statement], ...]
    display_names: tuple[tuple[str, str], ...]
    views: tuple[View, ...]

    def view(self, name: str | None = None) -> View:
        """The view called ``name`` (as ``![[File.base#View]]`` names it), else the
        first; a base without views shows every file as a table, as Obsidian does."""
        found = self.named_view(name) if name else None
        if found is not None:
            return found
        return self.views[0] if self.views else View("table", "Table")

    def named_view(self, name: str) -> View | None:
        """The view called ``name``, in its case if one is, else in any case."""
        wanted = name.strip()
        for view in self.views:
            if view.name == wanted:
                return view
        for view in self.views:
            if view.name.casefold() == wanted.casefold():
                return view
        return None

    def label(self, property_id: str) -> str:
        """The column heading of a property: its display name, else its name as
        Obsidian shows it (``author``, ``Age``, ``file name``)."""
        for key, shown in self.display_names:
            if key == property_id:
                return shown
        scope, _, name = property_id.partition(".")
        return f"file {name}" if scope == "file" else name


def property_id(written: str) -> str:
    """The full id of a property as views write it: ``author`` is ``note.author``."""
    written = written.strip()
    if written.startswith(("note.", "file.", "formula.")):
        return written
    return f"note.{written}"


def read_base_file(path: Path) -> BaseDocument:
    """Read the ``.base`` file at ``path``; raises ``BaseError`` when it cannot be read,
    is not UTF-8 or is not a base."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BaseError(f"cannot be read: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BaseError("is not UTF-8 text") from None
    return read_base(text)


def read_base(text: str) -> BaseDocument:
    """Read a ``.base`` file's text; raises ``BaseError`` naming the line at fault."""
    root = _compose(text)
    if root is None:
        return BaseDocument(None, (), (), ())
    if not isinstance(root, MappingNode):
        raise BaseError("a base is a mapping of filters, formulas, properties and views",
                        _line(root))
    fields = _mapping(root)
    formulas = tuple((name, _statement(node)) for name, node in
                     _mapping(fields["formulas"]).items()) if "formulas" in fields else ()
    return BaseDocument(
        filters=_filters(fields.get("filters")),
        formulas=formulas,
        display_names=_display_names(fields.get("properties")),
        views=tuple(_view(node) for node in _sequence(fields.get("views"))),
    )


def _compose(text: str) -> Node | None:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "not valid YAML"
        # A mark at the end of the text is after its last line break: name the last line.
        last = max(len(text.splitlines()), 1)
        raise BaseError(f"not valid YAML: {problem}",
                        min(mark.line + 1, last) if mark else 0) from None
    except (yaml.YAMLError, RecursionError) as error:
        raise BaseError(f"not valid YAML: {error}") from None
    if node is None or (isinstance(node, ScalarNode) and node.tag.endswith(":null")):
        return None
    return node


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _mapping(node: Node | None) -> dict[str, Node]:
    if node is None or _is_null(node):
        return {}
    if not isinstance(node, MappingNode):
        raise BaseError("expected a mapping of `key: value` entries", _line(node))
    found: dict[str, Node] = {}
    for key, value in node.value:
        found.setdefault(_scalar(key), value)
    return found


def _sequence(node: Node | None) -> list[Node]:
    if node is None or _is_null(node):
        return []
    if not isinstance(node, SequenceNode):
        raise BaseError("expected a list", _line(node))
    return list(node.value)


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag.endswith(":null")


def _scalar(node: Node) -> str:
    if not isinstance(node, ScalarNode):
        raise BaseError("expected a single value, not a list or mapping", _line(node))
    return str(node.value)


def _statement(node: Node) -> Statement:
    source = _scalar(node)
    try:
        expression = parse_expression(source)
    except ExpressionError as error:
        raise BaseError(f"{error} in `{source}`", _line(node)) from None
    return Statement(source, expression, _line(node))


def _filters(node: Node | None) -> Filter | None:
    """A ``filters`` entry; left empty (``filters:`` or ``filters: {}``) it keeps all."""
    if node is None or _is_null(node) or (isinstance(node, MappingNode) and not node.value):
        return None
    return _filter(node)


def _filter(node: Node) -> Filter:
    if isinstance(node, ScalarNode):
        return _statement(node)
    entries = _mapping(node)
    connectives = [key for key in entries if key in _CONNECTIVES]
    if len(entries) != 1 or not connectives:
        raise BaseError("a filter is a statement or one of `and`, `or`, `not` with a list",
                        _line(node))
    connective = connectives[0]
    return FilterGroup(connective, tuple(_filter(item) for item in
                                         _sequence(entries[connective])))


def _display_names(node: Node | None) -> tuple[tuple[str, str], ...]:
    names: list[tuple[str, str]] = []
    for key, settings in _mapping(node).items():
        shown = _mapping(settings).get("displayName") if isinstance(settings, MappingNode) \
            else None
        if shown is not None and isinstance(shown, ScalarNode) and shown.value.strip():
            names.append((property_id(key), str(shown.value)))
    return tuple(names)


def _view(node: Node) -> View:
    fields = _mapping(node)
    return View(
        type=_text(fields.get("type")) or "table",
        name=_text(fields.get("name")) or "View",
        filters=_filters(fields.get("filters")),
        order=tuple(property_id(_scalar(item)) for item in _sequence(fields.get("order"))),
        sort=tuple(_sort_keys(fields.get("sort"))),
        limit=_limit(fields.get("limit")),
        group_by=next(_sort_keys(fields["groupBy"], single=True), None)
        if "groupBy" in fields else None,
        image=property_id(_text(fields.get("image"))) if _text(fields.get("image")) else None,
    )


def _text(node: Node | None) -> str:
    return "" if node is None or _is_null(node) else _scalar(node).strip()


def _sort_keys(node: Node | None, *, single: bool = False) -> Iterator[SortKey]:
    items: list[Node] = [node] if single and node is not None \
        and isinstance(node, MappingNode) else _sequence(node)
    for item in items:
        fields = _mapping(item)
        written = _text(fields.get("property")) or _text(fields.get("column"))
        if not written:
            raise BaseError("a sort names its `property`", _line(item))
        direction = _text(fields.get("direction")).upper() or "ASC"
        if direction not in ("ASC", "DESC"):
            raise BaseError(f"a sort's direction is ASC or DESC, not {direction}",
                            _line(fields["direction"]))
        yield SortKey(property_id(written), direction == "DESC")


def _limit(node: Node | None) -> int | None:
    written = _text(node)
    if not written:
        return None
    if not written.isdigit():
        raise BaseError(f"a view's limit is a whole number, not {written}",
                        _line(node) if node is not None else 0)
    return int(written)


__all__ = ["BaseDocument", "BaseError", "Filter", "FilterGroup", "SortKey", "Statement",
           "View", "property_id", "read_base"]
