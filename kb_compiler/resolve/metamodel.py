"""Page types, roll-up children, and the schema checks (``invalid-property``,
``schema-violation``), with the check every vault gets of page dates."""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from kb_compiler.model import Diagnostic, Page, Property, Reference, Severity, page_id
from kb_compiler.resolve.blocks import heading_key, heading_level
from kb_compiler.resolve.dates import DATE_KEYS, date_text, impossible_date
from kb_compiler.resolve.schema import PropertyRule, Schema, first_cycle
from kb_compiler.resolve.types import ResolvedRef

METAMODEL_KEY = "metamodel-id"
# Rules every vault gets: the score arithmetic depends on them (schema rules override).
DEFAULT_RULES = {
    "weight": PropertyRule("weight", "integer", 0, 100),
    "key-weight": PropertyRule("key-weight", "integer", 0, 100),
    "value": PropertyRule("value", "integer", 0, 100),
}
_BRACKETS = re.compile(r"^\s*\[\[(.*)\]\]\s*$")
# ``relations:: [[]]``, a template's placeholder, names no page: a required property
# holding only such links is missing (the link itself is an ``empty-link``).
_EMPTY_LINKS = re.compile(r"\[\[\s*\]\]")


def type_by_rule(schema: Schema, name: str, path: str | None,
                 tags: Iterable[str] = ()) -> str | None:
    """The type the schema's first matching rule gives a page (name, path, tags)."""
    folded = name.casefold()
    tag_ids = {page_id(tag.lstrip("#")) for tag in tags}
    for rule in schema.rules:
        if rule.tag and rule.tag in tag_ids:
            return rule.type
        if rule.name and fnmatch.fnmatchcase(folded, rule.name.casefold()):
            return rule.type
        if rule.path and path and fnmatch.fnmatchcase(path.lower(), rule.path.lower()):
            return rule.type
    return None


def assign_types(
    pages: Mapping[str, Page], refs_by_page: Mapping[str, list[ResolvedRef]], schema: Schema
) -> tuple[dict[str, str], set[str]]:
    """Each page's type, and the set of pages typed by their own ``metamodel-id``."""
    types: dict[str, str] = {}
    declared: set[str] = set()
    for key, page in pages.items():
        named = _metamodel_target(page, refs_by_page.get(key, []))
        if named:
            types[key] = named
            declared.add(key)
            continue
        by_rule = type_by_rule(schema, page.name, page.path, page.tags)
        if by_rule:
            types[key] = by_rule
    return types, declared


def names_the_type(page: Page, ref: Reference) -> bool:
    """Whether ``ref`` is written in the page's own ``metamodel-id`` (the last one, when
    the key is written twice), not in a block's."""
    if ref.property != METAMODEL_KEY or not ref.target.strip():
        return False
    found = page.property(METAMODEL_KEY)
    return found is not None and ref.line >= found.line and ref.target in found.raw


def _metamodel_target(page: Page, refs: list[ResolvedRef]) -> str | None:
    """The type the page's own ``metamodel-id`` names. A block's ``metamodel-id::`` (a
    block property, as a block's ``weight::`` is) types no page: it retyped the page it
    stood in, changing its schema checks and roll-ups."""
    found = page.property(METAMODEL_KEY)  # of a key written twice, the last
    if found is None:
        return None
    for resolved in refs:
        if names_the_type(page, resolved.ref):
            return resolved.target.page or page_id(resolved.target.name)
    if isinstance(found.value, str) and found.value.strip():
        match = _BRACKETS.match(found.value)
        return page_id(match.group(1) if match else found.value) or None
    return None


def rollup_children(
    pages: Mapping[str, Page],
    namespace_children: Mapping[str, tuple[str, ...]],
    types: Mapping[str, str],
    schema: Schema,
) -> dict[str, tuple[str, ...]]:
    """Metamodel children (see ``scores``): namespace children that are pages with a
    type or a weight, plus the schema's child types for a type's own page."""
    result: dict[str, tuple[str, ...]] = {}
    for key in pages:
        found = {
            child for child in namespace_children.get(key, ())
            if child in pages
            and (child in types or pages[child].property("weight") is not None)
        }
        declared = schema.type(types[key]) if types.get(key) == key else None
        if declared is not None:
            found.update(child for child in declared.children if child in pages)
        found.discard(key)
        if found:
            result[key] = tuple(sorted(found))
    return result


def rollup_cycle(pages: Mapping[str, Page],
                 children: Mapping[str, tuple[str, ...]]) -> list[Diagnostic]:
    """A roll-up that leads back to a page (namespace children and a schema's child
    types together can: the schema alone may not), reported once at the cycle's first
    page: where the scores cut it depends on the pages' names."""
    found = first_cycle(children)
    if found is None:
        return []
    start = min(range(len(found) - 1), key=lambda at: found[at])  # the same whatever
    cycle = found[start:-1] + found[:start + 1]  # node the sorter met first
    page = pages[cycle[0]]
    shown = " -> ".join(pages[key].name if key in pages else key for key in cycle)
    prop = page.property(METAMODEL_KEY)
    return [Diagnostic(
        "schema-violation", Severity.ERROR, page.path, prop.line if prop else 1, 1,
        f"the roll-up leads back to this page ({shown}), through namespace and schema "
        "children; a page cannot count within itself", target=page.name)]


def check_pages(
    pages: Iterable[Page],
    types: Mapping[str, str],
    declared: set[str],
    refs_by_page: Mapping[str, list[ResolvedRef]],
    schema: Schema,
) -> list[Diagnostic]:
    """Property values against their rules, key blocks, and each typed page against its
    type's required properties, sections and allowed relation targets."""
    found: list[Diagnostic] = []
    for page in pages:
        page_type = types.get(page.id)
        for prop in page.properties:
            found.extend(_check_property(page, prop, schema, page_type))
            found.extend(_check_date(page, prop))
        for block in page.blocks:
            if block.properties:
                for prop in block.properties:
                    found.extend(_check_property(page, prop, schema, page_type))
                found.extend(_check_key_block(page, block.properties, block.line))
        if page_type is None or schema.is_empty:
            continue
        rule = schema.type(page_type)
        if rule is None:
            if schema.types and page.id in declared:
                found.append(_unknown_type(page, page_type, schema))
            continue
        found.extend(_check_required(page, rule.id, rule.required_properties,
                                     rule.required_sections))
        found.extend(_check_relations(page, rule.id, rule.relations,
                                      refs_by_page.get(page.id, []), types, schema))
    return found


def _unknown_type(page: Page, page_type: str, schema: Schema) -> Diagnostic:
    """At the metamodel-id's value, with the schema's nearest type as the suggestion."""
    prop = page.property(METAMODEL_KEY)
    column, end_column = _value_columns(page, prop) if prop is not None else (1, None)
    near = difflib.get_close_matches(page_type, sorted(rule.id for rule in schema.types),
                                     n=1, cutoff=0.6)
    return Diagnostic("schema-violation", Severity.ERROR, page.path,
                      prop.line if prop is not None else 1, column,
                      f"metamodel-id names '{page_type}', which is not a type in the schema "
                      f"({schema.path})", target=page.name, end_column=end_column,
                      suggestion=near[0] if near else None)


def broken_rule(prop: Property, schema: Schema, page_type: str | None) -> str | None:
    """Why the property breaks a rule that applies to it on a page of ``page_type``, or
    None when it breaks none (or is empty). The scores count only values that pass."""
    # weight::, key-weight:: and value:: are scored as integers from 0 to 100 whatever a
    # schema says: it may narrow that range, never widen it
    rules = [rule for rule in (DEFAULT_RULES.get(prop.key),
                               schema.property_rule(prop.key, page_type)) if rule is not None]
    if not rules or not prop.raw.strip():
        return None
    return next((found for rule in rules if (found := property_problem(rule, prop))), None)


def _check_property(page: Page, prop: Property, schema: Schema,
                    page_type: str | None) -> list[Diagnostic]:
    problem = broken_rule(prop, schema, page_type)
    if problem is None:
        return []
    column, end_column = _value_columns(page, prop)
    return [Diagnostic("invalid-property", Severity.ERROR, page.path, prop.line, column,
                       f"property '{prop.key}' {problem}, got '{prop.raw.strip()}'",
                       target=prop.key, end_column=end_column)]


def _check_date(page: Page, prop: Property) -> list[Diagnostic]:
    """A page date property (``created``, ``updated``...) whose value looks like an ISO
    date but names no real day or time: the site leaves the page undated (its feed and
    sitemap would have carried ``2024-02-30`` as written)."""
    if prop.key not in DATE_KEYS or (written := impossible_date(date_text(prop))) is None:
        return []
    column, end_column = _value_columns(page, prop)
    return [Diagnostic("invalid-property", Severity.WARNING, page.path, prop.line, column,
                       f"property '{prop.key}' names no real date, got '{written}'; the "
                       "site does not date the page by it", target=prop.key,
                       end_column=end_column)]


def _value_columns(page: Page, prop: Property) -> tuple[int, int | None]:
    """Where the value stands on the property's line, 1-based, end exclusive, so the
    caret goes under ``high`` in ``weight:: high``; ``(1, None)`` (the line) when the
    line does not hold it as written (a YAML list over several lines)."""
    value = prop.raw.strip()
    lines = page.text.split("\n")
    if not value or "\n" in value or not 0 < prop.line <= len(lines):
        return 1, None
    line = lines[prop.line - 1]
    key_end = line.find(prop.raw_key) + len(prop.raw_key) if prop.raw_key in line else 0
    at = line.find(value, key_end)
    return (at + 1, at + 1 + len(value)) if at >= 0 else (1, None)


def property_problem(rule: PropertyRule, prop: Property) -> str | None:
    """Why the property breaks its rule, or None when it follows it."""
    value = prop.value
    if rule.type in ("integer", "number"):
        value = numeric(value, integer=rule.type == "integer")
    if rule.type == "integer" and value is None:
        return f"must be an integer{_range_text(rule)}"
    if rule.type == "number" and value is None:
        return f"must be a number{_range_text(rule)}"
    if rule.type == "boolean" and not isinstance(value, bool):
        return "must be true or false"
    if rule.type == "page" and len(prop.references) != 1 and "[[]]" not in prop.raw:
        return "must name exactly one page"
    if rule.type == "pages" and not prop.references and "[[" not in prop.raw:
        return "must name one or more pages"
    if rule.type in ("integer", "number") and not _within(rule, value):
        return f"must be a{'n integer' if rule.type == 'integer' else ' number'}" + \
            _range_text(rule)
    if rule.values and str(value).casefold() not in {v.casefold() for v in rule.values}:
        return f"must be one of {', '.join(rule.values)}"
    return None


_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def numeric(value: object, *, integer: bool) -> int | float | None:
    """The number a value holds: typed so by its reader (YAML, Logseq's digits), or text
    written as one (Logseq leaves ``0.5``, ``-5`` and ``+30`` text, FORMATS.md 1.5; YAML
    ``"40"`` is text too); None else. The check and the scores both read numbers so."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, float) and not integer):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if integer:
        return int(text) if _INTEGER.fullmatch(text) else None
    return float(text) if _NUMBER.fullmatch(text) else None


def _within(rule: PropertyRule, value: object) -> bool:
    number = float(value)  # type: ignore[arg-type]
    return not ((rule.minimum is not None and number < rule.minimum)
                or (rule.maximum is not None and number > rule.maximum))


def _range_text(rule: PropertyRule) -> str:
    def show(number: float) -> str:
        return str(int(number)) if float(number).is_integer() else str(number)

    if rule.minimum is not None and rule.maximum is not None:
        return f" from {show(rule.minimum)} to {show(rule.maximum)}"
    if rule.minimum is not None:
        return f" of at least {show(rule.minimum)}"
    if rule.maximum is not None:
        return f" of at most {show(rule.maximum)}"
    return ""


def _check_key_block(page: Page, props: tuple[Property, ...], line: int) -> list[Diagnostic]:
    keys = {p.key: p for p in props}
    has_weight, has_value = "key-weight" in keys, "value" in keys
    if has_weight == has_value:
        return []
    present, absent = ("key-weight", "value") if has_weight else ("value", "key-weight")
    return [Diagnostic("invalid-property", Severity.WARNING, page.path, keys[present].line, 1,
                       f"key block has '{present}::' but no '{absent}::'; it is not scored",
                       target=absent)]


def _check_required(page: Page, type_id: str, properties: tuple[str, ...],
                    sections: tuple[str, ...]) -> list[Diagnostic]:
    found = []
    for key in properties:
        prop = page.property(key)
        if prop is None or not _EMPTY_LINKS.sub("", prop.raw).strip(" \t,"):
            found.append(_violation(page, prop.line if prop else 1,
                                    f"page of type '{type_id}' needs property '{key}'"))
    if not sections:
        return found
    headings: dict[str, int] = {}
    for block in page.blocks:
        if heading_level(block) is not None:
            headings.setdefault(heading_key(block.content), block.line)
    for section in sections:
        wanted = heading_key(section)
        if wanted in headings:
            continue
        near = difflib.get_close_matches(wanted, sorted(headings), n=1, cutoff=0.75)
        message = f"page of type '{type_id}' needs a section '{section}'"
        if not near:
            found.append(_violation(page, 1, message))
            continue
        # at the heading that looks meant for it, which the suggestion renames
        found.append(replace(_violation(page, headings[near[0]], message),
                             suggestion=section))
    return found


def _check_relations(page: Page, type_id: str,
                     relations: tuple[tuple[str, tuple[str, ...]], ...],
                     refs: list[ResolvedRef], types: Mapping[str, str],
                     schema: Schema) -> list[Diagnostic]:
    allowed = dict(relations)
    found = []
    for resolved in refs:
        key = resolved.ref.property
        if key not in allowed or resolved.target.page is None:
            continue
        target_type = types.get(resolved.target.page)
        if target_type in allowed[key]:
            continue
        if target_type is not None and schema.type(target_type) is None:
            continue  # the target's metamodel-id is wrong, reported there, not here
        shown = f"of type '{target_type}'" if target_type else "without a type"
        found.append(Diagnostic(
            "schema-violation", Severity.ERROR, page.path, resolved.ref.line,
            resolved.ref.column,
            f"'{key}' points to '{resolved.target.name}' {shown}; type '{type_id}' allows "
            f"{', '.join(allowed[key]) or 'no pages'} there",
            target=resolved.target.name,
        ))
    return found


def _violation(page: Page, line: int, message: str) -> Diagnostic:
    return Diagnostic("schema-violation", Severity.ERROR, page.path, line, 1 if line else 0,
                      message, target=page.name)


__all__ = ["DEFAULT_RULES", "assign_types", "check_pages", "numeric", "rollup_children",
           "rollup_cycle", "type_by_rule"]
