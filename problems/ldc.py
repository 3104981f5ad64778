"""Lid-driven cavity, steady Navier–Stokes at Re = 1000 (rwf_paper §4.5, App. K.2, Table 13).

PINN [x, y] ↦ [u, v, p] (eq. K.13): MLP 5 × 128 tanh or modified MLP (eq. K.23–K.27); loss
λ_u L_u + λ_v L_v + L_ru + L_rv + L_rc (eq. K.17–K.22) with λ_u = λ_v = 100, N_b = 256 boundary
and N_r = 1024 interior points resampled every step; Adam 1e-3 × 0.9 every 2000 steps for 10⁵
steps; curriculum Re = 100 → 500 → 1000 with 2·10⁴ steps per earlier stage; RWF s ~ N(0.5, 0.1)
(Table 5). Ground truth: the streamfunction–vorticity solver's HDF5 data (``pinnrwf generate ldc``);
the error is the relative L² error of the velocity (u, v) on the solver's node grid.

A missing reference file is an error that prints the ``pinnrwf generate ldc`` command that makes
it; ``--generate-reference`` solves the cavity in memory for the run instead (no file is written).
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import jax.numpy as jnp
import numpy as np

from pinnrwf import _validation as check
from pinnrwf import pde
from pinnrwf.nn import MLP, RWF, ModifiedMLP
from pinnrwf.plotting import runs_field_comparison
from pinnrwf.problem import AbstractProblem, Option, Preset
from pinnrwf.config import NEUTRAL_AT_DEFAULT
from pinnrwf.problems.equations import navier_stokes
from pinnrwf.train import Adam, TrainConfig

ARCHITECTURES = ("mlp", "modified")
STRATEGIES = ("curriculum", "regular")


@dataclasses.dataclass(frozen=True)
class CavityConfig:
    """The problem, the loss, the network and the reference data (App. K.2)."""

    re: float = 1000.0
    architecture: str = "mlp"
    strategy: str = "curriculum"
    width: int = 128
    depth: int = 5
    n_residual: int = 1024
    n_boundary: int = 256
    weight_boundary: float = 100.0
    weight_residual: float = 1.0
    # Side-wall points within this distance below the lid are not sampled (0: the whole boundary,
    # as the paper states it). The lid's u = 1 meets the walls' u = 0 in the two top corners; the
    # authors' later JAX-PI code leaves out the top 1 % of the side walls for this reason.
    lid_corner_gap: float = dataclasses.field(default=0.0, metadata={NEUTRAL_AT_DEFAULT: True})
    curriculum_values: tuple[float, ...] = (100.0, 500.0, 1000.0)
    curriculum_boundaries: tuple[int, ...] = (20_000, 40_000)
    reference_n: int = 512  # solver grid (cells per side) of the ground truth
    eval_stride: int = 4  # evaluate on every eval_stride-th solver node
    reference: Path | None = None  # HDF5 file of `pinnrwf generate ldc` (None: data/ldc_re<Re>_n<N>.h5)
    generate_reference: bool = False  # solve the reference in memory when the file is missing

    def __post_init__(self):
        check.positive_number("re", self.re)
        check.one_of("architecture", self.architecture, ARCHITECTURES)
        if self.strategy not in STRATEGIES:
            raise ValueError(
                f"strategy must be one of {STRATEGIES} for the steady cavity (causal needs time), got {self.strategy!r}"
            )
        for name in ("width", "depth", "n_residual", "n_boundary", "reference_n", "eval_stride"):
            check.positive_int(name, getattr(self, name))
        for name in ("weight_boundary", "weight_residual"):
            check.positive_number(name, getattr(self, name), allow_zero=True)
        check.positive_number("lid_corner_gap", self.lid_corner_gap, allow_zero=True)
        if not self.lid_corner_gap < 1.0:
            raise ValueError(f"lid_corner_gap must be below the cavity's height 1, got {self.lid_corner_gap}")
        if self.strategy == "curriculum" and self.curriculum_values[-1] != self.re:
            raise ValueError(f"curriculum_values must end at re={self.re:g}, got {list(self.curriculum_values)} "
                             "(use strategy='regular' to train at one Reynolds number)")


RWF_CAVITY = RWF(mean=0.5, std=0.1)  # rwf_paper Table 5


def reference_path(config: CavityConfig) -> Path:
    """The reference file: ``config.reference`` or ``data/ldc_re<Re>_n<N>.h5`` (relative to the
    working directory)."""
    if config.reference is not None:
        return Path(config.reference)
    return Path("data") / f"ldc_re{config.re:g}_n{config.reference_n}.h5"


def generate_command(config: CavityConfig) -> str:
    return f"pinnrwf generate ldc --re {config.re:g} --n {config.reference_n} --out {reference_path(config)}"


def load_reference(config: CavityConfig):
    """(x, y, u, v) on the solver's node grid at Re = ``config.re``: read from the reference file,
    or solved in memory when it is missing and ``config.generate_reference`` is set."""
    from pinnrwf.datasets import read_dataset

    path = reference_path(config)
    if not path.exists():
        if not config.generate_reference:
            raise ValueError(f"the cavity reference {path} does not exist; make it with `{generate_command(config)}` "
                             "or pass --generate-reference to solve it in memory for this run")
        from pinnrwf.solvers import ldc as ldc_solver

        print(f"reference {path} not found: solving the cavity at Re={config.re:g} on {config.reference_n}² cells in "
              "memory (--generate-reference; no file is written)")
        solution = ldc_solver.solve(config.re, n=config.reference_n)
        return solution.x, solution.y, solution.u, solution.v
    data = read_dataset(path)
    if data.problem != "ldc":
        raise ValueError(f"{path} holds a {data.problem!r} dataset, expected 'ldc'")
    res = np.asarray(data["re"], dtype=float)
    matches = np.flatnonzero(np.isclose(res, config.re))
    if matches.size == 0:
        raise ValueError(f"{path} has no sample at Re={config.re:g} (it has Re={res.tolist()})")
    i = int(matches[0])
    return np.asarray(data["x"]), np.asarray(data["y"]), np.asarray(data["Vx"][i]), np.asarray(data["Vy"][i])


@functools.cache
def evaluation_data(config: CavityConfig):
    """Points (n, 2), reference (u, v) values (n, 2) and the grid shape; read once per config
    and shared by the objective and the figure (callers must not modify the arrays)."""
    x, y, u, v = load_reference(config)
    s = config.eval_stride
    x, y, u, v = x[::s], y[::s], u[::s, ::s], v[::s, ::s]
    xx, yy = np.meshgrid(x, y, indexing="ij")
    points = np.stack([xx.ravel(), yy.ravel()], axis=1)
    return points, np.stack([u.ravel(), v.ravel()], axis=1), (x.size, y.size)


def lid_velocity(pt):
    """u = (1, 0) on the lid y = 1 (eq. K.11), (0, 0) on the other walls (eq. K.12)."""
    return {"u": jnp.where(pt.y >= 1.0, 1.0, 0.0), "v": jnp.zeros_like(pt.y)}


def walls(config: CavityConfig, domain: pde.Domain) -> pde.AbstractSampler:
    """``n_boundary`` points on the four walls, a quarter on each (eq. K.11–K.12); the side walls
    stop ``lid_corner_gap`` below the lid."""
    if config.lid_corner_gap == 0.0:
        return domain.boundary(config.n_boundary)
    sides = pde.Domain({"x": (0.0, 1.0), "y": (0.0, 1.0 - config.lid_corner_gap)})
    faces = domain.boundary(config.n_boundary).face_samplers()
    return pde.Union([sides.face(f.coord, f.side, f.n) if f.coord == "x" else f for f in faces])


def make_objective(config: CavityConfig) -> pde.PINNObjective:
    domain = pde.Domain({"x": (0.0, 1.0), "y": (0.0, 1.0)})
    terms = {
        "b": pde.Dirichlet(lid_velocity, walls(config, domain), weight=config.weight_boundary),
        "r": pde.Residual(domain.interior(config.n_residual), weight=config.weight_residual),
    }
    schedules = {}
    if config.strategy == "curriculum":
        values = list(config.curriculum_values)
        schedules["Re"] = pde.curriculum(values=values, boundaries=list(config.curriculum_boundaries))
    points, values, _ = evaluation_data(config)
    return pde.PINNObjective(navier_stokes(config.re), terms, schedules=schedules,
                             reference=pde.Reference(points, values, ("u", "v")))


class Cavity(AbstractProblem[CavityConfig]):
    """rwf_paper §4.5, App. K.2, Table 13 (``pinnrwf bench table13`` runs both architectures)."""

    name = "ldc"
    description = "Lid-driven cavity (Re = 1000 unless --re), relative L2 error of (u, v)"
    presets = {
        "smoke": Preset(CavityConfig(width=32, depth=2, n_residual=64, n_boundary=32, curriculum_boundaries=(4, 8),
                                     reference_n=16, eval_stride=1, generate_reference=True),
                        TrainConfig(steps=20, chunk_steps=10), Adam(decay_steps=2000)),
        "quick": Preset(CavityConfig(n_residual=512, n_boundary=128, curriculum_boundaries=(600, 1200),
                                     reference_n=128, eval_stride=2),
                        TrainConfig(steps=3000, chunk_steps=250), Adam(decay_steps=2000)),
        "paper": Preset(CavityConfig(), TrainConfig(steps=100_000, seeds=10, chunk_steps=1000), Adam(decay_steps=2000)),
    }
    metrics = ("rel_l2", "rel_l2_u", "rel_l2_v")
    percent_metrics = frozenset(metrics)
    rwf = RWF_CAVITY
    options = (
        Option("re", "Reynolds number (default: 1000; another value needs --strategy regular or a curriculum "
               "ending there, and a reference at that Re)"),
        Option("lid_corner_gap", "leave side-wall points within this distance below the lid unsampled "
               "(default: 0, the whole boundary; JAX-PI uses 0.01)"),
        Option("architecture", "MLP or modified MLP (default: mlp)", flag="--arch", choices=ARCHITECTURES),
        Option("strategy", "curriculum (Re 100 → 500 → 1000) or regular (default: curriculum)", choices=STRATEGIES),
        Option("reference", "HDF5 file from `pinnrwf generate ldc` (default: data/ldc_re1000_n<N>.h5)", type=Path),
        Option("generate_reference", "if the reference file is missing, solve the cavity in memory for this run "
               "(seconds at the quick preset's 128², ≈ 1.5 min at the paper's 512²)", const=True),
    )

    def objective(self, config, train):
        return make_objective(config)

    def init_model(self, config, parameterization):
        network = MLP if config.architecture == "mlp" else ModifiedMLP
        return lambda key: network(2, 3, config.width, config.depth, parameterization, activation=jnp.tanh, key=key)

    def report(self, config, results, out_dir):
        points, values, shape = evaluation_data(config)
        speed = lambda out_rows: np.hypot(out_rows[:, 0], out_rows[:, 1])  # noqa: E731
        figure = runs_field_comparison(
            results, points, np.hypot(values[:, 0], values[:, 1]), shape, field=speed, extent=(0.0, 1.0, 0.0, 1.0), axis_labels=("x", "y"), field_label="|u|", path=Path(out_dir) / "ldc.png",
        )
        return {"figures": [str(figure)]}
