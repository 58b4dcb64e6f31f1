"""Hostile vaults built into sites: nothing in the output can run script, nothing from
outside the vault is read or copied, every other page is built, embeds stay bounded,
and the build finishes promptly. The vault is the shared hostile test vault
(``tests/hostile``) in both dialects."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kb_compiler.emit.site import BuildReport, SiteOptions, build_site
from kb_compiler.emit.site.embeds import MAX_EMBED_CHARS
from kb_compiler.loader import load
from kb_compiler.resolve import resolve
from tests.hostile.make_vault import CASE_NAMES, HostileVault, make_hostile_vault
from tests.site_crawl import crawl, dangerous_markup

# The sized cases (a 3,000-level outline, a 5 MB line) are built once, in the Logseq
# vault; the Obsidian vault gets every other case.
SIZED = ("deep-outline", "long-lines")


def _build(tmp: Path, dialect: str, **options: object) -> tuple[HostileVault, Path,
                                                                 BuildReport, float]:
    cases = None if dialect == "logseq" else [c for c in CASE_NAMES if c not in SIZED]
    hostile = make_hostile_vault(tmp / dialect, dialect, cases=cases)
    out = tmp / f"site-{dialect}"
    started = time.monotonic()
    report = build_site(resolve(load(hostile.vault, cache_dir=None)), out,
                        SiteOptions(**options))  # type: ignore[arg-type]
    return hostile, out, report, time.monotonic() - started


@pytest.fixture(scope="module", params=["logseq", "obsidian"])
def hostile_site(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> tuple[HostileVault, Path,
                                                                    BuildReport, float]:
    return _build(tmp_path_factory.mktemp("hostile"), request.param, search=False)


def test_every_page_is_built_promptly(hostile_site: tuple[HostileVault, Path, BuildReport,
                                                          float]) -> None:
    hostile, out, report, seconds = hostile_site
    assert report.failed == ()
    assert seconds < 120
    text = "\n".join(p.read_text("utf-8") for p in out.glob("*.html"))
    missing = [body for body in hostile.bodies if body not in text]
    assert missing == []


def test_no_page_can_run_script(hostile_site: tuple[HostileVault, Path, BuildReport,
                                                    float]) -> None:
    _, out, _, _ = hostile_site
    found = {}
    for path in sorted(out.rglob("*.html")):
        problems = dangerous_markup(path.read_text("utf-8"))
        if problems:
            found[path.name] = problems
    assert found == {}
    (xss,) = [p for p in out.glob("*.html") if p.name.endswith("xss.html")]
    assert "BODY-xss" in xss.read_text("utf-8")


def test_nothing_from_outside_the_vault_reaches_the_site(
        hostile_site: tuple[HostileVault, Path, BuildReport, float]) -> None:
    hostile, out, _, _ = hostile_site
    marker = hostile.marker.encode()
    for path in out.rglob("*"):
        if path.is_file():
            assert marker not in path.read_bytes(), path.relative_to(out)
    assert not hostile.pwned.exists()
    assert crawl(out)[0] == []  # and every link that is written leads somewhere


def test_embed_chains_and_cycles_stay_bounded(hostile_site: tuple[HostileVault, Path,
                                                                  BuildReport, float]) -> None:
    _, out, _, _ = hostile_site
    sizes = {path.name: path.stat().st_size for path in out.glob("*.html")}
    chain = {name: size for name, size in sizes.items() if "chain-" in name}
    assert chain, "the 24-level chain was built"
    assert max(chain.values()) < MAX_EMBED_CHARS + 1_000_000
    notes = "".join((out / name).read_text("utf-8") for name in chain)
    assert "embed-truncated" in notes  # the bound was reached and said so
    cycles = "".join(p.read_text("utf-8") for p in out.glob("*.html"))
    assert "embed-cycle" in cycles and "Embed cycle:" in cycles
    assert max(sizes.values()) < 12_000_000  # the 5 MB line's page is the largest


def test_raw_html_switch_for_trusted_vaults(tmp_path: Path) -> None:
    hostile = make_hostile_vault(tmp_path / "trusted", "logseq", cases=["xss"])
    out = tmp_path / "site"
    build_site(resolve(load(hostile.vault, cache_dir=None)), out,
               SiteOptions(search=False, allow_raw_html=True))
    (xss,) = [p for p in out.glob("*.html") if p.name.endswith("xss.html")]
    assert dangerous_markup(xss.read_text("utf-8")) != []


def test_active_attachments_are_withheld_and_svgs_cleaned(tmp_path: Path) -> None:
    from kb_compiler.emit.site.assets import published_bytes

    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
           b' onload="alert(1)"><script>alert(2)</script><a xlink:href="javascript:alert(3)">'
           b'<circle r="5" onclick="alert(4)"/></a><foreignObject><p>x</p></foreignObject>'
           b'<set attributeName="href" to="javascript:alert(5)"/></svg>')
    cleaned = published_bytes("pics/logo.svg", svg)
    assert cleaned is not None and b"<circle" in cleaned
    for needle in (b"alert", b"script", b"onload", b"onclick", b"foreignObject", b"<set"):
        assert needle not in cleaned
    assert published_bytes("a.svg", b'<!DOCTYPE svg [<!ENTITY x "y">]><svg/>') is None
    assert published_bytes("a.svg", b"<svg><unclosed") is None
    for name in ("page.html", "x.xhtml", "run.js", "data.xml"):
        assert published_bytes(name, b"<script>alert(1)</script>") is None
    assert published_bytes("photo.png", b"\x89PNG") == b"\x89PNG"

    vault = tmp_path / "vault"
    (vault / "assets").mkdir(parents=True)
    (vault / "assets" / "evil.html").write_text("<script>alert('attachment')</script>")
    (vault / "Page.md").write_text("- see ![[evil.html]] and [file](assets/evil.html)\n")
    build_site(resolve(load(vault, cache_dir=None)), tmp_path / "site", SiteOptions(search=False))
    assert not (tmp_path / "site" / "files" / "assets" / "evil.html").exists()
    page = (tmp_path / "site" / "page.html").read_text("utf-8")
    assert 'class="withheld"' in page and "evil.html" in page
    assert crawl(tmp_path / "site")[0] == []
