"""Lid-driven cavity, steady Navier–Stokes at Re = 1000 (rwf_paper §4.5, App. K.2, Table 13).

PINN [x, y] ↦ [u, v, p] (eq. K.13): MLP 5 × 128 tanh or modified MLP (eq. K.23–K.27); loss
λ_u L_u + λ_v L_v + L_ru + L_rv + L_rc (eq. K.17–K.22) with λ_u = λ_v = 100, N_b = 256 boundary
and N_r = 1024 interior points resampled every step; Adam 1e-3 × 0.9 every 2000 steps for 10⁵
steps; curriculum Re = 100 → 500 → 1000 with 2·10⁴ steps per earlier stage; RWF s ~ N(0.5, 0.1)
(Table 5). Ground truth: the streamfunction–vorticity solver's HDF5 data (``pinnrwf generate ldc``);
the error is the relative L² error of the velocity (u, v) on the solver's node grid.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
from pathlib import Path

import jax.numpy as jnp
import numpy as np

from pinnrwf import pde
from pinnrwf.experiment import command_string, run_comparison
from pinnrwf.nn import MLP, RWF, AbstractParameterization, ModifiedMLP, parse_parameterizations
from pinnrwf.plotting import field_comparison, predict_on_grid
from pinnrwf.problems.equations import navier_stokes
from pinnrwf.train import TrainConfig

ARCHITECTURES = ("mlp", "modified")
STRATEGIES = ("curriculum", "regular")
DEFAULT_PARAM = "plain,aa,wn,rwf"


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
    curriculum_values: tuple[float, ...] = (100.0, 500.0, 1000.0)
    curriculum_boundaries: tuple[int, ...] = (20_000, 40_000)
    reference_n: int = 512  # solver grid (cells per side) of the ground truth
    eval_stride: int = 4  # evaluate on every eval_stride-th solver node

    def __post_init__(self):
        if self.architecture not in ARCHITECTURES:
            raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {self.architecture!r}")
        if self.strategy not in STRATEGIES:
            raise ValueError(
                f"strategy must be one of {STRATEGIES} for the steady cavity (causal needs time), got {self.strategy!r}"
            )
        if self.eval_stride < 1:
            raise ValueError(f"eval_stride must be ≥ 1, got {self.eval_stride}")


PRESETS: dict[str, tuple[CavityConfig, TrainConfig]] = {
    "quick": (CavityConfig(n_residual=512, n_boundary=128, curriculum_boundaries=(600, 1200), reference_n=128,
                           eval_stride=2),
              TrainConfig(steps=3000, seeds=1, chunk_steps=250, decay_steps=2000)),
    "paper": (CavityConfig(), TrainConfig(steps=100_000, seeds=10, chunk_steps=1000, decay_steps=2000)),
}

RWF_CAVITY = RWF(mean=0.5, std=0.1)  # rwf_paper Table 5


def reference_path(config: CavityConfig) -> Path:
    return Path("data") / f"ldc_re{config.re:g}_n{config.reference_n}.h5"


def load_reference(config: CavityConfig, path: Path | None = None):
    """(x, y, u, v) on the solver's node grid at Re = ``config.re``, from HDF5 (generated if absent)."""
    from pinnrwf.datasets import read_dataset
    from pinnrwf.datasets.generate import CavityConfig as CavityData
    from pinnrwf.datasets.generate import generate

    path = Path(path) if path is not None else reference_path(config)
    if not path.exists():
        print(f"reference {path} not found: solving the cavity at Re={config.re:g} on {config.reference_n}² cells "
              f"(same as `pinnrwf generate ldc --re {config.re:g} --n {config.reference_n} --out {path}`)")
        path.parent.mkdir(parents=True, exist_ok=True)
        generate(CavityData(re=(config.re,), n=config.reference_n), path, n_samples=1, progress=False)
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
def evaluation_data(config: CavityConfig, reference: Path | None = None):
    """Points (n, 2), reference (u, v) values (n, 2) and the grid shape; read once per (config, file)
    and shared by the objective and the figure (callers must not modify the arrays)."""
    x, y, u, v = load_reference(config, reference)
    s = config.eval_stride
    x, y, u, v = x[::s], y[::s], u[::s, ::s], v[::s, ::s]
    xx, yy = np.meshgrid(x, y, indexing="ij")
    points = np.stack([xx.ravel(), yy.ravel()], axis=1)
    return points, np.stack([u.ravel(), v.ravel()], axis=1), (x.size, y.size)


def lid_velocity(pt):
    """u = (1, 0) on the lid y = 1 (eq. K.11), (0, 0) on the other walls (eq. K.12)."""
    return {"u": jnp.where(pt.y >= 1.0, 1.0, 0.0), "v": jnp.zeros_like(pt.y)}


def make_objective(config: CavityConfig, reference: Path | None = None) -> pde.PINNObjective:
    domain = pde.Domain({"x": (0.0, 1.0), "y": (0.0, 1.0)})
    terms = {
        "b": pde.Dirichlet(lid_velocity, domain.boundary(config.n_boundary), weight=config.weight_boundary),
        "r": pde.Residual(domain.interior(config.n_residual), weight=config.weight_residual),
    }
    schedules = {}
    if config.strategy == "curriculum":
        values = list(config.curriculum_values)
        if values[-1] != config.re:
            raise ValueError(f"curriculum_values must end at re={config.re:g}, got {values}")
        schedules["Re"] = pde.curriculum(values=values, boundaries=list(config.curriculum_boundaries))
    points, values, _ = evaluation_data(config, reference)
    return pde.PINNObjective(navier_stokes(config.re), terms, schedules=schedules,
                             reference=pde.Reference(points, values, ("u", "v")))


def init_model(config: CavityConfig, parameterization: AbstractParameterization):
    network = MLP if config.architecture == "mlp" else ModifiedMLP

    def init(key):
        return network(2, 3, config.width, config.depth, parameterization, activation=jnp.tanh, key=key)

    return init


def builder(config: CavityConfig, reference: Path | None = None):
    objective = make_objective(config, reference)

    def build(parameterization):
        return init_model(config, parameterization), objective

    return build


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--arch", choices=ARCHITECTURES, default="mlp", help="MLP or modified MLP (default: %(default)s)")
    p.add_argument("--strategy", choices=STRATEGIES + ("causal",), default="curriculum",
                   help="curriculum (Re 100 → 500 → 1000) or regular (default: %(default)s)")
    p.add_argument("--reference", type=Path,
                   help="HDF5 file from `pinnrwf generate ldc` (default: data/ldc_re1000_n<N>.h5, generated if absent)")


def run(args: argparse.Namespace) -> int:
    from pinnrwf.cli import train_config_from_args

    problem, preset = PRESETS[args.preset]
    problem = dataclasses.replace(problem, architecture=args.arch, strategy=args.strategy)
    train = train_config_from_args(args, preset)
    out = Path(args.out or f"runs/ldc-{args.arch}")
    params = parse_parameterizations(args.param, rwf=RWF_CAVITY)
    results = run_comparison(
        problem="ldc", title=f"Lid-driven cavity Re={problem.re:g} ({args.arch}, {args.strategy}), relative L2 error of (u, v)",
        build=builder(problem, args.reference), parameterizations=params, train=train, out_dir=out,
        command=command_string("ldc", args, ("param", "arch", "strategy", "preset", "seeds", "seed", "steps")),
        problem_config=problem, metrics=["rel_l2", "rel_l2_u", "rel_l2_v"], percent={"rel_l2", "rel_l2_u", "rel_l2_v"},
    )
    points, values, shape = evaluation_data(problem, args.reference)
    speed = lambda out_rows: np.hypot(out_rows[:, 0], out_rows[:, 1])  # noqa: E731
    fig = field_comparison(
        {name: predict_on_grid(r.model(0), points, shape, field=speed) for name, r in results.items()},
        np.hypot(values[:, 0], values[:, 1]).reshape(shape),
        {name: (r.history["metric_step"], np.asarray(r.history["metrics"]["rel_l2"])) for name, r in results.items()},
        extent=(0.0, 1.0, 0.0, 1.0), axis_labels=("x", "y"), field_label="|u|", path=out / "ldc.png",
    )
    print(f"figure: {fig}")
    return 0
