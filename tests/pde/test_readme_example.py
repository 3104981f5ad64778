"""The README's new-PDE example (heat equation) runs, is ≤ 20 lines, and its residual vanishes."""

import re
from pathlib import Path

import jax.numpy as jnp

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- heat-example"


def _example() -> str:
    for path in (ROOT / "README.md",):
        if path.exists() and MARKER in path.read_text():
            text = path.read_text().split(MARKER, 1)[1]
            return re.search(r"```python\n(.*?)```", text, re.S).group(1)
    raise AssertionError("the heat-equation example is missing from README.md")


def test_heat_example_is_short():
    lines = [line for line in _example().splitlines() if line.strip() and not line.startswith(("import", "from"))]
    assert len(lines) <= 20


def test_heat_example_residual_vanishes_on_exact_solution():
    ns: dict = {}
    exec(compile(_example(), "README heat example", "exec"), ns)
    terms = ns["terms"]
    assert set(terms) == {"r", "ic", "bc"}
    assert all(float(v) < 1e-9 for v in terms.values()), terms
    # ... and not on a solution decaying at the wrong rate
    objective, batch = ns["objective"], ns["objective"].sample(ns["jax"].random.key(1))
    wrong = lambda z: jnp.array([jnp.exp(-0.5 * z[1]) * jnp.sin(jnp.pi * z[0])])
    assert float(objective.loss_terms(wrong, batch, jnp.int32(0))[0]["r"]) > 1e-3
