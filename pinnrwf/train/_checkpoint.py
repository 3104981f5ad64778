"""Atomic checkpoints with equinox serialisation (never pickle).

Layout in ``directory``: ``checkpoint-<step>.eqx`` (the state leaves) and ``checkpoint.json``
(step, file name, history). The JSON is renamed into place last, so it is the commit point: a
crash at any moment leaves either the previous complete checkpoint or the new one.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import equinox as eqx

from pinnrwf._atomic import atomic_write_bytes


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
    """Return ``(state, meta)``; ``like`` is a freshly initialised state of the same structure."""
    meta = read_checkpoint_meta(directory)
    if meta is None:
        raise FileNotFoundError(f"no checkpoint in {directory}")
    path = Path(directory) / meta["file"]
    if not path.is_file():
        raise ValueError(f"checkpoint {path} named by {Path(directory) / 'checkpoint.json'} is missing")
    try:
        state = eqx.tree_deserialise_leaves(path, like)
    except Exception as e:  # noqa: BLE001 - told apart below: truncated file, or another run's structure
        expected = io.BytesIO()
        eqx.tree_serialise_leaves(expected, like)
        size, wanted = path.stat().st_size, expected.getbuffer().nbytes
        if size < wanted:
            raise ValueError(f"checkpoint {path} is truncated or corrupt ({size} of the {wanted} bytes this run's "
                             "state needs); delete the checkpoint folder to start again") from None
        raise ValueError(
            f"checkpoint {path} does not match this run's model/optimizer structure: {e}"
        ) from e
    return state, meta
