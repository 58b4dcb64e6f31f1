"""A synthetic vault generator for tests and benchmarks.

``generate(root, pages=60, dialect="logseq", seed=0)`` writes a deterministic vault of
either dialect: a Logseq graph (``logseq/config.edn``, ``pages/``, ``journals/``,
``assets/``) or an Obsidian vault (``.obsidian/``, folders, ``attachments/``). Pages carry
what real vaults carry, at a realistic density: typed page properties checked by a
metamodel schema (``kbc-schema.yaml``), relations, aliases, tags, namespaces, links with
labels, heading links, page and block embeds, block refs and image embeds. A generated
vault without faults has no problem at all.

``inject(vault, kinds)`` then writes one fault of each kind at a known file and line and
returns the diagnostics ``kbc check`` must report, as ``Expected(path, line, code)``.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from tests.vaultgen_faults import FAULT_KINDS, Expected, inject

__all__ = ["FAULT_KINDS", "Expected", "GeneratedPage", "GeneratedVault", "generate", "inject"]

WORDS = (
    "customer", "journey", "signal", "model", "review", "market", "metric", "insight",
    "budget", "roadmap", "team", "process", "risk", "value", "outcome", "feedback",
    "release", "design", "story", "theme", "context", "pattern", "decision", "option",
    "interview", "survey", "channel", "partner", "pricing", "segment", "goal", "emotion",
    "persona", "trust", "habit", "problem", "solution", "evidence",
)
ADJECTIVES = ("quiet", "bright", "rapid", "lean", "open", "steady", "clear", "bold", "calm",
              "deep")
NOUNS = ("river", "summit", "harbor", "signal", "canvas", "beacon", "orbit", "meadow",
         "bridge", "lantern")
HUBS = ("research", "design", "operations", "strategy", "people")
TYPE_PAGE = "artifact"
FIRST_JOURNAL = date(2024, 1, 1)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

SCHEMA = """\
version: 1
properties:
  weight: {type: integer, min: 0, max: 100}
types:
  artifact:
    label: Artifact
    required-properties: [weight]
    relations:
      relations: [artifact]
"""


@dataclass
class GeneratedPage:
    """One generated page: its name, file and role."""

    name: str
    path: str
    role: str  # content, leaf, hub, type, journal
    link: str = ""  # the name links use: Obsidian's shortest form is the bare file name
    block_id: str = ""  # the id of its anchored block (uuid or ^id without caret)
    alias: str = ""
    lines: list[str] = field(default_factory=list)


@dataclass
class GeneratedVault:
    root: Path
    dialect: str
    seed: int
    pages: list[GeneratedPage]

    def page(self, path: str) -> GeneratedPage:
        return next(page for page in self.pages if page.path == path)

    def content_pages(self) -> list[GeneratedPage]:
        """Pages a fault may be injected into: typed, not embedded by other pages."""
        return [p for p in self.pages if p.role == "content" and "/" not in p.name]


def generate(root: Path, pages: int = 60, dialect: str = "logseq", seed: int = 0) -> GeneratedVault:
    """Write a vault of about ``pages`` pages under ``root`` and describe it."""
    if dialect not in ("logseq", "obsidian"):
        raise ValueError(f"unknown dialect {dialect!r}")
    rng = random.Random(f"{dialect}:{seed}")
    vault = GeneratedVault(root, dialect, seed, _plan(pages, dialect, rng))
    writer = _Logseq(vault, rng) if dialect == "logseq" else _Obsidian(vault, rng)
    for page in vault.pages:
        page.lines = writer.lines(page)
    _write(vault)
    return vault


def _plan(count: int, dialect: str, rng: random.Random) -> list[GeneratedPage]:
    logseq = dialect == "logseq"
    planned = [_named(TYPE_PAGE, "type", logseq)]
    planned += [_named(hub, "hub", logseq) for hub in HUBS]
    journals = max(1, count // 30)
    for day in range(journals):
        planned.append(_journal(day, logseq))
    for index in range(max(count - len(planned), 8)):
        name = f"{ADJECTIVES[index % 10].capitalize()} {NOUNS[index // 10 % 10]} {index:04d}"
        if index % 10 == 9:
            name = f"project/{name}"
        role = "leaf" if index % 7 == 3 else "content"
        page = _named(name, role, logseq)
        page.block_id = str(uuid.UUID(int=rng.getrandbits(128), version=4)) if logseq \
            else f"blk-{index:04d}"
        page.alias = f"{NOUNS[index % 10].capitalize()} alias {index:04d}" if index % 5 == 1 else ""
        planned.append(page)
    return planned


def _named(name: str, role: str, logseq: bool) -> GeneratedPage:
    if logseq:
        return GeneratedPage(name, f"pages/{name.replace('/', '___')}.md", role, name)
    # Obsidian: a page's name is its path; namespaces become folders.
    name = name.replace("project/", "projects/")
    return GeneratedPage(name, f"{name}.md", role, name.rsplit("/", 1)[-1])


def _journal(day: int, logseq: bool) -> GeneratedPage:
    date = FIRST_JOURNAL + timedelta(days=day)
    if logseq:  # the default :journal/page-title-format, "MMM do, yyyy"
        title = f"{MONTHS[date.month - 1]} {_ordinal(date.day)}, {date.year}"
        return GeneratedPage(title, f"journals/{date:%Y_%m_%d}.md", "journal", title)
    return GeneratedPage(f"daily/{date:%Y-%m-%d}", f"daily/{date:%Y-%m-%d}.md", "journal",
                         f"{date:%Y-%m-%d}")


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


class _Writer:
    """What both dialects share: choosing targets and filler text."""

    def __init__(self, vault: GeneratedVault, rng: random.Random) -> None:
        self.vault = vault
        self.rng = rng
        self.linkable = [p for p in vault.pages if p.role in ("content", "leaf")]
        self.leaves = [p for p in vault.pages if p.role == "leaf"]
        self.journals = [p for p in vault.pages if p.role == "journal"]
        # Page positions by identity: a list.index() per page made generation quadratic.
        self.positions = {id(p): number for number, p in enumerate(vault.pages)}

    def words(self, count: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(count))

    def other(self, page: GeneratedPage, pool: list[GeneratedPage] | None = None) -> GeneratedPage:
        pool = pool or self.linkable
        choice = self.rng.choice(pool)
        return choice if choice is not page else pool[(pool.index(choice) + 1) % len(pool)]

    def asset(self, page: GeneratedPage) -> str:
        return f"image_{self.positions[id(page)] % 20}.png"


class _Logseq(_Writer):
    def lines(self, page: GeneratedPage) -> list[str]:
        if page.role in ("type", "hub"):
            return [f"description:: the {page.name} page", "", f"- {self.words(12)}"]
        if page.role == "journal":
            target = self.other(page)
            return [f"- met about [[{target.link}]] and {self.words(6)}", f"- {self.words(10)}"]
        return self.content(page)

    def content(self, page: GeneratedPage) -> list[str]:
        first, second = self.other(page), self.other(page)
        props = [f"metamodel-id:: [[{TYPE_PAGE}]]", f"weight:: {self.rng.randint(0, 100)}",
                 f"relations:: [[{first.link}]], [[{second.link}]]",
                 f"tags:: {self.rng.choice(HUBS)}"]
        if page.alias:
            props.append(f"alias:: {page.alias}")
        out = [*props, "", "- ## Overview"]
        out.append(f"\t- {self.words(8)} [[{self.other(page).link}]] {self.words(5)} "
                   f"#{self.rng.choice(HUBS)}")
        out.append(f"\t  id:: {page.block_id}")
        for _ in range(3):
            target = self.other(page)
            name = target.alias or target.link
            out.append(f"\t- {self.words(6)} [[{name}]] {self.words(7)}")
            out.append(f"\t\t- [{self.words(2)}]([[{self.other(page).link}]]) {self.words(9)}")
        out.append(f"\t- see (({self.other(page).block_id})) for {self.words(4)}")
        out.append("- ## Notes")
        if page.role == "content":
            leaf = self.other(page, self.leaves)
            out.append(f"\t- {{{{embed [[{leaf.link}]]}}}}")
            out.append(f"\t- {{{{embed (({self.other(page, self.leaves).block_id}))}}}}")
        out.append(f"\t- ![diagram](../assets/{self.asset(page)}) {self.words(5)}")
        out.append(f"\t- met on [[{self.rng.choice(self.journals).link}]] about "
                   f"[[project]] and {self.words(6)}")
        out.append(f"\t- ```\n\t  [[not a link]] {self.words(3)}\n\t  ```")
        return "\n".join(out).split("\n")


class _Obsidian(_Writer):
    def lines(self, page: GeneratedPage) -> list[str]:
        if page.role in ("type", "hub"):
            return ["---", f"description: the {page.name} page", "---", "", self.words(12)]
        if page.role == "journal":
            return [f"Met about [[{self.other(page).link}]] and {self.words(6)}.", "",
                    self.words(10)]
        return self.content(page)

    def content(self, page: GeneratedPage) -> list[str]:
        first, second = self.other(page), self.other(page)
        out = ["---", f'metamodel-id: "[[{TYPE_PAGE}]]"', f"weight: {self.rng.randint(0, 100)}",
               f'relations: ["[[{first.link}]]", "[[{second.link}]]"]',
               f"tags: [{self.rng.choice(HUBS)}]"]
        if page.alias:
            out.append(f"aliases: [{page.alias}]")
        out += ["---", "", "## Overview", ""]
        out.append(f"{self.words(8)} [[{self.other(page).link}]] {self.words(5)} "
                   f"#{self.rng.choice(HUBS)} ^{page.block_id}")
        out.append("")
        for _ in range(3):
            target = self.other(page)
            out.append(f"- {self.words(6)} [[{target.alias or target.link}]] {self.words(7)}")
            label_target = self.other(page)
            out.append(f"- [[{label_target.link}|{self.words(2)}]] {self.words(9)}")
        target = self.other(page)
        out.append(f"- see [[{target.link}#^{target.block_id}]] and [[{target.link}#Notes]]")
        md_target = self.other(page)
        out += ["", f"[{self.words(2)}]({md_target.path.replace(' ', '%20')}) {self.words(4)}",
                "", "## Notes", ""]
        if page.role == "content":
            leaf = self.other(page, self.leaves)
            out += [f"![[{leaf.link}]]", "", f"![[{leaf.link}#^{leaf.block_id}]]", ""]
        out += [f"![[{self.asset(page)}|400]] {self.words(5)}", "",
                f"Met on [[{self.rng.choice(self.journals).link}]], {self.words(6)}.", "",
                "```", f"[[not a link]] {self.words(3)}", "```"]
        return out


def _write(vault: GeneratedVault) -> None:
    root = vault.root
    root.mkdir(parents=True, exist_ok=True)
    if vault.dialect == "logseq":
        (root / "logseq").mkdir(exist_ok=True)
        (root / "logseq" / "config.edn").write_text(
            "{:file/name-format :triple-lowbar\n :hidden []}\n", encoding="utf-8")
        assets = root / "assets"
    else:
        (root / ".obsidian").mkdir(exist_ok=True)
        (root / ".obsidian" / "app.json").write_text("{}\n", encoding="utf-8")
        assets = root / "attachments"
    assets.mkdir(exist_ok=True)
    for number in range(20):
        (assets / f"image_{number}.png").write_bytes(PNG)
    (root / "kbc-schema.yaml").write_text(SCHEMA, encoding="utf-8")
    for page in vault.pages:
        target = root / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(page.lines) + "\n", encoding="utf-8")
