"""The import contracts of pyproject.toml ([tool.importlinter]): the library never imports the
experiment layer, the experiment layer runs downward, and no package has import cycles.

``solvers/``, ``problems/`` and ``benchmarks/`` install inside ``pinnrwf`` through the
``package-dir`` mapping, which an editable install resolves at import time: a static checker
looking at ``pinnrwf/`` would not see them at all. So the test lays out the installed package
(what a wheel holds) in a temporary folder and runs ``lint-imports`` on that.

Run it by hand with ``python tests/test_layers.py`` (prints import-linter's report).
"""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def installed_layout(target: Path) -> Path:
    """Copy every package's ``.py`` files where ``package-dir`` installs them; returns ``target``."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    mapping = setuptools["package-dir"]
    for package in setuptools["packages"]:
        parent = max((p for p in mapping if package == p or package.startswith(p + ".")), key=len)
        source = (
            REPO / mapping[parent] / Path(*package[len(parent) :].lstrip(".").split(".") if package != parent else ())
        )
        dest = target / Path(*package.split("."))
        dest.mkdir(parents=True, exist_ok=True)
        for file in source.glob("*.py"):
            shutil.copy2(file, dest / file.name)
    return target


def lint_imports(tmp: Path) -> subprocess.CompletedProcess:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if lint is None:
        raise RuntimeError("lint-imports not found: install the test extra (pip install -e '.[test]')")
    return subprocess.run(
        [lint, str(REPO / "pyproject.toml"), "--no-cache"],
        cwd=tmp,
        env={"PATH": str(Path(sys.executable).parent), "PYTHONPATH": str(installed_layout(tmp))},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_import_contracts_hold(tmp_path):
    proc = lint_imports(tmp_path)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert "Contracts: 4 kept, 0 broken." in proc.stdout


def test_the_layout_holds_every_installed_package(tmp_path):
    installed_layout(tmp_path)
    for package in ("pinnrwf/solvers", "pinnrwf/problems", "pinnrwf/benchmarks", "pinnrwf/pde"):
        assert (tmp_path / package / "__init__.py").is_file()


def test_a_broken_contract_is_caught(tmp_path):
    """The check is not vacuous: a library module importing the runner breaks the first contract."""
    installed_layout(tmp_path)
    with (tmp_path / "pinnrwf" / "nn" / "__init__.py").open("a") as f:
        f.write("\nfrom pinnrwf import runner  # noqa\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())",
            str(REPO / "pyproject.toml"),
            "--no-cache",
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if "No module named" in proc.stderr:
        pytest.skip(proc.stderr.splitlines()[-1])
    assert proc.returncode == 1
    assert "pinnrwf.nn -> pinnrwf.runner" in proc.stdout


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        result = lint_imports(Path(folder))
        print(result.stdout, result.stderr)
        sys.exit(result.returncode)
