"""The README is a front door: short, its links resolve, and its example runs as written."""

import re
from pathlib import Path

import numpy as np
import pytest
from _markdown import python_block_after

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
MARKER = "<!-- readme-example"


def test_readme_is_short():
    assert len(README.splitlines()) <= 250


def test_relative_links_resolve():
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", README)
    local = [link for link in links if not re.match(r"[a-z]+://", link)]
    assert local, "no relative links found"
    missing = [link for link in local if not (ROOT / link).exists()]
    assert not missing, f"README links to missing files: {missing}"


def test_no_placeholders_left():
    assert "@@" not in README and "(to be written)" not in README


def _example() -> str:
    return python_block_after(ROOT / "README.md", MARKER)


@pytest.mark.slow
def test_example_runs_and_learns(capsys):
    code = _example()
    assert "steps=2000" in code
    ns: dict = {}
    exec(compile(code.replace("steps=2000", "steps=300"), "README example", "exec"), ns)
    out = capsys.readouterr().out
    assert out.count("relative L2 error per seed") == 2
    error = np.asarray(ns["error"])  # the last parameterization's errors, one per seed
    assert error.shape == (4,) and np.all(np.isfinite(error))
    assert np.all(error < 0.9), error  # better than the zero function (error 1) after 300 steps
