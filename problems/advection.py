"""Advection u_t + c u_x = 0 with c = 50, g = sin, periodic in x (rwf_paper §4.5, App. K.1, Tables 5, 12).

PINN: MLP 5 × 256 tanh on γ(x, t) = [cos x, sin x, t] (exact periodicity, eq. K.3); loss λ_ic L_ic + λ_r L_r with
λ_ic = 100, λ_r = 1, N_ic = 128 and N_r = 1024 points resampled every step (eq. K.4–K.6); Adam 1e-3 × 0.9 every
5000 steps for 2·10⁵ steps. Strategies: ``regular``, ``curriculum`` (c ramps 10 → 50 over the first
``curriculum_fraction`` of the run) and ``causal`` (M = 16 chunks, ε = 0.1, eq. K.7–K.8). The error is the
relative L² error against sin(x − ct). RWF: s ~ N(1, 0.1) (Table 5, the default).
"""

import dataclasses
import math

import jax.numpy as jnp
import numpy as np

from pinnrwf import pde
from pinnrwf.config import Config, between, field, finite, nonnegative, one_of, positive_int
from pinnrwf.datasets import generate
from pinnrwf.nn import PeriodicEmbedding
from pinnrwf.problem import AbstractProblem, Preset, tanh_mlp
from pinnrwf.reports import FieldComparison
from pinnrwf.solvers import advection as solver
from pinnrwf.train import Adam, TrainConfig


@dataclasses.dataclass(frozen=True)
class AdvectionConfig(Config):
    c: float = field(50.0, finite)
    strategy: str = field(
        "regular",
        one_of("regular", "curriculum", "causal"),
        help="regular, curriculum (c: 10 → 50 over the first half) or causal (M=16, ε=0.1) (default: regular)",
    )
    width: int = field(256, positive_int)
    depth: int = field(5, positive_int)
    n_residual: int = field(1024, positive_int)
    n_initial: int = field(128, positive_int)
    weight_ic: float = field(100.0, nonnegative)
    weight_residual: float = field(1.0, nonnegative)
    causal_chunks: int = field(16, positive_int)
    causal_epsilon: float = field(0.1, nonnegative)
    curriculum_start: float = field(10.0, finite)
    curriculum_fraction: float = field(0.5, between(0.0, 1.0))
    eval_nx: int = field(256, positive_int)
    eval_nt: int = field(101, positive_int)


def evaluation_grid(config: AdvectionConfig):
    """Points (n_x·n_t, 2) in (x, t) order, the exact sin(x − ct) there (from the solver), grid shape."""
    x, t = solver.grid(config.eval_nx), np.linspace(0.0, 1.0, config.eval_nt)
    points, shape = pde.grid_points(x, t)
    return points, solver.solve(np.sin, c=config.c, x=x, t=t).T.ravel(), shape


class Advection(AbstractProblem[AdvectionConfig]):
    """rwf_paper §4.5, App. K.1, Table 12 (``pinnrwf bench table12`` runs every strategy)."""

    name = "advection"
    description = "Advection u_t + c u_x = 0 (c = 50), relative L2 error"
    presets = {
        "smoke": Preset(
            AdvectionConfig(width=32, depth=2, n_residual=64, n_initial=16, eval_nx=32, eval_nt=11),
            TrainConfig(steps=20, chunk_steps=10),
        ),
        "quick": Preset(
            AdvectionConfig(width=128, depth=4, n_residual=512),  # CPU minutes: indicative only
            TrainConfig(steps=3000, chunk_steps=250),
            Adam(decay_steps=5000),
        ),
        "paper": Preset(
            AdvectionConfig(), TrainConfig(steps=200_000, seeds=10, chunk_steps=1000), Adam(decay_steps=5000)
        ),
    }
    metrics = ("rel_l2",)
    percent_metrics = frozenset({"rel_l2"})
    dataset = generate.AdvectionConfig
    reports = (FieldComparison(evaluation_grid, (0.0, 2 * math.pi, 0.0, 1.0), ("x", "t", "u"), "advection.png"),)
    init_model = tanh_mlp(2, 1, embedding=PeriodicEmbedding(2, axes=(0,), periods=(2 * math.pi,)))

    def objective(self, config, train):
        """The loss of eq. K.4–K.8; the run's length ``train.steps`` sets the curriculum's ramp."""
        domain = pde.Domain({"x": (0.0, 2 * math.pi), "t": (0.0, 1.0)})
        causal = pde.Causal(config.causal_chunks, config.causal_epsilon) if config.strategy == "causal" else None
        ramp = pde.linear_ramp(
            config.curriculum_start, config.c, steps=max(1, int(train.steps * config.curriculum_fraction))
        )
        points, values, _ = evaluation_grid(config)
        return pde.PINNObjective(
            pde.equations.advection(config.c),
            {
                "ic": pde.InitialCondition(
                    lambda pt: jnp.sin(pt.x), domain.initial(config.n_initial), weight=config.weight_ic
                ),
                "r": pde.Residual(domain.interior(config.n_residual), weight=config.weight_residual, causal=causal),
            },
            schedules={"c": ramp} if config.strategy == "curriculum" else {},
            reference=pde.Reference(points, values, "u"),
        )
