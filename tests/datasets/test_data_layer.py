"""The data layer: the lazy validating reader, minibatches on device and streamed from the host,
and the one atomic writer (stale temporaries of killed writes are cleaned up)."""

import os

import h5py
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf._atomic import atomic_write_bytes
from pinnrwf.datasets import (
    DatasetError,
    DeviceRows,
    FunctionPointPairs,
    HostRows,
    open_dataset,
    open_splits,
    read_dataset,
    write_dataset,
)
from pinnrwf.nn import MLP
from pinnrwf.train import AbstractObjective, Adam, TrainConfig, fit

ATTRS = dict(pde="test", parameters={"k": 1}, solver="none", resolution={"nx": 5, "nt": 4}, seed=0)


def make(path, n=6, nx=5, nt=4, seed=0, learnable=False):
    """A small diffusion–reaction-shaped file; ``learnable``: tensor = 2·source at every t."""
    rng = np.random.default_rng(seed)
    x, t = np.linspace(0, 1, nx), np.linspace(0, 1, nt)
    source = rng.normal(size=(n, nx))
    tensor = np.repeat(2 * source[:, None, :], nt, axis=1) if learnable else rng.normal(size=(n, nt, nx))
    return write_dataset(
        path,
        "diffusion-reaction",
        fields={"tensor": tensor, "source": source},
        coordinates={"x": x, "t": t},
        attrs=ATTRS,
    )


def test_open_is_lazy_float32_and_loads_rows_in_any_order(tmp_path):
    path = make(tmp_path / "d.h5")
    full = read_dataset(path)  # float64, everything loaded
    lazy = open_dataset(path)
    assert lazy.dtype == np.float32 and lazy.layout == {"tensor": ("t", "x"), "source": ("x",)}
    rows = np.array([4, 1, 1, 5])
    part = lazy.load("tensor", rows)
    assert part.dtype == np.float32 and part.shape == (4, 4, 5)
    np.testing.assert_array_equal(part, full["tensor"][rows].astype(np.float32))
    np.testing.assert_array_equal(lazy.load("a", slice(2, 4)), full["source"][2:4].astype(np.float32))  # alias
    assert lazy["x"].dtype == np.float64 and lazy.n_samples == 6
    with pytest.raises(ValueError, match=r"samples must be a 1D array of indices in \[0, 6\)"):
        lazy.load("tensor", np.array([0, 6]))
    with pytest.raises(KeyError, match="'nope' is not a field"):
        lazy.load("nope")


def test_non_finite_values_are_rejected_with_dataset_and_index(tmp_path):
    """A NaN in the reference data must not become a silent rel_l2 = nan."""
    path = make(tmp_path / "d.h5")
    with h5py.File(path, "r+") as f:
        f["tensor"][3, 2, 1] = np.nan
    ds = open_dataset(path)  # opening checks layout, not every value
    np.testing.assert_array_equal(ds.load("tensor", np.array([0, 1])).shape, (2, 4, 5))
    with pytest.raises(DatasetError, match=r"dataset 'tensor' holds a non-finite value \(nan\) at index \(3, 2, 1\)"):
        ds.load("tensor", np.array([5, 3]))
    with pytest.raises(DatasetError, match=r"at index \(3, 2, 1\)"):
        read_dataset(path)


def test_validation_reads_the_layout_the_file_records(tmp_path):
    path = make(tmp_path / "d.h5")
    with h5py.File(path, "r+") as f:
        f.attrs["layout"] = '{"tensor": ["sample", "t", "x"], "extra": ["sample", "x"]}'
    with pytest.raises(DatasetError, match="lacks the dataset 'extra' named in its layout"):
        open_dataset(path)
    with h5py.File(path, "r+") as f:
        f.attrs["layout"] = '{"tensor": ["sample", "x", "t"]}'
    with pytest.raises(DatasetError, match=r"'tensor' has shape \(6, 4, 5\), expected \(6, 5, 4\)"):
        open_dataset(path)
    with h5py.File(path, "r+") as f:
        del f.attrs["layout"]
    with pytest.raises(DatasetError, match="'layout' attribute is missing"):
        open_dataset(path)


def test_kind_and_splits_are_checked(tmp_path):
    train, test = make(tmp_path / "train.h5"), make(tmp_path / "test.h5", n=2, seed=1)
    splits = open_splits({"train": train, "test": test}, problem="diffusion-reaction")
    assert splits["train"].n_samples == 6 and splits["test"].n_samples == 2
    with pytest.raises(DatasetError, match="holds a 'diffusion-reaction' dataset, expected a 'darcy' dataset"):
        open_dataset(train, problem="darcy")
    other = make(tmp_path / "other.h5", nx=7)
    with pytest.raises(DatasetError, match="different x grids"):
        open_splits({"train": train, "test": other}, problem="diffusion-reaction")


def test_device_rows_and_function_point_pairs_draw_consistent_rows():
    n, p = 50, 7
    u = jnp.arange(n, dtype=jnp.float32)[:, None] * jnp.ones((1, 3))
    y = jnp.arange(n * p, dtype=jnp.float32).reshape(n, p)
    s = 10.0 * y
    pairs = FunctionPointPairs({"u": u}, {"y": y, "s": s}, batch_size=1000)
    batch = jax.jit(lambda k: pairs.sample(k))(jax.random.PRNGKey(0))
    assert batch["u"].shape == (1000, 3) and batch["y"].shape == (1000,)
    i, j = np.divmod(np.asarray(batch["y"]).astype(int), p)
    np.testing.assert_array_equal(np.asarray(batch["u"][:, 0]), i)  # the point belongs to the drawn function
    np.testing.assert_array_equal(np.asarray(batch["s"]), 10.0 * np.asarray(batch["y"]))
    assert len(np.unique(i)) > 40 and len(np.unique(j)) == p
    rows = DeviceRows({"a": u, "b": u[:, 0]}, batch_size=64).sample(jax.random.PRNGKey(1))
    np.testing.assert_array_equal(np.asarray(rows["a"][:, 0]), np.asarray(rows["b"]))
    with pytest.raises(ValueError, match="functions have 50 rows but points have 3"):
        FunctionPointPairs({"u": u}, {"y": y[:3]}, batch_size=4)
    with pytest.raises(ValueError, match="batch_size must be ≥ 1"):
        DeviceRows({"a": u}, batch_size=0)


class StreamedFit(AbstractObjective):
    """Fit tensor[:, 0, :] (5 values) from source (5 values): the same loss code for a device
    sampler and a host stream (``sample`` is used only without a stream)."""

    rows: DeviceRows

    def sample(self, key):
        return self.rows.sample(key)

    def loss_terms(self, model, batch, step):
        pred = jax.vmap(model)(batch["source"])
        return {"mse": jnp.mean((pred - batch["tensor"][:, 0, :]) ** 2)}, {}


def init(key):
    return MLP(5, 5, 16, 2, key=key)


def test_host_stream_is_chunk_independent_trains_and_resumes_bit_exactly(tmp_path):
    ds = open_dataset(make(tmp_path / "d.h5", n=40, learnable=True))
    stream = HostRows(ds, ("source", "tensor"), batch_size=8)
    whole = stream.chunk(10, 6, [0, 1])
    parts = [stream.chunk(10, 2, [0, 1]), stream.chunk(12, 4, [0, 1])]
    assert whole["tensor"].shape == (6, 2, 8, 4, 5)
    for name in whole:
        np.testing.assert_array_equal(whole[name], np.concatenate([q[name] for q in parts]))
    objective = StreamedFit(DeviceRows({"source": ds["source"], "tensor": ds["tensor"]}, batch_size=8))
    opt = Adam(learning_rate=1e-2, decay_steps=None)
    full = fit(
        init, objective, TrainConfig(steps=60, seeds=2, chunk_steps=10, progress=False), optimizer=opt, batches=stream
    )
    loss = np.asarray(full.history["loss"])
    assert np.all(loss[-1] < 0.5 * loss[0])
    ckpt = tmp_path / "ckpt"
    part = dict(seeds=2, chunk_steps=10, progress=False, checkpoint_dir=ckpt, checkpoint_every=10)
    fit(init, objective, TrainConfig(steps=30, **part), optimizer=opt, batches=stream)
    resumed = fit(init, objective, TrainConfig(steps=60, **part), optimizer=opt, batches=stream, resume=True)
    for a, b in zip(jax.tree.leaves(resumed.params), jax.tree.leaves(full.params)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    on_device = fit(init, objective, TrainConfig(steps=60, seeds=2, chunk_steps=10, progress=False), optimizer=opt)
    assert np.all(np.asarray(on_device.history["loss"])[-1] < 0.5 * loss[0])  # same objective code without a stream


def test_a_killed_write_leaves_a_temporary_that_the_next_write_removes(tmp_path, capsys):
    target = tmp_path / "d.h5"
    dead = 2**22 + 12345  # beyond the default pid_max of 2^22: no such process
    stale = tmp_path / f".d.h5.{dead}.abcd.tmp"
    stale.write_bytes(b"x" * 1000)
    alive = tmp_path / f".d.h5.{os.getpid()}.efgh.tmp"  # a live writer's temporary is left alone
    alive.write_bytes(b"y")
    make(target)
    assert not stale.exists() and alive.exists()
    assert f"removed {stale}" in capsys.readouterr().err
    other = tmp_path / f".other.json.{dead}.x.tmp"
    other.write_bytes(b"z")
    atomic_write_bytes(tmp_path / "d.json", lambda f: f.write(b"{}"))
    assert other.exists()  # temporaries of other targets are not touched
