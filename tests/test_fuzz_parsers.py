"""Property-based fuzzing (hypothesis): random and mutated pages go through every stage
that reads page content — ``encoding.decode``, ``parse_page`` for every dialect and
vault kind, ``load`` + ``resolve``, the checks and their four report formats, the graph
writers, the site renderer and the exporters to both dialects — and none may raise,
report an internal error, or change a byte of the vault.

Examples are derandomized so CI is reproducible; ``KBC_FUZZ_EXAMPLES`` scales them up
for a longer local run, and ``fuzz/atheris_parse.py`` runs coverage-guided fuzzing.
"""

from __future__ import annotations

import importlib.util
import os
import pickle
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb_compiler.check import run_checks
from kb_compiler.check.formats import FORMAT_NAMES, RenderOptions, render
from kb_compiler.config import ParseOptions
from kb_compiler.emit.graph import FORMAT_NAMES as GRAPH_FORMATS
from kb_compiler.emit.graph import render_graph
from kb_compiler.emit.site import SiteOptions, build_site
from kb_compiler.emit.vault import export_vault
from kb_compiler.encoding import decode
from kb_compiler.loader import load
from kb_compiler.model import Dialect, Page, SourceFile, VaultKind
from kb_compiler.parse import parse_page
from kb_compiler.resolve import resolve
from tests.hostile.mutations import corpus_pages, page_bytes
from tests.hostile.outputs import snapshot

SCALE = int(os.environ.get("KBC_FUZZ_EXAMPLES", "1"))
FAST = settings(max_examples=250 * SCALE, deadline=None, derandomize=SCALE == 1,
                database=None, suppress_health_check=[HealthCheck.too_slow,
                                                      HealthCheck.data_too_large])
PIPELINE = settings(FAST, max_examples=25 * SCALE)

OPTIONS = (
    ParseOptions(vault_kind=VaultKind.LOGSEQ, name_format="triple-lowbar"),
    ParseOptions(vault_kind=VaultKind.LOGSEQ, name_format="legacy"),
    ParseOptions(vault_kind=VaultKind.OBSIDIAN),
    ParseOptions(vault_kind=VaultKind.FOLDER, fix_encoding=False),
)
HINTS = (Dialect.LOGSEQ, Dialect.OBSIDIAN, Dialect.MARKDOWN, None)
PATHS = ("pages/fuzz.md", "journals/2024_01_31.md", "notes/a%2Fb.md", "pages/x___y.md",
         "CON.md", "..md", "pages/%2E%2E%2Fx.md", "pages/fuzz.org", "journals/2024_01_31.org")
VAULT_MARKERS = {
    "logseq": {"logseq/config.edn": b"{:file/name-format :triple-lowbar}\n"},
    "obsidian": {".obsidian/app.json": b"{}\n"},
    "folder": {},
}
LINKING_PAGE = (b"- [[fuzz]] [[other]] #fuzz\n- {{embed [[fuzz]]}}\n"
                b"- {{embed [[other]]}} ![[fuzz]] ![[other]]\n")


def assert_sound(page: Page, data: bytes) -> None:
    """What every parsed page must satisfy, however broken its file."""
    codes = [d.code for d in page.diagnostics]
    assert "internal-error" not in codes, page.diagnostics
    lines = len(data.splitlines()) + 2
    for diagnostic in page.diagnostics:
        assert 0 <= diagnostic.line <= lines and diagnostic.column >= 0, diagnostic
    for index, block in enumerate(page.blocks):
        assert block.index == index
        assert block.parent is None or 0 <= block.parent < index, block
        assert 1 <= block.line <= block.end_line <= lines, block
    for reference in page.references:
        assert 0 <= reference.line <= lines, reference
    assert pickle.loads(pickle.dumps(page)) == page


@FAST
@given(data=page_bytes(), repair=st.booleans())
def test_decode_never_raises(data: bytes, repair: bool) -> None:
    decoded = decode(data, "pages/fuzz.md", repair=repair)
    assert isinstance(decoded.text, str)
    assert "\r" not in decoded.text
    assert decode(data, "pages/fuzz.md", repair=repair) == decoded  # deterministic


@FAST
@given(data=page_bytes(), options=st.sampled_from(OPTIONS), hint=st.sampled_from(HINTS),
       path=st.sampled_from(PATHS))
def test_parse_page_never_raises(data: bytes, options: ParseOptions, hint: Dialect | None,
                                 path: str) -> None:
    source = SourceFile(path, Path("/nonexistent") / path, hint,
                        is_journal=path.startswith("journals/"))
    page = parse_page(source, data, options)
    assert_sound(page, data)
    assert parse_page(source, data, options) == page  # pure: same input, same page


def _write_vault(root: Path, kind: str, fuzz: bytes, other: bytes) -> Path:
    vault = root / "vault"
    files = {**VAULT_MARKERS[kind], "pages/fuzz.md": fuzz, "pages/other.md": other,
             "pages/linking.md": LINKING_PAGE}
    for relative, content in files.items():
        (vault / relative).parent.mkdir(parents=True, exist_ok=True)
        (vault / relative).write_bytes(content)
    return vault


@settings(FAST, max_examples=80 * SCALE)
@given(pages=st.lists(page_bytes(), min_size=1, max_size=4),
       kind=st.sampled_from(sorted(VAULT_MARKERS)))
def test_resolve_and_check_take_hostile_pages(pages: list[bytes], kind: str) -> None:
    """Several hostile pages at once, so they embed and link each other."""
    with tempfile.TemporaryDirectory() as folder:
        vault = _write_vault(Path(folder), kind, pages[0], pages[-1])
        for number, page in enumerate(pages[1:-1]):
            (vault / "pages" / f"extra-{number}.md").write_bytes(page)
        before = snapshot(vault)
        graph = resolve(load(vault, cache_dir=None))
        result = run_checks(graph)
        assert "internal-error" not in [d.code for d in result.diagnostics]
        order = [(d.path, d.line, d.column, d.code) for d in result.diagnostics]
        assert order == sorted(order)  # INTERFACE.md: sorted by path, line, column, code
        for page in graph.kb.pages:
            graph.outgoing(page.id)
            graph.backlinks(page.id)
            graph.score(page.id)
        assert snapshot(vault) == before


@PIPELINE
@given(fuzz=page_bytes(), other=page_bytes(),
       kind=st.sampled_from(sorted(VAULT_MARKERS)))
def test_every_stage_takes_hostile_pages(fuzz: bytes, other: bytes, kind: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        vault = _write_vault(root, kind, fuzz, other)
        before = snapshot(root)
        graph = resolve(load(vault, cache_dir=None))
        for page in graph.kb.pages:
            assert "internal-error" not in [d.code for d in page.diagnostics]
        result = run_checks(graph)
        for name in FORMAT_NAMES:
            assert isinstance(render(name, result, RenderOptions()), str)
        for name in GRAPH_FORMATS:
            assert isinstance(render_graph(graph.graph, name), str)
        report = build_site(graph, root / "site",
                            SiteOptions(search=False, progress=False, jobs=1))
        assert report.failed == ()
        for dialect in (Dialect.LOGSEQ, Dialect.OBSIDIAN):
            export_vault(graph, root / f"export-{dialect}", to=dialect)
            again = load(root / f"export-{dialect}", cache_dir=None)
            assert "internal-error" not in [d.code for d in again.all_diagnostics()]
        outputs = ("site", "export-logseq", "export-obsidian")
        assert snapshot(root, skip=outputs) == before  # the vault never changes
        assert sorted(p.name for p in root.iterdir()) == sorted(("vault", *outputs))


def test_atheris_target_runs_without_atheris() -> None:
    """The optional atheris target (``fuzz/atheris_parse.py``) stays in working order:
    its input functions take the seed corpus (atheris itself is not needed for this)."""
    path = Path(__file__).resolve().parents[1] / "fuzz" / "atheris_parse.py"
    spec = importlib.util.spec_from_file_location("atheris_parse", path)
    assert spec and spec.loader
    target = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(target)
    pages = corpus_pages()
    for number, page in enumerate(pages):
        target.parse_input(bytes([number % 64]) + page)
    target.pipeline_input(pages[0] + pages[-1])
