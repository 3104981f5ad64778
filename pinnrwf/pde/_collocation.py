"""Residual-based adaptive collocation: RAD and RAR-D (Wu, Zhu, Tan, Kartha & Lu 2023).

Both draw interior residual points from a dense pool of M uniform candidates with probability

    p(x) ∝ ε(x)^k / E[ε(x)^k] + c,        ε(x) = Σ_components |R(x)|        (their eq. 2)

(E over the pool), without replacement (as the authors' DeepXDE code does). RAD replaces the whole
set of every :class:`~pinnrwf.pde.Residual` term every N steps; RAR-D starts from a uniform set and
adds m points every N steps to a fixed-capacity buffer whose unused slots are masked
(:class:`~pinnrwf.pde.MaskedPoints`). Both plug into :class:`pinnrwf.train.TrainConfig` as
``collocation=RAD(...)`` / ``RARD(...)`` for any :class:`~pinnrwf.pde.PINNObjective`.
"""

from __future__ import annotations

import math

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from pinnrwf import _validation as check
from pinnrwf.train._collocation import AbstractCollocation

from ._inverse import trainable_values
from ._objective import PINNObjective
from ._terms import MaskedPoints, Residual


def residual_density(eps: Float[Array, " m"], k: float, c: float) -> Float[Array, " m"]:
    """The unnormalised density ε^k / mean(ε^k) + c of eq. 2 on a pool (a zero residual
    everywhere gives the uniform density)."""
    w = eps**k
    mean = jnp.mean(w)
    return jnp.where(mean > 0, w / jnp.where(mean > 0, mean, 1.0), 1.0) + c


def draw_by_density(
    key: PRNGKeyArray, candidates: Float[Array, "m d"], density: Float[Array, " m"], n: int
) -> Float[Array, "n d"]:
    """``n`` of the ``candidates`` drawn without replacement with probability ∝ ``density``."""
    chosen = jax.random.choice(key, candidates.shape[0], (n,), replace=False, p=density / jnp.sum(density))
    return candidates[chosen]


def residual_size(
    objective: PINNObjective, model, points: Float[Array, "m d"], step: Array, batch_size: int | None = None
) -> Float[Array, " m"]:
    """ε(x) = Σ_components |R(x)| at each point, with the parameters of ``step`` (scheduled and
    trainable ones as in training); evaluated ``batch_size`` points at a time (memory)."""
    params = objective.parameters(step)
    params.update(trainable_values(objective.equation, model))

    def one(x):
        res = objective.equation.residuals(model, x, params, objective.inputs)
        return sum(jnp.abs(r) for r in res.values())

    return jax.lax.map(one, points, batch_size=batch_size)


def _adapted_terms(collocation, objective) -> dict[str, Residual]:
    """The objective's interior residual terms, checked; a one-line error where there are none."""
    what = type(collocation).__name__
    if not isinstance(objective, PINNObjective):
        raise ValueError(
            f"collocation ({what}, --collocation): adaptive collocation redraws a PINN's interior "
            f"residual points; this objective is a {type(objective).__name__}, not a "
            "pinnrwf.pde.PINNObjective"
        )
    terms = {name: t for name, t in objective.terms.items() if isinstance(t, Residual)}
    if not terms:
        raise ValueError(
            f"collocation ({what}, --collocation): the objective has no interior residual term "
            f"(pinnrwf.pde.Residual) to adapt; its terms are {sorted(objective.terms)}"
        )
    for name, term in terms.items():
        if term.causal is not None:
            raise ValueError(
                f"collocation ({what}, --collocation): the residual term {name!r} is causal (its points "
                "are stratified in time chunks), which adaptive points are not; drop one of the two"
            )
        if collocation.pool < term.sampler.num_points:
            raise ValueError(
                f"pool (--collocation-pool) must be ≥ the {term.sampler.num_points} points of the "
                f"residual term {name!r}, got {collocation.pool}"
            )
    return terms


def _pool(term: Residual, key: PRNGKeyArray, size: int) -> Float[Array, "m d"]:
    """``size`` candidates from the term's own sampler (⌈size/n⌉ of its draws)."""
    n = term.sampler.num_points
    draws = jax.vmap(term.sampler.sample)(jax.random.split(key, math.ceil(size / n)))
    return draws.reshape(-1, draws.shape[-1])[:size]


def _redraw(collocation, objective, model, term, key, step, n):
    pool_key, choice_key = jax.random.split(key)
    pool = _pool(term, pool_key, collocation.pool)
    eps = residual_size(objective, model, pool, step, batch_size=term.sampler.num_points)
    return draw_by_density(choice_key, pool, residual_density(eps, collocation.k, collocation.c), n)


def _check_shape(collocation) -> None:
    check.positive_int("every (--resample-every)", collocation.every)
    check.positive_int("pool (--collocation-pool)", collocation.pool)
    check.positive_number("k (--collocation-k)", collocation.k, allow_zero=True)
    check.positive_number("c (--collocation-c)", collocation.c, allow_zero=True)


class RAD(AbstractCollocation):
    """Residual-based adaptive distribution (Wu et al. 2023, Alg. "RAD"): every ``every`` = N steps
    each residual term's n points are replaced by n points drawn from a pool of ``pool`` = M
    uniform candidates with p ∝ ε^k / E[ε^k] + c; the first set is the term's uniform draw.

    Defaults: k = 1, c = 1 (the paper's recommended RAD setting); N = 1000 and M = 100 000 are ours.
    """

    every: int = eqx.field(static=True, default=1000)
    pool: int = eqx.field(static=True, default=100_000)
    k: float = eqx.field(static=True, default=1.0)
    c: float = eqx.field(static=True, default=1.0)

    def __check_init__(self):
        _check_shape(self)

    def for_run(self, objective, steps):
        _adapted_terms(self, objective)
        return self

    def init(self, objective, key):
        terms = _adapted_terms(self, objective)
        keys = jax.random.split(key, len(terms))
        return {name: term.sampler.sample(k) for (name, term), k in zip(terms.items(), keys)}

    def update(self, objective, model, state, key, step):
        terms = _adapted_terms(self, objective)
        keys = jax.random.split(key, len(terms))
        return {
            name: _redraw(self, objective, model, term, k, step, term.sampler.num_points)
            for (name, term), k in zip(terms.items(), keys)
        }

    def batch(self, objective, state, batch):
        return {**batch, **state}


class RARD(AbstractCollocation):
    """Residual-based adaptive refinement with distribution (Wu et al. 2023, Alg. "RAR-D"): start
    from each residual term's uniform draw of n points; every ``every`` = N steps add ``added`` = m
    points drawn from a pool of ``pool`` = M uniform candidates with p ∝ ε^k / E[ε^k] + c. The
    points live in a buffer of ``capacity`` slots per term (None: exactly what the run's steps
    need, n + m·⌊(steps − 1)/N⌋), the unused ones masked; the residual loss is the mean over the
    points in use. Resuming with more steps needs the same capacity: give it explicitly.

    Defaults: k = 2, c = 0 (the paper's recommended RAR-D setting); N = 1000, m = 10 and
    M = 100 000 are ours.
    """

    every: int = eqx.field(static=True, default=1000)
    added: int = eqx.field(static=True, default=10)
    pool: int = eqx.field(static=True, default=100_000)
    k: float = eqx.field(static=True, default=2.0)
    c: float = eqx.field(static=True, default=0.0)
    capacity: int | None = eqx.field(static=True, default=None)

    def __check_init__(self):
        _check_shape(self)
        check.positive_int("added (--collocation-added)", self.added)
        if self.added > self.pool:
            raise ValueError(
                f"added (--collocation-added) must be ≤ pool (--collocation-pool) = {self.pool}, got {self.added}"
            )
        if self.capacity is not None:
            check.positive_int("capacity (--collocation-capacity)", self.capacity)

    def for_run(self, objective, steps):
        terms = _adapted_terms(self, objective)
        additions = (steps - 1) // self.every
        needed = {name: t.sampler.num_points + self.added * additions for name, t in terms.items()}
        if self.capacity is None:
            return RARD(self.every, self.added, self.pool, self.k, self.c, max(needed.values()))
        for name, need in needed.items():
            if need > self.capacity:
                raise ValueError(
                    f"capacity (--collocation-capacity) must hold the {terms[name].sampler.num_points} points of the "
                    f"residual term {name!r} and the {additions} additions of {self.added} over {steps} steps "
                    f"({need} points), got {self.capacity}"
                )
        return self

    def _capacity(self):
        if self.capacity is None:
            raise ValueError("RARD: the capacity is settled by for_run(objective, steps) before init")
        return self.capacity

    def init(self, objective, key):
        terms = _adapted_terms(self, objective)
        keys = jax.random.split(key, len(terms))
        out = {}
        for (name, term), k in zip(terms.items(), keys):
            first = term.sampler.sample(k)  # the unused slots hold copies of it: finite residuals
            out[name] = (
                jnp.resize(first, (self._capacity(), first.shape[1])),
                jnp.asarray(term.sampler.num_points, jnp.int32),
            )
        return out

    def update(self, objective, model, state, key, step):
        terms = _adapted_terms(self, objective)
        keys = jax.random.split(key, len(terms))
        out = {}
        for (name, term), k in zip(terms.items(), keys):
            points, count = state[name]
            new = _redraw(self, objective, model, term, k, step, self.added)
            out[name] = (jax.lax.dynamic_update_slice(points, new, (count, 0)), count + self.added)
        return out

    def batch(self, objective, state, batch):
        return {
            **batch,
            **{
                name: MaskedPoints(points, jnp.arange(points.shape[0]) < count)
                for name, (points, count) in state.items()
            },
        }
