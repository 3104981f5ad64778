"""The Burgers ETDRK4 step of the work tree against the same step at an earlier commit, back to back.

    python benchmarks/burgers_step_before_after.py --before c7d144a --batch 16 100 [--rounds 7 --steps 200]

Loads ``solvers/burgers.py`` of the commit ``--before`` (``git show``) as a separate module, runs
both steppers from the same initial data (the threads benchmark's GRF batch, N = 1024,
ν = 1e-3, dt = 1e-4, one FFT thread), checks that their states agree bit for bit after a warm-up
of 200 steps, then alternates ``--rounds`` timings of ``--steps`` steps each. Prints one line per
batch: per-round before/after time ratios (> 1: the work tree is faster), their median and the
fastest-round point-steps per second of each.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.burgers_fft_workers import DT, NU, initial_data  # noqa: E402
from pinnrwf.solvers import burgers  # noqa: E402

N = 1024


def load_before(commit: str):
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{commit}:solvers/burgers.py"], check=True,
                            capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "burgers_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("pinnrwf.solvers.burgers_before", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def seconds_per_step(stepper, v, steps: int) -> float:
    t0 = time.perf_counter()
    for _ in range(steps):
        v = stepper.step(v)
    return (time.perf_counter() - t0) / steps


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", required=True, help="commit whose solvers/burgers.py is the baseline")
    p.add_argument("--batch", type=int, nargs="+", default=[16, 100])
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--steps", type=int, default=200)
    args = p.parse_args(argv)
    before = load_before(args.before)
    for batch in args.batch:
        u0 = initial_data(batch, N)
        old, new = before.BurgersETDRK4(N, NU, DT, workers=1), burgers.BurgersETDRK4(N, NU, DT, workers=1)
        vo, vn = old.init(u0), new.init(u0)
        for _ in range(200):
            vo, vn = old.step(vo), new.step(vn)
        identical = bool(np.array_equal(old.observe(vo), new.observe(vn)))
        t_old, t_new = [], []
        for _ in range(args.rounds):
            t_old.append(seconds_per_step(old, vo, args.steps))
            t_new.append(seconds_per_step(new, vn, args.steps))
        ratios = [a / b for a, b in zip(t_old, t_new)]
        print(f"B={batch} N={N}: bitwise identical {identical}; before/after per round "
              f"{[round(r, 2) for r in ratios]}, median {statistics.median(ratios):.2f}; M point-steps/s "
              f"before {batch * N / min(t_old) / 1e6:.1f}, after {batch * N / min(t_new) / 1e6:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
