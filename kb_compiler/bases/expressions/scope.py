"""What an expression sees while it runs: ``Scope`` for one file, ``Frame`` for the names
that ``filter``, ``map`` and ``reduce`` bind."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kb_compiler.bases.expressions.syntax import Expression
from kb_compiler.bases.expressions.values import Environment, FileRecord


@dataclass(frozen=True, eq=False)
class Scope:
    """What an expression sees while it is evaluated for one file."""

    file: FileRecord
    this: FileRecord | None
    formulas: Mapping[str, Expression]
    environment: Environment
    variables: Mapping[str, object] = field(default_factory=dict)
    _memo: dict[str, object] = field(default_factory=dict, init=False, repr=False)
    _active: list[str] = field(default_factory=list, init=False, repr=False)


@dataclass(frozen=True)
class Frame:
    scope: Scope
    variables: Mapping[str, object]

    def bind(self, **values: object) -> Frame:
        return Frame(self.scope, {**self.variables, **values})
