"""The metamodel schema: artifact types, their properties, sections and relations.

A vault may carry a schema file, ``kbc-schema.yaml`` (or ``.yml``) at its root, or the
file named by ``schema`` in ``kbc.toml``. Without one, kbc still builds the graph and the
scores; only the schema checks are skipped. The file is YAML::

    version: 1
    properties:                     # checked wherever the key appears (page or block)
      weight: {type: integer, min: 0, max: 100}
      key-weight: {type: integer, min: 0, max: 100}
      value: {type: integer, min: 0, max: 100}
      icon: {type: text}
      metamodel-id: {type: page}
      relations: {type: pages}
      status: {type: text, values: [draft, done]}
    types:                          # artifact types, by the id pages name in metamodel-id::
      profile-(id):
        label: Profile              # shown in the site; defaults to the id
        children: [profile-(id)/persona, profile-(id)/goals]   # sub-artifact types
        required-properties: [metamodel-id, weight]
        required-sections: [Definition, Keys]                  # headings the page must have
        properties:                 # per-type property rules (override the global ones)
          weight: {type: integer, min: 0, max: 100}
        relations:                  # property -> the types its pages may have
          relations: [profile-(id)/persona, profile-(id)/goals]
    rules:                          # types for pages without metamodel-id::, first match wins
      - name: "profile-(id)/examples/*"   # glob on the page name (case-insensitive)
        type: example
      - path: "pages/examples/*"          # glob on the vault-relative file path
        type: example
      - tag: tool                         # pages carrying this tag (tags:: / frontmatter)
        type: tool

Property ``type`` is one of ``integer``, ``number``, ``boolean``, ``text``, ``page`` (one
page reference), ``pages`` (page references) or ``any``; ``min``/``max`` bound numbers,
``values`` lists the allowed text values. A page's type is the page named by its
``metamodel-id::`` property, else the first matching rule (``name`` and ``path`` are
globs, ``tag`` a tag name). Section names match headings
case-insensitively, ignoring leading emoji and punctuation (``## 🔍 Definition``).
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from kb_compiler.errors import KbcError
from kb_compiler.model import normalize_key, page_id

SCHEMA_FILE_NAMES = ("kbc-schema.yaml", "kbc-schema.yml")
PROPERTY_TYPES = frozenset({"integer", "number", "boolean", "text", "page", "pages", "any"})


@dataclass(frozen=True, slots=True)
class PropertyRule:
    """What values one property may take."""

    key: str
    type: str = "any"
    minimum: float | None = None
    maximum: float | None = None
    values: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True)
class TypeRule:
    """One artifact type of the metamodel."""

    id: str
    label: str
    children: tuple[str, ...] = ()
    required_properties: tuple[str, ...] = ()
    required_sections: tuple[str, ...] = ()
    properties: tuple[PropertyRule, ...] = ()
    relations: tuple[tuple[str, tuple[str, ...]], ...] = ()  # property -> allowed type ids
    line: int = 0


@dataclass(frozen=True, slots=True)
class MatchRule:
    """Gives a type to pages whose name or path matches a glob."""

    type: str
    name: str | None = None
    path: str | None = None
    tag: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Schema:
    """A loaded schema; ``Schema()`` is the empty schema (no checks)."""

    path: str = ""
    types: tuple[TypeRule, ...] = ()
    properties: tuple[PropertyRule, ...] = ()
    rules: tuple[MatchRule, ...] = ()

    def type(self, type_id: str) -> TypeRule | None:
        return next((t for t in self.types if t.id == type_id), None)

    def property_rule(self, key: str, type_id: str | None = None) -> PropertyRule | None:
        """The rule for ``key`` on a page of ``type_id``: the type's own rule first."""
        key = normalize_key(key)
        declared = self.type(type_id) if type_id else None
        if declared is not None:
            own = next((r for r in declared.properties if r.key == key), None)
            if own is not None:
                return own
        return next((r for r in self.properties if r.key == key), None)

    @property
    def is_empty(self) -> bool:
        return not (self.types or self.properties or self.rules)


def find_schema_file(root: Path, configured: str | None = None) -> Path | None:
    """The schema file of the vault at ``root``: the configured path, else a default name."""
    if configured:
        candidate = root / configured
        if not candidate.is_file():
            raise KbcError("schema file named in the vault config not found", path=configured)
        return candidate
    return next((root / n for n in SCHEMA_FILE_NAMES if (root / n).is_file()), None)


def load_schema(path: Path, display: str | None = None) -> Schema:
    """Read a schema file. Raises ``KbcError`` naming the file (as ``path`` reaches it,
    so the name opens from where kbc runs) and line for a file that is unreadable, is
    not YAML, or uses a key or value this format does not know. ``display`` is its name
    in the schema's own diagnostics (vault-relative, as every diagnostic's path)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise KbcError(f"cannot read schema: {error}", path=str(path)) from error
    try:
        return parse_schema(text, display or str(path))
    except KbcError as error:
        raise KbcError(error.message, path=str(path), line=error.line) from None


def parse_schema(text: str, shown: str = "kbc-schema.yaml") -> Schema:
    """Parse schema text (see the module docstring for the format)."""
    try:
        return _parse_schema(text, shown)
    except RecursionError:
        raise KbcError("schema is not valid YAML: it nests too deeply to read",
                       path=shown) from None


def _parse_schema(text: str, shown: str) -> Schema:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise KbcError(f"schema is not valid YAML: {problem}", path=shown, line=line) from error
    if root is None:
        return Schema(path=shown)
    reader = _Reader(shown)
    top = reader.mapping(root, {"version", "properties", "types", "rules"})
    if "version" in top and reader.scalar(top["version"]) not in ("1", 1):
        reader.fail(top["version"], "unsupported schema version (this kbc reads version 1)")
    properties = reader.property_rules(top.get("properties"))
    types = reader.type_rules(top.get("types"))
    _refuse_child_cycles(types, shown)
    rules = reader.match_rules(top.get("rules"), {rule.id for rule in types})
    return Schema(path=shown, types=types, properties=properties, rules=rules)


def _refuse_child_cycles(types: tuple[TypeRule, ...], shown: str) -> None:
    """Types whose children lead back to themselves would count a page in its own
    roll-up; where the cycle was cut would depend on the pages' names."""
    cycle = first_cycle({rule.id: set(rule.children) - {rule.id} for rule in types})
    if cycle is not None:
        line = next(rule.line for rule in types if rule.id == cycle[0])
        raise KbcError(f"the types' children form a cycle ({' -> '.join(cycle)}); a roll-up "
                       "cannot count a page within itself", path=shown, line=line)


def first_cycle(children: Mapping[str, Iterable[str]]) -> list[str] | None:
    """A cycle of ``children`` (each name's children), parent before child, its first
    name again at the end; None when there is none."""
    try:
        tuple(graphlib.TopologicalSorter({name: set(found) for name, found
                                          in children.items()}).static_order())
    except graphlib.CycleError as error:
        return list(reversed(error.args[1]))
    return None


_NOT_NAMES = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool"}
_TYPE_KEYS = {"label", "children", "required-properties", "required-sections",
              "properties", "relations", "description"}
_PROPERTY_KEYS = {"type", "min", "max", "values", "description"}


class _Reader:
    """Turns composed YAML nodes into schema values, failing with the node's line."""

    def __init__(self, shown: str) -> None:
        self.shown = shown

    def fail(self, node: yaml.Node, message: str) -> None:
        raise KbcError(message, path=self.shown, line=node.start_mark.line + 1)

    def mapping(self, node: yaml.Node, allowed: set[str] | None = None) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, "expected a mapping (key: value lines)")
        result: dict[str, yaml.Node] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(self.scalar(key_node))
            if allowed is not None and key not in allowed:
                known = ", ".join(sorted(allowed))
                self.fail(key_node, f"unknown schema key '{key}' (known: {known})")
            if key in lines:  # YAML keeps the last; the first's rules would be lost
                self.fail(key_node, f"'{key}' is given twice (first at line {lines[key]})")
            lines[key] = key_node.start_mark.line + 1
            result[key] = value_node
        return result

    def scalar(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, "expected a single value")
        return str(node.value)

    def names(self, node: yaml.Node | None, *, single: bool = True) -> tuple[str, ...]:
        """A list of names (or, when ``single``, one name written alone)."""
        if node is None or _is_null(node):
            return ()
        if isinstance(node, yaml.ScalarNode) and single:
            return (node.value,) if node.value else ()
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, "expected a list")
        return tuple(self.scalar(item) for item in node.value)

    def keys(self, node: yaml.Node | None) -> tuple[str, ...]:
        """Property keys: names that are text, not a number or a boolean as YAML reads
        them (``required-properties: 7`` required a property "7" without a word)."""
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for item in items:
            if isinstance(item, yaml.ScalarNode) and item.tag in _NOT_NAMES:
                self.fail(item, f"expected a property name, got '{item.value}' "
                                "(quote it to mean the text)")
        return tuple(normalize_key(key) for key in self.names(node))

    def number(self, node: yaml.Node | None) -> float | None:
        if node is None:
            return None
        text = self.scalar(node)
        try:
            return float(text)
        except ValueError:
            self.fail(node, f"expected a number, got '{text}'")
        return None

    def property_rules(self, node: yaml.Node | None) -> tuple[PropertyRule, ...]:
        if node is None:
            return ()
        rules = []
        for key, value in self.mapping(node).items():
            fields = self.mapping(value, _PROPERTY_KEYS)
            kind = self.scalar(fields["type"]) if "type" in fields else "any"
            if kind not in PROPERTY_TYPES:
                self.fail(fields["type"], f"unknown property type '{kind}' "
                          f"(known: {', '.join(sorted(PROPERTY_TYPES))})")
            minimum, maximum = self.number(fields.get("min")), self.number(fields.get("max"))
            if minimum is not None and maximum is not None and minimum > maximum:
                self.fail(fields["min"], f"'{key}' has min {fields['min'].value} above max "
                          f"{fields['max'].value}: no value could pass")
            rules.append(PropertyRule(
                key=normalize_key(key), type=kind, minimum=minimum, maximum=maximum,
                values=self.names(fields.get("values"), single=False),
                line=value.start_mark.line + 1,
            ))
        return tuple(sorted(rules, key=lambda rule: rule.key))

    def type_rules(self, node: yaml.Node | None) -> tuple[TypeRule, ...]:
        if node is None:
            return ()
        declared = self.mapping(node)
        known = {page_id(name) for name in declared}
        types = []
        for name, value in declared.items():
            fields = self.mapping(value, _TYPE_KEYS) if not _is_null(value) else {}
            relations = tuple(
                (normalize_key(key), self.type_names(targets, known))
                for key, targets in self.mapping(fields["relations"]).items()
            ) if "relations" in fields else ()
            types.append(TypeRule(
                id=page_id(name),
                label=self.scalar(fields["label"]) if "label" in fields else name,
                children=self.type_names(fields.get("children"), known),
                required_properties=self.keys(fields.get("required-properties")),
                required_sections=self.names(fields.get("required-sections")),
                properties=self.property_rules(fields.get("properties")),
                relations=relations,
                line=value.start_mark.line + 1,
            ))
        return tuple(types)

    def type_names(self, node: yaml.Node | None, known: set[str]) -> tuple[str, ...]:
        """Types named by ``children`` or a relation: each one of ``types:``, or the
        schema would mean nothing (``children: 5`` named a type '5')."""
        ids = tuple(page_id(name) for name in self.names(node))
        for name in ids:
            if name not in known:
                assert node is not None
                self.fail(node, f"'{name}' is not a type of this schema (types: "
                                f"{', '.join(sorted(known))})")
        return ids

    def match_rules(self, node: yaml.Node | None, known: set[str]) -> tuple[MatchRule, ...]:
        """The rules typing pages by name, path or tag; a type they give must be one of
        ``types:`` when the schema declares any (its pages would go unchecked)."""
        if node is None:
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, "rules must be a list of {name|path|tag: ..., type: type-id}")
        rules = []
        for item in node.value:
            fields = self.mapping(item, {"name", "path", "tag", "type"})
            if "type" not in fields or not ({"name", "path", "tag"} & fields.keys()):
                self.fail(item, "a rule needs 'type' and one of 'name', 'path' or 'tag'")
            type_id = page_id(self.scalar(fields["type"]))
            if not type_id:
                self.fail(item, "a rule needs 'type' and one of 'name', 'path' or 'tag'")
            if known:
                self.type_names(fields["type"], known)
            rules.append(MatchRule(
                type=type_id,
                name=self.scalar(fields["name"]) if "name" in fields else None,
                path=self.scalar(fields["path"]) if "path" in fields else None,
                tag=page_id(self.scalar(fields["tag"]).lstrip("#")) if "tag" in fields else None,
                line=item.start_mark.line + 1,
            ))
        return tuple(rules)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")
