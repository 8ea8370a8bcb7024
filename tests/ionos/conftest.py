"""Fixtures of the conversion tests: raw batches built from payload files (no client).

The builders live in ``convert_support.py`` and the client test doubles in ``fakes.py``
beside this file (loaded by path: the suite runs with ``--import-mode=importlib``, so test
folders are not importable packages).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest


def _load(name: str, file: str) -> ModuleType:
    """Load a helper module beside this file under ``name`` (once)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(file))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _support() -> ModuleType:
    return _load("ionos_convert_support", "convert_support.py")


# Test modules of this folder import their doubles with ``from ionos_test_fakes import ...``;
# pytest imports this conftest before them.
_load("ionos_test_fakes", "fakes.py")


@pytest.fixture(scope="session")
def support() -> ModuleType:
    """The batch builders: ``example_batch(...)``, ``demo_batch(period)``, ``demo_account()``."""
    return _support()
