"""DeepXDE 1.15 (PyTorch backend, CPU): its Burgers example, trained while recording the relative
L² error against time: the DeepXDE side of ``pinnrwf bench time-to-accuracy``.

Standalone: imports deepxde/torch, runs in its own virtualenv, and must never be imported by
the ``pinnrwf`` package. ``pinnrwf bench time-to-accuracy --deepxde-python PATH`` runs it, one
process per (network, seed), interleaved with the pinnrwf runs.

The run is DeepXDE's example ``examples/pinn_forward/Burgers.py`` as written there:
* u_t + u u_x − (0.01/π) u_xx = 0, x ∈ [−1, 1], t ∈ [0, 0.99] (its ``TimeDomain(0, 0.99)``),
  ``DirichletBC`` u = 0 on x = ±1, ``IC`` u(x, 0) = −sin πx;
* ``TimePDE(..., num_domain=2540, num_boundary=80, num_initial=160)``, DeepXDE's default
  ``train_distribution="Hammersley"``, fixed points (no resampling);
* ``FNN([2] + [width] * depth + [1], "tanh", "Glorot normal")``, float32;
* ``compile("adam", lr=1e-3)``, ``train(iterations=adam_steps)``, then ``compile("L-BFGS")``
  and ``train()`` (DeepXDE's L-BFGS options: history 100, strong Wolfe, at most ``lbfgs_steps``
  iterations, default 15 000).

Recording: every ``--record-every`` iterations a callback stops the clock, evaluates the network
on the reference grid (x, t, u) of ``--reference`` (an .npz written by the pinnrwf side: Cole–Hopf,
float64), computes the relative L² error, and restarts the clock, so the recorded wall (and process CPU)
time is DeepXDE's training time without the evaluations. In the L-BFGS stage DeepXDE's PyTorch loop calls
``torch.optim.LBFGS.step`` with ``iter_per_step`` iterations (1000 by default); it is set to
``--record-every`` so a record falls every that many iterations (DeepXDE's own test-loss
evaluation after each such call stays inside the timed loop, as in any DeepXDE run).

Environment: see ``deepxde_advection.py`` (``/work/venv-dxde``: the CPU torch wheel + deepxde==1.15.0).

Run (normally through the study):
    DDE_BACKEND=pytorch /work/venv-dxde/bin/python benchmarks/peers/deepxde_burgers.py \\
        --reference ref.npz --width 20 --depth 3 --seed 0 --adam-steps 15000 --lbfgs-steps 15000 --out run.json
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from _harness import atomic_write_text, host_provenance, torch_provenance

NU = 0.01 / 3.141592653589793


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reference", required=True, help=".npz with x (n_x,), t (n_t,), u (n_t, n_x)")
    ap.add_argument("--width", type=int, default=20)
    ap.add_argument("--depth", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n-domain", type=int, default=2540)
    ap.add_argument("--n-boundary", type=int, default=80)
    ap.add_argument("--n-initial", type=int, default=160)
    ap.add_argument("--adam-steps", type=int, default=15000)
    ap.add_argument("--lbfgs-steps", type=int, default=15000)
    ap.add_argument("--record-every", type=int, default=500)
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default: 1)")
    ap.add_argument("--out", required=True, help="the run's JSON (written atomically)")
    args = ap.parse_args(argv)

    os.environ.setdefault("DDE_BACKEND", "pytorch")  # before deepxde is first imported
    import json

    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
    import deepxde as dde

    dde.config.set_random_seed(args.seed)
    ref = np.load(args.reference)
    xx, tt = np.meshgrid(ref["x"], ref["t"])  # (n_t, n_x), as u
    grid = np.stack([xx.ravel(), tt.ravel()], axis=1).astype(np.float32)
    u_ref = ref["u"].ravel()

    geom = dde.geometry.Interval(-1, 1)
    timedomain = dde.geometry.TimeDomain(0, 0.99)
    geomtime = dde.geometry.GeometryXTime(geom, timedomain)

    def pde(x, y):
        dy_x = dde.grad.jacobian(y, x, i=0, j=0)
        dy_t = dde.grad.jacobian(y, x, i=0, j=1)
        dy_xx = dde.grad.hessian(y, x, i=0, j=0)
        return dy_t + y * dy_x - NU * dy_xx

    bc = dde.icbc.DirichletBC(geomtime, lambda x: 0, lambda _, on_boundary: on_boundary)
    ic = dde.icbc.IC(geomtime, lambda x: -np.sin(np.pi * x[:, 0:1]), lambda _, on_initial: on_initial)
    data = dde.data.TimePDE(geomtime, pde, [bc, ic], num_domain=args.n_domain, num_boundary=args.n_boundary,
                            num_initial=args.n_initial)
    net = dde.nn.FNN([2] + [args.width] * args.depth + [1], "tanh", "Glorot normal")
    model = dde.Model(data, net)

    records: list[dict] = []
    clock = {"start": 0.0, "evals": 0.0, "cpu_start": 0.0, "cpu_evals": 0.0}

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
            err = float(np.linalg.norm(u - u_ref) / np.linalg.norm(u_ref))
            records.append({"step": int(step), "stage": self.stage, "wall": t - clock["start"] - clock["evals"],
                            "cpu": c - clock["cpu_start"] - clock["cpu_evals"], "rel_l2": err})
            clock["evals"] += time.perf_counter() - t
            clock["cpu_evals"] += time.process_time() - c

    clock["start"], clock["cpu_start"] = time.perf_counter(), time.process_time()
    model.compile("adam", lr=1e-3)
    model.train(iterations=args.adam_steps, display_every=10**9, verbose=0, callbacks=[Recorder("adam")])
    if args.lbfgs_steps:
        dde.optimizers.set_LBFGS_options(maxiter=args.lbfgs_steps)
        opts = dde.optimizers.config.LBFGS_options
        opts["iter_per_step"] = min(args.record_every, args.lbfgs_steps)  # DeepXDE sets it at import
        opts["fun_per_step"] = opts["maxfun"] * opts["iter_per_step"] // opts["maxiter"]
        model.compile("L-BFGS")
        model.train(display_every=10**9, verbose=0, callbacks=[Recorder("lbfgs")])
    total = time.perf_counter() - clock["start"] - clock["evals"]
    total_cpu = time.process_time() - clock["cpu_start"] - clock["cpu_evals"]
    result = {
        "library": "deepxde", "version": dde.__version__, "backend": dde.backend.backend_name,
        **torch_provenance(torch), **host_provenance(),
        "width": args.width, "depth": args.depth, "seed": args.seed, "adam_steps": args.adam_steps,
        "lbfgs_steps": args.lbfgs_steps, "lbfgs_steps_run": max(r["step"] for r in records) - args.adam_steps,
        "points": {"domain": args.n_domain, "boundary": args.n_boundary, "initial": args.n_initial,
                   "distribution": "Hammersley (DeepXDE's default), fixed"},
        "train_seconds": total, "train_cpu_seconds": total_cpu, "eval_seconds": clock["evals"], "records": records,
        "clock": "wall and process CPU seconds from model.compile('adam') to the end of training, evaluations excluded",
    }
    atomic_write_text(args.out, json.dumps(result) + "\n")
    print(f"deepxde {args.width}x{args.depth} seed {args.seed}: rel L2 {records[-1]['rel_l2']:.3e} "
          f"in {total:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
