"""The README's finite-element example (a reference on a plate with a hole, written and read) runs."""

import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pinnrwf.solvers.fem")

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- fem-example"


def test_fem_example_makes_writes_and_reads_a_reference(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text()
    assert MARKER in text, "the finite-element example is missing from README.md"
    code = re.search(r"```python\n(.*?)```", text.split(MARKER, 1)[1], re.S).group(1)
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    exec(compile(code, "README fem example", "exec"), ns)
    u = ns["u"]
    assert u.shape == (2,) and np.all(np.isfinite(u)) and np.all(u > 0)  # −Δu = 1 ≥ 0 with u ≥ 0 data
    assert (tmp_path / "plate.h5").is_file()
