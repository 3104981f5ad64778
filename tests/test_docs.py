"""The documentation site builds with ``mkdocs build --strict`` and documents every public name."""

import html
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: The public packages whose ``__all__`` the API reference must cover.
PUBLIC = [
    "pinnrwf.nn",
    "pinnrwf.train",
    "pinnrwf.pde",
    "pinnrwf.geometry",
    "pinnrwf.operator",
    "pinnrwf.vision",
    "pinnrwf.solvers",
    "pinnrwf.datasets",
    "pinnrwf.loggers",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}
    r = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout[-5000:] + r.stderr[-5000:]
    return out


@pytest.mark.slow
def test_site_builds_strictly(site):
    assert (site / "index.html").exists()


@pytest.mark.slow
@pytest.mark.parametrize("package", PUBLIC)
def test_every_public_name_has_an_entry(site, package):
    names = importlib.import_module(package).__all__
    text = html.unescape("\n".join(p.read_text() for p in (site / "reference").rglob("*.html")))
    anchors = set(re.findall(r'id="([\w.]+)"', text))
    missing = [n for n in names if f"{package}.{n}" not in anchors]
    assert not missing, f"{package}: no API entry for {missing}"
