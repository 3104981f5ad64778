"""results.json: what ran, where, and what it measured."""

from __future__ import annotations

import datetime
import platform
import subprocess
from pathlib import Path
from typing import Any

import jax

from ._checkpoint import atomic_write_json, finite_json


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
            cwd=Path(__file__).resolve().parent,
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def device_description() -> dict[str, Any]:
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
    from pinnrwf import __version__

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
