"""results.json: what ran, where, and what it measured."""

from __future__ import annotations

import dataclasses
import datetime
import platform
import subprocess
from pathlib import Path
from typing import Any

import jax
import numpy as np

from ._checkpoint import atomic_write_json, finite_json


def git_commit() -> str | None:
    """The commit of the pinnrwf source tree (``git rev-parse HEAD``), ``None`` outside a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).resolve().parent,
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def device_description() -> dict[str, Any]:
    """The platform, device kind and count, CPU model and JAX version, for a results file."""
    devices = jax.devices()
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "platform": devices[0].platform,
        "device_kind": devices[0].device_kind,
        "device_count": len(devices),
        "cpu": cpu,
        "jax": jax.__version__,
    }


def write_results(path: Path, payload: dict[str, Any]) -> Path:
    """Write ``payload`` plus provenance (device, versions, commit, date) atomically as JSON.

    The file is always valid JSON: non-finite numbers (a diverged metric, a rate that could not
    be measured) are written as ``null`` and listed with their paths under ``non_finite``.
    """
    from pinnrwf._version import __version__

    payload, non_finite = finite_json(payload)
    if non_finite:
        payload["non_finite"] = non_finite
    full = {
        "pinnrwf_version": __version__,
        "commit": git_commit(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "device": device_description(),
        **payload,
    }
    atomic_write_json(Path(path), full)
    return Path(path)


def summarize(values) -> dict[str, float]:
    """mean, std, min, max over the seeds (of a metric's per-seed list)."""
    a = np.asarray(values, dtype=float)
    return {"mean": float(a.mean()), "std": float(a.std()), "min": float(a.min()), "max": float(a.max())}


def jsonable(obj: Any) -> Any:
    """Dataclasses, paths, tuples and numpy values as plain JSON types (anything else: repr)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (int, float, str, bool)) or obj is None:
        return obj
    if isinstance(obj, Path):
        return str(obj)
    return repr(obj)
