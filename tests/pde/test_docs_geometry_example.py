"""The non-box example of the how-to guide (docs/how-to/own-geometry.md) (Laplace on a plate with a hole, Dirichlet + Neumann) runs and learns."""

from pathlib import Path

import pytest
from _markdown import python_block_after

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "how-to" / "own-geometry.md"
MARKER = "<!-- geometry-example"


def _example() -> str:
    return python_block_after(PAGE, MARKER)


@pytest.mark.slow
def test_geometry_example_trains_on_a_plate_with_a_hole():
    ns: dict = {}
    exec(compile(_example(), "docs/how-to/own-geometry.md example", "exec"), ns)
    rel_l2 = ns["result"].final_metrics["rel_l2"][0]
    assert rel_l2 < 0.1, rel_l2
