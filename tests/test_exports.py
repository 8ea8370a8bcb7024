"""Every module's ``__all__`` names only things that exist (ruff RUF022 keeps it sorted)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import focus_ionos_plugin

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(focus_ionos_plugin.__path__, "focus_ionos_plugin.")
    if hasattr(importlib.import_module(info.name), "__all__")
)


@pytest.mark.parametrize("name", MODULES)
def test_all_names_existing_objects(name):
    module = importlib.import_module(name)
    exported = module.__all__
    missing = [item for item in exported if not hasattr(module, item)]
    assert not missing, f"{name}.__all__ names missing objects: {missing}"
