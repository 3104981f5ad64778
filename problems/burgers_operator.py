"""Physics-informed DeepONet for viscous Burgers (rwf_paper §4.6, App. L.3, Table 14).

Operator a ↦ u from u(x, 0) = a(x) to the solution of u_t + u u_x − ν u_xx = 0 on [0, 1) × (0, 1],
periodic in x, ν = 0.001 (eq. L.7–L.8). Network: modified DeepONet (eq. L.14–L.20), ``depth`` = 5 dense
layers of 128 tanh per sub-network, branch input a on the m = 100 sensors x_j = j/100, trunk input
[cos 2πx, sin 2πx, t] (eq. L.9: exact periodicity, no boundary loss). Gate: the paper's (1 − Z) ⊙ U +
Z ⊙ V (eq. L.17–L.18); ``--gate reference``: the authors' code's Z ⊙ U + (1 − Z) ⊙ V. Loss (eq.
L.11–L.13, :class:`pinnrwf.operator.PhysicsInformedOperatorObjective`): λ_ic L_ic + λ_r L_r, λ_ic = 100,
λ_r = 1; each step draws N = 64 of the 1000 training initial conditions, P = 100 initial points per
function (a subset of the sensors) and Q = 512 residual points uniform in [0, 1)². The residual is
:func:`pinnrwf.problems.equations.burgers` on the trunk closure y ↦ G(a)(y) (derivatives along (x, t)
only); ν u_xx as ``p.laplacian("u")`` makes the DSL's plan one forward-Laplacian pass (a quick-preset step:
6.5–6.9 ms against 10.3–11.0 ms with nested jvps, ``benchmarks/results/table14/cpu-xeon-2c/burgers-operator-quick``).
Data: the ``u0`` of ``pinnrwf generate burgers-operator`` (seed 0; GRF scaled as the benchmark's code,
25² on each mode's std). Test (Table 14): 100 further initial conditions (seed 1) solved by ETDRK4 on the
100 × 101 grid, the file of ``pinnrwf generate burgers-operator --n-samples 100 --seed 1 --out
data/burgers_test.h5`` or solved in memory (``--generate-reference``). Metric: relative L² error per test
function, mean (``rel_l2``) and std (``rel_l2_std``) over the test set. Adam 1e-3 × 0.9 every 2000 steps,
10⁵ steps (App. L.3; Table 4's 2·10³ iterations read as a typo).
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import jax.numpy as jnp
import numpy as np

from pinnrwf import _validation as check
from pinnrwf.config import Config, field, nonnegative, one_of, optional, positive, positive_int, seed
from pinnrwf.datasets.generate import BurgersConfig
from pinnrwf.nn import RWF, ModifiedDeepONet, PeriodicEmbedding
from pinnrwf.operator import OperatorData, OperatorPredictionsReport, PhysicsInformedOperatorObjective, grid_points
from pinnrwf.operator import solved_test_set
from pinnrwf.problem import AbstractProblem, Option, Preset
from pinnrwf.problems.equations import burgers
from pinnrwf.train import Adam, TrainConfig

GATES = ("paper", "reference")


@dataclasses.dataclass(frozen=True)
class BurgersOperatorConfig(Config):
    """``n_sensors`` m: the branch input size and the grid x_j = j/m of the initial conditions and test
    solutions; ``test_data`` (None: data/burgers_test.h5) is used when it holds exactly this test set,
    else ``generate_reference`` solves it in memory (``solver_*``: the solver's resolution)."""

    nu: float = field(0.001, positive)
    width: int = field(128, positive_int)
    depth: int = field(5, positive_int)
    gate: str = field("paper", one_of(*GATES))
    n_sensors: int = field(100, positive_int)
    n_train: int = field(1000, positive_int)
    train_seed: int = field(0, seed)
    n_functions: int = field(64, positive_int)
    n_initial: int = field(100, positive_int)
    n_residual: int = field(512, positive_int)
    weight_ic: float = field(100.0, nonnegative)
    weight_residual: float = field(1.0, nonnegative)
    n_test: int = field(100, positive_int)
    test_seed: int = field(1, seed)
    eval_nt: int = field(101, positive_int)
    test_data: Path | None = None
    generate_reference: bool = False
    solver_n_internal: int | None = field(None, optional(positive_int))
    solver_dt: float = field(1e-4, positive)

    def __check_init__(self):
        check.positive_int("n_sensors", self.n_sensors, minimum=4)
        check.positive_int("eval_nt", self.eval_nt, minimum=2)
        if self.n_initial > self.n_sensors:
            raise ValueError(f"n_initial must be ≤ n_sensors = {self.n_sensors} (the initial points are a subset of "
                             f"the sensor grid), got {self.n_initial}")
        if self.solver_n_internal is not None:
            check.positive_int("solver_n_internal", self.solver_n_internal, minimum=self.n_sensors)

    def dataset_config(self) -> BurgersConfig:
        """The generator's config of this problem's data (``pinnrwf generate burgers-operator`` options)."""
        return BurgersConfig(nu=self.nu, nx=self.n_sensors, nt=self.eval_nt, t_final=1.0, dt=self.solver_dt,
                             n_internal=self.solver_n_internal)


@functools.cache
def test_set(config: BurgersOperatorConfig) -> OperatorData:
    """Test initial conditions and solutions on the (t, x) grid (float32, from the file or solved)."""
    path = Path(config.test_data or "data/burgers_test.h5")
    u0, u = solved_test_set("burgers-operator", config.dataset_config(), path, config.n_test, config.test_seed,
                            solve_missing=config.generate_reference, explicit_path=config.test_data is not None,
                            fields=("u0", "tensor"))
    x = np.arange(config.n_sensors) / config.n_sensors
    coords = {"x": x, "t": np.linspace(0.0, 1.0, config.eval_nt)}
    return OperatorData(test_inputs=u0, grid=grid_points(coords, ("t", "x")), test_values=u.reshape(len(u), -1),
                        grid_shape=(config.eval_nt, config.n_sensors), axes=("t", "x"), input_shape=(x.size,),
                        input_coordinates=(x,))


@functools.cache
def make_objective(config: BurgersOperatorConfig) -> PhysicsInformedOperatorObjective:
    data = test_set(config)
    train_inputs = config.dataset_config().sample_inputs(config.n_train, config.train_seed)["u0"].astype(np.float32)
    return PhysicsInformedOperatorObjective(
        burgers(config.nu), train_inputs, data.test_inputs, data.test_values, data.grid, n_functions=config.n_functions,
        n_initial=config.n_initial, n_residual=config.n_residual, weight_ic=config.weight_ic,
        weight_residual=config.weight_residual)


class BurgersOperator(AbstractProblem[BurgersOperatorConfig]):
    """rwf_paper App. L.3, Table 14 (``pinnrwf bench table14`` runs it with DR and Darcy)."""

    name = "burgers-operator"
    description = "Physics-informed modified DeepONet for Burgers (ν = 0.001), relative L2 test error"
    dataset = BurgersConfig
    presets = {
        "smoke": Preset(BurgersOperatorConfig(width=16, depth=2, n_sensors=32, n_train=16, n_functions=4, n_initial=8,
                                              n_residual=8, n_test=3, eval_nt=11, generate_reference=True,
                                              solver_n_internal=256, solver_dt=1e-3),
                        TrainConfig(steps=20, chunk_steps=10), Adam(decay_steps=2000)),
        "quick": Preset(BurgersOperatorConfig(width=64, depth=4, n_functions=8, n_initial=32, n_residual=32,
                                              n_test=32, generate_reference=True),
                        TrainConfig(steps=2000, seeds=3, chunk_steps=100, eval_every=500), Adam(decay_steps=2000)),
        "paper": Preset(BurgersOperatorConfig(),
                        TrainConfig(steps=100_000, seeds=10, chunk_steps=1000, eval_every=5000),
                        Adam(decay_steps=2000)),
    }
    metrics = ("rel_l2", "rel_l2_std")
    percent_metrics = frozenset(metrics)
    default_parameterizations = "plain,aa,wn,rwf,wc-row"
    rwf = RWF(mean=1.0, std=0.1)  # rwf_paper Table 5
    options = (
        Option("gate", "modified-DeepONet gate: paper ((1−Z)⊙U + Z⊙V, eq. L.17) or reference (Z⊙U + (1−Z)⊙V, "
               "the authors' code) (default: paper)", choices=GATES),
        Option("test_data", "HDF5 test set of `pinnrwf generate burgers-operator --n-samples 100 --seed 1` "
               "(default: data/burgers_test.h5)", type=Path),
        Option("generate_reference", "if the test file is missing, solve the test set in memory for this run "
               "(≈ 1 min for the paper's 100 functions)", const=True),
        Option("n_test", "number of test initial conditions", type=int),
        Option("n_functions", "input functions per step (N)", type=int),
        Option("n_residual", "residual points per function (Q)", type=int),
    )
    predictions = OperatorPredictionsReport("burgers_operator", "Physics-informed Burgers DeepONet", "a(x) = u(x, 0)",
                                            "u(x, t)", show="spread")

    def objective(self, config, train):
        return make_objective(config)

    def init_model(self, config, parameterization):
        embedding = PeriodicEmbedding(2, axes=(0,), periods=(1.0,))  # eq. L.9
        return lambda key: ModifiedDeepONet(config.n_sensors, 2, config.width, config.depth, parameterization,
                                            activation=jnp.tanh, trunk_embedding=embedding,
                                            reference_gate=config.gate == "reference", key=key)

    def report(self, config, results, out_dir):
        return self.predictions(test_set(config), make_objective(config), results, out_dir)
