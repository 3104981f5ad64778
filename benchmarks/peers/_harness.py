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
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
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

    _, train_state = model.train(
        iterations=warmup + reps * steps + 1,
        display_every=10**9,
        verbose=0,
        callbacks=[*callbacks, Timer()],
        **train_kwargs,
    )
    return [steps / (b - a) for a, b in zip(marks, marks[1:])], train_state


def torch_provenance(torch) -> dict:
    """PyTorch's version, device, default dtype and thread count (the DeepXDE scripts run on CPU)."""
    return {
        "torch_version": torch.__version__,
        "device": "cpu",
        "dtype": str(torch.get_default_dtype()).replace("torch.", ""),
        "threads": torch.get_num_threads(),
    }


def host_provenance() -> dict:
    """The CPU model and the Python version."""
    return {"cpu": cpu_model(), "python": platform.python_version()}


def timing_summary(runs: list[float], *, warmup: int, steps: int, reps: int) -> dict:
    """The timing protocol (warm-up steps, steps per repetition, repetitions), the per-repetition
    rates and their median, rounded as every script reports them."""
    return {
        "warmup": warmup,
        "steps": steps,
        "reps": reps,
        "steps_per_second_runs": [round(r, 3) for r in runs],
        "median_steps_per_second": round(statistics.median(runs), 3),
    }


def add_accuracy_arguments(ap, *, record_every: int = 500) -> None:
    """The options every DeepXDE side of ``pinnrwf bench time-to-accuracy`` takes."""
    ap.add_argument("--reference", required=True, help="the .npz written by the pinnrwf side")
    ap.add_argument("--width", type=int, default=20)
    ap.add_argument("--depth", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--adam-steps", type=int, default=15000)
    ap.add_argument("--lbfgs-steps", type=int, default=15000)
    ap.add_argument("--record-every", type=int, default=record_every)
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default: 1)")
    ap.add_argument("--out", required=True, help="the run's JSON (written atomically)")


def import_deepxde(args):
    """DeepXDE on its PyTorch backend, torch on ``args.threads`` threads, DeepXDE's random seed set to
    ``args.seed``: returns ``(dde, torch)``."""
    os.environ.setdefault("DDE_BACKEND", "pytorch")  # before deepxde is first imported
    import torch

    torch.set_num_threads(args.threads)
    import deepxde as dde

    dde.config.set_random_seed(args.seed)
    return dde, torch


def train_recording_error(dde, torch, model, net, grid, u_ref, args, loss_weights=None) -> dict:
    """Adam (1e-3) for ``args.adam_steps``, then L-BFGS for at most ``args.lbfgs_steps``, recording
    the relative L² error of ``net`` on ``grid`` (float32 array) against ``u_ref`` every
    ``args.record_every`` iterations.

    Each record stops the clock, evaluates, and restarts it, so the recorded wall (and process CPU)
    times are DeepXDE's training time without the evaluations. In the L-BFGS stage DeepXDE's
    PyTorch loop calls ``torch.optim.LBFGS.step`` with ``iter_per_step`` iterations (1000 by
    default); it is set to ``record_every`` so a record falls every that many iterations
    (DeepXDE's own test-loss evaluation after each such call stays inside the timed loop, as in any
    DeepXDE run). Returns records, totals and the L-BFGS iterations run, for the run's JSON.
    """
    import numpy as np

    records: list[dict] = []
    clock = {"start": 0.0, "evals": 0.0, "cpu_start": 0.0, "cpu_evals": 0.0}
    norm = float(np.linalg.norm(u_ref))

    class Recorder(dde.callbacks.Callback):
        def __init__(self, stage):
            super().__init__()
            self.stage = stage

        def on_epoch_end(self):
            step = self.model.train_state.step
            if self.stage == "adam" and step % args.record_every and step != args.adam_steps:
                return
            t, c = time.perf_counter(), time.process_time()
            with torch.no_grad():
                u = net(torch.as_tensor(grid)).numpy().ravel()
            err = float(np.linalg.norm(u - u_ref) / norm)
            records.append(
                {
                    "step": int(step),
                    "stage": self.stage,
                    "wall": t - clock["start"] - clock["evals"],
                    "cpu": c - clock["cpu_start"] - clock["cpu_evals"],
                    "rel_l2": err,
                }
            )
            clock["evals"] += time.perf_counter() - t
            clock["cpu_evals"] += time.process_time() - c

    clock["start"], clock["cpu_start"] = time.perf_counter(), time.process_time()
    model.compile("adam", lr=1e-3, loss_weights=loss_weights)
    model.train(iterations=args.adam_steps, display_every=10**9, verbose=0, callbacks=[Recorder("adam")])
    if args.lbfgs_steps:
        dde.optimizers.set_LBFGS_options(maxiter=args.lbfgs_steps)
        opts = dde.optimizers.config.LBFGS_options
        opts["iter_per_step"] = min(args.record_every, args.lbfgs_steps)  # DeepXDE sets it at import
        opts["fun_per_step"] = opts["maxfun"] * opts["iter_per_step"] // opts["maxiter"]
        model.compile("L-BFGS", loss_weights=loss_weights)
        model.train(display_every=10**9, verbose=0, callbacks=[Recorder("lbfgs")])
    return {
        "lbfgs_steps_run": max(r["step"] for r in records) - args.adam_steps,
        "train_seconds": time.perf_counter() - clock["start"] - clock["evals"],
        "train_cpu_seconds": time.process_time() - clock["cpu_start"] - clock["cpu_evals"],
        "eval_seconds": clock["evals"],
        "records": records,
    }


def write_accuracy_run(dde, torch, args, run: dict, points: dict) -> None:
    """The run's JSON (library, versions, network, optimizer steps, ``points``, clocks, records) to
    ``args.out``, and a one-line summary."""
    import json

    result = {
        "library": "deepxde",
        "version": dde.__version__,
        "backend": dde.backend.backend_name,
        **torch_provenance(torch),
        **host_provenance(),
        "width": args.width,
        "depth": args.depth,
        "seed": args.seed,
        "adam_steps": args.adam_steps,
        "lbfgs_steps": args.lbfgs_steps,
        "lbfgs_steps_run": run["lbfgs_steps_run"],
        "points": points,
        "train_seconds": run["train_seconds"],
        "train_cpu_seconds": run["train_cpu_seconds"],
        "eval_seconds": run["eval_seconds"],
        "records": run["records"],
        "clock": "wall and process CPU seconds from model.compile('adam') to the end of training, evaluations excluded",
    }
    atomic_write_text(args.out, json.dumps(result) + "\n")
    print(
        f"deepxde {args.width}x{args.depth} seed {args.seed}: rel L2 {run['records'][-1]['rel_l2']:.3e} "
        f"in {run['train_seconds']:.1f} s",
        flush=True,
    )
