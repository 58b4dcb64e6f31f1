"""The operators: the table of binary operators (``==`` to ``%``), negation, and arithmetic on
numbers, text, dates and durations."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from kb_compiler.bases.expressions.compare import comparison, equal
from kb_compiler.bases.expressions.dates import as_duration, parse_date, scale, shift_date
from kb_compiler.bases.expressions.text import to_text
from kb_compiler.bases.expressions.values import (
    MAX_TEXT,
    DateValue,
    Duration,
    EvaluationError,
    display_name,
    is_number,
    num,
    numeric,
)


def _as_number(value: object) -> int | float | None:
    if is_number(value):
        return value  # type: ignore[return-value]
    return numeric(value) if isinstance(value, str) else None


def _operand_error(verb: str, a: object, b: object) -> EvaluationError:
    return EvaluationError(f"cannot {verb} {display_name(a)} and {display_name(b)}")


def _add(a: object, b: object) -> object:
    if isinstance(a, DateValue) and (shift := as_duration(b)) is not None:
        return shift_date(a, shift)
    if isinstance(a, Duration) and isinstance(b, DateValue):
        return shift_date(b, a)
    if isinstance(a, Duration) and (other := as_duration(b)) is not None:
        return Duration(num(a.milliseconds + other.milliseconds), a.months + other.months)
    if isinstance(a, str) or isinstance(b, str):
        return concat(to_text(a), to_text(b))
    if a is None or b is None:
        return None
    if is_number(a) and is_number(b):
        return num(a + b)  # type: ignore[operator]
    if isinstance(a, tuple) and isinstance(b, tuple):
        return a + b
    raise _operand_error("add", a, b)


def concat(a: str, b: str) -> str:
    if len(a) + len(b) > MAX_TEXT:
        raise EvaluationError("text would be too long")
    return a + b


def _subtract(a: object, b: object) -> object:
    if isinstance(a, DateValue):
        if (shift := as_duration(b)) is not None:
            return shift_date(a, scale(shift, -1))
        since = b if isinstance(b, DateValue) else parse_date(b) if isinstance(b, str) else None
        if since is not None:
            return Duration(num((a.moment - since.moment) / timedelta(milliseconds=1)))
    if isinstance(a, Duration) and (other := as_duration(b)) is not None:
        return Duration(num(a.milliseconds - other.milliseconds), a.months - other.months)
    return _numeric_operation("subtract", a, b, lambda x, y: x - y)


def _multiply(a: object, b: object) -> object:
    if isinstance(a, Duration) and is_number(b):
        return scale(a, b)  # type: ignore[arg-type]
    if isinstance(b, Duration) and is_number(a):
        return scale(b, a)  # type: ignore[arg-type]
    return _numeric_operation("multiply", a, b, lambda x, y: x * y)


def _divide(a: object, b: object) -> object:
    if isinstance(a, Duration) and is_number(b):
        return scale(a, 1 / b) if b else None  # type: ignore[operator]
    return _numeric_operation("divide", a, b, lambda x, y: x / y if y else None)


def _modulo(a: object, b: object) -> object:
    # math.fmod keeps the dividend's sign, as JavaScript's % does.
    def remainder(x: float, y: float) -> float | None:
        return math.fmod(x, y) if y and math.isfinite(x) else None

    return _numeric_operation("divide", a, b, remainder)


def _numeric_operation(
    verb: str, a: object, b: object, operation: Callable[[Any, Any], float | None]
) -> object:
    if a is None or b is None:
        return None
    x, y = _as_number(a), _as_number(b)
    if x is None or y is None:
        raise _operand_error(verb, a, b)
    result = operation(x, y)
    return None if result is None else num(result)


def negate(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, Duration):
        return scale(value, -1)
    number = _as_number(value)
    if number is None:
        raise EvaluationError(f"cannot negate {display_name(value)}")
    return num(-number)


BINARY: dict[str, Callable[[object, object], object]] = {
    "==": equal,
    "!=": lambda a, b: not equal(a, b),
    "<": comparison(lambda order: order < 0),
    "<=": comparison(lambda order: order <= 0),
    ">": comparison(lambda order: order > 0),
    ">=": comparison(lambda order: order >= 0),
    "+": _add,
    "-": _subtract,
    "*": _multiply,
    "/": _divide,
    "%": _modulo,
}
