"""Decoding page bytes: BOM, line ends, invalid UTF-8, binary files, and mojibake repair
measured on the seeds (FORMATS.md Part 3)."""

from __future__ import annotations

import re
import time
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb_compiler.encoding import decode, repair_line
from kb_compiler.model import Severity
from tests.conftest import SEEDS

SEED_001 = SEEDS / "001_411d28a5944c4ac1.txt"
SEED_002 = SEEDS / "002_a2f3f063b3bd1eef.txt"
SEED_003 = SEEDS / "003_7efe5d25a5a04dd3.txt"
ALL_SEEDS = sorted(SEEDS.glob("00*.txt"))

MAC_UPPER = bytes(range(0x80, 0x100)).decode("mac_roman")
MAC_RUN = re.compile(f"[{re.escape(MAC_UPPER)}]{{2,}}")


def _lines(path) -> list[str]:
    return decode(path.read_bytes(), path.name).text.split("\n")


def _suspicious_mac_roman_runs(text: str) -> list[str]:
    """Runs of Mac Roman upper-half characters whose bytes are UTF-8 (with or without
    the lost F0 lead): what is left of damage the repair missed."""
    found = []
    for run in MAC_RUN.findall(text):
        raw = run.encode("mac_roman")
        for candidate in (raw, b"\xf0" + raw):
            try:
                candidate.decode("utf-8")
            except UnicodeDecodeError:
                continue
            found.append(run)
            break
    return found


# --- The seeds --------------------------------------------------------------------


def test_seed_001_icon_is_repaired_to_the_nazar_amulet():
    assert _lines(SEED_001)[0] == "icon:: 🧿"


@pytest.mark.parametrize(
    ("line", "expected"),
    [(8, "- ## 🔍 Definition"), (10, "- ## 📰 Content type "), (13, "- ## 🔑 Keys"),
     (20, "- ## 🤖 innCoPilot"), (50, "- ## 🗄️ Topics"), (52, "- ## 🧰 Tools")],
)
def test_seed_001_headings_get_their_emoji_back(line, expected):
    assert _lines(SEED_001)[line - 1] == expected


def test_seed_001_key_block_emoji_is_repaired_inside_a_long_line():
    line = _lines(SEED_001)[13]
    assert "#key 💰75 [Customer Understanding]" in line
    assert "{{renderer :slider_rjxyar}}" in line  # the rest of the line untouched


def test_seed_003_apostrophe_is_repaired_and_stays_curly():
    line = _lines(SEED_003)[41]
    assert "customer’s interaction" in line
    assert "â€" not in line and "customer's" not in line


@pytest.mark.parametrize("seed", ALL_SEEDS, ids=lambda path: path.name[:3])
def test_no_seed_keeps_mac_roman_damage_after_repair(seed):
    text = decode(seed.read_bytes(), seed.name).text
    assert "\uf8ff" not in text
    assert _suspicious_mac_roman_runs(text) == []


def test_the_seeds_really_hold_the_damage_the_repair_removes():
    raw = SEED_001.read_text(encoding="utf-8")
    assert raw.count("\uf8ff") == 11
    assert _suspicious_mac_roman_runs(raw)


def test_one_diagnostic_per_repaired_line_with_before_and_after():
    decoded = decode(SEED_001.read_bytes(), "profile-(id).md")
    repaired = [d for d in decoded.diagnostics if d.code == "encoding-repaired"]
    assert [d.line for d in repaired] == [1, 8, 10, 13, 14, 17, 20, 26, 38, 50, 52]
    first = repaired[0]
    assert first.path == "profile-(id).md"
    assert first.column == 8  # the U+F8FF after "icon:: " (7 characters)
    assert first.severity is Severity.WARNING
    assert "'\\uf8ffüßø' -> '🧿'" in first.message
    assert "encode macroman, decode utf-8" in first.message


def test_windows_1252_repair_names_ftfy_steps():
    decoded = decode(SEED_003.read_bytes(), "Customer Profile.md")
    (diagnostic,) = decoded.diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("encoding-repaired", 42, 22)
    assert "'customerâ€™s' -> 'customer’s'" in diagnostic.message
    assert "sloppy-windows-1252" in diagnostic.message


def test_repair_off_keeps_the_damage_and_reports_nothing():
    decoded = decode(SEED_001.read_bytes(), "p.md", repair=False)
    assert decoded.text.startswith("icon:: \uf8ffüßø")
    assert decoded.diagnostics == ()


def test_clean_seeds_are_unchanged():
    for seed in (SEEDS / "000_38f34f29e5d369f2.txt", SEEDS / "004_7d2d3c1807a4f909.txt"):
        decoded = decode(seed.read_bytes(), seed.name)
        assert decoded.text == seed.read_text(encoding="utf-8")
        assert decoded.diagnostics == ()


# --- Correct text is never touched -------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Grüße aus Köln", "naïve", "déjà vu", "résumé", "Noël", "“quoted” and ‘single’",
     "it’s — fine…", "ok ✅ done 🔍 🗄️ 👩‍💻", "Straße Øre Ærø ÅÄÖ", "√π ≈ 1.77",
     "«élan» “Über” —é", "ｆｕｌｌ ｗｉｄｔｈ", "ﬁne ligature", "&amp; stays &lt;", "naïve “Über”",
     "中文 日本語 한국어", "Ελληνικά Русский"],
)
def test_correct_text_is_unchanged(text):
    decoded = decode(text.encode("utf-8"), "p.md")
    assert decoded.text == text
    assert decoded.diagnostics == ()


def test_mixed_line_is_repaired_where_ftfy_alone_gives_up():
    fixed, steps = repair_line("ok ✅ and It‚Äôs done")
    assert fixed == "ok ✅ and It’s done"
    assert steps == ("encode macroman", "decode utf-8")


def test_mac_roman_emoji_with_lost_apple_logo_is_repaired_as_a_whole_token():
    assert repair_line("## üîç Definition")[0] == "## 🔍 Definition"
    assert repair_line("Grüße")[0] == "Grüße"  # inside a word: left alone


def test_mac_roman_two_and_three_byte_damage():
    assert repair_line("Caf√© ‚Äî ok ✅")[0] == "Café — ok ✅"
    assert repair_line("done ‚úÖ and ü ok")[0] == "done ✅ and ü ok"


_WORDS = (
    "Grüße", "naïve", "déjà vu", "résumé", "Noël", "Ελληνικά", "Русский текст", "日本語",
    "한국어", "עברית", "العربية", "čeština", "Łódź", "ﬁnance", "½", "№", "°C", "√π≈", "«»",
    "‘quoted’", "“double”", "—", "–", "…", "✅", "🔍", "🗄️", "🧿", "👩🏽‍💻", "the", "a", ",",
    "customer’s", "Café", "ÉCOLE", "façade", "smørrebrød", "Ångström", "piñata",
)


@pytest.mark.parametrize(("written", "read"), [
    ("Café½«»", "Café½«»"),  # é½« is, as Windows-1252, the UTF-8 of one CJK letter
    ("Tokyoæ—¥æœ¬", "Tokyo日本"),  # a run of them glued to a word is damage
    ("CafÃ©", "Café"),
    # Mac Roman's reading of the UTF-8 of "ùŃ", glued to a word: read as damage, like
    # the run above (found by the property below: words '√π≈', 'ÉCOLE', no separator)
    ("√π≈ÉCOLE", "ùŃCOLE"),
])
def test_three_characters_ending_a_word_are_not_read_as_one_letter_of_another_script(
        written: str, read: str) -> None:
    """Found by the property below (hypothesis 6.170, words 'Café', '½', '«»')."""
    assert decode(written.encode("utf-8"), "p.md").text == read


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=12), st.sampled_from([" ", "\n", ""]))
def test_text_without_mojibake_runs_is_never_changed(words, separator):
    """Property: correct text in real languages (accents, Greek, Cyrillic, CJK, curly
    quotes, dashes, emoji) comes back exactly as it went in, whatever its mix. ftfy also
    repairs rarer code pages (Windows-1257 turns an isolated 'Ī¯' into 'Ν'), so the
    property is stated on real words, not on arbitrary code points. Words glued with no
    separator can spell a damaged run (the cases above), so the examples are fixed
    (derandomized), as the other property tests' are, and CI is reproducible."""
    text = separator.join(words)
    decoded = decode(text.encode("utf-8"), "p.md")
    assert decoded.text == text


_WORD_TEXT = (
    "Grüße naïve déjà vu résumé Noël Straße Öl Ärger über Müller façade garçon crème "
    "brûlée São Paulo mañana niño señor años Zürich Ålesund Øresund Æble smörgåsbord "
    "Łódź Kraków Dvořák čeština coöperate élan Übermensch ça café naïveté Renée Élodie "
    "Ægir cœur œuvre Œdipus ﬁle √2 π≈3.14 ±5 ≤10 ≥2 µm 25°C €20 £5 ©2024 ™ § • … — – "
    "the of and to in is it you that was for on are with as they"
)
_WORDS = _WORD_TEXT.split()
_WRAPS = [("“", "”"), ("‘", "’"), ("«", "»"), ("„", "“"), ("(", ")"), ("*", "*"), ("", "")]
_TAILS = ["", ".", ",", ";", ":", "!", "?", "’s", "…", " —"]
_EMOJI = ["✅", "🔍", "🗄️", "🧿", "👩‍💻", "🇩🇪", "❤️", "⭐", "☕"]
_TOKEN = st.one_of(
    st.builds(lambda wrap, word, tail: wrap[0] + word + wrap[1] + tail,
              st.sampled_from(_WRAPS), st.sampled_from(_WORDS), st.sampled_from(_TAILS)),
    st.sampled_from(_EMOJI),
)


@settings(max_examples=250, deadline=None, derandomize=True, database=None)
@given(st.lists(_TOKEN, min_size=1, max_size=16))
def test_real_language_text_is_never_changed(tokens):
    """Property: sentences of accented words in many languages, curly and angle
    quotes, dashes, symbols and emoji come back exactly as they went in (measured
    outside the suite too: 0 of 30,000 such sentences changed)."""
    text = " ".join(tokens)
    assert decode(text.encode("utf-8"), "p.md").text == text


# --- Bytes: BOM, line ends, invalid UTF-8, binary -----------------------------------


def test_bom_is_stripped_and_crlf_becomes_lf_with_lines_kept():
    decoded = decode(b"\xef\xbb\xbftitle:: A\r\n\r\n- one\r\n- two\rthree", "p.md")
    assert decoded.text == "title:: A\n\n- one\n- two\nthree"
    assert decoded.diagnostics == ()


def test_invalid_utf8_is_replaced_and_reported_at_the_first_bad_byte():
    data = b"line one\nsecond: caf\xe9 ok\nthird \xff\n"
    decoded = decode(data, "latin.md")
    assert decoded.text == "line one\nsecond: caf\ufffd ok\nthird \ufffd\n"
    (problem,) = decoded.diagnostics
    assert (problem.code, problem.severity) == ("invalid-encoding", Severity.ERROR)
    assert (problem.path, problem.line, problem.column) == ("latin.md", 2, 12)
    assert "0xE9" in problem.message and "2 invalid sequences" in problem.message


def test_invalid_utf8_line_counts_crlf_once():
    decoded = decode(b"a\r\nb\r\nc\xe9", "p.md")
    assert decoded.diagnostics[0].line == 3


def test_latin1_file_is_not_silently_read_as_latin1():
    decoded = decode("Grüße, naïve".encode("latin-1"), "old.md")
    assert decoded.text == "Gr\ufffd\ufffde, na\ufffdve"
    assert decoded.diagnostics[0].code == "invalid-encoding"


def test_binary_file_gives_empty_text_and_an_error():
    decoded = decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.md")
    assert decoded.text == ""
    (problem,) = decoded.diagnostics
    assert (problem.code, problem.severity, problem.line) == ("invalid-encoding",
                                                              Severity.ERROR, 0)
    assert "binary file" in problem.message


def test_utf16_file_with_bom_is_read_and_flagged():
    decoded = decode("title:: Ünïcode\r\n- x".encode("utf-16"), "wide.md")
    assert decoded.text == "title:: Ünïcode\n- x"
    assert decoded.diagnostics[0].code == "invalid-encoding"
    assert decoded.diagnostics[0].severity is Severity.WARNING


def test_empty_file():
    assert decode(b"", "empty.md").text == ""
    assert decode(b"", "empty.md").diagnostics == ()


def test_five_megabyte_lines_decode_promptly():
    clean = ("Grüße “naïve” ✅ " * 330_000).encode()
    damaged = ("customerâ€™s üîç " * 330_000).encode()
    start = time.process_time()
    assert decode(clean, "big.md").text == clean.decode()
    assert decode(damaged, "big.md").text == damaged.decode()  # too long to repair
    assert time.process_time() - start < 3


def test_repair_time_grows_linearly_with_the_damage():
    def seconds(lines: int) -> float:
        data = "\n".join(f"- {n} customerâ€™s üîç note" for n in range(lines)).encode()
        start = time.process_time()
        decoded = decode(data, "many.md")
        assert len(decoded.diagnostics) == lines
        return time.process_time() - start

    seconds(200)  # warm up ftfy's tables
    assert seconds(8_000) < 8 * seconds(2_000) + 0.2


def test_code_is_never_repaired_on_a_page_about_mojibake(tmp_path) -> None:
    """Code is literal in both dialects: a page explaining mojibake had the examples in
    its fences and code spans 'repaired' into nonsense (``fix_text("café") == "café"``),
    in the site and the export. Prose beside them is still repaired."""
    from kb_compiler import load
    from tests.conftest import write_vault

    fence = 'assert ftfy.fix_text("cafÃ©") == "café"'
    spans = "Inline: `â€™` is ’, but customerâ€™s is damage, ``a `√©` b`` too."
    vault = write_vault(tmp_path / "v", {
        "About.md": f"# ftfy\n```python\n{fence}\n```\n{spans}\n",
        "Outline.md": f"- ```python\n  {fence}\n  ```\n- {spans}\n",
    })
    for page in load(vault).pages:
        assert fence in page.text, page.path
        assert "Inline: `â€™` is ’, but customer’s is damage, ``a `√©` b`` too." in page.text
        written = (vault / page.path).read_text(encoding="utf-8").split("\n")
        damage = next((number, line.index("â€™s") + 1)
                      for number, line in enumerate(written, 1) if "customerâ€™s" in line)
        assert [(d.code, (d.line, d.column)) for d in page.diagnostics] == [
            ("encoding-repaired", damage)]


def test_a_few_nul_bytes_in_a_text_page_are_reported_where_they_are():
    """One NUL (a crash, a sync tool) made the whole page a "binary file": empty on the
    site, its links unchecked, the error at no line."""
    decoded = decode(b"# Note\n\nProse.\nSee [[Missing page]].\n\x00", "note.md")
    assert decoded.text == "# Note\n\nProse.\nSee [[Missing page]].\n\ufffd"
    (problem,) = decoded.diagnostics
    assert (problem.code, problem.severity, problem.line, problem.column) == (
        "invalid-encoding", Severity.ERROR, 5, 1)
    assert problem.message == "NUL byte in a text page; read as U+FFFD"
    # random bytes (a compressed picture) hold few NULs but are no UTF-8: binary still
    noise = bytes((n * 193 + 7) % 256 for n in range(4096))
    assert decode(noise, "photo.md").text == ""
    assert decode(b"wide".decode().encode("utf-16-le") * 50, "wide.md").text == ""


def test_a_latin1_page_with_a_nul_byte_is_read_not_thrown_away_as_binary():
    """A Latin-1 page a crash damaged with one NUL was a "binary file ... full of NUL
    bytes": empty on the site, its links gone from the graph and the check."""
    body = "".join(f"- Notiz {n}: Straße, Größe [[Seite {n}]]\n" for n in range(20))
    data = body.encode("latin-1")
    damaged = data[:200] + b"\x00" + data[200:]
    decoded = decode(damaged, "Notizen.md")
    assert decoded.text.count("[[Seite") == 20
    nul_line = damaged[:200].count(b"\n") + 1
    assert sorted((d.code, d.line) for d in decoded.diagnostics) == [
        ("invalid-encoding", 1), ("invalid-encoding", nul_line)]


def test_a_utf16_page_is_repaired_like_any_other():
    """Its mojibake stayed, unreported: the UTF-16 reader returned before the repair."""
    decoded = decode("x It‚Äôs [[Miss]]\r\ny CafÃ©\r\n".encode("utf-16"), "wide.md")
    assert decoded.text == "x It’s [[Miss]]\ny Café\n"
    assert [(d.code, d.line) for d in decoded.diagnostics] == [
        ("invalid-encoding", 0), ("encoding-repaired", 1), ("encoding-repaired", 2)]


@pytest.mark.parametrize(("line", "expected"), [
    ("For a Poisson count, σ ≈ √µ where µ is the mean.", None),  # math typed on a Mac
    ("Within √±1 of it.", None),
    ("An angle of ¬∞ alone.", None),
    ("Espa√±a y la informaci√≥n", "España y la información"),  # damage inside words
    ("Temp 25¬∞C today", "Temp 25°C today"),
])
def test_a_lone_mac_math_sign_is_not_read_as_a_damaged_letter(line, expected):
    """``√µ`` is the Mac Roman of ``õ``, and also the square root of µ typed with Option
    keys: standing alone between blanks it is math, inside a word it is damage."""
    assert repair_line(line)[0] == (expected or line)


@pytest.mark.parametrize(("line", "expected"), [
    ("â€œHelloâ€ she said.", "“Helloâ€ she said."),  # ” lost its last byte
    ("## ðŸ” Search", "## ðŸ” Search"),  # 🔍 lost its last byte
    ("Â costs Â£5", "\xa0costs £5"),  # a blank for a lost no-break space stays one
])
def test_a_repair_never_swallows_a_blank(line, expected):
    """ftfy read a blank after a sequence missing its last byte as a lost no-break
    space: ``â€ she`` became ``†she`` (a dagger glued to the word, for ``” she``)."""
    assert repair_line(line)[0] == expected


def test_mac_roman_damage_of_decomposed_accents_is_repaired():
    """macOS writes names decomposed (``e`` and U+0301); read back as Mac Roman the
    accent is ``ÃÅ``, which neither repair took for damage: ``CafeÃÅ`` stayed."""
    written = unicodedata.normalize("NFD", "Café Zoë résumé")
    damaged = written.encode("utf-8").decode("mac_roman")
    assert damaged == "CafeÃÅ ZoeÃà reÃÅsumeÃÅ"
    assert repair_line(damaged)[0] == written
    assert repair_line("ÃÅ alone, no letter before")[0] == "ÃÅ alone, no letter before"


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-be"])
def test_a_utf32_page_is_read_as_utf32(encoding: str) -> None:
    """UTF-32's little-endian mark begins with UTF-16's: the page was read as UTF-16,
    every other character a NUL, its links lost, and the message said UTF-16."""
    data = "title:: Ünïcode\r\n- x [[Other]]\n".encode(encoding)
    if encoding == "utf-32-be":
        data = b"\x00\x00\xfe\xff" + data
    decoded = decode(data, "wide.md")
    assert decoded.text == "title:: Ünïcode\n- x [[Other]]\n"
    (problem,) = decoded.diagnostics
    assert problem.severity is Severity.WARNING and "file is UTF-32" in problem.message


def test_invalid_utf16_code_units_are_reported_where_they_are() -> None:
    """A lone surrogate and an odd last byte became U+FFFD without a word."""
    data = "ok line\r\nab".encode("utf-16") + b"\x00\xd8" + "x\n".encode("utf-16-le") + b"z"
    decoded = decode(data, "wide.md")
    assert decoded.text == "ok line\nab\ufffdx\n\ufffd"
    warning, error = decoded.diagnostics
    assert "file is UTF-16" in warning.message
    assert (error.severity, error.line, error.column) == (Severity.ERROR, 2, 3)
    assert error.message == "invalid UTF-16 code unit; decoded with U+FFFD replacement " \
                            "(2 invalid sequences in the file)"


def test_a_turkish_page_keeps_its_words_that_read_as_an_emoji_without_its_lead() -> None:
    """``üçü`` ("the three of them") is the Mac Roman form of 🍟's last three bytes:
    it became 🍟 in the check, the site and the export. A page holding characters Mac
    Roman has no byte for (ş, ı) was never read as Mac Roman."""
    page = "Üç kardeş geldi; üçü de yorgundu.\nHepsi üçü.\n"
    assert decode(page.encode(), "tr.md").text == page
    assert decode(page.encode(), "tr.md").diagnostics == ()
    damaged = "## üîç Definition\nCafé, naïve\n"
    assert decode(damaged.encode(), "mac.md").text == "## 🔍 Definition\nCafé, naïve\n"


def test_a_run_of_letters_that_reads_as_no_emoji_is_left_alone() -> None:
    """``üüüü`` (9F 9F 9F 9F) with an F0 before it is U+1F7DF, which Unicode does not
    assign: correct German text became ``🟟ü`` in check, site and export."""
    page = "Grüße üüüü und Müller\n"
    assert decode(page.encode(), "de.md").text == page
    assert decode(page.encode(), "de.md").diagnostics == ()


@pytest.mark.parametrize("line", ["Nhấn nút “XÃ” để chọn xã.", "É “SÃ” e “NÃ”", "«AMANHÃ» sim"])
def test_a_word_in_capitals_ending_in_a_tilde_keeps_its_closing_quote(line: str) -> None:
    """``Ã”`` is the Windows-1252 form of ``Ô``, and ftfy took ``“XÃ”`` for ``“XÔ``,
    swallowing the quotation's closing quote."""
    assert repair_line(line) == (line, ())
    assert repair_line("He said “cafÃ©” ok")[0] == "He said “café” ok"


def test_code_each_dialect_reads_as_code_is_never_repaired(tmp_path) -> None:
    """Logseq's #+BEGIN_SRC and #+BEGIN_EXAMPLE blocks, and Obsidian's indented code and
    fences in a callout, were repaired, though kbc reads them as code everywhere else
    (no links, drawn as code). Front matter, HTML and prose around them still are."""
    from kb_compiler import load
    from tests.conftest import write_vault

    graph = write_vault(tmp_path / "graph", {
        "logseq/config.edn": "{:file/name-format :triple-lowbar}",
        "pages/Src.md": "- #+BEGIN_SRC python\n  s = 'cafÃ©'\n  #+END_SRC\n"
                        "- #+begin_example\n  cafÃ© example\n  #+end_example\n"
                        "- outside cafÃ©\n"})
    (src,) = load(graph, cache_dir=None).pages
    assert "s = 'cafÃ©'" in src.text and "  cafÃ© example" in src.text
    assert "- outside café" in src.text
    assert [d.line for d in src.diagnostics if d.code == "encoding-repaired"] == [7]

    vault = write_vault(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        "Note.md": "---\ntitle: cafÃ© front\n---\nPara.\n\n    cafÃ© indented\n\n"
                   "> [!note]\n> ```\n> cafÃ© in a callout fence\n> ```\n\n"
                   "<div>cafÃ© html</div>\n\nOutside cafÃ©\n"})
    (note,) = load(vault, cache_dir=None).pages
    assert "    cafÃ© indented" in note.text and "> cafÃ© in a callout fence" in note.text
    assert "title: café front" in note.text and "<div>café html</div>" in note.text
    assert [d.line for d in note.diagnostics if d.code == "encoding-repaired"] == [2, 13, 15]
