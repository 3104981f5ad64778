"""Learning-rate schedules of the paper (rwf_paper App. E, Table 4): exponential decay, warm-up."""

from __future__ import annotations

import optax


def learning_rate_schedule(
    learning_rate: float,
    *,
    decay_rate: float | None = 0.9,
    decay_steps: int | None = 5000,
    warmup_steps: int = 0,
    staircase: bool = False,
) -> optax.Schedule:
    """Linear warm-up from 0 over ``warmup_steps``, then lr · decay_rate^(step / decay_steps).

    ``decay_steps=None`` (or ``decay_rate=None``) keeps the rate constant after warm-up.
    """
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}")
    if warmup_steps < 0:
        raise ValueError(f"warmup_steps must be ≥ 0, got {warmup_steps!r}")
    if decay_steps is None or decay_rate is None:
        main = optax.constant_schedule(learning_rate)
    else:
        if decay_steps < 1 or not 0 < decay_rate <= 1:
            raise ValueError(f"decay_steps must be ≥ 1 and 0 < decay_rate ≤ 1, got {decay_steps!r}, {decay_rate!r}")
        main = optax.exponential_decay(
            learning_rate, transition_steps=decay_steps, decay_rate=decay_rate, staircase=staircase
        )
    if warmup_steps == 0:
        return main
    warmup = optax.linear_schedule(0.0, learning_rate, warmup_steps)
    return optax.join_schedules([warmup, main], [warmup_steps])
