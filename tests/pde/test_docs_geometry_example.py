"""The non-box example of the how-to guide (docs/how-to/own-geometry.md) (Laplace on a plate with a hole, Dirichlet + Neumann) runs and learns."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "how-to" / "own-geometry.md"
MARKER = "<!-- geometry-example"


def _example() -> str:
    text = PAGE.read_text()
    assert MARKER in text, f"the geometry example is missing from {PAGE}"
    return re.search(r"```python\n(.*?)```", text.split(MARKER, 1)[1], re.S).group(1)


@pytest.mark.slow
def test_geometry_example_trains_on_a_plate_with_a_hole():
    ns: dict = {}
    exec(compile(_example(), "docs/how-to/own-geometry.md example", "exec"), ns)
    rel_l2 = ns["result"].final_metrics["rel_l2"][0]
    assert rel_l2 < 0.1, rel_l2
