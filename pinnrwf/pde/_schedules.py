"""Parameter schedules (curricula): plain functions ``step -> value``, optax style.

A schedule is evaluated from the traced step inside the compiled training step, so a parameter
that follows a curriculum never triggers a recompilation. :class:`~pinnrwf.pde.PINNObjective`
checks, when it is built, that every schedule ends at the parameter's declared target value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import jax.numpy as jnp
import numpy as np
import optax

Schedule = Callable[[object], object]

#: The step at which "where a schedule ends" is read off (the largest int32).
FINAL_STEP = 2**31 - 1


def curriculum(values: Sequence[float], boundaries: Sequence[int]) -> Schedule:
    """Piecewise-constant schedule: ``values[i]`` for ``boundaries[i-1] <= step < boundaries[i]``.

    ``curriculum(values=[100, 500, 1000], boundaries=[20000, 40000])`` is the lid-driven-cavity
    Reynolds-number curriculum of rwf_paper App. K.2 (Re = 100 for steps 0–19999, 500 for
    20000–39999, 1000 from step 40000 on).
    """
    values = [float(v) for v in values]
    boundaries = [int(b) for b in boundaries]
    if len(values) != len(boundaries) + 1:
        raise ValueError(
            f"curriculum: values must have one more entry than boundaries, got {len(values)} values "
            f"and {len(boundaries)} boundaries"
        )
    if any(b <= 0 for b in boundaries) or any(b1 >= b2 for b1, b2 in zip(boundaries, boundaries[1:])):
        raise ValueError(f"curriculum: boundaries must be positive and strictly increasing, got {boundaries}")
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"curriculum: values must be finite, got {values}")
    table = np.asarray(values, np.float32)
    edges = np.asarray(boundaries, np.int32)

    def schedule(step):
        index = jnp.searchsorted(jnp.asarray(edges), jnp.asarray(step, jnp.int32), side="right")
        return jnp.asarray(table)[index]

    return schedule


def linear_ramp(start: float, end: float, steps: int, begin: int = 0) -> Schedule:
    """``start`` until ``begin``, then linear to ``end`` over ``steps`` steps, then ``end``
    (``optax.linear_schedule``). E.g. the advection curriculum c: 10 → 50."""
    if steps <= 0 or begin < 0:
        raise ValueError(f"linear_ramp: steps must be > 0 and begin ≥ 0, got steps={steps}, begin={begin}")
    return optax.linear_schedule(float(start), float(end), int(steps), int(begin))


def final_value(schedule: Schedule) -> float:
    """The value a schedule settles at (read at the largest int32 step)."""
    return float(np.asarray(schedule(jnp.asarray(FINAL_STEP, jnp.int32))))
