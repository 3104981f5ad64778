"""Griffe extensions for the API reference: sub-packages installed from other folders, Sphinx roles.

pyproject.toml installs top-level folders inside the package (``package-dir``: ``solvers/`` is
``pinnrwf.solvers``, ``problems/`` is ``pinnrwf.problems``). Griffe reads ``pinnrwf/`` from the
source tree and does not know that mapping, so ``::: pinnrwf.solvers`` would not be found; this
extension loads each mapped folder as the sub-package it is installed as.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import griffe

ROOT = Path(__file__).resolve().parents[2]


def mapped_packages(package: str) -> dict[str, Path]:
    """``{"solvers": Path("solvers"), ...}``: the folders pyproject.toml installs under ``package``."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        package_dir = tomllib.load(f)["tool"]["setuptools"]["package-dir"]
    return {
        name.removeprefix(package + "."): ROOT / folder
        for name, folder in package_dir.items()
        if name.startswith(package + ".") and name.count(".") == 1
    }


class PackageDirs(griffe.Extension):
    """Attach each folder that pyproject.toml maps into ``pinnrwf`` as that sub-package."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if pkg.name != "pinnrwf":
            return
        for name, folder in mapped_packages(pkg.name).items():
            if name in pkg.members or not (folder / "__init__.py").exists():
                continue
            # griffe has no public call for "load this folder as that sub-package"
            sub = loader._load_module(name, folder / "__init__.py", submodules=True, parent=pkg)
            pkg.set_member(name, sub)
            loader.expand_exports(sub)


#: ``:class:`X```, ``:func:`~pinnrwf.train.fit``` ...: a Sphinx role around a name.
SPHINX_ROLE = re.compile(r":(?:py:)?(?:class|func|mod|meth|attr|data|obj|exc|const):`(~?)([^`]+)`")


def _as_code(match: re.Match) -> str:
    short, target = match.groups()
    return f"`{target.rsplit('.', 1)[-1] if short else target}`"


class SphinxRoles(griffe.Extension):
    """Show the Sphinx roles of the docstrings (``:class:`Linear```) as code (`Linear`): the
    docstrings are written for both Sphinx-aware readers and plain text, the site renders Markdown."""

    def _rewrite(self, obj: griffe.Object) -> None:
        if obj.docstring is not None:
            obj.docstring.value = SPHINX_ROLE.sub(_as_code, obj.docstring.value)

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        self._rewrite(obj)

    def on_module(self, *, mod: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        self._rewrite(mod)
