"""Darcy flow DeepONet with a CNN branch, supervised (rwf_paper §4.6, App. L.2, Table 14 row "Darcy").

Operator a ↦ u for −∇·(a∇u) = 1 on (0, 1)², u = 0 on the boundary (eq. L.5–L.6). Data: ``pinnrwf generate
darcy`` (two-valued thresholded GRF coefficients on the paper's 64 × 64 grid; the paper's "length scale
−0.5" is not a valid GRF parameter, see the README): 2000 training and 100 test pairs, each known on its
whole grid. Network: DeepONet (eq. L.1) whose branch is a CNN over the coefficient field and whose trunk
is an MLP of ``depth`` = 4 hidden layers × 128 GELU (Table 3), latent size 128, an output bias. The paper
does not describe its CNN; ours (:class:`pinnrwf.nn.CNN`, after the CNN branch of Lu et al. 2022) is four
3 × 3 convolutions with stride 2 and 16, 32, 64, 128 channels (64 → 32 → 16 → 8 → 4), GELU, flatten,
Dense 128 + GELU, Dense 128. The parameterization applies to every dense layer (App. L remark); the
convolutions stay plain unless ``--parameterize-convolutions`` (RWF/WN: one scale per output channel).
Minibatches (the paper gives none): 64 functions per step × 128 random grid points each (the CNN runs
once per function). Inputs are standardized with the training set's mean and std of a, targets divided
by its RMS of u (≈ 0.01), both scalars (``--no-normalize``: raw values). Adam 1e-3 × 0.9 every 1000
steps, 5·10⁴ steps (Table 4). Metric: relative L² error per test function, as in ``dr``.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import jax

from pinnrwf.config import Config, each, field, positive_int
from pinnrwf.datasets.generate import DarcyConfig
from pinnrwf.nn import CNN, RWF, DeepONet, Plain
from pinnrwf.operator import OperatorPredictionsReport, grid_operator_data, make_supervised_objective, open_train_test
from pinnrwf.problem import AbstractProblem, Option, Preset
from pinnrwf.train import Adam, TrainConfig


@dataclasses.dataclass(frozen=True)
class DarcyOperatorConfig(Config):
    """The data, minibatches and network of rwf_paper App. L.2 (see the module docstring)."""

    train_data: Path | None = None  # None: data/darcy_train.h5, or data/darcy_train_n{resolution}.h5
    test_data: Path | None = None  # None: data/darcy_test.h5, or data/darcy_test_n{resolution}.h5
    generate_data: bool = False  # missing files: generate in memory on the resolution² grid
    resolution: int = field(64, positive_int)  # nodes per side of a and u (the CNN's input is resolution²)
    n_train: int = field(2000, positive_int)
    n_test: int = field(100, positive_int)
    functions_per_batch: int = field(64, positive_int)  # F functions per step (the CNN runs once per function)
    points_per_function: int = field(128, positive_int)  # Q random grid points per function and step
    normalize: bool = True  # standardize a, divide u by its training RMS
    channels: tuple[int, ...] = field((16, 32, 64, 128), each(positive_int))  # CNN convolutions
    kernel_size: int = field(3, positive_int)
    stride: int = field(2, positive_int)
    branch_hidden: tuple[int, ...] = field((128,), each(positive_int))  # CNN dense hidden layers after the flatten
    latent_size: int = field(128, positive_int)
    width: int = field(128, positive_int)  # trunk
    depth: int = field(4, positive_int)  # trunk hidden layers
    parameterize_convolutions: bool = False
    n_figure: int = field(4, positive_int)

    def __check_init__(self):
        if self.resolution < 3:
            raise ValueError(f"resolution must be ≥ 3, got {self.resolution}")


@functools.cache
def load_data(config: DarcyOperatorConfig):
    """Coefficient fields (flattened, standardized) and solutions on the full grid; read once per config."""
    grid = "" if config.resolution == 64 else f"_n{config.resolution}"
    paths = tuple(Path(p or f"data/darcy_{s}{grid}.h5") for p, s in [(config.train_data, "train"),
                                                                   (config.test_data, "test")])
    train, test = open_train_test("darcy", DarcyConfig(n=config.resolution), paths, (config.n_train, config.n_test),
                                  file_counts=(2000, 100), generate=config.generate_data)
    return grid_operator_data(train, test, inputs="nu", input_axes=("x", "y"), axes=("x", "y"), sample_points=False,
                              sizes={"x": ("resolution", config.resolution), "y": ("resolution", config.resolution)},
                              n_train=config.n_train, n_test=config.n_test,
                              points_per_function=config.points_per_function, normalize=config.normalize)


@functools.cache
def make_objective(config: DarcyOperatorConfig):
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


class DarcyOperator(AbstractProblem[DarcyOperatorConfig]):
    """rwf_paper App. L.2, Table 14 row Darcy (``pinnrwf bench table14`` aggregates)."""

    name = "darcy"
    description = "Darcy flow DeepONet with a CNN branch (supervised), relative L2 error per test function"
    dataset = DarcyConfig
    presets = {
        "smoke": Preset(DarcyOperatorConfig(generate_data=True, resolution=17, n_train=16, n_test=4, channels=(4, 8),
                                            functions_per_batch=4, points_per_function=16, branch_hidden=(16,),
                                            latent_size=16, width=16, depth=2, n_figure=2),
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
    rwf = RWF(mean=1.0, std=0.1)  # rwf_paper Table 5
    options = (
        Option("train_data", "training set from `pinnrwf generate darcy` (default: data/darcy_train.h5)", type=Path),
        Option("test_data", "test set (default: data/darcy_test.h5)", type=Path),
        Option("generate_data", "generate missing data sets in memory (≈ 30 s for 2000 fields)", const=True),
        Option("n_train", "training functions (the first N of the file)"),
        Option("n_test", "test functions (the first N of the file)"),
        Option("functions_per_batch", "F: functions per step"),
        Option("points_per_function", "Q: random grid points per function and step"),
        Option("parameterize_convolutions", "apply the parameterization to the CNN's convolutions too", const=True),
        Option("normalize", "train on raw a and u (no standardization)", flag="--no-normalize", const=False),
        Option("channels", "output channels of the CNN's convolutions"),
        Option("branch_hidden", "dense hidden layers of the CNN after the flatten"),
        Option("latent_size", "q: branch/trunk output size"),
        Option("width", "trunk neurons per hidden layer"),
        Option("depth", "trunk hidden layers"),
    )
    predictions = OperatorPredictionsReport("darcy", "Darcy flow DeepONet (CNN branch)", "a(x, y)", "u(x, y)")

    def objective(self, config, train):
        return make_objective(config)

    def init_model(self, config, parameterization):
        return lambda key: make_model(config, parameterization, key=key)

    def report(self, config, results, out_dir):
        data, objective = load_data(config), make_objective(config)
        return self.predictions(data, objective, results, out_dir, n_figure=config.n_figure)
