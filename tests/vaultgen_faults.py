"""Fault injection for generated vaults (see ``vaultgen``): each fault kind written at a
known file and line, with the diagnostic ``kbc check`` must report for it.

Every kind goes into its own page (or a new page), so one fault never moves another's
line, and none of them makes a second, unintended problem (a page with broken
frontmatter is a new, untyped page, so losing its properties breaks no schema rule).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.vaultgen import GeneratedPage, GeneratedVault

FAULT_KINDS = (
    "broken-link",
    "broken-embed",
    "broken-block-ref",
    "broken-relation",
    "empty-link",
    "missing-asset",
    "embed-cycle",
    "duplicate-page",
    "invalid-frontmatter",
    "invalid-property",
    "schema-violation",
    "encoding-repaired",
    "invalid-encoding",
    "path-escape",
)


@dataclass(frozen=True, order=True)
class Expected:
    """A diagnostic ``kbc check`` must report: at this vault-relative file and line."""

    path: str
    line: int
    code: str


class _Injector:
    def __init__(self, vault: GeneratedVault) -> None:
        self.vault = vault
        self.logseq = vault.dialect == "logseq"
        self.free = list(vault.content_pages())

    def take(self) -> GeneratedPage:
        return self.free.pop(0)

    def append(self, page: GeneratedPage, logseq: str, obsidian: str) -> int:
        """Add a line at the end of ``page``; the expected diagnostic is on it."""
        if self.logseq:
            page.lines.append(logseq)
        else:  # a paragraph of its own
            page.lines += ["", obsidian]
        self.save(page)
        return len(page.lines)

    def save(self, page: GeneratedPage, raw: bytes | None = None) -> None:
        target = self.vault.root / page.path
        target.write_bytes(raw if raw is not None else ("\n".join(page.lines) + "\n").encode())

    def line_of(self, page: GeneratedPage, prefix: str) -> int:
        return next(i for i, line in enumerate(page.lines, 1) if line.startswith(prefix))

    def new_page(self, relative: str, text: str) -> str:
        target = self.vault.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return relative


def inject(vault: GeneratedVault, kinds: Iterable[str] = FAULT_KINDS) -> list[Expected]:
    """Write one fault of each kind into ``vault`` (on disk and in its page list) and
    return the diagnostics expected, sorted."""
    injector = _Injector(vault)
    expected: list[Expected] = []
    for kind in kinds:
        expected.extend(_FAULTS[kind](injector))
    return sorted(expected)


def _appended(code: str, logseq: str, obsidian: str) -> Callable[[_Injector], list[Expected]]:
    def fault(injector: _Injector) -> list[Expected]:
        page = injector.take()
        line = injector.append(page, logseq, obsidian)
        return [Expected(page.path, line, code)]

    return fault


def _broken_block_ref(injector: _Injector) -> list[Expected]:
    page, target = injector.take(), injector.take()
    line = injector.append(
        page,
        "- as said in ((6f1e0000-0000-4000-8000-00000000dead)) before",
        f"As said in [[{target.link}#^no-such-block]] before.",
    )
    return [Expected(page.path, line, "broken-block-ref")]


def _broken_relation(injector: _Injector) -> list[Expected]:
    page = injector.take()
    if injector.logseq:
        page.lines.insert(0, "see-also:: [[Qwxz Ghost Relation]]")
        line = 1
    else:
        page.lines.insert(1, 'see-also: "[[Qwxz Ghost Relation]]"')
        line = 2
    injector.save(page)
    return [Expected(page.path, line, "broken-relation")]


def _embed_cycle(injector: _Injector) -> list[Expected]:
    """Two pages embedding each other: one cycle, reported once, at the embed that
    closes it when the cycle is read from the page whose path sorts first."""
    first, second = sorted((injector.take(), injector.take()), key=lambda page: page.path)
    injector.append(first, f"- {{{{embed [[{second.link}]]}}}}", f"![[{second.link}]]")
    closing = injector.append(second, f"- {{{{embed [[{first.link}]]}}}}", f"![[{first.link}]]")
    return [Expected(second.path, closing, "embed-cycle")]


def _duplicate_page(injector: _Injector) -> list[Expected]:
    """A second file for an existing (untyped) page: Logseq by ``title::``, Obsidian by
    the same path in another case. The file whose path sorts later is the duplicate;
    the problem is the file itself (line 0)."""
    original = next(page for page in injector.vault.pages if page.role == "hub")
    if injector.logseq:
        path = injector.new_page("pages/copy of page.md", f"title:: {original.name}\n\n- a copy\n")
    else:
        path = injector.new_page(original.path.capitalize(), "A copy, differing in case.\n")
    return [Expected(max(path, original.path), 0, "duplicate-page")]


def _invalid_frontmatter(injector: _Injector) -> list[Expected]:
    relative = "pages/broken frontmatter.md" if injector.logseq else "broken frontmatter.md"
    body = "- body text\n" if injector.logseq else "Body text.\n"
    injector.new_page(relative, f"---\ntitle: ok\ntags: a: b\n---\n{body}")
    return [Expected(relative, 3, "invalid-frontmatter")]


def _invalid_property(injector: _Injector) -> list[Expected]:
    page = injector.take()
    prefix = "weight::" if injector.logseq else "weight:"
    line = injector.line_of(page, prefix)
    page.lines[line - 1] = f"{prefix} high"
    injector.save(page)
    return [Expected(page.path, line, "invalid-property")]


def _schema_violation(injector: _Injector) -> list[Expected]:
    page = injector.take()
    prefix = "weight::" if injector.logseq else "weight:"
    line = injector.line_of(page, prefix)
    del page.lines[line - 1]
    injector.save(page)
    # A missing property is the page's problem, reported at its first line.
    return [Expected(page.path, 1, "schema-violation")]


def _invalid_encoding(injector: _Injector) -> list[Expected]:
    page = injector.take()
    line = injector.append(page, "- raw bytes: @@", "Raw bytes: @@")
    text = ("\n".join(page.lines) + "\n").encode()
    injector.save(page, text.replace(b"@@", b"\xff\xfe\xfa"))
    return [Expected(page.path, line, "invalid-encoding")]


_FAULTS: dict[str, Callable[[_Injector], list[Expected]]] = {
    "broken-link": _appended(
        "broken-link", "- see [[Qwxz Nowhere Page]] here", "See [[Qwxz Nowhere Page]] here."),
    "broken-embed": _appended(
        "broken-embed", "- {{embed [[Qwxz Gone Embed]]}}", "![[Qwxz Gone Embed]]"),
    "broken-block-ref": _broken_block_ref,
    "broken-relation": _broken_relation,
    "empty-link": _appended("empty-link", "- an empty [[]] link", "An empty [[]] link."),
    "missing-asset": _appended(
        "missing-asset", "- ![chart](../assets/qwxz-missing.png)", "![[qwxz-missing.png]]"),
    "embed-cycle": _embed_cycle,
    "duplicate-page": _duplicate_page,
    "invalid-frontmatter": _invalid_frontmatter,
    "invalid-property": _invalid_property,
    "schema-violation": _schema_violation,
    "encoding-repaired": _appended(
        "encoding-repaired", "- the customerâ€™s view", "The customerâ€™s view."),
    "invalid-encoding": _invalid_encoding,
    "path-escape": _appended(
        "path-escape", "- ![leak](../../../outside.png)", "![leak](../../outside.png)"),
}
