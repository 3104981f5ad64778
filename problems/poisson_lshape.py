"""Laplace's equation on the L-shaped domain (−1, 1)² \\ [0, 1) × (−1, 0] with a corner singularity.

Δu = 0 with the exact solution u = r^{2/3} sin(2θ/3) (polar coordinates about the re-entrant
corner, θ ∈ [0, 3π/2] from the positive x axis) as Dirichlet data on the whole boundary: u is zero
on the two edges meeting at the corner, and its gradient is unbounded there (∼ r^{−1/3}), so
uniform collocation spends most points where the solution is smooth. The interior points are
drawn by ``--sampling`` (uniform ``random``, or quasi-random ``sobol``, ``halton``, ``lhs``), at
equal numbers of points and steps. The error: relative L² of u on the nodes of a grid of
(−1, 1)² that lie in the L-shape (the corner included).
"""

from __future__ import annotations

import dataclasses
import math

import jax.numpy as jnp
import numpy as np

from pinnrwf import geometry, pde
from pinnrwf.config import Config, field, int_at_least, nonnegative, one_of, positive_int
from pinnrwf.problem import AbstractProblem, Preset, tanh_mlp
from pinnrwf.reports import ShapeComparison
from pinnrwf.train import Adam, TrainConfig

#: the L-shape, counter-clockwise from the lower left; its re-entrant corner is the origin
L_SHAPE = geometry.Polygon([(-1.0, -1.0), (0.0, -1.0), (0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (-1.0, 1.0)])


@dataclasses.dataclass(frozen=True)
class LShapeConfig(Config):
    """The network, the collocation points (``sampling``: how the interior ones are drawn) and the
    ``eval_n`` × ``eval_n`` grid whose nodes inside the L-shape are the test points."""

    sampling: str = field(
        "random",
        one_of(*geometry.METHODS),
        help="interior points: random (uniform), sobol, halton or lhs (default: random)",
    )
    width: int = field(32, positive_int)
    depth: int = field(3, positive_int)
    n_residual: int = field(1024, positive_int, help="interior collocation points per step (default: 1024)")
    n_boundary: int = field(256, positive_int)
    weight_boundary: float = field(10.0, nonnegative)
    weight_residual: float = field(1.0, nonnegative)
    eval_n: int = field(101, int_at_least(2))


def exact(x, y):
    """u = r^{2/3} sin(2θ/3), θ = atan2(y, x) taken in [0, 2π) (NumPy or JAX arrays)."""
    xp = jnp if isinstance(x, jnp.ndarray) else np
    theta = xp.mod(xp.arctan2(y, x), 2 * math.pi)
    return (x**2 + y**2) ** (1 / 3) * xp.sin(2 * theta / 3)


def evaluation_points(config: LShapeConfig):
    """Test points (m, 2): the ``eval_n`` × ``eval_n`` grid's nodes in the L-shape; exact u there."""
    points = geometry.grid_inside(L_SHAPE, (config.eval_n, config.eval_n))
    return points, exact(points[:, 0], points[:, 1])


class PoissonLShape(AbstractProblem[LShapeConfig]):
    """Laplace on the L-shape, exact r^{2/3} sin(2θ/3): the classic corner-singularity test."""

    name = "poisson-lshape"
    description = "Laplace on the L-shape (−1, 1)² \\ [0, 1) × (−1, 0], exact r^(2/3) sin(2θ/3), relative L2 error"
    presets = {
        "smoke": Preset(
            LShapeConfig(width=16, depth=2, n_residual=64, n_boundary=64, eval_n=21),
            TrainConfig(steps=20, chunk_steps=10),
            Adam(decay_steps=1000),
        ),
        # CPU minutes: a small network, 4000 steps, 2 seeds
        "quick": Preset(LShapeConfig(), TrainConfig(steps=4000, seeds=2, chunk_steps=500), Adam(decay_steps=1000)),
        # our reading of a full run: wider and deeper, 40 000 steps, 5 seeds
        "paper": Preset(
            LShapeConfig(width=64, depth=4, n_residual=2048, n_boundary=512),
            TrainConfig(steps=40_000, seeds=5, chunk_steps=1000),
            Adam(decay_steps=2000),
        ),
    }
    metrics = ("rel_l2",)
    percent_metrics = frozenset(metrics)
    default_parameterizations = "plain,rwf"
    reports = (ShapeComparison(evaluation_points, lambda config: L_SHAPE, ("x", "y", "u"), "poisson_lshape.png"),)
    init_model = tanh_mlp(2, 1)

    def objective(self, config, train):
        region = pde.Region(L_SHAPE, ("x", "y"))
        laplace = pde.Equation(coords=("x", "y"), fields=("u",), residual=lambda p: p.laplacian("u"))
        points, values = evaluation_points(config)
        return pde.PINNObjective(
            laplace,
            {
                "r": pde.Residual(region.interior(config.n_residual, config.sampling), weight=config.weight_residual),
                "bc": pde.Dirichlet(
                    lambda pt: exact(pt.x, pt.y), region.boundary(config.n_boundary), weight=config.weight_boundary
                ),
            },
            reference=pde.Reference(points, values, "u"),
        )
