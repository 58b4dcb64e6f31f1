"""`kbc export` and videos or posts on the web: Logseq's ``{{video}}``, ``{{youtube}}``
and ``{{tweet}}`` macros are Obsidian's ``![](URL)`` (Obsidian Help, "Embed web
pages"), and back; what has no counterpart stays as written and is reported."""

from __future__ import annotations

from pathlib import Path

from tests.export_support import export, graph_of
from tests.test_export_org_blocks import logseq_graph, obsidian_vault

YOUTUBE = "https://www.youtube.com/watch?v=NnTvZWp5Q7o"
POST = "https://twitter.com/obsdmd/status/1580548874246443010"

LOGSEQ_PAGE = f"""\
- {{{{video {YOUTUBE}}}}}
- {{{{youtube NnTvZWp5Q7o}}}} and {{{{{{youtube Vw-x7yTTO0s}}}}}}
- {{{{tweet {POST}}}}}
- {{{{video https://vimeo.com/114688970}}}} {{{{youtube-timestamp 10}}}}
- `{{{{video {YOUTUBE}}}}}` is how to write one
"""

OBSIDIAN_NOTE = f"""\
![]({YOUTUBE})

![](https://x.com/obsdmd/status/1580548874246443010) and ![](https://youtu.be/NnTvZWp5Q7o)

![A talk]({YOUTUBE}) ![](https://example.org/cat.png) \\![]({YOUTUBE})

`![]({YOUTUBE})` %% ![]({YOUTUBE}) %%
"""


def test_media_macros_become_obsidian_embeds(tmp_path: Path) -> None:
    source = logseq_graph(tmp_path / "graph", {"Media": LOGSEQ_PAGE})
    report = export(graph_of(source), tmp_path / "obsidian", "obsidian")
    written = (tmp_path / "obsidian/Media.md").read_text(encoding="utf-8")
    assert written == (
        f"- ![]({YOUTUBE})\n"
        f"- ![]({YOUTUBE}) and ![](https://www.youtube.com/watch?v=Vw-x7yTTO0s)\n"
        f"- ![]({POST})\n"
        "- {{video https://vimeo.com/114688970}} {{youtube-timestamp 10}}\n"
        f"- `{{{{video {YOUTUBE}}}}}` is how to write one\n")
    kept = sorted((d.code, d.line) for d in report.diagnostics)
    assert kept == [("macro-kept", 4), ("macro-kept", 4)]

    export(graph_of(tmp_path / "obsidian"), tmp_path / "back", "logseq")
    page = graph_of(tmp_path / "back").page("media")
    assert page is not None
    macros = [(m.name, m.args) for block in page.blocks for m in block.macros]
    assert macros == [
        ("video", (YOUTUBE,)), ("video", (YOUTUBE,)),
        ("video", ("https://www.youtube.com/watch?v=Vw-x7yTTO0s",)), ("twitter", (POST,)),
        ("video", ("https://vimeo.com/114688970",)), ("youtube-timestamp", ("10",))]


def test_obsidian_embeds_of_the_web_become_macros(tmp_path: Path) -> None:
    source = obsidian_vault(tmp_path / "vault", {"Note": OBSIDIAN_NOTE})
    export(graph_of(source), tmp_path / "logseq", "logseq")
    written = (tmp_path / "logseq/pages/Note.md").read_text(encoding="utf-8")
    assert written == (
        f"- {{{{video {YOUTUBE}}}}}\n"
        "- {{twitter https://x.com/obsdmd/status/1580548874246443010}} and "
        "{{video https://youtu.be/NnTvZWp5Q7o}}\n"
        # text the macro could not keep, a picture, an escaped mark, code and a comment
        f"- ![A talk]({YOUTUBE}) ![](https://example.org/cat.png) \\![]({YOUTUBE})\n"
        # the comment as Logseq hides one (it has no %%); back in Obsidian it is %% again
        f"- `![]({YOUTUBE})` <!-- ![]({YOUTUBE}) -->\n")

    export(graph_of(tmp_path / "logseq"), tmp_path / "back", "obsidian")
    back = (tmp_path / "back/Note.md").read_text(encoding="utf-8")
    # the same lines, each paragraph a list item now
    assert [line.removeprefix("- ") for line in back.splitlines()] == \
        [line for line in OBSIDIAN_NOTE.splitlines() if line]
