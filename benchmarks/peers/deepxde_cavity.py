"""DeepXDE 1.15 (PyTorch backend, CPU) timing of the lid-driven cavity's Navier–Stokes PINN step.

Standalone: imports deepxde/torch, runs in its own virtualenv (see ``deepxde_advection.py`` for the
environment), and must never be imported by the ``pinnrwf`` package. Its pinnrwf counterpart is
``benchmarks/peers/pinnrwf_cavity.py``; ``benchmarks/peers/back_to_back.sh`` (``PART=ns``) alternates them.

What one timed step is (problems/ldc.py, rwf_paper App. K.2)
------------------------------------------------------------
* PDE: steady incompressible NS on (0, 1)², Re = 1000, fields (u, v, p), DeepXDE's standard
  formulation: u_x, u_y, v_x, v_y, p_x, p_y from ``dde.grad.jacobian`` and u_xx, u_yy, v_xx, v_yy
  from ``dde.grad.hessian`` (reverse over reverse, PyTorch autograd with ``create_graph``):
      r_u = u u_x + v u_y + p_x − (u_xx + u_yy)/Re,  r_v = u v_x + v v_y + p_y − (v_xx + v_yy)/Re,
      r_c = u_x + v_y.
* Network: ``dde.nn.FNN([2] + [128] * 5 + [3], "tanh", "Glorot normal")``, float32 (as pinnrwf's
  ``MLP(2, 3, 128, 5, tanh)``; the initializers differ, which does not change the cost).
* Loss: mean(r_u²) + mean(r_v²) + mean(r_c²) + 100 mean((u − g_u)²) + 100 mean((v − g_v)²), with
  g = (1, 0) on the lid y = 1 and (0, 0) on the other walls (pinnrwf: the same five terms).
* Optimizer: Adam, lr 1e-3 · 0.9^(step/2000) (``decay=("exponential", 0.9 ** (1 / 2000))``; pinnrwf:
  ``Adam(decay_steps=2000)``). pinnrwf's Re curriculum (100 → 500 → 1000) is left out: Re is a
  scalar, it does not change the cost.
* Points: ``--points paper`` 1024 interior + 256 boundary (rwf_paper), ``--points quick`` 512 + 128
  (pinnrwf's quick preset); i.i.d. uniform (``"pseudo"``), boundary points uniform on the
  perimeter, all redrawn *every step* (``dde.callbacks.PDEPointResampler(period=1, bc_points=True)``),
  as pinnrwf redraws them on device every step.
* A step is one iteration of DeepXDE's own loop (``Model._train_sgd``): resample (numpy) →
  ``train_next_batch`` → forward + jacobian/hessian + loss + backward + Adam, plus the callback hooks.

Two point layouts (``--mode``):
* ``matched`` (default): the network sees exactly pinnrwf's rows, N_b boundary + N_r interior, and
  the residual is averaged over the N_r interior points only. One custom BC (``LidBC``) gives the
  (u, v) boundary error of shape (N_b, 2) with weight 200 (MSE over 2 N_b values ×200 = 100 L_u +
  100 L_v). DeepXDE still differentiates the network output on all N_b + N_r rows (it slices the
  residual afterwards) — that is how DeepXDE works, not a choice of this script.
* ``idiomatic``: what DeepXDE's cavity examples write: ``dde.data.PDE(geom, pde, [bc_u, bc_v],
  num_domain=N_r, num_boundary=N_b)`` with two ``DirichletBC`` (components 0 and 1), loss weights
  [1, 1, 1, 100, 100]. DeepXDE then gives each BC its own copy of the boundary points, so the
  network sees 2 N_b + N_b + N_r rows and the residual mean includes the N_b boundary points.
  More work than ``matched``.

Timing: one ``model.train(iterations=warmup + reps * steps + 1)``; a callback records
``time.perf_counter()`` at the end of iterations warmup, warmup+steps, ...; steps/s per repetition
and their median are printed as one JSON line (and written atomically to ``--out`` if given).

Run:
    DDE_BACKEND=pytorch /work/venv-dxde/bin/python benchmarks/peers/deepxde_cavity.py --steps 100 --out /tmp/dxde_ns.json
"""

from __future__ import annotations

import argparse
import os
import sys

from _harness import emit_json_line, host_provenance, time_deepxde_training, timing_summary, torch_provenance

RE = 1000.0
POINTS = {"paper": (1024, 256), "quick": (512, 128)}  # (N_r interior, N_b boundary), problems/ldc.py
WIDTH, DEPTH = 128, 5
WEIGHT_BOUNDARY = 100.0


def ns_residual(dde, x, y):
    """DeepXDE's standard NS residual (jacobian/hessian); y: (n, 3) = [u, v, p] -> three (n, 1)."""
    u, v = y[:, 0:1], y[:, 1:2]
    u_x = dde.grad.jacobian(y, x, i=0, j=0)
    u_y = dde.grad.jacobian(y, x, i=0, j=1)
    v_x = dde.grad.jacobian(y, x, i=1, j=0)
    v_y = dde.grad.jacobian(y, x, i=1, j=1)
    p_x = dde.grad.jacobian(y, x, i=2, j=0)
    p_y = dde.grad.jacobian(y, x, i=2, j=1)
    u_xx = dde.grad.hessian(y, x, component=0, i=0, j=0)
    u_yy = dde.grad.hessian(y, x, component=0, i=1, j=1)
    v_xx = dde.grad.hessian(y, x, component=1, i=0, j=0)
    v_yy = dde.grad.hessian(y, x, component=1, i=1, j=1)
    return [
        u * u_x + v * u_y + p_x - (u_xx + u_yy) / RE,
        u * v_x + v * v_y + p_y - (v_xx + v_yy) / RE,
        u_x + v_y,
    ]


def build_data(dde, mode: str, n_residual: int, n_boundary: int):
    """The data object and loss weights [r_u, r_v, r_c, boundary...] of the chosen layout."""
    import numpy as np

    geom = dde.geometry.Rectangle([0.0, 0.0], [1.0, 1.0])

    def pde(x, y):
        return ns_residual(dde, x, y)

    def on_boundary(_, on_bnd):
        return on_bnd

    class KeepAlive:
        """DeepXDE (pytorch) memoizes BC targets keyed on id(train_x); a resampled array may reuse
        a freed id and get stale targets. Keeping old arrays alive keeps ids unique."""

        _alive: list = []

        def train_next_batch(self, batch_size=None):
            out = super().train_next_batch(batch_size)
            if not self._alive or self._alive[-1] is not self.train_x:
                self._alive.append(self.train_x)
            return out

    if mode == "idiomatic":
        lid = lambda x: np.where(np.isclose(x[:, 1:2], 1.0), 1.0, 0.0)  # noqa: E731
        bc_u = dde.icbc.DirichletBC(geom, lid, on_boundary, component=0)
        bc_v = dde.icbc.DirichletBC(geom, lambda x: np.zeros((len(x), 1)), on_boundary, component=1)

        class IdiomaticPDE(KeepAlive, dde.data.PDE):
            pass

        data = IdiomaticPDE(
            geom, pde, [bc_u, bc_v], num_domain=n_residual, num_boundary=n_boundary, train_distribution="pseudo"
        )
        return data, [1.0, 1.0, 1.0, WEIGHT_BOUNDARY, WEIGHT_BOUNDARY]

    import torch

    class LidBC(dde.icbc.BC):
        """(u, v) = (1, 0) on the lid y = 1, (0, 0) elsewhere; error (n, 2), targets from the inputs."""

        def __init__(self):
            super().__init__(geom, on_boundary, component=0)

        def error(self, X, inputs, outputs, beg, end, aux_var=None):
            lid = (inputs[beg:end, 1:2] >= 1.0).to(outputs.dtype)
            target = torch.cat([lid, torch.zeros_like(lid)], dim=1)
            return outputs[beg:end, 0:2] - target

    class MatchedPDE(KeepAlive, dde.data.PDE):
        """N_b boundary points drawn separately; the residual mean is over the N_r interior points."""

        def bc_points(self):
            if self.train_x_bc is None:  # same caching rule as DeepXDE's run_if_all_none
                xb = self.geom.random_boundary_points(n_boundary, random=self.train_distribution)
                self.train_x_bc = xb.astype(dde.config.real(np))
                self.num_bcs = [len(xb)]
            return self.train_x_bc

    data = MatchedPDE(geom, pde, [LidBC()], num_domain=n_residual, num_boundary=0, train_distribution="pseudo")
    return data, [1.0, 1.0, 1.0, 2.0 * WEIGHT_BOUNDARY]  # MSE over 2 N_b values


def build_model(mode: str, points: str, seed: int):
    import deepxde as dde

    dde.config.set_random_seed(seed)  # random/np/torch seeds only for the pytorch backend
    n_residual, n_boundary = POINTS[points]
    data, weights = build_data(dde, mode, n_residual, n_boundary)
    net = dde.nn.FNN([2] + [WIDTH] * DEPTH + [3], "tanh", "Glorot normal")
    model = dde.Model(data, net)
    model.compile("adam", lr=1e-3, decay=("exponential", 0.9 ** (1 / 2000)), loss_weights=weights)
    return dde, model


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=100, help="timed steps per repetition")
    ap.add_argument("--warmup", type=int, default=20, help="untimed warm-up steps")
    ap.add_argument("--reps", type=int, default=3, help="timed repetitions (median reported)")
    ap.add_argument("--mode", choices=("matched", "idiomatic"), default="matched")
    ap.add_argument("--points", choices=tuple(POINTS), default="paper")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    ap.add_argument("--out", default=None, help="also write the JSON here (atomically)")
    args = ap.parse_args(argv)
    for name in ("steps", "reps"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name} must be >= 1, got {getattr(args, name)}")

    os.environ.setdefault("DDE_BACKEND", "pytorch")  # before deepxde is first imported
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    dde, model = build_model(args.mode, args.points, args.seed)

    runs, train_state = time_deepxde_training(
        dde,
        model,
        warmup=args.warmup,
        steps=args.steps,
        reps=args.reps,
        callbacks=[dde.callbacks.PDEPointResampler(period=1, pde_points=True, bc_points=True)],
    )
    n_residual, n_boundary = POINTS[args.points]
    result = {
        "library": "deepxde",
        "problem": "ldc (steady NS, Re 1000)",
        "version": dde.__version__,
        "backend": dde.backend.backend_name,
        **torch_provenance(torch),
        "mode": args.mode,
        "points": args.points,
        "n_residual": n_residual,
        "n_boundary": n_boundary,
        "network_rows": int(model.data.train_x.shape[0]),
        "width": WIDTH,
        "depth": DEPTH,
        **timing_summary(runs, warmup=args.warmup, steps=args.steps, reps=args.reps),
        "final_train_loss": [float(v) for v in train_state.loss_train],
        **host_provenance(),
    }
    return emit_json_line(result, args.out)


if __name__ == "__main__":
    sys.exit(main())
