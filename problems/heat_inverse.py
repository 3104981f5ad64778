"""Inverse problem, the cheap one: identify the diffusivity κ of the heat equation from data.

- PDE: u_t = κ u_xx on (x, t) ∈ (0, 1) × (0, 1], exact solution u = e^{−κπ²t} sin πx with the
  true κ* = 0.1 (u decays to 37 % by t = 1).
- Data: ``n_observations`` = 500 points drawn uniformly in the box (``data_seed``), u exact there
  plus Gaussian noise of standard deviation ``noise`` · std(u_obs) (the convention of
  ``burgers-inverse``). No initial or boundary data.
- PINN: MLP 3 × 32 tanh on (x, t) and κ = exp(θ_κ) trained jointly from κ₀ = 0.5 (5 κ*;
  :class:`pinnrwf.pde.Trainable` with ``positive=True``); loss λ_d L_data + λ_r L_r (λ = 1, 1),
  ``n_residual`` = 256 residual points resampled every step. ``--hard-bc`` wraps the network in
  :class:`pinnrwf.nn.OutputTransform` as u = x(1 − x)·N(x, t), so u(0, t) = u(1, t) = 0 hold
  exactly.
- Metrics: ``kappa`` (per seed), ``kappa_rel_error`` = |κ − κ*| / κ*, ``rel_l2`` of u on a
  64 × 33 grid. Figures: the κ trajectory of every seed against κ*, and the field error.
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np

from pinnrwf import pde
from pinnrwf.config import Config, boolean, field, int_at_least, nonnegative, positive, positive_int, seed
from pinnrwf.nn import MLP, OutputTransform
from pinnrwf.problem import AbstractProblem, Preset
from pinnrwf.reports import FieldComparison, ParameterTrajectory
from pinnrwf.train import Adam, TrainConfig


@dataclasses.dataclass(frozen=True)
class HeatInverseConfig(Config):
    """The truth, the observations, the loss and the network (see the module docstring)."""

    kappa_true: float = field(0.1, positive)
    kappa_initial: float = field(0.5, positive, help="initial guess of κ (default: 0.5)")
    noise: float = field(0.0, nonnegative, help="observation noise, relative to std(u) (0.01 = 1 %%; default: 0)")
    n_observations: int = field(500, positive_int, help="number of observed space-time points (default: 500)")
    data_seed: int = field(0, seed, help="seed of the observation points and noise (default: 0)")
    width: int = field(32, positive_int)
    depth: int = field(3, positive_int)
    n_residual: int = field(256, positive_int)
    weight_data: float = field(1.0, nonnegative)
    weight_residual: float = field(1.0, nonnegative)
    hard_bc: bool = field(False, boolean, help="impose u(0, t) = u(1, t) = 0 exactly: u = x(1 − x)·N(x, t)")
    eval_nx: int = field(64, int_at_least(2))
    eval_nt: int = field(33, int_at_least(2))


def exact(points: np.ndarray, kappa: float) -> np.ndarray:
    """u = e^{−κπ²t} sin πx at points (n, 2) in (x, t) order."""
    return np.exp(-kappa * np.pi**2 * points[:, 1]) * np.sin(np.pi * points[:, 0])


def grid(config: HeatInverseConfig):
    """Evaluation points (n_x·n_t, 2), the exact u there, and the grid shape (n_x, n_t)."""
    points, shape = pde.grid_points(np.linspace(0.0, 1.0, config.eval_nx), np.linspace(0.0, 1.0, config.eval_nt))
    return points, exact(points, config.kappa_true), shape


def equation(kappa_initial: float) -> pde.Equation:
    return pde.Equation(
        coords=("x", "t"),
        fields=("u",),
        params={"kappa": pde.Trainable(kappa_initial, positive=True)},
        residual=lambda p: p.u_t - p.kappa * p.u_xx,
    )


def make_objective(config: HeatInverseConfig) -> pde.PINNObjective:
    rng = np.random.default_rng(config.data_seed)
    obs_points = rng.uniform(size=(config.n_observations, 2))
    obs_values = pde.add_noise(exact(obs_points, config.kappa_true), config.noise, rng)
    points, values, _ = grid(config)
    domain = pde.Domain({"x": (0.0, 1.0), "t": (0.0, 1.0)})
    return pde.PINNObjective(
        equation(config.kappa_initial),
        {
            "r": pde.Residual(domain.interior(config.n_residual), weight=config.weight_residual),
            "data": pde.DataFit(obs_points, obs_values, "u", weight=config.weight_data),
        },
        reference=pde.Reference(points, values, "u", parameters={"kappa": config.kappa_true}),
    )


def zero_at_the_ends(z, u):
    """u = x(1 − x)·N(x, t): the Dirichlet conditions u(0, t) = u(1, t) = 0 hold exactly."""
    return z[0] * (1 - z[0]) * u


class HeatInverse(AbstractProblem[HeatInverseConfig]):
    """Identify κ of the heat equation from noisy observations (the cheap case)."""

    name = "heat-inverse"
    description = "Heat inverse problem: identify κ (true 0.1) from sparse noisy observations"
    presets = {
        "smoke": Preset(
            HeatInverseConfig(width=16, depth=2, n_residual=64, n_observations=100, eval_nx=16, eval_nt=9),
            TrainConfig(steps=20, seeds=2, chunk_steps=10),
        ),
        "quick": Preset(
            HeatInverseConfig(), TrainConfig(steps=4000, seeds=3, chunk_steps=250), Adam(3e-3, decay_steps=1000)
        ),
        # no paper setting exists for this problem: a longer run, 10 seeds
        "paper": Preset(
            HeatInverseConfig(width=64, depth=4, n_residual=1024),
            TrainConfig(steps=20_000, seeds=10, chunk_steps=1000),
            Adam(decay_steps=2000),
        ),
    }
    metrics = ("kappa", "kappa_rel_error", "rel_l2")
    percent_metrics = frozenset({"kappa_rel_error", "rel_l2"})
    default_parameterizations = "plain,rwf"
    reports = (
        ParameterTrajectory(
            "kappa", "κ", "kappa_initial", "kappa_true", "heat_inverse_kappa.png", record=("noise", "n_observations")
        ),
        FieldComparison(grid, (0.0, 1.0, 0.0, 1.0), ("x", "t", "u"), "heat_inverse_field.png"),
    )

    def objective(self, config, train):
        return make_objective(config)

    def init_model(self, config, parameterization):
        eq = equation(config.kappa_initial)

        def init(key):
            net = MLP(2, 1, config.width, config.depth, parameterization, activation=jnp.tanh, key=key)
            return pde.InverseModel(OutputTransform(net, zero_at_the_ends) if config.hard_bc else net, eq)

        return init
