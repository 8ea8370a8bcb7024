"""The ``focus-ionos`` command line.

This module alone turns exceptions into messages and exit codes, and configures logging:

====  ====================================================================
code  meaning
====  ====================================================================
0     success
1     conformance errors found (the data was written or checked, and is not conformant)
2     bad usage or unreadable input (arguments, files, settings, plugins)
3     the provider or its API failed (credentials, network, HTTP status, bad payload)
4     an internal error (a bug: please report it with the ``--debug`` traceback)
====  ====================================================================
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from . import __version__
from .commands import COMMAND_MODULES, App
from .errors import FocusIonosError

__all__ = ["build_parser", "main"]

EXIT_INTERNAL = 4
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a program killed by it


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="focus-ionos",
        description="Turn IONOS Cloud billing data into FinOps FOCUS 1.3 datasets.",
        epilog="Run 'focus-ionos COMMAND --help' for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_global_options(parser, with_defaults=True)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f".commands.{name}", __package__)
        module.add_parser(subparsers)
    # The same options after the command (`focus-ionos export -q ...`); suppressed defaults
    # keep what was given before the command.
    for command in subparsers.choices.values():
        _add_global_options(command, with_defaults=False)
    return parser


def _add_global_options(parser: argparse.ArgumentParser, *, with_defaults: bool) -> None:
    """-v/-q/--debug; their defaults live on the main parser only."""
    unset = argparse.SUPPRESS
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0 if with_defaults else unset,
        help="more log output (-vv for debug)",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=False if with_defaults else unset,
        help="terse, for scripts: no progress or warnings, only errors; short summaries",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=False if with_defaults else unset,
        help="show tracebacks of errors",
    )


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING
    if quiet:
        level = logging.ERROR
    elif verbose == 1:
        level = logging.INFO
    elif verbose >= 2:
        level = logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("focus_ionos_plugin")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def main(argv: Sequence[str] | None = None, app: App | None = None) -> int:
    """Run the command line and return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    _configure_logging(args.verbose, args.quiet)
    app = app or App(quiet=args.quiet)
    app.quiet = app.quiet or args.quiet
    try:
        return int(args.func(args, app))
    except FocusIonosError as exc:
        if args.debug:
            logging.getLogger(__name__).exception("%s failed", args.command)
        app.stderr.write(f"error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        app.stderr.write("interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of our output went away (e.g. `focus-ionos mapping | head`): not an
        # error of ours. Point stdout at /dev/null so the interpreter's final flush is quiet.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        if args.debug:
            raise
        app.stderr.write(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in focus-ionos. Run again with --debug and report the traceback.\n"
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
