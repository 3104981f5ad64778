"""Supervised DeepONet training: minibatches of (function, point) pairs or function groups, and the
mean-squared-error objective with per-function relative test errors (rwf_paper eq. L.2)."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, PRNGKeyArray

from pinnrwf import _validation as check
from pinnrwf.datasets import FunctionPointPairs
from pinnrwf.train import AbstractObjective

from ._data import OperatorData, float_dtype


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
        if (
            np.shape(inputs)[0] != n
            or np.ndim(points) not in (2, 3)
            or np.shape(points)[-2] != p
            or (np.ndim(points) == 3 and np.shape(points)[0] != n)
        ):
            raise ValueError(
                f"FunctionGroups: inputs {np.shape(inputs)}, points {np.shape(points)} and values "
                f"{np.shape(values)} must be (N, m), (N, P, d) or (P, d), and (N, P)"
            )
        self.inputs, self.points, self.values = jnp.asarray(inputs), jnp.asarray(points), jnp.asarray(values)

    def sample(self, key: PRNGKeyArray) -> dict[str, Array]:
        ki, kj = jax.random.split(key)
        n, p = self.values.shape
        i = jax.random.randint(ki, (self.functions_per_batch,), 0, n)
        j = jax.random.randint(kj, (self.functions_per_batch, self.points_per_function), 0, p)
        y = self.points[j] if self.points.ndim == 2 else self.points[i[:, None], j]
        return {"a": self.inputs[i], "y": y, "u": self.values[i[:, None], j]}


def make_batches(
    data: OperatorData, batch_size: int, functions_per_batch: int, *, branch_once: bool = False
) -> eqx.Module:
    """Independent (function, point) pairs (``functions_per_batch = 0``) or :class:`FunctionGroups`.

    With ``branch_once`` the pairs carry the function's index (``"index"``) instead of its sensor
    values (``"a"``): the objective then evaluates the branch once on every training function
    and gathers (see :class:`SupervisedOperatorObjective`)."""
    if functions_per_batch == 0:
        points = data.train_points
        if points.ndim == 2:
            points = np.broadcast_to(points, (data.train_values.shape[0], *points.shape))
        functions = (
            {"index": np.arange(data.train_inputs.shape[0], dtype=np.int32)}
            if branch_once
            else {"a": data.train_inputs}
        )
        return FunctionPointPairs(functions, {"y": points, "u": data.train_values}, batch_size)
    if branch_once:
        raise ValueError("branch_once applies to independent (function, point) pairs (functions_per_batch = 0)")
    return FunctionGroups(
        data.train_inputs, data.train_points, data.train_values, functions_per_batch, batch_size // functions_per_batch
    )


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


#: How the supervised loss evaluates the branch: once per training function and gathered for the pairs
#: ("per-function"), once per (function, point) pair ("per-row"), or "auto" (see :func:`branch_once`).
BRANCH_EVALUATIONS = ("auto", "per-function", "per-row")


def branch_once(branch_evaluation: str, *, batch_size: int, functions_per_batch: int, n_train: int) -> bool:
    """Whether the loss evaluates the branch once per training function: "auto" does so for
    independent pairs (``functions_per_batch = 0``) when ``batch_size ≥ n_train``."""
    check.one_of("branch_evaluation", branch_evaluation, BRANCH_EVALUATIONS)
    if branch_evaluation == "auto":
        return functions_per_batch == 0 and batch_size >= n_train
    return branch_evaluation == "per-function"


def make_supervised_objective(
    data: OperatorData, batch_size: int, functions_per_batch: int, *, branch_evaluation: str = "per-row"
) -> SupervisedOperatorObjective:
    """The objective of ``data`` with minibatches of :func:`make_batches` (see :func:`branch_once`)."""
    dtype = float_dtype()
    once = branch_once(
        branch_evaluation,
        batch_size=batch_size,
        functions_per_batch=functions_per_batch,
        n_train=data.train_inputs.shape[0],
    )
    return SupervisedOperatorObjective(
        make_batches(data, batch_size, functions_per_batch, branch_once=once),
        jnp.asarray(data.test_inputs, dtype),
        jnp.asarray(data.grid, dtype),
        jnp.asarray(data.test_values, dtype),
        jnp.asarray(data.train_inputs, dtype) if once else None,
    )
