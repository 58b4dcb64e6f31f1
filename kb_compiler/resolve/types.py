"""The values the resolve stage hands to check and the emitters.

All frozen dataclasses of plain data, like the parse model: a resolved reference says
where one ``Reference`` lands, an ``Inclusion`` says what one embed or block ref shows,
and ``PageScore`` carries a page's key-weight arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb_compiler.model import Reference


@dataclass(frozen=True, slots=True)
class Target:
    """Where one reference lands.

    ``page`` is the page id of the target page (None when the reference points at an
    asset, an external place, or nothing); ``block`` indexes that page's ``blocks`` for
    heading, ``^id`` and ``((uuid))`` targets. ``exists`` is False when the page, block
    or asset is missing. ``node`` is the graph node the reference's edge goes to (the
    page id, also for a missing page, or ``asset:<path>``; None when no edge is drawn);
    ``implied`` marks a Logseq namespace parent that has no file (missing, not broken).
    ``name`` is the target page's
    own name when it resolved, else the name as written. ``suggestion`` is a near-miss
    page name for an unresolved target; ``candidates`` lists page ids when the name was
    ambiguous; ``escapes`` marks a path that leaves the vault.
    """

    page: str | None
    block: int | None
    asset: str | None
    exists: bool
    name: str
    suggestion: str | None = None
    candidates: tuple[str, ...] = ()
    escapes: bool = False
    node: str | None = None
    implied: bool = False


def target_id(target: Target) -> str | None:
    """The page id a target names, also when that page has no file (None for an asset
    or nothing)."""
    if target.page:
        return target.page
    if target.asset is None and target.node and not target.node.startswith("asset:"):
        return target.node
    return None


@dataclass(frozen=True, slots=True)
class ResolvedRef:
    """One reference of one page, with where it lands."""

    source: str  # page id of the page the reference is written in
    ref: Reference
    target: Target


@dataclass(frozen=True, slots=True)
class Inclusion:
    """What one embed or block ref shows, one level deep.

    ``blocks`` are root block indices of ``page`` (their descendants come along); a
    whole-page embed lists the page's top-level blocks.
    """

    source: ResolvedRef
    page: str | None
    blocks: tuple[int, ...]
    exists: bool


@dataclass(frozen=True, slots=True)
class KeyScore:
    """One key block: ``key-weight::`` (importance) and ``value::`` (assessment)."""

    label: str
    key_weight: int
    value: int
    line: int
    block: int


@dataclass(frozen=True, slots=True)
class PageScore:
    """A page's key-weight score and its roll-up over its metamodel children."""

    page: str
    weight: int | None
    score: float | None
    rollup: float | None
    keys: tuple[KeyScore, ...]
    children: tuple[str, ...]
