"""Key-weight scores and roll-ups: the arithmetic, on hand-made pages, the sample vault
and random input (hypothesis)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kb_compiler import load
from kb_compiler.cli import main
from kb_compiler.resolve import resolve
from kb_compiler.resolve.schema import Schema, TypeRule
from kb_compiler.resolve.scores import compute_scores, key_label, weighted_mean
from kb_compiler.resolve.types import KeyScore
from tests.conftest import TRIPLE_LOWBAR, write_vault
from tests.test_resolve_builders import block, graph_of, page, prop

SAMPLE_VAULT = Path(__file__).resolve().parent.parent / "vault"


def key_block(index: int, line: int, weight: object, value: object, label: str = "k"):
    return block(index, line, label, props=(prop("key-weight", weight, line + 1),
                                            prop("value", value, line + 2)))


def keyed(path: str, *keys: tuple[object, object], weight: object = None):
    blocks = tuple(key_block(i, 10 + 3 * i, w, v, f"key {i}") for i, (w, v) in enumerate(keys))
    props = (prop("weight", weight, 3),) if weight is not None else ()
    return page(path, blocks=blocks, props=props)


def test_seed_score_is_the_key_weighted_mean() -> None:
    graph = graph_of(keyed("pages/profile-(id).md", (75, 50), (60, 50), weight=70))
    score = graph.score("profile-(id)")
    assert score.score == (75 * 50 + 60 * 50) / (75 + 60) == 50
    assert score.weight == 70
    assert [(k.key_weight, k.value, k.line) for k in score.keys] == [(75, 50, 10), (60, 50, 13)]


def test_unequal_values_are_weighted() -> None:
    graph = graph_of(keyed("pages/s.md", (80, 70), (60, 55), (40, 30)))
    assert graph.score("s").score == pytest.approx((80 * 70 + 60 * 55 + 40 * 30) / 180)


def test_page_without_keys_has_no_score() -> None:
    graph = graph_of(page("pages/plain.md"))
    assert (graph.score("plain").score, graph.score("plain").rollup) == (None, None)
    assert graph.score("missing page") is None


def test_keys_that_weigh_nothing_give_no_score() -> None:
    assert graph_of(keyed("pages/z.md", (0, 80))).score("z").score is None


def test_invalid_keys_are_left_out_and_reported() -> None:
    graph = graph_of(keyed("pages/k.md", (50, 100), ("high", 40), (150, 10), (True, 10),
                           (20, 101)))
    score = graph.score("k")
    assert [k.key_weight for k in score.keys] == [50]
    assert score.score == 100
    invalid = [(d.code, d.line) for d in graph.diagnostics]
    assert invalid == [("invalid-property", 14), ("invalid-property", 17),
                       ("invalid-property", 20), ("invalid-property", 24)]


def test_half_a_key_is_reported() -> None:
    lone = page("pages/h.md", blocks=(block(0, 4, "k", props=(prop("key-weight", 30, 5),)),))
    graph = graph_of(lone)
    assert graph.score("h").keys == ()
    (warning,) = graph.diagnostics
    assert (warning.code, warning.severity.value, warning.line) == ("invalid-property",
                                                                    "warning", 5)


def test_key_label_is_the_link_text_or_the_block_text() -> None:
    seed = block(0, 1, "#block [[profile-(id)]] > #key 💰75 [Customer Understanding]"
                 "(https://go.plastilinn.com/#/page/profile-%28id%29%2FCustomer%20Understanding)"
                 " {{renderer :slider_rjxyar}} [:span {:is \"slider-rjxyar\"}]")
    assert key_label(seed) == "Customer Understanding"
    assert key_label(block(0, 1, "#key [[Reach]] of the persona {{renderer :x}}")) == \
        "Reach of the persona"
    # the seeds' key line without its link: the breadcrumb and the badge are no name
    assert key_label(block(0, 1, "#block [[art]] > #key 💰75 Customer Understanding "
                                 "{{renderer :slider_rjxyar}} [:span {:is \"slider-rjxyar\"}]"
                           )) == "Customer Understanding"
    assert key_label(block(0, 1, "#key Reach > [[Persona]] 💰 of 2")) == \
        "Reach Persona 💰 of 2"
    # words of the label itself stay: a link before ">" with no tag before it, a sum
    assert key_label(block(0, 1, "[[Customer]] > [[Churn]] risk #key")) == \
        "Customer Churn risk"
    assert key_label(block(0, 1, "#key Budget 💰50 per month")) == "Budget 💰50 per month"


def test_rollup_weighs_children_by_their_weight() -> None:
    graph = graph_of(
        keyed("pages/p.md", (75, 50), (60, 50), weight=70),
        keyed("pages/p___a.md", (1, 80), weight=40),
        keyed("pages/p___b.md", (1, 20), weight=10),
    )
    parent = graph.score("p")
    assert parent.children == ("p/a", "p/b")
    assert parent.rollup == pytest.approx((100 * 50 + 40 * 80 + 10 * 20) / (100 + 40 + 10))


def test_children_without_a_valid_weight_or_rollup_do_not_count() -> None:
    graph = graph_of(
        keyed("pages/p.md", (1, 50)),
        keyed("pages/p___bad.md", (1, 100), weight="high"),
        keyed("pages/p___none.md", weight=30),
    )
    parent = graph.score("p")
    assert set(parent.children) == {"p/bad", "p/none"}
    assert parent.rollup == 50


def test_a_rollup_with_no_part_counted_is_the_score_itself() -> None:
    """(100 * 51.666666666666664) / 100 is 51.66666666666667: the site labelled such a
    ring "roll-up" while nothing was rolled up (the sample vault's persona)."""
    graph = graph_of(keyed("pages/p.md", (70, 60), (50, 40), weight=40),
                     keyed("pages/p___bad.md", (1, 100), weight="high"))
    score = graph.score("p")
    assert score.score == 6200 / 120 and 100 * score.score / 100 != score.score
    assert score.rollup == score.score


def test_page_without_keys_rolls_up_its_children_only() -> None:
    graph = graph_of(page("pages/p.md"), keyed("pages/p___a.md", (1, 90), weight=30),
                     keyed("pages/p___b.md", (1, 30), weight=10))
    assert graph.score("p").score is None
    assert graph.score("p").rollup == pytest.approx((30 * 90 + 10 * 30) / 40)


def test_rollup_goes_up_through_every_level() -> None:
    graph = graph_of(keyed("pages/a.md", (1, 0)), keyed("pages/a___b.md", (1, 100), weight=50),
                     keyed("pages/a___b___c.md", (1, 0), weight=100))
    assert graph.score("a/b").rollup == pytest.approx(50)
    assert graph.score("a").rollup == pytest.approx(50 * 50 / 150)


def test_namespace_children_without_type_or_weight_are_not_children() -> None:
    graph = graph_of(keyed("pages/a.md", (1, 10)), keyed("pages/a___notes.md", (1, 90)))
    assert graph.score("a").children == ()
    assert graph.score("a").rollup == 10


def test_schema_children_cycles_are_cut() -> None:
    schema = Schema(types=(TypeRule("x", "X", children=("y",)),
                           TypeRule("y", "Y", children=("x",))))
    graph = graph_of(
        page("pages/x.md", props=(prop("metamodel-id", "x", 1), prop("weight", 50, 2)),
             blocks=(key_block(0, 5, 1, 40),)),
        page("pages/y.md", props=(prop("metamodel-id", "y", 1), prop("weight", 50, 2)),
             blocks=(key_block(0, 5, 1, 80),)),
        schema=schema)
    assert graph.score("x").children == ("y",) and graph.score("y").children == ("x",)
    assert graph.score("x").rollup == pytest.approx((100 * 40 + 50 * 80) / 150)


def test_sample_vault_scores_match_its_readme() -> None:
    graph = resolve(load(SAMPLE_VAULT, cache_dir=None))
    expected = {"profile-(id)": 50.0, "profile-(id)/persona": 51.67,
                "profile-(id)/segmentation": 56.11, "profile-(id)/goals": 51.25,
                "profile-(id)/emotions": 41.88}
    assert {k: round(graph.score(k).score, 2) for k in expected} == expected
    # emotions has `weight:: high`, so it does not count in the profile's roll-up.
    assert graph.score("profile-(id)/emotions").weight is None
    rollup = (100 * 50 + 40 * (70 * 60 + 50 * 40) / 120 + 25 * (80 * 70 + 60 * 55 + 40 * 30)
              / 180 + 20 * (70 * 45 + 50 * 60) / 120) / (100 + 40 + 25 + 20)
    assert graph.score("profile-(id)").rollup == pytest.approx(rollup)


scores = st.integers(min_value=0, max_value=100)


@settings(deadline=None, derandomize=True, database=None)
@given(st.lists(st.tuples(scores, scores), max_size=12))
def test_score_stays_within_0_and_100(pairs: list[tuple[int, int]]) -> None:
    keys = tuple(KeyScore("k", w, v, 1, 0) for w, v in pairs)
    result = weighted_mean(keys)
    if sum(w for w, _ in pairs) == 0:
        assert result is None
    else:
        assert 0 <= result <= 100
        assert min(v for w, v in pairs if w) <= result <= max(v for w, v in pairs if w)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.lists(st.tuples(scores, scores), max_size=3),
                          st.one_of(st.none(), scores)), min_size=1, max_size=8))
def test_rollup_stays_within_0_and_100(tree: list[tuple[int, list, int | None]]) -> None:
    """Random namespace trees: page n's parent is an earlier page (or none)."""
    names: list[str] = []
    pages = []
    for number, (parent, keys, weight) in enumerate(tree):
        name = f"{names[parent % len(names)]}/n{number}" if names and parent else f"n{number}"
        names.append(name)
        pages.append(keyed(f"pages/{name.replace('/', '___')}.md", *keys, weight=weight))
    graph = graph_of(*pages)
    for score in compute_scores({p.id: p for p in pages}, {}).values():
        assert score.score is None or 0 <= score.score <= 100
    for name in names:
        rollup = graph.score(name.lower()).rollup
        assert rollup is None or 0 <= rollup <= 100


def test_obsidian_keys_are_dataview_fields_and_an_export_keeps_every_score(
        tmp_path: Path) -> None:
    """In an Obsidian note a key is a paragraph or list item with Dataview's
    ``key-weight::`` and ``value::`` lines (kbc's export writes them so): its scores
    were null, in a vault exported from Logseq too. A field in code is no field."""
    (tmp_path / "note").mkdir()
    (tmp_path / "note" / ".obsidian").mkdir()
    (tmp_path / "note" / "Persona.md").write_text(
        "---\nweight: 40\n---\n# Persona\n\n- [Reach](https://example.com)\n"
        "  key-weight:: 75\n  value:: 50 ^reach\n- Trust\n  key-weight:: 25\n  value:: high\n"
        "\n```\nkey-weight:: 99\nvalue:: 99\n```\n", "utf-8")
    graph = resolve(load(tmp_path / "note", cache_dir=None))
    score = graph.score("persona")
    assert score is not None
    assert [(k.label, k.key_weight, k.value, k.line) for k in score.keys] == [
        ("Reach", 75, 50, 6)]
    assert [(d.code, d.line) for d in graph.diagnostics] == [("invalid-property", 11)]
    source = resolve(load(SAMPLE_VAULT, cache_dir=None))
    result = CliRunner().invoke(main, ["export", str(SAMPLE_VAULT), "-o", str(tmp_path / "out"),
                                       "--to", "obsidian", "-q"])
    assert result.exit_code == 0, result.output
    exported = resolve(load(tmp_path / "out", cache_dir=None))

    def scored(graph) -> list[tuple[object, ...]]:
        return sorted((s.page, s.score, s.rollup, [(k.label, k.key_weight, k.value)
                                                   for k in s.keys])
                      for s in graph.scores() if s.keys or s.rollup is not None)

    assert scored(exported) == scored(source) and scored(source)


def test_a_property_written_twice_counts_once_by_its_last_value(tmp_path: Path) -> None:
    """Logseq builds a block's property map from its lines in order, so the last of a
    repeated key wins. kbc took the first for weight, scores and the graph's properties
    while the page's tags held both lines; now every output agrees, and the check warns."""
    graph = write_vault(tmp_path / "graph", {
        "logseq/config.edn": "{}\n",
        "pages/d.md": "weight:: 10\nWeight:: 90\ntags:: a\ntags:: b\n\n- k\n"
                      "  key-weight:: 50\n  value:: 40\n  value:: 60\n"})
    knowledge = resolve(load(graph, cache_dir=None))
    page = knowledge.page("d")
    assert page is not None and page.property("weight").value == 90
    assert page.tags == ("b",)
    node = knowledge.graph.nodes["d"]
    assert node["properties"] == {"weight": 90, "tags": ["b"]} and node["tags"] == ["b"]
    (score,) = [s for s in knowledge.scores() if s.page == "d"]
    assert (score.weight, score.score) == (90, 60.0)
    assert [(d.code, d.line, d.column, d.end_column) for d in page.diagnostics
            if d.code == "duplicate-property"] == [
        ("duplicate-property", 2, 1, 7), ("duplicate-property", 4, 1, 5),
        ("duplicate-property", 9, 3, 8)]


def test_a_child_shared_by_two_parents_counts_in_both(tmp_path: Path) -> None:
    """Schema children p -> p/x, p/y and p/y -> p/x (no cycle): p/x, still waiting on
    the stack as p's child when p/y was expanded, was taken for an ancestor and left
    out of p/y's roll-up (0 instead of 50), and so of p's (33.3 instead of 50)."""
    graph = write_vault(tmp_path / "graph", {
        "logseq/config.edn": TRIPLE_LOWBAR,
        "kbc-schema.yaml": "version: 1\ntypes:\n  p:\n    children: [p/x, p/y]\n  p/y:\n"
                           "    children: [p/x]\n  p/x: {}\n"})
    for name, weight, value in (("p", None, 0), ("p___x", 100, 100), ("p___y", 100, 0)):
        head = f"metamodel-id:: [[{name.replace('___', '/')}]]\n"
        head += f"weight:: {weight}\n" if weight is not None else ""
        write_vault(graph, {f"pages/{name}.md":
                            f"{head}\n- k\n  key-weight:: 10\n  value:: {value}\n"})
    scores = {s.page: s for s in resolve(load(graph, cache_dir=None)).scores()}
    assert scores["p/y"].children == ("p/x",)
    assert (scores["p/y"].rollup, scores["p"].rollup) == (50.0, 50.0)


def test_a_page_is_typed_by_its_last_metamodel_id(tmp_path: Path) -> None:
    """Of two ``metamodel-id::`` lines Logseq keeps the last, as the graph's properties
    show; the page was typed, and schema-checked, by the first."""
    graph = write_vault(tmp_path / "graph", {
        "logseq/config.edn": "{}\n",
        "kbc-schema.yaml": "version: 1\ntypes:\n  a:\n    required-properties: [weight]\n"
                           "  b: {}\n",
        "pages/a.md": "- a\n", "pages/b.md": "- b\n",
        "pages/twolines.md": "metamodel-id:: [[a]]\nmetamodel-id:: [[b]]\n- two lines\n"})
    knowledge = resolve(load(graph, cache_dir=None))
    assert knowledge.graph.nodes["twolines"]["type"] == "b"
    assert [d.code for d in knowledge.diagnostics if d.path == "pages/twolines.md"] == []


def test_a_half_is_shown_rounded_up(tmp_path: Path) -> None:
    """The sample vault's goals score 51.25, shown 51.2 by the table and the site's home
    page (a half rounded to even); JSON keeps the exact figure."""
    table = CliRunner().invoke(main, ["scores", str(SAMPLE_VAULT)], terminal_width=200)
    (goals,) = [row for row in table.output.splitlines() if "profile-(id)/goals " in row]
    assert goals.split("│")[-3:-1] == ["  51.3 ", "    51.3 "]
    scores = CliRunner().invoke(main, ["scores", str(SAMPLE_VAULT), "--format", "json"])
    assert '"score": 51.25,' in scores.output
    from kb_compiler.emit.site.theme import format_score
    assert [format_score(v) for v in (51.25, 0.05, 50.0, 100, None)] == [
        "51.3", "0.1", "50", "100", "\u2014"]


def test_the_site_rounds_a_ring_as_its_title_does(tmp_path: Path) -> None:
    """Small rings showed 42.5 as 42 and 50.5 as 50 (Jinja's round: half to even) under
    titles of 42.5 and 50.5; the large ring showed the roll-up labelled "score"."""
    from kb_compiler.emit.site import SiteOptions, build_site
    vault = write_vault(tmp_path / "vault", {
        "art.md": "- k\n  key-weight:: 10\n  value:: 40\n",
        "art___c1.md": "weight:: 10\n\n- k\n  key-weight:: 2\n  value:: 40\n"
                       "- k\n  key-weight:: 2\n  value:: 45\n",
        "art___c2.md": "weight:: 10\n\n- k\n  key-weight:: 2\n  value:: 50\n"
                       "- k\n  key-weight:: 2\n  value:: 51\n"})
    build_site(resolve(load(vault, cache_dir=None)), tmp_path / "site",
               SiteOptions(search=False))
    html = (tmp_path / "site" / "art.html").read_text("utf-8")
    rings = re.findall(r'aria-label="([^"]+)"[^>]*><span class="score-ring-value">([^<]+)<',
                       html)
    assert rings == [("roll-up 41.1", "41.1"), ("score 42.5", "43"), ("score 50.5", "51")]
    assert 'style="--v: 42.5"' in html


def test_roll_ups_survive_an_export_to_obsidian(tmp_path: Path) -> None:
    """Without a schema a page rolls up its namespace children; the export writes a
    namespace as a folder beside its note (art.md, art/sub.md), which counted as no
    child, and the roll-up fell from 50 to 0. An Obsidian note's folder is its children
    for roll-ups."""
    from kb_compiler.emit.vault import export_vault
    from kb_compiler.model import Dialect

    graph = write_vault(tmp_path / "graph", {
        "logseq/config.edn": TRIPLE_LOWBAR,
        "pages/art.md": "- Own key\n  key-weight:: 10\n  value:: 0\n",
        "pages/art___sub.md": "weight:: 100\n\n- Child key\n  key-weight:: 10\n  value:: 100\n"})
    source = resolve(load(graph, cache_dir=None))
    export_vault(source, tmp_path / "obsidian", to=Dialect.OBSIDIAN)
    exported = resolve(load(tmp_path / "obsidian", cache_dir=None))
    assert (tmp_path / "obsidian/art/sub.md").is_file()

    def rollups(knowledge: object) -> dict[str, tuple[float | None, tuple[str, ...]]]:
        return {s.page: (s.rollup, s.children) for s in knowledge.scores()}  # type: ignore[attr-defined]

    assert rollups(exported) == rollups(source) == {
        "art": (50.0, ("art/sub",)), "art/sub": (100.0, ())}


def test_the_graph_finds_a_page_and_its_score_by_a_name_in_any_case() -> None:
    """``kb.page("PROFILE-(ID)")`` found the page while ``graph.page`` and
    ``graph.score`` wanted the lower-case id, and said None as for no page at all."""
    import kb_compiler
    from kb_compiler.resolve import resolve
    from tests.conftest import SAMPLE_VAULT

    graph = resolve(kb_compiler.load(SAMPLE_VAULT, cache_dir=None))
    expected = graph.score("profile-(id)")
    assert expected is not None and graph.score("Profile-(ID)") == expected
    assert graph.page("PROFILE-(ID)") == graph.page("profile-(id)") is not None
    assert graph.score("no such page") is None and graph.page("No Such Page") is None


def test_a_number_the_check_accepts_is_counted(tmp_path: Path) -> None:
    """``weight:: +30`` and ``key-weight:: +10`` (Logseq keeps them text) and YAML's
    ``weight: "40"`` passed the check but were left out of the scores without a word,
    so a clean check came with a roll-up of 35 instead of 50."""
    graph = write_vault(tmp_path / "graph", {
        "logseq/config.edn": TRIPLE_LOWBAR,
        "pages/art.md": "- key A\n  key-weight:: 50\n  value:: 40\n",
        "pages/art___c1.md": "weight:: +30\n\n- k\n  key-weight:: 10\n  value:: 90\n",
        "pages/art___c2.md": "weight:: 20\n\n- k\n  key-weight:: +10\n  value:: 40\n"})
    knowledge = resolve(load(graph, cache_dir=None))
    assert not [d for d in knowledge.diagnostics if d.code == "invalid-property"]
    scores = {s.page: s for s in knowledge.scores()}
    assert (scores["art/c1"].weight, scores["art/c2"].score) == (30, 40.0)
    assert scores["art"].rollup == 50.0
    vault = write_vault(tmp_path / "vault", {
        "art.md": "---\nweight: 10\n---\n- k [key-weight:: 10] [value:: 0]\n",
        "art/sub.md": '---\nweight: "40"\n---\n- k [key-weight:: 10] [value:: 90]\n'})
    scores = {s.page: s for s in resolve(load(vault, cache_dir=None)).scores()}
    assert scores["art/sub"].weight == 40


def test_a_roll_up_cycle_through_namespaces_is_reported(tmp_path: Path) -> None:
    """The schema refuses child types that lead back to a type, but a namespace child
    with a schema child type can close a cycle all the same (a -> a/b by namespace,
    a/b -> a by the schema): it was cut without a word, where the pages' names put it."""
    graph = write_vault(tmp_path / "graph", {
        "logseq/config.edn": TRIPLE_LOWBAR,
        "kbc-schema.yaml": "types:\n  a: {label: A}\n  a/b: {label: B, children: [a]}\n",
        "pages/a.md": "metamodel-id:: [[a]]\nweight:: 50\n\n- k\n  key-weight:: 10\n"
                      "  value:: 0\n",
        "pages/a___b.md": "metamodel-id:: [[a/b]]\nweight:: 50\n\n- k\n  key-weight:: 10\n"
                          "  value:: 100\n"})
    problems = [d for d in resolve(load(graph, cache_dir=None)).diagnostics
                if d.code == "schema-violation"]
    assert [(d.path, d.line, d.message.split(" (")[1].split(")")[0]) for d in problems] == [
        ("pages/a.md", 1, "a -> a/b -> a")]
    from kb_compiler.check import check_vault
    assert [d.code for d in check_vault(graph).diagnostics] == ["schema-violation"]


def test_scores_write_to_a_file_with_o(tmp_path: Path) -> None:
    """Machine output goes to stdout or -o FILE (INTERFACE.md); kbc scores had no -o."""
    out = tmp_path / "scores.json"
    run = CliRunner().invoke(main, ["scores", str(SAMPLE_VAULT), "--format", "json",
                                    "-o", str(out)])
    assert run.exit_code == 0 and run.stdout == ""
    shown = CliRunner().invoke(main, ["scores", str(SAMPLE_VAULT), "--format", "json"])
    assert out.read_text("utf-8") == shown.stdout
    table = tmp_path / "scores.txt"
    assert CliRunner().invoke(main, ["scores", str(SAMPLE_VAULT), "-o", str(table)]).exit_code == 0
    assert "profile-(id)" in table.read_text("utf-8") and "\x1b[" not in table.read_text("utf-8")
    refused = CliRunner().invoke(main, ["scores", str(SAMPLE_VAULT), "-o",
                                        str(SAMPLE_VAULT / "Profiles.md")])
    assert refused.exit_code == 2 and "Profiles.md" in refused.stderr
