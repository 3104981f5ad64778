"""Physics-informed DeepONet training for an initial-value problem (rwf_paper eq. L.11–L.13):
an initial-condition misfit and a PDE residual, no solutions needed for training."""

from __future__ import annotations

import functools
from typing import Protocol

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, Int, PRNGKeyArray

from pinnrwf import _validation as check
from pinnrwf.datasets import DeviceRows
from pinnrwf.datasets.generate import AbstractDatasetConfig
from pinnrwf.pde import Equation
from pinnrwf.train import AbstractObjective

from ._data import OperatorData


class PhysicsInformedOperatorObjective(AbstractObjective):
    """``sample`` / ``loss_terms`` / ``metrics`` of a physics-informed DeepONet for u(x, t) with
    u(x, 0) = a(x), the input a given on the m sensors x_j = j/m of [0, 1) (eq. L.11–L.13):
    ``λ_ic · mean |G(a)(x_j, 0) − a(x_j)|² + λ_r · mean |R[G(a)](x, t)|²``, (x, t) uniform in [0, 1)².

    The model is ``model(a: (m,), y: (2,)) -> (1,)`` with y = (x, t). Per function the residual
    is ``equation.residuals(lambda y: model(a, y), y)`` vmapped over its Q points (the DSL's
    trunk-closure pattern: derivatives along (x, t) only, never through a); the N functions are
    vmapped outside. Inside the point vmap a is not batched, so what depends on a alone (e.g. a
    branch encoder) is computed once per function, not once per point. Metrics: the relative L²
    error of every test function on ``test_points`` (mean, std and max over the test set).
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

    def __init__(
        self,
        equation: Equation,
        train_inputs,
        test_inputs,
        test_solutions,
        test_points,
        *,
        n_functions: int,
        n_initial: int,
        n_residual: int,
        weight_ic: float = 100.0,
        weight_residual: float = 1.0,
    ):
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
            raise ValueError(
                f"test_solutions must hold {test_points.shape[0]} values for each of the "
                f"{test_inputs.shape[0]} test inputs, got shape {test_solutions.shape}"
            )
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

    def function_losses(
        self, model, a: Float[Array, " m"], ic: Int[Array, " p"], y: Float[Array, "q 2"]
    ) -> tuple[Array, Array]:
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

    def test_predictions(self, model) -> Float[Array, "n_test n_points"]:
        """G(a) on the test grid for every test input, one function at a time."""
        return jax.lax.map(functools.partial(self.predict, model), self.test_inputs)

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


class PhysicsInformedTraining(Protocol):
    """The config fields of a physics-informed operator problem's training (e.g. the Burgers
    operator's config): its input functions, minibatch sizes and loss weights (eq. L.11–L.13)."""

    n_train: int
    train_seed: int
    n_functions: int
    n_initial: int
    n_residual: int
    weight_ic: float
    weight_residual: float


def make_physics_informed_objective(
    equation: Equation,
    dataset: AbstractDatasetConfig,
    inputs: str,
    test_set: OperatorData,
    training: PhysicsInformedTraining,
) -> PhysicsInformedOperatorObjective:
    """The objective of ``equation`` on ``training.n_train`` input functions (the field ``inputs``)
    of ``dataset`` drawn with ``training.train_seed``, never solved, in float32 as the solved test
    sets of :func:`solved_grid_test_set`, and the test inputs, grid and solutions of ``test_set``;
    minibatch sizes and loss weights from ``training``."""
    train_inputs = dataset.sample_inputs(training.n_train, training.train_seed)[inputs].astype(np.float32)
    return PhysicsInformedOperatorObjective(
        equation,
        train_inputs,
        test_set.test_inputs,
        test_set.test_values,
        test_set.grid,
        n_functions=training.n_functions,
        n_initial=training.n_initial,
        n_residual=training.n_residual,
        weight_ic=training.weight_ic,
        weight_residual=training.weight_residual,
    )
