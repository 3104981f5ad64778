"""Parameter schedules (curricula): plain functions ``step -> value``, optax style.

A schedule is evaluated from the traced step inside the compiled training step, so a parameter
that follows a curriculum never triggers a recompilation. :class:`~pinnrwf.pde.PINNObjective`
checks, when it is built, that every schedule ends at the parameter's declared target value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import jax.numpy as jnp
import numpy as np
import optax

from pinnrwf._validation import finite_number, integer, positive_int

Schedule = Callable[[object], object]

#: The step at which "where a schedule ends" is read off (the largest int32).
FINAL_STEP = 2**31 - 1


def curriculum(values: Sequence[float], boundaries: Sequence[int]) -> Schedule:
    """Piecewise-constant schedule: ``values[i]`` for ``boundaries[i-1] <= step < boundaries[i]``.

    ``curriculum(values=[100, 500, 1000], boundaries=[20000, 40000])`` is the lid-driven-cavity
    Reynolds-number curriculum of rwf_paper App. K.2 (Re = 100 for steps 0–19999, 500 for
    20000–39999, 1000 from step 40000 on).
    """
    values = [finite_number(f"curriculum: values[{i}]", v) for i, v in enumerate(values)]
    boundaries = [positive_int(f"curriculum: boundaries[{i}]", b) for i, b in enumerate(boundaries)]
    if len(values) != len(boundaries) + 1:
        raise ValueError(
            f"curriculum: values must have one more entry than boundaries, got {len(values)} values "
            f"and {len(boundaries)} boundaries"
        )
    if any(b1 >= b2 for b1, b2 in zip(boundaries, boundaries[1:])):
        raise ValueError(f"curriculum: boundaries must be strictly increasing, got {boundaries}")
    if boundaries and boundaries[-1] > FINAL_STEP:
        raise ValueError(f"curriculum: boundaries must be ≤ {FINAL_STEP} (int32 steps), got {boundaries[-1]}")
    table = np.asarray(values, np.float64)
    edges = np.asarray(boundaries, np.int32)

    def schedule(step):
        index = jnp.searchsorted(jnp.asarray(edges), jnp.asarray(step, jnp.int32), side="right")
        return jnp.asarray(table, dtype=float)[index]  # JAX's default float (float32 unless x64)

    return schedule


def linear_ramp(start: float, end: float, steps: int, begin: int = 0) -> Schedule:
    """``start`` until ``begin``, then linear to ``end`` over ``steps`` steps, then ``end``
    (``optax.linear_schedule``). E.g. the advection curriculum c: 10 → 50."""
    start, end = finite_number("linear_ramp: start", start), finite_number("linear_ramp: end", end)
    steps = positive_int("linear_ramp: steps", steps)
    begin = integer("linear_ramp: begin", begin, minimum=0)
    return optax.linear_schedule(start, end, steps, begin)


def final_value(schedule: Schedule) -> float:
    """The value a schedule settles at (read at the largest int32 step)."""
    return float(np.asarray(schedule(jnp.asarray(FINAL_STEP, jnp.int32))))
