"""Coverage-guided fuzzing of kbc's page reading with atheris (libFuzzer for Python), for
runs longer than the hypothesis tests in ``tests/test_fuzz_parsers.py``. Optional: not
installed by the test extras and not run in CI.

Setup (Linux, CPython 3.11; atheris ships wheels with libFuzzer built in)::

    pip install atheris

Run from the repository root::

    python fuzz/atheris_parse.py                       # parse stage, runs until stopped
    python fuzz/atheris_parse.py -max_total_time=600   # ten minutes
    KBC_FUZZ_STAGE=pipeline python fuzz/atheris_parse.py -max_total_time=600
    python fuzz/atheris_parse.py -runs=1 crash-<hash>  # replay a crash file

Stages (``KBC_FUZZ_STAGE``):

- ``parse`` (default): ``encoding.decode`` and ``parse_page`` with every dialect hint and
  vault kind, thousands of inputs a second.
- ``pipeline``: a two-page vault in a temporary folder through ``load``, ``resolve``,
  the checks, the site renderer and both exporters (slower: tens of inputs a second).

A finding is any exception, or an ``internal-error`` diagnostic (the parser dispatcher
turns a parser's exception into one, so it must be treated as a crash here). The first
argument that is a folder is libFuzzer's corpus; when none is given, a temporary corpus
is seeded with the seeds, the hand-written test corpus and pages of the shared corpora.
libFuzzer writes each crashing input to ``crash-<hash>`` in the current folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

STAGE = os.environ.get("KBC_FUZZ_STAGE", "parse")


def parse_input(data: bytes) -> None:
    """One fuzz input through decode and every parser configuration."""
    from kb_compiler.config import ParseOptions
    from kb_compiler.encoding import decode
    from kb_compiler.model import Dialect, SourceFile, VaultKind
    from kb_compiler.parse import parse_page

    if not data:
        return
    # The first byte picks the configuration, so the fuzzer can explore each one.
    selector, body = data[0], data[1:]
    kinds = (VaultKind.LOGSEQ, VaultKind.OBSIDIAN, VaultKind.FOLDER)
    hints = (Dialect.LOGSEQ, Dialect.OBSIDIAN, Dialect.MARKDOWN, None)
    options = ParseOptions(vault_kind=kinds[selector % 3],
                           name_format="legacy" if selector & 0x10 else "triple-lowbar",
                           fix_encoding=not selector & 0x20)
    hint = hints[(selector >> 2) % 4]
    decode(body, "pages/fuzz.md", repair=options.fix_encoding)
    source = SourceFile("pages/fuzz.md", Path("/nonexistent/pages/fuzz.md"), hint)
    page = parse_page(source, body, options)
    _no_internal_error(page.diagnostics)


def pipeline_input(data: bytes) -> None:
    """One fuzz input, split in two pages, through every stage of a build and export."""
    from kb_compiler.check import run_checks
    from kb_compiler.emit.site import SiteOptions, build_site
    from kb_compiler.emit.vault import export_vault
    from kb_compiler.loader import load
    from kb_compiler.model import Dialect
    from kb_compiler.resolve import resolve

    half = len(data) // 2
    with tempfile.TemporaryDirectory() as folder:
        vault = Path(folder) / "vault"
        (vault / "pages").mkdir(parents=True)
        (vault / "pages" / "fuzz.md").write_bytes(data[:half])
        (vault / "pages" / "other.md").write_bytes(data[half:])
        (vault / "pages" / "linking.md").write_bytes(
            b"- [[fuzz]] {{embed [[fuzz]]}} {{embed [[other]]}} ![[other]]\n")
        graph = resolve(load(vault, cache_dir=None))
        _no_internal_error(graph.kb.all_diagnostics())
        run_checks(graph)
        report = build_site(graph, Path(folder) / "site",
                            SiteOptions(search=False, progress=False, jobs=1))
        if report.failed:
            raise AssertionError(f"pages could not be rendered: {report.failed}")
        for dialect in (Dialect.LOGSEQ, Dialect.OBSIDIAN):
            export_vault(graph, Path(folder) / f"export-{dialect}", to=dialect)


def _no_internal_error(diagnostics: tuple) -> None:
    for diagnostic in diagnostics:
        if diagnostic.code == "internal-error":
            raise AssertionError(diagnostic.message)


def _seed_corpus() -> str:
    from tests.hostile.mutations import corpus_pages

    folder = tempfile.mkdtemp(prefix="kbc-atheris-corpus-")
    for number, page in enumerate(corpus_pages()):
        Path(folder, f"seed-{number:04d}").write_bytes(bytes([number % 64]) + page)
    return folder


def main() -> None:
    import atheris  # optional: pip install atheris

    target = pipeline_input if STAGE == "pipeline" else parse_input
    with atheris.instrument_imports():
        import kb_compiler.parse  # noqa: F401  (instrumented for coverage feedback)
    arguments = list(sys.argv)
    if not any(Path(argument).is_dir() for argument in arguments[1:]):
        arguments.append(_seed_corpus())
    atheris.Setup(arguments, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
