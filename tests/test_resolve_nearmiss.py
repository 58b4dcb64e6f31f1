"""Near-miss suggestions for names that resolve to nothing, and loose matching."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kb_compiler import load
from kb_compiler.check import check_vault
from kb_compiler.model import RefKind
from kb_compiler.resolve import resolve
from kb_compiler.resolve.nearmiss import NearMissIndex, loose_key
from tests.test_resolve_builders import graph_of, obsidian, page, ref


@pytest.mark.parametrize(("written", "meant"), [
    ("profile (id)", "profile-(id)"),          # the seeds' fault: space for hyphen
    ("Profile-(ID)", "profile-(id)"),          # case (when it did not already resolve)
    ("profile_id", "profile-(id)"),            # underscore, no brackets
    ("profile-(id)___persona", "profile-(id)/persona"),  # file-name form of a namespace
    ("BusinessModel Canvas", "Business Model Canvas"),   # spacing
    ("Busines Model Canvas", "Business Model Canvas"),   # one letter missing
    ("Buisness Model Canvas", "Business Model Canvas"),  # two letters swapped
    ("Jobs-to-be-done framework", "Jobs to be Done Framework"),
])
def test_near_misses_are_suggested(written: str, meant: str) -> None:
    index = NearMissIndex([(meant, meant.lower()), ("Empathy Map", "empathy map"),
                           ("profile-(id)/goals", "profile-(id)/goals")])
    assert index.suggest(written) == (meant, meant.lower())


@pytest.mark.parametrize("written", ["Map", "abc", "Completely different", "Goals"])
def test_far_names_get_no_suggestion(written: str) -> None:
    index = NearMissIndex([("Empathy Map", "empathy map"), ("profile-(id)/goals", "x")])
    assert index.suggest(written) is None


@pytest.mark.parametrize(("written", "there"), [
    ("Sep 18th, 2020", "Sep 14th, 2020"),  # another day (Logseq's docs graph had 43)
    ("2023-09-13", "2023-09-12"),          # another Obsidian daily note
    ("Chapter 4", "Chapter 3"),
    ("v1.2 release notes", "v1.3 release notes"),
])
def test_names_that_differ_only_in_their_numbers_are_no_near_misses(written: str,
                                                                    there: str) -> None:
    assert NearMissIndex([(there, there.lower())]).suggest(written) is None


def test_a_journal_day_gets_no_suggestion() -> None:
    """"Jun 29th, 2021" is a day of its own, not a typo of the journal of Jan 29th."""
    index = NearMissIndex([("Jan 29th, 2021", "jan 29th, 2021"), ("Junk", "junk")],
                          is_day=lambda name: name.startswith(("Jan", "Jun")))
    assert index.suggest("Jun 29th, 2021") is None
    assert NearMissIndex([("Jan 29th, 2021", "j")]).suggest("Jun 29th, 2021") is not None


def test_a_logseq_graph_links_to_a_missing_day_without_a_suggestion(tmp_path: Path) -> None:
    """With loose matching a near miss resolves silently: a link to a day without a
    journal landed on another day's page. A day is read in the graph's title format."""
    graph = tmp_path / "graph"
    (graph / "logseq").mkdir(parents=True)
    (graph / "logseq/config.edn").write_text("{}\n", encoding="utf-8")
    (graph / "journals").mkdir()
    (graph / "journals/2021_01_29.md").write_text("- a day\n", encoding="utf-8")
    (graph / "pages").mkdir()
    (graph / "pages/Weekly review.md").write_text("- notes\n", encoding="utf-8")
    (graph / "pages/a.md").write_text(
        "- [[Jun 29th, 2021]] [[Jan 28th, 2021]] [[Weekly reveiw]]\n", encoding="utf-8")
    strict = check_vault(graph, cache_dir=None)
    # A day without a journal file is a page Logseq has all the same (its date picker
    # writes such links): not broken, and not some other day either.
    assert [(d.target, d.suggestion) for d in strict.diagnostics] == [
        ("Weekly reveiw", "Weekly review")]
    (graph / "kbc.toml").write_text("loose-matching = true\n", encoding="utf-8")
    loose = check_vault(graph, cache_dir=None)
    assert loose.diagnostics == ()
    landed = resolve(load(graph, cache_dir=None)).outgoing("a")
    assert [(r.target.page, r.target.implied) for r in landed] == [
        (None, True), (None, True), ("weekly review", False)]


def test_loose_key_folds_what_authors_mix_up() -> None:
    assert loose_key("profile (id)") == loose_key("Profile-(ID)") == "profileid"
    assert loose_key("a___b") == loose_key("a / b") == "a/b"


def test_suggestion_reaches_diagnostics_in_both_dialects() -> None:
    for make in (page, obsidian):
        graph = graph_of(make("profile-(id).md", name="profile-(id)"),
                         make("x.md", name="x", refs=(ref("profile (id)", 4),)))
        target = graph.outgoing("x")[0].target
        assert (target.exists, target.suggestion) == (False, "profile-(id)")
        assert graph.diagnostics[0].suggestion == "profile-(id)"


def test_aliases_are_suggested_too() -> None:
    graph = graph_of(page("pages/Business Model Canvas.md", aliases=("BMC-2",)),
                     page("pages/x.md", refs=(ref("BMC 2"),)))
    assert graph.outgoing("x")[0].target.suggestion == "BMC-2"


def test_loose_matching_resolves_near_misses_silently() -> None:
    pages = (page("pages/profile-(id).md"),
             page("pages/x.md", refs=(ref("profile (id)", 2, RefKind.PROPERTY,
                                          property="relations"),)))
    strict = graph_of(*pages)
    assert [d.code for d in strict.diagnostics] == ["broken-relation"]
    loose = graph_of(*pages, loose=True)
    target = loose.outgoing("x")[0].target
    assert (target.page, target.exists) == ("profile-(id)", True)
    assert loose.diagnostics == ()
    assert loose.graph.has_edge("x", "profile-(id)")


def test_search_scales_to_ten_thousand_pages() -> None:
    names = [(f"Topic {n} about area {n % 97}", f"t{n}") for n in range(10_000)]
    started = time.process_time()
    index = NearMissIndex(names)
    hits = [index.suggest(f"Topik {n} about area {n % 97}") for n in range(0, 10_000, 5)]
    elapsed = time.process_time() - started
    assert hits[1] == (names[5][0], "t5")
    assert all(hit is not None for hit in hits)
    assert elapsed < 5, elapsed


def test_a_released_index_keeps_its_suggestions_and_searches_again() -> None:
    index = NearMissIndex([("Business Model Canvas", "bmc"), ("Empathy Map", "em")])
    assert index.suggest("Busines Model Canvas") == ("Business Model Canvas", "bmc")
    index.release()
    assert index.suggest("Busines Model Canvas") == ("Business Model Canvas", "bmc")
    assert index.suggest("Empaty Map") == ("Empathy Map", "em")  # built again


def test_resolution_releases_the_indexes_and_a_later_lookup_builds_them_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    builds: list[int] = []
    build = NearMissIndex._build

    def counted(index: NearMissIndex) -> None:
        builds.append(1)
        build(index)

    monkeypatch.setattr(NearMissIndex, "_build", counted)
    graph = graph_of(page("pages/Business Model Canvas.md"),
                     page("pages/x.md", refs=(ref("Busines Model Canvas"),)))
    assert graph.outgoing("x")[0].target.suggestion == "Business Model Canvas"
    assert len(builds) == 1
    assert graph.lookup("Business Model Canvs", "x").suggestion == "Business Model Canvas"
    assert len(builds) == 2
