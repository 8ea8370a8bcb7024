"""What the host hands every hook: settings, folders, a logger and a progress reporter."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

__all__ = ["Context", "NullProgress", "Progress", "Settings"]

#: Environment variable names whose values are secrets and are never shown.
SECRET_NAMES = frozenset({"IONOS_TOKEN", "IONOS_PASSWORD"})


class Progress(Protocol):
    """Reports progress of long work; the command line shows it as a bar on a terminal."""

    def start(self, description: str, total: int) -> None: ...

    def advance(self, steps: int = 1) -> None: ...

    def stop(self) -> None: ...


class NullProgress:
    """A progress reporter that shows nothing (tests, pipes, ``-q``)."""

    def start(self, description: str, total: int) -> None:
        """Ignore the start of a task."""

    def advance(self, steps: int = 1) -> None:
        """Ignore progress."""

    def stop(self) -> None:
        """Ignore the end of a task."""


class Settings(Mapping[str, str]):
    """Read-only settings taken from the environment.

    Credentials come from here, never from command-line arguments (which end up in shell
    history and process lists). ``repr()`` and ``str()`` hide secret values.
    """

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self._values = dict(os.environ if values is None else values)

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __iter__(self) -> Any:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        shown = {
            key: ("***" if key in SECRET_NAMES else value)
            for key, value in sorted(self._values.items())
            if key.startswith(("IONOS_", "FOCUS_"))
        }
        return f"Settings({shown!r})"

    __str__ = __repr__


@dataclass
class Context:
    """Everything a hook may need besides its own arguments.

    ``options`` carries provider-specific choices made on the command line (for example
    ``{"contract": "031000000", "demo": True}`` for IONOS, or input paths for the
    FOCUS-file provider); plugins read the keys they know and ignore the rest.
    """

    settings: Settings = field(default_factory=Settings)
    out_dir: Path | None = None
    cache_dir: Path | None = None
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("focus_ionos_plugin"))
    progress: Progress = field(default_factory=NullProgress)
    options: dict[str, Any] = field(default_factory=dict)
