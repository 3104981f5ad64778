"""DeepXDE 1.15 (PyTorch backend, CPU): Laplace's equation on the L-shape, trained on the points
the pinnrwf side drew, while recording the relative L² error against time: the DeepXDE side of
``pinnrwf bench time-to-accuracy --problem lshape``.

Standalone: imports deepxde/torch, runs in its own virtualenv, and must never be imported by
the ``pinnrwf`` package (see ``deepxde_burgers.py``, the Burgers case, for the protocol).

The run: Δu = 0 on ``dde.geometry.Polygon`` (−1, 1)² \\ [0, 1) × (−1, 0], u = r^{2/3} sin(2θ/3)
on the boundary; the points are those of ``--reference`` (an .npz written by the pinnrwf side:
``interior`` (n, 2) as ``anchors`` with ``num_domain=0``, so no point of DeepXDE's own;
``boundary`` (m, 2) with the exact values ``u_boundary`` as a ``PointSetBC``; the test points
``points`` with the exact ``u``), fixed; ``FNN([2] + [width] * depth + [1], "tanh",
"Glorot normal")``, float32; losses mean squares weighted ``--weight-residual``,
``--weight-boundary``; Adam 1e-3 then L-BFGS as in the Burgers case
(``_harness.train_recording_error``, evaluations excluded from the clock).

Run (normally through the study):
    DDE_BACKEND=pytorch /work/venv-dxde/bin/python benchmarks/peers/deepxde_lshape.py \\
        --reference ref.npz --width 32 --depth 3 --seed 0 --adam-steps 3000 --lbfgs-steps 0 --out run.json
"""

from __future__ import annotations

import argparse
import sys

from _harness import add_accuracy_arguments, import_deepxde, train_recording_error, write_accuracy_run

#: the L-shape, counter-clockwise from the lower left (as problems/poisson_lshape.py)
VERTICES = [(-1.0, -1.0), (0.0, -1.0), (0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (-1.0, 1.0)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_accuracy_arguments(ap, record_every=250)
    ap.add_argument("--weight-residual", type=float, default=1.0)
    ap.add_argument("--weight-boundary", type=float, default=1.0)
    args = ap.parse_args(argv)

    dde, torch = import_deepxde(args)
    import numpy as np

    ref = np.load(args.reference)
    grid = ref["points"].astype(np.float32)
    u_ref = ref["u"].ravel()

    def pde(x, y):
        return dde.grad.hessian(y, x, i=0, j=0) + dde.grad.hessian(y, x, i=1, j=1)

    geom = dde.geometry.Polygon(VERTICES)
    bc = dde.icbc.PointSetBC(ref["boundary"].astype(np.float32), ref["u_boundary"].astype(np.float32)[:, None])
    data = dde.data.PDE(geom, pde, [bc], num_domain=0, num_boundary=0, anchors=ref["interior"].astype(np.float32))
    net = dde.nn.FNN([2] + [args.width] * args.depth + [1], "tanh", "Glorot normal")
    model = dde.Model(data, net)

    run = train_recording_error(
        dde, torch, model, net, grid, u_ref, args, loss_weights=[args.weight_residual, args.weight_boundary]
    )
    points = {
        "domain": len(ref["interior"]),
        "boundary": len(ref["boundary"]),
        "distribution": "the pinnrwf side's points (reference .npz), fixed",
    }
    write_accuracy_run(dde, torch, args, run, points)
    return 0


if __name__ == "__main__":
    sys.exit(main())
