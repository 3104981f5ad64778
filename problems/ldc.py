"""Lid-driven cavity, steady Navier–Stokes at Re = 1000 (rwf_paper §4.5, App. K.2, Table 13).

PINN [x, y] ↦ [u, v, p] (eq. K.13): MLP 5 × 128 tanh or modified MLP (eq. K.23–K.27); loss λ_u L_u + λ_v L_v + L_ru
+ L_rv + L_rc (eq. K.17–K.22), λ_u = λ_v = 100, N_b = 256 and N_r = 1024 points resampled every step; Adam 1e-3 ×
0.9 every 2000 steps for 10⁵ steps; curriculum Re = 100 → 500 → 1000, 2·10⁴ steps per earlier stage; RWF s ~
N(0.5, 0.1) (Table 5). The error: relative L² of (u, v) on the stream-function–vorticity solver's grid.
"""

import dataclasses
import functools
import math
from pathlib import Path

import jax.numpy as jnp
import numpy as np

from pinnrwf import pde
from pinnrwf.config import Config, below, field, nonnegative, one_of, positive, positive_int
from pinnrwf.datasets import generate
from pinnrwf.nn import MLP, RWF, ModifiedMLP
from pinnrwf.problem import AbstractProblem, Preset, fourier_features, tanh_mlp
from pinnrwf.reports import FieldComparison
from pinnrwf.train import Adam, GradNormWeighting, TrainConfig


@dataclasses.dataclass(frozen=True)
class CavityConfig(Config):
    re: float = field(1000.0, positive, help="Reynolds number (another needs a curriculum ending there or regular)")
    architecture: str = field(
        "mlp", one_of("mlp", "modified"), flag="--arch", help="MLP or modified MLP (default: mlp)"
    )
    strategy: str = field("curriculum", one_of("curriculum", "regular"), help="curriculum (Re 100 → 500 → 1000)")
    width: int = field(128, positive_int)
    depth: int = field(5, positive_int)
    n_residual: int = field(1024, positive_int)
    n_boundary: int = field(256, positive_int)
    weight_boundary: float = field(100.0, nonnegative)
    weight_residual: float = field(1.0, nonnegative)
    lid_corner_gap: float = field(
        0.0,
        nonnegative,
        below(1.0),
        neutral_at_default=True,  # below the lid's height
        help="height of the side-wall strip under the lid left unsampled (JAX-PI: 0.01)",
    )
    fourier_scale: float = field(
        0.0,
        nonnegative,
        neutral_at_default=True,
        help="σ of Gaussian Fourier features of (x, y), 2π convention (0: none, as App. K.2)",
    )
    fourier_features: int = field(256, positive_int, neutral_at_default=True)
    curriculum_values: tuple[float, ...] = (100.0, 500.0, 1000.0)
    curriculum_boundaries: tuple[int, ...] = (20_000, 40_000)
    reference_n: int = field(512, positive_int)  # the reference's cells per side
    eval_stride: int = field(4, positive_int)
    reference: Path | None = field(None, help="`pinnrwf generate ldc` file (default: data/ldc_re<Re>_n<N>.h5)")
    generate_reference: bool = field(False, help="solve a missing reference in memory (≈ 1.5 min at 512²)")

    def __check_init__(self):
        if self.strategy == "curriculum" and self.curriculum_values[-1] != self.re:
            raise ValueError(
                f"curriculum_values must end at re={self.re:g}, got {list(self.curriculum_values)} "
                "(use strategy='regular' to train at one Reynolds number)"
            )


@functools.cache
def evaluation_data(config: CavityConfig):
    """Points (n, 2), reference (u, v) (n, 2) on every ``eval_stride``-th node and the grid shape (cached)."""
    path = config.reference or Path("data") / f"ldc_re{config.re:g}_n{config.reference_n}.h5"
    xy, uv = generate.solved_samples(
        "ldc",
        generate.CavityConfig(re=(config.re,), n=config.reference_n),
        path,
        ("Vx", "Vy"),
        solve_missing=config.generate_reference,
    )
    s = config.eval_stride
    points, shape = pde.grid_points(xy["x"][::s], xy["y"][::s])
    return points, np.stack([uv["Vx"][0, ::s, ::s].ravel(), uv["Vy"][0, ::s, ::s].ravel()], axis=1), shape


def _speed(uv):
    """|(u, v)| at one point: JAX-PI reports the cavity's error on this velocity magnitude."""
    return jnp.hypot(uv[0], uv[1])


class Cavity(AbstractProblem[CavityConfig]):
    """rwf_paper §4.5, App. K.2, Table 13 (``pinnrwf bench table13`` runs both architectures)."""

    name = "ldc"
    description = "Lid-driven cavity (Re = 1000 unless --re), relative L2 error of (u, v)"
    presets = {
        "smoke": Preset(
            CavityConfig(
                width=32,
                depth=2,
                n_residual=64,
                n_boundary=32,
                curriculum_boundaries=(4, 8),
                reference_n=16,
                eval_stride=1,
                generate_reference=True,
            ),
            TrainConfig(steps=20, chunk_steps=10),
            Adam(decay_steps=2000),
        ),
        "quick": Preset(
            CavityConfig(
                n_residual=512, n_boundary=128, curriculum_boundaries=(600, 1200), reference_n=128, eval_stride=2
            ),
            TrainConfig(steps=3000, chunk_steps=250),
            Adam(decay_steps=2000),
        ),
        "paper": Preset(CavityConfig(), TrainConfig(steps=100_000, seeds=10, chunk_steps=1000), Adam(decay_steps=2000)),
        # JAX-PI's working recipe (Fourier features of scale 10 without the 2π, 256 of them; modified MLP 256 wide;
        # grad-norm weights; Re 100 → 400 → 1000): our reading, the stage lengths are ours
        "recipe": Preset(
            CavityConfig(
                architecture="modified",
                width=256,
                fourier_scale=10 / (2 * math.pi),
                curriculum_values=(100.0, 400.0, 1000.0),
                curriculum_boundaries=(20_000, 60_000),
            ),
            TrainConfig(steps=200_000, seeds=2, chunk_steps=1000, loss_weighting=GradNormWeighting(update_every=1000)),
            Adam(decay_steps=5000),
        ),
    }
    metrics = ("rel_l2", "rel_l2_u", "rel_l2_v", "rel_l2_speed")
    percent_metrics = frozenset(metrics)
    rwf = RWF(mean=0.5, std=0.1)  # rwf_paper Table 5
    dataset = generate.CavityConfig
    reports = (
        FieldComparison(
            evaluation_data,
            (0.0, 1.0, 0.0, 1.0),
            ("x", "y", "|u|"),
            "ldc.png",
            field=lambda rows: np.hypot(rows[:, 0], rows[:, 1]),
        ),
    )  # the speed |(u, v)|
    init_model = tanh_mlp(
        2, 3, embedding=fourier_features(2), network=lambda config: MLP if config.architecture == "mlp" else ModifiedMLP
    )

    def objective(self, config, train):
        """Eq. K.17–K.22; the walls' velocity is (1, 0) on the lid y = 1 (eq. K.11), 0 elsewhere (eq. K.12)."""
        domain = pde.Domain({"x": (0.0, 1.0), "y": (0.0, 1.0)})
        walls = domain.boundary(config.n_boundary).trimmed(y=(0.0, config.lid_corner_gap))  # a quarter on each
        schedules = (
            {"Re": pde.curriculum(config.curriculum_values, config.curriculum_boundaries)}
            if config.strategy == "curriculum"
            else {}
        )
        points, values, _ = evaluation_data(config)
        return pde.PINNObjective(
            pde.equations.navier_stokes(config.re),
            {
                "b": pde.Dirichlet(
                    lambda pt: {"u": jnp.where(pt.y >= 1.0, 1.0, 0.0), "v": 0.0}, walls, weight=config.weight_boundary
                ),
                "r": pde.Residual(domain.interior(config.n_residual), weight=config.weight_residual),
            },
            schedules=schedules,
            reference=pde.Reference(points, values, ("u", "v"), derived={"speed": _speed}),
        )
