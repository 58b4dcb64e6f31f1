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
from tests.hostile.make_vault import HostileVault, make_hostile_vault
from tests.site_crawl import crawl, dangerous_markup


def _build(tmp: Path, dialect: str, **options: object) -> tuple[HostileVault, Path,
                                                                 BuildReport, float]:
    hostile = make_hostile_vault(tmp / dialect, dialect)
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
    assert sum(sizes.values()) < 80_000_000


def test_raw_html_switch_for_trusted_vaults(tmp_path: Path) -> None:
    hostile = make_hostile_vault(tmp_path / "trusted", "logseq", cases=["xss"])
    out = tmp_path / "site"
    build_site(resolve(load(hostile.vault, cache_dir=None)), out,
               SiteOptions(search=False, allow_raw_html=True))
    (xss,) = [p for p in out.glob("*.html") if p.name.endswith("xss.html")]
    assert dangerous_markup(xss.read_text("utf-8")) != []
