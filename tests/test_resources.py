"""Size checks (pinnrwf._resources) and full disks (pinnrwf._atomic): what cannot fit is refused in one
error naming what asked for it, the estimate and the available amount; a full disk names the file."""

import errno
import io
import os

import equinox as eqx
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf import _resources as resources
from pinnrwf._atomic import DiskFullError, atomic_write_bytes, disk_full_cause, disk_full_message, writing


def test_estimates_count_the_bytes_of_the_arrays():
    assert resources.array_bytes((10**12, 3)) == 24 * 10**12  # Python integers: no overflow
    assert resources.array_bytes((4,), (2, 2), dtype=np.float32) == 32
    shapes = eqx.filter_eval_shape(lambda: {"w": jnp.zeros((1000, 1000), jnp.float32), "activation": jnp.tanh})
    assert resources.nbytes(shapes) == 4 * 10**6
    assert resources.size_text(21.8 * 2**40) == "21.8 TiB" and resources.size_text(100) == "100 B"


def test_what_cannot_fit_is_refused_naming_it_unless_overridden(monkeypatch):
    monkeypatch.setattr(resources, "host_memory_available", lambda: 2**30)
    assert resources.check_memory(2**29, what="small", device=False) == 2**29
    with pytest.raises(
        ValueError,
        match=r"^--pool-size 10 \(x\) needs at least 2 GiB of memory, more than the 1 GiB "
        r"available on this machine; choose a smaller value, or set PINNRWF_NO_SIZE_CHECK=1",
    ):
        resources.check_memory(2**31, what="--pool-size 10 (x)", device=False)
    monkeypatch.setenv(resources.OVERRIDE, "1")
    assert resources.check_memory(2**31, what="x", device=False) == 2**31


def test_the_free_disk_is_that_of_the_nearest_existing_folder(tmp_path):
    assert resources.disk_available(tmp_path / "not" / "yet" / "made.h5") == resources.disk_available(tmp_path) > 0


def test_a_training_estimate_counts_networks_batches_and_the_lbfgs_set(monkeypatch):
    class Objective:
        def sample(self, key):
            return jnp.zeros((100, 2), jnp.float32)  # 800 B

    init = lambda key: eqx.nn.Linear(10, 10, key=key)  # noqa: E731 - 110 float32 = 440 B
    assert resources.check_training(Objective(), [init], seeds=2, lbfgs_batches=3) == 2 * (440 + 800 + 3 * 800)
    monkeypatch.setattr(resources, "device_memory_available", lambda: 1000)
    monkeypatch.setattr(resources, "host_memory_available", lambda: 1000)
    with pytest.raises(
        ValueError,
        match=r"training \(2 seed\(s\) × the network's parameters \(440 B\), one training "
        r"batch \(800 B\), the L-BFGS fixed set \(--lbfgs-points 300: 3 batches, 2.34 KiB\)\) needs",
    ):
        resources.check_training(Objective(), [init], seeds=2, lbfgs_batches=3, lbfgs_points=300)


@pytest.mark.parametrize(
    "code, reason", [(errno.ENOSPC, "no space left on device"), (errno.EDQUOT, "disk quota exceeded")]
)
def test_a_full_disk_names_the_file_and_leaves_no_partial_file(tmp_path, code, reason):
    def full(f):
        f.write(b"half")
        raise OSError(code, os.strerror(code))

    path = tmp_path / "models" / "rwf.eqx"
    with pytest.raises(DiskFullError) as info:
        atomic_write_bytes(path, full)
    assert str(info.value) == f"{reason} while writing {path}" and info.value.errno == code
    assert os.listdir(path.parent) == []


def test_a_full_disk_is_found_inside_the_errors_that_wrap_it(tmp_path):
    class Full(io.BytesIO):
        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(Exception) as info:  # equinox wraps it: "TreePathError: Error at leaf with path ..."
        eqx.tree_serialise_leaves(Full(), {"w": jnp.ones(3)})
    assert disk_full_cause(info.value).errno == errno.ENOSPC
    h5py_style = OSError("Can't write data (file write failed: errno = 28, error message = 'No space left on device')")
    assert disk_full_message(h5py_style) == "no space left on device while writing the output"
    assert disk_full_message(ValueError("other")) is None
    with pytest.raises(DiskFullError, match=f"while writing {tmp_path / 'table.md'}"), writing(tmp_path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "table.md"))
