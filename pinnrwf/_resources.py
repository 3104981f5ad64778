"""Size checks before work: refuse what cannot fit on this machine, in one clear error.

Each size-like option (a number of samples, points, rays, a network width) creates arrays whose
shapes follow from it. :func:`check_memory` and :func:`check_disk` compare the bytes of those
arrays with what is available now — device memory for arrays that live on an accelerator, else
the host's ``MemAvailable`` (``/proc/meminfo``, or ``os.sysconf``), and the free space of the
destination's file system (``shutil.disk_usage``) — and raise a ``ValueError`` naming the option,
the estimate and the available amount. A memory estimate counts only the arrays the option
creates, not the intermediates of the computation: a lower bound, so a refusal is not a false
alarm; a file is estimated at its uncompressed size.

The override, for users who know better (swap, a file system that compresses): set the
environment variable ``PINNRWF_NO_SIZE_CHECK=1``.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import numpy as np

OVERRIDE = "PINNRWF_NO_SIZE_CHECK"


def size_checks_enabled() -> bool:
    """False when the user turned the checks off (``PINNRWF_NO_SIZE_CHECK`` set to 1/true/yes)."""
    return os.environ.get(OVERRIDE, "").strip().lower() not in ("1", "true", "yes")


def nbytes(tree) -> int:
    """Bytes of the array leaves of ``tree`` (arrays or ``jax.ShapeDtypeStruct``s, e.g. the
    output of ``jax.eval_shape``); other leaves count 0."""
    import jax

    total = 0
    for leaf in jax.tree.leaves(tree):
        shape, dtype = getattr(leaf, "shape", None), getattr(leaf, "dtype", None)
        if shape is not None and dtype is not None:
            total += math.prod(shape) * np.dtype(dtype).itemsize
    return total


def array_bytes(*shapes: Iterable[int], dtype=np.float64) -> int:
    """Bytes of arrays of the given shapes and ``dtype`` (Python integers: no overflow)."""
    return sum(math.prod(int(n) for n in shape) for shape in shapes) * np.dtype(dtype).itemsize


def host_memory_available() -> int | None:
    """Bytes of host memory available now (``MemAvailable``), None where the system does not say."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def device_memory_available() -> int | None:
    """Bytes free on JAX's first device (an accelerator's own memory; on a CPU, the host's)."""
    import jax

    device = jax.local_devices()[0]
    if device.platform == "cpu":
        return host_memory_available()
    try:
        stats = device.memory_stats() or {}
    except Exception:  # noqa: BLE001 - backends without statistics
        stats = {}
    return int(stats["bytes_limit"]) - int(stats.get("bytes_in_use", 0)) if "bytes_limit" in stats else None


def disk_available(path: str | os.PathLike) -> int | None:
    """Free bytes of the file system that would hold ``path`` (its nearest existing folder)."""
    folder = Path(path).absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder if folder.is_dir() else folder.parent).free
    except OSError:
        return None


def size_text(n: float) -> str:
    """``n`` bytes in binary units (``21.8 TiB``)."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.3g} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    raise AssertionError


def _check(need: int, available: int | None, what: str, kind: str, hint: str) -> int:
    if size_checks_enabled() and available is not None and need > available:
        raise ValueError(
            f"{what} needs at least {size_text(need)} of {kind}, more than the {size_text(available)} available on "
            f"this machine; {hint + ', or ' if hint else ''}set {OVERRIDE}=1 to skip this check"
        )
    return need


def check_memory(need: int, *, what: str, device: bool = True, hint: str = "choose a smaller value") -> int:
    """Refuse (``ValueError``) ``need`` bytes of arrays that ``what`` creates (e.g. ``"--pool-size
    10^12 (the labelled pool: 10^12 × 3 points)"``) beyond the memory available: the
    accelerator's (``device=True``: arrays that JAX holds, on a GPU) or the host's. Returns ``need``."""
    accelerator = device and _on_accelerator()
    available = device_memory_available() if accelerator else host_memory_available()
    return _check(need, available, what, "device memory" if accelerator else "memory", hint)


def check_disk(need: int, path: str | os.PathLike, *, what: str, hint: str = "choose a smaller value") -> int:
    """Refuse (``ValueError``) a file of ``need`` bytes at ``path`` beyond the free disk space there."""
    return _check(need, disk_available(path), what, f"disk space in {Path(path).absolute().parent}", hint)


def _on_accelerator() -> bool:
    import jax

    return jax.local_devices()[0].platform != "cpu"


def shapes_of(fn, *args):
    """``equinox.filter_eval_shape(fn, *args)``: the output's shapes, nothing computed; None if
    ``fn`` cannot be traced abstractly (then the check that needed it is skipped)."""
    import equinox as eqx

    try:
        return eqx.filter_eval_shape(fn, *args)
    except Exception:  # noqa: BLE001 - a builder doing concrete host work: no estimate, no check
        return None


def check_training(
    objective,
    init_models: Iterable,
    *,
    seeds: int,
    lbfgs_batches: int = 0,
    lbfgs_points: int | None = None,
    what: str = "training",
) -> int:
    """Refuse a training run whose arrays cannot fit in the device memory (:func:`check_memory`).

    The estimate, per ensemble member (× ``seeds``): the parameters of the largest network that
    ``init_models`` (``key -> model``) build, one training batch (``objective.sample``) and, with
    an L-BFGS stage, its fixed set of ``lbfgs_batches`` batches (``lbfgs_points``: the
    ``--lbfgs-points`` that asked for them, named in the message). Shapes come from
    ``eval_shape``: nothing is built. Returns the estimate in bytes.
    """
    import jax

    key = jax.random.PRNGKey(0)
    params = max((nbytes(shapes_of(init, key)) for init in init_models), default=0)
    batch = nbytes(shapes_of(objective.sample, key))
    parts = [(f"the network's parameters ({size_text(params)})", params)]
    if batch:  # (objectives on fixed data have none)
        parts.append((f"one training batch ({size_text(batch)})", batch))
    if lbfgs_batches:
        asked = "" if lbfgs_points is None else f"--lbfgs-points {lbfgs_points}: "
        parts.append(
            (
                f"the L-BFGS fixed set ({asked}{lbfgs_batches} batches, {size_text(lbfgs_batches * batch)})",
                lbfgs_batches * batch,
            )
        )
    need = seeds * sum(n for _, n in parts)
    return check_memory(
        need,
        what=f"{what} ({seeds} seed(s) × {', '.join(t for t, _ in parts)})",
        hint="choose smaller sizes (batch, points, width) or fewer --seeds",
    )
