"""Hiccup on Logseq pages (``[:h2 "Title"]`` lines) shown as the HTML it describes, as
Logseq shows it: read where mldoc reads a hiccup block, rendered as hiccups renders it,
and sanitized like any raw HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kb_compiler.emit.site.hiccup import hiccup_html
from kb_compiler.emit.site.render import RenderOptions, RenderState, render_many
from tests.test_site_build import build
from tests.test_site_render import RecordingLinker, render


def logseq(text: str) -> str:
    return render(text, hiccup=True, hard_breaks=True, org_blocks=True)[0]


@pytest.mark.parametrize(("form", "shown"), [
    ('[:h2 {:style {:color "red"}} "h2 title"]', '<h2 style="color:red;">h2 title</h2>'),
    ('[:p "Hello " [:em "World!"]]', "<p>Hello <em>World!</em></p>"),
    ('[:div#main.wide.dark {:class "x"} "a"]', '<div class="wide dark x" id="main">a</div>'),
    ('[:input {:type "checkbox" :checked true :disabled false :name nil}]',
     '<input checked type="checkbox">'),
    ('[:ul (1 2) [:li 3] nil]', "<ul>12<li>3</li></ul>"),
    ('[:img {:src "a.png"}]', '<img src="a.png">'),
    ('[:p "<b>bold</b>"]', "<p><b>bold</b></p>"),  # hiccups writes strings as they are
    ('[:p {:title "say \\"hi\\" & <go>"} "x"]',
     '<p title="say &quot;hi&quot; &amp; &lt;go&gt;">x</p>'),
])
def test_a_form_becomes_the_html_hiccups_gives(form: str, shown: str) -> None:
    assert hiccup_html(form) == shown


@pytest.mark.parametrize("form", [
    '[:p "unclosed"', '[1 2]', '[]', "[" * 200 + ":p" + "]" * 200,
    '[:p><b "x"]', '[:p {"on click" "x"} "y"]',  # no tag or attribute name
])
def test_a_form_that_is_no_element_is_shown_as_logseq_warns(form: str) -> None:
    shown = hiccup_html(form)
    assert shown.startswith('<div class="warning" title="Invalid hiccup">')
    assert "<p>" not in shown


def test_a_hiccup_line_of_a_logseq_block_is_html() -> None:
    shown = logseq('[:h2 {:style {:color "red"}} "Title"]\n[:p "Hello " [:em "World"]]')
    assert shown == '<h2 style="color:red">Title</h2><p>Hello <em>World</em></p>'


def test_text_after_the_form_on_its_line_is_a_paragraph_of_its_own() -> None:
    shown = logseq('[:code "template:: name"] is a template property')
    assert shown == "<code>template:: name</code><p>is a template property</p>\n"


def test_a_form_may_span_lines_and_hold_brackets_in_strings() -> None:
    shown = logseq('[:div\n  [:span "a ] b"]\n  [:span "[c"]]\nafter')
    assert shown.startswith("<div><span>a ] b</span><span>[c</span></div>")
    assert shown.endswith("<p>after</p>\n")


@pytest.mark.parametrize("text", [
    '[:foo "x"]',  # not an HTML tag mldoc knows
    '[:div.mb-4]',  # mldoc wants the tag alone: a class makes it text
    '[:p "never closed"',
    '```\n[:p "code"]\n```',
    '    [:p "indented code"]',
])
def test_what_mldoc_reads_as_no_hiccup_block_stays_as_written(text: str) -> None:
    assert "<p>code</p>" not in logseq(text)
    assert "[:" in logseq(text)


def test_a_form_in_running_text_is_html_too() -> None:
    """mldoc's inline_hiccup: a ``[`` that starts no link may start a form. The seeds'
    key blocks end with ``[:span {:is "slider-rjxyar"}]``, a plugin's empty slot."""
    assert logseq('Written as [:mark "hi"] in a sentence') == \
        "<p>Written as <mark>hi</mark> in a sentence</p>\n"
    assert logseq('💰80 Segment clarity [:span {:is "slider-rjxyar"}]') == \
        "<p>💰80 Segment clarity <span></span></p>\n"
    # a link's label, an unknown tag and an unclosed form stay what they were
    shown = logseq('see [:b "x"](https://e.com), [:foo "y"] and [:i "z"')
    assert '<a href="https://e.com">' in shown
    assert '[:foo "y"]' in shown and '[:i "z"' in shown


def test_only_logseq_pages_read_hiccup() -> None:
    shown = render('[:h2 "Title"]', obsidian_syntax=True)[0]
    assert "<h2>" not in shown and "[:h2" in shown


def test_hiccup_is_sanitized_like_raw_html() -> None:
    shown = logseq('[:div {:onclick "steal()"} [:script "alert(1)"] '
                   '[:a {:href "javascript:alert(1)"} "x"] [:iframe {:src "https://e.com"}]]')
    assert "onclick" not in shown and "script" not in shown and "alert" not in shown
    assert "iframe" not in shown and "javascript" not in shown
    assert "<a>x</a>" in shown


def test_audio_and_video_players_are_kept_without_autoplay_or_poster() -> None:
    shown = logseq('[:audio {:controls true :autoplay true :src "https://e.com/a.mp3"}]\n'
                   '[:video {:controls true :poster "https://e.com/p.png"} '
                   '[:source {:src "https://e.com/v.mp4" :type "video/mp4"}]]')
    assert '<audio controls="" src="https://e.com/a.mp3"></audio>' in shown
    assert '<video controls=""><source src="https://e.com/v.mp4" type="video/mp4"></video>' \
        in shown
    assert "autoplay" not in shown and "poster" not in shown


def test_an_unclosed_form_does_not_reach_into_the_next_block() -> None:
    """``render_many`` renders a page's blocks in one pass: a form left open in one
    block must not take the next block's closing bracket."""
    state = RenderState(RecordingLinker(), RenderOptions(hiccup=True, hard_breaks=True))
    shown = render_many(['[:div "open', '"]'], state)
    assert shown is not None
    assert all("<div>" not in part for part in shown)


def test_a_page_of_unclosed_forms_renders_in_one_pass() -> None:
    """Each line's ``]`` is found by one scan of the source, not one scan per line."""
    shown = logseq('[:div "x"\n' * 5000)
    assert shown.count("[:div") == 5000
    shown = logseq('text [:b "x"' * 5000)
    assert shown.count("[:b") == 5000


def test_a_raw_html_player_plays_the_vaults_file(tmp_path: Path) -> None:
    """Obsidian plays ``<video src="clip.mp4">`` written in a note: the site keeps the
    player and points it at its copy of the file, as it does an image's."""
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "media").mkdir()
    (vault / "media/clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    (vault / "Note.md").write_text(
        '<video controls src="media/clip.mp4"></video>\n\n'
        '<audio controls src="missing.mp3"></audio>\n', encoding="utf-8")
    out = tmp_path / "site"
    build(vault, out, search=False)
    page = (out / "note.html").read_text(encoding="utf-8")
    video = re.search(r'<video controls="" src="([^"]+)"></video>', page)
    assert video is not None
    assert (out / video.group(1)).read_bytes() == b"\x00\x00\x00\x18ftypmp42"
    assert '<audio controls=""></audio>' in page  # a file not in the vault: no src
