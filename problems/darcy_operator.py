"""Darcy flow DeepONet with a CNN branch, supervised (rwf_paper §4.6, App. L.2, Table 14 row "Darcy").

Operator a ↦ u for −∇·(a∇u) = 1 on (0, 1)², u = 0 on the boundary (eq. L.5–L.6). Data: ``pinnrwf generate darcy``
(two-valued thresholded GRF coefficients on the paper's 64 × 64 grid; its "length scale −0.5" is not a valid GRF
parameter, see the README; files ``data/darcy_{train,test}.h5``, ``..._n{resolution}.h5`` on another grid): 2000
training and 100 test pairs, each known on its whole grid. Network: DeepONet (eq. L.1) with a CNN branch over a and an
MLP trunk of ``depth`` = 4 hidden layers × 128 GELU (Table 3), latent size 128, an output bias. The paper does not
describe its CNN; ours (:class:`pinnrwf.nn.CNN`, after Lu et al. 2022) is four 3 × 3 convolutions with stride 2 and 16,
32, 64, 128 channels, GELU, flatten, Dense 128 + GELU, Dense 128. The parameterization applies to every dense layer
(App. L remark); the convolutions stay plain unless ``--parameterize-convolutions`` (RWF/WN: one scale per output
channel). Minibatches (not in the paper): 64 functions per step (the CNN runs once per function) × 128 random grid
points each. a is standardized and u divided by its RMS (≈ 0.01), training-set scalars (``--no-normalize``: raw values).
Adam 1e-3 × 0.9 every 1000 steps, 5·10⁴ steps (Table 4). Metric: relative L² error per test function, as in ``dr``.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import jax

from pinnrwf.config import Config, each, field, int_at_least, positive_int
from pinnrwf.datasets.generate import DarcyConfig
from pinnrwf.nn import CNN, RWF, DeepONet, Plain
from pinnrwf.operator import OperatorPredictionsReport, load_train_test, make_supervised_objective
from pinnrwf.problem import AbstractProblem, Preset
from pinnrwf.train import Adam, TrainConfig


@dataclasses.dataclass(frozen=True)
class DarcyOperatorConfig(Config):
    """The data, minibatches and network of rwf_paper App. L.2 (see the module docstring)."""

    train_data: Path | None = field(None, help="training set (default: data/darcy_train.h5)")
    test_data: Path | None = field(None, help="test set (default: data/darcy_test.h5)")
    generate_data: bool = field(False, help="generate missing data sets in memory (≈ 30 s for 2000 fields)")
    resolution: int = field(64, int_at_least(3))  # nodes per side of a and u (the CNN's input is resolution²)
    n_train: int = field(2000, positive_int, help="training functions (the first N of the file)")
    n_test: int = field(100, positive_int, help="test functions (the first N of the file)")
    functions_per_batch: int = field(64, positive_int, help="F: functions per step")
    points_per_function: int = field(128, positive_int, help="Q: random grid points per function and step")
    normalize: bool = field(True, help="train on raw a and u (no standardization)")
    channels: tuple[int, ...] = field((16, 32, 64, 128), each(positive_int), help="CNN output channels per convolution")
    kernel_size: int = field(3, positive_int)
    stride: int = field(2, positive_int)
    branch_hidden: tuple[int, ...] = field((128,), each(positive_int), help="CNN dense hidden layers after the flatten")
    latent_size: int = field(128, positive_int, help="q: branch/trunk output size")
    width: int = field(128, positive_int, help="trunk neurons per hidden layer")
    depth: int = field(4, positive_int, help="trunk hidden layers")
    parameterize_convolutions: bool = field(False, help="apply the parameterization to the CNN's convolutions too")
    n_figure: int = field(4, positive_int)


@functools.cache
def load_data(config: DarcyOperatorConfig):
    """Coefficient fields (flattened, standardized) and solutions on the full grid; read once per config."""
    return load_train_test(
        "darcy",
        DarcyConfig(n=config.resolution),
        config,
        stem="darcy",
        file_counts=(2000, 100),
        grid="" if config.resolution == 64 else f"_n{config.resolution}",
        inputs="nu",
        input_axes=("x", "y"),
        axes=("x", "y"),
        sample_points=False,
        normalize=config.normalize,
        sizes={axis: ("resolution", config.resolution) for axis in ("x", "y")},
    )


@functools.cache
def make_objective(config: DarcyOperatorConfig):
    return make_supervised_objective(
        load_data(config), config.functions_per_batch * config.points_per_function, config.functions_per_batch
    )


def make_model(config: DarcyOperatorConfig, parameterization, *, key):
    """DeepONet with the CNN branch of the module docstring."""
    bkey, key = jax.random.split(key)
    branch = CNN(
        (1, config.resolution, config.resolution),
        config.latent_size,
        channels=config.channels,
        kernel_size=config.kernel_size,
        stride=config.stride,
        hidden=config.branch_hidden,
        parameterization=parameterization,
        activation="gelu",
        key=bkey,
        conv_parameterization=parameterization if config.parameterize_convolutions else Plain(),
    )
    return DeepONet(
        config.resolution**2,
        2,
        config.latent_size,
        config.width,
        config.depth,
        parameterization,
        activation="gelu",
        branch=branch,
        key=key,
    )


class DarcyOperator(AbstractProblem[DarcyOperatorConfig]):
    """rwf_paper App. L.2, Table 14 row Darcy (``pinnrwf bench table14`` aggregates)."""

    name = "darcy"
    description = "Darcy flow DeepONet with a CNN branch (supervised), relative L2 error per test function"
    dataset = DarcyConfig
    presets = {
        "smoke": Preset(
            DarcyOperatorConfig(
                generate_data=True,
                resolution=17,
                n_train=16,
                n_test=4,
                channels=(4, 8),
                functions_per_batch=4,
                points_per_function=16,
                branch_hidden=(16,),
                latent_size=16,
                width=16,
                depth=2,
                n_figure=2,
            ),
            TrainConfig(steps=20, chunk_steps=10),
            Adam(decay_steps=1000),
        ),
        # quick: 32 functions x 32 points per step, half the CNN channels, 5000 steps: ≈ 20 min for 5 x 3 seeds
        "quick": Preset(
            DarcyOperatorConfig(functions_per_batch=32, points_per_function=32, channels=(8, 16, 32, 64)),
            TrainConfig(steps=5000, seeds=3, chunk_steps=250),
            Adam(decay_steps=1000),
        ),
        "paper": Preset(
            DarcyOperatorConfig(),
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
            "darcy",
            "Darcy flow DeepONet (CNN branch)",
            "a(x, y)",
            "u(x, y)",
            data=load_data,
            objective=make_objective,
            n_figure="n_figure",
        ),
    )

    def objective(self, config, train):
        return make_objective(config)

    def init_model(self, config, parameterization):
        return lambda key: make_model(config, parameterization, key=key)
