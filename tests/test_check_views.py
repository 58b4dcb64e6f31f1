"""``kbc check`` on the views authors write in languages of their own: Logseq's
``{{query}}`` and Obsidian's bases (``.base`` files, ```` ```base ```` blocks, and
``![[X.base#View]]`` embeds)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kb_compiler.check import CheckResult, check_vault
from kb_compiler.cli import main
from kb_compiler.model import Severity
from tests.conftest import KEPANO, LOGSEQ_DOCS

BOOKS = """\
filters:
  and:
    - file.hasTag("book")
views:
  - type: table
    name: All books
  - type: cards
    name: Covers
"""


def check(root: Path) -> CheckResult:
    return check_vault(root, cache_dir=None)


def graph(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "graph"
    (root / "logseq").mkdir(parents=True)
    (root / "logseq/config.edn").write_text("{}\n", encoding="utf-8")
    (root / "pages").mkdir()
    (root / "pages/Home.md").write_text(text, encoding="utf-8")
    return root


def vault(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "notes"
    (root / ".obsidian").mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def found(result: CheckResult) -> list[tuple[str, int, int, str, Severity]]:
    return [(d.path, d.line, d.column, d.code, d.severity) for d in result.diagnostics]


# Logseq queries ----------------------------------------------------------------------


def test_a_query_that_cannot_be_read_is_reported_where_it_is_written(tmp_path: Path) -> None:
    root = graph(tmp_path, "- Reading {{query (page-tags book)}}\n"
                           "- Open {{query (and [[a]] (task todo)}}\n"
                           "- Misspelt {{query (taks todo)}}\n"
                           "- Two {{query [[a]] [[b]]}}\n")
    result = check(root)
    assert found(result) == [
        ("pages/Home.md", 2, 8, "invalid-query", Severity.WARNING),
        ("pages/Home.md", 3, 12, "invalid-query", Severity.WARNING),
        ("pages/Home.md", 4, 7, "invalid-query", Severity.WARNING),
    ]
    unclosed, misspelt, two = result.diagnostics
    assert "missing ')'" in unclosed.message
    assert "{{query (and [[a]] (task todo)}}" in unclosed.message
    assert unclosed.end_column == 8 + len("{{query (and [[a]] (task todo)}}")
    assert "unknown filter 'taks': did you mean 'task'?" in misspelt.message
    assert "wrap them in (and ...) or (or ...)" in two.message
    assert result.exit_code() == 0 and result.exit_code(strict=True) == 1


def test_queries_that_only_their_place_completes_are_no_mistake(tmp_path: Path) -> None:
    """A macro template's ``$1``, ``<% current page %>``, and the empty query Logseq's
    query builder starts from are all right; so is a query in a code block, which is
    text."""
    root = graph(tmp_path, "- {{query (and (task done) $1)}}\n"
                           "- {{query (page-tags <% current page %>)}}\n"
                           "- {{query }}\n"
                           "- {{query}}\n"
                           "- ```\n  {{query (unclosed}}\n  ```\n"
                           "- {{query (and (between -7d today) (task now later))}}\n")
    assert check(root).diagnostics == ()


def test_an_invalid_query_obeys_the_vaults_configuration(tmp_path: Path) -> None:
    root = graph(tmp_path, "- {{query (taks todo)}}\n"
                           "- {{query (bad}} <!-- kbc-ignore invalid-query -->\n")
    assert [d.line for d in check(root).diagnostics] == [1]
    (root / "kbc.toml").write_text('[severity]\ninvalid-query = "error"\n', encoding="utf-8")
    assert found(check(root)) == [("pages/Home.md", 1, 3, "invalid-query", Severity.ERROR)]
    (root / "kbc.toml").write_text('[severity]\ninvalid-query = "off"\n', encoding="utf-8")
    assert check(root).diagnostics == ()


def test_an_advanced_query_that_cannot_be_read_is_reported_at_its_marker(
        tmp_path: Path) -> None:
    root = graph(tmp_path, "- Unclosed\n  #+BEGIN_QUERY\n  {:query (and [[a]]\n  #+END_QUERY\n"
                           "- Fine\n  #+BEGIN_QUERY\n  {:title \"T\" :query [:find ?b :where "
                           "[?b :block/marker _]]}\n  #+END_QUERY\n"
                           "- No query\n  #+begin_query\n  {:title \"Tasks\"}\n  #+end_query\n"
                           "- An example, as code\n  #+BEGIN_SRC clojure\n  #+BEGIN_QUERY\n"
                           "  {:oops\n  #+END_QUERY\n  #+END_SRC\n")
    result = check(root)
    assert found(result) == [("pages/Home.md", 2, 3, "invalid-query", Severity.WARNING),
                             ("pages/Home.md", 10, 3, "invalid-query", Severity.WARNING)]
    assert "not EDN" in result.diagnostics[0].message
    assert "no :query" in result.diagnostics[1].message


def test_every_query_of_logseqs_docs_graph_reads() -> None:
    """The docs graph writes some 30 queries (tags, and/or/not, between, properties,
    page tags, a template's ``$1``, the query builder's empty one) and 33 advanced ones
    (Datalog, simple queries as lists and strings): none is a mistake."""
    result = check(LOGSEQ_DOCS)
    assert [d for d in result.diagnostics if d.code == "invalid-query"] == []
    queries = (LOGSEQ_DOCS / "pages/Queries.md").read_text(encoding="utf-8")
    assert queries.count("{{query") >= 10


# Obsidian bases ----------------------------------------------------------------------


def test_a_base_file_that_cannot_be_read_is_an_error_at_its_line(tmp_path: Path) -> None:
    root = vault(tmp_path, {
        "Books.base": BOOKS,
        "Unclosed.base": "views: [\n",
        "Expression.base": "filters:\n  and:\n    - file.hasTag(\"book\"\nviews: []\n",
        "Shape.base": "- a list\n- not a base\n",
        "Home.md": "![[Books.base]]\n![[Unclosed.base]]\n",
    })
    result = check(root)
    assert found(result) == [
        ("Expression.base", 3, 1, "invalid-base", Severity.ERROR),
        ("Shape.base", 1, 1, "invalid-base", Severity.ERROR),
        ("Unclosed.base", 1, 1, "invalid-base", Severity.ERROR),
    ]
    expression = result.diagnostics[0]
    assert "`file.hasTag(\"book\"`" in expression.message
    assert result.exit_code() == 1


def test_the_text_report_quotes_the_line_of_the_base_at_fault(tmp_path: Path) -> None:
    root = vault(tmp_path, {"Expression.base": "filters:\n  and:\n    - file.nme == 1 +\n"})
    report = CliRunner().invoke(main, ["check", str(root), "--color", "never"])
    assert report.exit_code == 1
    assert "Expression.base:3:1: error[invalid-base]" in report.output
    assert "3 |     - file.nme == 1 +" in report.output


def test_a_base_block_in_a_note_is_checked_at_its_line_in_the_note(tmp_path: Path) -> None:
    root = vault(tmp_path, {
        "Reading.md": "# Reading\n\n```base\nviews:\n  - type: table\n    name: All\n```\n\n"
                      "Text\n\n~~~ base\nfilters:\n  or:\n    - author ==\n~~~\n\n"
                      "```yaml\nnot: [a base\n```\n",
    })
    result = check(root)
    assert found(result) == [("Reading.md", 14, 1, "invalid-base", Severity.ERROR)]
    assert "base block" in result.diagnostics[0].message


def test_a_base_block_on_a_logseq_page_is_code(tmp_path: Path) -> None:
    root = graph(tmp_path, "- ```base\n  views: [\n  ```\n")
    assert check(root).diagnostics == ()


def test_an_embed_naming_a_view_the_base_lacks_is_a_broken_embed(tmp_path: Path) -> None:
    root = vault(tmp_path, {
        "Books.base": BOOKS,
        "Unclosed.base": "views: [\n",
        "Home.md": "![[Books.base#All books]]\n![[Books.base#covers]]\n"
                   "![[Books.base#Cover]]\n![[Books.base#Shelf]]\n![[Unclosed.base#All]]\n",
    })
    result = check(root)
    assert found(result) == [
        ("Home.md", 3, 1, "broken-embed", Severity.WARNING),
        ("Home.md", 4, 1, "broken-embed", Severity.WARNING),
        ("Unclosed.base", 1, 1, "invalid-base", Severity.ERROR),
    ]
    near, far = result.diagnostics[:2]
    assert near.suggestion == "Covers" and near.target == "Books.base#Cover"
    assert "its first view, 'All books', is shown instead" in near.message
    assert far.suggestion is None
    assert near.end_column == 1 + len("![[Books.base#Cover]]")


def test_every_base_of_kepanos_vault_reads() -> None:
    result = check(KEPANO)
    assert not [d for d in result.diagnostics if d.code in ("invalid-base", "broken-embed")]
    assert len(list(KEPANO.rglob("*.base"))) >= 20
