"""Atomic checkpoints with equinox serialisation (never pickle).

Layout in ``directory``: ``checkpoint-<step>.eqx`` (the state leaves) and ``checkpoint.json``
(step, file name, history). The JSON is renamed into place last, so it is the commit point: a
crash at any moment leaves either the previous complete checkpoint or the new one.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import equinox as eqx


def atomic_write_bytes(path: Path, write) -> None:
    """Write via ``write(fileobj)`` to a temporary file in the same folder, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, lambda f: f.write(json.dumps(obj, indent=2).encode()))


def save_checkpoint(directory: Path, step: int, state, meta: dict) -> Path:
    directory = Path(directory)
    name = f"checkpoint-{step}.eqx"
    atomic_write_bytes(directory / name, lambda f: eqx.tree_serialise_leaves(f, state))
    previous = read_checkpoint_meta(directory)
    atomic_write_json(directory / "checkpoint.json", {**meta, "step": step, "file": name})
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
    try:
        state = eqx.tree_deserialise_leaves(path, like)
    except Exception as e:  # a shape/structure mismatch means another run's checkpoint
        raise ValueError(
            f"checkpoint {path} does not match this run's model/optimizer structure: {e}"
        ) from e
    return state, meta
