"""Pages of the site with no file behind them: what a link to a name with no file gives,
and what the home page calls a namespace."""

from __future__ import annotations

from pathlib import Path

from tests.test_site_build import obsidian_site


def test_only_a_logseq_link_to_a_page_with_no_file_makes_a_page(tmp_path: Path) -> None:
    """Logseq makes a page of any linked name, Obsidian shows an unresolved link: on an
    Obsidian note a link to nowhere stays broken, and no page is made for it."""
    site = obsidian_site(tmp_path, {"N.md": "See [[Nowhere]] and [[Nowhere else]].\n"})
    html = (site / "n.html").read_text("utf-8")
    for name in ("Nowhere", "Nowhere else"):
        assert f'title="page \u2018{name}\u2019 does not exist" role="link"' in html
    assert "nowhere.html" not in html and not (site / "nowhere.html").exists()


def test_obsidian_folders_are_no_namespaces_on_the_home_page(tmp_path: Path) -> None:
    """kepano's vault: the home page's Namespaces listed 'clippings 3' linking the
    #clippings tag page, which lists another page; its folders are no namespaces."""
    site = obsidian_site(tmp_path, {"Clippings/A.md": "clipped\n", "Clippings/B.md": "clipped\n",
                                    "Template.md": "---\ntags: [clippings]\n---\nx\n"})
    home = (site / "index.html").read_text("utf-8")
    assert "Namespaces</h2>" not in home and (site / "clippings.html").exists()
