"""The ``glassnet`` command: data in, trained model and pictures out.

A thin layer over :mod:`glassnet.cli.workflow`, :mod:`glassnet.experiments`, :mod:`glassnet.io`
and :mod:`glassnet.plot`, built with click. Every error glassnet knows about — bad data, a
bad option, an unreadable model file — becomes one line on standard error and exit code 2;
``glassnet --debug …`` shows the traceback instead.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from ..errors import GlassnetError

__all__ = ["main"]

EXIT_USAGE = 2


def _fail(message: str) -> None:
    click.echo(f"glassnet: error: {message}", err=True)


def _expected_errors() -> tuple[type[BaseException], ...]:
    return (GlassnetError, ValueError, OSError, click.ClickException)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    from . import info, playground, train  # noqa: F401  (importing them registers the subcommands)
    from .common import cli

    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        code = cli.main(args=args, prog_name="glassnet", standalone_mode=False)
        if isinstance(code, int):  # click returns the code of an Exit raised by a command
            return code
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.exceptions.Abort:
        _fail("interrupted")
        return 130
    except click.UsageError as exc:
        if debug:
            raise
        hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx is not None else ""
        _fail(exc.format_message().replace("\n", " ") + hint)
        return EXIT_USAGE
    except _expected_errors() as exc:
        if debug:
            raise
        message = exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
        _fail(" ".join(message.split()) or type(exc).__name__)
        return EXIT_USAGE
    return 0
