"""Names across dialects (``kb_compiler.emit.vault.names``): the Obsidian file name of a
page name and back, tag names each dialect writes bare, daily-note date formats."""

from __future__ import annotations

from datetime import date

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kb_compiler.emit.vault.names import (
    daily_note_date,
    date_fns_format,
    decode_obsidian_segment,
    is_logseq_bare_tag,
    is_obsidian_tag,
    name_from_obsidian,
    obsidian_name,
    obsidian_segment,
)
from kb_compiler.parse.names import WINDOWS_DEVICES

RESERVED = set('\\:*?"<>|#^[]')
# Text rich in the characters that matter: reserved ones, "%", hex digits, dots, spaces
# and the letters of Windows device names.
segments = st.text(alphabet=st.sampled_from(list("%25EeAb.#?:|^[]\\ 3Fx_é🔍\tcoNnlpT1¹6"))
                   | st.characters(blacklist_characters="/", blacklist_categories=("Cs",)),
                   max_size=12)
# ... and segments that start with a device name ("CON", "lpt¹.x", "nul%2E").
segments |= st.builds(lambda device, upper, rest: (device.upper() if upper else device) + rest,
                      st.sampled_from(sorted(WINDOWS_DEVICES)), st.booleans(), segments)


def windows_can_hold(segment: str, folder: bool) -> bool:
    """Whether Windows can create a file (``segment.md``) or folder of this name."""
    if segment.split(".", 1)[0].lower() in WINDOWS_DEVICES:
        return False
    return not (folder and segment.endswith((".", " ")))


@settings(max_examples=500, deadline=None, derandomize=True)
@given(segments, st.booleans())
def test_every_segment_comes_back(segment: str, folder: bool) -> None:
    written = obsidian_segment(segment, folder=folder)
    assert decode_obsidian_segment(written, folder=folder) == segment
    assert not RESERVED & set(written) and not written.startswith(".")
    assert not any(ord(c) < 0x20 for c in written)
    assert windows_can_hold(written, folder)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(segments, st.booleans())
def test_every_obsidian_name_is_kept(segment: str, folder: bool) -> None:
    """A name an Obsidian vault already holds (one Windows can hold too) is written
    back unchanged."""
    assume(not RESERVED & set(segment) and not segment.startswith(".")
           and all(ord(c) >= 0x20 and c != "\x7f" for c in segment)
           and windows_can_hold(segment, folder))
    assert obsidian_segment(decode_obsidian_segment(segment, folder=folder),
                            folder=folder) == segment


def test_names_windows_cannot_hold_are_escaped() -> None:
    assert obsidian_name("con") == "co%6E"
    assert obsidian_name("LPT1.notes") == "LPT%31.notes"
    assert obsidian_name("Acme Inc./Team") == "Acme Inc%2E/Team"
    assert obsidian_name("Acme Inc.") == "Acme Inc."  # "Acme Inc..md" is a valid file
    assert obsidian_name("aux./x") == "au%78%2E/x"
    assert obsidian_name("draft /x") == "draft%20/x"
    assert obsidian_name("console") == "console"  # not a device: the whole name counts
    assert obsidian_name("co%6E") == "co%256E"  # reads as the escape: "%" escaped
    for name in ("con", "LPT1.notes", "Acme Inc./Team", "aux./x", "co%6E", "draft /x"):
        assert name_from_obsidian(obsidian_name(name)) == name


def test_examples_of_obsidian_names() -> None:
    assert obsidian_name("ns/child/leaf") == "ns/child/leaf"
    assert obsidian_name("C#") == "C%23"
    assert obsidian_name("New to Logseq?") == "New to Logseq%3F"
    assert obsidian_name(".hidden/a:b") == "%2Ehidden/a%3Ab"
    assert obsidian_name("50% off") == "50% off"  # a "%" that escapes nothing stays
    assert obsidian_name("a%23b") == "a%2523b"
    assert name_from_obsidian("Notes/C%23") == "Notes/C#"
    assert name_from_obsidian("Notes/100%41") == "Notes/100%41"


def test_tag_names() -> None:
    assert is_obsidian_tag("inbox/to-read") and is_obsidian_tag("y1984")
    assert not is_obsidian_tag("1984") and not is_obsidian_tag("b c")
    assert not is_obsidian_tag("foo.bar") and not is_obsidian_tag("/x")
    assert is_logseq_bare_tag("foo.bar") and is_logseq_bare_tag("ns/child")
    assert not is_logseq_bare_tag("b c") and not is_logseq_bare_tag("end.")
    assert not is_logseq_bare_tag("a,b") and not is_logseq_bare_tag("")


def test_daily_note_formats() -> None:
    assert date_fns_format("YYYY-MM-DD") == "yyyy-MM-dd"
    assert date_fns_format("YYYY/MMMM/Do [of] dddd") == "yyyy/MMMM/do 'of' EEEE"
    assert date_fns_format("gggg-[W]ww") is None
    assert daily_note_date("2024-01-15", "YYYY-MM-DD") == date(2024, 1, 15)
    assert daily_note_date("15.01.2024", "DD.MM.YYYY") == date(2024, 1, 15)
    assert daily_note_date("2024-02-30", "YYYY-MM-DD") is None
    assert daily_note_date("Meeting notes", "YYYY-MM-DD") is None


def test_a_page_is_never_written_over_a_file_the_export_copies(tmp_path) -> None:
    """A Logseq namespace page assets/notes and the file assets/notes.md went to one
    path of the Obsidian export: the copy replaced the page, without a word, though the
    summary counted it. The page gets a numbered name, and its links follow it."""
    from tests.conftest import TRIPLE_LOWBAR, write_vault
    from tests.export_support import export, graph_of

    vault = write_vault(tmp_path / "v", {
        "logseq/config.edn": TRIPLE_LOWBAR, "assets/notes.md": "ASSET CONTENT\n",
        "assets/Readme.md": "Asset2\n", "pages/assets___notes.md": "- PAGE CONTENT ns\n",
        "pages/assets___readme.md": "- page readme\n",
        "pages/Index.md": "- [[assets/notes]] [[assets/readme]]\n"})
    report = export(graph_of(vault), tmp_path / "out", "obsidian")
    out = tmp_path / "out"
    assert (out / "assets/notes.md").read_text("utf-8") == "ASSET CONTENT\n"
    assert (out / "assets/notes (2).md").read_text("utf-8") == "- PAGE CONTENT ns\n"
    assert sorted(p.name for p in (out / "assets").iterdir()) == [
        "Readme.md", "notes (2).md", "notes.md", "readme (2).md"]
    assert (out / "Index.md").read_text("utf-8") == \
        "- [[assets/notes (2)]] [[assets/readme (2)]]\n"
    assert sorted(d.code for d in report.diagnostics) == ["name-taken", "name-taken"]
    assert "over the file 'assets/Readme.md'" in " ".join(d.message for d in report.diagnostics)
    # the numbered name is no other page's: links keep telling the two apart
    write_vault(vault, {"pages/assets___notes (2).md": "- PAGE notes two\n",
                        "pages/Index.md": "- [[assets/notes]] [[assets/notes (2)]]\n"})
    export(graph_of(vault), tmp_path / "again", "obsidian")
    again = tmp_path / "again"
    assert (again / "Index.md").read_text("utf-8").startswith(
        "- [[assets/notes (3)]] [[assets/notes (2)]]")
    assert (again / "assets/notes (3).md").read_text("utf-8") == "- PAGE CONTENT ns\n"
    assert (again / "assets/notes (2).md").read_text("utf-8") == "- PAGE notes two\n"


def test_pages_windows_cannot_hold_get_names_it_can(tmp_path) -> None:
    """A Logseq page named after a Windows device (``con``, ``LPT1.notes``) or a
    namespace ending in a dot became a note (``con.md``) or folder (``Acme Inc.``) that
    Windows cannot create: a vault exported on Linux would not sync to a Windows machine.
    They get escaped names; links follow them, and the way back restores the names."""
    from kb_compiler.check import check_vault
    from tests.conftest import TRIPLE_LOWBAR, write_vault
    from tests.export_support import export, graph_of

    vault = write_vault(tmp_path / "v", {
        "logseq/config.edn": TRIPLE_LOWBAR,
        "pages/con___.md": "- a device's name, see [[Acme Inc./Team]]\n",
        "pages/Acme Inc.___Team.md": "- the team of [[con]] and [[LPT1.notes]]\n",
        "pages/LPT1.notes.md": "- notes\n", "pages/COM¹.md": "- a superscript one\n",
        "pages/Home.md": "- [[con]], [[Acme Inc./Team]], [[LPT1.notes]], [[COM¹]]\n"})
    export(graph_of(vault), tmp_path / "obsidian", "obsidian")
    written = sorted(p.relative_to(tmp_path / "obsidian").as_posix()
                     for p in (tmp_path / "obsidian").rglob("*.md"))
    assert written == ["Acme Inc%2E/Team.md", "COM%B9.md", "Home.md", "LPT%31.notes.md",
                       "co%6E.md"]
    home = (tmp_path / "obsidian" / "Home.md").read_text(encoding="utf-8")
    assert "[[co%6E|con]]" in home and "[[LPT%31.notes|LPT1.notes]]" in home
    assert "[[COM%B9|COM¹]]" in home  # "%B9" is no UTF-8: the label was left out
    exported = check_vault(tmp_path / "obsidian", cache_dir=None)
    assert [d.code for d in exported.diagnostics] == []  # every link finds its note
    export(graph_of(tmp_path / "obsidian"), tmp_path / "back", "logseq")
    back = graph_of(tmp_path / "back")
    assert sorted(page.name for page in back.kb.pages) == \
        ["Acme Inc./Team", "COM¹", "Home", "LPT1.notes", "con"]
