"""focus-ionos: IONOS Cloud billing data as FinOps FOCUS 1.3 datasets.

The package is a small pluggy host (:mod:`focus_ionos_plugin.host`) plus the plugins that
ship with it: the IONOS Billing API provider, a provider for existing FOCUS exports of
other clouds, and the core FOCUS 1.3 conformance checks. The provider contract lives in
:mod:`focus_ionos_plugin.hookspecs`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("focus-ionos-plugin")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

FOCUS_VERSION = "1.3"

__all__ = ["FOCUS_VERSION", "__version__"]
