"""What a contributor expects of the repository: a licence, typed package, one version, lint and format clean."""

import importlib.metadata
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import pinnrwf

ROOT = Path(__file__).resolve().parent.parent


def test_version_is_the_installed_distributions():
    assert pinnrwf.__version__ == importlib.metadata.version("pinnrwf")
    assert pinnrwf.__version__ == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_license_and_typed_marker_are_shipped():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert (ROOT / "pinnrwf" / "py.typed").exists()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "MIT"
    assert "py.typed" in project["tool"]["setuptools"]["package-data"]["pinnrwf"]


def test_changelog_names_the_current_version():
    assert f"## [{pinnrwf.__version__}]" in (ROOT / "CHANGELOG.md").read_text()


def test_jax_family_dependencies_are_capped():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for name in ("jax", "equinox", "optax", "diffrax"):
        (spec,) = [d for d in deps if d.split(">")[0].split("<")[0].split("=")[0] == name]
        assert "<" in spec, f"{name} has no upper bound: {spec}"


def _ruff(*args):
    exe = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(exe).exists():
        pytest.fail("ruff is not installed: pip install -e '.[test]'")
    return subprocess.run([exe, *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_lint_is_clean():
    r = _ruff("check", "--no-cache", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_format_is_clean():
    r = _ruff("format", "--no-cache", "--check", ".")
    assert r.returncode == 0, r.stdout + r.stderr
