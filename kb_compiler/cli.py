"""The ``kbc`` command line: parses options and calls the library. One module per verb
under ``kb_compiler.commands``; this file only assembles them and turns user errors into
one line on stderr with exit status 2."""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
from typing import Any, NoReturn

import click

from kb_compiler import __version__, gcpause
from kb_compiler.errors import KbcError, printable

# Each verb's module is imported when the verb runs: `kbc check` in a pre-commit hook
# need not load the site builder and jinja2.
COMMANDS = ("build", "check", "export", "graph", "scores", "serve")


class KbcGroup(click.Group):
    """A click group that reports a user's mistake (``KbcError``, a bad option or value)
    as one line on stderr with exit status 2, instead of click's usage block or a
    traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        command: click.Command = importlib.import_module(f"kb_compiler.commands.{name}").command
        return command

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except _NO_ARGS_IS_HELP as error:  # plain "kbc": its help, as it is
            click.echo(error.ctx.get_help() if error.ctx else error.format_message(), err=True)
            sys.exit(2)
        except click.ClickException as error:  # a bad option before the verb
            _fail(_click_message(error))

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            # Ctrl+C: not "Aborted!" with status 1, which says the vault has errors
            click.echo("kbc: stopped by Ctrl+C", err=True)
            sys.exit(128 + signal.SIGINT)
        except KbcError as error:
            _fail(str(error))
        except click.ClickException as error:  # a bad option or value of a verb
            _fail(_click_message(error))


# Click 8.2 and later raise it for a bare "kbc"; 8.1 prints the help itself.
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _click_message(error: click.ClickException) -> str:
    message = error.format_message()
    context = getattr(error, "ctx", None)
    if isinstance(error, click.UsageError) and context is not None:
        message += f" (see '{context.command_path} --help')"
    return message


def _fail(message: str) -> NoReturn:
    # One line, whatever the message holds (file names may contain line breaks).
    click.echo(f"kbc: error: {printable(' '.join(message.split()))}", err=True)
    sys.exit(2)


# Every verb but serve runs once and exits: what its stages build lives until then.
RUN_ONCE = frozenset(COMMANDS) - {"serve"}


@click.group(cls=KbcGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kbc")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Compile Logseq and Obsidian knowledge bases: check them, build a site, export."""
    _run_in_utf8_mode()
    if ctx.invoked_subcommand in RUN_ONCE:
        gcpause.for_one_command()
        _stop_cleanly_on_sigterm(ctx)


_UTF8_RUN = "KBC_UTF8_MODE"  # set for the run started again, so that it starts once


def _run_in_utf8_mode() -> None:
    """Start again in Python's UTF-8 mode under a locale whose encoding is not UTF-8
    (``en_US.ISO-8859-1``, or C without coercion): Logseq and Obsidian name files in
    UTF-8 whatever the locale, but Python decoded the names with the locale's encoding,
    so ``Ünï.md`` was a broken link or "not valid UTF-8", and writing ``日本.html``
    ended the build in a traceback."""
    encoding = sys.getfilesystemencoding().lower().replace("-", "").replace("_", "")
    if encoding == "utf8" or os.environ.get(_UTF8_RUN) or not sys.orig_argv \
            or not sys.executable:
        return
    os.environ[_UTF8_RUN] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(sys.executable, [sys.executable, "-X", "utf8", *sys.orig_argv[1:]])
    except OSError:
        return  # an interpreter that cannot be run again: go on in the locale's encoding


def _stop_cleanly_on_sigterm(ctx: click.Context) -> None:
    """SIGTERM (``timeout``, a cancelled CI job) ends the command as an exception
    does, so that worker processes are told to stop and temporary files go. Killed
    outright, the process left its forked workers waiting on a pipe their siblings
    hold open, and their temporary folder behind."""
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may handle signals (kbc called from a thread)
    previous = signal.signal(signal.SIGTERM, _terminated)
    ctx.call_on_close(lambda: signal.signal(signal.SIGTERM, previous))


def _terminated(signum: int, _frame: object) -> NoReturn:
    click.echo("kbc: stopped by SIGTERM", err=True)
    sys.exit(128 + signum)
