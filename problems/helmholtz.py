"""Helmholtz u_xx + u_yy + k² u = f on (−1, 1)², exact u = sin(a₁πx) sin(a₂πy) (Wang, Teng & Perdikaris 2021, §4.1).

The benchmark of "Understanding and mitigating gradient flow pathologies in physics-informed neural
networks" (SIAM J. Sci. Comput. 43(5), 2021): a₁ = 1, a₂ = 4, k = 1, the forcing f computed from
the exact solution, f = (k² − (a₁² + a₂²)π²) u, and u = 0 on the boundary. Their plain PINN
("M1"): MLP 3 × 50 tanh, loss L_r + λ_b Σ_edges L_edge with 128 residual points and 128 points
per edge resampled every step, Adam 1e-3 × 0.9^(step/1000), 40 001 steps; error: relative L² of u
on a 100 × 100 grid. The paper's λ_b = 1 on the *sum* of the four edge losses is λ_b = 4 on the
mean over all 512 boundary points used here (``domain.boundary`` puts exactly 128 on each edge).
Their code also standardises the inputs by the mean/std of the domain; the domain is centred, so
this only rescales x, y by ≈ 1.73 and is left out.
"""

from __future__ import annotations

import dataclasses
import math

import jax.numpy as jnp
import numpy as np

from pinnrwf import pde
from pinnrwf.config import Config, field, finite, int_at_least, nonnegative, positive_int
from pinnrwf.problem import AbstractProblem, Preset, tanh_mlp
from pinnrwf.reports import FieldComparison
from pinnrwf.train import Adam, TrainConfig


@dataclasses.dataclass(frozen=True)
class HelmholtzConfig(Config):
    """The problem, the loss and the network (Wang, Teng & Perdikaris 2021, §4.1, "M1");
    ``n_boundary`` points split evenly over the four edges, an ``eval_n`` × ``eval_n`` test grid."""

    a1: float = field(1.0, finite, help="frequency a₁ of the exact solution in x (default: 1)")
    a2: float = field(4.0, finite, help="frequency a₂ of the exact solution in y (default: 4)")
    k: float = field(1.0, finite, help="wave number k (default: 1)")
    width: int = field(50, positive_int)
    depth: int = field(3, positive_int)
    n_residual: int = field(128, positive_int)
    n_boundary: int = field(512, int_at_least(4))
    weight_boundary: float = field(4.0, nonnegative)  # λ_b = 1 on the sum of the four edge means
    weight_residual: float = field(1.0, nonnegative)
    eval_n: int = field(100, int_at_least(2))


def exact(config: HelmholtzConfig, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """u(x, y) = sin(a₁πx) sin(a₂πy)."""
    return np.sin(config.a1 * math.pi * x) * np.sin(config.a2 * math.pi * y)


def evaluation_grid(config: HelmholtzConfig):
    """Points (n², 2) of the eval_n × eval_n grid of [−1, 1]² (x varies slowest), the exact u there,
    and the grid shape."""
    axis = np.linspace(-1.0, 1.0, config.eval_n)
    xx, yy = np.meshgrid(axis, axis, indexing="ij")
    return np.stack([xx.ravel(), yy.ravel()], axis=1), exact(config, xx, yy).ravel(), xx.shape


def helmholtz_equation(config: HelmholtzConfig) -> pde.Equation:
    """R = u_xx + u_yy + k² u − f with f = (k² − (a₁² + a₂²)π²) sin(a₁πx) sin(a₂πy)."""
    a1, a2 = config.a1, config.a2
    scale = config.k**2 - (a1**2 + a2**2) * math.pi**2

    def residual(p):
        forcing = scale * jnp.sin(a1 * math.pi * p.x) * jnp.sin(a2 * math.pi * p.y)
        # u_xx + u_yy written as the Laplacian: one forward-Laplacian pass (see README, "Laplacians").
        return p.laplacian("u") + p.k**2 * p.u - forcing

    return pde.Equation(coords=("x", "y"), fields=("u",), params={"k": config.k}, residual=residual)


def make_objective(config: HelmholtzConfig) -> pde.PINNObjective:
    domain = pde.Domain({"x": (-1.0, 1.0), "y": (-1.0, 1.0)})
    points, values, _ = evaluation_grid(config)
    return pde.PINNObjective(
        helmholtz_equation(config),
        {
            "r": pde.Residual(domain.interior(config.n_residual), weight=config.weight_residual),
            "bc": pde.Dirichlet(lambda pt: 0.0, domain.boundary(config.n_boundary), weight=config.weight_boundary),
        },
        reference=pde.Reference(points, values, "u"),
    )


class Helmholtz(AbstractProblem[HelmholtzConfig]):
    """Wang, Teng & Perdikaris 2021 §4.1 (the plain PINN "M1"; their ``Helmholtz2D.py``)."""

    name = "helmholtz"
    description = "Helmholtz u_xx + u_yy + k²u = f on (−1, 1)², exact sin(πx)·sin(4πy), relative L2 error"
    presets = {
        "smoke": Preset(
            HelmholtzConfig(width=16, depth=2, n_residual=64, n_boundary=64, eval_n=32),
            TrainConfig(steps=20, chunk_steps=10),
            Adam(decay_steps=1000),
        ),
        # CPU minutes: the paper's network and batches, an eighth of its steps.
        "quick": Preset(HelmholtzConfig(), TrainConfig(steps=5000, seeds=2, chunk_steps=500), Adam(decay_steps=1000)),
        "paper": Preset(
            HelmholtzConfig(), TrainConfig(steps=40_000, seeds=10, chunk_steps=1000), Adam(decay_steps=1000)
        ),
    }
    metrics = ("rel_l2",)
    percent_metrics = frozenset(metrics)
    # rwf: the RWF paper's default s ~ N(1, 0.1) (Helmholtz is not among its benchmarks)

    reports = (FieldComparison(evaluation_grid, (-1.0, 1.0, -1.0, 1.0), ("x", "y", "u"), "helmholtz.png"),)
    init_model = tanh_mlp(2, 1)

    def objective(self, config, train):
        return make_objective(config)
