"""The L-shape case of ``pinnrwf bench time-to-accuracy --problem lshape``: Laplace's equation on
(−1, 1)² \\ [0, 1) × (−1, 0] with the exact solution u = r^{2/3} sin(2θ/3) as Dirichlet data
(``pinnrwf run poisson-lshape``'s problem), pinnrwf against DeepXDE on identical points.

The points are drawn once (seed 0, independent of the network's seed) by pinnrwf's geometry
samplers: ``n_domain`` uniform interior points and ``n_boundary`` points uniform in length on the
boundary. They go, with the exact boundary values and the test points (the problem's evaluation
points: the nodes of a ``grid`` grid of (−1, 1)² inside the L-shape, the corner included), into
the reference .npz that both sides read, so both train on the same arrays
(``benchmarks/peers/deepxde_lshape.py``: ``anchors`` and a ``PointSetBC``). Losses: mean squares,
weighted as the problem's defaults (residual 1, boundary 10).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

TITLE = "Laplace on the L-shape"
PEER = Path(__file__).resolve().parents[2] / "peers" / "deepxde_lshape.py"
POINT_SEED = 0


def _weights() -> tuple[float, float]:
    from pinnrwf.problems.poisson_lshape import LShapeConfig

    config = LShapeConfig()
    return config.weight_residual, config.weight_boundary


def reference(setting) -> dict[str, np.ndarray]:
    """Training points (``interior``, ``boundary``, ``u_boundary``) and test points (``points``,
    exact ``u``), float64 arrays."""
    import jax

    from pinnrwf import geometry
    from pinnrwf.problems.poisson_lshape import L_SHAPE, LShapeConfig, evaluation_points, exact

    k_interior, k_boundary = jax.random.split(jax.random.key(POINT_SEED))
    interior = np.asarray(geometry.InteriorSampler(L_SHAPE, setting.n_domain).sample(k_interior), dtype=np.float64)
    boundary = np.asarray(geometry.BoundarySampler(L_SHAPE, setting.n_boundary).sample(k_boundary)[0], dtype=np.float64)
    points, u = evaluation_points(LShapeConfig(eval_n=setting.grid[0]))
    return {
        "interior": interior,
        "boundary": boundary,
        "u_boundary": exact(boundary[:, 0], boundary[:, 1]),
        "points": np.asarray(points, dtype=np.float64),
        "u": np.asarray(u, dtype=np.float64),
    }


def objective(setting, ref: dict[str, np.ndarray]):
    """Residual Δu on the interior points, u = the exact boundary values on the boundary points,
    the relative L² error on the test points."""
    from pinnrwf import pde
    from pinnrwf.problems.poisson_lshape import exact

    weight_residual, weight_boundary = _weights()
    domain = pde.Domain({"x": (-1.0, 1.0), "y": (-1.0, 1.0)})  # the bounding box: fixed points only
    laplace = pde.Equation(coords=("x", "y"), fields=("u",), residual=lambda p: p.laplacian("u"))
    return pde.PINNObjective(
        laplace,
        {
            "r": pde.Residual(pde.Points(domain, ref["interior"]), weight=weight_residual),
            # the exact solution at the boundary points: the values DeepXDE's PointSetBC reads from the .npz
            "bc": pde.Dirichlet(
                lambda pt: exact(pt.x, pt.y), pde.Points(domain, ref["boundary"]), weight=weight_boundary
            ),
        },
        reference=pde.Reference(ref["points"], ref["u"], "u"),
    )


def points_info(setting) -> dict:
    return {
        "domain": setting.n_domain,
        "boundary": setting.n_boundary,
        "distribution": f"uniform random (pinnrwf geometry samplers, seed {POINT_SEED}), fixed, shared with DeepXDE",
    }


def peer_args(setting) -> list[str]:
    weight_residual, weight_boundary = _weights()
    return ["--weight-residual", repr(weight_residual), "--weight-boundary", repr(weight_boundary)]


def describe(setting) -> str:
    return (
        f"Δu = 0 on (−1, 1)² \\ [0, 1) × (−1, 0], u = r^(2/3) sin(2θ/3) on the boundary; the same "
        f"{setting.n_domain} interior + {setting.n_boundary} boundary points (drawn once, read by both), "
        f"losses weighted 1 and 10, Adam 1e-3 × {setting.adam_steps}"
        + (f" then L-BFGS ≤ {setting.lbfgs_steps}" if setting.lbfgs_steps else "")
        + f"; relative L² error on the {setting.grid[0]} × {setting.grid[1]} grid's nodes in the L-shape, "
        f"recorded every {setting.record_every} steps."
    )
