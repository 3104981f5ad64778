"""DeepXDE 1.15 (PyTorch backend, CPU) timing of the diffusion–reaction DeepONet step of ``pinnrwf run dr``.

Standalone: imports deepxde/torch, runs in its own virtualenv, and must never be imported by
the ``pinnrwf`` package (it is not on any import path of the library).

What one timed step is (the ``dr`` problem's paper preset, rwf_paper App. L.1)
-----------------------------------------------------------------------------------
* Data: ``dde.data.Triple`` over the flattened training table of N = 5000 functions × P = 100
  points = 500 000 rows ((a(x_1..x_100), (x, t)) → u), the branch input tiled per point as in
  the authors' reference code. Synthetic values of the real shapes (a ~ N(0, 1), (x, t) ~ U[0, 1]²,
  u ~ N(0, 1)): the cost of a step does not depend on the values, and this virtualenv has
  neither pinnrwf nor h5py.
* Batch: ``batch_size=10000`` rows per step, DeepXDE's ``BatchSampler`` (shuffled, without
  replacement within an epoch of 50 steps). pinnrwf draws its 10 000 (function, point) pairs
  i.i.d. on device instead; the arithmetic is the same.
* Network: ``dde.nn.DeepONet([100] + [64] * 6, [2] + [64] * 6, "tanh", "Glorot normal")``:
  branch and trunk with 5 hidden layers × 64 tanh and a linear 64-wide output layer, Σ b_k t_k
  plus an output bias — pinnrwf's ``DeepONet(100, 2, 64, 64, 5)``. DeepXDE also applies tanh to
  the trunk output (one extra tanh on 10 000 × 64 values; pinnrwf's trunk output is linear).
* Loss and optimizer: MSE, ``model.compile("adam", lr=1e-3)`` (constant rate; pinnrwf's
  exponential decay costs one scalar per step). float32 (DeepXDE's default).
* A step is one iteration of DeepXDE's own loop (``Model._train_sgd``): ``train_next_batch``
  (numpy fancy indexing of the 500 000-row arrays) → tensors → forward, loss, backward, Adam,
  callback hooks. ``display_every`` lies beyond the run, so no test evaluation is timed.

Timing: one ``model.train(iterations=warmup + reps * steps + 1)``; a callback records
``time.perf_counter()`` at the end of iterations warmup, warmup + steps, ...; steps/s of every
repetition and their median are printed as one JSON line (and written atomically to ``--out``).

``--library torch`` times the same step written directly in PyTorch instead (a control: the same
network of ``torch.nn.Linear`` + ``tanh`` layers, 10 000 rows drawn with ``torch.randint`` from the
same tiled tensors, MSE, ``torch.optim.Adam``), to separate DeepXDE's own overhead from PyTorch's.

Environment (see benchmarks/peers/deeponet_back_to_back.sh):
    python3 -m venv /work/venv-dxde
    /work/venv-dxde/bin/pip install torch==2.13.0      # the CPU wheel
    /work/venv-dxde/bin/pip install deepxde==1.15.0

Run:
    DDE_BACKEND=pytorch /work/venv-dxde/bin/python benchmarks/peers/deepxde_deeponet.py --steps 100 --out /tmp/dxde.json
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from _harness import emit_json_line, host_provenance, time_deepxde_training, timing_summary, torch_provenance

N_FUNCTIONS, N_SENSORS, N_POINTS, BATCH, WIDTH, DEPTH = 5000, 100, 100, 10_000, 64, 5


def build_model(seed: int, batch_size: int):
    import deepxde as dde
    import numpy as np

    dde.config.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((N_FUNCTIONS, N_SENSORS)).astype(np.float32)
    y = rng.random((N_FUNCTIONS * N_POINTS, 2), dtype=np.float32)
    u = rng.standard_normal((N_FUNCTIONS * N_POINTS, 1)).astype(np.float32)
    branch_rows = np.repeat(a, N_POINTS, axis=0)  # (500 000, 100), as the reference code tiles it
    test = slice(0, 1000)
    data = dde.data.Triple((branch_rows, y), u, (branch_rows[test], y[test]), u[test])
    net = dde.nn.DeepONet([N_SENSORS] + [WIDTH] * (DEPTH + 1), [2] + [WIDTH] * (DEPTH + 1), "tanh", "Glorot normal")
    model = dde.Model(data, net)
    model.compile("adam", lr=1e-3)
    return dde, model


def build_torch_step(seed: int, batch_size: int):
    """The same step in plain PyTorch (no DeepXDE): returns ``step()``."""
    import torch

    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    a = torch.randn(N_FUNCTIONS, N_SENSORS, generator=gen)
    branch_rows = a.repeat_interleave(N_POINTS, dim=0)
    y = torch.rand(N_FUNCTIONS * N_POINTS, 2, generator=gen)
    u = torch.randn(N_FUNCTIONS * N_POINTS, generator=gen)

    def mlp(n_in):
        sizes = [n_in] + [WIDTH] * (DEPTH + 1)
        layers = []
        for i, (p, q) in enumerate(zip(sizes[:-1], sizes[1:])):
            lin = torch.nn.Linear(p, q)
            torch.nn.init.xavier_normal_(lin.weight)
            torch.nn.init.zeros_(lin.bias)
            layers += [lin] + ([torch.nn.Tanh()] if i < DEPTH else [])
        return torch.nn.Sequential(*layers)

    branch, trunk, bias = mlp(N_SENSORS), mlp(2), torch.nn.Parameter(torch.zeros(()))
    params = [*branch.parameters(), *trunk.parameters(), bias]
    opt = torch.optim.Adam(params, lr=1e-3)

    def step():
        idx = torch.randint(0, u.shape[0], (batch_size,))
        pred = (branch(branch_rows[idx]) * trunk(y[idx])).sum(dim=1) + bias
        loss = torch.mean((pred - u[idx]) ** 2)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss

    return step


def time_torch(args) -> tuple[list[float], float]:
    step = build_torch_step(args.seed, args.batch_size)
    for _ in range(args.warmup):
        step()
    runs = []
    for _ in range(args.reps):
        t0 = time.perf_counter()
        for _ in range(args.steps):
            loss = step()
        runs.append(args.steps / (time.perf_counter() - t0))
    return runs, float(loss.detach())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=100, help="timed steps per repetition")
    ap.add_argument("--warmup", type=int, default=20, help="untimed warm-up steps")
    ap.add_argument("--reps", type=int, default=3, help="timed repetitions (median reported)")
    ap.add_argument("--batch-size", type=int, default=BATCH, help="rows per step (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    ap.add_argument(
        "--library",
        choices=("deepxde", "torch"),
        default="deepxde",
        help="deepxde: DeepXDE's Triple + DeepONet + Model.train; torch: the same step in plain PyTorch",
    )
    ap.add_argument("--out", default=None, help="also write the JSON here (atomically)")
    args = ap.parse_args(argv)

    os.environ.setdefault("DDE_BACKEND", "pytorch")  # before deepxde is first imported
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    if args.library == "torch":
        runs, final_loss = time_torch(args)
        return report(args, {"library": "torch", "version": torch.__version__}, runs, [final_loss])
    dde, model = build_model(args.seed, args.batch_size)

    runs, train_state = time_deepxde_training(
        dde, model, warmup=args.warmup, steps=args.steps, reps=args.reps, batch_size=args.batch_size
    )
    library = {"library": "deepxde", "version": dde.__version__, "backend": dde.backend.backend_name}
    return report(args, library, runs, [float(v) for v in train_state.loss_train])


def report(args, library: dict, runs: list[float], final_loss: list[float]) -> int:
    import torch

    result = {
        **library,
        **torch_provenance(torch),
        "workload": {
            "functions": N_FUNCTIONS,
            "sensors": N_SENSORS,
            "points_per_function": N_POINTS,
            "batch_rows": args.batch_size,
            "network": f"DeepONet, branch and trunk {DEPTH} hidden x {WIDTH} tanh + linear {WIDTH}",
            "data": "the 500 000-row table, synthetic values",
        },
        **timing_summary(runs, warmup=args.warmup, steps=args.steps, reps=args.reps),
        "final_train_loss": final_loss,
        **host_provenance(),
    }
    return emit_json_line(result, args.out)


if __name__ == "__main__":
    sys.exit(main())
