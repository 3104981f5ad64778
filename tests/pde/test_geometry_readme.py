"""The README's non-box example (Laplace on a plate with a hole, Dirichlet + Neumann) runs and learns."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- geometry-example"


def _example() -> str:
    text = (ROOT / "README.md").read_text()
    assert MARKER in text, "the geometry example is missing from README.md"
    return re.search(r"```python\n(.*?)```", text.split(MARKER, 1)[1], re.S).group(1)


@pytest.mark.slow
def test_geometry_example_trains_on_a_plate_with_a_hole():
    ns: dict = {}
    exec(compile(_example(), "README geometry example", "exec"), ns)
    rel_l2 = ns["result"].final_metrics["rel_l2"][0]
    assert rel_l2 < 0.1, rel_l2
