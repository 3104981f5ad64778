"""The examples of docs/concepts/solvers.md run: the solvers' Python API, the data layer, and the
finite-element reference on a plate with a hole (written and read)."""

from pathlib import Path

import numpy as np
import pytest
from _markdown import python_block_after

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "concepts" / "solvers.md"


def _example(marker: str) -> str:
    return python_block_after(PAGE, f"<!-- {marker}")


def _run(marker: str, tmp_path, monkeypatch) -> dict:
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    exec(compile(_example(marker), f"docs {marker}", "exec"), ns)
    return ns


def test_solvers_example_gives_the_documented_shapes(tmp_path, monkeypatch):
    ns = _run("solvers-example", tmp_path, monkeypatch)
    assert ns["u_adv"].shape == (101, 256) and ns["u_adv_grf"].shape == (2, 101, 256)
    assert ns["u_dr"].shape == (2, 100, 100) and ns["u_darcy"].shape == (2, 64, 64)
    assert ns["u_burgers"].shape == (2, 11, 100)
    assert ns["sol"].u.shape == (33, 33) and np.allclose(ns["sol"].u[:, -1], 1.0)  # the lid
    for name in ("u_adv", "u_adv_grf", "u_dr", "u_darcy", "u_burgers"):
        assert np.all(np.isfinite(ns[name])), name


def test_data_example_writes_and_reads_a_dataset(tmp_path, monkeypatch):
    ns = _run("data-example", tmp_path, monkeypatch)
    assert ns["a"].shape == (20, 100) and ns["u"].shape[0] == 4
    assert ns["x"].shape == (100,) and (tmp_path / "dr_small.h5").is_file()


def test_fem_example_makes_writes_and_reads_a_reference(tmp_path, monkeypatch):
    pytest.importorskip("pinnrwf.solvers.fem")  # the fem extra
    ns = _run("fem-example", tmp_path, monkeypatch)
    u = ns["u"]
    assert u.shape == (2,) and np.all(np.isfinite(u)) and np.all(u > 0)  # −Δu = 1 ≥ 0 with u ≥ 0 data
    assert (tmp_path / "plate.h5").is_file()
