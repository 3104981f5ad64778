import json
import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

import pinnrwf
from pinnrwf.datasets import DatasetError, DatasetWriter, read_dataset, write_dataset
from pinnrwf.datasets.generate import CONFIGS, generate, make_config


def _small(problem):
    """A seconds-long instance of a registered problem (its config's ``smoke`` options) and its size."""
    cfg = make_config(problem, **CONFIGS[problem].smoke)
    return cfg, cfg.implied_n_samples() or 3


def _make(problem, path, seed=None, **kw):
    cfg, n = _small(problem)
    return generate(cfg, path, n_samples=n, seed=seed, progress=False, **kw)


def _direct(problem, ds):
    """Solve the stored inputs again from the stored parameters alone."""
    config = CONFIGS[problem].from_options(
        {k: tuple(v) if isinstance(v, list) else v for k, v in ds.parameters.items()}
    )
    inputs = {name: ds[name] for name in config.sample_inputs(ds.n_samples, 0)}
    return {k: v for k, v in config.solve(inputs).items() if k not in inputs}


@pytest.mark.parametrize("problem", sorted(CONFIGS))
def test_round_trip_layout_and_attributes(problem, tmp_path):
    seed = 5 if CONFIGS[problem]().uses_seed() else None
    path = _make(problem, tmp_path / f"{problem}.h5", seed=seed)
    ds = read_dataset(path)
    assert ds.problem == problem and ds.n_samples == _small(problem)[1]
    for name, value in _direct(problem, ds).items():
        np.testing.assert_allclose(ds[name], value, rtol=0, atol=1e-12)
    a = ds.attrs
    assert a["pinnrwf_version"] == pinnrwf.__version__ and a["seed"] == (seed or 0) and a["complete"] is True
    assert a["format"] == "pinnrwf-dataset" and a["created_utc"].endswith("+00:00")
    assert isinstance(json.loads(a["resolution"]), dict) and a["solver"] and a["pde"]
    # PDEBench-style names are plain HDF5 datasets, chunked and compressed, with axis names
    with h5py.File(path, "r") as f:
        main = "Vx" if problem == "ldc" else "tensor"
        assert f[main].shape[0] == ds.n_samples and f[main].compression == "gzip" and f[main].chunks
        assert f[main].attrs["axes"].startswith("sample,")
        assert "x-coordinate" in f
        if problem in ("darcy", "diffusion-reaction"):
            np.testing.assert_array_equal(f["a"][...], ds["nu" if problem == "darcy" else "source"])


@pytest.mark.parametrize("problem", ["diffusion-reaction", "darcy", "advection"])
def test_same_seed_same_data_independent_of_batch_size(problem, tmp_path):
    a = read_dataset(_make(problem, tmp_path / "a.h5", seed=1))
    b = read_dataset(_make(problem, tmp_path / "b.h5", seed=1, batch_size=2))
    c = read_dataset(_make(problem, tmp_path / "c.h5", seed=2))
    for name in a.fields:
        np.testing.assert_array_equal(a[name], b[name])
    assert not np.allclose(a["tensor"], c["tensor"])


def test_refuses_to_overwrite_without_flag(tmp_path):
    path = _make("darcy", tmp_path / "d.h5")
    with pytest.raises(ValueError, match="exists"):
        _make("darcy", path)
    _make("darcy", path, seed=3, overwrite=True)
    assert read_dataset(path).attrs["seed"] == 3


def _fields(n=4):
    return dict(
        fields={"tensor": np.ones((n, 3, 5)), "u0": np.ones((n, 5))},
        coordinates={"x": np.linspace(0, 1, 5), "t": np.linspace(0, 1, 3)},
        attrs=dict(pde="test", parameters={"nu": 1.0}, solver="none", resolution={"nx": 5}, seed=0),
    )


def test_exception_inside_writer_leaves_nothing(tmp_path):
    path = tmp_path / "x.h5"
    kw = _fields()
    with pytest.raises(RuntimeError, match="boom"):
        with DatasetWriter(path, "burgers", n_samples=4, coordinates=kw["coordinates"], attrs=kw["attrs"]) as w:
            w.write(0, {k: v[:2] for k, v in kw["fields"].items()})
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    # a writer that did not receive every sample refuses to publish
    with pytest.raises(RuntimeError, match="2 of 4"):
        with DatasetWriter(path, "burgers", n_samples=4, coordinates=kw["coordinates"], attrs=kw["attrs"]) as w:
            w.write(0, {k: v[:2] for k, v in kw["fields"].items()})
    assert list(tmp_path.iterdir()) == []


def test_writer_validates_batches(tmp_path):
    kw = _fields()
    with pytest.raises(ValueError, match="per-sample shape"):
        with DatasetWriter(
            tmp_path / "y.h5", "burgers", n_samples=4, coordinates=kw["coordinates"], attrs=kw["attrs"]
        ) as w:
            w.write(0, {"tensor": np.ones((4, 3, 6)), "u0": np.ones((4, 5))})
    with pytest.raises(ValueError, match="problem"):
        write_dataset(tmp_path / "z.h5", "heat", **kw)
    assert list(tmp_path.iterdir()) == []


_KILLED_SCRIPT = r"""
import os, signal, sys
import numpy as np
from pinnrwf.datasets import DatasetWriter
path = sys.argv[1]
coords = {"x": np.linspace(0, 1, 5), "t": np.linspace(0, 1, 3)}
attrs = dict(pde="test", parameters={}, solver="none", resolution={}, seed=0)
with DatasetWriter(path, "burgers", n_samples=4, coordinates=coords, attrs=attrs) as w:
    w.write(0, {"tensor": np.ones((2, 3, 5)), "u0": np.ones((2, 5))})
    w._file.flush()
    os.kill(os.getpid(), signal.SIGKILL)  # killed mid-generation: no cleanup code runs
"""


@pytest.mark.slow
def test_killed_writer_leaves_no_complete_looking_file(tmp_path):
    path = tmp_path / "killed.h5"
    proc = subprocess.run([sys.executable, "-c", _KILLED_SCRIPT, str(path)], capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    assert not path.exists()
    leftovers = list(tmp_path.glob(".killed.h5.*.tmp"))
    assert len(leftovers) == 1
    with pytest.raises(DatasetError, match="incomplete|not a pinnrwf|not a readable"):
        read_dataset(leftovers[0])


@pytest.mark.slow
def test_killed_cli_generation_leaves_no_file(tmp_path):
    path = tmp_path / "burgers.h5"
    cmd = [
        sys.executable,
        "-m",
        "pinnrwf.datasets.cli",
        "generate",
        "burgers",
        "--n-samples",
        "6",
        "--batch-size",
        "1",
        "--n-internal",
        "256",
        "--dt",
        "2e-5",
        "--t-final",
        "0.5",
        "--nt",
        "3",
        "--no-progress",
        "--out",
        str(path),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while not list(tmp_path.glob(".burgers.h5.*.tmp")) and time.time() < deadline:
            assert proc.poll() is None, "generation finished before it could be interrupted"
            time.sleep(0.05)
        assert list(tmp_path.glob(".burgers.h5.*.tmp"))
        time.sleep(0.5)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert not path.exists()


def test_truncated_file_gives_clear_error(tmp_path):
    path = _make("burgers", tmp_path / "b.h5")
    size = os.path.getsize(path)
    with open(path, "r+b") as fh:
        fh.truncate(size // 2)
    with pytest.raises(DatasetError, match="truncated or corrupt"):
        read_dataset(path)


def test_corrupted_chunk_is_detected(tmp_path):
    path = _make("darcy", tmp_path / "d.h5")
    with h5py.File(path, "r") as f:
        offset = f["tensor"].id.get_chunk_info(0).byte_offset
    with open(path, "r+b") as fh:
        fh.seek(offset + 10)
        fh.write(b"\xff" * 16)
    with pytest.raises(DatasetError, match="truncated or corrupt"):
        read_dataset(path)


def test_reader_rejects_foreign_incomplete_and_malformed_files(tmp_path):
    text = tmp_path / "notes.h5"
    text.write_text("not hdf5")
    with pytest.raises(DatasetError, match="not a readable HDF5"):
        read_dataset(text)
    foreign = tmp_path / "foreign.h5"
    with h5py.File(foreign, "w") as f:
        f["tensor"] = np.zeros((2, 3))
    with pytest.raises(DatasetError, match="not a pinnrwf dataset"):
        read_dataset(foreign)
    good = write_dataset(tmp_path / "good.h5", "burgers", **_fields())
    with h5py.File(good, "a") as f:
        f.attrs["complete"] = False
    with pytest.raises(DatasetError, match="incomplete"):
        read_dataset(good)
    bad = write_dataset(tmp_path / "bad.h5", "burgers", **_fields())
    with h5py.File(bad, "a") as f:
        del f["u0"]
        f["u0"] = np.ones((4, 6))
    with pytest.raises(DatasetError, match="'u0' has shape"):
        read_dataset(bad)
    with pytest.raises(FileNotFoundError):
        read_dataset(tmp_path / "missing.h5")
