"""Command-line commands, one module each.

Every module defines ``add_parser(subparsers)``, which adds its sub-command and sets
``func`` to a callable ``(args, app) -> int`` returning the exit code. Commands raise
:class:`focus_ionos_plugin.errors.FocusIonosError` subclasses for the user; only
:mod:`focus_ionos_plugin.cli` turns them into messages and exit codes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..context import Context, NullProgress, Progress, Settings

if TYPE_CHECKING:
    from ..host import PluginHost

__all__ = ["COMMAND_MODULES", "App", "RichProgress"]

#: Sub-command modules in the order ``--help`` lists them.
COMMAND_MODULES = (
    "plugins",
    "periods",
    "fetch",
    "export",
    "convert",
    "mapping",
    "merge",
    "validate",
    "report",
    "prices",
)


@dataclass
class App:
    """State shared by the commands of one invocation."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    quiet: bool = False
    settings: Settings = field(default_factory=Settings)
    _host: PluginHost | None = None

    @property
    def host(self) -> PluginHost:
        """The plugin host, loaded on first use."""
        if self._host is None:
            from ..host import PluginHost

            self._host = PluginHost(self.settings).load()
        return self._host

    def progress(self) -> Progress:
        """A progress bar on an interactive terminal, silence otherwise."""
        if self.quiet or not self.stderr.isatty():
            return NullProgress()
        return RichProgress(self.stderr)

    def context(self, *, out_dir: Path | None = None, **options: Any) -> Context:
        """A hook context for this invocation."""
        return Context(
            settings=self.settings,
            out_dir=out_dir,
            progress=self.progress(),
            options=dict(options),
        )

    def echo(self, text: str = "") -> None:
        """Write a line of command output to standard output."""
        self.stdout.write(text + "\n")


class RichProgress:
    """A rich progress bar on standard error."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._bar: Any = None
        self._task: Any = None

    def start(self, description: str, total: int) -> None:
        """Show a bar for ``total`` steps."""
        from rich.console import Console
        from rich.progress import Progress as Bar

        self.stop()
        self._bar = Bar(console=Console(file=self._stream), transient=True)
        self._bar.start()
        self._task = self._bar.add_task(description, total=total)

    def advance(self, steps: int = 1) -> None:
        """Move the bar on."""
        if self._bar is not None:
            self._bar.advance(self._task, steps)

    def stop(self) -> None:
        """Remove the bar."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
