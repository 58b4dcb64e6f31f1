"""One view of a base, run: the files its filters keep, sorted, limited and grouped, with
the value of each shown property.

A filter statement that fails on a file (a method its value does not have) keeps the file
out, as Obsidian does; the message is kept for the page to show. A shown value that
fails is an error cell, the other cells of the row stay.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from kb_compiler.bases.document import BaseDocument, Filter, FilterGroup, SortKey, View
from kb_compiler.bases.expressions import (
    Environment,
    EvaluationError,
    Expression,
    ExpressionError,
    FileRecord,
    Scope,
    evaluate,
    parse_expression,
    sort_key,
    truthy,
)
from kb_compiler.gcpause import no_gc_pauses

DEFAULT_COLUMNS = ("file.name",)
_T = TypeVar("_T")
_MAX_PROBLEMS = 3


@dataclass(frozen=True, slots=True)
class Cell:
    """A shown value, or the message of the error that took its place."""

    value: object
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Row:
    file: FileRecord
    cells: tuple[Cell, ...]
    image: Cell | None = None  # a cards view's picture


@dataclass(frozen=True, slots=True)
class Group:
    """Rows sharing one value of the view's ``groupBy`` property (``key`` None: the
    view is not grouped)."""

    key: Cell | None
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class ViewResult:
    view: View
    columns: tuple[tuple[str, str], ...]  # (property id, heading)
    groups: tuple[Group, ...]
    matched: int  # files the filters kept, before the limit
    problems: tuple[str, ...]  # the first few filter errors


def run_view(document: BaseDocument, view: View, files: Iterable[FileRecord],
             environment: Environment, this: FileRecord | None) -> ViewResult:
    """Evaluate ``view`` of ``document`` over ``files`` (``this``: the file that shows
    the base)."""
    run = _Run(document, environment, this)
    with no_gc_pauses():  # values per file and column, and no cycles among them
        kept = [file for file in files if run.keeps(document.filters, file)
                and run.keeps(view.filters, file)]
        ordered = _sorted(kept, view.sort, run)
        shown = ordered[:view.limit] if view.limit is not None else ordered
        columns = view.order or DEFAULT_COLUMNS
        rows = [Row(file, tuple(run.cell(column, file) for column in columns),
                    run.cell(view.image, file) if view.image else None) for file in shown]
        groups = _groups(rows, view.group_by, run)
    return ViewResult(view, tuple((column, document.label(column)) for column in columns),
                      groups, len(kept), tuple(run.problems))


class _Run:
    """Evaluation of one view: scopes per file, values cached per (property, file)."""

    def __init__(self, document: BaseDocument, environment: Environment,
                 this: FileRecord | None) -> None:
        self.formulas = {name: statement.expression for name, statement in document.formulas}
        self.environment = environment
        self.this = this
        self.problems: list[str] = []
        self._scopes: dict[str, Scope] = {}
        self._values: dict[tuple[str, str], Cell] = {}

    def scope(self, file: FileRecord) -> Scope:
        found = self._scopes.get(file.path)
        if found is None:
            found = self._scopes[file.path] = Scope(file, self.this, self.formulas,
                                                    self.environment)
        return found

    def keeps(self, rule: Filter | None, file: FileRecord) -> bool:
        if rule is None:
            return True
        if isinstance(rule, FilterGroup):
            results = (self.keeps(item, file) for item in rule.items)
            if rule.connective == "and":
                return all(results)
            if rule.connective == "or":
                return any(results)
            return not any(results)
        try:
            return truthy(evaluate(rule.expression, self.scope(file)))
        except EvaluationError as error:
            self._note(f"line {rule.line}: {error} in `{rule.source}`")
            return False

    def cell(self, column: str, file: FileRecord) -> Cell:
        key = (column, file.path)
        found = self._values.get(key)
        if found is None:
            found = self._values[key] = self._evaluate(column, file)
        return found

    def _evaluate(self, column: str, file: FileRecord) -> Cell:
        try:
            return Cell(evaluate(_column_expression(column), self.scope(file)))
        except (EvaluationError, ExpressionError) as error:
            return Cell(None, str(error))

    def _note(self, message: str) -> None:
        if message not in self.problems and len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(message)


@functools.lru_cache(maxsize=256)
def _column_expression(column: str) -> Expression:
    """What a view's property id reads: ``note.x`` and ``formula.x`` by name (any name,
    spaces and dashes included), ``file.x`` as written."""
    scope, _, name = column.partition(".")
    if scope in ("note", "formula"):
        return parse_expression(f"{scope}[{json.dumps(name)}]")
    return parse_expression(column)


def _sorted(files: list[FileRecord], keys: Sequence[SortKey], run: _Run) -> list[FileRecord]:
    """By path, then by each sort key, the first deciding; empty values last whichever
    the direction."""
    ordered = sorted(files, key=lambda file: file.path)
    for key in reversed(keys):
        ordered = _sorted_by(ordered, key, functools.partial(run.cell, key.property))
    return ordered


def _sorted_by(items: list[_T], key: SortKey, cell_of: Callable[[_T], Cell]) -> list[_T]:
    """``items`` sorted by the value ``cell_of`` gives, stably; empty values last."""
    valued = [(sort_key(cell_of(item).value), item) for item in items]
    present = [(value, item) for value, item in valued if not value[0]]
    present.sort(key=lambda pair: pair[0], reverse=key.descending)
    return [item for _, item in present] + [item for value, item in valued if value[0]]


def _groups(rows: list[Row], group_by: SortKey | None, run: _Run) -> tuple[Group, ...]:
    if group_by is None:
        return (Group(None, tuple(rows)),)
    by_value: dict[object, list[Row]] = {}
    cells: dict[object, Cell] = {}
    for row in rows:
        cell = run.cell(group_by.property, row.file)
        marker = sort_key(cell.value)
        by_value.setdefault(marker, []).append(row)
        cells.setdefault(marker, cell)
    order = _sorted_by(list(by_value), group_by, lambda marker: cells[marker])
    return tuple(Group(cells[marker], tuple(by_value[marker])) for marker in order)


__all__ = ["Cell", "Group", "Row", "ViewResult", "run_view"]
