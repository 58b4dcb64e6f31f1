"""Obsidian front matter (FORMATS.md 2.2): the YAML (or JSON) block between ``---`` fences
at the very start of a note, read into typed properties with their file lines, the note's
tags and aliases, and the links written inside property values.

python-frontmatter finds and splits the block; PyYAML's composer is then used directly,
because only its node tree knows the line and column of each key and value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeVar, cast

import yaml
from frontmatter.default_handlers import YAMLHandler
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kb_compiler.model import (
    Diagnostic,
    Property,
    PropertyValue,
    Reference,
    RefKind,
    Severity,
    normalize_key,
)
from kb_compiler.parse.obsidian_links import is_asset_name, split_wikilink

TAG_KEYS = frozenset({"tags", "tag"})
ALIAS_KEYS = frozenset({"aliases", "alias"})
# A YAML alias can make a small text expand to billions of values ("billion laughs") or
# refer to itself; typing stops after this many values and reports the property.
MAX_VALUES = 100_000
_FAST_LOADER_LIMIT = 200_000  # characters

_WIKILINK = re.compile(r"!?\[\[([^\[\]\n]*)\]\]")
_TAG_ITEM = re.compile(r"[^,\s]+")
# Template notes write ``created: {{date}}``, which YAML reads as a mapping with an
# unhashable key. Such values are quoted and the block parsed again.
_PLACEHOLDER_VALUE = re.compile(
    r"^([ \t]*(?:-[ \t]+|[^\s#:'\"-][^:\n]*:[ \t]+))(\{\{[^\n]*?)[ \t]*$", re.MULTILINE
)


class _FenceHandler(YAMLHandler):
    """python-frontmatter's YAML handler with Obsidian's fence: exactly ``---`` (trailing
    blanks allowed) on the first line and on the closing line."""

    FM_BOUNDARY = re.compile(r"^---[ \t]*$", re.MULTILINE)


class _TooManyValues(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Frontmatter:
    """What a note's front matter says. ``raw`` is the YAML text between the fences
    (None: the note has no front matter); ``body_start`` is the offset where the body
    begins and ``end_line`` the line of the closing fence (both 0 without front matter).
    """

    raw: str | None = None
    body_start: int = 0
    end_line: int = 0
    properties: tuple[Property, ...] = ()
    references: tuple[Reference, ...] = ()
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()


def frontmatter_end(text: str) -> int:
    """Where the body begins after the front matter's closing fence (0: no front matter),
    the fences read as ``read_frontmatter`` reads them, the YAML left alone."""
    fenced = _fenced(text)
    return fenced[1] if fenced is not None else 0


def _fenced(text: str) -> tuple[str, int] | None:
    """The text between the fences and the offset after the closing one, or None."""
    handler = _FenceHandler()
    if not handler.detect(text):
        return None
    try:
        block, content = handler.split(text)
    except ValueError:  # no closing fence: the first line is a thematic break
        return None
    return block, len(text) - len(content)


def read_frontmatter(path: str, text: str, *, obsidian: bool = True) -> Frontmatter:
    """Find and read the front matter at the very start of ``text``. YAML that does not
    parse gives an ``invalid-frontmatter`` error at the file line of the problem; the
    block is still skipped so the body parses as usual. An unquoted ``[[link]]`` is
    followed, and on an ``obsidian`` page reported (Logseq reads it as a link)."""
    fenced = _fenced(text)
    if fenced is None:
        return Frontmatter()
    block, body_start = fenced
    end_line = text.count("\n", 0, body_start) + 1
    raw = block[1:] if block.startswith("\n") else block
    found = Frontmatter(raw=raw, body_start=body_start, end_line=end_line)
    # ``block`` starts with the rest of the fence line, so its line i is file line i + 1.
    entries, problem = _load(path, block)
    if problem is not None and "{{" in block:
        quoted = _PLACEHOLDER_VALUE.sub(_quote_placeholder, block)
        retried, still = _load(path, quoted)
        if still is None:
            entries, problem, block = retried, None, quoted
    if problem is not None:
        return _replace_diagnostics(found, (problem,))
    return _read_entries(path, block, entries, found, obsidian)


def _quote_placeholder(match: re.Match[str]) -> str:
    return match.group(1) + "'" + match.group(2).replace("'", "''") + "'"


@dataclass(frozen=True, slots=True)
class _Entry:
    """One ``key: value`` pair as composed (for marks) and constructed (for values)."""

    key_node: Node
    value_node: Node
    raw_key: str
    value: object


def _load(path: str, block: str) -> tuple[list[_Entry], Diagnostic | None]:
    """Compose and construct the YAML mapping, or say at which line it fails."""
    loader = _loader(block)
    try:
        node = loader.get_single_node()
        if node is None or _is_empty_scalar(node):
            return [], None
        if not isinstance(node, MappingNode):
            return [], _invalid(path, node.start_mark.line + 1, node.start_mark.column + 1,
                                "front matter is not a list of `key: value` properties")
        loader.flatten_mapping(node)
        entries = [_Entry(key, value, _key_text(loader, key),
                          loader.construct_object(value, deep=True))
                   for key, value in node.value]
        return entries, None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if error.context_mark is not None and mark is not None \
                and mark.index >= len(block.rstrip()):
            # the text ran out inside an unclosed "[" or quote: point at where it opens
            mark = error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 0)
        problem = error.problem or error.context or "not valid YAML"
        return [], _invalid(path, line, column, f"front matter is not valid YAML: {problem}")
    except RecursionError:
        return [], _invalid(path, 1, 0, "front matter nests too deeply to read")
    except (yaml.YAMLError, ValueError, TypeError) as error:
        return [], _invalid(path, 1, 0, f"front matter is not valid YAML: {error}")
    finally:
        loader.dispose()


def _key_text(loader: yaml.SafeLoader | yaml.CSafeLoader, key: Node) -> str:
    """A key as text: a key YAML types (``true``, ``null``, ``1``) as written, which is
    how Obsidian names the property (not Python's ``True`` or an empty name)."""
    constructed = loader.construct_object(key, deep=True)
    if isinstance(key, ScalarNode) and not isinstance(constructed, str):
        return str(key.value)
    return _text(_scalar(constructed))


def _loader(block: str) -> yaml.SafeLoader | yaml.CSafeLoader:
    """libyaml's loader when it is installed (ten times faster, same nodes and marks),
    except for large or bracket-heavy blocks: its composer recurses in C and crashes the
    process on very deep nesting, where the pure-Python one raises RecursionError."""
    small = len(block) < _FAST_LOADER_LIMIT and block.count("[") + block.count("{") < 1000
    return _FAST_CORE_LOADER(block) if _FAST_CORE_LOADER is not None and small \
        else _CORE_LOADER(block)


# Obsidian reads YAML 1.2, whose core schema types plain scalars more narrowly than
# PyYAML's YAML 1.1: ``yes``/``no``/``on``/``off`` are text, ``010`` is ten (not octal
# eight), ``1_000`` is text, octal is written ``0o10``. Dates stay dates: Obsidian has
# date properties.
_CORE_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_CORE_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_CORE_FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                         r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_TYPED_BY_1_1 = frozenset({"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                           "tag:yaml.org,2002:float"})


def _core_int(loader: yaml.SafeLoader | yaml.CSafeLoader, node: Node) -> int:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


def _date_or_text(loader: yaml.SafeLoader | yaml.CSafeLoader, node: Node) -> object:
    """A date, or the text as written when it names no day (``2024-02-30``): Obsidian
    reads it as text, where PyYAML's error lost every property of the note."""
    try:
        return loader.construct_yaml_timestamp(node)  # type: ignore[arg-type]
    except ValueError:
        return loader.construct_scalar(node)  # type: ignore[arg-type]


# libyaml's loader is no SafeLoader: the same constructor and resolver, another parser.
_Loader = TypeVar("_Loader", bound="yaml.SafeLoader | yaml.CSafeLoader")


def _core_schema(loader: type[_Loader]) -> type[_Loader]:
    """``loader`` typing plain scalars by YAML 1.2's core schema."""
    # type() makes a subclass of loader, which its stubs do not say.
    core = cast(type[_Loader], type(f"Core{loader.__name__}", (loader,), {}))
    core.yaml_implicit_resolvers = {
        first: [(tag, pattern) for tag, pattern in resolvers if tag not in _TYPED_BY_1_1]
        for first, resolvers in loader.yaml_implicit_resolvers.items()}
    core.add_implicit_resolver("tag:yaml.org,2002:bool", _CORE_BOOL, list("tTfF"))
    core.add_implicit_resolver("tag:yaml.org,2002:int", _CORE_INT, list("-+0123456789"))
    core.add_implicit_resolver("tag:yaml.org,2002:float", _CORE_FLOAT, list("-+.0123456789"))
    core.add_constructor("tag:yaml.org,2002:int", _core_int)
    core.add_constructor("tag:yaml.org,2002:timestamp", _date_or_text)
    return core


_CORE_LOADER = _core_schema(yaml.SafeLoader)
_FAST_CORE_LOADER = _core_schema(yaml.CSafeLoader) if hasattr(yaml, "CSafeLoader") else None


def _is_empty_scalar(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag.endswith(":null")


def _read_entries(path: str, block: str, entries: list[_Entry],
                  found: Frontmatter, obsidian: bool) -> Frontmatter:
    properties: list[Property] = []
    references: list[Reference] = []
    problems: list[Diagnostic] = []
    first_line: dict[str, int] = {}
    for entry in entries:
        line, column = entry.key_node.start_mark.line + 1, entry.key_node.start_mark.column + 1
        key = normalize_key(entry.raw_key)
        if key in first_line:  # YAML requires unique keys, and so does Obsidian
            problems.append(_invalid(path, line, column, f"front matter repeats the key "
                                     f"'{entry.raw_key}' (first at line {first_line[key]})"))
            continue
        first_line[key] = line
        try:
            value = _plain(entry.value)
        except _TooManyValues:
            problems.append(_invalid(path, line, column,
                                     "front matter value expands to too many values"))
            continue
        raw = block[entry.value_node.start_mark.index:entry.value_node.end_mark.index]
        if entry.value_node.start_mark.line > entry.key_node.start_mark.line:
            # a block value under its key: its first line indented as its others are,
            # so that the text reads back as YAML
            raw = " " * entry.value_node.start_mark.column + raw
        refs, unquoted = _value_references(key, entry.value_node)
        references.extend(refs)
        if obsidian:
            problems.extend(_unquoted_link(path, entry.raw_key, ref) for ref in unquoted)
        properties.append(Property(key, entry.raw_key, raw.rstrip(), value, line,
                                   tuple(ref.target for ref in refs)))
    properties.sort(key=lambda prop: prop.line)
    references.sort(key=lambda ref: (ref.line, ref.column))
    tags = [ref.target for ref in references if ref.kind is RefKind.TAG]
    aliases = [name for prop in properties if prop.key in ALIAS_KEYS
               for name in alias_names(prop.value)]
    return Frontmatter(found.raw, found.body_start, found.end_line, tuple(properties),
                       tuple(references), tuple(tags), tuple(aliases), tuple(problems))


def _plain(data: object) -> PropertyValue:
    """A constructed YAML value as model data, walked with an explicit stack: dates as ISO
    strings, lists as tuples, mappings as tuples of (key, value) pairs."""
    budget = MAX_VALUES
    root: list[PropertyValue] = []
    # Each frame: the items still to convert and the list collecting their results.
    stack: list[tuple[Iterator[object], list[PropertyValue]]] = [(iter([data]), root)]
    while stack:
        items, out = stack[-1]
        item = next(items, _DONE)
        if item is _DONE:
            stack.pop()
            if stack:
                stack[-1][1].append(tuple(out))
            continue
        budget -= 1
        if budget < 0:
            raise _TooManyValues
        children = _children(item)
        if children is None:
            out.append(_scalar(item))
        else:
            stack.append((iter(children), []))
    # The root frame's list was appended to nothing: its single result is the value.
    return root[0] if root else None


_DONE = object()


def _children(item: object) -> list[object] | None:
    if isinstance(item, dict):
        return [(_text(_scalar(key)), value) for key, value in item.items()]
    if isinstance(item, list | tuple):
        return list(item)
    if isinstance(item, set | frozenset):
        return sorted(item, key=str)
    return None


def _scalar(item: object) -> PropertyValue:
    if item is None or isinstance(item, bool | int | float | str):
        return item
    if isinstance(item, dt.date | dt.datetime):
        return item.isoformat()
    if isinstance(item, bytes):
        return item.decode("utf-8", "replace")
    return str(item)


def _text(value: PropertyValue) -> str:
    return "" if value is None else str(value)


def _value_references(key: str, node: Node) -> tuple[list[Reference], list[Reference]]:
    """The links (or, under ``tags``, the tag names) written in one property's value,
    and those of them written unquoted (``up: [[Note]]``)."""
    found: list[Reference] = []
    unquoted: list[Reference] = []
    for scalar, bare in _scalars(node):
        if key in TAG_KEYS:
            found.extend(_tag_references(key, scalar))
        elif key in ALIAS_KEYS:
            continue
        elif bare:
            link = _link_reference(key, "[[" + scalar.value + "]]", scalar.value,
                                   scalar.start_mark.line + 1, scalar.start_mark.column - 2)
            found.append(link)
            unquoted.append(link)
        else:
            found.extend(_scalar_links(key, scalar))
    return found, unquoted


def _unquoted_link(path: str, raw_key: str, link: Reference) -> Diagnostic:
    """An unquoted ``[[Note]]`` in front matter: kbc follows it, Obsidian does not (YAML
    reads a nested list, so the note's links, backlinks and graph leave it out)."""
    return Diagnostic(
        "unquoted-link", Severity.WARNING, path, link.line, link.column,
        f"property '{raw_key}': {link.raw} is not quoted, so Obsidian reads a list, not "
        "a link", suggestion=f'write it quoted: "{link.raw}"',
        end_column=link.column + len(link.raw))


def _scalars(node: Node) -> Iterator[tuple[ScalarNode, bool]]:
    """Every scalar under ``node`` in source order, each node once (YAML aliases share
    nodes). ``True`` marks an unquoted ``[[Link]]``, which YAML reads as a nested list."""
    stack: list[Node] = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ScalarNode):
            yield current, False
        elif isinstance(current, SequenceNode):
            inner = _bare_link(current)
            if inner is not None:
                yield inner, True
            else:
                stack.extend(reversed(current.value))
        elif isinstance(current, MappingNode):
            stack.extend(value for _, value in reversed(current.value))


def _bare_link(node: SequenceNode) -> ScalarNode | None:
    if not node.flow_style or len(node.value) != 1:
        return None
    inner = node.value[0]
    if not (isinstance(inner, SequenceNode) and inner.flow_style and len(inner.value) == 1):
        return None
    scalar = inner.value[0]
    # A plain (unquoted) scalar: style None from PyYAML, "" from libyaml.
    if isinstance(scalar, ScalarNode) and not scalar.style and scalar.value:
        return scalar
    return None


def _scalar_links(key: str, scalar: ScalarNode) -> Iterator[Reference]:
    if "[[" not in scalar.value:
        return
    line, column = _scalar_start(scalar)
    for match in _WIKILINK.finditer(scalar.value):
        yield _link_reference(key, match.group(0), match.group(1), line,
                              column + match.start())


def _link_reference(key: str, raw: str, inner: str, line: int, column0: int) -> Reference:
    parts = split_wikilink(inner)
    return Reference(
        kind=RefKind.PROPERTY, target=parts.target, line=line, column=column0 + 1,
        label=parts.label, subpath=parts.subpath, property=key,
        is_asset=is_asset_name(parts.target), raw=raw,
    )


def _tag_references(key: str, scalar: ScalarNode) -> Iterator[Reference]:
    line, column = _scalar_start(scalar)
    for match in _TAG_ITEM.finditer(scalar.value):
        name = match.group(0).lstrip("#")
        if name:
            yield Reference(kind=RefKind.TAG, target=name, line=line,
                            column=column + match.start() + 1, property=key,
                            raw=match.group(0))


def _scalar_start(scalar: ScalarNode) -> tuple[int, int]:
    """File line and 0-based column of a scalar's first character (after a quote)."""
    quoted = 1 if scalar.style in ("'", '"') else 0
    return scalar.start_mark.line + 1, scalar.start_mark.column + quoted


def alias_names(value: PropertyValue) -> list[str]:
    """Aliases as a list, a single name or a comma-separated string (FORMATS.md 2.2)."""
    if value is None:
        return []
    if isinstance(value, tuple):
        names: list[str] = []
        for item in value:
            if isinstance(item, tuple):  # "aliases: [[Old Name]]": a list in a list to
                names.extend(alias_names(item))  # YAML, and "Old Name" to Obsidian
            elif item is not None and str(item).strip():
                names.append(str(item).strip())
        return names
    return [name.strip() for name in str(value).split(",") if name.strip()]


def _invalid(path: str, line: int, column: int, message: str) -> Diagnostic:
    return Diagnostic("invalid-frontmatter", Severity.ERROR, path, line, column, message)


def _replace_diagnostics(found: Frontmatter, problems: tuple[Diagnostic, ...]) -> Frontmatter:
    return Frontmatter(found.raw, found.body_start, found.end_line, diagnostics=problems)
