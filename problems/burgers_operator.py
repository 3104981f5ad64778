"""Physics-informed DeepONet for viscous Burgers (rwf_paper §4.6, App. L.3, Table 14).

Operator a = u(·, 0) ↦ u for u_t + u u_x − ν u_xx = 0, ν = 0.001, periodic on [0, 1), t ∈ (0, 1] (eq. L.7–L.8). Network:
modified DeepONet (eq. L.14–L.20), ``depth`` = 5 dense layers × 128 tanh per sub-network, branch input a on the m = 100
sensors x_j = j/m, trunk input [cos 2πx, sin 2πx, t] (eq. L.9: exact periodicity, no boundary loss); gate (``--gate``):
the paper's (1 − Z) ⊙ U + Z ⊙ V (eq. L.17–L.18) or the authors' code's Z ⊙ U + (1 − Z) ⊙ V. Loss (eq. L.11–L.13,
:class:`pinnrwf.operator.PhysicsInformedOperatorObjective`): λ_ic L_ic + λ_r L_r, λ_ic = 100, λ_r = 1; each step
draws N = 64 of the 1000 training initial conditions (the ``u0`` of ``pinnrwf generate burgers-operator``, seed 0; GRF
scaled as the benchmark's code), P = 100 of the sensors as initial points and Q = 512 residual points uniform in
[0, 1)²; the residual: :func:`pinnrwf.problems.equations.burgers` on the trunk closure y ↦ G(a)(y). Test (Table 14):
100 more (seed 1) solved by ETDRK4 on the 100 × 101 grid (``solver_*``: its resolution), read from ``--test-data``
(default ``data/burgers_test.h5``) only if it holds exactly this set, else solved in memory (``--generate-reference``).
Metric: relative L² error per test function, mean ``rel_l2`` and std ``rel_l2_std`` over the test set. Adam 1e-3 × 0.9
every 2000 steps, 10⁵ steps (App. L.3; Table 4's 2·10³ iterations read as a typo).
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from pinnrwf.config import Config, field, int_at_least, nonnegative, one_of, optional, positive, positive_int, seed
from pinnrwf.datasets.generate import BurgersConfig
from pinnrwf.nn import RWF, ModifiedDeepONet, PeriodicEmbedding
from pinnrwf.operator import OperatorPredictionsReport, make_physics_informed_objective, solved_grid_test_set
from pinnrwf.problem import AbstractProblem, Preset
from pinnrwf.problems.equations import burgers
from pinnrwf.train import Adam, TrainConfig


@dataclasses.dataclass(frozen=True)
class BurgersOperatorConfig(Config):
    """The network, loss, data and test set of rwf_paper App. L.3 (see the module docstring)."""

    nu: float = field(0.001, positive)
    width: int = field(128, positive_int)
    depth: int = field(5, positive_int)
    gate: str = field(
        "paper",
        one_of("paper", "reference"),
        help="modified-DeepONet gate: paper ((1−Z)⊙U + Z⊙V, "
        "eq. L.17) or reference (Z⊙U + (1−Z)⊙V, the authors' code) (default: paper)",
    )
    n_sensors: int = field(100, int_at_least(4))
    n_train: int = field(1000, positive_int)
    train_seed: int = field(0, seed)
    n_functions: int = field(64, positive_int, help="input functions per step (N)")
    n_initial: int = field(100, positive_int)
    n_residual: int = field(512, positive_int, help="residual points per function (Q)")
    weight_ic: float = field(100.0, nonnegative)
    weight_residual: float = field(1.0, nonnegative)
    n_test: int = field(100, positive_int, help="number of test initial conditions")
    test_seed: int = field(1, seed)
    eval_nt: int = field(101, int_at_least(2))
    test_data: Path | None = field(None, help="HDF5 test set (default: data/burgers_test.h5)")
    generate_reference: bool = field(False, help="solve a missing test set in memory (≈ 1 min for 100 functions)")
    solver_n_internal: int | None = field(None, optional(positive_int))
    solver_dt: float = field(1e-4, positive)

    def __check_init__(self):
        if self.n_initial > self.n_sensors:
            raise ValueError(
                f"n_initial must be ≤ n_sensors = {self.n_sensors} (the initial points are a subset of "
                f"the sensor grid), got {self.n_initial}"
            )
        optional(int_at_least(self.n_sensors))("solver_n_internal", self.solver_n_internal)

    def dataset_config(self) -> BurgersConfig:
        """The generator's config of this problem's data (``pinnrwf generate burgers-operator`` options)."""
        return BurgersConfig(
            nu=self.nu,
            nx=self.n_sensors,
            nt=self.eval_nt,
            t_final=1.0,
            dt=self.solver_dt,
            n_internal=self.solver_n_internal,
        )


@functools.cache
def test_set(config: BurgersOperatorConfig):
    """Test initial conditions and solutions on the (t, x) grid (float32, from the file or solved)."""
    return solved_grid_test_set(
        "burgers-operator",
        config.dataset_config(),
        config,
        inputs="u0",
        axes=("t", "x"),
        input_axes=("x",),
        default=Path("data/burgers_test.h5"),
    )


@functools.cache
def make_objective(config: BurgersOperatorConfig):
    return make_physics_informed_objective(burgers(config.nu), config.dataset_config(), "u0", test_set(config), config)


class BurgersOperator(AbstractProblem[BurgersOperatorConfig]):
    """rwf_paper App. L.3, Table 14 (``pinnrwf bench table14`` runs it with DR and Darcy)."""

    name = "burgers-operator"
    description = "Physics-informed modified DeepONet for Burgers (ν = 0.001), relative L2 test error"
    dataset = BurgersConfig
    presets = {
        "smoke": Preset(
            BurgersOperatorConfig(
                width=16,
                depth=2,
                n_sensors=32,
                n_train=16,
                n_functions=4,
                n_initial=8,
                n_residual=8,
                n_test=3,
                eval_nt=11,
                generate_reference=True,
                solver_n_internal=256,
                solver_dt=1e-3,
            ),
            TrainConfig(steps=20, chunk_steps=10),
            Adam(decay_steps=2000),
        ),
        "quick": Preset(
            BurgersOperatorConfig(
                width=64, depth=4, n_functions=8, n_initial=32, n_residual=32, n_test=32, generate_reference=True
            ),
            TrainConfig(steps=2000, seeds=3, chunk_steps=100, eval_every=500),
            Adam(decay_steps=2000),
        ),
        "paper": Preset(
            BurgersOperatorConfig(),
            TrainConfig(steps=100_000, seeds=10, chunk_steps=1000, eval_every=5000),
            Adam(decay_steps=2000),
        ),
    }
    metrics = ("rel_l2", "rel_l2_std")
    percent_metrics = frozenset(metrics)
    default_parameterizations = "plain,aa,wn,rwf,wc-row"
    rwf = RWF(mean=1.0, std=0.1)  # rwf_paper Table 5
    reports = (
        OperatorPredictionsReport(
            "burgers_operator",
            "Physics-informed Burgers DeepONet",
            "a(x) = u(x, 0)",
            "u(x, t)",
            data=test_set,
            objective=make_objective,
            show="spread",
        ),
    )

    def objective(self, config, train):
        return make_objective(config)

    def init_model(self, config, parameterization):
        return lambda key: ModifiedDeepONet(
            config.n_sensors,
            2,
            config.width,
            config.depth,
            parameterization,
            activation="tanh",
            reference_gate=config.gate == "reference",
            key=key,
            trunk_embedding=PeriodicEmbedding(2, axes=(0,), periods=(1.0,)),
        )  # eq. L.9
