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

from pinnrwf import pde
from pinnrwf.config import Config, field, nonnegative, one_of, positive, positive_int
from pinnrwf.nn import MLP, RWF, ModifiedMLP
from pinnrwf.pde.equations import navier_stokes
from pinnrwf.problem import AbstractProblem, Option, Preset, tanh_mlp
from pinnrwf.reports import FieldComparison
from pinnrwf.train import Adam, TrainConfig

ARCHITECTURES = ("mlp", "modified")
STRATEGIES = ("curriculum", "regular")


@dataclasses.dataclass(frozen=True)
class CavityConfig(Config):
    """The problem, the loss, the network and the reference data (App. K.2). ``lid_corner_gap``:
    side-wall points within this distance below the lid are not sampled (0: the whole boundary, as
    the paper states it; the lid's u = 1 meets the walls' u = 0 in the top corners, and the
    authors' later JAX-PI code leaves out the top 1 % of the side walls). ``reference``: the HDF5
    file of ``pinnrwf generate ldc`` (None: data/ldc_re<Re>_n<N>.h5), solved in memory when missing
    if ``generate_reference``; ``reference_n`` its cells per side, every ``eval_stride``-th node evaluated."""

    re: float = field(1000.0, positive)
    architecture: str = field("mlp", one_of(*ARCHITECTURES))
    strategy: str = "curriculum"
    width: int = field(128, positive_int)
    depth: int = field(5, positive_int)
    n_residual: int = field(1024, positive_int)
    n_boundary: int = field(256, positive_int)
    weight_boundary: float = field(100.0, nonnegative)
    weight_residual: float = field(1.0, nonnegative)
    lid_corner_gap: float = field(0.0, nonnegative, neutral_at_default=True)
    curriculum_values: tuple[float, ...] = (100.0, 500.0, 1000.0)
    curriculum_boundaries: tuple[int, ...] = (20_000, 40_000)
    reference_n: int = field(512, positive_int)
    eval_stride: int = field(4, positive_int)
    reference: Path | None = None
    generate_reference: bool = False

    def __check_init__(self):
        if self.strategy not in STRATEGIES:
            raise ValueError(
                f"strategy must be one of {STRATEGIES} for the steady cavity (causal needs time), got {self.strategy!r}"
            )
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


def load_reference(config: CavityConfig):
    """(x, y, u, v) on the solver's node grid at Re = ``config.re``: read from the reference file,
    or solved in memory when it is missing and ``config.generate_reference`` is set."""
    from pinnrwf.datasets import read_dataset

    path = reference_path(config)
    if not path.exists():
        if not config.generate_reference:
            command = f"pinnrwf generate ldc --re {config.re:g} --n {config.reference_n} --out {path}"
            raise ValueError(f"the cavity reference {path} does not exist; make it with `{command}` "
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
    schedules = {"Re": pde.curriculum(values=list(config.curriculum_values), boundaries=list(
        config.curriculum_boundaries))} if config.strategy == "curriculum" else {}
    points, values, _ = evaluation_data(config)
    return pde.PINNObjective(navier_stokes(config.re), {
        "b": pde.Dirichlet(lid_velocity, walls(config, domain), weight=config.weight_boundary),
        "r": pde.Residual(domain.interior(config.n_residual), weight=config.weight_residual),
    }, schedules=schedules, reference=pde.Reference(points, values, ("u", "v")))


def speed(rows: np.ndarray) -> np.ndarray:
    """|(u, v)| of rows (n, ≥ 2) of network outputs or reference values."""
    return np.hypot(rows[:, 0], rows[:, 1])


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
    reports = (FieldComparison(evaluation_data, (0.0, 1.0, 0.0, 1.0), ("x", "y", "|u|"), "ldc.png", field=speed),)
    init_model = tanh_mlp(2, 3, network=lambda config: MLP if config.architecture == "mlp" else ModifiedMLP)

    def objective(self, config, train):
        return make_objective(config)
