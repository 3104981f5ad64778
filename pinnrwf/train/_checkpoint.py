"""Atomic checkpoints with equinox serialisation (never pickle).

Layout in ``directory``: ``checkpoint-<step>.eqx`` (the state leaves) and ``checkpoint.json``
(step, file name, history). The JSON is renamed into place last, so it is the commit point: a
crash at any moment leaves either the previous complete checkpoint or the new one.

With several processes (``jax.distributed``) every process calls ``save_checkpoint`` and
``load_checkpoint``: the state is gathered, process 0 alone writes, and all read the same file
(a shared filesystem). :func:`to_host` and :func:`on_main_process` are the two host-side tools
for that: gather across processes, and do host work once.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import equinox as eqx
import jax
import numpy as np
from jax.experimental import multihost_utils

from pinnrwf._atomic import atomic_write_bytes

T = TypeVar("T")


# ------------------------------------------------------------------------- several processes
def to_host(tree: Any) -> Any:
    """NumPy copies of ``tree``'s array leaves.

    An array spread over devices of other processes is all-gathered first
    (``multihost_utils.process_allgather``): a collective, so with several processes every
    process calls this, in the same order. With one process it is ``np.asarray(device_get(x))``.
    """

    def one(x):
        if isinstance(x, jax.Array) and not x.is_fully_addressable:
            return multihost_utils.process_allgather(x, tiled=True)
        return np.asarray(jax.device_get(x))

    return jax.tree.map(one, tree)


def on_main_process(work: Callable[[], T], what: str) -> T | None:
    """Run ``work()`` on process 0 only (host-side work: writing files, plotting); return its
    result there and ``None`` elsewhere.

    With several processes the others wait until process 0 is done (the flag broadcast below is
    the barrier), and a failure of ``work`` is raised on every process, so none is left waiting
    in a later collective. ``what`` names the work in the other processes' error.
    """
    if jax.process_count() == 1:
        return work()
    result, error = None, None
    if jax.process_index() == 0:
        try:
            result = work()
        except Exception as e:  # noqa: BLE001 - re-raised below, after telling the others
            error = e
    failed = multihost_utils.broadcast_one_to_all(np.int32(error is not None))
    if error is not None:
        raise error
    if failed:
        raise RuntimeError(f"process 0 failed to {what} (its output names the error)")
    return result


def finite_json(obj: Any, where: str = "", found: list[str] | None = None) -> tuple[Any, list[str]]:
    """Replace every non-finite float in a JSON-like tree by ``None``; return the tree and the
    paths (``runs.plain.final_metrics.rel_l2[0]``) of what was replaced."""
    found = [] if found is None else found
    if isinstance(obj, float) and not math.isfinite(obj):
        found.append(f"{where} = {obj}")
        return None, found
    if isinstance(obj, dict):
        return {k: finite_json(v, f"{where}.{k}" if where else str(k), found)[0] for k, v in obj.items()}, found
    if isinstance(obj, (list, tuple)):
        return [finite_json(v, f"{where}[{i}]", found)[0] for i, v in enumerate(obj)], found
    return obj, found


def atomic_write_json(path: Path, obj: Any) -> None:
    """Write ``obj`` as JSON atomically; non-finite floats are an error (JSON has none)."""
    text = json.dumps(obj, indent=2, allow_nan=False)
    atomic_write_bytes(path, lambda f: f.write(text.encode()))


def save_checkpoint(directory: Path, step: int, state, meta: dict) -> Path:
    """Write ``state`` (a pytree of arrays) and ``meta`` as the checkpoint of ``step``.

    With several processes every process calls it: the state is gathered, process 0 writes,
    the others wait for the write to be committed.
    """
    if jax.process_count() > 1:
        host = to_host(state)
        on_main_process(lambda: _write_checkpoint(directory, step, host, meta), f"write the checkpoint of step {step}")
        return Path(directory) / f"checkpoint-{step}.eqx"
    return _write_checkpoint(directory, step, state, meta)


def _write_checkpoint(directory: Path, step: int, state, meta: dict) -> Path:
    directory = Path(directory)
    name = f"checkpoint-{step}.eqx"
    atomic_write_bytes(directory / name, lambda f: eqx.tree_serialise_leaves(f, state))
    previous = read_checkpoint_meta(directory)
    # a non-finite metric in the history is stored as null (JSON has no NaN)
    atomic_write_json(directory / "checkpoint.json", finite_json({**meta, "step": step, "file": name})[0])
    if previous is not None and previous["file"] != name:
        (directory / previous["file"]).unlink(missing_ok=True)
    return directory / name


def read_checkpoint_meta(directory: Path) -> dict | None:
    path = Path(directory) / "checkpoint.json"
    if not path.exists():
        return None
    try:
        meta = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise ValueError(f"checkpoint metadata {path} is corrupt: {e}") from e
    if not isinstance(meta, dict) or "file" not in meta or "step" not in meta:
        raise ValueError(f"checkpoint metadata {path} lacks 'file'/'step'")
    return meta


def load_checkpoint(directory: Path, like):
    """Return ``(state, meta)``; ``like`` is a freshly initialised state of the same structure.

    Each loaded array is placed like the corresponding leaf of ``like`` (same devices and
    sharding); with several processes each one reads the whole file and keeps its own shards.
    """
    meta = read_checkpoint_meta(directory)
    if meta is None:
        raise FileNotFoundError(f"no checkpoint in {directory}")
    path = Path(directory) / meta["file"]
    if not path.is_file():
        raise ValueError(f"checkpoint {path} named by {Path(directory) / 'checkpoint.json'} is missing")
    try:
        state = eqx.tree_deserialise_leaves(path, like)
    except Exception as e:  # noqa: BLE001 - told apart below: truncated file, or another run's structure
        expected = io.BytesIO()  # zeros of like's shapes: an array spread over processes cannot be saved as is
        eqx.tree_serialise_leaves(
            expected, jax.tree.map(lambda x: np.zeros(x.shape, x.dtype) if isinstance(x, jax.Array) else x, like)
        )
        size, wanted = path.stat().st_size, expected.getbuffer().nbytes
        if size < wanted:
            raise ValueError(
                f"checkpoint {path} is truncated or corrupt ({size} of the {wanted} bytes this run's "
                "state needs); delete the checkpoint folder to start again"
            ) from None
        raise ValueError(f"checkpoint {path} does not match this run's model/optimizer structure: {e}") from e
    state = jax.tree.map(
        lambda new, old: jax.device_put(new, old.sharding) if isinstance(old, jax.Array) else new, state, like
    )
    return state, meta
