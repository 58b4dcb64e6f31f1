"""The hostile test vault, written at test time (odd names, binary files, symlinks and
FIFOs cannot live in git).

``make_hostile_vault(root, dialect)`` lays out, under ``root``::

    root/vault/      the vault (a Logseq graph or an Obsidian vault)
    root/outside/    files the vault points at but must never be read: each holds the
                     unique ``marker`` text (and a PNG carrying it)

and returns a ``HostileVault`` naming every case, the diagnostics each must produce
(``Expect(code, path, line)``), and the body text of each page that must still reach
the site and the export (``bodies``). Every case is a few small files, except three
sized on purpose: a 3,000-level outline, a 5 MB line (1 MB in the Obsidian vault, to
keep the suite quick) and a 24-level chain of pages each embedding the next twice (2^24
copies of the leaf if nothing bounds embeds).

Used by ``tests/test_hostile_*.py``; can also be run by hand::

    python -m tests.hostile.make_vault /tmp/hostile logseq
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tests.hostile import payloads

__all__ = [
    "CASE_NAMES", "CHAIN_LEVELS", "DIALECTS", "LEAF_TEXT", "Expect", "HostileVault", "line_of",
    "make_hostile_vault",
]

CHAIN_LEVELS = 24
DEEP_LEVELS = 3000
LONG_LINE_BYTES = 5_000_000
LEAF_TEXT = "CHAIN-LEAF-TEXT"
DIALECTS = ("logseq", "obsidian")


@dataclass(frozen=True, slots=True)
class Expect:
    """A diagnostic that must be reported: ``code`` at vault-relative ``path``; ``line``
    None when the problem has no single line (a whole file), else the exact line;
    ``any_of`` lists other paths where it may be reported instead (a cycle is found
    from whichever page the walk enters first)."""

    code: str
    path: str
    line: int | None = None
    any_of: tuple[str, ...] = ()


@dataclass
class HostileVault:
    """One generated hostile vault and what the tests must find in it."""

    root: Path
    vault: Path
    outside: Path
    dialect: str
    marker: str
    expected: list[Expect] = field(default_factory=list)
    # body marker -> vault-relative path of the page holding it (it must be built).
    bodies: dict[str, str] = field(default_factory=dict)
    pwned: Path = field(init=False)

    def __post_init__(self) -> None:
        self.pwned = self.root / "pwned"  # created only if YAML ran code

    @property
    def pages_dir(self) -> str:
        return "pages/" if self.dialect == "logseq" else "notes/"

    def page_path(self, stem: str) -> str:
        return self.pages_dir + stem + ".md"

    def write(self, relative: str, content: bytes | str) -> Path:
        path = self.vault / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    def page(self, stem: str, text: str, body: str | None = None) -> str:
        """Write a page; ``body`` is a marker its built form must contain."""
        relative = self.page_path(stem)
        self.write(relative, text)
        if body:
            self.bodies[body] = relative
        return relative

    def expect(self, code: str, path: str, line: int | None = None,
               any_of: tuple[str, ...] = ()) -> None:
        self.expected.append(Expect(code, path, line, any_of))

    # --- dialect helpers ------------------------------------------------------------

    @property
    def logseq(self) -> bool:
        return self.dialect == "logseq"

    def blocks(self, *lines: str) -> str:
        """Lines as top-level Logseq blocks, or as Obsidian paragraphs."""
        if self.logseq:
            return "".join(f"- {line}\n" for line in lines)
        return "".join(f"{line}\n\n" for line in lines)

    def embed(self, name: str) -> str:
        return f"{{{{embed [[{name}]]}}}}" if self.logseq else f"![[{name}]]"


def line_of(text: str, token: str) -> int:
    """The 1-based line of the first occurrence of ``token`` in ``text``."""
    offset = text.index(token)
    return text.count("\n", 0, offset) + 1


def make_hostile_vault(root: Path, dialect: str = "logseq",
                       cases: Iterable[str] | None = None) -> HostileVault:
    """Write the hostile vault of ``dialect`` under ``root`` (see the module docstring):
    every case, or only those named in ``cases`` (see ``CASE_NAMES``)."""
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {DIALECTS}")
    root = Path(root)
    marker = f"KBC-OUTSIDE-MARKER-{uuid.uuid4().hex}"
    hostile = HostileVault(root, root / "vault", root / "outside", dialect, marker)
    hostile.vault.mkdir(parents=True)
    _write_outside(hostile)
    _write_config(hostile)
    wanted = set(CASE_NAMES if cases is None else cases)
    if unknown := wanted - set(CASE_NAMES):
        raise ValueError(f"unknown cases: {sorted(unknown)}")
    for name, case in CASES.items():
        if name in wanted:
            case(hostile)
    return hostile


def _write_outside(hostile: HostileVault) -> None:
    hostile.outside.mkdir(parents=True)
    (hostile.outside / "secret.md").write_text(
        f"- {hostile.marker}\n- [[also-secret]]\n", encoding="utf-8")
    (hostile.outside / "secret.png").write_bytes(payloads.PNG + hostile.marker.encode())
    (hostile.outside / "secret.txt").write_text(hostile.marker, encoding="utf-8")


def _write_config(hostile: HostileVault) -> None:
    if hostile.logseq:
        hostile.write("logseq/config.edn", '{:file/name-format :triple-lowbar\n :hidden []}\n')
    else:
        hostile.write(".obsidian/app.json", "{}\n")
    hostile.page("home", hostile.blocks("BODY-home a plain page", "[[xss]] [[escape]]"),
                 body="BODY-home")


# --- the cases ---------------------------------------------------------------------


def _script_and_handlers(hostile: HostileVault) -> None:
    text = hostile.blocks("BODY-xss", *payloads.HTML_ATTACKS, *payloads.LINK_ATTACKS)
    hostile.page("xss", text, body="BODY-xss")
    if hostile.logseq:
        props = ("icon:: " + payloads.IMG_ONERROR + "\n"
                 "description:: <script>alert('prop')</script>\n"
                 "alias:: xss-alias-<svg onload=alert(1)>\n"
                 "tags:: <b onmouseover=alert(1)>bold</b>\n\n")
        hostile.page("xss-props", props + hostile.blocks(
            "BODY-xss-props", *payloads.LOGSEQ_MACRO_ATTACKS), body="BODY-xss-props")
    else:
        props = ("---\n"
                 f"icon: '{payloads.IMG_ONERROR}'\n"
                 "description: \"<script>alert('prop')</script>\"\n"
                 "aliases: ['xss-alias-<svg onload=alert(1)>']\n"
                 "tags: ['<b onmouseover=alert(1)>']\n"
                 "---\n")
        hostile.page("xss-props", props + hostile.blocks(
            "BODY-xss-props", *payloads.OBSIDIAN_ATTACKS), body="BODY-xss-props")


def _active_attachments(hostile: HostileVault) -> None:
    """Attachments that carry script: a site that copies them as they are serves that
    script from its own origin (an SVG opened directly, an HTML file a page links)."""
    for name, content in payloads.ACTIVE_ATTACHMENTS.items():
        hostile.write(f"assets/{name}", content)
    links = [f"![pic](../assets/{name})" for name in payloads.ACTIVE_ATTACHMENTS]
    links += [f"[file](../assets/{name})" for name in payloads.ACTIVE_ATTACHMENTS]
    hostile.page("attachments", hostile.blocks("BODY-attachments", *links),
                 body="BODY-attachments")


def _escapes(hostile: HostileVault) -> None:
    """Links, embeds and images pointing outside: relative ``../../`` and absolute."""
    secret = hostile.outside / "secret"
    lines = [
        "BODY-escape",
        "![img](../../outside/secret.png)",
        "[doc](../../outside/secret.md)",
        f"![abs]({secret}.png)",
        "[pw](/etc/passwd)",
        "![pw](/etc/passwd)",
        f"![[{secret}.png]]",
        "![[../../outside/secret.png]]",
        f"[file](file://{secret}.md)",
        "[[../../outside/secret]]",
        hostile.embed("../../outside/secret"),
    ]
    text = hostile.blocks(*lines)
    path = hostile.page("escape", text, body="BODY-escape")
    for token in lines[1:6]:
        hostile.expect("path-escape", path, line_of(text, token))
    if not hostile.logseq:  # Obsidian reads paths in wikilinks; Logseq reads names
        for token in lines[6:8]:
            hostile.expect("path-escape", path, line_of(text, token))


def _symlinks(hostile: HostileVault) -> None:
    vault, outside = hostile.vault, hostile.outside
    pages = vault / hostile.pages_dir
    pages.mkdir(parents=True, exist_ok=True)
    (vault / "assets").mkdir(exist_ok=True)
    links = {
        hostile.page_path("linked-secret"): outside / "secret.md",
        "assets/linked.png": outside / "secret.png",
        "linked-folder": outside,
        hostile.page_path("zero"): Path("/dev/zero"),
        hostile.page_path("relative-escape"): Path("../../outside/secret.md"),
    }
    for relative, target in links.items():
        os.symlink(target, vault / relative)
        hostile.expect("path-escape", relative)
    os.symlink("nowhere.md", pages / "dangling.md")
    hostile.expect("unreadable-file", hostile.page_path("dangling"))
    text = hostile.blocks("BODY-symlinks", "[[linked-secret]]", "[[relative-escape]]",
                          "![linked](../assets/linked.png)", "[[linked-folder/secret]]")
    hostile.page("uses-symlinks", text, body="BODY-symlinks")


def _special_files(hostile: HostileVault) -> None:
    """A FIFO named like a page and like an asset: reading one blocks forever."""
    pages = hostile.vault / hostile.pages_dir
    pages.mkdir(parents=True, exist_ok=True)
    (hostile.vault / "assets").mkdir(exist_ok=True)
    os.mkfifo(pages / "fifo.md")
    os.mkfifo(hostile.vault / "assets" / "fifo.png")
    folder = pages / "folder.md"  # a directory named like a page
    folder.mkdir()
    hostile.page("folder.md/inner", hostile.blocks("BODY-inner-of-folder"),
                 body="BODY-inner-of-folder")
    if os.geteuid() != 0:  # root reads whatever the mode says
        locked = hostile.page("unreadable", hostile.blocks("locked away"))
        (hostile.vault / locked).chmod(0)
        hostile.expect("unreadable-file", locked)
    hostile.expect("unreadable-file", hostile.page_path("fifo"))
    hostile.expect("unreadable-file", "assets/fifo.png")
    hostile.page("uses-fifo", hostile.blocks("BODY-fifo", "![fifo](../assets/fifo.png)",
                                            "[[fifo]]"), body="BODY-fifo")


def _encodings(hostile: HostileVault) -> None:
    hostile.write(hostile.page_path("binary"), payloads.PNG + b"\x00\xff" * 64)
    hostile.expect("invalid-encoding", hostile.page_path("binary"))
    latin = hostile.blocks("BODY-latin1", "caf\u00e9 na\u00efve \u00fcber").encode("latin-1")
    path = hostile.page_path("latin1")
    hostile.write(path, latin)
    hostile.bodies["BODY-latin1"] = path
    hostile.expect("invalid-encoding", path, 2 if hostile.logseq else 3)
    crlf = hostile.blocks("BODY-bom-crlf", "second line", "[[missing-after-crlf]]")
    path = hostile.page_path("bom-crlf")
    hostile.write(path, b"\xef\xbb\xbf" + crlf.replace("\n", "\r\n").encode())
    hostile.bodies["BODY-bom-crlf"] = path
    hostile.expect("broken-link", path, line_of(crlf, "[[missing-after-crlf]]"))
    hostile.write(hostile.page_path("empty"), b"")
    hostile.write(hostile.page_path("blank"), b"\n \n\t\n")
    path = hostile.page_path("utf16")  # UTF-16 with its BOM: readable, but not UTF-8
    hostile.write(path, hostile.blocks("BODY-utf16").encode("utf-16"))
    hostile.bodies["BODY-utf16"] = path
    hostile.expect("invalid-encoding", path)


def _frontmatter(hostile: HostileVault) -> None:
    text = "---\ntitle: [unclosed\nkey: : x\n---\n" + hostile.blocks("BODY-bad-frontmatter")
    path = hostile.page("bad-frontmatter", text, body="BODY-bad-frontmatter")
    hostile.expect("invalid-frontmatter", path)
    # YAML that runs code under an unsafe loader, expands to 10^9 values, nests 5,000 deep.
    for stem, frontmatter in (
        ("unsafe-yaml", payloads.unsafe_yaml(hostile.pwned)),
        ("yaml-bomb", payloads.YAML_BOMB),
        ("yaml-deep", "---\nk: " + "[" * 5000 + "]" * 5000 + "\n---\n"),
    ):
        body = f"BODY-{stem}"
        hostile.expect("invalid-frontmatter",
                       hostile.page(stem, frontmatter + hostile.blocks(body), body=body))


def _deep_outline(hostile: HostileVault) -> None:
    if hostile.logseq:
        text = "- BODY-deep\n" + "".join(
            "\t" * level + f"- level {level}\n" for level in range(1, DEEP_LEVELS))
    else:
        text = "BODY-deep\n\n" + "".join(
            "  " * level + f"- level {level}\n" for level in range(DEEP_LEVELS))
        text += "\n" + ">" * DEEP_LEVELS + " deep quote\n"
    hostile.page("deep-outline", text, body="BODY-deep")
    hostile.page("deep-html", hostile.blocks("BODY-deep-html", "<div>" * 20000 + "x"),
                 body="BODY-deep-html")


def _long_lines(hostile: HostileVault) -> None:
    words = "lorem ipsum dolor sit amet "
    # The 5 MB line in one dialect; a 1 MB one in the other keeps the suite quick.
    size = LONG_LINE_BYTES if hostile.logseq else LONG_LINE_BYTES // 5
    line = words * (size // len(words))
    hostile.page("long-line", hostile.blocks("BODY-long-line", line), body="BODY-long-line")
    storm = ("[[a " * 50_000 + "{{embed " * 20_000 + "((" * 50_000 + "#" * 50_000
             + "[[x][" * 20_000 + "ab:" * 60_000 + "http:" * 40_000)
    hostile.page("bracket-storm", hostile.blocks("BODY-bracket-storm", storm),
                 body="BODY-bracket-storm")
    if hostile.logseq:  # Org text: its own links and code spans, on the site too
        org_storm = "[[x][" * 20_000 + "\n" + "[[a][b" * 20_000 + "\n" + "~a =b " * 50_000
        relative = hostile.pages_dir + "org-storm.org"
        hostile.write(relative, f"* BODY-org-storm\n{org_storm}\n")
        hostile.bodies["BODY-org-storm"] = relative


def _embed_cycles(hostile: HostileVault) -> None:
    text = hostile.blocks("BODY-self-embed", hostile.embed("self-embed"))
    path = hostile.page("self-embed", text, body="BODY-self-embed")
    hostile.expect("embed-cycle", path, line_of(text, hostile.embed("self-embed")))
    ring = ("cycle-a", "cycle-b", "cycle-c")
    paths = tuple(hostile.page_path(name) for name in ring)
    for index, name in enumerate(ring):
        following = ring[(index + 1) % len(ring)]
        text = hostile.blocks(f"BODY-{name}", hostile.embed(following))
        hostile.page(name, text, body=f"BODY-{name}")
    hostile.expect("embed-cycle", paths[0], line_of(text, hostile.embed("cycle-a")),
                   any_of=paths[1:])


def _embed_chain(hostile: HostileVault) -> None:
    """Level n embeds level n+1 twice: 2^24 copies of the leaf without a bound."""
    for level in range(CHAIN_LEVELS):
        following = f"chain-{level + 1:02d}"
        text = hostile.blocks(f"BODY-chain-{level:02d}", hostile.embed(following),
                              hostile.embed(following))
        hostile.page(f"chain-{level:02d}", text, body=f"BODY-chain-{level:02d}")
    hostile.page(f"chain-{CHAIN_LEVELS:02d}", hostile.blocks(LEAF_TEXT), body=LEAF_TEXT)


def _unterminated(hostile: HostileVault) -> None:
    lines = ["BODY-unterminated", "{{embed [[never-closed", "see [[also-never-closed",
             "{{embed ((abc", "text after the damage"]
    if not hostile.logseq:
        lines[1] = "![[never-closed"
        lines[3] = "![[another"
    text = hostile.blocks(*lines)
    path = hostile.page("unterminated", text, body="BODY-unterminated")
    hostile.expect("unterminated-link", path, line_of(text, lines[1]))
    hostile.expect("unterminated-link", path, line_of(text, lines[2]))
    if hostile.logseq:
        hostile.expect("unterminated-macro", path, line_of(text, lines[3]))


def _odd_names(hostile: HostileVault) -> None:
    names = list(payloads.ODD_NAMES)
    names.append("x" * (255 - len(".md")))  # the longest name a file system allows
    if hostile.logseq:
        names += payloads.LOGSEQ_ODD_NAMES
    for index, stem in enumerate(names):
        body = f"BODY-odd-{index:02d}"
        # A name starting with a dot is a hidden file to both apps: never a page.
        hostile.page(stem, hostile.blocks(body, "an oddly named page"),
                     body=None if stem.startswith(".") else body)
    if hostile.logseq:
        for index, title in enumerate(payloads.HOSTILE_TITLES):
            body = f"BODY-title-{index:02d}"
            hostile.page(f"titled-{index:02d}", f"title:: {title}\n\n"
                         + hostile.blocks(body), body=body)
    else:
        # JSON strings are YAML strings, whatever quotes and backslashes they hold.
        aliases = "".join(f"  - {json.dumps(title)}\n" for title in payloads.HOSTILE_TITLES)
        hostile.page("aliased", f"---\naliases:\n{aliases}---\n"
                     + hostile.blocks("BODY-aliased"), body="BODY-aliased")
    listing = hostile.blocks(*(f"[[{stem}]]" for stem in names[:6]))
    hostile.page("links-to-odd-names", listing, body=None)


def _deep_namespace(hostile: HostileVault) -> None:
    """A page 3,000 namespace levels deep: an implied parent page per level is fine, but
    not one that repeats every level above it (3,000^2 output), nor a 15 KB file name."""
    deep = "/".join(["ns"] * DEEP_LEVELS)
    if hostile.logseq:
        text = f"title:: {deep}\n\n" + hostile.blocks("BODY-deep-namespace")
    else:
        text = hostile.blocks("BODY-deep-namespace", f"[[{deep}]]")
    hostile.page("deep-namespace", text, body="BODY-deep-namespace")


def _duplicates(hostile: HostileVault) -> None:
    first = hostile.page("Dup", hostile.blocks("BODY-dup-upper"), body="BODY-dup-upper")
    second = hostile.page("dup", hostile.blocks("BODY-dup-lower"))
    hostile.expect("duplicate-page", first, any_of=(second,))


CASES: dict[str, Callable[[HostileVault], None]] = {
    "xss": _script_and_handlers,
    "attachments": _active_attachments,
    "escapes": _escapes,
    "symlinks": _symlinks,
    "special-files": _special_files,
    "encodings": _encodings,
    "frontmatter": _frontmatter,
    "deep-outline": _deep_outline,
    "long-lines": _long_lines,
    "embed-cycles": _embed_cycles,
    "embed-chain": _embed_chain,
    "unterminated": _unterminated,
    "odd-names": _odd_names,
    "deep-namespace": _deep_namespace,
    "duplicates": _duplicates,
}
CASE_NAMES = tuple(CASES)


if __name__ == "__main__":
    made = make_hostile_vault(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "logseq",
                              sys.argv[3:] or None)
    print(made.vault)
