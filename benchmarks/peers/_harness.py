"""What the stand-alone benchmark scripts share: provenance, atomic writes, DeepXDE's timed loop.

Standard library only, so that it imports in any environment: the DeepXDE scripts run in their
own virtualenv without pinnrwf (``benchmarks/deepxde_*.py``), the summaries with no JAX. The
scripts are run as files (``python benchmarks/<script>.py``), which puts this folder first on
``sys.path``; they import it as ``_harness``. pinnrwf's own benchmarks use
``benchmarks/_common.py`` instead.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else ``platform.processor()``."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load1() -> float:
    """The 1-minute load average (Linux)."""
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def commit() -> str:
    """The short hash of the checkout's HEAD, or ``"unknown"`` outside git."""
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename, so that
    a reader never sees half a file; the folder is created if needed."""
    path = Path(path).absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def emit_json_line(result: dict, out: str | None) -> int:
    """Print ``result`` as one JSON line and, if ``out`` is given, also write it there atomically."""
    line = json.dumps(result)
    print(line, flush=True)
    if out:
        atomic_write_text(out, line + "\n")
    return 0


def time_deepxde_training(dde, model, *, warmup: int, steps: int, reps: int, callbacks=(), **train_kwargs):
    """Time DeepXDE's own training loop: ``reps`` repetitions of ``steps`` iterations after
    ``warmup`` untimed ones, all in one ``model.train`` call.

    A callback records ``time.perf_counter()`` at the end of iterations warmup, warmup + steps, …;
    ``callbacks`` (e.g. a point resampler) run before it, so their work lands inside the step it
    belongs to. One iteration more than timed is run, so the ``_test()`` DeepXDE runs on the last
    iteration falls outside the window; ``display_every`` is set beyond the run.

    Returns (steps/s per repetition, DeepXDE's train state).
    """
    marks_at = {warmup + k * steps for k in range(reps + 1)}
    marks: list[float] = []

    class Timer(dde.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.i = 0

        def on_epoch_end(self):
            self.i += 1
            if self.i in marks_at:
                marks.append(time.perf_counter())

    _, train_state = model.train(iterations=warmup + reps * steps + 1, display_every=10**9, verbose=0,
                                 callbacks=[*callbacks, Timer()], **train_kwargs)
    return [steps / (b - a) for a, b in zip(marks, marks[1:])], train_state


def torch_provenance(torch) -> dict:
    """PyTorch's version, device, default dtype and thread count (the DeepXDE scripts run on CPU)."""
    return {"torch_version": torch.__version__, "device": "cpu",
            "dtype": str(torch.get_default_dtype()).replace("torch.", ""), "threads": torch.get_num_threads()}


def host_provenance() -> dict:
    """The CPU model and the Python version."""
    return {"cpu": cpu_model(), "python": platform.python_version()}


def timing_summary(runs: list[float], *, warmup: int, steps: int, reps: int) -> dict:
    """The timing protocol (warm-up steps, steps per repetition, repetitions), the per-repetition
    rates and their median, rounded as every script reports them."""
    return {"warmup": warmup, "steps": steps, "reps": reps, "steps_per_second_runs": [round(r, 3) for r in runs],
            "median_steps_per_second": round(statistics.median(runs), 3)}
