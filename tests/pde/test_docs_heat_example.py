"""The runnable examples of docs/getting-started.md and docs/concepts/*.md: the first-PDE example (heat
equation) runs, is ≤ 20 lines and its residual vanishes; every block marked `docs-example` runs."""

import re
from pathlib import Path

import jax.numpy as jnp
import pytest
from _markdown import python_block_after

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "getting-started.md"
MARKER = "<!-- heat-example"


def _example() -> str:
    return python_block_after(PAGE, MARKER)


def test_heat_example_is_short():
    lines = [line for line in _example().splitlines() if line.strip() and not line.startswith(("import", "from"))]
    assert len(lines) <= 20


def test_heat_example_residual_vanishes_on_exact_solution():
    ns: dict = {}
    exec(compile(_example(), "docs heat example", "exec"), ns)
    terms = ns["terms"]
    assert set(terms) == {"r", "ic", "bc"}
    assert all(float(v) < 1e-9 for v in terms.values()), terms
    # ... and not on a solution decaying at the wrong rate
    objective, batch = ns["objective"], ns["objective"].sample(ns["jax"].random.key(1))
    wrong = lambda z: jnp.array([jnp.exp(-0.5 * z[1]) * jnp.sin(jnp.pi * z[0])])
    assert float(objective.loss_terms(wrong, batch, jnp.int32(0))[0]["r"]) > 1e-3


# The other runnable examples of the pages written with this one (getting started and concepts):
# every ```python block right after a `<!-- docs-example` marker runs, in a temporary folder;
# a marker that says `slow` (a multi-second example) marks its test slow.
DOCS_EXAMPLE = "<!-- docs-example"
PAGES = [ROOT / "docs" / "getting-started.md", *sorted((ROOT / "docs" / "concepts").glob("*.md"))]


def _docs_examples():
    for page in PAGES:
        for i, part in enumerate(page.read_text().split(DOCS_EXAMPLE)[1:]):
            code = re.search(r"```python\n(.*?)```", part, re.S).group(1)
            marks = [pytest.mark.slow] if "slow" in part.split("-->", 1)[0] else []
            yield pytest.param(code, id=f"{page.stem}-{i}", marks=marks)


@pytest.mark.parametrize("code", list(_docs_examples()))
def test_docs_example_runs(code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "docs example", "exec"), {})
