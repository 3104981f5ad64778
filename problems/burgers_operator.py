"""Physics-informed DeepONet for viscous Burgers (rwf_paper §4.6, App. L.3, Table 14).

Operator a ↦ u from the initial condition u(x, 0) = a(x) to the solution of
u_t + u u_x − ν u_xx = 0 on (x, t) ∈ [0, 1) × (0, 1], periodic in x, ν = 0.001 (eq. L.7–L.8).

- Network: modified DeepONet (eq. L.14–L.20), ``depth`` = 5 dense layers of 128 tanh units per
  sub-network, branch input a on the m = 100 sensors x_j = j/100, trunk input embedded as
  [cos 2πx, sin 2πx, t] (eq. L.9: exact periodicity, no boundary loss). Gate: the paper's
  (1 − Z) ⊙ U + Z ⊙ V (eq. L.17–L.18); ``--gate reference`` takes the authors' code's
  Z ⊙ U + (1 − Z) ⊙ V.
- Loss (eq. L.11–L.13): λ_ic L_ic + λ_r L_r with λ_ic = 100, λ_r = 1. Every step draws N = 64
  of the 1000 training initial conditions (with replacement, on device), P = 100 initial points
  per function (a random subset of the sensor grid; all of it when P = m) and Q = 512 residual
  points (x, t) uniform in [0, 1) × [0, 1] per function. The residual is
  :func:`pinnrwf.problems.equations.burgers` evaluated by the residual DSL on the trunk closure
  ``y ↦ G(a)(y)``, so derivatives are taken along (x, t) only, never through the branch input.
- Data: training initial conditions only (no solutions): ``pinnrwf generate burgers``'s
  ``sample_inputs(1000, seed=0)``, i.e. the ``u0`` of ``data/burgers_train.h5``; the GRF follows
  the generator's documented scaling (25² on the standard deviation of each mode, as in the
  benchmark's GRF code; the paper's literal N(0, 25²(−Δ + 25 I)⁻⁴) gives amplitudes ≈ 0.01).
- Test (Table 14): 100 further initial conditions (seed 1), solved by the package's ETDRK4
  solver on the 100 × 101 grid x_j = j/100, t_k = k/100: the file of
  ``pinnrwf generate burgers --n-samples 100 --seed 1 --out data/burgers_test.h5``, or solved in
  memory with ``--generate-reference`` (≈ 1 min for 100). Metrics: the relative L² error per test
  function over the grid; ``rel_l2`` is its mean over the test set and ``rel_l2_std`` its standard
  deviation over the test set (Table 14 reports this mean ± std).
- Training: Adam 1e-3 × 0.9 every 2000 steps, 10⁵ steps (App. L.3; Table 4 lists 2·10³
  iterations for Burgers, which we read as a typo: its decay period alone is 2000 steps).

Cost: the encoders U and V are shared by branch and trunk, so the branch cannot be evaluated
once per function: every (function, point) pair is a full pass, and a step costs N·Q residual
passes with second derivatives (paper: 32 768). The residual differentiates only the trunk
closure, along (x, t). The equation writes ν u_xx as ``p.laplacian("u")`` (over x), so the DSL's
plan is one forward-Laplacian pass carrying u, (u_x, u_t) and u_xx: the loss and gradient of a
quick-preset step took 6.5–6.9 ms against 10.3–11.0 ms with the nested-jvp passes (x, x) and
(t, 0), the same loss (``benchmarks/results/table14/cpu-xeon-2c/burgers-operator-quick/measurements.md``).
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, Int, PRNGKeyArray

from pinnrwf import _validation as check
from pinnrwf.datasets import DeviceRows
from pinnrwf.nn import RWF, ModifiedDeepONet, PeriodicEmbedding
from pinnrwf.pde import Equation
from pinnrwf.problem import AbstractProblem, Option, Preset
from pinnrwf.problems.equations import burgers
from pinnrwf.train import AbstractObjective, Adam, TrainConfig

GATES = ("paper", "reference")
DEFAULT_TEST_DATA = Path("data") / "burgers_test.h5"


@dataclasses.dataclass(frozen=True)
class BurgersOperatorConfig:
    """The operator problem, the loss, the network and the data (App. L.3).

    ``n_sensors`` m is both the branch input size and the grid x_j = j/m of the initial
    conditions and of the test solutions; ``n_initial`` P ≤ m initial points per function are a
    random subset of that grid. ``test_data``: an HDF5 file of ``pinnrwf generate burgers`` (None:
    ``data/burgers_test.h5``), used when it holds exactly this test set; otherwise
    ``generate_reference`` solves the test set in memory (``solver_n_internal`` and ``solver_dt``
    are the solver's resolution, the generator's defaults when None / 1e-4).
    """

    nu: float = 0.001
    width: int = 128
    depth: int = 5
    gate: str = "paper"
    n_sensors: int = 100
    n_train: int = 1000
    train_seed: int = 0
    n_functions: int = 64
    n_initial: int = 100
    n_residual: int = 512
    weight_ic: float = 100.0
    weight_residual: float = 1.0
    n_test: int = 100
    test_seed: int = 1
    eval_nt: int = 101
    test_data: Path | None = None
    generate_reference: bool = False
    solver_n_internal: int | None = None
    solver_dt: float = 1e-4

    def __post_init__(self):
        check.positive_number("nu", self.nu)
        check.one_of("gate", self.gate, GATES)
        for name in ("width", "depth", "n_train", "n_functions", "n_initial", "n_residual", "n_test"):
            check.positive_int(name, getattr(self, name))
        check.positive_int("n_sensors", self.n_sensors, minimum=4)
        check.positive_int("eval_nt", self.eval_nt, minimum=2)
        if self.n_initial > self.n_sensors:
            raise ValueError(f"n_initial must be ≤ n_sensors = {self.n_sensors} (the initial points are a subset of "
                             f"the sensor grid), got {self.n_initial}")
        for name in ("weight_ic", "weight_residual"):
            check.positive_number(name, getattr(self, name), allow_zero=True)
        check.seed("train_seed", self.train_seed)
        check.seed("test_seed", self.test_seed)
        if self.solver_n_internal is not None:
            check.positive_int("solver_n_internal", self.solver_n_internal, minimum=self.n_sensors)
        check.positive_number("solver_dt", self.solver_dt)

    def dataset_config(self):
        """The generator's config of this problem's data (``pinnrwf generate burgers`` options)."""
        from pinnrwf.datasets.generate import BurgersConfig

        return BurgersConfig(nu=self.nu, nx=self.n_sensors, nt=self.eval_nt, t_final=1.0, dt=self.solver_dt,
                             n_internal=self.solver_n_internal)


# ----------------------------------------------------------------------------------------- data
def training_inputs(config: BurgersOperatorConfig) -> np.ndarray:
    """The ``n_train`` training initial conditions ``(n_train, m)`` on x_j = j/m (float32): the
    ``u0`` of ``pinnrwf generate burgers --n-samples n_train --seed train_seed`` (no solving)."""
    u0 = config.dataset_config().sample_inputs(config.n_train, config.train_seed)["u0"]
    return u0.astype(np.float32)


def test_data_path(config: BurgersOperatorConfig) -> Path:
    return DEFAULT_TEST_DATA if config.test_data is None else Path(config.test_data)


def generate_command(config: BurgersOperatorConfig) -> str:
    options = f" --nu {config.nu:g}" if config.nu != 0.001 else ""
    if config.n_sensors != 100:
        options += f" --nx {config.n_sensors}"
    if config.eval_nt != 101:
        options += f" --nt {config.eval_nt}"
    if config.solver_dt != 1e-4:
        options += f" --dt {config.solver_dt:g}"
    if config.solver_n_internal is not None:
        options += f" --n-internal {config.solver_n_internal}"
    return (f"pinnrwf generate burgers --n-samples {config.n_test} --seed {config.test_seed}{options} "
            f"--out {test_data_path(config)}")


def _file_mismatch(config: BurgersOperatorConfig, path: Path) -> str | None:
    """Why the file at ``path`` does not hold this test set (None if it does): its sample count,
    seed and generator options (ν, grid, solver resolution) must be this config's."""
    from pinnrwf.datasets import open_dataset

    ds = open_dataset(path, problem="burgers")
    found = {"n_samples": ds.n_samples, "seed": int(ds.attrs["seed"]), **ds.parameters}
    wanted = {"n_samples": config.n_test, "seed": config.test_seed, **dataclasses.asdict(config.dataset_config())}
    bad = [f"{k} = {found.get(k)} (want {v})" for k, v in wanted.items()
           if found.get(k) is None or not np.isclose(found[k], v)]
    return ", ".join(bad) or None


@functools.cache
def test_set(config: BurgersOperatorConfig) -> tuple[np.ndarray, np.ndarray]:
    """Test initial conditions ``(n_test, m)`` and solutions ``(n_test, nt, m)`` (float32), read
    from the test file or, with ``generate_reference``, solved in memory (cached per config; the
    same values either way: the file stores exactly what the in-memory solve computes)."""
    path = test_data_path(config)
    why = _file_mismatch(config, path) if path.exists() else "it does not exist"
    if why is None:
        from pinnrwf.datasets import open_dataset

        ds = open_dataset(path, problem="burgers")
        return ds["u0"], ds["tensor"]
    if not config.generate_reference or config.test_data is not None:
        raise ValueError(f"the Burgers test set {path} cannot be used: {why}; make it with "
                         f"`{generate_command(config)}`" + ("" if config.test_data is not None else
                                                           " or pass --generate-reference to solve it in memory"))
    data = config.dataset_config()
    print(f"Burgers test set {path}: {why}; solving {config.n_test} test functions in memory "
          "(--generate-reference; no file is written)", flush=True)
    inputs = data.sample_inputs(config.n_test, config.test_seed)
    solved = data.solve(inputs)
    return solved["u0"].astype(np.float32), solved["tensor"].astype(np.float32)


def evaluation_points(config: BurgersOperatorConfig) -> np.ndarray:
    """The test grid as (x, t) points ``(nt·m, 2)``, in the (t, x) order of the solutions."""
    x = np.arange(config.n_sensors) / config.n_sensors
    t = np.linspace(0.0, 1.0, config.eval_nt)
    tt, xx = np.meshgrid(t, x, indexing="ij")
    return np.stack([xx.ravel(), tt.ravel()], axis=1).astype(np.float32)


# ------------------------------------------------------------------------------------ objective
class BurgersOperatorObjective(AbstractObjective):
    """``sample`` / ``loss_terms`` / ``metrics`` of the physics-informed DeepONet (eq. L.11–L.13).

    The model is ``model(a: (m,), y: (2,)) -> (1,)`` with y = (x, t). Per function the residual
    is ``equation.residuals(lambda y: model(a, y), y)`` vmapped over its Q points (the DSL's
    trunk-closure pattern); the N functions are vmapped outside. Inside the point vmap a is not
    batched, so what depends on a alone (the branch encoder U and the first branch layer) is
    computed once per function, not once per point.
    """

    equation: Equation
    inputs: DeviceRows
    sensors: Float[Array, " m"]
    test_inputs: Float[Array, "n_test m"]
    test_solutions: Float[Array, "n_test n_points"]
    test_points: Float[Array, "n_points 2"]
    n_initial: int = eqx.field(static=True)
    n_residual: int = eqx.field(static=True)
    weight_ic: float = eqx.field(static=True)
    weight_residual: float = eqx.field(static=True)

    def __init__(self, equation: Equation, train_inputs, test_inputs, test_solutions, test_points, *,
                 n_functions: int, n_initial: int, n_residual: int, weight_ic: float = 100.0,
                 weight_residual: float = 1.0):
        train_inputs, test_inputs = np.asarray(train_inputs), np.asarray(test_inputs)
        test_solutions, test_points = np.asarray(test_solutions), np.asarray(test_points)
        if train_inputs.ndim != 2:
            raise ValueError(f"train_inputs must be (n_train, m) sensor values, got shape {train_inputs.shape}")
        m = train_inputs.shape[1]
        if test_inputs.ndim != 2 or test_inputs.shape[1] != m:
            raise ValueError(f"test_inputs must be (n_test, {m}) like the training inputs, got {test_inputs.shape}")
        if test_points.ndim != 2 or test_points.shape[1] != 2:
            raise ValueError(f"test_points must be (n_points, 2) (x, t) points, got shape {test_points.shape}")
        test_solutions = test_solutions.reshape(test_solutions.shape[0], -1)
        if test_solutions.shape != (test_inputs.shape[0], test_points.shape[0]):
            raise ValueError(f"test_solutions must hold {test_points.shape[0]} values for each of the "
                             f"{test_inputs.shape[0]} test inputs, got shape {test_solutions.shape}")
        self.n_initial = check.positive_int("n_initial", n_initial)
        if self.n_initial > m:
            raise ValueError(f"n_initial must be ≤ the {m} sensors (a subset of the sensor grid), got {n_initial}")
        self.n_residual = check.positive_int("n_residual", n_residual)
        self.weight_ic = check.positive_number("weight_ic", weight_ic, allow_zero=True)
        self.weight_residual = check.positive_number("weight_residual", weight_residual, allow_zero=True)
        dtype = jnp.result_type(float)
        self.equation = equation
        self.inputs = DeviceRows({"a": jnp.asarray(train_inputs, dtype)}, batch_size=n_functions)
        self.sensors = jnp.arange(m, dtype=dtype) / m
        self.test_inputs = jnp.asarray(test_inputs, dtype)
        self.test_solutions = jnp.asarray(test_solutions, dtype)
        self.test_points = jnp.asarray(test_points, dtype)

    def sample(self, key: PRNGKeyArray) -> dict[str, Array]:
        """N input functions ``a`` (N, m), P initial-grid indices each (N, P) and Q residual
        points (x, t) each (N, Q, 2), all drawn on device."""
        k_rows, k_ic, k_r = jax.random.split(key, 3)
        a = self.inputs.sample(k_rows)["a"]
        n, m = a.shape
        ic = jax.vmap(lambda k: jax.random.permutation(k, m)[: self.n_initial])(jax.random.split(k_ic, n))
        y = jax.random.uniform(k_r, (n, self.n_residual, 2), dtype=self.sensors.dtype)
        return {"a": a, "ic": ic, "y": y}

    def function_losses(self, model, a: Float[Array, " m"], ic: Int[Array, " p"],
                        y: Float[Array, "q 2"]) -> tuple[Array, Array]:
        """Mean squared initial misfit and mean squared residual of one input function."""
        def u(point):
            return model(a, point)

        x0 = self.sensors[ic]
        initial = jax.vmap(u)(jnp.stack([x0, jnp.zeros_like(x0)], axis=1))[:, 0]
        residual = jax.vmap(lambda point: self.equation.residuals(u, point)["residual"])(y)
        return jnp.mean((initial - a[ic]) ** 2), jnp.mean(residual**2)

    def loss_terms(self, model, batch, step):
        ic, r = jax.vmap(functools.partial(self.function_losses, model))(batch["a"], batch["ic"], batch["y"])
        return {"ic": self.weight_ic * jnp.mean(ic), "r": self.weight_residual * jnp.mean(r)}, {}

    def predict(self, model, a: Float[Array, " m"]) -> Float[Array, " n_points"]:
        """G(a) on the test grid (n_points,)."""
        return jax.vmap(lambda point: model(a, point)[0])(self.test_points)

    def test_errors(self, model) -> Float[Array, " n_test"]:
        """Relative L² error ‖G(a) − u‖ / ‖u‖ over the test grid, per test function (one
        function at a time, so memory stays at one function's grid)."""
        def one(args):
            a, u = args
            return jnp.linalg.norm(self.predict(model, a) - u) / jnp.linalg.norm(u)

        return jax.lax.map(one, (self.test_inputs, self.test_solutions))

    def metrics(self, model):
        errors = self.test_errors(model)
        return {"rel_l2": jnp.mean(errors), "rel_l2_std": jnp.std(errors), "rel_l2_max": jnp.max(errors)}


def make_objective(config: BurgersOperatorConfig) -> BurgersOperatorObjective:
    test_inputs, test_solutions = test_set(config)
    return BurgersOperatorObjective(
        burgers(config.nu), training_inputs(config), test_inputs, test_solutions, evaluation_points(config),
        n_functions=config.n_functions, n_initial=config.n_initial, n_residual=config.n_residual,
        weight_ic=config.weight_ic, weight_residual=config.weight_residual,
    )


def make_model(config: BurgersOperatorConfig, parameterization, key: PRNGKeyArray) -> ModifiedDeepONet:
    """The modified DeepONet of eq. L.14–L.20 with the periodic trunk embedding of eq. L.9."""
    embedding = PeriodicEmbedding(2, axes=(0,), periods=(1.0,))
    return ModifiedDeepONet(config.n_sensors, 2, config.width, config.depth, parameterization, activation=jnp.tanh,
                            trunk_embedding=embedding, reference_gate=config.gate == "reference", key=key)


# --------------------------------------------------------------------------------------- report
def _per_function_errors(objective: BurgersOperatorObjective, result) -> np.ndarray:
    """(seeds, n_test) relative L² errors of every ensemble member."""
    errors = eqx.filter_jit(eqx.filter_vmap(objective.test_errors))(result.models)
    return np.asarray(errors)


def plot_fields(objective, config, result, name: str, indices, path: Path, *, caption: str = "") -> Path:
    """Reference, prediction (seed 0) and |error| over (x, t) for the test functions ``indices``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shape = (config.eval_nt, config.n_sensors)
    model = result.model(0)
    predict = eqx.filter_jit(objective.predict)
    fig, axes = plt.subplots(len(indices), 3, figsize=(13, 3.1 * len(indices)), constrained_layout=True)
    axes = np.atleast_2d(axes)
    for row, i in zip(axes, indices):
        ref = np.asarray(objective.test_solutions[i]).reshape(shape)
        pred = np.asarray(predict(model, objective.test_inputs[i])).reshape(shape)
        err = np.linalg.norm(pred - ref) / np.linalg.norm(ref)
        lim = float(np.abs(ref).max())
        panels = [(ref, f"test function {i}: reference (ETDRK4)", "RdBu_r", (-lim, lim)),
                  (pred, f"{name} (seed 0): prediction", "RdBu_r", (-lim, lim)),
                  (np.abs(pred - ref), f"|error|, relative L² {100 * err:.2f} %", "magma", (0.0, None))]
        for ax, (img, title, cmap, (lo, hi)) in zip(row, panels):
            im = ax.imshow(img, origin="lower", extent=(0.0, 1.0, 0.0, 1.0), aspect="auto", cmap=cmap, vmin=lo, vmax=hi)
            ax.set(title=title, xlabel="x", ylabel="t")
            fig.colorbar(im, ax=ax)
    fig.suptitle(f"Burgers operator (ν = {config.nu:g}): {name}. {caption}")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def plot_summary(results, errors: dict[str, np.ndarray], path: Path) -> Path:
    """Training loss (all parameterizations), test error during training, per-function errors."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(17, 4.6), constrained_layout=True)
    for name, r in results.items():
        steps, loss = np.asarray(r.history["step"]), np.asarray(r.history["loss"])
        (line,) = axes[0].semilogy(steps, np.exp(np.log(loss).mean(axis=1)), label=name)
        axes[0].fill_between(steps, loss.min(axis=1), loss.max(axis=1), color=line.get_color(), alpha=0.15)
        msteps, rel = np.asarray(r.history["metric_step"]), np.asarray(r.history["metrics"]["rel_l2"])
        axes[1].semilogy(msteps, rel.mean(axis=1), "o-", ms=3, color=line.get_color(), label=name)
        axes[1].fill_between(msteps, rel.min(axis=1), rel.max(axis=1), color=line.get_color(), alpha=0.15)
    axes[0].set(xlabel="step", ylabel="training loss λ_ic L_ic + λ_r L_r",
                title="Training loss (geometric mean, min–max over seeds)")
    axes[1].set(xlabel="step", ylabel="mean relative L² test error", title="Test error (mean, min–max over seeds)")
    names = list(errors)
    axes[2].boxplot([100 * errors[n].ravel() for n in names], showfliers=True)
    axes[2].set_xticks(range(1, len(names) + 1), names)
    axes[2].set_yscale("log")
    seeds, n_test = next(iter(errors.values())).shape
    axes[2].set(ylabel="relative L² error (%)",
                title=f"Per-function test errors ({n_test} functions × {seeds} seeds)")
    for ax in axes[:2]:
        ax.legend(fontsize=8)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


class BurgersOperator(AbstractProblem[BurgersOperatorConfig]):
    """rwf_paper App. L.3, Table 14 (``pinnrwf bench table14`` runs it with DR and Darcy)."""

    name = "burgers-operator"
    description = "Physics-informed modified DeepONet for Burgers (ν = 0.001), relative L2 test error"
    presets = {
        "smoke": Preset(BurgersOperatorConfig(width=16, depth=2, n_sensors=32, n_train=16, n_functions=4,
                                              n_initial=8, n_residual=8, n_test=3, eval_nt=11,
                                              generate_reference=True, solver_n_internal=256, solver_dt=1e-3),
                        TrainConfig(steps=20, chunk_steps=10), Adam(decay_steps=2000)),
        "quick": Preset(BurgersOperatorConfig(width=64, depth=4, n_functions=8, n_initial=32, n_residual=32,
                                              n_test=32, generate_reference=True),
                        TrainConfig(steps=2000, seeds=3, chunk_steps=100, eval_every=500), Adam(decay_steps=2000)),
        "paper": Preset(BurgersOperatorConfig(), TrainConfig(steps=100_000, seeds=10, chunk_steps=1000, eval_every=5000),
                        Adam(decay_steps=2000)),
    }
    metrics = ("rel_l2", "rel_l2_std")
    percent_metrics = frozenset({"rel_l2", "rel_l2_std"})
    default_parameterizations = "plain,aa,wn,rwf,wc-row"
    rwf = RWF(mean=1.0, std=0.1)  # rwf_paper Table 5
    options = (
        Option("gate", "modified-DeepONet gate: paper ((1−Z)⊙U + Z⊙V, eq. L.17) or reference (Z⊙U + (1−Z)⊙V, "
               "the authors' code) (default: paper)", choices=GATES),
        Option("test_data", "HDF5 test set of `pinnrwf generate burgers --n-samples 100 --seed 1` "
               "(default: data/burgers_test.h5)", type=Path),
        Option("generate_reference", "if the test file is missing, solve the test set in memory for this run "
               "(≈ 1 min for the paper's 100 functions)", const=True),
        Option("n_test", "number of test initial conditions", type=int),
        Option("n_functions", "input functions per step (N)", type=int),
        Option("n_residual", "residual points per function (Q)", type=int),
    )

    def objective(self, config, train):
        return make_objective(config)

    def init_model(self, config, parameterization):
        return functools.partial(make_model, config, parameterization)

    def report(self, config, results, out_dir):
        out_dir = Path(out_dir)
        objective = make_objective(config)
        errors = {name: _per_function_errors(objective, r) for name, r in results.items()}
        # three test functions: the lowest, median and highest error of the first run's seed 0
        first = next(iter(errors))
        order = np.argsort(errors[first][0])
        indices = list(dict.fromkeys(int(order[i]) for i in (0, len(order) // 2, -1)))
        caption = f"Rows: the test functions of lowest, median and highest error of {first} (seed 0)"
        figures = [plot_summary(results, errors, out_dir / "burgers_operator.png")]
        for name, r in results.items():
            figures.append(plot_fields(objective, config, r, name, indices, out_dir / f"fields_{name}.png",
                                       caption=caption))
        return {
            "figures": [str(f) for f in figures],
            "field_test_functions": indices,
            "per_function_rel_l2": {name: e.tolist() for name, e in errors.items()},
            "pooled_rel_l2": {name: {"mean": float(e.mean()), "std": float(e.std())} for name, e in errors.items()},
        }
