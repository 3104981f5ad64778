"""Poisson's equation on a plate with three holes: a manufactured case and a finite-element one.

−Δu = f on the rectangle (0, 2) × (0, 1) minus three disks. ``case="manufactured"``: u =
sin(πx) sin(πy) + xy/2 (so f = 2π² sin(πx) sin(πy)) as Dirichlet data on the outer boundary and
on every hole. ``case="constant-source"``: f = 1 and u = 0 on every boundary, no closed form; the
reference is a P2 finite-element solution (``pinnrwf generate poisson-holes``, or solved in memory).
The error: relative L² of u on the nodes of a grid of the rectangle that lie in the plate, plus
equispaced points on each hole's circle (so the figure's triangulation follows the holes).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from pathlib import Path

import jax.numpy as jnp
import numpy as np

from pinnrwf import geometry, pde
from pinnrwf.config import Config, field, int_at_least, nonnegative, one_of, positive, positive_int
from pinnrwf.datasets.fem import FEMReferenceMaker
from pinnrwf.problem import AbstractProblem, Preset, tanh_mlp
from pinnrwf.reports import ShapeComparison
from pinnrwf.train import Adam, TrainConfig

#: (centre, radius) of the holes
HOLES = (((0.5, 0.5), 0.2), ((1.2, 0.3), 0.15), ((1.5, 0.7), 0.18))


@functools.cache
def plate() -> geometry.AbstractGeometry:
    """The plate (0, 2) × (0, 1) minus the holes, parts left/right/bottom/top and "holes" (built on
    first use: a set operation estimates its measure with JAX, which must not run at import)."""
    return geometry.Rectangle((0.0, 0.0), (2.0, 1.0)) - (
        geometry.Disk(*HOLES[0]) | geometry.Disk(*HOLES[1]) | geometry.Disk(*HOLES[2])
    ).named("holes")


@dataclasses.dataclass(frozen=True)
class HolesConfig(Config):
    """The network, the collocation points and the test points (an ``eval_n`` × 2 ``eval_n`` grid's
    nodes in the plate and ``eval_circle`` points on each hole)."""

    sampling: str = field(
        "random",
        one_of(*geometry.METHODS),
        help="interior points: random (uniform), sobol, halton or lhs (default: random)",
    )
    width: int = field(32, positive_int)
    depth: int = field(3, positive_int)
    n_residual: int = field(1024, positive_int, help="interior collocation points per step (default: 1024)")
    n_boundary: int = field(512, int_at_least(2))  # half outside, half on the holes
    weight_boundary: float = field(10.0, nonnegative)
    weight_residual: float = field(1.0, nonnegative)
    eval_n: int = field(61, int_at_least(2))
    eval_circle: int = field(96, int_at_least(3))
    case: str = field(
        "manufactured",
        one_of("manufactured", "constant-source"),
        help="manufactured: the exact sin(πx) sin(πy) + xy/2; constant-source: f = 1, u = 0 on the "
        "boundary, against a finite-element reference (default: manufactured)",
    )
    reference: Path | None = field(
        None,
        help="`pinnrwf generate poisson-holes` file for the constant-source case "
        "(default: solved in memory, P2 elements)",
    )
    fem_h: float = field(0.02, positive, help="finite-element mesh size when solved in memory (default: 0.02)")


def exact(x, y):
    """u = sin(πx) sin(πy) + xy/2 (NumPy or JAX arrays); −Δu = 2π² sin(πx) sin(πy)."""
    xp = jnp if isinstance(x, jnp.ndarray) else np
    return xp.sin(math.pi * x) * xp.sin(math.pi * y) + x * y / 2


def finite_element_reference(h: float | None = None, h_holes: float | None = None, verbose: bool = False):
    """The constant-source case, −Δu = 1 with u = 0 on every boundary, by P2 elements (scikit-fem) on
    a mesh of size ``h`` (default 0.02) refined to ``h_holes`` (default h/4) on the holes, whose
    circles a straight-edged mesh otherwise misplaces by O(h²). Returns (reference, resolution)."""
    from pinnrwf.solvers import fem

    h = 0.02 if h is None else h
    h_holes = h / 4 if h_holes is None else h_holes
    mesh = fem.triangulate(plate(), h, refine={"holes": h_holes})
    reference = fem.poisson(mesh, 1.0, dirichlet={part: 0.0 for part in plate().parts}, degree=2)
    return reference, {"h": h, "h_holes": h_holes, "degree": 2}


@functools.cache
def evaluation_points(config: HolesConfig):
    """Test points (m, 2) and the reference u there: the exact solution, or the finite-element one."""
    angles = 2 * math.pi * np.arange(config.eval_circle) / config.eval_circle
    circles = [np.stack([cx + r * np.cos(angles), cy + r * np.sin(angles)], axis=1) for (cx, cy), r in HOLES]
    points = np.concatenate([geometry.grid_inside(plate(), (2 * config.eval_n - 1, config.eval_n)), *circles])
    if config.case == "manufactured":
        return points, exact(points[:, 0], points[:, 1])
    if config.reference is not None:
        from pinnrwf.datasets.fem import read_reference

        reference = read_reference(config.reference, problem="poisson-holes")
    else:
        reference = finite_element_reference(config.fem_h)[0]
    return points, reference.at(points)["u"]


def poisson_equation(case: str = "manufactured") -> pde.Equation:
    """R = Δu + f: f = 2π² sin(πx) sin(πy) (manufactured) or 1 (constant source)."""
    if case == "constant-source":
        return pde.Equation(coords=("x", "y"), fields=("u",), residual=lambda p: p.laplacian("u") + 1.0)
    return pde.Equation(
        coords=("x", "y"),
        fields=("u",),
        residual=lambda p: p.laplacian("u") + 2 * math.pi**2 * jnp.sin(math.pi * p.x) * jnp.sin(math.pi * p.y),
    )


class PoissonHoles(AbstractProblem[HolesConfig]):
    """Poisson on a plate with three holes, Dirichlet data outside and on the holes."""

    name = "poisson-holes"
    description = (
        "Poisson on (0, 2) × (0, 1) minus three disks, exact sin(πx) sin(πy) + xy/2 or (--case "
        "constant-source) a finite-element reference, relative L2 error"
    )
    fem_reference = FEMReferenceMaker(
        "Poisson on the plate with holes, constant source, u = 0 on the boundary (--case constant-source): P2 finite "
        "elements",
        finite_element_reference,
        "mesh size (default: 0.02)",
        "mesh size on the holes (default: h/4)",
    )
    presets = {
        "smoke": Preset(
            HolesConfig(width=16, depth=2, n_residual=64, n_boundary=64, eval_n=21, eval_circle=24),
            TrainConfig(steps=20, chunk_steps=10),
            Adam(decay_steps=1000),
        ),
        # CPU minutes: a small network, 4000 steps, 2 seeds
        "quick": Preset(HolesConfig(), TrainConfig(steps=4000, seeds=2, chunk_steps=500), Adam(decay_steps=1000)),
        # our reading of a full run: wider and deeper, 40 000 steps, 5 seeds
        "paper": Preset(
            HolesConfig(width=64, depth=4, n_residual=2048, n_boundary=1024),
            TrainConfig(steps=40_000, seeds=5, chunk_steps=1000),
            Adam(decay_steps=2000),
        ),
    }
    metrics = ("rel_l2",)
    percent_metrics = frozenset(metrics)
    default_parameterizations = "plain,rwf"
    reports = (ShapeComparison(evaluation_points, lambda config: plate(), ("x", "y", "u"), "poisson_holes.png"),)
    init_model = tanh_mlp(2, 1)

    def objective(self, config, train):
        region = pde.Region(plate(), ("x", "y"))
        points, values = evaluation_points(config)
        data = (lambda pt: exact(pt.x, pt.y)) if config.case == "manufactured" else (lambda pt: 0.0 * pt.x)
        return pde.PINNObjective(
            poisson_equation(config.case),
            {
                "r": pde.Residual(region.interior(config.n_residual, config.sampling), weight=config.weight_residual),
                "outer": pde.Dirichlet(
                    data,
                    region.boundary(config.n_boundary // 2, part=("left", "right", "bottom", "top")),
                    weight=config.weight_boundary,
                ),
                "holes": pde.Dirichlet(
                    data, region.boundary(config.n_boundary // 2, part="holes"), weight=config.weight_boundary
                ),
            },
            reference=pde.Reference(points, values, "u"),
        )
