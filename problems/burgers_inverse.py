"""Inverse problem: identify the viscosity ν of viscous Burgers from sparse noisy observations.

- PDE: u_t + u u_x − ν u_xx = 0 on (x, t) ∈ [0, 1) × [0, 1], periodic in x (the package's
  setting, eq. L.7), with u(x, 0) = A sin 2πx, A = 0.5 and the true viscosity ν* = 0.01: a front
  steepens (max|u_x| ≈ 9) and is smoothed by the viscosity, so the viscous term is a sizeable
  part of the balance (rms ν*|u_xx| ≈ 0.34) and ν is identifiable.
- Data: the package's own solver (:func:`pinnrwf.solvers.burgers.solve`, Fourier pseudo-spectral
  + ETDRK4 on 256 internal points with dt = 10⁻³: 2·10⁻¹¹ from 1024 points / dt = 10⁻⁴) on the
  grid x_j = j/256, t_k = k/100. ``n_observations`` = 1500 distinct grid nodes drawn at random
  (``data_seed``) are observed with Gaussian noise of standard deviation ``noise`` · std(u_obs)
  (noise 0, 0.01, 0.05: 0 %, 1 %, 5 %; the convention of Raissi et al. 2019, §4.1.1). No initial
  or boundary data are given: the observations and the PDE are all the network sees.
- PINN: u_θ = MLP 3 × 32 tanh on [cos 2πx, sin 2πx, t] (exact periodicity, eq. L.9), and
  ν = exp(θ_ν) trained jointly (:class:`pinnrwf.pde.Trainable` with ``positive=True``) from
  ν₀ = 0.05 (5 ν*). Loss λ_d L_data + λ_r L_r (λ = 1, 1), L_data the mean squared misfit at the
  observations (all of them every step), L_r the mean squared residual at ``n_residual`` = 512
  points resampled every step. Adam 3·10⁻³ × 0.9 every 1000 steps, 6000 steps (quick): with
  1·10⁻³ × 0.9 / 2000 ν had not settled by step 6000 (mean over 3 seeds 0.0117 at step 5000,
  ν* = 0.01); with 3·10⁻³ it settles by step ~4000.
- Metrics: ``nu`` (identified value per seed), ``nu_rel_error`` = |ν − ν*| / ν* and ``rel_l2``,
  the relative L² error of u over the whole 256 × 101 grid. The spread of ``nu`` over the seeds
  (``summary.nu.std`` in results.json) is an ensemble estimate of its uncertainty (network
  initialization and collocation points; the noise draw is fixed by ``data_seed``).
- Figures: the ν trajectory of every seed and parameterization against ν*, and the field error.
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np

from pinnrwf import _validation as check
from pinnrwf import pde
from pinnrwf.config import Config, field, int_at_least, nonnegative, positive, positive_int, seed
from pinnrwf.nn import MLP, PeriodicEmbedding
from pinnrwf.problem import AbstractProblem, Preset
from pinnrwf.reports import FieldComparison, ParameterTrajectory
from pinnrwf.train import Adam, TrainConfig


@dataclasses.dataclass(frozen=True)
class BurgersInverseConfig(Config):
    """The truth, the observations, the loss and the network (see the module docstring)."""

    nu_true: float = field(0.01, positive)
    amplitude: float = field(0.5, positive)  # u(x, 0) = amplitude · sin 2πx
    nu_initial: float = field(0.05, positive, help="initial guess of ν (default: 0.05)")
    noise: float = field(0.0, nonnegative, help="observation noise, relative to std(u) (0.01 = 1 %%; default: 0)")
    n_observations: int = field(1500, positive_int, help="number of observed space-time grid nodes (default: 1500)")
    data_seed: int = field(0, seed, help="seed of the observation points and noise (default: 0)")
    width: int = field(32, positive_int)
    depth: int = field(3, positive_int)
    n_residual: int = field(512, positive_int)
    weight_data: float = field(1.0, nonnegative)
    weight_residual: float = field(1.0, nonnegative)
    eval_nx: int = field(256, int_at_least(4))
    eval_nt: int = field(101, int_at_least(2))
    solver_n_internal: int = field(256, positive_int)
    solver_dt: float = field(1e-3, positive)

    def __check_init__(self):
        check.positive_int("solver_n_internal", self.solver_n_internal, minimum=self.eval_nx)
        if self.n_observations > self.eval_nx * self.eval_nt:
            raise ValueError(
                f"n_observations must be ≤ the {self.eval_nx * self.eval_nt} grid nodes "
                f"(eval_nx × eval_nt), got {self.n_observations}"
            )


def reference(config: BurgersInverseConfig):
    """Points (n_x·n_t, 2) in (x, t) order, the solver's u there, and the grid shape (n_x, n_t)."""
    from pinnrwf.solvers import burgers as solver

    x, t = np.arange(config.eval_nx) / config.eval_nx, np.linspace(0.0, 1.0, config.eval_nt)
    u = solver.solve(
        config.amplitude * np.sin(2 * np.pi * x),
        nu=config.nu_true,
        t_eval=t,
        dt=config.solver_dt,
        n_internal=config.solver_n_internal,
    ).T  # (n_x, n_t)
    points, shape = pde.grid_points(x, t)
    return points, u.ravel(), shape


def equation(nu_initial: float) -> pde.Equation:
    """Burgers (eq. L.7) with a trainable viscosity ν = exp(θ), starting at ``nu_initial``."""
    return pde.Equation(
        coords=("x", "t"),
        fields=("u",),
        params={"nu": pde.Trainable(nu_initial, positive=True)},
        residual=lambda p: p.u_t + p.u * p.u_x - p.nu * p.u_xx,
    )


def make_objective(config: BurgersInverseConfig) -> pde.PINNObjective:
    points, values, _ = reference(config)
    rng = np.random.default_rng(config.data_seed)
    rows = np.sort(rng.choice(points.shape[0], size=config.n_observations, replace=False))
    obs_points, obs_values = points[rows], pde.add_noise(values[rows], config.noise, rng)
    domain = pde.Domain({"x": (0.0, 1.0), "t": (0.0, 1.0)})
    return pde.PINNObjective(
        equation(config.nu_initial),
        {
            "r": pde.Residual(domain.interior(config.n_residual), weight=config.weight_residual),
            "data": pde.DataFit(obs_points, obs_values, "u", weight=config.weight_data),
        },
        reference=pde.Reference(points, values, "u", parameters={"nu": config.nu_true}),
    )


class BurgersInverse(AbstractProblem[BurgersInverseConfig]):
    """Identify ν of viscous Burgers from sparse noisy solver data."""

    name = "burgers-inverse"
    description = "Burgers inverse problem: identify ν (true 0.01) from sparse noisy observations"
    presets = {
        "smoke": Preset(
            BurgersInverseConfig(
                width=16, depth=2, n_residual=64, n_observations=200, eval_nx=64, solver_n_internal=256, eval_nt=26
            ),
            TrainConfig(steps=20, seeds=2, chunk_steps=10),
        ),
        # CPU minutes: 3 seeds x 6000 steps; ν travels from 0.05 to 0.01 in ~4000 steps.
        "quick": Preset(
            BurgersInverseConfig(), TrainConfig(steps=6000, seeds=3, chunk_steps=250), Adam(3e-3, decay_steps=1000)
        ),
        # no paper setting exists for this problem: a larger network, a longer run, 10 seeds
        "paper": Preset(
            BurgersInverseConfig(width=64, depth=4, n_residual=1024),
            TrainConfig(steps=30_000, seeds=10, chunk_steps=1000),
            Adam(1e-3, decay_steps=2000),
        ),
    }
    metrics = ("nu", "nu_rel_error", "rel_l2")
    percent_metrics = frozenset({"nu_rel_error", "rel_l2"})
    default_parameterizations = "plain,rwf"
    reports = (
        ParameterTrajectory(
            "nu", "ν", "nu_initial", "nu_true", "burgers_inverse_nu.png", record=("noise", "n_observations")
        ),
        FieldComparison(reference, (0.0, 1.0, 0.0, 1.0), ("x", "t", "u"), "burgers_inverse_field.png"),
    )

    def objective(self, config, train):
        return make_objective(config)

    def init_model(self, config, parameterization):
        embedding = PeriodicEmbedding(2, axes=(0,), periods=(1.0,))
        eq = equation(config.nu_initial)
        return lambda key: pde.InverseModel(
            MLP(2, 1, config.width, config.depth, parameterization, activation=jnp.tanh, embedding=embedding, key=key),
            eq,
        )
