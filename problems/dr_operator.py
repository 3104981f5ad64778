"""Diffusion–reaction DeepONet, supervised (rwf_paper §4.6, App. L.1, Table 14 row "DR").

Operator a ↦ u for u_t = D u_xx + k u² + a(x), D = k = 0.01, zero initial and boundary values (eq. L.4). Data:
``pinnrwf generate dr`` (GRF sources, length scale 0.2, the paper's 100 × 100 (t, x) grid; default files
``data/diffusion_reaction_{train,test}.h5``, on another grid ``..._nx{sensors}_nt{nt}.h5``): 5000 training and 100
test functions; the branch input is a on the x-grid (m = 100 sensors); each training function keeps P = 100 (x, t)
grid points drawn once (seeded, distinct); test functions: the full grid. Network: DeepONet (eq. L.1), branch and
trunk MLPs of ``depth`` = 5 hidden layers × 64 tanh (the authors' code: 4 hidden layers plus a linear output layer,
``--depth 4``), latent size 64, an output bias, the parameterization on every dense layer (App. L remark). Loss: MSE
over a minibatch of (function, point) pairs (eq. L.2; the paper gives no size): 10 000 independent pairs per step as
the reference code, or ``--functions-per-batch F``: F functions × ``batch_size / F`` of their points (the branch runs
F times: 1.8× faster per step for F = 100 on 2 CPU cores; an unbiased estimate of the same loss). Adam 1e-3 × 0.9
every 1000 steps, 5·10⁴ steps (Table 4). Metric: the relative L² error ‖u − û‖/‖u‖ of every test function; ``rel_l2``
/ ``rel_l2_std``: its mean / std over the test set (Table 14).
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from pinnrwf.config import Config, field, int_at_least, nonnegative_int, one_of, positive_int, seed
from pinnrwf.datasets.generate import DiffusionReactionConfig
from pinnrwf.nn import RWF, DeepONet
from pinnrwf.operator import BRANCH_EVALUATIONS, OperatorPredictionsReport, load_train_test, make_supervised_objective
from pinnrwf.problem import AbstractProblem, Preset
from pinnrwf.train import Adam, TrainConfig


@dataclasses.dataclass(frozen=True)
class DROperatorConfig(Config):
    """The data, minibatches and network of rwf_paper App. L.1 (see the module docstring)."""

    train_data: Path | None = field(None, help="training set (default: data/diffusion_reaction_train.h5)")
    test_data: Path | None = field(None, help="test set (default: data/diffusion_reaction_test.h5)")
    generate_data: bool = field(False, help="generate missing data sets in memory (≈ 20 s for 5000 functions)")
    nt: int = field(100, positive_int)  # time points of the data grid (default file names, --generate-data)
    n_train: int = field(5000, positive_int, help="training functions (the first N of the file)")
    n_test: int = field(100, positive_int, help="test functions (the first N of the file)")
    sensors: int = field(100, int_at_least(3))  # m: a on the dataset's x-grid (≥ 3: the solver's grid)
    points_per_function: int = field(100, positive_int, help="P: training points kept per function (drawn once)")
    points_seed: int = field(0, seed, help="seed of the P points of every function")
    points_with_replacement: bool = field(False, help="draw the P points with replacement (the reference code)")
    batch_size: int = field(10_000, positive_int, help="(function, point) rows per step (paper: 10000; quick: 1000)")
    functions_per_batch: int = field(
        0, nonnegative_int, help="0: independent pairs; F: F functions x batch_size/F of their points"
    )
    branch_evaluation: str = field(
        "auto",
        one_of(*BRANCH_EVALUATIONS),
        help="per-function: the branch runs once "
        "per training function and is gathered (the same loss); per-row: once per pair; "
        "auto: per-function if batch_size >= n_train",
    )
    width: int = field(64, positive_int, help="neurons per hidden layer of branch and trunk")
    depth: int = field(5, positive_int, help="hidden layers of branch and trunk (the reference code: 4)")
    latent_size: int = field(64, positive_int, help="q: branch/trunk output size")
    n_figure: int = field(4, positive_int)

    def __check_init__(self):
        if self.functions_per_batch and self.batch_size % self.functions_per_batch:
            raise ValueError(
                f"batch_size ({self.batch_size}) must be a multiple of functions_per_batch ({self.functions_per_batch})"
            )
        if self.branch_evaluation == "per-function" and self.functions_per_batch:
            raise ValueError("branch_evaluation 'per-function' applies to independent pairs (functions_per_batch = 0)")


@functools.cache
def load_data(config: DROperatorConfig):
    """The training triples (a, y, u) and the test fields; read (or generated) once per config."""
    grid = "" if (config.sensors, config.nt) == (100, 100) else f"_nx{config.sensors}_nt{config.nt}"
    return load_train_test(
        "dr",
        DiffusionReactionConfig(nx=config.sensors, nt=config.nt),
        config,
        stem="diffusion_reaction",
        grid=grid,
        file_counts=(5000, 100),
        inputs="source",
        input_axes=("x",),
        axes=("t", "x"),
        sizes={"x": ("sensors", config.sensors)},
        sample_points=True,
        points_seed=config.points_seed,
        with_replacement=config.points_with_replacement,
    )


@functools.cache
def make_objective(config: DROperatorConfig):
    return make_supervised_objective(
        load_data(config), config.batch_size, config.functions_per_batch, branch_evaluation=config.branch_evaluation
    )


class DiffusionReactionOperator(AbstractProblem[DROperatorConfig]):
    """rwf_paper App. L.1, Table 14 row DR (``pinnrwf bench table14`` aggregates)."""

    name = "dr"
    description = "Diffusion–reaction DeepONet (supervised), relative L2 error per test function"
    dataset = DiffusionReactionConfig
    presets = {
        "smoke": Preset(
            DROperatorConfig(
                generate_data=True,
                nt=11,
                n_train=32,
                n_test=4,
                sensors=21,
                batch_size=128,
                points_per_function=20,
                width=16,
                depth=2,
                latent_size=16,
                n_figure=2,
            ),
            TrainConfig(steps=20, chunk_steps=10),
            Adam(decay_steps=1000),
        ),
        # quick: 1000 pairs per step (10x fewer than the paper's) for 8000 steps, ≈ 20 min for 5 x 3 seeds on 2 cores
        "quick": Preset(
            DROperatorConfig(batch_size=1000), TrainConfig(steps=8000, seeds=3, chunk_steps=250), Adam(decay_steps=1000)
        ),
        "paper": Preset(
            DROperatorConfig(),
            TrainConfig(steps=50_000, seeds=10, chunk_steps=500, eval_every=1000),
            Adam(decay_steps=1000),
        ),
    }
    metrics = ("rel_l2", "rel_l2_std")
    percent_metrics = frozenset(metrics)
    default_parameterizations = "plain,aa,wn,rwf,wc-row"
    rwf = RWF(mean=1.0, std=0.1)  # rwf_paper Table 5
    reports = (
        OperatorPredictionsReport(
            "dr",
            "Diffusion–reaction DeepONet",
            "a(x)",
            "u(x, t)",
            data=load_data,
            objective=make_objective,
            n_figure="n_figure",
        ),
    )

    def objective(self, config, train):
        return make_objective(config)

    def init_model(self, config, parameterization):
        return lambda key: DeepONet(
            config.sensors,
            2,
            config.latent_size,
            config.width,
            config.depth,
            parameterization,
            activation="tanh",
            key=key,
        )
