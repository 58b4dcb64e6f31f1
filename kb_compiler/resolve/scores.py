"""Key weights, page scores and roll-ups.

- A **key** is a block carrying both ``key-weight::`` (its importance, integer 0..100)
  and ``value::`` (the assessment, integer 0..100), like the seeds' ``#key`` blocks.
  A key whose numbers are missing, not integers or out of range is left out (the
  schema check reports it as ``invalid-property``).
- A page's **score** is the key-weighted mean of its keys' values::

      score(P) = sum(key_weight_k * value_k) / sum(key_weight_k)

  e.g. (75*50 + 60*50) / (75 + 60) = 50. A page without keys, or whose keys all weigh 0,
  has no score (null).
- A page's **children** for the roll-up are its metamodel children: its direct
  namespace children (``profile-(id)/persona`` under ``profile-(id)``) that are pages
  of their own with a type or a ``weight::`` property, plus, when the page is the page of a
  schema type, the pages of the child types the schema lists for it.
- The **roll-up** combines the page's own score, counted with weight 100, with each
  child's roll-up, weighted by that child's ``weight::`` (integer 0..100)::

      rollup(P) = (100 * score(P) + sum(w_c * rollup(c))) / (100 + sum(w_c))

  Terms that are null are left out together with their weight: a page without keys
  rolls up its children only; a child without a roll-up (no keys, no scored children)
  or without a valid ``weight::`` (missing, ``high``, 150) is listed but not counted.
  With no terms left (or only zero weights) the roll-up is null. Both numbers therefore stay
  within 0..100. Cycles (possible only through namespace and schema children together;
  the check reports them, ``metamodel.rollup_cycle``) are cut where they close.
- A value the check rejects is never counted: besides the 0..100 integer rule above, a
  schema may narrow the range (``weight: {max: 50}``), and ``compute_scores`` is told
  which properties pass (``counted``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Mapping

from kb_compiler.model import Block, Page, Property, last_property
from kb_compiler.resolve.metamodel import numeric
from kb_compiler.resolve.types import KeyScore, PageScore

OWN_WEIGHT = 100
SCORE_RANGE = (0, 100)

_MD_LINK = re.compile(r"(?<!!)\[([^\[\]]+)\]\((?:[^()]|\([^()]*\))*\)")
_NOISE = re.compile(r"\{\{.*?\}\}|\[:[^\]]*\]|#\[\[[^\]]*\]\]|#\S+|\[\[|\]\]|\s>\s")
# The seeds' key line opens with where the block sits, after a tag (``#block
# [[profile-(id)]] >``), and the key's weight as a badge after its tag (``#key 💰75``):
# neither is the key's name.
_BREADCRUMB = re.compile(r"^\s*(?:#\S+\s+)+\[\[[^\]]*\]\]\s*>\s")
_WEIGHT_BADGE = re.compile(r"(#\S+\s+)💰\d+(?:\.\d+)?(?=\s|$)")
Counted = Callable[[Page, Property], bool]  # whether a property's value passes the check


def scored_number(value: object) -> int | None:
    """The integer within 0..100 a value holds, read as the check reads it (``+30``
    and YAML's ``"40"`` are 30 and 40: what the check accepts is counted); None else."""
    number = numeric(value, integer=True)
    low, high = SCORE_RANGE
    return number if isinstance(number, int) and low <= number <= high else None


def key_label(block: Block) -> str:
    """A key's label: the first Markdown link's text (the seeds write
    ``[Customer Understanding](https://...)``), else the block text without tags,
    macros, brackets, the breadcrumb and the weight badge."""
    match = _MD_LINK.search(block.content)
    if match:
        return match.group(1).strip()
    first_line = _BREADCRUMB.sub("", block.content.split("\n", 1)[0])
    text = _NOISE.sub(" ", _WEIGHT_BADGE.sub(r"\1", first_line))
    return " ".join(text.split())


def page_keys(page: Page, counted: Counted) -> tuple[KeyScore, ...]:
    keys = []
    for block in page.blocks:
        weight = _number(page, last_property(block.properties, "key-weight"), counted)
        value = _number(page, last_property(block.properties, "value"), counted)
        if weight is not None and value is not None:
            keys.append(KeyScore(key_label(block), weight, value, block.line, block.index))
    return tuple(keys)


def page_weight(page: Page, counted: Counted) -> int | None:
    return _number(page, page.property("weight"), counted)


def _number(page: Page, found: Property | None, counted: Counted) -> int | None:
    if found is None or not counted(page, found):
        return None
    return scored_number(found.value)


def weighted_mean(keys: tuple[KeyScore, ...]) -> float | None:
    total = sum(key.key_weight for key in keys)
    if total == 0:
        return None
    return sum(key.key_weight * key.value for key in keys) / total


def compute_scores(
    pages: Mapping[str, Page], children: Mapping[str, tuple[str, ...]],
    counted: Counted = lambda page, prop: True,
) -> dict[str, PageScore]:
    """A ``PageScore`` for every page in ``pages``, roll-ups computed children first
    with an explicit stack (deep namespaces must not hit the recursion limit). Only the
    weights and values ``counted`` accepts (besides the 0..100 rule) take part."""
    own: dict[str, tuple[tuple[KeyScore, ...], float | None, int | None]] = {}
    for key, page in pages.items():
        keys = page_keys(page, counted)
        own[key] = (keys, weighted_mean(keys), page_weight(page, counted))
    rollups: dict[str, float | None] = {}
    for root in sorted(pages):
        _roll_up(root, own, children, rollups)
    return {
        key: PageScore(key, own[key][2], own[key][1], rollups[key], own[key][0],
                       children.get(key, ()))
        for key in sorted(pages)
    }


def rollups_within(scores: Mapping[str, PageScore],
                   kept: Container[str]) -> dict[str, float | None]:
    """The roll-ups again, over the pages in ``kept`` only: a site leaves private pages
    out, and must not publish their scores through their parents' roll-ups."""
    own = {key: (score.keys, score.score, score.weight)
           for key, score in scores.items() if key in kept}
    children = {key: tuple(child for child in scores[key].children if child in own)
                for key in own}
    rollups: dict[str, float | None] = {}
    for root in sorted(own):
        _roll_up(root, own, children, rollups)
    return rollups


def _roll_up(root: str, own: Mapping[str, tuple[tuple[KeyScore, ...], float | None, int | None]],
             children: Mapping[str, tuple[str, ...]], rollups: dict[str, float | None]) -> None:
    # ``path``: the pages being expanded, each an ancestor of the next. A child that is
    # one closes a cycle, cut there; a child merely waiting on the stack (a sibling's
    # child too) is no ancestor, and is expanded where it is first reached.
    path: set[str] = set()
    stack: list[tuple[str, bool]] = [(root, False)]
    while stack:
        page, expanded = stack.pop()
        if expanded:
            path.discard(page)
            rollups[page] = _combine(page, own, children, rollups)
            continue
        if page in rollups or page in path:
            continue
        path.add(page)
        stack.append((page, True))
        for child in children.get(page, ()):
            if child in own and child not in rollups and child not in path:
                stack.append((child, False))


def _combine(page: str, own: Mapping[str, tuple[tuple[KeyScore, ...], float | None, int | None]],
             children: Mapping[str, tuple[str, ...]],
             rollups: Mapping[str, float | None]) -> float | None:
    score = own[page][1]
    # A child counts with a roll-up (None: no score, or a cycle cut here) and a valid
    # weight:: to weigh it with.
    parts = [(weight, rollup) for child in children.get(page, ()) if child in own
             and (weight := own[child][2]) is not None
             and (rollup := rollups.get(child)) is not None]
    if not parts:
        return score  # itself: 100 * score / 100 may differ from it in the last digit
    total_weight = sum(weight for weight, _ in parts) + (OWN_WEIGHT if score is not None else 0)
    total = sum(weight * rollup for weight, rollup in parts) + \
        (OWN_WEIGHT * score if score is not None else 0.0)
    if total_weight == 0:
        return None
    low, high = SCORE_RANGE
    return min(max(total / total_weight, low), high)  # guard against float rounding
