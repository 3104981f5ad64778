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

Recording: every ``--record-every`` iterations the error on the reference grid (x, t, u) of
``--reference`` (an .npz written by the pinnrwf side: Cole–Hopf, float64), evaluations excluded
from the clock (``_harness.train_recording_error``).

Environment: see ``deepxde_advection.py`` (``/work/venv-dxde``: the CPU torch wheel + deepxde==1.15.0).

Run (normally through the study):
    DDE_BACKEND=pytorch /work/venv-dxde/bin/python benchmarks/peers/deepxde_burgers.py \\
        --reference ref.npz --width 20 --depth 3 --seed 0 --adam-steps 15000 --lbfgs-steps 15000 --out run.json
"""

from __future__ import annotations

import argparse
import sys

from _harness import add_accuracy_arguments, import_deepxde, train_recording_error, write_accuracy_run

NU = 0.01 / 3.141592653589793


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_accuracy_arguments(ap)
    ap.add_argument("--n-domain", type=int, default=2540)
    ap.add_argument("--n-boundary", type=int, default=80)
    ap.add_argument("--n-initial", type=int, default=160)
    args = ap.parse_args(argv)

    dde, torch = import_deepxde(args)
    import numpy as np

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
    data = dde.data.TimePDE(
        geomtime, pde, [bc, ic], num_domain=args.n_domain, num_boundary=args.n_boundary, num_initial=args.n_initial
    )
    net = dde.nn.FNN([2] + [args.width] * args.depth + [1], "tanh", "Glorot normal")
    model = dde.Model(data, net)

    run = train_recording_error(dde, torch, model, net, grid, u_ref, args)
    points = {
        "domain": args.n_domain,
        "boundary": args.n_boundary,
        "initial": args.n_initial,
        "distribution": "Hammersley (DeepXDE's default), fixed",
    }
    write_accuracy_run(dde, torch, args, run, points)
    return 0


if __name__ == "__main__":
    sys.exit(main())
