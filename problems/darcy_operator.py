"""Darcy flow DeepONet with a CNN branch, supervised (rwf_paper §4.6, App. L.2, Table 14 row "Darcy").

Operator a ↦ u for −∇·(a∇u) = 1 on (0, 1)², u = 0 on the boundary (eq. L.5–L.6). Data:
``pinnrwf generate darcy`` (two-valued thresholded GRF coefficients, the paper's 64 × 64 grid;
the paper's "length scale −0.5" is not a valid GRF parameter, see the README): 2000 training and
100 test pairs. Every training function is known on its whole grid; every test function is
evaluated on its whole grid.

Network: DeepONet (eq. L.1) whose branch is a CNN over the 64 × 64 coefficient field and whose
trunk is an MLP of ``depth`` = 4 hidden layers × 128 GELU (Table 3), latent size 128, an output
bias. The paper does not describe its CNN; ours (:class:`pinnrwf.nn.CNN`, in the spirit of the
CNN branch of Lu et al. 2022) is four 3 × 3 convolutions with stride 2 and 16, 32, 64, 128
channels (64 → 32 → 16 → 8 → 4), GELU, flatten (2048), Dense 128 + GELU, Dense 128. The
parameterization applies to every dense layer (App. L remark), the convolutions stay plain;
``--parameterize-convolutions`` applies it to them as well (RWF/WN: one scale per output
channel; adaptive activation: one slope per channel).

Minibatches (the paper gives none): ``functions_per_batch`` = 64 functions per step, each with
``points_per_function`` = 128 random grid points (8192 rows, close to the 10 000 of the
diffusion–reaction problem); the CNN runs once per function. Inputs are standardized with the
training set's mean and standard deviation of a, targets divided by the training set's RMS of u
(≈ 0.01: the field is small), both scalars (``--no-normalize`` trains on the raw values); the
relative error does not depend on the output scale. Adam 1e-3 × 0.9 every 1000 steps, 5·10⁴
steps (Table 4). Metric: relative L² error per test function, as in ``problems/dr_operator.py``.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import jax
import numpy as np

from pinnrwf import _validation as check
from pinnrwf.nn import CNN, RWF, DeepONet, Plain
from pinnrwf.problem import AbstractProblem, Option, Preset
from pinnrwf.problems.dr_operator import (
    OperatorData,
    SupervisedOperatorObjective,
    check_count,
    float_dtype,
    make_supervised_objective,
    open_split,
    operator_report,
)
from pinnrwf.train import Adam, TrainConfig

DEFAULT_TRAIN = Path("data/darcy_train.h5")
DEFAULT_TEST = Path("data/darcy_test.h5")
PAPER_RESOLUTION = 64


@dataclasses.dataclass(frozen=True)
class DarcyOperatorConfig:
    """The data, minibatches and network of rwf_paper App. L.2 (see the module docstring)."""

    train_data: Path | None = None  # None: data/darcy_train.h5 (see data_path)
    test_data: Path | None = None  # None: data/darcy_test.h5
    generate_data: bool = False  # missing files: generate in memory on the resolution² grid
    resolution: int = PAPER_RESOLUTION  # nodes per side of a and u (the CNN's input is resolution²)
    n_train: int = 2000
    n_test: int = 100
    functions_per_batch: int = 64  # F functions per step (the CNN runs once per function)
    points_per_function: int = 128  # Q random grid points per function and step
    normalize: bool = True  # standardize a, divide u by its training RMS
    channels: tuple[int, ...] = (16, 32, 64, 128)  # CNN convolutions
    kernel_size: int = 3
    stride: int = 2
    branch_hidden: tuple[int, ...] = (128,)  # CNN dense hidden layers after the flatten
    latent_size: int = 128
    width: int = 128  # trunk
    depth: int = 4  # trunk hidden layers
    parameterize_convolutions: bool = False
    n_figure: int = 4

    def __post_init__(self):
        for name in ("n_train", "n_test", "functions_per_batch", "points_per_function", "kernel_size", "stride",
                     "latent_size", "width", "depth", "n_figure"):
            check.positive_int(name, getattr(self, name))
        check.positive_int("resolution", self.resolution, minimum=3)
        for name in ("channels", "branch_hidden"):
            values = getattr(self, name)
            if not isinstance(values, tuple):
                raise ValueError(f"{name} must be a tuple of positive integers, got {values!r}")
            for i, v in enumerate(values):
                check.positive_int(f"{name}[{i}]", v)


def _dataset_config(config: DarcyOperatorConfig):
    from pinnrwf.datasets.generate import DarcyConfig

    return DarcyConfig(n=config.resolution)


def data_path(config: DarcyOperatorConfig, split: str) -> Path:
    """``train_data``/``test_data``, or the default file: ``data/darcy_{split}.h5`` at the paper's
    64 × 64, else ``data/darcy_{split}_n{resolution}.h5``."""
    given = config.train_data if split == "train" else config.test_data
    if given is not None:
        return Path(given)
    if config.resolution == PAPER_RESOLUTION:
        return DEFAULT_TRAIN if split == "train" else DEFAULT_TEST
    return Path("data") / f"darcy_{split}_n{config.resolution}.h5"


def _command(config: DarcyOperatorConfig, n: int, seed: int, path: Path) -> str:
    grid = "" if config.resolution == PAPER_RESOLUTION else f" --n {config.resolution}"
    return f"pinnrwf generate darcy --n-samples {n} --seed {seed}{grid} --out {path}"


@functools.cache
def load_data(config: DarcyOperatorConfig) -> OperatorData:
    """Coefficient fields (flattened, standardized) and solutions on the full grid; read once per config."""
    train_path, test_path = data_path(config, "train"), data_path(config, "test")
    common = dict(problem="darcy", generate=config.generate_data, dataset_config=_dataset_config(config))
    train = open_split("train_data", train_path, n_samples=config.n_train, seed=0,
                       command=_command(config, max(config.n_train, 2000), 0, train_path), **common)
    test = open_split("test_data", test_path, n_samples=config.n_test, seed=1,
                      command=_command(config, max(config.n_test, 100), 1, test_path), **common)
    check_count("n_train", config.n_train, train)
    check_count("n_test", config.n_test, test)
    x, y = train.coordinates["x"], train.coordinates["y"]
    for axis in ("x", "y"):
        other = test.coordinates[axis]
        if other.shape != train.coordinates[axis].shape or not np.allclose(other, train.coordinates[axis]):
            raise ValueError(f"train_data ({train.source}) and test_data ({test.source}) are on different {axis} grids")
    if (x.size, y.size) != (config.resolution, config.resolution):
        raise ValueError(f"resolution ({config.resolution}) must equal the grid of {train.source} "
                         f"({x.size} × {y.size}): the CNN branch reads the whole coefficient field")
    n_grid = x.size * y.size
    if config.points_per_function > n_grid:
        raise ValueError(f"points_per_function ({config.points_per_function}) exceeds the {x.size} × {y.size} = "
                         f"{n_grid} points of the grid")
    dtype = float_dtype()
    a_train = train.load("nu", slice(0, config.n_train)).reshape(config.n_train, n_grid).astype(np.float64)
    u_train = train.load("tensor", slice(0, config.n_train)).reshape(config.n_train, n_grid).astype(np.float64)
    a_test = test.load("nu", slice(0, config.n_test)).reshape(config.n_test, n_grid)
    u_test = test.load("tensor", slice(0, config.n_test)).reshape(config.n_test, n_grid)
    shift, scale, out_scale = 0.0, 1.0, 1.0
    if config.normalize:
        shift, scale = float(a_train.mean()), float(a_train.std()) or 1.0
        out_scale = float(np.sqrt(np.mean(u_train**2)))
    xx, yy = np.meshgrid(x, y, indexing="ij")  # the tensor's (x, y) order
    grid = np.stack([xx.ravel(), yy.ravel()], axis=1).astype(dtype)
    return OperatorData(
        train_inputs=((a_train - shift) / scale).astype(dtype), train_points=grid,
        train_values=(u_train / out_scale).astype(dtype),
        test_inputs=((a_test - shift) / scale).astype(dtype), grid=grid, test_values=(u_test / out_scale).astype(dtype),
        grid_shape=(x.size, y.size), axes=("x", "y"), input_shape=(x.size, y.size), input_coordinates=(x, y),
        input_shift=shift, input_scale=scale, output_scale=out_scale,
    )


@functools.cache
def make_objective(config: DarcyOperatorConfig) -> SupervisedOperatorObjective:
    return make_supervised_objective(load_data(config), config.functions_per_batch * config.points_per_function,
                                     config.functions_per_batch)


def make_model(config: DarcyOperatorConfig, parameterization, *, key):
    """DeepONet with the CNN branch of the module docstring."""
    n = config.resolution
    bkey, key = jax.random.split(key)
    branch = CNN((1, n, n), config.latent_size, channels=config.channels, kernel_size=config.kernel_size,
                 stride=config.stride, hidden=config.branch_hidden, parameterization=parameterization,
                 conv_parameterization=parameterization if config.parameterize_convolutions else Plain(),
                 activation="gelu", key=bkey)
    return DeepONet(n * n, 2, config.latent_size, config.width, config.depth, parameterization, activation="gelu",
                    branch=branch, key=key)


RWF_DARCY = RWF(mean=1.0, std=0.1)  # rwf_paper Table 5


class DarcyOperator(AbstractProblem[DarcyOperatorConfig]):
    """rwf_paper App. L.2, Table 14 row Darcy (``pinnrwf bench table14`` aggregates)."""

    name = "darcy"
    description = "Darcy flow DeepONet with a CNN branch (supervised), relative L2 error per test function"
    presets = {
        "smoke": Preset(DarcyOperatorConfig(generate_data=True, resolution=17, n_train=16, n_test=4,
                                            functions_per_batch=4, points_per_function=16, channels=(4, 8),
                                            branch_hidden=(16,), latent_size=16, width=16, depth=2, n_figure=2),
                        TrainConfig(steps=20, chunk_steps=10), Adam(decay_steps=1000)),
        # quick: 32 functions x 32 points per step, half the CNN channels, 5000 steps: ≈ 20 min for 5 x 3 seeds
        "quick": Preset(DarcyOperatorConfig(functions_per_batch=32, points_per_function=32, channels=(8, 16, 32, 64)),
                        TrainConfig(steps=5000, seeds=3, chunk_steps=250), Adam(decay_steps=1000)),
        "paper": Preset(DarcyOperatorConfig(), TrainConfig(steps=50_000, seeds=10, chunk_steps=500, eval_every=1000),
                        Adam(decay_steps=1000)),
    }
    metrics = ("rel_l2", "rel_l2_std")
    percent_metrics = frozenset(metrics)
    default_parameterizations = "plain,aa,wn,rwf,wc-row"
    rwf = RWF_DARCY
    options = (
        Option("train_data", f"training set from `pinnrwf generate darcy` (default: {DEFAULT_TRAIN})", type=Path),
        Option("test_data", f"test set (default: {DEFAULT_TEST})", type=Path),
        Option("generate_data", "generate missing data sets in memory for this run (≈ 30 s for 2000 fields)",
               const=True),
        Option("n_train", "training functions (the first N of the file)"),
        Option("n_test", "test functions (the first N of the file)"),
        Option("functions_per_batch", "F: functions per step"),
        Option("points_per_function", "Q: random grid points per function and step"),
        Option("parameterize_convolutions", "apply the parameterization to the CNN's convolutions too",
               const=True),
        Option("normalize", "train on raw a and u (no standardization)", flag="--no-normalize", const=False),
        Option("channels", "output channels of the CNN's convolutions"),
        Option("branch_hidden", "dense hidden layers of the CNN after the flatten"),
        Option("latent_size", "q: branch/trunk output size"),
        Option("width", "trunk neurons per hidden layer"),
        Option("depth", "trunk hidden layers"),
    )

    def objective(self, config, train):
        return make_objective(config)

    def init_model(self, config, parameterization):
        return lambda key: make_model(config, parameterization, key=key)

    def report(self, config, results, out_dir):
        return operator_report("darcy", "Darcy flow DeepONet (CNN branch)", load_data(config), make_objective(config),
                               results, out_dir, n_figure=config.n_figure, input_label="a(x, y)",
                               field_label="u(x, y)")
