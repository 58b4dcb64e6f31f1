"""Long lines packed with unclosed syntax (``[[a [[a ...``, ``{{embed {{embed ...``,
``((((``, ``#a [[b]] #a [[b]] ...``): every command must stay near linear on them. A
step that rescans the rest of the line for each bracket turns a 1 MB line into hours.

Each storm is one page in a Logseq graph; each command runs as a real subprocess with a
CPU-time limit that a linear pass meets many times over and a quadratic one misses."""

from __future__ import annotations

import pytest

from tests.hostile.runner import Job, Run, run_many

# Each pattern repeated to a line of about 300 KB (the plain ``[[a [[a ...`` storm is in
# the hostile vault of tests/test_hostile_commands.py).
STORMS = {
    "nested-brackets": "[[a [[b]] ",
    "tags-and-links": "#a [[b]] ",
    "mixed": "[[a {{embed ((#x [l](",
    # Where a bare URL may start: the site's autolink rules are asked at every "w" and
    # look ahead for the link that ends a URL (a 200 KB line of "w" once took 30 s).
    "url-starts": "w",
    "www-runs": "www.",
    # Logseq's backslash: LaTeX openers that never close, escaped brackets in labels
    "latex-openers": "\\( [[a]] \\[ ",
    "escapes": "#a\\[x\\]( `\\` ",
    "dollars": "$[[a]] $$b $ `$` 1$",
    # Logseq raw HTML: elements that never close, nested, and comments that never end
    "html-elements": "<span><b>[[a]] <!-- </b ",
}
LINE = 300_000
COMMANDS = {
    "check": ("check", "vault", "--format", "json"),
    "build": ("build", "vault", "-o", "site", "--no-search"),
    "export-obsidian": ("export", "vault", "-o", "converted", "--to", "obsidian"),
}
# A linear pass takes a few CPU seconds; a quadratic one, minutes (a run is stopped
# once it has used this much CPU time: see tests/hostile/runner.py).
CPU_SECONDS = 20.0


@pytest.fixture(scope="module")
def storm_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[object, Run]:
    jobs = {}
    for name, pattern in STORMS.items():
        root = tmp_path_factory.mktemp(f"storm-{name}")
        pages = root / "vault" / "pages"
        pages.mkdir(parents=True)
        (root / "vault" / "logseq").mkdir()
        (root / "vault" / "logseq" / "config.edn").write_text(
            "{:file/name-format :triple-lowbar}\n")
        storm = pattern * (LINE // len(pattern))
        (pages / "storm.md").write_text(f"- before\n- {storm}\n- after [[x]]\n")
        for command, args in COMMANDS.items():
            jobs[name, command] = Job(args, root)
    return run_many(jobs, tmp_path_factory.mktemp("cache"), cpu_limit=CPU_SECONDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("storm", sorted(STORMS))
def test_storm_is_handled_promptly(storm_runs: dict[object, Run], storm: str,
                                   command: str) -> None:
    run = storm_runs[storm, command]
    assert not run.timed_out, run.describe()
    assert run.cpu_seconds < CPU_SECONDS, run.describe()
    assert "Traceback" not in run.stderr, run.describe()
    assert run.returncode in (0, 1), run.describe()

