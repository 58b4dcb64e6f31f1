"""Evaluation: ``evaluate`` walks the tree for one file, resolving names, ``formula.X``
references, global functions and methods. The list methods, the method lookup and the
global functions live here because ``filter``, ``map``, ``reduce`` and ``if`` evaluate
argument trees themselves."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from kb_compiler.bases.expressions.compare import equal, item_matches, sort_key
from kb_compiler.bases.expressions.dates import day_of, naive, parse_date, parse_duration
from kb_compiler.bases.expressions.frontmatter import convert, text_link
from kb_compiler.bases.expressions.methods import (
    ANY_METHODS,
    DATE_METHODS,
    FILE_METHODS,
    LINK_METHODS,
    NUMBER_METHODS,
    STRING_METHODS,
    Spec,
    check_arity,
    containment,
    file_link,
    get_field,
    get_index,
    link_file,
    slice_args,
    spread,
)
from kb_compiler.bases.expressions.operators import BINARY, negate
from kb_compiler.bases.expressions.scope import Frame, Scope
from kb_compiler.bases.expressions.syntax import (
    Binary,
    Call,
    Expression,
    Index,
    ListLiteral,
    Literal,
    Member,
    MethodCall,
    Name,
    ObjectLiteral,
    Unary,
)
from kb_compiler.bases.expressions.text import to_text
from kb_compiler.bases.expressions.values import (
    DateValue,
    Duration,
    Environment,
    EvaluationError,
    FileRecord,
    FileValue,
    Html,
    Icon,
    Image,
    Link,
    display_name,
    is_empty,
    is_number,
    kind_of,
    lookup,
    num,
    numeric,
    truthy,
)


def evaluate(expression: Expression, scope: Scope) -> object:
    """The value of ``expression`` for ``scope.file``."""
    try:
        return _eval(expression, _top_frame(scope))
    except RecursionError:
        raise EvaluationError("formulas are nested too deeply") from None
    except OverflowError as error:
        raise EvaluationError(f"number out of range ({error})") from None


def _top_frame(scope: Scope) -> Frame:
    # Callers may bind Python lists; the language's lists are tuples.
    variables = {k: tuple(v) if isinstance(v, list) else v for k, v in scope.variables.items()}
    return Frame(scope, variables)


def property_value(raw: object, scope: Scope) -> object:
    """A frontmatter value of ``scope.file`` as an expression value."""
    return convert(raw, scope.file, scope.environment)


def _property(record: FileRecord, name: str, env: Environment) -> object:
    found = lookup(record.properties, name)
    return None if found is None else convert(found[1], record, env)


# -- list methods ----------------------------------------------------------------------------


def _filter(frame: Frame, items: tuple[object, ...], args: tuple[Expression, ...]) -> object:
    return tuple(
        value
        for index, value in enumerate(items)
        if truthy(_eval(args[0], frame.bind(value=value, index=index)))
    )


def _map(frame: Frame, items: tuple[object, ...], args: tuple[Expression, ...]) -> object:
    return tuple(
        _eval(args[0], frame.bind(value=value, index=index)) for index, value in enumerate(items)
    )


def _reduce(frame: Frame, items: tuple[object, ...], args: tuple[Expression, ...]) -> object:
    acc = _eval(args[1], frame)
    for index, value in enumerate(items):
        acc = _eval(args[0], frame.bind(value=value, index=index, acc=acc))
    return acc


def _unique(items: tuple[object, ...]) -> tuple[object, ...]:
    kept: list[object] = []
    for item in items:
        if not any(equal(item, seen) for seen in kept):
            kept.append(item)
    return tuple(kept)


def _has_item(items: tuple[object, ...], needle: object) -> bool:
    return any(item_matches(item, needle) for item in items)


_LIST_METHODS: dict[str, Spec] = {
    **containment(_has_item),
    "filter": Spec(_filter, 1, 1, lazy=True),
    "map": Spec(_map, 1, 1, lazy=True),
    "reduce": Spec(_reduce, 2, 2, lazy=True),
    "flat": Spec(lambda frame, items, args: tuple(spread(items)), 0, 0),
    "join": Spec(
        lambda frame, items, args: (to_text(args[0]) if args else ",").join(map(to_text, items)),
        0,
        1,
    ),
    "reverse": Spec(lambda frame, items, args: items[::-1], 0, 0),
    "slice": Spec(lambda frame, items, args: items[slice_args("slice", args)], 1, 2),
    "sort": Spec(lambda frame, items, args: tuple(sorted(items, key=sort_key)), 0, 0),
    "unique": Spec(lambda frame, items, args: _unique(items), 0, 0),
}


# -- method lookup ---------------------------------------------------------------------------

_METHODS: dict[str, dict[str, Spec]] = {
    "any": ANY_METHODS,
    "string": STRING_METHODS,
    "number": NUMBER_METHODS,
    "list": _LIST_METHODS,
    "date": DATE_METHODS,
    "link": LINK_METHODS,
    "file": FILE_METHODS,
    "object": {
        "keys": Spec(lambda frame, obj, args: tuple(obj), 0, 0),
        "values": Spec(lambda frame, obj, args: tuple(obj.values()), 0, 0),
    },
    "regex": {
        "matches": Spec(
            lambda frame, regex, args: args[0] is not None
            and regex.compiled().search(to_text(args[0])) is not None,
            1,
            1,
        ),
    },
}
# Links answer link methods, then any-value methods, then text methods on their target.
_CHAINS = {"link": ("link", "any", "string")}
_TYPE_PHRASES = {"string": "text", "number": "a number", "list": "a list", "date": "a date",
                 "link": "a link", "file": "a file", "object": "an object",
                 "regex": "a regular expression"}  # fmt: skip
_FALSE_ON_NULL = frozenset({"contains", "containsAll", "containsAny", "startsWith", "endsWith",
                            "hasLink", "hasTag", "hasProperty", "inFolder", "matches",
                            "linksTo"})  # fmt: skip


def _find_method(target: object, name: str) -> tuple[Spec, object]:
    """The method ``name`` for ``target``, and the receiver to run it on."""
    if target is None:
        return _null_method(name), None
    kind = kind_of(target)
    for table in _CHAINS.get(kind, (kind, "any")):
        spec = _METHODS.get(table, {}).get(name)
        if spec is not None:
            if table == "string" and isinstance(target, Link):
                return spec, target.text
            return spec, target
    owners = [_TYPE_PHRASES[k] for k, table in _METHODS.items() if name in table]
    if not owners:
        raise EvaluationError(f"unknown method '{name}'")
    raise EvaluationError(f"'{name}' expects {' or '.join(owners)}, got {display_name(target)}")


def _null_method(name: str) -> Spec:
    # Obsidian shrugs at methods on missing properties; so do we, for methods that exist.
    if name in ANY_METHODS:
        return ANY_METHODS[name]
    spec = next((table[name] for table in _METHODS.values() if name in table), None)
    if spec is None:
        raise EvaluationError(f"unknown method '{name}'")
    result = False if name in _FALSE_ON_NULL else None
    return Spec(lambda frame, target, args: result, spec.least, spec.most, lazy=True)


# -- global functions ------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1)


def _if(frame: Frame, args: tuple[Expression, ...]) -> object:
    if truthy(_eval(args[0], frame)):
        return _eval(args[1], frame)
    return _eval(args[2], frame) if len(args) > 2 else None


def _link_function(frame: Frame, args: tuple[object, ...]) -> object:
    target = args[0]
    display = None if len(args) < 2 or args[1] is None else to_text(args[1])
    if target is None:
        return None
    if isinstance(target, FileValue):
        return file_link(target.record, display)
    if not isinstance(target, Link):
        target = text_link(to_text(target), frame.scope.file, frame.scope.environment)
    return target if display is None else replace(target, display=display)


def _file_function(frame: Frame, args: tuple[object, ...]) -> object:
    value, env = args[0], frame.scope.environment
    if value is None or isinstance(value, FileValue):
        return value
    if isinstance(value, Link):
        return link_file(value, env)
    record = env.record(to_text(value))
    if record is not None:
        return FileValue(record)
    return link_file(text_link(to_text(value), frame.scope.file, env), env)


def _image_function(frame: Frame, args: tuple[object, ...]) -> object:
    value, env = args[0], frame.scope.environment
    if value is None:
        return None
    if isinstance(value, FileValue):
        return Image(value.record.path, value.record.path)
    if isinstance(value, Link):
        return Image(value.text, value.path)
    text = to_text(value).strip()
    if "://" in text or text.startswith("data:"):
        return Image(text, None)
    if env.record(text) is not None:
        return Image(text, text)
    link = text_link(text, frame.scope.file, env)
    return Image(link.text, link.path)


def _to_date(value: object) -> object:
    if value is None or isinstance(value, DateValue):
        return value
    if is_number(value):
        try:
            return DateValue(_EPOCH + timedelta(milliseconds=value))  # type: ignore[arg-type]
        except OverflowError:
            raise EvaluationError("date out of range") from None
    text = value.text if isinstance(value, Link) else to_text(value)
    parsed = parse_date(text)
    if parsed is None:
        raise EvaluationError(f"date() cannot read {text!r} as a date")
    return parsed


def _to_duration(value: object) -> object:
    if value is None or isinstance(value, Duration):
        return value
    if is_number(value):
        return Duration(value)  # type: ignore[arg-type]
    parsed = parse_duration(to_text(value))
    if parsed is None:
        raise EvaluationError(f"duration() cannot read {to_text(value)!r} as a duration")
    return parsed


def _to_number(value: object) -> object:
    if value is None or is_number(value):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, DateValue):
        return num((value.moment - _EPOCH) / timedelta(milliseconds=1))
    if isinstance(value, Duration):
        return num(value.total_ms)
    if isinstance(value, str) and (number := numeric(value)) is not None:
        return number
    raise EvaluationError(f"number() cannot read {to_text(value)!r} as a number")


def _extreme(name: str, args: tuple[object, ...]) -> object:
    values = [value for value in spread(args) if value is not None]
    pick = max if name == "max" else min
    if not values:
        return None
    if all(is_number(value) for value in values):
        return pick(values)  # type: ignore[type-var]
    if all(isinstance(value, DateValue) for value in values):
        return pick(values, key=lambda value: value.moment)  # type: ignore[attr-defined]
    odd = next(v for v in values if not is_number(v))
    raise EvaluationError(f"'{name}' expects numbers, got {display_name(odd)}")


def _to_list(value: object) -> tuple[object, ...]:
    if isinstance(value, tuple):
        return value
    return () if value is None else (value,)


_FUNCTIONS: dict[str, Spec] = {
    "if": Spec(_if, 2, 3, lazy=True),
    "list": Spec(lambda frame, args: _to_list(args[0]), 1, 1),
    "link": Spec(_link_function, 1, 2),
    "file": Spec(_file_function, 1, 1),
    "date": Spec(lambda frame, args: _to_date(args[0]), 1, 1),
    "duration": Spec(lambda frame, args: _to_duration(args[0]), 1, 1),
    "now": Spec(lambda frame, args: DateValue(naive(frame.scope.environment.now)), 0, 0),
    "today": Spec(lambda frame, args: day_of(frame.scope.environment.now), 0, 0),
    "number": Spec(lambda frame, args: _to_number(args[0]), 1, 1),
    "max": Spec(lambda frame, args: _extreme("max", args), 1, None),
    "min": Spec(lambda frame, args: _extreme("min", args), 1, None),
    "escapeHTML": Spec(lambda frame, args: html.escape(to_text(args[0])), 1, 1),
    "html": Spec(lambda frame, args: Html(to_text(args[0])), 1, 1),
    "image": Spec(_image_function, 1, 1),
    "icon": Spec(lambda frame, args: None if args[0] is None else Icon(to_text(args[0])), 1, 1),
    "not": Spec(lambda frame, args: not truthy(args[0]), 1, 1),
    "empty": Spec(lambda frame, args: is_empty(args[0]), 1, 1),
}


# -- evaluation ------------------------------------------------------------------------------

_ROOTS = frozenset({"this", "note", "formula"})


def _eval(node: Expression, frame: Frame) -> object:
    return _EVALUATORS[type(node)](node, frame)


def _root(node: Expression) -> str | None:
    return node.name if isinstance(node, Name) and node.name in _ROOTS else None


def _root_member(root: str, name: str, frame: Frame) -> object:
    scope = frame.scope
    if root == "formula":
        return _formula(scope, name)
    if root == "note":
        return _property(scope.file, name, scope.environment)
    if scope.this is None:
        return None
    if name == "file":
        return FileValue(scope.this)
    return _property(scope.this, name, scope.environment)


def _formula(scope: Scope, name: str) -> object:
    found = lookup(scope.formulas, name)
    if found is None:
        raise EvaluationError(f"unknown formula '{name}'")
    key, expression = found
    if key in scope._memo:
        return scope._memo[key]
    if key in scope._active:
        chain = scope._active[scope._active.index(key) :]
        via = "" if len(chain) == 1 else " through " + " -> ".join(f"'{n}'" for n in chain[1:])
        raise EvaluationError(f"formula '{key}' refers to itself{via}")
    scope._active.append(key)
    try:
        value = _eval(expression, _top_frame(scope))
    finally:
        scope._active.pop()
    scope._memo[key] = value
    return value


def _eval_name(node: Name, frame: Frame) -> object:
    if node.name in frame.variables:
        return frame.variables[node.name]
    scope = frame.scope
    if node.name == "file":
        return FileValue(scope.file)
    if node.name == "this":
        return None if scope.this is None else FileValue(scope.this)
    if node.name == "note":
        return convert(dict(scope.file.properties), scope.file, scope.environment)
    if node.name == "formula":
        raise EvaluationError("'formula' needs a formula name, as in formula.total")
    return _property(scope.file, node.name, scope.environment)


def _eval_binary(node: Binary, frame: Frame) -> object:
    if node.operator == "&&":
        return truthy(_eval(node.left, frame)) and truthy(_eval(node.right, frame))
    if node.operator == "||":
        return truthy(_eval(node.left, frame)) or truthy(_eval(node.right, frame))
    return BINARY[node.operator](_eval(node.left, frame), _eval(node.right, frame))


def _eval_unary(node: Unary, frame: Frame) -> object:
    value = _eval(node.operand, frame)
    return not truthy(value) if node.operator == "!" else negate(value)


def _eval_member(node: Member, frame: Frame) -> object:
    root = _root(node.target)
    if root is not None:
        return _root_member(root, node.name, frame)
    return get_field(_eval(node.target, frame), node.name, frame)


def _eval_index(node: Index, frame: Frame) -> object:
    index = _eval(node.index, frame)
    root = _root(node.target)
    if root is not None and isinstance(index, str):
        return _root_member(root, index, frame)
    return get_index(_eval(node.target, frame), index, frame)


def _eval_call(node: Call, frame: Frame) -> object:
    spec = _FUNCTIONS.get(node.name)
    if spec is None:
        raise EvaluationError(f"unknown function '{node.name}'")
    check_arity(node.name, spec, len(node.args))
    if spec.lazy:
        args: tuple[object, ...] = node.args
    else:
        args = tuple(_eval(arg, frame) for arg in node.args)
    return spec.run(frame, args)


def _eval_method(node: MethodCall, frame: Frame) -> object:
    spec, receiver = _find_method(_eval(node.target, frame), node.name)
    check_arity(node.name, spec, len(node.args))
    if spec.lazy:
        args: tuple[object, ...] = node.args
    else:
        args = tuple(_eval(arg, frame) for arg in node.args)
    return spec.run(frame, receiver, args)


_EVALUATORS: dict[type, Callable[[Any, Frame], object]] = {
    Literal: lambda node, frame: node.value,
    Name: _eval_name,
    ListLiteral: lambda node, frame: tuple(_eval(item, frame) for item in node.items),
    ObjectLiteral: lambda node, frame: {key: _eval(value, frame) for key, value in node.entries},
    Unary: _eval_unary,
    Binary: _eval_binary,
    Member: _eval_member,
    Index: _eval_index,
    Call: _eval_call,
    MethodCall: _eval_method,
}
