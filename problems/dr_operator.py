"""Diffusion–reaction DeepONet, supervised (rwf_paper §4.6, App. L.1, Table 14 row "DR").

Operator a ↦ u for u_t = D u_xx + k u² + a(x), D = k = 0.01, zero initial and boundary values (eq. L.4).
Data: ``pinnrwf generate dr`` (GRF sources, length scale 0.2, the paper's 100 × 100 (t, x) grid): 5000
training and 100 test functions; the branch input is a on the x-grid (m = 100 sensors); each training
function keeps P = 100 (x, t) grid points drawn once (seeded, distinct); test functions: the full grid.
Network: DeepONet (eq. L.1), branch and trunk MLPs of ``depth`` = 5 hidden layers × 64 tanh (the authors'
code: 4 hidden layers plus a linear output layer, ``--depth 4``), latent size 64, an output bias, the
parameterization on every dense layer (App. L remark). Loss: MSE over a minibatch of (function, point)
pairs (eq. L.2); Adam 1e-3 × 0.9 every 1000 steps, 5·10⁴ steps (Table 4). Minibatches (the paper gives
none): 10 000 independent pairs per step as the reference code, or ``--functions-per-batch F``: F functions
× ``batch_size / F`` of their points (the branch runs F times: 1.8× faster per step for F = 100 on 2 CPU
cores; an unbiased estimate of the same loss). Metric: the relative L² error ‖u − û‖/‖u‖ of every test
function; ``rel_l2`` / ``rel_l2_std``: its mean / std over the test set (Table 14).
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from pinnrwf.config import Config, field, nonnegative_int, one_of, positive_int, seed
from pinnrwf.datasets.generate import DiffusionReactionConfig
from pinnrwf.nn import RWF, DeepONet
from pinnrwf.operator import BRANCH_EVALUATIONS, OperatorPredictionsReport, grid_operator_data, open_train_test
from pinnrwf.operator import make_supervised_objective
from pinnrwf.problem import AbstractProblem, Option, Preset
from pinnrwf.train import Adam, TrainConfig

PAPER_GRID = (100, 100)  # (sensors = nx, nt)


@dataclasses.dataclass(frozen=True)
class DROperatorConfig(Config):
    """The data, minibatches and network of rwf_paper App. L.1 (see the module docstring)."""

    train_data: Path | None = None  # None: data/diffusion_reaction_train.h5 (see load_data)
    test_data: Path | None = None
    generate_data: bool = False  # missing files: generate in memory on the sensors × nt grid
    nt: int = field(100, positive_int)  # time points of the data grid (default file names, --generate-data)
    n_train: int = field(5000, positive_int)
    n_test: int = field(100, positive_int)
    sensors: int = field(100, positive_int)  # m: a on the dataset's x-grid
    points_per_function: int = field(100, positive_int)  # P: training points kept per function, drawn once
    points_seed: int = field(0, seed)
    points_with_replacement: bool = False  # the reference code's randint (duplicates possible)
    batch_size: int = field(10_000, positive_int)  # (function, point) rows per step
    functions_per_batch: int = field(0, nonnegative_int)  # 0: independent pairs; F: F functions × batch_size / F
    branch_evaluation: str = field("auto", one_of(*BRANCH_EVALUATIONS))
    width: int = field(64, positive_int)
    depth: int = field(5, positive_int)  # hidden layers of branch and trunk
    latent_size: int = field(64, positive_int)
    n_figure: int = field(4, positive_int)

    def __check_init__(self):
        if self.functions_per_batch and self.batch_size % self.functions_per_batch:
            raise ValueError(f"batch_size ({self.batch_size}) must be a multiple of functions_per_batch "
                             f"({self.functions_per_batch})")
        if self.sensors < 3:
            raise ValueError(f"sensors must be ≥ 3 (the x-grid of the solver), got {self.sensors}")
        if self.branch_evaluation == "per-function" and self.functions_per_batch:
            raise ValueError("branch_evaluation 'per-function' applies to independent pairs (functions_per_batch = 0)")


@functools.cache
def load_data(config: DROperatorConfig):
    """The training triples (a, y, u) and the test fields; read (or generated) once per config. Default
    files: ``data/diffusion_reaction_{split}.h5`` on the paper's grid, else ``..._nx{sensors}_nt{nt}.h5``."""
    grid = "" if (config.sensors, config.nt) == PAPER_GRID else f"_nx{config.sensors}_nt{config.nt}"
    paths = tuple(Path(p or f"data/diffusion_reaction_{s}{grid}.h5") for p, s in [(config.train_data, "train"),
                                                                                (config.test_data, "test")])
    dataset = DiffusionReactionConfig(nx=config.sensors, nt=config.nt)
    train, test = open_train_test("dr", dataset, paths, (config.n_train, config.n_test), file_counts=(5000, 100),
                                  generate=config.generate_data)
    return grid_operator_data(train, test, inputs="source", input_axes=("x",), axes=("t", "x"), sample_points=True,
                              sizes={"x": ("sensors", config.sensors)}, n_train=config.n_train, n_test=config.n_test,
                              points_per_function=config.points_per_function, points_seed=config.points_seed,
                              with_replacement=config.points_with_replacement)


@functools.cache
def make_objective(config: DROperatorConfig):
    return make_supervised_objective(load_data(config), config.batch_size, config.functions_per_batch,
                                     branch_evaluation=config.branch_evaluation)


class DiffusionReactionOperator(AbstractProblem[DROperatorConfig]):
    """rwf_paper App. L.1, Table 14 row DR (``pinnrwf bench table14`` aggregates)."""

    name = "dr"
    description = "Diffusion–reaction DeepONet (supervised), relative L2 error per test function"
    dataset = DiffusionReactionConfig
    presets = {
        "smoke": Preset(DROperatorConfig(generate_data=True, nt=11, n_train=32, n_test=4, sensors=21, batch_size=128,
                                         points_per_function=20, width=16, depth=2, latent_size=16, n_figure=2),
                        TrainConfig(steps=20, chunk_steps=10), Adam(decay_steps=1000)),
        # quick: 1000 pairs per step (10x fewer than the paper's) for 8000 steps, ≈ 20 min for 5 x 3 seeds on 2 cores
        "quick": Preset(DROperatorConfig(batch_size=1000), TrainConfig(steps=8000, seeds=3, chunk_steps=250),
                        Adam(decay_steps=1000)),
        "paper": Preset(DROperatorConfig(), TrainConfig(steps=50_000, seeds=10, chunk_steps=500, eval_every=1000),
                        Adam(decay_steps=1000)),
    }
    metrics = ("rel_l2", "rel_l2_std")
    percent_metrics = frozenset(metrics)
    default_parameterizations = "plain,aa,wn,rwf,wc-row"
    rwf = RWF(mean=1.0, std=0.1)  # rwf_paper Table 5
    options = (
        Option("train_data", "from `pinnrwf generate dr` (default: data/diffusion_reaction_train.h5)", type=Path),
        Option("test_data", "test set (default: data/diffusion_reaction_test.h5)", type=Path),
        Option("generate_data", "generate missing data sets in memory (≈ 20 s for 5000 functions)", const=True),
        Option("n_train", "training functions (the first N of the file)"),
        Option("n_test", "test functions (the first N of the file)"),
        Option("points_per_function", "P: training points kept per function (drawn once)"),
        Option("points_seed", "seed of the P points of every function"),
        Option("points_with_replacement", "draw the P points with replacement (the reference code)", const=True),
        Option("batch_size", "(function, point) rows per step (paper: 10000, as the reference code; quick: 1000)"),
        Option("functions_per_batch", "0: independent pairs; F: F functions x batch_size/F of their points"),
        Option("branch_evaluation", "per-function: the branch runs once per training function and is gathered "
               "(the same loss); per-row: once per pair; auto: per-function if batch_size >= n_train",
               choices=BRANCH_EVALUATIONS),
        Option("width", "neurons per hidden layer of branch and trunk"),
        Option("depth", "hidden layers of branch and trunk (the reference code: 4)"),
        Option("latent_size", "q: branch/trunk output size"),
    )
    predictions = OperatorPredictionsReport("dr", "Diffusion–reaction DeepONet", "a(x)", "u(x, t)")

    def objective(self, config, train):
        return make_objective(config)

    def init_model(self, config, parameterization):
        return lambda key: DeepONet(config.sensors, 2, config.latent_size, config.width, config.depth,
                                    parameterization, activation="tanh", key=key)

    def report(self, config, results, out_dir):
        data, objective = load_data(config), make_objective(config)
        return self.predictions(data, objective, results, out_dir, n_figure=config.n_figure)
