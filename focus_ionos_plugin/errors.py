"""Exceptions that reach the user.

Every error a user can act on derives from :class:`FocusIonosError`; its message is shown
as is (no traceback unless ``--debug``) and its ``exit_code`` becomes the process exit
code. Messages name the object at fault (provider, period, file, column, endpoint), what
was expected, and the next thing to try.

::

    FocusIonosError                 exit 2 unless a subclass says otherwise
    ├── UsageError                  bad command line or settings            (exit 2)
    ├── InputError                  unreadable or wrong input files          (exit 2)
    │   └── RawDataError            a saved raw batch is incomplete/tampered (exit 2)
    ├── PluginError                 a plugin failed to load or broke the contract (exit 2)
    └── ProviderError               the provider's data source failed        (exit 3)
        ├── AuthenticationError     credentials missing or refused           (exit 3)
        ├── ApiError                an API answered with an error status     (exit 3)
        └── PayloadError            an API answered with data of the wrong shape (exit 3)

Conformance problems are not exceptions: they are findings
(:class:`focus_ionos_plugin.findings.Finding`), and exit code 1 derives from them.
"""

from __future__ import annotations

__all__ = [
    "ApiError",
    "AuthenticationError",
    "FocusIonosError",
    "InputError",
    "PayloadError",
    "PluginError",
    "ProviderError",
    "RawDataError",
    "UsageError",
]


class FocusIonosError(Exception):
    """Base of every error whose message is meant for the user."""

    #: Process exit code the command line uses for this error.
    exit_code: int = 2


class UsageError(FocusIonosError):
    """The command line or a setting is wrong; the message says which and how to fix it."""


class InputError(FocusIonosError):
    """An input file or folder cannot be read as what it should be."""


class RawDataError(InputError):
    """A saved raw batch is missing files, or a file does not match its recorded hash."""


class PluginError(FocusIonosError):
    """A plugin could not be loaded or does not keep the provider contract."""


class ProviderError(FocusIonosError):
    """The provider's data source failed (network, API status, malformed payload)."""

    exit_code = 3


class AuthenticationError(ProviderError):
    """Credentials are missing or were refused."""


class ApiError(ProviderError):
    """An API call failed; the message names the endpoint and the HTTP status."""

    def __init__(self, message: str, *, endpoint: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.endpoint = endpoint
        self.status = status


class PayloadError(ProviderError):
    """An API payload does not have the expected shape; names endpoint, period, JSON path."""
