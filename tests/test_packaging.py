"""The wheel carries every package and the JSON Schemas; a plain install can find them."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_folder_is_listed_in_pyproject():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "focus_ionos_plugin").rglob("__init__.py")
    }
    found.add("focus_ionos_plugin.schemas")
    assert found == listed


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
    )
    (path,) = out.glob("focus_ionos_plugin-*.whl")
    return path


def test_wheel_ships_schemas_inside_the_package(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    repo_schemas = {
        "focus_ionos_plugin/schemas/" + p.relative_to(ROOT / "schemas").as_posix()
        for p in (ROOT / "schemas").rglob("*.json")
    }
    assert repo_schemas <= names
    assert "focus_ionos_plugin/schemas/__init__.py" in names


def test_non_editable_install_finds_the_schemas(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
    )
    script = (
        "import importlib.resources as r, pathlib\n"
        "root = r.files('focus_ionos_plugin.schemas')\n"
        "print(sorted(str(p.relative_to(pathlib.Path(str(root)))) "
        "for p in pathlib.Path(str(root)).rglob('*.json')))\n"
    )
    listed = subprocess.run(
        [str(python), "-c", script], check=True, capture_output=True, text=True, cwd=tmp_path
    ).stdout
    expected = sorted(
        str(p.relative_to(ROOT / "schemas")) for p in (ROOT / "schemas").rglob("*.json")
    )
    assert listed.strip() == str(expected)
    assert (
        "site-packages"
        in subprocess.run(
            [str(python), "-c", "import focus_ionos_plugin.schemas as s; print(s.__file__)"],
            check=True,
            capture_output=True,
            text=True,
            cwd=tmp_path,
        ).stdout
    )
