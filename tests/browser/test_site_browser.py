"""The built sample vault in real headless Chromium: pages load without console errors,
links, backlinks and block refs land on the element they name, search finds a page by
a word of its body, the theme toggle switches and remembers, the navigation drawer
works on a phone, hover previews show, and screenshots are kept in test-artifacts/."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Locator, Page, expect

from kb_compiler.emit.site import SiteOptions, build_site, search
from kb_compiler.loader import load
from kb_compiler.resolve import resolve
from tests.browser.conftest import serving
from tests.conftest import write_vault
from tests.site_crawl import scan_page


def watch_errors(page: Page) -> list[str]:
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{message.text} at {message.location.get('url')}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: errors.append(f"request failed: {request.url}"))
    return errors


def first_href(site: Path, pattern: str, in_body: bool = True) -> tuple[str, str]:
    """(page file, href) of the first element matching ``pattern`` in the site (in a
    page's own content when ``in_body``)."""
    for path in sorted(site.glob("*.html")):
        text = path.read_text("utf-8")
        if in_body:
            if 'class="note-body' not in text:
                continue
            text = text.split('class="note-body', 1)[1].split("</div>\n\n", 1)[0]
        found = re.search(pattern, text)
        if found:
            return path.name, found.group(1)
    raise AssertionError(f"no page has {pattern}")


def assert_landed(page: Page, href: str) -> None:
    """The browser is on ``href``'s page and the element its #fragment names is the
    :target and on screen."""
    file_part, _, fragment = href.partition("#")
    expect(page).to_have_url(re.compile(re.escape(file_part) + "#" + re.escape(fragment) + "$"))
    target = page.locator(f'[id="{fragment}"]')
    expect(target).to_have_count(1)
    expect(target).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target')?.id") == fragment


def test_home_page_loads_without_console_errors(page: Page, site_url: str,
                                                 artifacts: Path) -> None:
    errors = watch_errors(page)
    page.goto(site_url + "index.html")
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text("xBoK profile")
    expect(page.locator(".card").first).to_be_visible()
    page.screenshot(path=artifacts / "home-light.png", full_page=True)
    for name in ("all-pages.html", "graph.html", "tags.html", "profile-id.html"):
        page.goto(site_url + name)
        page.wait_for_load_state("networkidle")
    assert errors == []


def test_following_a_link_lands_on_the_heading(page: Page, site_url: str,
                                               built_site: Path) -> None:
    source, href = first_href(built_site, r'<a class="wikilink internal" href="([^"#]+#[^"]+)"')
    page.goto(site_url + source)
    link = page.locator(f'.note-body a.wikilink[href="{href}"]').first
    link.click()
    assert_landed(page, href)


def test_following_a_backlink_lands_on_the_linking_block(page: Page, site_url: str,
                                                         built_site: Path) -> None:
    source, href = first_href(built_site, r'class="context-open" href="([^"]+#[^"]+)"',
                              in_body=False)
    page.goto(site_url + source)
    page.locator(f'.backlinks a.context-open[href="{href}"]').first.click()
    assert_landed(page, href)


def test_following_a_block_ref_lands_on_the_block(page: Page, site_url: str,
                                                  built_site: Path) -> None:
    source, href = first_href(built_site, r'class="block-ref" href="([^"]+#block-[^"]+)"')
    page.goto(site_url + source)
    page.locator(f'.note-body a.block-ref[href="{href}"]').first.click()
    assert_landed(page, href)
    expect(page.locator(f'[id="{href.partition("#")[2]}"]')).to_have_class(re.compile("block"))


def distinctive_word(site: Path) -> tuple[str, str]:
    """A long word that the indexed body of exactly one page contains, and its title."""
    bodies: dict[str, str] = {}
    for path in sorted(site.glob("*.html")):
        text = path.read_text("utf-8")
        if 'class="note-body' not in text:
            continue
        body = text.split('class="note-body', 1)[1].split("</article>", 1)[0]
        title = re.search(r'data-pagefind-meta="title">([^<]+)<', text)
        if title:
            bodies[title.group(1)] = re.sub(r"<[^>]+>", " ", body)
    counts = Counter(w.lower() for text in bodies.values()
                     for w in set(re.findall(r"[A-Za-z]{9,}", text)))
    for title, text in sorted(bodies.items()):
        for word in sorted(set(re.findall(r"[A-Za-z]{9,}", text))):
            if counts[word.lower()] == 1:
                return word, title
    raise AssertionError("no distinctive word")


def test_search_finds_a_page_by_a_word_of_its_body(page: Page, site_url: str,
                                                   built_site: Path, artifacts: Path) -> None:
    word, title = distinctive_word(built_site)
    errors = watch_errors(page)
    page.goto(site_url + "index.html")
    page.keyboard.press("/")
    expect(page.locator("#kbc-search-input")).to_be_focused()
    page.keyboard.type(word)
    result = page.locator(".search-results a", has_text=title)
    expect(result.first).to_be_visible(timeout=15_000)
    expect(page.locator(".search-results mark").first).to_be_visible()
    page.screenshot(path=artifacts / "search.png")
    result.first.click()
    expect(page.locator("h1.note-title")).to_contain_text(title)
    assert errors == []


ANIMALS = ("lyrebird", "pangolin", "axolotl", "narwhal", "okapi", "quokka", "wombat")


def animal_site(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site of seven notes whose search index has a shard per page."""
    monkeypatch.setattr(search, "shard_count", lambda pages: pages)
    vault = folder / "vault"
    vault.mkdir()
    for animal in ANIMALS:
        (vault / f"{animal.title()} notes.md").write_text(
            f"# {animal.title()} notes\nField notes about the {animal}.\n", "utf-8")
    site = folder / "site"
    build_site(resolve(load(vault, cache_dir=None)), site, SiteOptions())
    bundles = json.loads((site / search.SHARDS_FILE).read_text("utf-8"))["bundles"]
    assert len(bundles) >= 3
    return site


def search_result(page: Page, animal: str) -> Locator:
    """The first result for ``animal`` typed into the search box, once it shows."""
    page.locator("#kbc-search-input").fill(animal)
    result = page.locator(".search-results a", has_text=f"{animal.title()} notes").first
    expect(result).to_be_visible(timeout=15_000)
    return result


def test_search_merges_every_shard_of_the_index(page: Page, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A big site's index comes in shards; a word is found whichever shard holds it."""
    site = animal_site(tmp_path, monkeypatch)
    errors = watch_errors(page)
    with serving(site) as url:
        page.goto(url + "index.html")
        for animal in ANIMALS:
            search_result(page, animal)
    assert errors == []


def test_chinese_and_japanese_words_are_found_inside_a_sentence(
        page: Page, tmp_path: Path) -> None:
    """pagefind's standard binary, indexing in English, read a run of Chinese or
    Japanese characters up to the next space as one word: 北京 and 東京 found nothing.
    A vault written mostly in those languages is indexed in one of them with the
    extended binary, which splits them into words; English words are still found."""
    vault = write_vault(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        "北京.md": "# 北京\n中文测试页面，北京欢迎你。我们在这里学习。\n",
        "東京.md": "# 東京\n日本語の文章です。東京タワーは高い。\n",
        "Notes.md": "# Notes\nEnglish pangolin words.\n"})
    site = tmp_path / "site"
    build_site(resolve(load(vault, cache_dir=None)), site, SiteOptions())
    errors = watch_errors(page)
    with serving(site) as url:
        page.goto(url + "index.html")
        for word, title in (("欢迎", "北京"), ("タワー", "東京"), ("pangolin", "Notes")):
            page.locator("#kbc-search-input").fill(word)
            expect(page.locator(".search-results a", has_text=title).first).to_be_visible(
                timeout=15_000)
    assert errors == []
    assert search.index_language(["中文测试页面，北京欢迎你"]) == "zh"
    assert search.index_language(["日本語の文章です。東京タワーは高い。"]) == "ja"
    assert search.index_language(["Mostly English text with one word 北京 in it"]) == "en"


def test_search_results_open_their_page_under_a_sub_path(
        page: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Served from /docs/kb/ (a GitHub Pages project site), the first shard's results
    linked to /docs/kb/docs/kb/...: pagefind put the sub-path in front of its URLs and
    the site resolved them against the sub-path again. Every shard's result must open."""
    site = animal_site(tmp_path, monkeypatch)
    root = tmp_path / "root"
    shutil.copytree(site, root / "docs" / "kb")
    errors = watch_errors(page)
    with serving(root) as url:
        page.goto(url + "docs/kb/index.html")
        for animal in ANIMALS:
            href = search_result(page, animal).evaluate("a => a.href")
            assert href == f"{url}docs/kb/{animal}-notes.html"
            assert page.request.get(href).status == 200
    assert errors == []


def test_search_finds_pages_without_a_file_by_their_name(page: Page, tmp_path: Path) -> None:
    """A tag page and a page only linked to had no search entry (496 of the 903 pages
    of Logseq's docs graph): typing their name found nothing, or only the pages that
    mention it."""
    graph = tmp_path / "graph"
    (graph / "logseq").mkdir(parents=True)
    (graph / "pages").mkdir()
    (graph / "logseq" / "config.edn").write_text("{:file/name-format :triple-lowbar}", "utf-8")
    (graph / "pages" / "Zoo.md").write_text(
        "- Visitors walk past the #marmosets towards [[Okapi House]]\n", "utf-8")
    site = tmp_path / "site"
    build_site(resolve(load(graph, cache_dir=None)), site, SiteOptions())
    errors = watch_errors(page)
    with serving(site) as url:
        page.goto(url + "index.html")
        for typed, title, file in (("okapi", "Okapi House", "okapi-house.html"),
                                   ("marmosets", "#marmosets", "marmosets.html")):
            page.locator("#kbc-search-input").fill(typed)
            titled = page.locator(".search-results .result-title").get_by_text(title, exact=True)
            expect(titled).to_be_visible(timeout=15_000)
            assert titled.evaluate("span => span.parentElement.href") == url + file
    assert errors == []


def test_query_results_stay_inside_their_paragraph(page: Page, tmp_path: Path) -> None:
    """A query written in a paragraph listed a page's properties as a <dl> and a block
    holding an embed as a <div> inside its link: the browser closed the paragraph there,
    and the results spilled out of the query's box onto one line."""
    graph = tmp_path / "graph"
    (graph / "logseq").mkdir(parents=True)
    (graph / "pages").mkdir()
    (graph / "logseq" / "config.edn").write_text("{:file/name-format :triple-lowbar}", "utf-8")
    (graph / "pages" / "Alpha.md").write_text(
        "type:: [[Thing]]\n\n- Alpha block one\n- Quiz {{cloze secret answer}} [[Beta]]\n"
        "- {{embed [[Missing page]]}}\n", "utf-8")
    (graph / "pages" / "Beta.md").write_text('- Found: {{query (page "Alpha")}}\n', "utf-8")
    site = tmp_path / "site"
    build_site(resolve(load(graph, cache_dir=None)), site, SiteOptions(search=False))
    with serving(site) as url:
        page.goto(url + "beta.html")
        query = page.locator("p .query")
        expect(query).to_have_count(1)
        expect(query.locator(".query-item")).to_have_count(4)
        expect(query.locator(".block-props .prop-key")).to_have_text(["type"])
        expect(query.locator(".block-ref")).to_have_count(3)
        assert query.locator(".block-ref div, .block-ref [tabindex]").count() == 0
        assert page.locator("#b0 .block-content > :not(p)").count() == 0


def test_the_404_page_skips_to_its_own_content_under_a_base_url(
        page: Page, tmp_path: Path) -> None:
    """With --base-url the 404 page has a <base> (it is served at any missing path),
    and "Skip to content" led to the home page instead of into the 404 page."""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Home.md").write_text("# Home\nA note.\n", "utf-8")
    root = tmp_path / "root"
    with serving(root.parent) as url:
        build_site(resolve(load(vault, cache_dir=None)), root / "docs" / "kb",
                   SiteOptions(search=False, base_url=f"{url}root/docs/kb"))
        missing = f"{url}root/docs/kb/nope/deep/missing.html"
        body = (root / "docs" / "kb" / "404.html").read_text("utf-8")
        page.route(missing, lambda route: route.fulfill(status=404, body=body,
                                                        content_type="text/html"))
        page.goto(missing)
        page.keyboard.press("Tab")
        expect(page.locator(".skip-link")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page).to_have_url(missing + "#kbc-main")
        expect(page.locator("#kbc-main")).to_be_focused()


def test_dark_mode_toggles_and_is_remembered(page: Page, site_url: str,
                                             artifacts: Path) -> None:
    page.emulate_media(color_scheme="light")
    page.goto(site_url + "profile-id.html")
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.locator("#kbc-theme-toggle").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\btheme-dark\b"))
    dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark != light
    page.reload()
    expect(page.locator("html")).to_have_class(re.compile(r"\btheme-dark\b"))
    page.screenshot(path=artifacts / "page-dark.png")
    page.locator("#kbc-theme-toggle").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\btheme-light\b"))
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == light
    page.screenshot(path=artifacts / "page-light.png")


def test_a_mermaid_diagram_is_drawn_in_the_themes_colours(page: Page, site_url: str,
                                                          artifacts: Path) -> None:
    errors = watch_errors(page)
    page.emulate_media(color_scheme="light")
    page.goto(site_url + "profiles.html")
    diagram = page.locator("pre.diagram")
    expect(diagram).to_have_class(re.compile(r"\bdiagram-drawn\b"), timeout=20_000)
    expect(diagram.locator("svg")).to_be_visible()
    for part in ("profile (id)", "persona", "segmentation", "goals", "emotions", "40"):
        expect(diagram.locator("svg")).to_contain_text(part)
    diagram.screenshot(path=artifacts / "diagram-light.png")
    fill = "document.querySelector('pre.diagram svg .node rect').getAttribute('style') || " \
           "getComputedStyle(document.querySelector('pre.diagram svg .node rect')).fill"
    light = page.evaluate(fill)
    page.locator("#kbc-theme-toggle").click()
    page.wait_for_function(f"() => {{ try {{ return ({fill}) !== {json.dumps(light)}; }} "
                           "catch (e) { return false; } }", timeout=20_000)
    expect(diagram).to_have_class(re.compile(r"\bdiagram-drawn\b"))
    diagram.screenshot(path=artifacts / "diagram-dark.png")
    assert errors == []


def test_pages_without_a_diagram_do_not_load_mermaid(page: Page, site_url: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site_url + "profile-id.html")
    page.wait_for_load_state("networkidle")
    assert any(url.endswith("static/site.js") for url in requested)
    assert not any("mermaid" in url for url in requested)


def test_a_diagram_that_does_not_parse_keeps_its_source(page: Page, tmp_path: Path) -> None:
    """From file:// too; and a Logseq page's mermaid block stays code, as Logseq shows it."""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Flows.md").write_text(
        "---\ntags: [flow]\n---\n```mermaid\nsequenceDiagram\n  Alice->>Bob: Hi\n```\n\n"
        "```mermaid\nthis is not a diagram -->\n```\n", "utf-8")
    (vault / "Outline.md").write_text("- a block\n  ```mermaid\n  graph TD\n  ```\n"
                                      "- key:: value\n", "utf-8")
    out = tmp_path / "site"
    build_site(resolve(load(vault, cache_dir=None)), out, SiteOptions(search=False))
    failures: list[str] = []
    page.on("pageerror", lambda error: failures.append(str(error)))
    page.goto((out / "flows.html").as_uri())
    drawn, broken = page.locator("pre.diagram").nth(0), page.locator("pre.diagram").nth(1)
    expect(drawn).to_have_class(re.compile(r"\bdiagram-drawn\b"), timeout=20_000)
    expect(drawn.locator("svg")).to_contain_text("Alice")
    expect(broken).to_have_class(re.compile(r"\bdiagram-error\b"))
    expect(broken).to_have_text("this is not a diagram -->\n")
    expect(broken).to_have_attribute("title", re.compile("Mermaid could not draw"))
    assert failures == []
    page.goto((out / "outline.html").as_uri())
    expect(page.locator('.highlight[data-lang="mermaid"]')).to_contain_text("graph TD")
    assert page.locator("pre.diagram").count() == 0


def test_phone_layout_has_a_navigation_drawer(browser: object, site_url: str,
                                              artifacts: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844},  # type: ignore[attr-defined]
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(site_url + "profile-id-persona.html")
    sidebar = page.locator("#kbc-sidebar")
    expect(sidebar).not_to_be_in_viewport()
    page.screenshot(path=artifacts / "phone-page.png")
    page.locator("#kbc-nav-toggle").click()
    expect(sidebar).to_be_in_viewport()
    expect(page.locator("#kbc-nav-toggle")).to_have_attribute("aria-expanded", "true")
    page.wait_for_timeout(400)  # the drawer slides in
    page.screenshot(path=artifacts / "phone-nav.png")
    page.keyboard.press("Escape")
    expect(sidebar).not_to_be_in_viewport()
    assert errors == []
    context.close()


def test_hover_preview_shows_the_linked_page(page: Page, site_url: str,
                                             built_site: Path) -> None:
    page.goto(site_url + "profile-id.html")
    link = page.locator(".mm-children a, .note-body a.internal").first
    target = link.get_attribute("href") or ""
    title = scan_page((built_site / target.partition("#")[0]).read_text("utf-8"))
    assert title is not None
    link.hover()
    preview = page.locator("#kbc-preview")
    expect(preview).to_be_visible(timeout=5_000)
    expect(preview.locator(".preview-title")).not_to_be_empty()


def test_outline_blocks_fold_and_unfold(page: Page, site_url: str) -> None:
    page.goto(site_url + "profile-id.html")
    bullet = page.locator("li.block > .block-row > button.bullet").first
    block = bullet.locator("xpath=ancestor::li[1]")
    children = block.locator(":scope > ul.children")
    expect(children).to_be_visible()
    bullet.click()
    expect(children).to_be_hidden()
    expect(bullet).to_have_attribute("aria-expanded", "false")
    bullet.click()
    expect(children).to_be_visible()


def test_the_site_works_from_file_urls(page: Page, built_site: Path) -> None:
    errors = watch_errors(page)
    page.goto((built_site / "profile-id.html").as_uri())
    expect(page.locator("h1.note-title")).to_be_visible()
    page.locator(".sidebar a", has_text="All pages").click()
    expect(page.locator("h1")).to_contain_text("All pages")
    page.locator("#kbc-theme-toggle").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\btheme-"))
    assert errors == []


# Content wider than its box, in a box that does not mean to scroll sideways. Code
# blocks, Markdown tables and wide formulas scroll on purpose.
_OVERFLOWS = """() => {
  const found = [];
  const sideways = document.documentElement.scrollWidth - window.innerWidth;
  if (sideways > 0) found.push(`the page scrolls sideways by ${sideways}px`);
  for (const element of document.querySelectorAll('body *')) {
    if (element.closest('pre, .content table, svg, .math')) continue;
    const style = getComputedStyle(element);
    if (style.overflowX !== 'visible' && element.scrollWidth > element.clientWidth + 1) {
      const text = (element.textContent || '').trim().slice(0, 40);
      found.push(`${element.tagName.toLowerCase()}.${element.className} hides ` +
                 `${element.scrollWidth - element.clientWidth}px of '${text}'`);
    }
  }
  return found;
}"""


@pytest.mark.parametrize("width", [320, 1280])
def test_no_page_is_wider_than_the_screen(browser: object, site_url: str,
                                          built_site: Path, width: int) -> None:
    """Every page of the sample site at a small phone's width (320 px: WCAG's reflow
    width) and a laptop's: long page names (profile-(id)/emotions/examples/...) in the
    table of contents, the keys table, the index, backlinks and embeds break or fold
    rather than push the page sideways or hide in a scrolling box."""
    context = browser.new_context(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    problems: list[str] = []
    files = sorted(path.name for path in built_site.glob("*.html")
                   if 'http-equiv="refresh"' not in path.read_text("utf-8"))
    assert "profile-id.html" in files and "all-pages.html" in files
    for name in files:
        page.goto(site_url + name)
        problems.extend(f"{name}: {problem}" for problem in page.evaluate(_OVERFLOWS))
    context.close()
    assert problems == []


_NARROWEST_TEXT = """() => {
  let least = [1e9, ""];
  for (const el of document.querySelectorAll(".note-body li, .note-body p, .block-content")) {
    const width = el.getBoundingClientRect().width;
    if (width > 0 && el.innerText.trim() && width < least[0])
      least = [Math.round(width), el.innerText.trim().slice(0, 40)];
  }
  return least;
}"""


def test_deep_outlines_keep_room_for_their_text_on_a_phone(browser: object,
                                                           docs_site_url: str) -> None:
    """At 320 px, a list in a quote in an embed four blocks deep (Logseq's changelogs)
    keeps a column wide enough for a few words a line: it was 15 to 28 px, a syllable a
    line, when every level spent its desktop indent."""
    context = browser.new_context(viewport={"width": 320, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    narrow = []
    for name in ("changelog_06.html", "changelog_07_09.html", "markdown.html"):
        page.goto(docs_site_url + name)
        width, text = page.evaluate(_NARROWEST_TEXT)
        if width < 90:
            narrow.append(f"{name}: {width} px for {text!r}")
    context.close()
    assert narrow == []


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_logseq_docs_pages_fit_the_screen(browser: object, docs_site_url: str,
                                          width: int) -> None:
    """Pages of Logseq's docs graph with what the sample vault lacks: quotes holding
    lists, nested admonitions, wide inline math, a long tag, block properties, deep
    outlines, Org-mode text with long image URLs (Changelog_2020.org), hiccup, and
    pictures their authors resized to 960 px (one year in logseq.md), admonitions in Org
    text (2020_06_01.org), audio players two levels deep (Embed Media: Chromium draws
    one 300 px wide whatever the column's width)."""
    context = browser.new_context(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    problems: list[str] = []
    for name in ("testimonials.html", "filename-format.html", "math-block.html",
                 "page-and-block-references.html", "markdown.html", "changelog_06.html",
                 "changelog-2020.html", "org-mode.html", "hiccup.html",
                 "one-year-in-logseq.html", "jun-1st-2020.html",
                 "embed-media-audio-photos-videos.html"):
        page.goto(docs_site_url + name)
        expect(page.locator("h1.note-title")).to_be_visible()
        problems.extend(f"{name}: {problem}" for problem in page.evaluate(_OVERFLOWS))
    page.goto(docs_site_url + "about.html")  # Org text keeps its line breaks
    shown = page.locator(".org-text").first.inner_text()
    assert shown.startswith("Hi, welcome to Logseq.\n\n  Logseq is a local-only,")
    page.goto(docs_site_url + "changelog-2020.html")  # its links lead to the page
    page.locator(".org-text a.wikilink", has_text="Page alias").first.click()
    expect(page).to_have_url(docs_site_url + "term-alias.html")
    context.close()
    assert problems == []


def test_logseq_formulas_and_org_blocks_are_drawn(page: Page, docs_site_url: str,
                                                  artifacts: Path) -> None:
    """Math Block.md's formula after "becomes" is typeset on a line of its own, as is
    Changelog_2020.org's; 2020_06_01.org's admonitions are callouts, the first holding
    ``*/formats/*`` in bold italics."""
    page.goto(docs_site_url + "math-block.html")
    formula = page.locator(".block-content > .math-block math").first
    expect(formula).to_be_visible()
    box = formula.bounding_box()
    assert box is not None and box["height"] > 40  # a fraction over a fraction
    page.goto(docs_site_url + "changelog-2020.html")
    expect(page.locator(".org-text .math-block math").first).to_be_visible()
    page.goto(docs_site_url + "jun-1st-2020.html")
    note = page.locator('.org-text .callout[data-callout="note"]')
    expect(note.locator(".callout-title")).to_have_text("Note")
    styled = note.locator("strong em")
    expect(styled).to_have_text("formats")
    assert styled.evaluate("e => getComputedStyle(e).fontStyle") == "italic"
    assert int(styled.evaluate("e => getComputedStyle(e).fontWeight")) >= 600
    expect(page.locator(".org-text .callout")).to_have_count(5)
    note.screenshot(path=artifacts / "org-admonition.png")


def test_a_base_is_drawn_and_its_links_lead_to_the_pages(page: Page, site_url: str,
                                                         artifacts: Path) -> None:
    """The Profiles note embeds Artifacts.base: the sub-artifacts as a table sorted by
    weight (a planted 'high' first, then 40, 25, 20), the examples as a list grouped by
    the artifact they are written for (one names none: its relations:: holds `[[]]`)."""
    errors = watch_errors(page)
    page.goto(site_url + "profiles.html")
    table = page.locator("figure.base-table table")
    expect(table).to_be_visible()
    expect(table.locator("thead th")).to_have_text(
        ["Icon", "Artifact", "Kind", "Weight", "Share of the parent", "relations"])
    expect(table.locator("tbody tr td:nth-child(2)")).to_have_text(
        ["emotions", "persona", "segmentation", "goals"])
    expect(table.locator("tbody tr td:nth-child(4)")).to_have_text(["high", "40", "25", "20"])
    examples = page.locator("figure.base-list")
    expect(examples.locator("p.base-group")).to_have_text(
        ["profile-(id)", "emotions", "goals", "persona", "segmentation", "(no value)"])
    page.locator("figure.base-view").first.screenshot(path=artifacts / "base-table.png")
    table.get_by_role("link", name="persona", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"profile-id-persona\.html$"))
    assert errors == []


def test_logseq_hiccup_and_query_tables_are_drawn(page: Page, docs_site_url: str,
                                                   artifacts: Path) -> None:
    """Hiccup.md's `[:h2 {:style {:color "red"}} "h2 title"]` is a red heading; Graph
    Overview.md's Feature pages query (`query-table:: true`, six `query-properties`)
    is a table, folded in its outline until opened, whose links lead to the pages."""
    page.goto(docs_site_url + "hiccup.html")
    heading = page.locator(".block-content h2", has_text="h2 title")
    expect(heading).to_be_visible()
    assert heading.evaluate("element => getComputedStyle(element).color") == "rgb(255, 0, 0)"
    page.goto(docs_site_url + "graph-overview.html")
    query = page.locator(".advanced-query", has_text="Feature pages")
    folded = page.locator('button.bullet[aria-expanded="false"]:visible')
    while not query.is_visible() and folded.count():
        folded.first.click()
    table = query.locator(".query-table")
    expect(table).to_be_visible()
    assert table.evaluate("element => getComputedStyle(element).display") == "table"
    expect(table.locator(".query-columns > .query-cell")).to_have_text(
        ["page", "type", "platforms", "description", "initial-version", "tags"])
    row = table.locator(".query-row", has_text="Math Block")
    expect(row.locator(".query-cell").nth(3)).to_contain_text("Write and render math")
    query.screenshot(path=artifacts / "query-table.png")
    row.get_by_role("link", name="Math Block", exact=True).click()
    expect(page).to_have_url(docs_site_url + "math-block.html")


def test_a_cloze_hides_its_answer_until_clicked(page: Page, docs_site_url: str) -> None:
    """Logseq's Cloze page: 'Most apples are {{cloze red \\\\ color}}.' shows the cue
    'color' and hides 'red' until clicked; the site showed 'red \\\\ color' as text."""
    page.goto(docs_site_url + "cloze.html")
    cloze = page.locator(".cloze", has_text="color").first
    assert cloze.locator(".cloze-cue").inner_text() == "color"
    assert not cloze.locator(".cloze-answer").is_visible()
    cloze.click()
    assert cloze.locator(".cloze-answer").is_visible()
    assert cloze.locator(".cloze-answer").inner_text() == "red"
    assert not cloze.locator(".cloze-cue").is_visible()


def test_on_a_phone_the_home_link_has_a_name_and_keys_break_between_words(
        browser: object, docs_site_url: str) -> None:
    """At 375 px the site's name is hidden and the logo is decorative: the home link
    had no name. A block property's key shrank with its chip and broke mid-word
    ('nam' / 'e' on Logseq's Tasks page)."""
    context = browser.new_context(viewport={"width": 375, "height": 800})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(docs_site_url + "tasks.html")
    expect(page.get_by_role("link", name="logseq-docs: home")).to_be_visible()
    lines = page.evaluate("""() => [...document.querySelectorAll('.block-props dt')]
        .filter(dt => dt.getClientRects().length && !/\\s/.test(dt.textContent.trim()))
        .map(dt => { const range = document.createRange(); range.selectNodeContents(dt);
                     return [dt.textContent, new Set([...range.getClientRects()]
                                                     .map(r => Math.round(r.top))).size]; })""")
    assert lines and all(count == 1 for _, count in lines), lines
    context.close()


def test_a_numbered_logseq_list_shows_its_numbers(page: Page, docs_site_url: str) -> None:
    """Logseq's docs page "Numbered List": its items read 1., 2., 3. where a reader
    looks (the bullet), foldable items too."""
    page.goto(docs_site_url + "numbered-list.html")
    numbers = page.evaluate("""[...document.querySelectorAll('.bullet.numbered')]
        .map(e => getComputedStyle(e, '::before').content)""")
    assert numbers[:5] == ['"1."', '"2."', '"3."', '"1."', '"2."']
