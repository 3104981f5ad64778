"""Wall times of generating the paper's datasets with ``pinnrwf generate`` on this machine.

Run:  python -m pinnrwf.benchmarks.datasets_generation [--burgers-train-samples N] [--only NAME ...]
Writes the files under data/ (git-ignored) and benchmarks/results/datasets_generation.{json,md}.
Each set is generated in a fresh process (``python -m pinnrwf.datasets.cli generate ...``, the same
handler as ``pinnrwf generate ...``) and timed end to end. If ``--burgers-train-samples`` is below
1000 the 1000-sample Burgers time is *extrapolated linearly* and marked as such.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from pinnrwf.benchmarks.solvers_convergence import RESULTS, ROOT, device, git_commit

SETS = [
    ("advection_paper", ["advection", "--ic", "sin", "--n-samples", "1", "--seed", "0", "--out", "data/advection_c50_sin.h5"]),
    ("diffusion_reaction_train", ["diffusion-reaction", "--n-samples", "5000", "--seed", "0", "--out", "data/diffusion_reaction_train.h5"]),
    ("diffusion_reaction_test", ["diffusion-reaction", "--n-samples", "100", "--seed", "1", "--out", "data/diffusion_reaction_test.h5"]),
    ("darcy_train", ["darcy", "--n-samples", "2000", "--seed", "0", "--out", "data/darcy_train.h5"]),
    ("darcy_test", ["darcy", "--n-samples", "100", "--seed", "1", "--out", "data/darcy_test.h5"]),
    ("burgers_test", ["burgers", "--n-samples", "100", "--seed", "1", "--out", "data/burgers_test.h5"]),
    ("burgers_train", ["burgers", "--n-samples", "1000", "--seed", "0", "--out", "data/burgers_train.h5"]),
    ("ldc", ["ldc", "--re", "100", "400", "1000", "--n", "512", "--out", "data/ldc.h5"]),
]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--burgers-train-samples", type=int, default=1000)
    ap.add_argument("--only", nargs="*", default=None)
    args = ap.parse_args(argv)
    rows = []
    for name, cli in SETS:
        if args.only and name not in args.only:
            continue
        cli = list(cli)
        extrapolated = False
        if name == "burgers_train" and args.burgers_train_samples != 1000:
            cli[cli.index("--n-samples") + 1] = str(args.burgers_train_samples)
            extrapolated = True
        cmd = [sys.executable, "-m", "pinnrwf.datasets.cli", "generate", *cli, "--overwrite", "--no-progress"]
        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        load_after = os.getloadavg()[0]
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        n = int(cli[cli.index("--n-samples") + 1]) if "--n-samples" in cli else 3
        out = ROOT / cli[cli.index("--out") + 1]
        row = {"name": name, "command": "pinnrwf generate " + shlex.join(cli), "n_samples": n,
               "wall_seconds": wall, "file_mb": out.stat().st_size / 2**20,
               # other processes on the machine slow the run down; the 1-minute load average
               # (2 cores) before and after makes such contamination visible
               "load_avg_1min_before_after": [round(load_before, 2), round(load_after, 2)]}
        if extrapolated:
            row["extrapolated_1000_samples_seconds"] = wall * 1000 / n
        rows.append(row)
        print(json.dumps(row), flush=True)
    res = {"device": device(), "command": "python -m pinnrwf.benchmarks.datasets_generation " + shlex.join(argv or sys.argv[1:]),
           "git_commit": git_commit(), "date_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"), "rows": rows}
    RESULTS.mkdir(parents=True, exist_ok=True)
    old = RESULTS / "datasets_generation.json"
    if args.only and old.exists():  # merge with earlier rows of other sets
        prev = {r["name"]: r for r in json.loads(old.read_text())["rows"]}
        prev.update({r["name"]: r for r in rows})
        res["rows"] = [prev[n] for n, _ in SETS if n in prev]
    old.write_text(json.dumps(res, indent=2) + "\n")
    md = ["# Dataset generation wall times", "", f"- device: {res['device']}", f"- command: `{res['command']}`",
          f"- git commit: {res['git_commit']}", f"- date (UTC): {res['date_utc']}", "",
          "| set | command | samples | wall time (s) | file (MiB) | load avg before/after |", "|---|---|---|---|---|---|"]
    for r in res["rows"]:
        note = f" (extrapolated to 1000: {r['extrapolated_1000_samples_seconds']:.0f} s)" if "extrapolated_1000_samples_seconds" in r else ""
        md.append(f"| {r['name']} | `{r['command']}` | {r['n_samples']} | {r['wall_seconds']:.1f}{note} | {r['file_mb']:.1f} | "
                  f"{r.get('load_avg_1min_before_after', 'not recorded')} |")
    (RESULTS / "datasets_generation.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
