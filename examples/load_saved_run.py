"""Load a saved run and plot it: `pinnrwf.load_run(DIR)` rebuilds the trained ensembles.

Every `pinnrwf run PROBLEM --out DIR` (and `pinnrwf.runner.run(...)`) saves its trained networks
under DIR/models/ with what is needed to rebuild them. This script loads such a run and evaluates
each parameterization's networks on new points. Without a folder it first makes one: the 1D
regression of a Gaussian random field sample (`regression1d`, Plain and RWF, 2 seeds) through the
runner, which also writes DIR/results.json, DIR/table.md and its figures.

Run it: `python examples/load_saved_run.py [RUN_DIR] [--out DIR]` (default DIR: examples_out/load_saved_run/),
where RUN_DIR is the output folder of `pinnrwf run regression1d`.
`PINNRWF_SMOKE=1` runs a tiny version (under a minute, mostly compilation).
Output at the default setting (measured: 57 s of CPU time): the runner's table (3000 steps: relative
L² error 0.72 for Plain and 0.73 for RWF; this sample is hard to fit), then the MSE of every loaded
network (0.569 to 0.601), and DIR/load_saved_run.png (the data and every loaded network).
"""

import argparse
import os
from pathlib import Path

import jax
import matplotlib.pyplot as plt
import numpy as np

import pinnrwf
from pinnrwf import runner
from pinnrwf.registry import get
from pinnrwf.train import TrainConfig

SMOKE = os.environ.get("PINNRWF_SMOKE") == "1"
parser = argparse.ArgumentParser(description="load a saved run and plot it")
parser.add_argument("run", nargs="?", type=Path, help="a folder written by `pinnrwf run regression1d --out`")
parser.add_argument("--out", type=Path, default=Path("examples_out/load_saved_run"))
args = parser.parse_args()
args.out.mkdir(parents=True, exist_ok=True)
if args.run is None:
    args.run = args.out / "run"
    train = TrainConfig(steps=40 if SMOKE else 3000, seeds=2, chunk_steps=20 if SMOKE else 500, progress=False)
    runner.run(
        get("regression1d"),
        preset="smoke" if SMOKE else "quick",
        train=train,
        parameterizations="plain,rwf",
        out_dir=args.run,
    )

run = pinnrwf.load_run(args.run)  # run.ensembles: {parameterization: ensemble}; run.config; run.seeds
data = run.problem.objective(run.config, None)  # the problem's own data: x (n,), y (n,)
x = np.linspace(0.0, 1.0, 1000)
plt.figure(figsize=(9, 4))
plt.plot(data.x, data.y, "k.", ms=3, label="data")
for name in run.ensembles:
    for member, seed in enumerate(run.seeds):
        model = run.model(name, member=member)  # an ordinary network: (1,) -> (1,)
        mse = float(np.mean((np.asarray(jax.vmap(model)(data.x[:, None]))[:, 0] - data.y) ** 2))
        print(f"{name}, seed {seed}: MSE on the data {mse:.3e}")
        plt.plot(x, jax.vmap(model)(x[:, None])[:, 0], lw=1, label=f"{name} (seed {seed})")
plt.xlabel("x")
plt.legend()
plt.savefig(args.out / "load_saved_run.png", dpi=100)
print(f"wrote {args.out / 'load_saved_run.png'}")
