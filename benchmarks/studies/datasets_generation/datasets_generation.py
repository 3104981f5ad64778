"""Wall times of generating the paper's datasets with ``pinnrwf generate`` on this machine.

Run from the repository root:  pinnrwf bench datasets-generation [--burgers-train-samples N] [--only NAME ...]
Writes the files under data/ (git-ignored) and benchmarks/results/datasets-generation/cpu-epyc-2c/default/datasets_generation.{json,md}.
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
from pathlib import Path

from pinnrwf._cli_types import positive_int_arg
from pinnrwf.benchmarks._common import add_out_argument, check_out, write_benchmark

SETS = [
    (
        "advection_paper",
        ["advection", "--ic", "sin", "--n-samples", "1", "--seed", "0", "--out", "data/advection_c50_sin.h5"],
    ),
    (
        "diffusion_reaction_train",
        ["diffusion-reaction", "--n-samples", "5000", "--seed", "0", "--out", "data/diffusion_reaction_train.h5"],
    ),
    (
        "diffusion_reaction_test",
        ["diffusion-reaction", "--n-samples", "100", "--seed", "1", "--out", "data/diffusion_reaction_test.h5"],
    ),
    ("darcy_train", ["darcy", "--n-samples", "2000", "--seed", "0", "--out", "data/darcy_train.h5"]),
    ("darcy_test", ["darcy", "--n-samples", "100", "--seed", "1", "--out", "data/darcy_test.h5"]),
    ("burgers_test", ["burgers", "--n-samples", "100", "--seed", "1", "--out", "data/burgers_test.h5"]),
    ("burgers_train", ["burgers", "--n-samples", "1000", "--seed", "0", "--out", "data/burgers_train.h5"]),
    ("ldc", ["ldc", "--re", "100", "400", "1000", "--n", "512", "--out", "data/ldc.h5"]),
]


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--burgers-train-samples",
        type=positive_int_arg,
        default=1000,
        help="below 1000 the Burgers train time is extrapolated linearly, and marked so",
    )
    p.add_argument("--only", nargs="*", default=None, help="names of the sets to run (default: all)")
    add_out_argument(p)


def main_from_args(args) -> int:
    names = [n for n, _ in SETS]
    unknown = [n for n in (args.only or []) if n not in names]
    if unknown:
        raise ValueError(f"--only must name sets among {', '.join(names)}; unknown: {', '.join(unknown)}")
    out = check_out(args, "datasets-generation", "default")
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
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        load_after = os.getloadavg()[0]
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        n = int(cli[cli.index("--n-samples") + 1]) if "--n-samples" in cli else 3
        out = Path(cli[cli.index("--out") + 1])
        row = {
            "name": name,
            "command": "pinnrwf generate " + shlex.join(cli),
            "n_samples": n,
            "wall_seconds": wall,
            "file_mb": out.stat().st_size / 2**20,
            # other processes on the machine slow the run down; the 1-minute load average
            # (2 cores) before and after makes such contamination visible
            "load_avg_1min_before_after": [round(load_before, 2), round(load_after, 2)],
        }
        if extrapolated:
            row["extrapolated_1000_samples_seconds"] = wall * 1000 / n
        rows.append(row)
        print(json.dumps(row), flush=True)
    old = out / "datasets_generation.json"
    if args.only and old.exists():  # merge with earlier rows of other sets
        prev = {r["name"]: r for r in json.loads(old.read_text())["rows"]}
        prev.update({r["name"]: r for r in rows})
        rows = [prev[n] for n, _ in SETS if n in prev]
    md = [
        "# Dataset generation wall times",
        "",
        "| set | command | samples | wall time (s) | file (MiB) | load avg before/after |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        note = (
            f" (extrapolated to 1000: {r['extrapolated_1000_samples_seconds']:.0f} s)"
            if "extrapolated_1000_samples_seconds" in r
            else ""
        )
        md.append(
            f"| {r['name']} | `{r['command']}` | {r['n_samples']} | {r['wall_seconds']:.1f}{note} | {r['file_mb']:.1f} | "
            f"{r.get('load_avg_1min_before_after', 'not recorded')} |"
        )
    write_benchmark("datasets_generation", {"rows": rows}, "\n".join(md) + "\n", out)
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    configure_parser(parser)
    raise SystemExit(main_from_args(parser.parse_args()))
