"""Advection u_t + c u_x = 0 with c = 50, g = sin, periodic in x (rwf_paper §4.5, App. K.1, Table 12).

PINN: MLP 5 × 256 tanh on γ(x, t) = [cos x, sin x, t] (exact periodicity, eq. K.3); loss
λ_ic L_ic + λ_r L_r with λ_ic = 100, λ_r = 1, N_ic = 128 and N_r = 1024 points resampled every
step (eq. K.4–K.6); Adam 1e-3 × 0.9 every 5000 steps for 2·10⁵ steps. Strategies: ``regular``,
``curriculum`` (c ramps 10 → 50) and ``causal`` (M = 16 chunks, ε = 0.1, eq. K.7–K.8).
The error is the relative L² error against the exact solution sin(x − ct).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from pathlib import Path

import jax.numpy as jnp
import numpy as np

from pinnrwf import pde
from pinnrwf.experiment import command_string, run_comparison
from pinnrwf.nn import MLP, RWF, AbstractParameterization, PeriodicEmbedding, parse_parameterizations
from pinnrwf.plotting import field_comparison, predict_on_grid
from pinnrwf.problems.equations import advection
from pinnrwf.solvers import advection as advection_solver
from pinnrwf.train import TrainConfig

STRATEGIES = ("regular", "curriculum", "causal")
DEFAULT_PARAM = "plain,aa,wn,rwf"


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
    curriculum_steps: int = 100_000  # c ramps linearly from curriculum_start to c (the CLI: half the run)
    eval_nx: int = 256
    eval_nt: int = 101

    def __post_init__(self):
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, got {self.strategy!r}")
        if self.curriculum_steps < 1:
            raise ValueError(f"curriculum_steps must be ≥ 1, got {self.curriculum_steps}")


PRESETS: dict[str, tuple[AdvectionConfig, TrainConfig]] = {
    # CPU minutes: a smaller network and a short run; the comparison is indicative only.
    "quick": (AdvectionConfig(width=128, depth=4, n_residual=512),
              TrainConfig(steps=3000, seeds=1, chunk_steps=250, decay_steps=5000)),
    "paper": (AdvectionConfig(), TrainConfig(steps=200_000, seeds=10, chunk_steps=1000, decay_steps=5000)),
}


def evaluation_grid(config: AdvectionConfig):
    """Points (n_x·n_t, 2) in (x, t) order, the exact solution sin(x − ct) there (from
    ``pinnrwf.solvers.advection``), and the grid shape (n_x, n_t)."""
    x = advection_solver.grid(config.eval_nx)
    t = np.linspace(0.0, 1.0, config.eval_nt)
    u = advection_solver.solve(np.sin, c=config.c, x=x, t=t).T  # (n_x, n_t)
    xx, tt = np.meshgrid(x, t, indexing="ij")
    return np.stack([xx.ravel(), tt.ravel()], axis=1), u.ravel(), (x.size, t.size)


def make_objective(config: AdvectionConfig) -> pde.PINNObjective:
    domain = pde.Domain({"x": (0.0, 2 * math.pi), "t": (0.0, 1.0)})
    causal = (pde.Causal(chunks=config.causal_chunks, epsilon=config.causal_epsilon)
              if config.strategy == "causal" else None)
    terms = {
        "ic": pde.InitialCondition(lambda pt: jnp.sin(pt.x), domain.initial(config.n_initial), weight=config.weight_ic),
        "r": pde.Residual(domain.interior(config.n_residual), weight=config.weight_residual, causal=causal),
    }
    schedules = {}
    if config.strategy == "curriculum":
        schedules["c"] = pde.linear_ramp(config.curriculum_start, config.c, steps=config.curriculum_steps)
    points, values, _ = evaluation_grid(config)
    return pde.PINNObjective(advection(config.c), terms, schedules=schedules,
                             reference=pde.Reference(points, values, "u"))


def init_model(config: AdvectionConfig, parameterization: AbstractParameterization):
    embedding = PeriodicEmbedding(2, axes=(0,), periods=(2 * math.pi,))

    def init(key):
        return MLP(2, 1, config.width, config.depth, parameterization, activation=jnp.tanh,
                   embedding=embedding, key=key)

    return init


def builder(config: AdvectionConfig):
    objective = make_objective(config)

    def build(parameterization):
        return init_model(config, parameterization), objective

    return build


def speed_objective(*, c: float, n_residual: int, n_initial: int) -> pde.PINNObjective:
    """The engine benchmark's step expressed through the DSL (same points, same network)."""
    return make_objective(AdvectionConfig(c=c, n_residual=n_residual, n_initial=n_initial, eval_nx=8, eval_nt=8))


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--strategy", choices=STRATEGIES, default="regular",
                   help="regular, curriculum (c: 10 → 50) or causal (M=16, ε=0.1) (default: %(default)s)")


def run(args: argparse.Namespace) -> int:
    from pinnrwf.cli import train_config_from_args

    problem, preset = PRESETS[args.preset]
    train = train_config_from_args(args, preset)
    # the curriculum ramps c over the first half of the run, whatever its length
    problem = dataclasses.replace(problem, strategy=args.strategy, curriculum_steps=max(1, train.steps // 2))
    out = Path(args.out or f"runs/advection-{args.strategy}")
    params = parse_parameterizations(args.param, rwf=RWF(mean=1.0, std=0.1))
    results = run_comparison(
        problem="advection", title=f"Advection c={problem.c:g} ({args.strategy}), relative L2 error",
        build=builder(problem), parameterizations=params, train=train, out_dir=out,
        command=command_string("advection", args, ("param", "strategy", "preset", "seeds", "seed", "steps")),
        problem_config=problem, metrics=["rel_l2"], percent={"rel_l2"},
    )
    points, values, shape = evaluation_grid(problem)
    fig = field_comparison(
        {name: predict_on_grid(r.model(0), points, shape) for name, r in results.items()},
        values.reshape(shape),
        {name: (r.history["metric_step"], np.asarray(r.history["metrics"]["rel_l2"])) for name, r in results.items()},
        extent=(0.0, 2 * math.pi, 0.0, 1.0), axis_labels=("x", "t"), field_label="u",
        path=out / "advection.png",
    )
    print(f"figure: {fig}")
    return 0
