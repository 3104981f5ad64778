"""Minibatches from datasets: drawn on the device inside the compiled chunk, or streamed from the host.

A dataset that fits in device memory is placed there once, inside the objective (an equinox
module, so its arrays are arguments of the compiled chunk, not per-step transfers), and every
step draws its minibatch by indices generated on device (:class:`DeviceRows`,
:class:`FunctionPointPairs`): ``objective.sample(key)`` calls ``rows.sample(key)``. Memory: the
arrays themselves, once (float32: 4 bytes a value; the diffusion–reaction training set with
P = 100 points per function is 5000 × (100 + 100·3) values ≈ 8 MB; NeRF Lego at 400² ≈ 0.6 GB).

Data that does not fit streams from the host one chunk at a time (:class:`HostRows`, passed to
``fit(..., batches=...)``): stacked ``(chunk, seeds, batch, ...)`` arrays fed to the ``lax.scan``;
the objective's ``loss_terms`` is the same code for both.
"""

from __future__ import annotations

from collections.abc import Mapping

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, PRNGKeyArray

from pinnrwf import _validation as check
from pinnrwf.train import AbstractBatchStream

from .hdf5 import Dataset


def _leading(arrays: Mapping[str, Array], what: str, ndim: int) -> tuple[int, ...]:
    if not arrays:
        raise ValueError(f"{what} must hold at least one array")
    shapes = {name: np.shape(a) for name, a in arrays.items()}
    lead = {s[:ndim] for s in shapes.values()}
    if len(lead) != 1 or any(len(s) < ndim for s in shapes.values()):
        raise ValueError(f"the arrays of {what} must share their first {ndim} axis/axes, got shapes {shapes}")
    return lead.pop()


class DeviceRows(eqx.Module):
    """Uniform random rows (with replacement) of arrays that share a leading axis of length N.

    ``sample(key) -> {name: array[idx]}`` with ``idx`` of shape ``(batch_size,)`` drawn on device.
    """

    arrays: dict[str, Array]
    batch_size: int = eqx.field(static=True)
    n_rows: int = eqx.field(static=True)

    def __init__(self, arrays: Mapping[str, Array], batch_size: int):
        self.n_rows = _leading(arrays, "DeviceRows.arrays", 1)[0]
        self.batch_size = check.positive_int("batch_size", batch_size)
        self.arrays = {name: jnp.asarray(a) for name, a in arrays.items()}

    def sample(self, key: PRNGKeyArray) -> dict[str, Array]:
        idx = jax.random.randint(key, (self.batch_size,), 0, self.n_rows)
        return {name: a[idx] for name, a in self.arrays.items()}


class FunctionPointPairs(eqx.Module):
    """(function, point) pairs for operator learning: i ~ U{0..N−1}, j ~ U{0..P−1} per row.

    ``functions``: arrays with leading axis N (e.g. the branch input, ``(N, m)`` sensor values);
    ``points``: arrays with leading axes (N, P) (e.g. ``(N, P, 2)`` query coordinates and
    ``(N, P)`` targets). ``sample(key)`` returns ``functions[k][i]`` and ``points[k][i, j]`` for
    ``batch_size`` independent pairs, as one dict.
    """

    functions: dict[str, Array]
    points: dict[str, Array]
    batch_size: int = eqx.field(static=True)
    n_functions: int = eqx.field(static=True)
    n_points: int = eqx.field(static=True)

    def __init__(self, functions: Mapping[str, Array], points: Mapping[str, Array], batch_size: int):
        (n,) = _leading(functions, "FunctionPointPairs.functions", 1)
        n_p, p = _leading(points, "FunctionPointPairs.points", 2)
        if n_p != n:
            raise ValueError(f"functions have {n} rows but points have {n_p} (leading axes must agree)")
        clash = set(functions) & set(points)
        if clash:
            raise ValueError(f"functions and points use the same names {sorted(clash)}")
        self.n_functions, self.n_points = n, p
        self.batch_size = check.positive_int("batch_size", batch_size)
        self.functions = {k: jnp.asarray(v) for k, v in functions.items()}
        self.points = {k: jnp.asarray(v) for k, v in points.items()}

    def sample(self, key: PRNGKeyArray) -> dict[str, Array]:
        ki, kj = jax.random.split(key)
        i = jax.random.randint(ki, (self.batch_size,), 0, self.n_functions)
        j = jax.random.randint(kj, (self.batch_size,), 0, self.n_points)
        return {**{k: v[i] for k, v in self.functions.items()}, **{k: v[i, j] for k, v in self.points.items()}}


class HostRows(AbstractBatchStream):
    """Random rows of dataset fields read from the file one chunk at a time (data too large for
    the device). The rows of step s for the member seeded ``seed`` come from
    ``numpy.random.default_rng([seed, s])``, so a resumed run reads the same batches whatever
    the chunk size."""

    dataset: Dataset = eqx.field(static=True)
    names: tuple[str, ...] = eqx.field(static=True)
    batch_size: int = eqx.field(static=True)

    def __init__(self, dataset: Dataset, names: tuple[str, ...] | list[str], batch_size: int):
        if not isinstance(dataset, Dataset):
            raise ValueError(f"dataset must be a pinnrwf.datasets.Dataset (open_dataset), got {type(dataset).__name__}")
        names = tuple(names)
        if not names:
            raise ValueError("names must list at least one field")
        for name in names:
            dataset._resolve(name)  # KeyError naming the known fields
        self.dataset, self.names = dataset, names
        self.batch_size = check.positive_int("batch_size", batch_size)

    def chunk(self, start_step: int, num_steps: int, seeds: list[int]) -> dict[str, np.ndarray]:
        n = self.dataset.n_samples
        idx = np.stack(
            [
                np.stack(
                    [np.random.default_rng([seed, start_step + i]).integers(0, n, self.batch_size) for seed in seeds]
                )
                for i in range(num_steps)
            ]
        )  # (num_steps, S, batch)
        out = {}
        for name in self.names:
            rows = self.dataset.load(name, idx.ravel())
            out[name] = rows.reshape(idx.shape + rows.shape[1:])
        return out
