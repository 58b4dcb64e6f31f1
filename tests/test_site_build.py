"""`kbc build` end to end: the sample vault, the seeds and generated 400-page vaults
build into sites whose every local link, image and #anchor resolves and where every
published page has its file; the output is byte-identical between builds; the output
folder is refused when it is the vault or inside it."""

from __future__ import annotations

import filecmp
import os
import re
import shlex
import shutil
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from click.testing import CliRunner

from kb_compiler.cli import main
from kb_compiler.emit.site import BuildReport, SiteOptions, build_site
from kb_compiler.emit.site.backlinks import CONTEXT_HTML_CHARS, BacklinkContexts
from kb_compiler.emit.site.body import MAX_REF_DEPTH
from kb_compiler.emit.site.context import SiteContext
from kb_compiler.emit.site.theme import DIAGRAM_FILES, default_templates
from kb_compiler.errors import KbcError
from kb_compiler.loader import load
from kb_compiler.model import Dialect
from kb_compiler.resolve import KnowledgeGraph, resolve
from kb_compiler.resolve.dates import page_date
from tests.conftest import SAMPLE_VAULT, TRIPLE_LOWBAR, lay_out_seeds, write_vault
from tests.site_crawl import crawl, scan_page
from tests.vaultgen import generate

SITE_FILES = ("index.html", "all-pages.html", "tags.html", "graph.html", "404.html",
              "static/site.css", "static/site.js",
              "static/code.css", "pagefind/shards.json", "pagefind/0/pagefind.js")


def build(vault: Path, out: Path, **options: object) -> tuple[KnowledgeGraph, BuildReport]:
    graph = resolve(load(vault, cache_dir=None))
    return graph, build_site(graph, out, SiteOptions(**options))  # type: ignore[arg-type]


def obsidian_site(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    """An Obsidian vault of ``files`` (path -> text or bytes) built without search; the
    site's folder."""
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    for name, data in files.items():
        (vault / name).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            (vault / name).write_bytes(data)
        else:
            (vault / name).write_text(data, "utf-8")
    build(vault, tmp_path / "site", search=False)
    return tmp_path / "site"


def assert_complete(graph: KnowledgeGraph, out: Path, report: BuildReport) -> None:
    """Every local link resolves, and every published page has its own file."""
    problems, pages = crawl(out)
    assert problems == []
    context = SiteContext(graph, SiteOptions())
    assert report.pages == len(context.pages) > 0
    for key, page in context.pages.items():
        site_file = context.file_of(key)
        assert site_file in pages, f"no file for page {page.name}"
        assert page.name in (out / site_file).read_text("utf-8").replace("&amp;", "&") or \
            page.name.replace("'", "&#39;") in (out / site_file).read_text("utf-8")
    for name in SITE_FILES:
        if report.search or not name.startswith("pagefind/"):
            assert (out / name).is_file(), name
    # a feed only when a page is dated (there is none to date an empty one by)
    assert (out / "feed.xml").is_file() == any(map(page_date, context.pages.values()))


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeGraph, Path,
                                                                   BuildReport]:
    vault = tmp_path_factory.mktemp("sample") / "vault"
    shutil.copytree(SAMPLE_VAULT, vault)
    out = tmp_path_factory.mktemp("sample-out") / "site"
    graph, report = build(vault, out)
    return graph, out, report


def test_sample_vault_site_is_complete(sample_site: tuple[KnowledgeGraph, Path,
                                                          BuildReport]) -> None:
    graph, out, report = sample_site
    assert_complete(graph, out, report)


def test_sample_vault_pages_show_what_their_files_say(
        sample_site: tuple[KnowledgeGraph, Path, BuildReport]) -> None:
    _, out, _ = sample_site
    profile = (out / "profile-id.html").read_text("utf-8")
    assert "Customer Understanding" in profile  # a key block, with its bars
    assert 'class="bar-fill" style="width: 75.0%"' in profile
    assert 'class="outline"' in profile  # a Logseq outline
    assert "kbc-backlinks-title" in profile  # linked from other pages
    customer = (out / "customer-profile.html").read_text("utf-8")
    assert ('<img class="embed-image" src="files/assets/customer-profile-canvas.png" '
            'alt="customer-profile-canvas.png" loading="lazy" width="400">') in customer
    assert (out / "files/assets/customer-profile-canvas.png").is_file()
    index = (out / "index.html").read_text("utf-8")
    assert "The metamodel at a glance" in index and "profile-(id)" in index
    chips = re.findall(r'<li><a class="" href="([^"]+)">([^<]+)</a></li>', index)
    assert len(chips) > 10 and len({text for _, text in chips}) == len(chips)


def test_a_mermaid_diagram_comes_with_the_library_only_where_one_may_be_shown(
        sample_site: tuple[KnowledgeGraph, Path, BuildReport], tmp_path: Path) -> None:
    """The sample vault's overview draws one, so its site carries Mermaid (5 MB) and
    its licence; a vault without one, or whose only one is on a private page, does not."""
    _, out, _ = sample_site
    assert '<pre id="b32" class="diagram">flowchart TD' in \
        (out / "profiles.html").read_text("utf-8")
    for name in DIAGRAM_FILES:
        assert (out / "static" / name).read_bytes() == \
            (default_templates() / "static" / name).read_bytes()
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "Plain.md").write_text("```python\nmermaid = 1\n```\n", "utf-8")
    build(vault, tmp_path / "plain", search=False)
    assert not (tmp_path / "plain" / "static" / "mermaid.min.js").exists()
    (vault / "Secret.md").write_text("---\npublish: false\n---\n```mermaid\ngraph TD\n```\n",
                                     "utf-8")
    build(vault, tmp_path / "private", search=False)
    assert not (tmp_path / "private" / "static" / "mermaid.min.js").exists()
    (vault / "Secret.md").write_text("```mermaid\ngraph TD\n```\n", "utf-8")
    build(vault, tmp_path / "public", search=False)
    assert (tmp_path / "public" / "static" / "mermaid.min.js").is_file()


def test_embedded_media_is_a_player_or_a_link_whichever_syntax_embeds_it(
        tmp_path: Path) -> None:
    """Both apps embed a video or sound written as a Markdown image, as they do
    ``![[clip.mp4]]``; an image element for it would show as a broken image."""
    vault = tmp_path / "vault"
    (vault / "files").mkdir(parents=True)
    for name in ("clip.mp4", "talk.mp3", "doc.pdf", "photo.png"):
        (vault / "files" / name).write_bytes(b"\0")
    (vault / "Media.md").write_text(
        "---\ntags: [media]\n---\n![A clip](files/clip.mp4)\n\n![A talk](files/talk.mp3)\n\n"
        "![A doc](files/doc.pdf)\n\n![A photo](files/photo.png)\n\n![[clip.mp4]]\n", "utf-8")
    (vault / "Outline.md").write_text(
        "- ![clip](files/clip.mp4)\n- key:: value\n"
        "- ![Screencast](https://github.com/u/r/assets/1/f05a#screencast.webm)\n"
        "- ![Talk](https://example.org/talk.mp3?t=3)\n- ![Logo](https://example.org/logo.png)\n",
        "utf-8")
    graph, report = build(vault, tmp_path / "site", search=False)
    assert_complete(graph, tmp_path / "site", report)
    media = (tmp_path / "site" / "media.html").read_text("utf-8")
    video = '<video class="embed-media" src="files/files/clip.mp4" controls preload="metadata">'
    assert media.count(video) == 2
    assert '<audio class="embed-media" src="files/files/talk.mp3" controls' in media
    assert '<a class="asset embed-file" href="files/files/doc.pdf">A doc</a>' in media
    assert '<img src="files/files/photo.png" alt="A photo" loading="lazy">' in media
    assert "<img" not in media.replace('<img src="files/files/photo.png"', "")
    outline = (tmp_path / "site" / "outline.html").read_text("utf-8")
    assert video in outline
    # on the web too (Logseq's docs append "#screencast.webm" to have a URL played)
    assert ('<video class="embed-media" src="https://github.com/u/r/assets/1/f05a#screencast.webm"'
            in outline)
    assert '<audio class="embed-media" src="https://example.org/talk.mp3?t=3"' in outline
    assert '<img src="https://example.org/logo.png" alt="Logo">' in outline


def test_obsidian_embeds_of_videos_and_posts_on_the_web_are_links_to_them(
        tmp_path: Path) -> None:
    """Obsidian embeds a YouTube video or a post written as an image (Obsidian Help,
    "Embed web pages"); the site drew an image of a web page, which shows as broken.
    It is now the link Logseq's {{video}} and {{tweet}} macros get. Obsidian has no
    macros: ``{{video URL}}`` and ``{{embed [[Page]]}}`` are text (and a link), as the
    parser reads them; the site drew a video link and an embed."""
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "Watch.md").write_text(
        "![](https://www.youtube.com/watch?v=NnTvZWp5Q7o)\n\n"
        "![](https://youtu.be/NnTvZWp5Q7o)\n\n"
        "![](https://twitter.com/obsdmd/status/1580548874246443010)\n\n"
        "![A cat](https://example.org/cat.png)\n\n"
        "- {{video https://www.youtube.com/watch?v=NnTvZWp5Q7o}} {{embed [[Outline]]}}\n",
        "utf-8")
    (vault / "Outline.md").write_text("- ![](https://youtu.be/NnTvZWp5Q7o)\n", "utf-8")
    build(vault, tmp_path / "site", search=False)
    watch = (tmp_path / "site" / "watch.html").read_text("utf-8")
    links = re.findall(r'<a class="macro-media external" href="([^"]+)" rel="noopener">'
                       r'<span aria-hidden="true">\u25b6</span> (\w+): ', watch)
    assert links == [("https://www.youtube.com/watch?v=NnTvZWp5Q7o", "Video"),
                     ("https://youtu.be/NnTvZWp5Q7o", "Video"),
                     ("https://twitter.com/obsdmd/status/1580548874246443010", "Post")]
    assert '<img src="https://example.org/cat.png" alt="A cat">' in watch
    assert "{{video" in watch and '{{embed <a class="wikilink internal"' in watch
    assert 'class="embed"' not in watch
    # A plain Markdown page (no app's marks, in a plain folder) is read alike.
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "Plain.md").write_text("![](https://youtu.be/NnTvZWp5Q7o)\n", "utf-8")
    graph, _ = build(plain, tmp_path / "plain-site", search=False)
    assert graph.kb.pages[0].dialect is Dialect.MARKDOWN
    assert 'href="https://youtu.be/NnTvZWp5Q7o" rel="noopener">' in (
        tmp_path / "plain-site" / "plain.html").read_text("utf-8")


def test_obsidian_tasks_of_any_status_are_checked_tasks(tmp_path: Path) -> None:
    """Obsidian reads ``- [c]`` with any character but a space as a done task, the
    character its status (``data-task``; themes draw ``[-]``, ``[/]``...); ``kbc export``
    writes Logseq's DOING and CANCELED so. The site left the brackets as text."""
    site = obsidian_site(tmp_path, {"Tasks.md": (
        "- [ ] open\n- [x] done\n- [-] cancelled **now**\n- [/] going\n- [-]no space\n\n"
        "1. [?] a question\n\nText [-] in a paragraph\n")})
    page = (site / "tasks.html").read_text("utf-8")
    items = re.findall(r'<li id="b\d+"([^>]*)>(<input[^>]*>)?(.*?)</li>', page)
    assert [(attrs, "checked" in box, text) for attrs, box, text in items] == [
        (' class="task-list-item"', False, " open"),
        (' class="task-list-item"', True, " done"),
        (' class="task-list-item" data-task="-"', True, " cancelled <strong>now</strong>"),
        (' class="task-list-item" data-task="/"', True, " going"),
        ("", False, "[-]no space"),
        (' class="task-list-item" data-task="?"', True, " a question")]
    assert "Text [-] in a paragraph" in page


def test_a_link_to_a_page_of_a_pdf_opens_the_pdf_at_that_page(tmp_path: Path) -> None:
    """Obsidian links and embeds a PDF's page as ``[[Doc.pdf#page=3]]`` (Obsidian Help,
    "Embed files"), and a Markdown link may end in ``#page=7``; the site dropped the
    page, which browsers' PDF viewers open the file at."""
    site = obsidian_site(tmp_path, {"Doc.pdf": b"%PDF-1.4\n", "Notes.md": (
        "![[Doc.pdf#page=3]] [[Doc.pdf#page=5|p5]] [seven](Doc.pdf#page=7) "
        "[tall](Doc.pdf#height=400) ![[Doc.pdf]]\n")})
    notes = (site / "notes.html").read_text("utf-8")
    hrefs = re.findall(r'<a[^>]*href="(files/Doc\.pdf[^"]*)"', notes)
    assert hrefs == ["files/Doc.pdf#page=3", "files/Doc.pdf#page=5", "files/Doc.pdf#page=7",
                     "files/Doc.pdf", "files/Doc.pdf"]


def test_a_markdown_link_to_a_heading_or_block_lands_on_it(tmp_path: Path) -> None:
    """Markdown links take a heading or block after ``#`` as wikilinks do (FORMATS.md
    2.4), percent-encoded or in angle brackets, and ``#Heading`` alone is one of the
    note's own. The site linked the page's top, and left ``#Local%20Part`` as written,
    which names no element."""
    site = obsidian_site(tmp_path, {
        "T.md": "# T\n\n## Heading One\n\n## Part 1: Intro\n\npara ^b1\n",
        "L.md": ("[a](T.md#Heading%20One) [b](T.md#Part%201%20Intro) "
                 "[c](<T.md#Heading One>) [d](T.md#^b1) [e](#Local%20Part) [f](#Nowhere)"
                 "\n\n## Local Part\n")})
    hrefs = re.findall(r'<a href="([^"]*)"[^>]*>[a-f]</a>', (site / "l.html").read_text("utf-8"))
    assert hrefs == ["t.html#heading-one", "t.html#part-1-intro", "t.html#heading-one",
                     "t.html#block-b1", "l.html#local-part", "#Nowhere"]
    ids = re.findall(r' id="([^"]*)"', (site / "t.html").read_text("utf-8"))
    assert {"heading-one", "part-1-intro", "block-b1"} <= set(ids)


def test_an_embed_of_a_missing_heading_or_block_says_which_is_missing(tmp_path: Path) -> None:
    """The page exists: the site said it did not, where ``kbc check`` names the
    heading or block."""
    site = obsidian_site(tmp_path, {"Src.md": "# Src\n\n## Real\n\nx\n",
                                    "E.md": "![[Src#Nope]]\n\n![[Src#^nope]]\n\n![[Gone]]\n"})
    titles = re.findall(r'class="broken-link" title="([^"]*)"', (site / "e.html").read_text())
    assert titles == ["heading \u2018Nope\u2019 not found in page \u2018Src\u2019",
                      "block \u2018^nope\u2019 not found in page \u2018Src\u2019",
                      "embedded page \u2018Gone\u2019 does not exist"]


def test_a_note_embedded_by_a_markdown_image_link_is_embedded(tmp_path: Path) -> None:
    """``![](Other%20Note.md)`` embeds the note as ``![[Other Note]]`` does (FORMATS.md
    2.4; Obsidian writes embeds so with wikilinks off): the site said the note 'is not
    in the vault', a broken link kbc check did not report."""
    site = obsidian_site(tmp_path, {
        "Other Note.md": "# Other Note\n\nEmbedded body.\n\n## Part\n\npart text\n",
        "deep/Inner.md": "inner text\n",
        "Host.md": "![](Other%20Note.md)\n\n![](<Other Note.md#Part>)\n\n"
                   "![shown](deep/Inner.md)\n\n![](Nope.md)\n"})
    page = (site / "host.html").read_text("utf-8")
    embeds = re.findall(r'<div class="embed"[^>]*>.*?</div></div>', page, re.DOTALL)
    assert len(embeds) == 3
    assert "Embedded body." in embeds[0] and "Embedded body." not in embeds[1]
    assert "part text" in embeds[1] and "inner text" in embeds[2]
    assert re.findall(r'class="broken-link broken-asset" title="([^"]*)"', page) == [
        "file ‘Nope.md’ is not in the vault"]


def test_an_obsidian_markdown_image_takes_its_size_from_its_alt_text(tmp_path: Path) -> None:
    """FORMATS.md 2.6: ``![Engelbart|100x145](https://...)``; the site kept the size in
    the alt text and drew the picture at its own size."""
    site = obsidian_site(tmp_path, {"pic.png": b"\x89PNG\r\n\x1a\n", "I.md": (
        "![Engelbart|100x145](https://example.com/e.jpg) ![pic|50](pic.png) "
        "![a|b](pic.png)\n")})
    images = re.findall(r"<img [^>]*>", (site / "i.html").read_text("utf-8"))
    assert images == [
        '<img src="https://example.com/e.jpg" alt="Engelbart" width="100" height="145">',
        '<img width="50" src="files/pic.png" alt="pic" loading="lazy">',
        '<img src="files/pic.png" alt="a|b" loading="lazy">']


def test_a_heading_named_like_another_element_gets_an_id_of_its_own(tmp_path: Path) -> None:
    """``## fn1`` had the id of footnote 1 (its ``[1]`` jumped to the heading), and
    ``## kbc main`` that of the page's main area. A link to the heading finds it."""
    site = obsidian_site(tmp_path, {
        "T.md": "# T\n\n## fn1\n\n## kbc main\n\nFoot[^1]\n\n[^1]: note\n",
        "L.md": "[[T#fn1]] [[T#kbc main]]\n"})
    ids = re.findall(r' id="([^"]*)"', (site / "t.html").read_text("utf-8"))
    assert len(ids) == len(set(ids))
    assert {"h-fn1", "h-kbc-main", "fn1", "fnref1", "kbc-main"} <= set(ids)
    hrefs = re.findall(r'<a class="wikilink internal" href="([^"]*)"',
                       (site / "l.html").read_text("utf-8"))
    assert hrefs == ["t.html#h-fn1", "t.html#h-kbc-main"]


@pytest.mark.usefixtures("private_cache")
def test_the_documented_pages_workflow_builds_the_site(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The GitHub Pages workflow in the site's README is a valid workflow whose build
    step works as written (the base URL is what configure-pages gives), and only the
    job that publishes holds the write permissions."""
    readme = (Path(__file__).parent.parent / "kb_compiler/emit/site/README.md").read_text("utf-8")
    workflow = yaml.safe_load(readme.split("```yaml\n", 1)[1].split("```", 1)[0])
    jobs = workflow["jobs"]
    assert workflow["permissions"] == {"contents": "read"}
    assert "permissions" not in jobs["build"]
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    runs = [step["run"] for step in jobs["build"]["steps"] if "run" in step]
    command = next(run for run in runs if run.startswith("kbc build"))
    command = command.replace("${{ steps.pages.outputs.base_url }}", "https://me.github.io/kb")
    shutil.copytree(SAMPLE_VAULT, tmp_path / "vault")
    monkeypatch.chdir(tmp_path)  # the repository's root, in the workflow
    result = CliRunner().invoke(main, [*shlex.split(command)[1:], "--no-search"])
    assert result.exit_code == 0, result.output
    sitemap = (tmp_path / "site" / "sitemap.xml").read_text("utf-8")
    assert "<loc>https://me.github.io/kb/profile-id.html</loc>" in sitemap
    cached = jobs["build"]["steps"][4]["with"]["path"].split()
    assert cached == ["~/.cache/kb-compiler", "site"]


def test_a_link_to_a_heading_with_a_comment_lands_on_it(tmp_path: Path) -> None:
    """The site leaves Obsidian comments out of a heading, so its anchor is made from
    the heading without them, on the page and in every link to it."""
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "A.md").write_text("# A\n\n## Heading %%draft%% two\n\nText.\n", "utf-8")
    (vault / "B.md").write_text("See [[A#Heading draft two]].\n", "utf-8")
    graph, report = build(vault, tmp_path / "site", search=False)
    assert_complete(graph, tmp_path / "site", report)  # every #anchor resolves
    assert '<h2 id="heading-two">Heading  two</h2>' in \
        (tmp_path / "site" / "a.html").read_text("utf-8")
    assert 'href="a.html#heading-two"' in (tmp_path / "site" / "b.html").read_text("utf-8")


def test_aliases_get_redirect_pages(sample_site: tuple[KnowledgeGraph, Path,
                                                       BuildReport]) -> None:
    graph, out, report = sample_site
    context = SiteContext(graph, SiteOptions())
    assert report.redirects == len(context.redirects) > 0
    for slug, key in context.redirects.items():
        redirect = (out / f"{slug}.html").read_text("utf-8")
        target = context.file_of(key)
        assert f'<meta http-equiv="refresh" content="0; url={target}">' in redirect
        assert "noindex" in redirect


def test_an_alias_redirect_names_its_page_absolutely_when_the_base_url_is_known(
        tmp_path: Path) -> None:
    """Its canonical link stayed relative with --base-url, where search engines prefer
    the absolute address; the page's address is percent-encoded as other links are."""
    vault = write_vault(tmp_path / "vault", {
        ".obsidian/app.json": "{}", "Café.md": "---\naliases: [Kaffee]\n---\ncoffee\n"})
    for base, canonical in (("https://ex.com/kb/", "https://ex.com/kb/caf%C3%A9.html"),
                            (None, "caf%C3%A9.html")):
        build(vault, tmp_path / "site", search=False, base_url=base)
        redirect = (tmp_path / "site" / "kaffee.html").read_text("utf-8")
        assert f'<link rel="canonical" href="{canonical}">' in redirect
        assert '<meta http-equiv="refresh" content="0; url=caf%C3%A9.html">' in redirect


def test_seeds_site_is_complete(tmp_path: Path) -> None:
    vault = lay_out_seeds(tmp_path / "seeds")
    graph, report = build(vault, tmp_path / "site")
    assert_complete(graph, tmp_path / "site", report)
    profile = (tmp_path / "site" / "profile-id.html").read_text("utf-8")
    # the five example embeds point at pages that do not exist: shown broken, listed
    assert profile.count('class="embed embed-broken"') == 5
    assert "kbc-broken-title" in profile
    # [[profile (id)]] is unresolved, with its near miss offered
    persona = (tmp_path / "site" / "profile-id-persona.html").read_text("utf-8")
    assert "did you mean \u2018profile-(id)\u2019?" in persona
    customer = (tmp_path / "site" / "customer-profile.html").read_text("utf-8")
    assert '<nav class="toc-inline"' in customer  # the table-of-contents block
    # ![[Pasted image ...png|400]]: the seeds do not carry the image, so it is broken
    assert "file \u2018Pasted image 20240529170714.png\u2019 does not exist" in customer


@pytest.mark.parametrize("dialect", ["logseq", "obsidian"])
def test_generated_400_page_vault_site_is_complete(tmp_path: Path, dialect: str) -> None:
    generated = generate(tmp_path / "vault", pages=400, dialect=dialect, seed=11)
    graph, report = build(generated.root, tmp_path / "site", search=dialect == "logseq")
    assert report.pages >= 400
    assert report.failed == ()
    assert_complete(graph, tmp_path / "site", report)
    if dialect == "obsidian":  # worker processes and one process build the same bytes
        build_site(graph, tmp_path / "serial", SiteOptions(search=False, jobs=1))
        files = sorted(str(p.relative_to(tmp_path / "site"))
                       for p in (tmp_path / "site").rglob("*") if p.is_file())
        _, mismatch, errors = filecmp.cmpfiles(tmp_path / "site", tmp_path / "serial", files,
                                               shallow=False)
        assert mismatch == [] and errors == []


def test_build_is_byte_identical(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    shutil.copytree(SAMPLE_VAULT, vault)
    build(vault, tmp_path / "one")
    build(vault, tmp_path / "two")
    first = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*"))
    second = sorted(p.relative_to(tmp_path / "two") for p in (tmp_path / "two").rglob("*"))
    assert first == second
    files = [str(p) for p in first if (tmp_path / "one" / p).is_file()]
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "one", tmp_path / "two", files,
                                               shallow=False)
    assert mismatch == [] and errors == [] and len(match) == len(files)
    assert any(name.startswith("pagefind/") for name in match)


def test_output_inside_the_vault_is_refused(tmp_path: Path) -> None:
    vault = lay_out_seeds(tmp_path / "seeds")
    graph = resolve(load(vault, cache_dir=None))
    for out in (vault, vault / "site", tmp_path):
        with pytest.raises(KbcError):
            build_site(graph, out, SiteOptions(search=False))
    assert sorted(p.name for p in vault.iterdir()) == sorted(
        ["Customer Profile.md", "Profiles.md", "What is Customer Profile.md",
         "profile-(id).md", "profile-(id)___persona.md"])


def test_a_folder_kbc_did_not_write_is_not_replaced(tmp_path: Path) -> None:
    vault = lay_out_seeds(tmp_path / "seeds")
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("do not delete")
    graph = resolve(load(vault, cache_dir=None))
    with pytest.raises(KbcError, match="not written by kbc"):
        build_site(graph, precious, SiteOptions(search=False))
    assert (precious / "thesis.txt").read_text() == "do not delete"


def test_cli_build_and_its_exit_codes(tmp_path: Path) -> None:
    vault = lay_out_seeds(tmp_path / "seeds")
    runner = CliRunner()
    result = runner.invoke(main, ["build", str(vault), "-o", str(tmp_path / "site"),
                                  "--no-search", "--base-url", "https://kb.example.org/docs"])
    assert result.exit_code == 0, result.output
    assert "built 5 pages" in result.stderr
    sitemap = (tmp_path / "site" / "sitemap.xml").read_text()
    assert "<loc>https://kb.example.org/docs/profile-id.html</loc>" in sitemap
    # the 404 page is served at any depth: with a base URL its links start from there
    not_found = (tmp_path / "site" / "404.html").read_text()
    assert '<base href="https://kb.example.org/docs/">' in not_found
    assert "<base " not in (tmp_path / "site" / "index.html").read_text()
    assert not (tmp_path / "site" / "pagefind").exists()
    # the seeds have broken links: --strict turns them into exit 1, the site is still built
    strict = runner.invoke(main, ["build", str(vault), "-o", str(tmp_path / "site"),
                                  "--no-search", "--strict"])
    assert strict.exit_code == 1
    assert (tmp_path / "site" / "index.html").is_file()
    inside = runner.invoke(main, ["build", str(vault), "-o", str(vault / "out")])
    assert inside.exit_code == 2 and "inside" in inside.stderr
    assert not (vault / "out").exists()
    bad_url = runner.invoke(main, ["build", str(vault), "-o", str(tmp_path / "x"),
                                   "--base-url", "javascript:alert(1)"])
    assert bad_url.exit_code == 2


def test_a_base_url_with_a_space_or_a_quote_is_written_encoded(tmp_path: Path) -> None:
    """It was written as given into the sitemap, the feed and the 404 page's <base>,
    which made them invalid; a URL given encoded stays as it was."""
    vault = write_vault(tmp_path / "v", {"a.md": "alpha\n"})
    for given, written in (('https://ex.org/a b"<x>', "https://ex.org/a%20b%22%3Cx%3E/"),
                           ("https://ex.org/my%20kb", "https://ex.org/my%20kb/")):
        site = tmp_path / "site"
        result = CliRunner().invoke(main, ["build", str(vault), "-o", str(site),
                                           "--no-search", "--base-url", given])
        assert result.exit_code == 0, result.output
        assert f"<loc>{written}a.html</loc>" in (site / "sitemap.xml").read_text("utf-8")
        assert f'<base href="{written}">' in (site / "404.html").read_text("utf-8")


@pytest.mark.parametrize("given", ["https://ex.com/docs?x=1#frag", "https://ex.com/docs/#top",
                                   "https://ex.com/docs?"])
def test_a_base_url_with_a_query_or_a_fragment_is_refused(tmp_path: Path, given: str) -> None:
    """It was taken: every address then ended in its query or fragment (sitemap
    ``<loc>https://ex.com/docs?x=1#frag/index.html</loc>``), naming one document."""
    vault = write_vault(tmp_path / "v", {"a.md": "alpha\n"})
    result = CliRunner().invoke(main, ["build", str(vault), "-o", str(tmp_path / "site"),
                                       "--no-search", "--base-url", given])
    assert result.exit_code == 2
    assert result.stderr == (f"kbc: error: --base-url must be the site's folder, without a "
                             f"'?query' or '#fragment', not '{given}'\n")
    assert not (tmp_path / "site").exists()


def test_a_quiet_build_prints_nothing_but_still_fails_strictly(tmp_path: Path) -> None:
    """The seeds have broken links: a build lists them and sums up; ``-q`` prints
    neither, and ``--strict`` still exits 1 on them, saying why in one line (a CI log
    showed a failed build and no reason)."""
    vault = lay_out_seeds(tmp_path / "seeds")
    runner = CliRunner()
    loud = runner.invoke(main, ["build", str(vault), "-o", str(tmp_path / "a"), "--no-search"])
    assert "error[broken" in loud.stderr and "kbc: built 5 pages" in loud.stderr
    quiet = runner.invoke(main, ["build", str(vault), "-o", str(tmp_path / "b"), "--no-search",
                                 "-q"])
    assert (quiet.exit_code, quiet.stderr) == (0, "")
    assert (tmp_path / "b" / "profile-id.html").is_file()
    strict = runner.invoke(main, ["build", str(vault), "-o", str(tmp_path / "b"),
                                  "--no-search", "--quiet", "--strict"])
    assert strict.exit_code == 1
    assert re.fullmatch(r"kbc build: --strict: \d+ errors?(, \d+ warnings?)?(, \d+ info)? in 5 "
                        r"pages; run 'kbc check' for them\n", strict.stderr), strict.stderr


@pytest.mark.parametrize("command", ["build", "export"])
def test_the_problems_a_build_lists_cannot_drive_the_terminal(tmp_path: Path,
                                                              command: str) -> None:
    """A page's text reaches stderr in the list of problems: escape sequences in it
    are shown as U+FFFD, as ``kbc check`` shows them, and a huge name is cut."""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("- see [[red\x1b]0;title\x07]] and [[" + "z" * 5000 + "]]\n",
                                encoding="utf-8")
    result = CliRunner().invoke(main, [command, str(vault), "-o", str(tmp_path / "out"),
                                       *(["--no-search"] if command == "build" else [])])
    assert result.exit_code == 0, result.output
    listed = [line for line in result.stderr.splitlines() if "[broken-link]" in line]
    assert len(listed) == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert listed[0].startswith("a.md:1:7: error[broken-link] page 'red\ufffd]0;title\ufffd'")
    assert len(listed[1]) < 400 and listed[1].endswith("' does not exist")


def test_a_vault_folder_named_in_bytes_that_are_not_utf8_gives_a_site(tmp_path: Path) -> None:
    vault = os.path.join(os.fsencode(tmp_path), b"v\xffault")
    os.mkdir(vault)
    with open(os.path.join(vault, b"a.md"), "w") as handle:
        handle.write("- text\n")
    result = CliRunner().invoke(main, ["build", os.fsdecode(vault), "-o",
                                       str(tmp_path / "site"), "--no-search"])
    assert result.exit_code == 0, result.output
    assert "<title>v\\xffault" in (tmp_path / "site" / "index.html").read_text("utf-8")


def test_user_templates_override_by_name(tmp_path: Path) -> None:
    vault = lay_out_seeds(tmp_path / "seeds")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "404.html").write_text("<!DOCTYPE html><title>gone</title><p>Custom 404</p>")
    build(vault, tmp_path / "site", search=False, templates=templates)
    assert "Custom 404" in (tmp_path / "site" / "404.html").read_text()
    assert "kbc-search" not in (tmp_path / "site" / "index.html").read_text()  # no search
    assert "note-title" in (tmp_path / "site" / "profile-id.html").read_text()  # ours


def test_a_template_error_names_the_template_file_and_line(tmp_path: Path) -> None:
    """A syntax error and an error while rendering (an undefined name) alike: the
    rendering one said only 'page.html', neither the folder nor the line."""
    vault = lay_out_seeds(tmp_path / "seeds")
    for number, broken in enumerate(["{{ undefined_var.attr }}", "{% if %}"]):
        templates = tmp_path / f"templates{number}"
        templates.mkdir()
        (templates / "404.html").write_text(f"<!DOCTYPE html>\n<title>x</title>\n{broken}\n")
        result = CliRunner().invoke(main, ["build", str(vault), "-o", str(tmp_path / "site"),
                                           "--no-search", "-q", "--templates", str(templates)])
        assert result.exit_code == 2
        assert result.stderr.startswith(f"kbc: error: {templates / '404.html'}:3: template "
                                        "error: "), result.stderr
        assert result.stderr.count("\n") == 1


def test_a_page_that_fails_to_render_does_not_stop_the_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kb_compiler.emit.site.pages import PageBuilder

    vault = lay_out_seeds(tmp_path / "seeds")
    original = PageBuilder.body

    def failing(self: PageBuilder, key: str) -> object:
        if key == "profiles":
            raise ValueError("a renderer bug")
        return original(self, key)

    monkeypatch.setattr(PageBuilder, "body", failing)
    _, report = build(vault, tmp_path / "site", search=False)
    assert [(d.code, d.path) for d in report.failed] == [("internal-error", "Profiles.md")]
    assert "ValueError: a renderer bug" in report.failed[0].message
    failed = (tmp_path / "site" / "profiles.html").read_text("utf-8")
    assert "could not be rendered" in failed and "<h1" in failed
    assert "Customer Profile" in (tmp_path / "site" / "customer-profile.html").read_text()
    assert crawl(tmp_path / "site")[0] == []


@pytest.mark.parametrize("quiet", [False, True])
def test_the_build_names_a_page_it_could_not_render_and_strict_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quiet: bool) -> None:
    """The summary said only "1 pages could not be rendered": which page, and why, was
    nowhere, and ``--strict`` passed a site with a page missing."""
    from kb_compiler.emit.site.pages import PageBuilder

    vault = write_vault(tmp_path / "v", {"Plan.md": "See [[Goals]].\n",
                                         "notes/Goals.md": "# Goals\n"})
    original = PageBuilder.assemble

    def failing(self: PageBuilder, key: str, body: object) -> object:
        if key == "notes/goals":
            raise KeyError("slot")
        return original(self, key, body)

    monkeypatch.setattr(PageBuilder, "assemble", failing)
    command = ["build", str(vault), "-o", str(tmp_path / "site"), "--no-search", "--strict"]
    result = CliRunner().invoke(main, command + (["-q"] if quiet else []))
    assert result.exit_code == 1, result.output
    assert "notes/Goals.md: error[internal-error] could not render this page (KeyError: " \
        "'slot'); its page on the site says so" in result.stderr.splitlines()
    if not quiet:
        assert "; 1 page could not be rendered" in result.stderr


def test_progress_bar_goes_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vault = lay_out_seeds(tmp_path / "seeds")
    build(vault, tmp_path / "site", search=False, progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Rendering pages" in captured.err


def test_logseq_docs_site_is_complete_and_shows_org_blocks(logseq_docs: Path,
                                                          tmp_path: Path) -> None:
    """Logseq's docs graph as a site: every link lands, and its ``#+BEGIN_`` blocks are
    quotes and admonitions, not text with ``#+BEGIN_QUOTE`` pills (counted in the page
    files: testimonials.md, one NOTE and three QUOTEs holding lists; Filename
    format.md, five IMPORTANT and four WARNING). Org Mode.org has 25 headings;
    Properties.md embeds the one with id 60ab7357-... Hiccup lines (``[:h2 ...]``)
    are HTML."""
    out = tmp_path / "site"
    graph, report = build(logseq_docs, out, search=False)
    assert_complete(graph, out, report)
    testimonials = own_outline(out / "testimonials.html")
    assert testimonials.count('<div class="callout" data-callout="note">') == 1
    assert testimonials.count("<blockquote>") == 3
    assert "local storage</li>" in testimonials  # the list inside the second quote
    formats = own_outline(out / "filename-format.html")
    assert formats.count('data-callout="important"') == 5
    assert formats.count('data-callout="warning"') == 4
    for outline in (testimonials, formats):
        assert "#+BEGIN_" not in outline and "#+END_" not in outline
    # a block ref to a testimonial shows its title line, not the quote's markers
    changelog = (out / "changelog_06.html").read_text("utf-8")
    assert 'title="Block in Testimonials" data-pagefind-ignore>Pi-Yueh Chuang</a>' in changelog
    # Org-mode pages: their outline shown as text with live links, their blocks
    # embeddable
    org_mode = own_outline(out / "org-mode.html")
    assert org_mode.count('<div class="org-text">') == 25  # one per heading
    assert '<div class="org-text"><code>*Bold*</code> -&gt; <strong>Bold</strong></div>' \
        in org_mode
    assert '<code>/Italics/</code> -&gt; <em>Italics</em>' in org_mode
    assert '<code>+Strikethrough+</code> -&gt; <del>Strikethrough</del>' in org_mode
    assert ('<code>[[https://www.example.com][label]]</code> -&gt; '
            '<a href="https://www.example.com">label</a>') in org_mode
    properties = (out / "properties.html").read_text("utf-8")
    assert ('href="org-mode.html#block-60ab7357-2744-42bc-a8fd-a9c8db3051df"'
            in properties)
    assert '<div class="org-text">syntax: <code>#+PROPERTY: value</code></div>' in properties
    about = own_outline(out / "about.html")
    assert '<div class="org-text">Hi, welcome to <a href="https://logseq.com">Logseq</a>.' \
        in about
    # Hiccup blocks are the HTML they describe (Hiccup.md, the media page, templates.md)
    hiccup = own_outline(out / "hiccup.html")
    assert '<h2 style="color:red">h2 title</h2><p>Hello <em>World!</em></p>' in hiccup
    media = own_outline(out / "embed-media-audio-photos-videos.html")
    assert '<audio controls="" src="https://www.kozco.com/tech/piano2-CoolEdit.mp3">' in media
    assert '<img src="https://i.imgur.com/iYo6B6S.gif">' in media
    # Macros.md invokes {{mark hi}}; logseq/config.edn defines it as "[:mark \"$1\"]"
    macros = own_outline(out / "macros.html")
    assert 'renders as <span class="macro-expanded"><mark>hi</mark></span>' in macros
    templates = own_outline(out / "templates.html")
    assert ("<code>template-including-parent:: false</code><p>is a template property"
            in templates)
    # one year in logseq.md: six pictures whose addresses hold spaces, the first
    # resized by its author ({:height 560, :width 960}); all are in the site
    year = own_outline(out / "one-year-in-logseq.html")
    pictures = re.findall(r'<img (?:width="(\d+)" height="(\d+)" )?src="(files/assets/'
                          r'pages_one%20year%20in%20logseq_[^"]+)"', year)
    assert len(pictures) == 6 and pictures[0][:2] == ("960", "560")
    assert all((out / unquote(src)).is_file() for _, _, src in pictures)
    assert "{:height" not in year
    assert '<strong>Logseq</strong> is a <em>local-only</em>, <em>non-linear</em>' in about
    changelog_2020 = own_outline(out / "changelog-2020.html")
    assert '<a class="wikilink internal" href="term-alias.html">Page alias</a>' \
        in changelog_2020
    # Knowledge Graph.md:14 shows an image written from the graph root (/assets/...),
    # resized to {:height 338, :width 468}
    image = "files/assets/pages_knowledge_graph_1612308816189_0.png"
    assert f'<img width="468" height="338" src="{image}" alt="image.png"' \
        in own_outline(out / "knowledge-graph.html")
    assert (out / image).is_file()


def own_outline(page: Path) -> str:
    """A page file's own content: from its outline to its backlinks."""
    text = page.read_text("utf-8")
    return text.split('<ul class="outline">', 1)[1].split('class="section backlinks"', 1)[0]


def test_the_site_finds_the_files_check_finds(tmp_path: Path) -> None:
    """One lookup for both (``KnowledgeGraph.find_asset``): a file whose name is stored
    decomposed (as macOS writes "é") is the file a page names composed, for check and
    for the site alike; a Logseq path that names a folder is not looked up by file name
    elsewhere, by either."""
    vault = tmp_path / "graph"
    (vault / "logseq").mkdir(parents=True)
    (vault / "logseq" / "config.edn").write_text("{:file/name-format :triple-lowbar}\n")
    (vault / "assets" / "old").mkdir(parents=True)
    (vault / "assets" / unicodedata.normalize("NFD", "café.png")).write_bytes(b"\x89PNG\r\n")
    (vault / "assets" / "old" / "moved.png").write_bytes(b"\x89PNG\r\n")
    (vault / "pages").mkdir()
    (vault / "pages" / "p.md").write_text(
        "- ![composed](../assets/café.png)\n- ![stale](../assets/moved.png)\n", "utf-8")
    graph, report = build(vault, tmp_path / "site", search=False)
    assert [(d.code, d.line) for d in graph.diagnostics] == [("missing-asset", 2)]
    markup = (tmp_path / "site" / "p.html").read_text("utf-8")
    assert markup.count("<img ") == 1 and 'alt="composed"' in markup
    assert "broken-asset" in markup and report.assets == 1


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_fresh_build_renders_each_pages_backlink_contexts_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    """The contexts a page gives the pages it links to are made while it is rendered
    and read back from the stash (by forked workers too), never rendered again: a page
    whose backlinks needed a second render would fail here."""
    generated = generate(tmp_path / "vault", pages=320, dialect="logseq", seed=3)
    graph = resolve(load(generated.root, cache_dir=None))

    def render_again(*_: object) -> None:
        raise AssertionError("backlink contexts rendered a second time")

    monkeypatch.setattr(BacklinkContexts, "_render_batch", render_again)
    report = build_site(graph, tmp_path / "site", SiteOptions(search=False, jobs=jobs))
    assert report.failed == ()
    with_contexts = [page for page in (tmp_path / "site").glob("*.html")
                     if 'class="backlink-context' in page.read_text("utf-8")]
    assert len(with_contexts) > 100


@pytest.mark.parametrize(("marker", "settings", "breaks"), [
    (".obsidian", None, True),  # Obsidian's default: "Strict line breaks" off
    (".obsidian", '{"strictLineBreaks": true}', False),
    (None, None, False),  # a plain folder of Markdown reads as CommonMark
])
def test_obsidian_shows_a_single_newline_as_a_line_break(
        tmp_path: Path, marker: str | None, settings: str | None, breaks: bool) -> None:
    """Obsidian's reading view shows a newline inside a paragraph as a line break
    unless "Strict line breaks" is on; the site ran such lines into one, as the sample
    vault's list of tools (a bold name, its description on the next line)."""
    vault = tmp_path / "vault"
    vault.mkdir()
    if marker:
        (vault / marker).mkdir()
    if settings:
        (vault / marker / "app.json").write_text(settings, encoding="utf-8")
    (vault / "Tools.md").write_text("**Empathy Map**\nA tool.\n", encoding="utf-8")
    build(vault, tmp_path / "site", search=False)
    page = (tmp_path / "site/tools.html").read_text(encoding="utf-8")
    shown = "<strong>Empathy Map</strong><br>\nA tool." if breaks else \
        "<strong>Empathy Map</strong>\nA tool."
    assert shown in page


def test_a_logseq_label_is_drawn_as_inline_markdown(tmp_path: Path) -> None:
    """mldoc reads the label of ``[label]([[Page]])`` and ``[label](((uuid)))`` as
    inline text, as it reads a web link's: the site showed its backticks and stars as
    written (six times in Logseq's docs graph). The label is sanitized as the page is."""
    uuid = "634fb9a8-cab9-441e-b476-41fa828010ea"
    vault = tmp_path / "graph"
    (vault / "pages").mkdir(parents=True)
    (vault / "logseq").mkdir()
    (vault / "logseq/config.edn").write_text("{}\n", encoding="utf-8")
    (vault / "pages/Target.md").write_text(f"- the target\n  id:: {uuid}\n", encoding="utf-8")
    (vault / "pages/Source.md").write_text(
        f"- one [`:legacy` **bold** $a$ format]((({uuid})))\n"
        "- two [`:legacy` *it* <script>alert(1)</script>]([[Target]])\n", encoding="utf-8")
    build(vault, tmp_path / "site", search=False)
    page = (tmp_path / "site/source.html").read_text(encoding="utf-8")
    assert re.search(r'class="block-ref"[^>]*><code>:legacy</code> <strong>bold</strong> '
                     r'<span class="math math-inline"><math [^>]*><mrow><mi>a</mi></mrow>'
                     r"</math></span> format</a>", page)
    assert ('<a class="wikilink internal" href="target.html"><code>:legacy</code> '
            "<em>it</em> </a>") in page
    assert "alert(1)" not in page and "\ue000" not in page


def test_block_refs_quoting_block_refs_stay_small(tmp_path: Path) -> None:
    """Each block quoting the next one twice: a block ref shows its block's text, which
    shows two more, so 22 levels made a 42 MB page and 27 took the whole build down.
    A quoted text that grows long is cut to a line of plain text."""
    uuid = "{:08d}-0000-4000-8000-000000000000".format
    depth = 26
    lines = [f"- (({uuid(n + 1)})) (({uuid(n + 1)}))\n  id:: {uuid(n)}\n" for n in range(depth)]
    vault = write_vault(tmp_path / "graph", {
        "logseq/config.edn": "{}\n",
        "pages/bomb.md": "".join(lines) + f"- the leaf\n  id:: {uuid(depth)}\n"})
    build(vault, tmp_path / "site", search=False, jobs=1)
    page = (tmp_path / "site/bomb.html").read_text(encoding="utf-8")
    assert len(page) < 500_000
    assert page.count("the leaf") >= 2  # the last levels still show the text they quote


def test_block_refs_in_a_cycle_or_a_long_chain_show_cut(tmp_path: Path) -> None:
    """Block refs had no depth bound (embeds have one): a block quoting itself, two
    blocks quoting each other, or a chain of some 750 quotes exhausted the stack, and
    each such page said only "could not be rendered", its other blocks lost. The quote
    now nests MAX_REF_DEPTH levels, then shows the page's name; what a ref shows does
    not depend on the order pages were rendered in (one process or two)."""
    uuid = "77000000-0000-4000-8000-{:012d}".format
    files = {"logseq/config.edn": "{}\n",
             "pages/self.md": f"- see (({uuid(0)}))\n  id:: {uuid(0)}\n- other block\n",
             "pages/ra.md": f"- a (({uuid(2)}))\n  id:: {uuid(1)}\n",
             "pages/rb.md": f"- b (({uuid(1)}))\n  id:: {uuid(2)}\n- {{{{embed (({uuid(1)}))}}}}\n"}
    for n in range(10, 1010):
        files[f"pages/c{n}.md"] = f"- c{n} (({uuid(n + 1)}))\n  id:: {uuid(n)}\n"
    vault = write_vault(tmp_path / "graph", files)
    _, report = build(vault, tmp_path / "one", search=False, jobs=1)
    assert report.failed == ()
    page = (tmp_path / "one" / "self.html").read_text("utf-8")
    shown = re.search(r'<p>see <a class="block-ref"[^>]*>([^<]*)</a></p>', page)
    assert shown is not None and shown.group(1) == "see " * MAX_REF_DEPTH + "self"
    assert "other block" in page
    chain = (tmp_path / "one" / "c10.html").read_text("utf-8")
    shown = re.search(r'<p>c10 <a class="block-ref"[^>]*>([^<]*)</a></p>', chain)
    assert shown is not None and shown.group(1) == " ".join(
        f"c{n}" for n in range(11, 12 + MAX_REF_DEPTH))
    build(vault, tmp_path / "two", search=False, jobs=2)
    for name in ("self.html", "ra.html", "rb.html", "c10.html", "c500.html"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_a_block_of_many_links_is_cut_where_the_linked_pages_show_it(tmp_path: Path) -> None:
    """Every page a block links to showed the whole block as its backlink context: one
    block of 4,000 links made a 1 GB site (100,000 filled the disk, and nothing was
    built). A context block past CONTEXT_HTML_CHARS is a line of plain text."""
    links = " ".join(f"[[L{n}]]" for n in range(1500))
    vault = write_vault(tmp_path / "graph", {
        "logseq/config.edn": "{}\n", "pages/many.md": f"- {links}\n- a short one [[L7]]\n"})
    _, report = build(vault, tmp_path / "site", search=False)
    assert report.failed == ()
    page = (tmp_path / "site" / "l7.html").read_text("utf-8")
    assert len(page) < 4 * CONTEXT_HTML_CHARS
    cut = re.search(r'<p class="backlink-cut">([^<]*)</p>', page)
    assert cut is not None and cut.group(1).startswith("L0 L1 L2 ")
    assert re.search(r"a short one <a [^>]*>L7</a>", page)  # a small block stays whole
    site_bytes = sum(f.stat().st_size for f in (tmp_path / "site").rglob("*.html"))
    assert site_bytes < 40_000_000


def test_a_repeated_block_id_gives_one_element_that_id(tmp_path: Path) -> None:
    """Two blocks with one id (kbc check warns duplicate-block-id) gave two elements
    one id, invalid HTML; refs land on the first, which keeps it."""
    uuid = "11111111-2222-3333-4444-555555555555"
    graph = write_vault(tmp_path / "graph", {
        "logseq/config.edn": "{}\n",
        "pages/outline.md": f"- one\n  id:: {uuid}\n- two\n  id:: {uuid}\n",
        "pages/ref.md": f"- (({uuid}))\n"})
    build(graph, tmp_path / "site", search=False)
    page = (tmp_path / "site" / "outline.html").read_text("utf-8")
    assert page.count(f'id="block-{uuid}"') == 1
    assert re.search(rf'id="block-{uuid}"[^>]*>.*?<p>one</p>', page, re.DOTALL)
    site = obsidian_site(tmp_path / "o", {"N.md": "first ^dup\n\nsecond ^dup\n\n- item ^dup\n"})
    note = (site / "n.html").read_text("utf-8")
    assert note.count('id="block-dup"') == 1 and '<p id="block-dup">first</p>' in note


def test_an_obsidian_heading_link_reads_note_then_heading(tmp_path: Path) -> None:
    """Obsidian shows [[Note#Heading]] as 'Note > Heading'; the site showed the target
    as written, 'Target#Section Two'. A label still wins; Logseq pages are unchanged."""
    site = obsidian_site(tmp_path, {
        "Target.md": "# Target\n\n## One\n\n### Sub\n\n## Two\n\npara ^b1\n",
        "Links.md": "[[Target#Two]] [[Target#^b1]] [[Target#One#Sub]] [[Target#Two|label]]\n"})
    shown = re.findall(r'<a class="wikilink[^>]*>([^<]*)</a>',
                       (site / "links.html").read_text("utf-8"))
    assert shown == ["Target &gt; Two", "Target &gt; ^b1", "Target &gt; One &gt; Sub", "label"]


def test_a_note_embedded_twice_gives_each_copy_its_own_footnote_ids(tmp_path: Path) -> None:
    """The second copy reused the first one's rendered body, ids and all: two elements
    with each id, and its footnote links jumped to the first copy."""
    site = obsidian_site(tmp_path, {"Other.md": "Note with a footnote.[^1]\n\n[^1]: The note.\n",
                                    "Home.md": "![[Other]]\n\n![[Other]]\n"})
    scan = scan_page((site / "home.html").read_text("utf-8"))
    assert not scan.duplicate_ids
    shown = (site / "home.html").read_text("utf-8")
    assert shown.count('id="fn-e0-1"') == shown.count('id="fn-e1-1"') == 1
    assert 'href="#fn-e1-1"' in shown


def test_a_page_named_in_84_cjk_characters_is_built(tmp_path: Path) -> None:
    """Slugs were cut at 120 characters, not bytes: 84 CJK characters made a file name
    over 255 bytes, and the whole build stopped with "File name too long; nothing was
    written"."""
    name = "日" * 84
    graph = write_vault(tmp_path / "graph", {"logseq/config.edn": TRIPLE_LOWBAR,
                                             "pages/a.md": f"- see [[{name}]]\n",
                                             f"pages/{'本' * 80}.md": "- long\n"})
    build(graph, tmp_path / "site", search=False)
    written = sorted(p.name for p in (tmp_path / "site").iterdir() if p.suffix == ".html")
    assert all(len(file.encode("utf-8")) <= 255 for file in written)
    assert any(file.startswith("日" * 40) for file in written)
    assert any(file.startswith("本" * 40) for file in written)


def test_a_heading_with_a_block_id_keeps_both_anchors(tmp_path: Path) -> None:
    """The heading's slug replaced its block id's anchor, so [[N#^hd]] led nowhere."""
    site = obsidian_site(tmp_path, {"N.md": "# N\n\n## A heading ^hd\n\ntext\n",
                                    "Src.md": "[[N#^hd]] and [[N#A heading]]\n"})
    assert '<h2 id="a-heading"><span id="block-hd"></span>A heading</h2>' in \
        (site / "n.html").read_text("utf-8")
    anchors = re.findall(r'href="n\.html#([^"]+)"', (site / "src.html").read_text("utf-8"))
    assert len(anchors) == 2 and "block-hd" in anchors
    assert not crawl(site)[0]  # every anchor linked to is on its page


def test_a_link_to_a_block_the_page_lacks_is_shown_broken(tmp_path: Path) -> None:
    """[[Blocks#^nope]] is an error in the check, but the site drew a live link and
    counted no broken link."""
    vault = tmp_path / "vault"
    write_vault(vault, {".obsidian/app.json": "{}", "Blocks.md": "one ^real\n",
                        "Src.md": "[[Blocks#^nope]] [[Blocks#^real]] [[Blocks#Nohead]]\n"})
    _, report = build(vault, tmp_path / "site", search=False)
    shown = (tmp_path / "site" / "src.html").read_text("utf-8")
    assert ('<span class="broken-link" title="block \u2018^nope\u2019 not found in page '
            '\u2018Blocks\u2019" role="link" aria-disabled="true">Blocks &gt; ^nope</span>') \
        in shown
    assert 'href="blocks.html#block-real"' in shown and 'href="blocks.html" title=' in shown
    # the missing heading still opens the page, and is counted, as the check warns of it
    assert report.broken == 2


def test_a_markdown_link_with_a_query_lands_on_its_note(tmp_path: Path) -> None:
    """[q](Note.md?x=1) was a link in the check and the graph (the parser drops the
    query) but broken on the site."""
    site = obsidian_site(tmp_path, {"Note.md": "# Note\n",
                                    "Src.md": "[q](Note.md?x=1) [r](Note.md?y#Note)\n"})
    shown = (site / "src.html").read_text("utf-8")
    assert '<a href="note.html" class="internal">q</a>' in shown
    assert '<a href="note.html#note" class="internal">r</a>' in shown
    assert "broken-link" not in shown.split('<div class="note-body')[1].split("</article>")[0]


def test_a_logseq_whiteboard_is_a_page_listing_the_text_on_it(tmp_path: Path) -> None:
    """A board was published as an empty "nothing written yet" page, and a ref to its
    sticky note was dead. Its page lists its text (not its drawings), says that drawing
    it needs the app, and shows the pages that link it; its links are backlinks."""
    note = "65a0b1c2-0000-4000-8000-0000000000b1"
    vault = write_vault(tmp_path / "vault", {
        "logseq/config.edn": TRIPLE_LOWBAR,
        "whiteboards/Plan Board.edn": (
            '{:blocks ({:block/uuid #uuid "' + note + '" :block/content "Meet [[Bar]]"}\n'
            '  {:block/properties {:ls-type :whiteboard-shape :logseq.tldraw.shape\n'
            '    {:type "line" :id "65a0b1c2-0000-4000-8000-0000000000c3"}}}\n'
            '  {:block/properties {:ls-type :whiteboard-shape :logseq.tldraw.shape\n'
            '    {:type "text" :id "t1" :text "typed [[Nope]] <b>\\nnext"}}})\n'
            ' :pages ({:block/original-name "Plan Board"})}\n'),
        "pages/Bar.md": "- Bar\n",
        "pages/boards.md": f"- see (({note}))\n",
    })
    _, report = build(vault, tmp_path / "site", search=False)
    assert report.broken == 0
    board = (tmp_path / "site" / "plan-board.html").read_text("utf-8")
    body = board.split('<div class="note-body content">')[1].split("</article>")[0]
    assert "drawing the board needs the Logseq app" in body
    assert body.count('<li class="block"') == 2  # the line says nothing: no empty bullet
    # a text shape's words as written: Logseq links nothing typed in one
    assert "<p>typed [[Nope]] &lt;b&gt;<br>\nnext</p>" in body
    assert f'id="block-{note}"' in body and '<a class="wikilink internal" href="bar.html">' \
        'Bar</a>' in body
    assert 'class="backlink-source" href="boards.html"' in body
    boards = (tmp_path / "site" / "boards.html").read_text("utf-8")
    assert (f'href="plan-board.html#block-{note}" title="Block in Plan Board" '
            'data-pagefind-ignore>Meet Bar</a>') in boards
    bar = (tmp_path / "site" / "bar.html").read_text("utf-8")
    assert 'class="backlink-source" href="plan-board.html">Plan Board</a>' in bar


def test_a_weight_not_counted_is_shown_and_an_authors_hint_only_while_serving(
        tmp_path: Path) -> None:
    """``weight:: high`` vanished from the page (the panel shows a valid weight only),
    so nothing told a reader the artifact is left out of its parent's roll-up; and every
    typed page without keys told readers of the published site to add some."""
    from tests.conftest import TRIPLE_LOWBAR, write_vault

    vault = write_vault(tmp_path / "v", {
        "logseq/config.edn": TRIPLE_LOWBAR,
        "pages/art.md": "- #key k\n  key-weight:: 10\n  value:: 50\n",
        "pages/art___sub.md": "weight:: high\n\n- #key k\n  key-weight:: 10\n  value:: 40\n",
        "pages/tool.md": "metamodel-id:: [[art]]\n\n- A tool, with no keys by design\n",
        "pages/body.md": "weight:: 72 kg\n\n- a page outside the metamodel\n",
    })
    build(vault, tmp_path / "site", search=False)
    sub = (tmp_path / "site" / "art-sub.html").read_text("utf-8")
    assert re.search(r'<span class="fact-label">Weight</span><span class="uncounted-weight">'
                     r'high</span><span class="muted">not counted', sub)
    # a weight:: of the author's own, on a page no metamodel types: no panel says it
    assert "not counted" not in (tmp_path / "site" / "body.html").read_text("utf-8")
    hint = "No keys yet"
    assert hint not in (tmp_path / "site" / "tool.html").read_text("utf-8")
    build(vault, tmp_path / "served", search=False, serve=True)
    assert hint in (tmp_path / "served" / "tool.html").read_text("utf-8")


def test_the_home_pages_chips_name_each_page_apart() -> None:
    """The sample site's home page showed "Exotic Pet Rental" three times, each chip
    linking elsewhere: a chip is named by as much of its path as tells it apart."""
    from kb_compiler.emit.site.metamodel import Ref, distinct_tails

    refs = [Ref(name, f"{n}.html") for n, name in enumerate((
        "profile-(id)/examples/Space X", "profile-(id)/persona/examples/Space X",
        "profile-(id)/examples/Exotic Pet Rental", "Tool", "a//b/"))]
    assert [(ref.name, ref.href) for ref in distinct_tails(refs)] == [
        ("profile-(id)/examples/Space X", "0.html"), ("persona/examples/Space X", "1.html"),
        ("Exotic Pet Rental", "2.html"), ("Tool", "3.html"), ("b", "4.html")]


def _links(html: str) -> list[tuple[str, str]]:
    """(href, text) of each link in a page's content, and ("broken", text) for each
    broken one."""
    found = re.findall(r'<a [^>]*href="([^"]*)"[^>]*>([^<]*)</a>|'
                       r'<span class="broken-link"[^>]*>([^<]*)</span>', html)
    return [(href, text) if href else ("broken", broken) for href, text, broken in found]


def test_an_obsidian_tag_and_a_link_of_one_name_go_where_each_resolves(
        tmp_path: Path) -> None:
    """On a page holding ``#clippings`` and ``[[Clippings]]`` both went where the first
    written went: the link to the tag's page, or the tag to the note. In Obsidian a tag
    is no note (kepano's Clipping template)."""
    site = obsidian_site(tmp_path, {
        "Cat/Clippings.md": "The clippings category.\n",
        "A.md": "Tag first: #clippings then link [[Clippings]].\n",
        "B.md": "Link first: [[Clippings]] then tag #clippings.\n"})
    for name in ("a.html", "b.html"):
        shown = _links((site / name).read_text("utf-8"))
        assert ("clippings.html", "#clippings") in shown
        assert ("cat-clippings.html", "Clippings") in shown
        assert ("cat-clippings.html", "#clippings") not in shown
        assert ("clippings.html", "Clippings") not in shown


def test_an_obsidian_link_to_a_name_only_a_tag_has_is_broken(tmp_path: Path) -> None:
    """``[[Events]]`` with no such note (a check error) was a live link to the page of
    the tag ``#events`` that another note uses: the site hid the error."""
    site = obsidian_site(tmp_path, {"C.md": "See [[Events]] for more.\n",
                                    "D.md": "A note about #events\n"})
    assert ("broken", "Events") in _links((site / "c.html").read_text("utf-8"))
    assert ("events.html", "#events") in _links((site / "d.html").read_text("utf-8"))


def test_a_markdown_path_link_goes_to_the_note_at_that_path(tmp_path: Path) -> None:
    """``[a](sub/Note.md)``, and ``[y](Note.md)`` written in ``sub/``, went to the root
    ``Note.md`` (the site looked up the bare name); the graph and the check read the
    path, as Obsidian does."""
    site = obsidian_site(tmp_path, {
        "Note.md": "root note\n", "sub/Note.md": "sub note\n",
        "Home.md": "explicit [a](sub/Note.md) and [b](sub/Note.md#Top), root [r](Note.md)\n",
        "sub/Home.md": "relative [y](Note.md)\n"})
    assert [link for link in _links((site / "home.html").read_text("utf-8"))
            if link[1] in "abr"] == [("sub-note.html", "a"), ("sub-note.html", "b"),
                                     ("note.html", "r")]
    assert ("sub-note.html", "y") in _links((site / "sub-home.html").read_text("utf-8"))


def test_a_link_to_a_heading_the_page_lacks_opens_the_page_and_is_listed_broken(
        tmp_path: Path) -> None:
    """``kbc check`` reports ``[[Note#Nope]]`` as a broken link (a warning); the site
    showed an ordinary link and left it out of the page's broken links, though a missing
    block was listed. It still opens the page, as Obsidian does, and says why."""
    site = obsidian_site(tmp_path, {
        "Note.md": "# Intro\ntext\n",
        "Home.md": "wikilink [[Note#Nope]], markdown [v](Note.md#Nope), own [[#Nope]], "
                   "fine [[Note#Intro]]\n"})
    home = (site / "home.html").read_text("utf-8")
    texts = {"Note &gt; Nope", "v", "Nope", "Note &gt; Intro"}
    assert [link for link in _links(home) if link[1] in texts][:4] == [
        ("note.html", "Note &gt; Nope"), ("note.html", "v"), ("home.html", "Nope"),
        ("note.html#intro", "Note &gt; Intro")]
    assert home.count('title="heading \u2018Nope\u2019 not found in page') == 3
    panel = home[home.index('id="kbc-broken-title"'):]
    assert re.search(r'Broken links <span class="count">3</span>', panel)
    assert "Intro" not in panel


def test_markdown_links_to_a_missing_part_are_what_the_check_says(tmp_path: Path) -> None:
    """``[w](Note.md#^nob)`` (a broken-block-ref error) was a live link titled "heading
    '^nob' not found"; ``[c](#Nope)`` on the note itself (a broken-link warning) was an
    ordinary link, left out of the page's broken links."""
    site = obsidian_site(tmp_path, {
        "Note.md": "x\n", "Home.md": "# Top\n\n[c](#Nope) [d](#Top) [w](Note.md#^nob)\n"})
    home = (site / "home.html").read_text("utf-8")
    texts = {"c", "d", "w"}
    assert [link for link in _links(home) if link[1] in texts] == [
        ("#Nope", "c"), ("home.html#top", "d"), ("broken", "w")]
    assert 'title="block \u2018^nob\u2019 not found in page \u2018Note\u2019"' in home
    assert 'title="heading \u2018Nope\u2019 not found in page \u2018Home\u2019"' in home
    assert re.search(r'Broken links <span class="count">2</span>', home)
