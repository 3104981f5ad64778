"""Diffusion–reaction DeepONet, supervised (rwf_paper §4.6, App. L.1, Table 14 row "DR").

Operator a ↦ u for u_t = D u_xx + k u² + a(x), D = k = 0.01, zero initial and boundary values
(eq. L.4). Data: ``pinnrwf generate diffusion-reaction`` (GRF sources, length scale 0.2, the
paper's 100 × 100 (t, x) grid): 5000 training and 100 test functions. The branch input is a on
the x-grid (m = 100 sensors); each training function keeps P = 100 (x, t) grid points, drawn
once (seeded, distinct points; ``--points-with-replacement`` draws them as the reference code's
``randint`` does). Every test function is evaluated on its full grid.

Network: DeepONet (eq. L.1) with branch and trunk MLPs of ``depth`` = 5 hidden layers × 64 tanh
(the package's convention, as jaxpi's ``num_layers``; the authors' DeepONet code has 4 hidden
layers plus a linear output layer, ``--depth 4``), latent size 64, an output bias; the
parameterization on every dense layer (App. L remark). Loss: MSE over a minibatch of (function,
point) pairs (eq. L.2). Adam 1e-3 × 0.9 every 1000 steps, 5·10⁴ steps (Table 4).

Minibatches (the paper gives none): ``batch_size`` = 10 000 independent (function, point) pairs
per step, as the authors' reference code (rows of the flattened N × P table). With
``--functions-per-batch F`` a step takes F functions and ``batch_size / F`` of their points each
instead: the branch then runs F times instead of ``batch_size`` times (F = 100: 1.8× faster per
step on a quiet 2-core CPU), an unbiased estimate of the same loss with more correlated rows.

Metric: the relative L² error ‖u − û‖/‖u‖ of every test function on its grid; the table reports
its mean over the test functions (``rel_l2``) and its standard deviation over them
(``rel_l2_std``), each mean ± std over seeds; ``report`` writes every per-function error.

This module also holds what the supervised operator problems share (:class:`OperatorData`,
:class:`FunctionGroups`, :class:`SupervisedOperatorObjective`, :func:`open_split`,
:func:`operator_report`); ``problems/darcy_operator.py`` reuses them.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, PRNGKeyArray

from pinnrwf import _validation as check
from pinnrwf.datasets import DatasetError, FunctionPointPairs, open_dataset
from pinnrwf.nn import RWF, DeepONet
from pinnrwf.problem import AbstractProblem, Option, Preset
from pinnrwf.train import AbstractObjective, Adam, TrainConfig


# ======================================================================== shared by dr and darcy
def float_dtype() -> np.dtype:
    """JAX's default float (float32 unless x64 is enabled)."""
    return np.dtype(jnp.result_type(float))


@dataclasses.dataclass(frozen=True)
class Split:
    """One split of a dataset: its coordinates, size and a row loader (file or memory)."""

    source: str
    coordinates: Mapping[str, np.ndarray]
    n_samples: int
    load: Callable[[str, slice], np.ndarray]  # (field, rows) -> array


def open_split(name: str, path: Path, *, problem: str, generate: bool, dataset_config, n_samples: int, seed: int,
               command: str) -> Split:
    """The dataset file at ``path`` (checked to be a ``problem`` dataset; errors name ``name``), or,
    when it is missing and ``generate`` is set, ``n_samples`` solutions of ``dataset_config``
    drawn with ``seed`` and solved in memory (what ``pinnrwf generate`` would write)."""
    dtype = float_dtype()
    if path.exists():
        try:
            ds = open_dataset(path, dtype=dtype, problem=problem)
        except DatasetError as err:
            raise ValueError(f"{name}: {err}") from None
        return Split(str(path), ds.coordinates, ds.n_samples, lambda field, rows: ds.load(field, rows))
    if not generate:
        raise ValueError(f"{name}: the dataset {path} does not exist; make it with `{command}` "
                         "or pass --generate-data to generate the data in memory for this run")
    print(f"{name}: {path} not found: generating {n_samples} {problem} samples (seed {seed}) in memory "
          "(--generate-data; no file is written)")
    solved = dataset_config.solve(dataset_config.sample_inputs(n_samples, seed))
    arrays = {k: np.asarray(v, dtype=dtype) for k, v in solved.items()}
    return Split(f"generated in memory (seed {seed})", dataset_config.coordinates(), n_samples,
                 lambda field, rows: arrays[field][rows])


def check_count(name: str, wanted: int, split: Split) -> None:
    if wanted > split.n_samples:
        raise ValueError(f"{name} = {wanted} exceeds the {split.n_samples} samples of {split.source}")


@dataclasses.dataclass(frozen=True)
class OperatorData:
    """A supervised operator-learning set, as host arrays of JAX's default float.

    ``train_points`` is ``(N, P, d)`` (each function's own points) or ``(P, d)`` (points shared by
    every function, e.g. a full grid); ``train_values`` is ``(N, P)``. Every test function is
    given on the shared ``grid`` ``(G, d)``, whose values reshape to ``grid_shape`` with axes
    ``axes`` (e.g. ("t", "x")). Inputs and values may be normalized: raw = normalized · scale + shift.
    """

    train_inputs: np.ndarray
    train_points: np.ndarray
    train_values: np.ndarray
    test_inputs: np.ndarray
    grid: np.ndarray  # (G, d); column 0 is x (horizontal in the figures), column 1 the vertical axis
    test_values: np.ndarray
    grid_shape: tuple[int, int]
    axes: tuple[str, str]
    input_shape: tuple[int, ...]
    input_coordinates: tuple[np.ndarray, ...]
    input_shift: float = 0.0
    input_scale: float = 1.0
    output_scale: float = 1.0

    def image(self, values: np.ndarray) -> np.ndarray:
        """Grid values ``(G,)`` as an image with x horizontal: ``(vertical, horizontal)``."""
        img = np.asarray(values).reshape(self.grid_shape)
        return img if self.axes[1] == "x" else img.T

    def extent(self) -> tuple[float, float, float, float]:
        """(x_min, x_max, v_min, v_max) of the image; the grid's columns are (x, the vertical axis)."""
        lo, hi = self.grid.min(axis=0), self.grid.max(axis=0)
        return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


class FunctionGroups(eqx.Module):
    """F functions per step with Q of their points each: i ~ U{0..N−1} of shape (F,), j ~ U{0..P−1}
    of shape (F, Q), drawn on device. ``points`` is ``(N, P, d)`` or shared ``(P, d)``.

    ``sample(key) -> {"a": (F, m), "y": (F, Q, d), "u": (F, Q)}``. Unlike independent pairs
    (:class:`~pinnrwf.datasets.FunctionPointPairs`) the branch then runs once per function.
    """

    inputs: Float[Array, "n m"]
    points: Float[Array, "n p d"] | Float[Array, "p d"]
    values: Float[Array, "n p"]
    functions_per_batch: int = eqx.field(static=True)
    points_per_function: int = eqx.field(static=True)

    def __init__(self, inputs, points, values, functions_per_batch: int, points_per_function: int):
        self.functions_per_batch = check.positive_int("functions_per_batch", functions_per_batch)
        self.points_per_function = check.positive_int("points_per_function", points_per_function)
        n, p = np.shape(values)
        if np.shape(inputs)[0] != n or np.ndim(points) not in (2, 3) or np.shape(points)[-2] != p or (
                np.ndim(points) == 3 and np.shape(points)[0] != n):
            raise ValueError(f"FunctionGroups: inputs {np.shape(inputs)}, points {np.shape(points)} and values "
                             f"{np.shape(values)} must be (N, m), (N, P, d) or (P, d), and (N, P)")
        self.inputs, self.points, self.values = jnp.asarray(inputs), jnp.asarray(points), jnp.asarray(values)

    def sample(self, key: PRNGKeyArray) -> dict[str, Array]:
        ki, kj = jax.random.split(key)
        n, p = self.values.shape
        i = jax.random.randint(ki, (self.functions_per_batch,), 0, n)
        j = jax.random.randint(kj, (self.functions_per_batch, self.points_per_function), 0, p)
        y = self.points[j] if self.points.ndim == 2 else self.points[i[:, None], j]
        return {"a": self.inputs[i], "y": y, "u": self.values[i[:, None], j]}


def make_batches(data: OperatorData, batch_size: int, functions_per_batch: int, *,
                 branch_once: bool = False) -> eqx.Module:
    """Independent (function, point) pairs (``functions_per_batch = 0``) or :class:`FunctionGroups`.

    With ``branch_once`` the pairs carry the function's index (``"index"``) instead of its sensor
    values (``"a"``): the objective then evaluates the branch once on every training function
    and gathers (see :class:`SupervisedOperatorObjective`)."""
    if functions_per_batch == 0:
        points = data.train_points
        if points.ndim == 2:
            points = np.broadcast_to(points, (data.train_values.shape[0], *points.shape))
        functions = ({"index": np.arange(data.train_inputs.shape[0], dtype=np.int32)} if branch_once
                     else {"a": data.train_inputs})
        return FunctionPointPairs(functions, {"y": points, "u": data.train_values}, batch_size)
    if branch_once:
        raise ValueError("branch_once applies to independent (function, point) pairs (functions_per_batch = 0)")
    return FunctionGroups(data.train_inputs, data.train_points, data.train_values, functions_per_batch,
                          batch_size // functions_per_batch)


def predict(model, a: Array, y: Array) -> Array:
    """G_θ(a)(y) for pairs (a ``(B, m)``, y ``(B, d)``) → ``(B,)``, or groups (a ``(F, m)``, y ``(F, Q, d)``)
    → ``(F, Q)``. In a group the branch input is not batched over the points, so JAX's batching
    rule evaluates the branch once per function."""
    if y.ndim == 2:
        return jax.vmap(model)(a, y)[:, 0]
    return jax.vmap(jax.vmap(model, in_axes=(None, 0)))(a, y)[..., 0]


class SupervisedOperatorObjective(AbstractObjective):
    """L(θ) = mean |G_θ(a)(y) − u|² over a minibatch (rwf_paper eq. L.2); metrics: the relative L²
    error of every test function on the shared grid (mean and std over the test functions).

    Branch once per function: when a batch of B independent pairs is larger than the N training
    functions (the paper preset: B = 10 000 rows from N = 5000 functions), the pairs carry function
    indices and the loss evaluates the branch on all N functions, b = branch(a_n) for n < N, and
    gathers b[i] for the B rows: the same minibatch loss (the same rows, the same values up to
    rounding) with N instead of B branch evaluations. Only for a :class:`~pinnrwf.nn.DeepONet`,
    whose branch and trunk are separable."""

    batches: eqx.Module  # FunctionPointPairs or FunctionGroups: sample(key) -> {"a" | "index", "y", "u"}
    test_inputs: Float[Array, "t m"]
    test_grid: Float[Array, "g d"]
    test_values: Float[Array, "t g"]
    train_inputs: Float[Array, "n m"] | None = None  # set when the batches carry "index"

    def sample(self, key):
        return self.batches.sample(key)

    def loss_terms(self, model, batch, step):
        if "index" in batch:
            branch = jax.vmap(model.branch)(self.train_inputs)[batch["index"]]  # (B, q)
            trunk = jax.vmap(model.trunk)(batch["y"])  # (B, q)
            pred = jnp.sum(branch * trunk, axis=-1) + model.bias[0]
        else:
            pred = predict(model, batch["a"], batch["y"])
        return {"mse": jnp.mean((pred - batch["u"]) ** 2)}, {}

    def test_predictions(self, model) -> Float[Array, "t g"]:
        # the grid is not batched over the test functions: the trunk runs once on the grid
        return jax.vmap(lambda a: jax.vmap(model, in_axes=(None, 0))(a, self.test_grid)[:, 0])(self.test_inputs)

    def test_errors(self, model) -> Float[Array, " t"]:
        """‖û − u‖₂ / ‖u‖₂ of every test function on its grid."""
        err = jnp.linalg.norm(self.test_predictions(model) - self.test_values, axis=1)
        return err / jnp.linalg.norm(self.test_values, axis=1)

    def metrics(self, model):
        errors = self.test_errors(model)
        return {"rel_l2": jnp.mean(errors), "rel_l2_std": jnp.std(errors)}


def make_supervised_objective(data: OperatorData, batch_size: int, functions_per_batch: int, *,
                              branch_once: bool = False):
    dtype = float_dtype()
    return SupervisedOperatorObjective(
        make_batches(data, batch_size, functions_per_batch, branch_once=branch_once),
        jnp.asarray(data.test_inputs, dtype), jnp.asarray(data.grid, dtype), jnp.asarray(data.test_values, dtype),
        jnp.asarray(data.train_inputs, dtype) if branch_once else None)


_test_errors = eqx.filter_jit(lambda objective, model: objective.test_errors(model))
_test_predictions = eqx.filter_jit(lambda objective, model: objective.test_predictions(model))


def _mean_band(ax, steps, values, label, **kw):
    values = np.asarray(values, dtype=float)
    (line,) = ax.semilogy(steps, values.mean(axis=1), label=label, **kw)
    if values.shape[1] > 1:
        ax.fill_between(steps, values.min(axis=1), values.max(axis=1), color=line.get_color(), alpha=0.15)


def plot_training(results, errors: Mapping[str, np.ndarray], path: Path, title: str) -> Path:
    """Training loss and test error of every parameterization on one plot each (mean, min–max over
    seeds) and the distribution of the per-function test errors (all seeds pooled)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_loss, ax_err, ax_dist) = plt.subplots(1, 3, figsize=(17, 4.8), constrained_layout=True)
    for name, r in results.items():
        _mean_band(ax_loss, r.history["step"], r.history["loss"], name)
        _mean_band(ax_err, r.history["metric_step"], r.history["metrics"]["rel_l2"], name)
    ax_loss.set(xlabel="step", ylabel="training loss (minibatch MSE)",
                title="Training loss (mean, min–max over seeds)")
    ax_err.set(xlabel="step", ylabel="relative L² error (mean over test functions)",
               title="Test error during training")
    names = list(errors)
    pooled = [np.asarray(errors[n]).ravel() for n in names]
    ax_dist.boxplot(pooled, whis=(5, 95), showfliers=True, flierprops={"markersize": 2})
    ax_dist.set_xticks(range(1, len(names) + 1), names)
    ax_dist.scatter(range(1, len(names) + 1), [p.mean() for p in pooled], marker="D", color="k", zorder=3,
                    label="mean")
    ax_dist.set_yscale("log")
    ax_dist.set(ylabel="relative L² error per test function", title="Per-function test errors, all seeds",
                xlabel="box: quartiles and median; whiskers: 5–95 %")
    for ax in (ax_loss, ax_err, ax_dist):
        ax.legend(fontsize=8)
    fig.suptitle(title)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_predictions(data: OperatorData, predictions: np.ndarray, errors: np.ndarray, indices, label: str,
                     path: Path, *, input_label: str, field_label: str) -> Path:
    """rwf_paper Fig. 23–24 style: per test function, its input, the reference, the prediction and
    the pointwise error."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    extent = data.extent()
    vertical = data.axes[0] if data.axes[1] == "x" else data.axes[1]
    fig, axes = plt.subplots(len(indices), 4, figsize=(17, 3.3 * len(indices)), constrained_layout=True,
                             squeeze=False)
    for row, k in zip(axes, indices):
        a = data.test_inputs[k] * data.input_scale + data.input_shift
        if len(data.input_shape) == 1:
            row[0].plot(data.input_coordinates[0], a, "k-")
            row[0].set(xlabel="x", ylabel=input_label, title=f"test function {k}: input")
        else:
            im = row[0].imshow(a.reshape(data.input_shape).T, origin="lower", extent=extent, aspect="auto",
                               cmap="cividis")
            row[0].set(xlabel="x", ylabel="y", title=f"test function {k}: input {input_label}")
            fig.colorbar(im, ax=row[0])
        ref = data.image(data.test_values[k] * data.output_scale)
        pred = data.image(predictions[k] * data.output_scale)
        lo, hi = float(ref.min()), float(ref.max())
        panels = [(ref, "reference", "viridis", lo, hi), (pred, f"{label}: prediction", "viridis", lo, hi),
                  (np.abs(pred - ref), f"|error| (rel. L² {100 * errors[k]:.2f} %)", "magma", None, None)]
        for ax, (img, title, cmap, vmin, vmax) in zip(row[1:], panels):
            im = ax.imshow(img, origin="lower", extent=extent, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax)
            ax.set(title=title, xlabel="x", ylabel=vertical)
            fig.colorbar(im, ax=ax, label=field_label if "error" not in title else "|error|")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def operator_report(name: str, title: str, data: OperatorData, objective: SupervisedOperatorObjective, results,
                    out_dir: Path, *, n_figure: int, input_label: str, field_label: str) -> dict:
    """Per-function test errors of every parameterization and seed, and the two figures."""
    errors = {}
    for param, r in results.items():
        seeds = np.asarray(r.history["loss"]).shape[1]
        errors[param] = np.stack([np.asarray(_test_errors(objective, r.model(s))) for s in range(seeds)])
    shown = "rwf" if "rwf" in results else next(iter(results))
    model = results[shown].model(0)
    n_test = data.test_values.shape[0]
    indices = sorted(np.random.default_rng(0).choice(n_test, min(n_figure, n_test), replace=False).tolist())
    out_dir = Path(out_dir)
    figures = [
        plot_predictions(data, np.asarray(_test_predictions(objective, model)), errors[shown][0], indices,
                         f"{shown} (seed 0)", out_dir / f"{name}_predictions.png", input_label=input_label,
                         field_label=field_label),
        plot_training(results, errors, out_dir / f"{name}_training.png", title),
    ]
    return {
        "figures": [str(f) for f in figures],
        "predictions_shown": {"parameterization": shown, "seed_index": 0, "test_functions": indices},
        "test_errors_per_function": {k: v.tolist() for k, v in errors.items()},
        "test_error_summary": {
            k: {"mean_over_functions_per_seed": v.mean(axis=1).tolist(),
                "std_over_functions_per_seed": v.std(axis=1).tolist(),
                "pooled_mean": float(v.mean()), "pooled_std": float(v.std()),
                "pooled_median": float(np.median(v)), "pooled_max": float(v.max())}
            for k, v in errors.items()},
    }


# ================================================================================ diffusion–reaction
DEFAULT_TRAIN = Path("data/diffusion_reaction_train.h5")
DEFAULT_TEST = Path("data/diffusion_reaction_test.h5")
PAPER_GRID = (100, 100)  # (sensors = nx, nt)
BRANCH_EVALUATIONS = ("auto", "per-function", "per-row")


@dataclasses.dataclass(frozen=True)
class DROperatorConfig:
    """The data, minibatches and network of rwf_paper App. L.1 (see the module docstring)."""

    train_data: Path | None = None  # None: data/diffusion_reaction_train.h5 (see data_path)
    test_data: Path | None = None  # None: data/diffusion_reaction_test.h5
    generate_data: bool = False  # missing files: generate in memory on the sensors × nt grid
    nt: int = 100  # time points of the data grid (default file names, --generate-data)
    n_train: int = 5000
    n_test: int = 100
    sensors: int = 100  # m: a on the dataset's x-grid
    points_per_function: int = 100  # P: training points kept per function, drawn once
    points_seed: int = 0
    points_with_replacement: bool = False  # the reference code's randint (duplicates possible)
    batch_size: int = 10_000  # (function, point) rows per step
    functions_per_batch: int = 0  # 0: independent pairs; F: F functions × batch_size / F points
    # "per-function": the branch runs once on every training function per step and is gathered for
    # the pairs; "per-row": once per pair; "auto": per-function when batch_size ≥ n_train (pairs only)
    branch_evaluation: str = "auto"
    width: int = 64
    depth: int = 5  # hidden layers of branch and trunk
    latent_size: int = 64
    n_figure: int = 4

    def __post_init__(self):
        for name in ("nt", "n_train", "n_test", "sensors", "points_per_function", "batch_size", "width",
                     "depth", "latent_size", "n_figure"):
            check.positive_int(name, getattr(self, name))
        check.seed("points_seed", self.points_seed)
        check.integer("functions_per_batch", self.functions_per_batch, minimum=0)
        if self.functions_per_batch and self.batch_size % self.functions_per_batch:
            raise ValueError(f"batch_size ({self.batch_size}) must be a multiple of functions_per_batch "
                             f"({self.functions_per_batch})")
        if self.sensors < 3:
            raise ValueError(f"sensors must be ≥ 3 (the x-grid of the solver), got {self.sensors}")
        if self.branch_evaluation not in BRANCH_EVALUATIONS:
            raise ValueError(f"branch_evaluation must be one of {', '.join(BRANCH_EVALUATIONS)}, got "
                             f"{self.branch_evaluation!r}")
        if self.branch_evaluation == "per-function" and self.functions_per_batch:
            raise ValueError("branch_evaluation 'per-function' applies to independent pairs (functions_per_batch = 0)")

    @property
    def branch_once(self) -> bool:
        """Whether the loss evaluates the branch once per training function (see the objective)."""
        if self.branch_evaluation == "auto":
            return self.functions_per_batch == 0 and self.batch_size >= self.n_train
        return self.branch_evaluation == "per-function"


def _dataset_config(config: DROperatorConfig):
    from pinnrwf.datasets.generate import DiffusionReactionConfig

    return DiffusionReactionConfig(nx=config.sensors, nt=config.nt)


def data_path(config: DROperatorConfig, split: str) -> Path:
    """``train_data``/``test_data``, or the default file of the grid: the README's
    ``data/diffusion_reaction_{split}.h5`` on the paper's 100 × 100 grid, else
    ``data/diffusion_reaction_{split}_nx{sensors}_nt{nt}.h5``."""
    given = config.train_data if split == "train" else config.test_data
    if given is not None:
        return Path(given)
    if (config.sensors, config.nt) == PAPER_GRID:
        return DEFAULT_TRAIN if split == "train" else DEFAULT_TEST
    return Path("data") / f"diffusion_reaction_{split}_nx{config.sensors}_nt{config.nt}.h5"


def _command(config: DROperatorConfig, n: int, seed: int, path: Path) -> str:
    grid = "" if (config.sensors, config.nt) == PAPER_GRID else f" --nx {config.sensors} --nt {config.nt}"
    return f"pinnrwf generate diffusion-reaction --n-samples {n} --seed {seed}{grid} --out {path}"


@functools.cache
def load_data(config: DROperatorConfig) -> OperatorData:
    """The training triples (a, y, u) and the test fields; read (or generated) once per config."""
    train_path, test_path = data_path(config, "train"), data_path(config, "test")
    common = dict(problem="diffusion-reaction", generate=config.generate_data, dataset_config=_dataset_config(config))
    train = open_split("train_data", train_path, n_samples=config.n_train, seed=0,
                       command=_command(config, max(config.n_train, 5000), 0, train_path), **common)
    test = open_split("test_data", test_path, n_samples=config.n_test, seed=1,
                      command=_command(config, max(config.n_test, 100), 1, test_path), **common)
    check_count("n_train", config.n_train, train)
    check_count("n_test", config.n_test, test)
    x, t = train.coordinates["x"], train.coordinates["t"]
    for axis in ("x", "t"):
        other = test.coordinates[axis]
        if other.shape != train.coordinates[axis].shape or not np.allclose(other, train.coordinates[axis]):
            raise ValueError(f"train_data ({train.source}) and test_data ({test.source}) are on different {axis} grids")
    if config.sensors != x.size:
        raise ValueError(f"sensors ({config.sensors}) must equal the number of x-grid points of {train.source} "
                         f"({x.size}): the branch input is a(x) on the dataset's x-grid")
    n_grid = x.size * t.size
    if config.points_per_function > n_grid:
        raise ValueError(f"points_per_function ({config.points_per_function}) exceeds the {t.size} × {x.size} = "
                         f"{n_grid} points of the grid")
    tt, xx = np.meshgrid(t, x, indexing="ij")  # the tensor's (t, x) order
    dtype = float_dtype()
    grid = np.stack([xx.ravel(), tt.ravel()], axis=1).astype(dtype)  # trunk input y = (x, t)
    rng = np.random.default_rng(config.points_seed)
    idx = np.stack([rng.choice(n_grid, config.points_per_function, replace=config.points_with_replacement)
                    for _ in range(config.n_train)])
    values = np.empty(idx.shape, dtype)
    for start in range(0, config.n_train, 500):
        rows = slice(start, min(start + 500, config.n_train))
        u = train.load("tensor", rows).reshape(-1, n_grid)
        values[rows] = np.take_along_axis(u, idx[rows], axis=1)
    return OperatorData(
        train_inputs=train.load("source", slice(0, config.n_train)).astype(dtype),
        train_points=grid[idx], train_values=values,
        test_inputs=test.load("source", slice(0, config.n_test)).astype(dtype), grid=grid,
        test_values=test.load("tensor", slice(0, config.n_test)).reshape(config.n_test, n_grid).astype(dtype),
        grid_shape=(t.size, x.size), axes=("t", "x"), input_shape=(x.size,), input_coordinates=(x,),
    )


@functools.cache
def make_objective(config: DROperatorConfig) -> SupervisedOperatorObjective:
    return make_supervised_objective(load_data(config), config.batch_size, config.functions_per_batch,
                                     branch_once=config.branch_once)


RWF_DR = RWF(mean=1.0, std=0.1)  # rwf_paper Table 5


class DiffusionReactionOperator(AbstractProblem[DROperatorConfig]):
    """rwf_paper App. L.1, Table 14 row DR (``pinnrwf bench table14`` aggregates)."""

    name = "dr"
    description = "Diffusion–reaction DeepONet (supervised), relative L2 error per test function"
    presets = {
        "smoke": Preset(DROperatorConfig(generate_data=True, nt=11, n_train=32, n_test=4, sensors=21,
                                         points_per_function=20, batch_size=128, width=16, depth=2, latent_size=16,
                                         n_figure=2),
                        TrainConfig(steps=20, chunk_steps=10), Adam(decay_steps=1000)),
        # quick: 1000 pairs per step (10x fewer than the paper's) for 8000 steps, ≈ 20 min for 5 x 3 seeds on 2 cores
        "quick": Preset(DROperatorConfig(batch_size=1000),
                        TrainConfig(steps=8000, seeds=3, chunk_steps=250), Adam(decay_steps=1000)),
        "paper": Preset(DROperatorConfig(), TrainConfig(steps=50_000, seeds=10, chunk_steps=500, eval_every=1000),
                        Adam(decay_steps=1000)),
    }
    metrics = ("rel_l2", "rel_l2_std")
    percent_metrics = frozenset(metrics)
    default_parameterizations = "plain,aa,wn,rwf,wc-row"
    rwf = RWF_DR
    options = (
        Option("train_data", f"training set from `pinnrwf generate diffusion-reaction` (default: {DEFAULT_TRAIN})",
               type=Path),
        Option("test_data", f"test set (default: {DEFAULT_TEST})", type=Path),
        Option("generate_data", "generate missing data sets in memory for this run (≈ 20 s for 5000 functions)",
               const=True),
        Option("n_train", "training functions (the first N of the file)"),
        Option("n_test", "test functions (the first N of the file)"),
        Option("points_per_function", "P: training points kept per function (drawn once)"),
        Option("points_seed", "seed of the P points of every function"),
        Option("points_with_replacement", "draw the P points with replacement (the reference code)", const=True),
        Option("batch_size", "(function, point) rows per step (paper preset: 10000, as the reference code; "
               "quick: 1000)"),
        Option("functions_per_batch", "0: independent pairs; F: F functions x batch_size/F of their points"),
        Option("branch_evaluation", "per-function: the branch runs once on every training function and is "
               "gathered for the pairs (the same loss); per-row: once per pair; auto (default): per-function "
               "when batch_size >= n_train", choices=BRANCH_EVALUATIONS),
        Option("width", "neurons per hidden layer of branch and trunk"),
        Option("depth", "hidden layers of branch and trunk (the reference code: 4)"),
        Option("latent_size", "q: branch/trunk output size"),
    )

    def objective(self, config, train):
        return make_objective(config)

    def init_model(self, config, parameterization):
        return lambda key: DeepONet(config.sensors, 2, config.latent_size, config.width, config.depth,
                                    parameterization, activation="tanh", key=key)

    def report(self, config, results, out_dir):
        return operator_report("dr", "Diffusion–reaction DeepONet", load_data(config), make_objective(config),
                               results, out_dir, n_figure=config.n_figure, input_label="a(x)",
                               field_label="u(x, t)")
