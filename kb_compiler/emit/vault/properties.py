"""Page properties across dialects: Logseq ``key:: value`` lines <-> YAML front matter.

Typed both ways, so a value keeps its type through a round trip:

- numbers, booleans and empty values map to themselves; a Logseq text that YAML would
  read as a number or a date is written plain (``4.5``, ``2024-01-15``), other text
  quoted when YAML needs it;
- a Logseq value that is only page references becomes a link (``"[[Page]]"``) or a
  list of links; a value of references mixed with text stays text, links rewritten;
- ``tags`` and ``alias`` (Obsidian ``aliases``) are lists of names; keys Logseq splits
  on commas (``:property/separated-by-commas``) are lists of names or links. Going to
  Logseq, every key that holds a YAML list somewhere is added to that setting, so its
  values come back as lists, unless one of its lists holds a number or a date: Logseq
  would make a page of each piece, so such a key's lists go over as text, their items
  quoted where Logseq would type them and a trailing comma marking the list (how kbc
  also writes a one-link list). An empty list is ``[]``, quoted (``"[]"``) for a split
  key, which would otherwise name a page ``[]``;
- Logseq quotes (``year:: "1000"``) protect text from being typed; they are dropped in
  YAML only where the YAML string already says the same (and put back on the way in).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from kb_compiler.config import ParseOptions
from kb_compiler.emit.vault.yamltext import Raw, YamlValue, flow, reads_as, scalar
from kb_compiler.model import Property, PropertyValue, Reference, normalize_key, page_id
from kb_compiler.parse.logseq_properties import HIDDEN_KEYS as LOGSEQ_HIDDEN_KEYS
from kb_compiler.parse.logseq_properties import (
    comma_spans,
    splits_on_commas,
    type_value,
    valid_property_key,
)
from kb_compiler.parse.text import mask_code
from kb_compiler.resolve.metamodel import METAMODEL_KEY

ALIAS_KEYS = frozenset({"alias", "aliases"})
TAG_KEYS = frozenset({"tags", "tag"})
BUILT_IN_LIST_KEYS = ALIAS_KEYS | TAG_KEYS
EMPTY_LIST = "[]"  # an empty YAML list in Logseq (an empty value is YAML's null)
# ... quoted for a key Logseq splits on commas, where a bare [] would name a page "[]"
QUOTED_EMPTY_LIST = f'"{EMPTY_LIST}"'
_SEPARATORS = re.compile(r"[\s,，]*")
_ONE_LINK = re.compile(r"\[\[(.*)\]\]")
_NUMBER_OR_DATE = re.compile(r"[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?|\d{4}-\d{2}-\d{2}")
_EMPTY_LINKS = re.compile(r"(?:[\s,，]|\[\[\s*\]\])*\[\[\s*\]\](?:[\s,，]|\[\[\s*\]\])*")
_BAD_KEY_CHAR = re.compile(r"[^\w.*+!?$%&=<>-]")


@dataclass(frozen=True, slots=True)
class Converted:
    """A reference of a property, as the target dialect writes it: ``text`` replaces
    its source text inside running text, ``name`` is the target page's name when it
    resolved (None: unresolved, the name stays as written)."""

    ref: Reference
    text: str
    name: str | None


# --- Logseq -> YAML --------------------------------------------------------------------


def logseq_to_yaml(prop: Property, refs: Sequence[Converted], comma_keys: frozenset[str],
                   options: ParseOptions, list_keys: frozenset[str] = frozenset()
                   ) -> tuple[str, YamlValue]:
    """One Logseq page property as a front matter entry (key, value).

    A value of references is a list when it holds several, ends with a comma (how kbc
    writes a one-item list, see ``yaml_to_logseq``), or its key is in ``list_keys``
    (keys that hold several references on some page), so that every page writes the
    key alike; a single reference is a link."""
    key = prop.key
    raw = prop.raw
    out_key = "aliases" if key in ALIAS_KEYS else prop.raw_key
    if raw == EMPTY_LIST or (raw == QUOTED_EMPTY_LIST and key in comma_keys):
        return out_key, []
    if key in ALIAS_KEYS:
        return out_key, [str(name) for name in prop.references]
    if key in TAG_KEYS:
        return out_key, [c.name or c.ref.target for c in refs]
    marked = raw.endswith((",", "，"))
    if key in comma_keys and not _EMPTY_LINKS.fullmatch(raw):
        pieces = comma_pieces(raw)
        if pieces and (len(pieces) > 1 or marked or "[[" not in pieces[0]):
            return out_key, [_piece_to_yaml(piece, refs) for piece in pieces]
    pieces = comma_pieces(raw) if marked and key not in comma_keys else []
    # One link and a comma is a one-item list of references (below); ``[[a]], "0",
    # [[a]],`` also starts and ends with a link, but is a list of three.
    if len(pieces) > 1 or (pieces and not _ONE_LINK.fullmatch(raw[:-1].strip())):
        return out_key, [_unsplit_piece(key, piece, refs, options) for piece in pieces]
    if refs and _only_references(raw, refs):
        links: list[YamlValue] = [c.text if c.ref.label else f"[[{c.name or c.ref.target}]]"
                                  for c in refs if c.ref.block_id is None]
        if links:
            return out_key, links if len(links) > 1 or marked or key in list_keys \
                else links[0]
    if refs:
        return out_key, replace_references(raw, refs)
    return out_key, _logseq_scalar(key, raw, prop.value, options)


def _piece_to_yaml(piece: str, refs: Sequence[Converted]) -> YamlValue:
    link = _ONE_LINK.fullmatch(piece)
    if link:
        found = next((c for c in refs if c.ref.raw == piece), None)
        return f"[[{found.name}]]" if found is not None and found.name else piece
    labelled = next((c for c in refs if c.ref.label and c.ref.raw == piece.strip()), None)
    return labelled.text if labelled is not None else piece  # [shown]([[X]]): [[X|shown]]


def _only_references(raw: str, refs: Sequence[Converted]) -> bool:
    rest = raw
    for c in refs:
        if c.ref.raw:
            rest = rest.replace(c.ref.raw, " ", 1)
    return bool(_SEPARATORS.fullmatch(rest))


def _unsplit_piece(key: str, piece: str, refs: Sequence[Converted],
                options: ParseOptions) -> YamlValue:
    """A piece of a list kept as text in Logseq (see ``_unsplit_item``), typed as Logseq
    types a value on its own."""
    if _ONE_LINK.fullmatch(piece):
        return _piece_to_yaml(piece, refs)
    value, _, _ = type_value(key, piece, piece, "", lambda at: (1, at + 1), options)
    return _logseq_scalar(key, piece, value, options)


def _logseq_scalar(key: str, raw: str, value: PropertyValue,
                   options: ParseOptions) -> YamlValue:
    if isinstance(value, int) and _LEADING_ZEROS.fullmatch(raw.strip()):
        return raw.strip()  # "01234": Logseq reads 1234, but the author wrote a code
    if isinstance(value, bool | int) or value is None:
        return value
    if not raw:
        return None
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        inner = raw[1:-1]
        if not inner or _needs_quotes(key, inner, options):
            return inner  # the quotes only protected the text: YAML's string says it
        return raw
    if _yaml_typed(raw):
        return Raw(raw)  # YAML reads it as this number or date, and so did the author
    return raw


def _yaml_typed(text: str) -> bool:
    """Whether YAML reads ``text`` written plain as a number or a date."""
    typed = reads_as(text)
    return isinstance(typed, int | float | dt.date) and not isinstance(typed, bool)


_LEADING_ZEROS = re.compile(r"0[0-9]+")
# A plain page name: nothing Logseq would split on, or read as a tag, link or quote.
_PLAIN_NAME = re.compile(r"[^,#\[\]\"]+")


def _needs_quotes(key: str, text: str, options: ParseOptions) -> bool:
    """Whether text must be quoted in Logseq to come back to YAML as the same text:
    when Logseq would type it (``1000``, ``true``) or read it as references only
    (``#x``, ``[[x]]``), or when it would go back as a YAML number or date (``0.5``);
    text mixing references and words comes back as it is written. Digits with leading
    zeros (``01234``) come back as written too (``logseq_to_yaml``), though Logseq reads
    a number in them."""
    if _LEADING_ZEROS.fullmatch(text):
        return False
    if _yaml_typed(text):
        return True
    masked = mask_code(text) if "`" in text else text
    value, _, found = type_value(key, text, masked, "", lambda at: (1, at + 1), options)
    if not found.references:
        return value != text
    pages = [ref for ref in found.references if ref.block_id is None]
    rest = text
    for ref in pages:
        rest = rest.replace(ref.raw, " ", 1)
    return bool(pages) and bool(_SEPARATORS.fullmatch(rest))


def comma_pieces(raw: str) -> list[str]:
    """The pieces of a comma-separated value, commas inside ``[[ ]]`` kept (split
    exactly as the Logseq parser splits it)."""
    pieces = (raw[start:end].strip() for start, end in comma_spans(raw))
    return [piece for piece in pieces if piece]


def replace_references(text: str, refs: Sequence[Converted]) -> str:
    """``text`` with each reference's source text replaced, in order; text inside
    code spans is left alone."""
    masked = mask_code(text) if "`" in text else text
    out: list[str] = []
    position = 0
    for c in refs:
        raw = c.ref.raw
        at = text.find(raw, position) if raw else -1
        while at >= 0 and masked[at:at + len(raw)] != raw:
            at = text.find(raw, at + 1)
        if at < 0:
            continue
        out.append(text[position:at])
        out.append(c.text)
        position = at + len(raw)
    out.append(text[position:])
    return "".join(out)


# --- YAML -> Logseq --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogseqLine:
    """A property line to write, and a warning when the value had to change."""

    key: str
    value: str
    warning: str | None = None

    def text(self) -> str:
        return f"{self.key}:: {self.value}".rstrip()


def yaml_to_logseq(prop: Property, refs: Sequence[Converted], options: ParseOptions,
                   page_name: str) -> LogseqLine:
    """One front matter entry as a Logseq property line."""
    key, value = prop.key, prop.value
    out_key, warning = logseq_key(prop.raw_key)
    if key in ALIAS_KEYS:
        return LogseqLine("alias", _join(_names(value)), warning)
    if key == "title" and isinstance(value, str) and page_id(value) != page_id(page_name):
        out_key = "obsidian-title"  # Logseq would rename the page after its title
    if key in TAG_KEYS:  # Obsidian's deprecated "tag" too: Logseq reads only "tags"
        names = [_tag_name(item, refs) for item in _names(value)]
        return LogseqLine("tags", _join(names), warning)
    if isinstance(value, tuple):
        if not value:
            empty = QUOTED_EMPTY_LIST if splits_on_commas(key, options) else EMPTY_LIST
            return LogseqLine(out_key, empty, warning)
        if any(isinstance(item, tuple) for item in value):
            return LogseqLine(out_key, _nested(prop), warning)
        if splits_on_commas(key, options):
            items = [_item_text(item, refs) for item in value if item is not None]
            one_link = len(items) == 1 and _ONE_LINK.fullmatch(items[0])
            return LogseqLine(out_key, ", ".join(items) + ("," if one_link else ""), warning)
        items = [_unsplit_item(key, item, refs, options) for item in value if item is not None]
        listed = len(items) == 1 or not all(map(_ONE_LINK.fullmatch, items))
        return LogseqLine(out_key, ", ".join(items) + ("," if listed else ""), warning)
    text, problem = _scalar_text(key, prop, value, refs, options)
    return LogseqLine(out_key, text, warning or problem)


def logseq_key(raw_key: str) -> tuple[str, str | None]:
    """A front matter key Logseq can hold (invalid characters become ``-``)."""
    if valid_property_key(raw_key):
        return raw_key, None
    fixed = _BAD_KEY_CHAR.sub("-", raw_key.strip()) or "property"
    if not valid_property_key(fixed):
        fixed = "p-" + fixed.lstrip("#/-+.")
    return fixed, f"property '{raw_key}' is not a valid Logseq key; written as '{fixed}'"


def _names(value: PropertyValue) -> list[str]:
    if value is None:
        return []
    if isinstance(value, tuple):
        return [str(item).strip().lstrip("#") for item in value
                if item is not None and str(item).strip()]
    return [part.strip().lstrip("#") for part in str(value).split(",") if part.strip()]


def _tag_name(item: str, refs: Sequence[Converted]) -> str:
    found = next((c for c in refs if c.ref.target == item and c.name), None)
    return found.name if found is not None and found.name else item


def _join(items: Sequence[str]) -> str:
    return ", ".join(item if _bare_piece(item) else f"[[{item}]]" for item in items)


def _bare_piece(item: str) -> bool:
    return bool(item) and not any(mark in item for mark in (",", "，", "[[", "]]")) \
        and item == item.strip()


def _item_text(item: PropertyValue, refs: Sequence[Converted]) -> str:
    """A list item as a comma-separated piece: links rewritten, text bare when it
    cannot be misread (else in brackets, which makes it a page reference)."""
    if isinstance(item, str):
        if "[[" in item:
            return replace_references(item, refs)
        return _join([item])
    assert not isinstance(item, tuple)  # a list holding lists goes over as YAML (_nested)
    return scalar(item)


def _unsplit_item(key: str, item: PropertyValue, refs: Sequence[Converted],
               options: ParseOptions) -> str:
    """An item of a list Logseq keeps as text (its key is not split on commas): quoted
    where Logseq would type it otherwise, so that it comes back as it went."""
    if isinstance(item, str) and "[[" not in item and _needs_quotes(key, item, options):
        return f'"{item}"'
    return _item_text(item, refs)


def _nested(prop: Property) -> str:
    try:
        return flow(yaml.safe_load(prop.raw))
    except yaml.YAMLError:
        return " ".join(prop.raw.split())


def _scalar_text(key: str, prop: Property, value: str | int | float | bool | None,
                 refs: Sequence[Converted], options: ParseOptions) -> tuple[str, str | None]:
    """``prop``'s value as Logseq text; ``value`` is ``prop.value``, not a list (lists
    are written by ``yaml_to_logseq``)."""
    if value is None:
        return "", None
    if isinstance(value, bool):
        return ("true" if value else "false"), None
    raw = prop.raw.strip()
    plain = bool(raw) and "\n" not in raw and raw[0] not in "\"'"
    if not isinstance(value, str) or (plain and _yaml_typed(raw)):  # a number or a date
        return (raw if plain else scalar(value)), None
    if refs:
        return replace_references(value, refs).replace("\n", " "), None
    if _EMPTY_LINKS.fullmatch(value):
        return value, None  # relations:: [[]] - an empty list of references
    text, problem = value, None
    if "\n" in text:
        text = " ".join(text.split("\n"))
        problem = f"property '{prop.raw_key}' spans lines; Logseq values are one line"
    if key == METAMODEL_KEY and _PLAIN_NAME.fullmatch(text):
        return text, problem  # a type's name: Logseq and kbc read it as the page it names
    if not text or _needs_quotes(key, text, options):
        return f'"{text}"', problem
    return text, problem


# --- YAML -> YAML (Obsidian normalized) ------------------------------------------------


def yaml_to_yaml(prop: Property, refs: Sequence[Converted]) -> tuple[str, YamlValue]:
    """One front matter entry written again, links rewritten, types kept."""
    value = prop.value
    raw = prop.raw.strip()
    if isinstance(value, tuple):
        if any(isinstance(item, tuple) for item in value):
            return prop.raw_key, Raw(_nested(prop))
        return prop.raw_key, [_yaml_item(item, refs) for item in value]
    if isinstance(value, str):
        if refs and "[[" in value:
            return prop.raw_key, replace_references(value, refs)
        if raw and "\n" not in raw and raw[0] not in "\"'" and not isinstance(
                reads_as(raw), str | list | dict) and reads_as(raw) is not None:
            return prop.raw_key, Raw(raw)  # a date YAML typed: keep it a date
        return prop.raw_key, value
    if isinstance(value, bool | int | float) and raw and "\n" not in raw \
            and raw[0] not in "\"'":
        # as written: PyYAML reads YAML 1.1 ("yes" a boolean, "010" octal 8), Obsidian 1.2
        return prop.raw_key, Raw(raw)
    return prop.raw_key, value


def _yaml_item(item: PropertyValue, refs: Sequence[Converted]) -> YamlValue:
    if isinstance(item, str) and "[[" in item:
        return replace_references(item, refs)
    if isinstance(item, tuple):
        return Raw(flow(list(item)))
    return item


def multi_reference_keys(properties: Sequence[Property]) -> set[str]:
    """Logseq keys whose value is two or more page references somewhere, unless some
    value of the key marks its lists itself (a trailing comma: written by kbc)."""
    several = {p.key for p in properties if len(p.references) > 1}
    marked = {p.key for p in properties if p.raw.endswith((",", "，"))}
    return several - marked


def list_keys(properties: Sequence[Property]) -> set[str]:
    """Keys holding a YAML list with an item that is not a link (other than tags and
    aliases): Logseq must split their values on commas
    (``:property/separated-by-commas``) for the items to come back as a list. Not a key
    that lists a number or a date somewhere (``coordinates: ["35.02", "135.75"]``):
    Logseq makes a page of every piece it splits off, so such a list goes over as text.
    Nor a mapping or a list holding lists, which goes over as one line of YAML."""
    lists = [(p, p.value) for p in properties if isinstance(p.value, tuple)
             and p.key not in BUILT_IN_LIST_KEYS and valid_property_key(p.raw_key)
             and not any(isinstance(item, tuple) for item in p.value)]  # nested: YAML text
    split = {normalize_key(p.raw_key) for p, items in lists
             if any(not (isinstance(item, str) and _ONE_LINK.fullmatch(item.strip()))
                    for item in items)}
    counted = {normalize_key(p.raw_key) for p, items in lists
               if any(map(_no_page_name, items))}
    return split - counted


def _no_page_name(item: PropertyValue) -> bool:
    """A list item no one means as a page: a number or a date, typed or quoted."""
    if isinstance(item, bool | int | float | dt.date):
        return True
    return isinstance(item, str) and bool(_NUMBER_OR_DATE.fullmatch(item.strip()))


# --- block properties Logseq never shows ------------------------------------------------

_COMMENTED_PROPERTY = re.compile(r"%% (([^\s:]+)::.*) %%")
_PROPERTY_START = re.compile(r"[^\s:]+::")


def hidden_property_line(line: str, key: str) -> str:
    """Logseq -> Obsidian: a block property line Logseq never shows (``collapsed``,
    timestamps...) inside an Obsidian comment, hidden there too; other lines as they
    are. ``shown_property_lines`` reverses it."""
    if key not in LOGSEQ_HIDDEN_KEYS or "%%" in line:
        return line
    return f"%% {line} %%"


def shown_property_lines(texts: list[str]) -> list[str]:
    """Obsidian -> Logseq: the commented hidden properties on a list item's first line
    and among the property lines right after it, as property lines again."""
    out = list(texts)
    for index in range(len(out)):
        found = _COMMENTED_PROPERTY.fullmatch(out[index])
        if found and normalize_key(found.group(2)) in LOGSEQ_HIDDEN_KEYS:
            out[index] = found.group(1)
        elif index and not _PROPERTY_START.match(out[index]):
            break  # the property lines end here
    return out
