"""Pages of the site with no file behind them: what a link to a name with no file gives,
and what the home page calls a namespace."""

from __future__ import annotations

from pathlib import Path

from kb_compiler.emit.site import SiteOptions, build_site
from kb_compiler.loader import load
from kb_compiler.resolve import resolve


def test_only_a_logseq_link_to_a_page_with_no_file_makes_a_page(tmp_path: Path) -> None:
    """Logseq makes a page of any linked name, Obsidian shows an unresolved link: on an
    Obsidian note a link to nowhere stays broken, and no page is made for it."""
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "N.md").write_text("See [[Nowhere]] and [[Nowhere else]].\n", encoding="utf-8")
    build_site(resolve(load(vault, cache_dir=None)), tmp_path / "site", SiteOptions(search=False))
    html = (tmp_path / "site/n.html").read_text("utf-8")
    for name in ("Nowhere", "Nowhere else"):
        assert f'title="page \u2018{name}\u2019 does not exist" role="link"' in html
    assert "nowhere.html" not in html and not (tmp_path / "site/nowhere.html").exists()


def test_obsidian_folders_are_no_namespaces_on_the_home_page(tmp_path: Path) -> None:
    """kepano's vault: the home page's Namespaces listed 'clippings 3' linking the
    #clippings tag page, which lists another page; its folders are no namespaces."""
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "Clippings").mkdir()
    for name in ("A", "B"):
        (vault / "Clippings" / f"{name}.md").write_text("clipped\n", encoding="utf-8")
    (vault / "Template.md").write_text("---\ntags: [clippings]\n---\nx\n", encoding="utf-8")
    build_site(resolve(load(vault, cache_dir=None)), tmp_path / "site", SiteOptions(search=False))
    home = (tmp_path / "site/index.html").read_text("utf-8")
    assert "Namespaces</h2>" not in home and (tmp_path / "site/clippings.html").exists()
