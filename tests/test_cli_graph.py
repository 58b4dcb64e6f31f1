"""`kbc graph` and `kbc scores` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb_compiler.cli import main
from tests.conftest import deny_reading

SAMPLE_VAULT = Path(__file__).resolve().parent.parent / "vault"


@pytest.fixture(autouse=True)
def no_parse_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the user's cache folder out of the tests."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_graph_json_goes_to_stdout_and_the_summary_to_stderr(seeds_vault: Path) -> None:
    result = run("graph", str(seeds_vault))
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["graph"]["pages"] == 5
    assert result.stderr.startswith("kbc graph: 5 pages, ")


@pytest.mark.parametrize(("output_format", "start"), [
    ("json", "{"), ("graphml", "<?xml"), ("dot", 'digraph "seeds" {'),
    ("mermaid", "flowchart LR"),
])
def test_graph_formats(seeds_vault: Path, output_format: str, start: str) -> None:
    result = run("graph", str(seeds_vault), "--format", output_format, "-q")
    assert result.exit_code == 0
    assert result.stdout.startswith(start)
    assert result.stderr == ""


def test_graph_writes_to_a_file(seeds_vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "graph.dot"
    out.parent.mkdir()
    result = run("graph", str(seeds_vault), "--format", "dot", "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith('digraph "seeds"')
    assert [p.name for p in out.parent.iterdir()] == ["graph.dot"]


def test_graph_refuses_a_missing_vault_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["graph", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "vault folder not found" in result.stderr


def test_graph_refuses_an_unknown_format(seeds_vault: Path) -> None:
    result = CliRunner().invoke(main, ["graph", str(seeds_vault), "--format", "png"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_graph_with_a_broken_schema_exits_2(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("- hello\n", encoding="utf-8")
    (tmp_path / "kbc-schema.yaml").write_text("types:\n  a:\n    childs: [b]\n",
                                              encoding="utf-8")
    result = CliRunner().invoke(main, ["graph", str(tmp_path)])
    assert result.exit_code == 2
    # the file as it opens from where kbc runs, not only its name inside the vault
    assert result.stderr == (f"kbc: error: {tmp_path / 'kbc-schema.yaml'}:3: unknown schema "
                             "key 'childs' (known: children, description, label, properties, "
                             "relations, required-properties, required-sections)\n")


def test_every_edge_has_a_line_of_its_source_file(tmp_path: Path) -> None:
    """INTERFACE.md: ``line`` is 1-based. Namespace edges had line 0, which a consumer
    indexing ``lines[line - 1]`` reads as the last line. A namespace named by ``title::``
    is on that property's line, one named by the file name on line 1."""
    edges = json.loads(run("graph", str(SAMPLE_VAULT), "-q").stdout)["edges"]
    assert edges and all(edge["line"] >= 1 for edge in edges)
    (tmp_path / "logseq").mkdir()
    (tmp_path / "logseq" / "config.edn").write_text(
        "{:file/name-format :triple-lowbar}\n", "utf-8")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a___b.md").write_text("- text\n", "utf-8")
    (tmp_path / "pages" / "c.md").write_text("tags:: x\ntitle:: c/d\n\n- text\n", "utf-8")
    edges = json.loads(run("graph", str(tmp_path), "-q").stdout)["edges"]
    assert {(e["source"], e["target"], e["line"]) for e in edges if e["kind"] == "namespace"} \
        == {("a/b", "a", 1), ("c/d", "c", 2)}


def test_a_second_file_of_a_page_gives_no_edges_but_is_still_checked(tmp_path: Path) -> None:
    """``Foo.md`` and ``foo.md`` are one page, and links go to the first file; the
    second's links were edges of that page at the second file's lines (line 4 of a
    one-line file)."""
    (tmp_path / "logseq").mkdir()
    (tmp_path / "logseq" / "config.edn").write_text("{}\n", "utf-8")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "Foo.md").write_text("- one [[Target]]\n", "utf-8")
    (tmp_path / "pages" / "foo.md").write_text("- x\n- y\n- z\n- [[Other]] [[Gone]]\n", "utf-8")
    (tmp_path / "pages" / "Target.md").write_text("- t\n", "utf-8")
    (tmp_path / "pages" / "Other.md").write_text("- o\n", "utf-8")
    data = json.loads(run("graph", str(tmp_path), "-q").stdout)
    assert [(e["source"], e["target"], e["line"]) for e in data["edges"]] == [
        ("foo", "target", 1)]
    checked = json.loads(run("check", str(tmp_path), "--format", "json").stdout)
    assert {(d["code"], d["path"], d["line"]) for d in checked["diagnostics"]} == {
        ("duplicate-page", "pages/foo.md", 0), ("broken-link", "pages/foo.md", 4)}


def test_obsidian_properties_are_typed_as_the_interface_says(tmp_path: Path) -> None:
    """INTERFACE.md: page references as a list of page names. YAML leaves an Obsidian
    link text (``"[[Paul Chambers]]"``) and a comma string of tags (FORMATS.md 2.2)."""
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / "Album.md").write_text(
        '---\nartist: "[[Paul Chambers]]"\ngenre:\n  - "[[Jazz|jazz]]"\n  - "[[Bop#Hard]]"\n'
        "tags: recipe, cooking\naliases: Doggo, Woofer\nmood: calm, warm\n"
        'mixed: ["[[Jazz]]", plain]\nyear: 1956\n---\nx\n', "utf-8")
    [node] = [n for n in json.loads(run("graph", str(tmp_path), "-q").stdout)["nodes"]
              if n["id"] == "album"]
    assert node["properties"] == {
        "artist": ["Paul Chambers"], "genre": ["Jazz", "Bop"], "tags": ["recipe", "cooking"],
        "aliases": ["Doggo", "Woofer"], "mood": "calm, warm", "mixed": ["[[Jazz]]", "plain"],
        "year": 1956}


def test_graph_and_scores_say_which_files_they_left_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that cannot be read is left out of the graph and the scores; both exited
    0 and said nothing, so their numbers looked complete. Only ``check`` told."""
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / "Home.md").write_text("Home links [[Plan]]\n", "utf-8")
    (tmp_path / "Plan.md").write_text("the plan\n", "utf-8")
    deny_reading(monkeypatch, "Plan.md")
    for args in (["graph", str(tmp_path)], ["scores", str(tmp_path), "--format", "json"]):
        result = run(*args)
        assert result.exit_code == 0
        [left_out] = [line for line in result.stderr.splitlines() if "Plan.md" in line]
        assert left_out.startswith("Plan.md: ") and "[unreadable-file]" in left_out
    assert "Plan.md" not in run("graph", str(tmp_path), "-q").stderr


def test_scores_json_follows_the_interface(seeds_vault: Path) -> None:
    result = run("scores", str(seeds_vault), "--format", "json")
    assert result.exit_code == 0
    pages = json.loads(result.stdout)["pages"]
    assert [p["id"] for p in pages] == ["profile-(id)", "profile-(id)/persona"]
    profile = pages[0]
    assert {k: profile[k] for k in ("id", "weight", "score", "rollup")} == {
        "id": "profile-(id)", "weight": 70, "score": 50.0, "rollup": 50.0}
    assert profile["keys"] == [
        {"label": "Customer Understanding", "key_weight": 75, "value": 50, "line": 14},
        {"label": "Customer retention", "key_weight": 60, "value": 50, "line": 17}]
    assert pages[1]["score"] is None and "no keys" in pages[1]["note"]


def test_scores_table_shows_scores_and_notes_pages_without_keys() -> None:
    result = run("scores", str(SAMPLE_VAULT))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    profile_row = next(line for line in lines if line.startswith("│ profile-(id) "))
    assert "50.0" in profile_row and "51.3" in profile_row
    assert any("Customer Understanding" in line for line in lines)
    assert "roll-up = (100·score" in result.stdout


def test_a_long_key_label_is_whole_in_json_and_marked_where_the_table_cuts_it(
        tmp_path: Path) -> None:
    """Labels were cut at 80 characters, mid-word and unmarked, in the JSON too."""
    label = ("Customer understanding of the problem space as measured by interviews, "
             "surveys and churn")
    (tmp_path / "logseq").mkdir()
    (tmp_path / "logseq" / "config.edn").write_text("{}\n", "utf-8")
    (tmp_path / "p.md").write_text(f"- #key {label}\n  key-weight:: 50\n  value:: 50\n",
                                   "utf-8")
    [page] = json.loads(run("scores", str(tmp_path), "--format", "json").stdout)["pages"]
    assert page["keys"][0]["label"] == label
    table = run("scores", str(tmp_path)).stdout
    assert "Customer understanding" in table and "\u2026" in table and "churn" not in table


def test_scores_json_says_why_a_weight_or_a_score_is_null(tmp_path: Path) -> None:
    """``weight:: high`` and keys that all weigh 0 were ``null`` in the JSON with no
    word, as if the page had no weight or no keys (the table marks ``high!``)."""
    (tmp_path / "logseq").mkdir()
    (tmp_path / "logseq" / "config.edn").write_text("{}\n", "utf-8")
    (tmp_path / "high.md").write_text("weight:: high\n\n- #key k\n  key-weight:: 10\n"
                                      "  value:: 40\n", "utf-8")
    (tmp_path / "zero.md").write_text("weight:: 30\n\n- #key k\n  key-weight:: 0\n"
                                      "  value:: 40\n", "utf-8")
    (tmp_path / "empty.md").write_text("weight::\n\n- #key k\n  key-weight:: 10\n"
                                       "  value:: 40\n", "utf-8")
    pages = json.loads(run("scores", str(tmp_path), "--format", "json").stdout)["pages"]
    empty, high, zero = pages
    assert (empty["weight"], "note" in empty) == (None, False)  # no weight, as check reads it
    assert (high["weight"], high["score"]) == (None, 40.0)
    assert high["note"] == ("weight 'high' is no whole number from 0 to 100: its parent's "
                            "roll-up leaves it out")
    assert (zero["weight"], zero["score"]) == (30, None)
    assert zero["note"] == "its keys weigh nothing (every key-weight is 0): no score"


def test_scores_all_lists_every_page(seeds_vault: Path) -> None:
    result = run("scores", str(seeds_vault), "--format", "json", "--all")
    assert len(json.loads(result.stdout)["pages"]) == 5


def test_graph_json_is_strict_json_whatever_the_values(tmp_path: Path) -> None:
    """YAML's .nan and .inf were written as NaN and Infinity, which JSON has not: Node's
    JSON.parse, Go and serde_json reject the whole file."""
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / "N.md").write_text("---\nratio: .nan\nlimit: .inf\nlist: [-.inf, 1.5]\n---\n"
                                   "Body\n", encoding="utf-8")

    def refuse(name: str) -> object:
        raise ValueError(f"not JSON: {name}")

    document = json.loads(run("graph", str(tmp_path), "-q").stdout, parse_constant=refuse)
    (node,) = [n for n in document["nodes"] if n["id"] == "n"]
    assert node["properties"] == {"ratio": "NaN", "limit": "Infinity",
                                  "list": ["-Infinity", 1.5]}


def test_kbc_alone_shows_its_help_as_it_is() -> None:
    """It showed the whole help squashed onto one 'kbc: error:' line."""
    result = CliRunner().invoke(main, [], prog_name="kbc")
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: kbc [OPTIONS] COMMAND")
    assert "\nCommands:\n" in result.stderr and "kbc: error" not in result.stderr


def test_summaries_count_one_thing_in_the_singular(tmp_path: Path) -> None:
    """"built 1 pages", "1 edges", "1 components"."""
    vault = tmp_path / "v"
    vault.mkdir()
    (vault / "only.md").write_text("alone\n", encoding="utf-8")
    graph = run("graph", str(vault))
    assert graph.stderr == ("kbc graph: 1 page, 0 missing, 0 assets, 0 edges, 1 orphan, "
                            "1 component\n")
    built = run("build", str(vault), "-o", str(tmp_path / "site"), "--no-search")
    assert built.stderr.startswith("kbc: built 1 page into ")
    exported = run("export", str(vault), "-o", str(tmp_path / "out"))
    assert "\nkbc export: 1 page and 0 assets written as " in exported.stderr


def test_a_graph_kept_beside_the_pages_is_not_an_asset_of_the_next_run(
        tmp_path: Path) -> None:
    """``-o`` may write a report beside the pages; run again, the graph counted its own
    file as an asset of the vault, and the same command gave other bytes."""
    vault = tmp_path / "v"
    vault.mkdir()
    (vault / "a.md").write_text("[[b]] ![[pic.png]]\n", encoding="utf-8")
    (vault / "pic.png").write_bytes(b"png")
    target = vault / "graph.json"
    first = run("graph", str(vault), "-o", str(target))
    written = target.read_bytes()
    second = run("graph", str(vault), "-o", str(target))
    assert target.read_bytes() == written and first.stderr == second.stderr
    assets = [n["id"] for n in json.loads(written)["nodes"] if n["kind"] == "asset"]
    assert assets == ["asset:pic.png"]


def test_the_scores_note_says_when_there_is_nothing_to_roll_up(tmp_path: Path) -> None:
    """A page with no keys and no children was told its roll-up comes from its
    children, next to a roll-up of null."""
    vault = tmp_path / "v"
    vault.mkdir()
    (vault / "a.md").write_text("weight:: 30\n\n- text\n", encoding="utf-8")
    (vault / "p.md").write_text("- x\n", encoding="utf-8")
    (vault / "p___c.md").write_text("weight:: 50\n\n- k\n  key-weight:: 10\n  value:: 80\n",
                                    encoding="utf-8")
    pages = json.loads(run("scores", str(vault), "--format", "json", "--all").stdout)["pages"]
    notes = {p["id"]: (p["rollup"], p.get("note")) for p in pages}
    assert notes["a"] == (None, "no keys and no scored children: no score and no roll-up")
    assert notes["p"] == (80.0, "no keys: the roll-up comes from its children only")
