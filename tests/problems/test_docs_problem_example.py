"""The complete new-problem example of the how-to guide (docs/how-to/own-problem.md) runs through the runner as written."""

import json
import os
from pathlib import Path

from _markdown import python_block_after

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "how-to" / "own-problem.md"
MARKER = "<!-- problem-example -->"


def _example() -> str:
    return python_block_after(PAGE, MARKER)


def test_example_fits_on_a_screen():
    assert len(_example().splitlines()) <= 45  # blank lines included: "about 40 lines" on the page


def test_example_runs_and_writes_results_and_figure(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    exec(compile(_example(), "docs/how-to/own-problem.md example", "exec"), ns)
    out = tmp_path / "runs" / "heat"
    res = json.loads((out / "results.json").read_text())
    assert res["problem"] == "heat" and set(res["runs"]) == {"plain", "rwf"}
    assert (out / "heat.png").exists() and (out / "table.md").exists()
    assert set(os.listdir(tmp_path)) == {"runs"}  # nothing written outside out_dir
    # the problem is correct: its loss vanishes on the exact solution
    import jax
    import jax.numpy as jnp

    problem, config = ns["Heat"](), ns["HeatConfig"]()
    objective = problem.objective(config, None)
    exact = lambda z: jnp.array([jnp.exp(-config.kappa * jnp.pi**2 * z[1]) * jnp.sin(jnp.pi * z[0])])  # noqa: E731
    terms, _ = objective.loss_terms(exact, objective.sample(jax.random.key(0)), jnp.int32(0))
    assert all(float(v) < 1e-9 for v in terms.values())
    assert float(objective.metrics(exact)["rel_l2"]) < 1e-6
