"""Property-based round trips: hypothesis writes small Logseq graphs and Obsidian vaults
from the constructs both dialects share (namespaces, typed properties, links with and
without labels, aliases, tags with spaces, page and block embeds, block refs, headings,
nested outlines, assets, macros, code that holds no links) and checks that converting
to the other dialect and back keeps every page, property and edge, that exporting again
to the same dialect changes no byte, and that the source never changes."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.export_support import export, facts, graph_of, obsidian_ids, tree_bytes, tree_digest
from tests.vaultgen import PNG

LOGSEQ_NAMES = ("Alpha", "beta gamma", "ns/child", "ns/child/leaf", "C#", "Why?", "a:b",
                "x_y", "Noël 🔍", "50% off", "v1.2 plan", "Tag.Dot")
OBSIDIAN_NAMES = ("Alpha", "beta gamma", "folder/Note", "folder/deep/Leaf", "Noël 🔍",
                  "50% off", "v1.2 plan", "x_y")
MISSING = ("Nowhere", "missing page", "ns/ghost")
WORDS = ("apple", "river", "signal", "model", "quiet", "lantern")
TAGS = ("topic", "multi word", "ns/child", "Alpha", "x-y")
SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def logseq_vault(draw: st.DrawFn) -> dict[str, str]:
    names = draw(st.lists(st.sampled_from(LOGSEQ_NAMES), min_size=1, max_size=4, unique=True))
    ids = [str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1)), version=4)) for _ in names]
    targets = st.sampled_from([*names, *MISSING, *(n.upper() for n in names)])
    files: dict[str, str] = {}
    for index, name in enumerate(names):
        lines = _logseq_properties(draw, targets, index)
        for number in range(draw(st.integers(1, 4))):
            depth = draw(st.integers(0, min(number, 2)))
            lines.append("\t" * depth + "- " + _logseq_inline(draw, targets, names, ids))
            if number == 0:
                lines.append("\t" * depth + f"  id:: {ids[index]}")
            if draw(st.booleans()):
                lines.append("\t" * depth + f"  rating:: {draw(st.integers(0, 9))}")
        body = name.replace("/", "___").replace("?", "%3F").replace(":", "%3A").replace(
            "#", "%23").replace("%%", "%25%")
        files[f"pages/{body}.md"] = "\n".join(lines) + "\n"
    files["logseq/config.edn"] = "{:file/name-format :triple-lowbar}\n"
    return files


def _logseq_properties(draw: st.DrawFn, targets: st.SearchStrategy[str],
                       index: int) -> list[str]:
    lines = []
    if draw(st.booleans()):
        lines.append(f"weight:: {draw(st.integers(0, 100))}")
    if draw(st.booleans()):
        refs = draw(st.lists(targets, min_size=1, max_size=3))
        lines.append("relations:: " + ", ".join(f"[[{r}]]" for r in refs))
    if draw(st.booleans()):
        lines.append("tags:: " + ", ".join(f"[[{t}]]" if " " in t else t
                                          for t in draw(st.lists(st.sampled_from(TAGS),
                                                                 min_size=1, max_size=2))))
    if draw(st.booleans()):
        lines.append(f"alias:: other name {index}")
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["public:: true", 'year:: "1999"', "ratio:: 0.5",
                                           "note:: see http://x.org/#a", "when:: 2024-01-15"])))
    return [*lines, ""] if lines else lines


def _logseq_inline(draw: st.DrawFn, targets: st.SearchStrategy[str], names: list[str],
                   ids: list[str]) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, 16))
        target = draw(targets)
        block = draw(st.sampled_from(ids))
        parts.append([
            draw(st.sampled_from(WORDS)), f"[[{target}]]", f"#{draw(st.sampled_from(TAGS))}"
            if " " not in draw(st.sampled_from(TAGS)) else "#[[multi word]]",
            f"[a label]([[{target}]])", f"{{{{embed [[{target}]]}}}}", f"(({block}))",
            f"{{{{embed (({block}))}}}}", "{{query (todo now)}}", "![pic](../assets/pic.png)",
            "`[[not a link]]`", "## Heading", f'"#{draw(st.sampled_from(WORDS))}"',
            "TODO a task", f"[[nested [[{target}]]]]", "#Tag.Dot", "see (#topic)",
            "line one\n  ```\n  [[in a fence]] #nope\n  ```",
        ][kind])
    return " ".join(parts)


@st.composite
def obsidian_vault(draw: st.DrawFn) -> dict[str, str]:
    names = draw(st.lists(st.sampled_from(OBSIDIAN_NAMES), min_size=1, max_size=4,
                          unique=True))
    targets = st.sampled_from([*names, *MISSING, *(n.rsplit("/", 1)[-1] for n in names)])
    files: dict[str, str] = {".obsidian/app.json": "{}\n"}
    for index, name in enumerate(names):
        front = []
        if draw(st.booleans()):
            front.append(f"weight: {draw(st.integers(0, 100))}")
        if draw(st.booleans()):
            refs = draw(st.lists(targets, min_size=1, max_size=3))
            front.append("related: [" + ", ".join(f'"[[{r}]]"' for r in refs) + "]")
        if draw(st.booleans()):
            front.append(f'single: "[[{draw(targets)}]]"')
        if draw(st.booleans()):
            front.append("tags: [" + ", ".join(draw(st.lists(
                st.sampled_from(["topic", "x-y", "nested/tag"]), min_size=1, max_size=2)))
                + "]")
        if draw(st.booleans()):
            front.append(f"aliases: [other name {index}]")
        if draw(st.booleans()):
            front.append(draw(st.sampled_from(["done: true", "score: 4.5", "empty:",
                                               "list: []", "when: 2024-01-15",
                                               'code: "1999"', "plain: [one, two]"])))
        lines = ["---", *front, "---", ""] if front else []
        lines.append(f"# {name.rsplit('/', 1)[-1]}")
        lines.append("")
        for number in range(draw(st.integers(1, 4))):
            lines.append(_obsidian_block(draw, targets, names, number, index))
            lines.append("")
        files[f"{name}.md"] = "\n".join(lines)
    return files


def _obsidian_block(draw: st.DrawFn, targets: st.SearchStrategy[str], names: list[str],
                    number: int, index: int) -> str:
    other = draw(st.sampled_from(names))
    inline = " ".join([
        draw(st.sampled_from(WORDS)), f"[[{draw(targets)}]]", f"[[{draw(targets)}|label]]",
        f"#{draw(st.sampled_from(['topic', 'x-y', 'nested/tag']))}",
        f"[[{other}#^b{number}]]" if draw(st.booleans()) else "",
        f"[[{other}#Section]]" if draw(st.booleans()) else "",
        "`[[code]]`",
    ][:draw(st.integers(1, 7))])
    shape = draw(st.integers(0, 8))
    if shape == 0:
        return f"{inline} ^b{number}"
    if shape == 1:
        return f"- {inline} ^b{number}\n\t- nested [[{draw(targets)}]]\n- second item"
    if shape == 2:
        return f"## Section\n\n![[{other}]]"
    if shape == 3:
        return f"![[{other}#^b0]]\n\n![[pic.png|100]]"
    if shape == 4:
        return f"1. first {inline}\n2. second"
    if shape == 5:
        return f"> [!note] Title\n> {inline}"
    if shape == 6:
        return f"| a | b |\n| --- | --- |\n| {inline.replace('|', '/')} | x |"
    if shape == 7:
        return f"- [ ] task with [[{draw(targets)}]]\n    ```\n    [[code]]\n    ```"
    return f"Text with %%comment [[{draw(targets)}]]%% and ==mark== and $x^2$"


def _write(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (root / "assets").mkdir(exist_ok=True)
    (root / "assets" / "pic.png").write_bytes(PNG)
    return root


def _check_round_trip(files: dict[str, str], native: str) -> None:
    other = "obsidian" if native == "logseq" else "logseq"
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        source = _write(tmp / "source", files)
        before = tree_digest(source)
        original = graph_of(source)
        export(original, tmp / "a", other)
        converted = graph_of(tmp / "a")
        export(converted, tmp / "b", native)
        back = graph_of(tmp / "b")
        assert tree_digest(source) == before
        assert facts(original, obsidian_ids).differences(facts(back, obsidian_ids)) == []
        export(back, tmp / "c", other)
        assert facts(converted, obsidian_ids).differences(
            facts(graph_of(tmp / "c"), obsidian_ids)) == []
        for name, graph, dialect in (("a", converted, other), ("b", back, native)):
            export(graph, tmp / f"{name}2", dialect)
            assert tree_bytes(tmp / f"{name}2") == tree_bytes(tmp / name)


@SETTINGS
@given(logseq_vault())
def test_generated_logseq_graphs_survive_obsidian(files: dict[str, str]) -> None:
    _check_round_trip(files, "logseq")


@SETTINGS
@given(obsidian_vault())
def test_generated_obsidian_vaults_survive_logseq(files: dict[str, str]) -> None:
    _check_round_trip(files, "obsidian")
