"""Advection u_t + c u_x = 0 with c = 50, g = sin, periodic in x (rwf_paper §4.5, App. K.1, Table 12).

PINN: MLP 5 × 256 tanh on γ(x, t) = [cos x, sin x, t] (exact periodicity, eq. K.3); loss
λ_ic L_ic + λ_r L_r with λ_ic = 100, λ_r = 1, N_ic = 128 and N_r = 1024 points resampled every
step (eq. K.4–K.6); Adam 1e-3 × 0.9 every 5000 steps for 2·10⁵ steps. Strategies: ``regular``,
``curriculum`` (c ramps 10 → 50) and ``causal`` (M = 16 chunks, ε = 0.1, eq. K.7–K.8).
The error is the relative L² error against the exact solution sin(x − ct).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import jax.numpy as jnp
import numpy as np

from pinnrwf import _validation as check
from pinnrwf import pde
from pinnrwf.nn import MLP, RWF, PeriodicEmbedding
from pinnrwf.plotting import runs_field_comparison
from pinnrwf.problem import AbstractProblem, Option, Preset
from pinnrwf.problems.equations import advection
from pinnrwf.solvers import advection as advection_solver
from pinnrwf.train import Adam, TrainConfig

STRATEGIES = ("regular", "curriculum", "causal")


@dataclasses.dataclass(frozen=True)
class AdvectionConfig:
    """The problem, the loss and the network (App. K.1)."""

    c: float = 50.0
    strategy: str = "regular"
    width: int = 256
    depth: int = 5
    n_residual: int = 1024
    n_initial: int = 128
    weight_ic: float = 100.0
    weight_residual: float = 1.0
    causal_chunks: int = 16
    causal_epsilon: float = 0.1
    curriculum_start: float = 10.0
    curriculum_fraction: float = 0.5  # c ramps linearly from curriculum_start to c over this part of the run
    eval_nx: int = 256
    eval_nt: int = 101

    def __post_init__(self):
        check.finite_number("c", self.c)
        check.one_of("strategy", self.strategy, STRATEGIES)
        for name in ("width", "depth", "n_residual", "n_initial", "causal_chunks", "eval_nx", "eval_nt"):
            check.positive_int(name, getattr(self, name))
        for name in ("weight_ic", "weight_residual", "causal_epsilon"):
            check.positive_number(name, getattr(self, name), allow_zero=True)
        check.finite_number("curriculum_start", self.curriculum_start)
        check.number_in("curriculum_fraction", self.curriculum_fraction, 0.0, 1.0)

    def curriculum_steps(self, total_steps: int) -> int:
        """Steps over which c ramps up: ``curriculum_fraction`` of the run (at least 1)."""
        return max(1, int(total_steps * self.curriculum_fraction))


def evaluation_grid(config: AdvectionConfig):
    """Points (n_x·n_t, 2) in (x, t) order, the exact solution sin(x − ct) there (from
    ``pinnrwf.solvers.advection``), and the grid shape (n_x, n_t)."""
    x = advection_solver.grid(config.eval_nx)
    t = np.linspace(0.0, 1.0, config.eval_nt)
    u = advection_solver.solve(np.sin, c=config.c, x=x, t=t).T  # (n_x, n_t)
    xx, tt = np.meshgrid(x, t, indexing="ij")
    return np.stack([xx.ravel(), tt.ravel()], axis=1), u.ravel(), (x.size, t.size)


def make_objective(config: AdvectionConfig, total_steps: int = 1) -> pde.PINNObjective:
    """The loss of eq. K.4–K.8; ``total_steps`` (the run's length) sets the curriculum's ramp."""
    domain = pde.Domain({"x": (0.0, 2 * math.pi), "t": (0.0, 1.0)})
    causal = (pde.Causal(chunks=config.causal_chunks, epsilon=config.causal_epsilon)
              if config.strategy == "causal" else None)
    terms = {
        "ic": pde.InitialCondition(lambda pt: jnp.sin(pt.x), domain.initial(config.n_initial), weight=config.weight_ic),
        "r": pde.Residual(domain.interior(config.n_residual), weight=config.weight_residual, causal=causal),
    }
    schedules = {}
    if config.strategy == "curriculum":
        schedules["c"] = pde.linear_ramp(config.curriculum_start, config.c,
                                         steps=config.curriculum_steps(total_steps))
    points, values, _ = evaluation_grid(config)
    return pde.PINNObjective(advection(config.c), terms, schedules=schedules,
                             reference=pde.Reference(points, values, "u"))


def speed_objective(*, c: float, n_residual: int, n_initial: int) -> pde.PINNObjective:
    """The engine benchmark's step expressed through the DSL (same points, same network)."""
    return make_objective(AdvectionConfig(c=c, n_residual=n_residual, n_initial=n_initial, eval_nx=8, eval_nt=8))


class Advection(AbstractProblem[AdvectionConfig]):
    """rwf_paper §4.5, App. K.1, Table 12 (``pinnrwf bench table12`` runs every strategy)."""

    name = "advection"
    description = "Advection u_t + c u_x = 0 (c = 50), relative L2 error"
    presets = {
        "smoke": Preset(AdvectionConfig(width=32, depth=2, n_residual=64, n_initial=16, eval_nx=32, eval_nt=11),
                        TrainConfig(steps=20, chunk_steps=10)),
        # CPU minutes: a smaller network and a short run; the comparison is indicative only.
        "quick": Preset(AdvectionConfig(width=128, depth=4, n_residual=512), TrainConfig(steps=3000, chunk_steps=250),
                        Adam(decay_steps=5000)),
        "paper": Preset(AdvectionConfig(), TrainConfig(steps=200_000, seeds=10, chunk_steps=1000),
                        Adam(decay_steps=5000)),
    }
    metrics = ("rel_l2",)
    percent_metrics = frozenset({"rel_l2"})
    rwf = RWF(mean=1.0, std=0.1)  # rwf_paper Table 5
    options = (Option("strategy", "regular, curriculum (c: 10 → 50 over the first half) or causal (M=16, ε=0.1) "
                      "(default: regular)", choices=STRATEGIES),)

    def objective(self, config, train):
        return make_objective(config, train.steps)

    def init_model(self, config, parameterization):
        embedding = PeriodicEmbedding(2, axes=(0,), periods=(2 * math.pi,))
        return lambda key: MLP(2, 1, config.width, config.depth, parameterization, activation=jnp.tanh,
                               embedding=embedding, key=key)

    def report(self, config, results, out_dir):
        points, values, shape = evaluation_grid(config)
        figure = runs_field_comparison(
            results, points, values, shape, extent=(0.0, 2 * math.pi, 0.0, 1.0), axis_labels=("x", "t"), field_label="u",
            path=Path(out_dir) / "advection.png",
        )
        return {"figures": [str(figure)]}
