"""DeepXDE 1.15 (PyTorch backend, CPU) timing of the advection PINN step used by ``engine_speed``.

Standalone: imports deepxde/torch, runs in its own virtualenv, and must never be imported by
the ``pinnrwf`` package (it is not on any import path of the library).

What one timed step is
----------------------
* PDE: u_t + 50 u_x = 0, x in (0, 2pi), t in (0, 1], periodic in x, u(x, 0) = sin x.
* Network: ``dde.nn.FNN([3] + [256] * 5 + [1], "tanh", "Glorot normal")`` with
  ``net.apply_feature_transform`` mapping (x, t) -> [cos x, sin x, t]; float32 (DeepXDE default).
* Loss (DeepXDE order: PDE residual first, then the IC): ``loss_weights=[1, 100]``, MSE,
  i.e. 1 * mean(residual^2) + 100 * mean((u(x, 0) - sin x)^2).  No boundary term.
* Optimizer: ``model.compile("adam", lr=1e-3)``.
* Points: 1024 residual points + 128 IC points, redrawn i.i.d. uniformly *every step* with
  ``dde.callbacks.PDEPointResampler(period=1, bc_points=True)`` (what DeepXDE users write;
  ``bc_points=True`` is needed, otherwise the IC points stay fixed - DeepXDE caches them).
  ``train_distribution="pseudo"`` (i.i.d. uniform).  NOTE: DeepXDE's ``"uniform"`` means an
  *equispaced grid* (it would give the same points at every resample and does not hit 1024
  exactly), so it is not used.
* A step is one iteration of DeepXDE's own training loop (``Model._train_sgd``): resample
  (numpy) -> ``train_next_batch`` -> forward + ``dde.grad.jacobian`` + loss + backward + Adam,
  plus the callback hooks.  ``display_every`` is set beyond the run so no test-loss evaluation
  falls inside the timed window.

Two point layouts (``--mode``):
* ``matched`` (default): exactly the step above.  A tiny ``TimePDE`` subclass draws the 128 IC
  points itself, so the residual is averaged over the 1024 interior points only.  DeepXDE still
  runs the network and the autograd jacobian on the concatenated 1152 rows (it slices the
  residual afterwards) - that is how DeepXDE works, not a choice of this script.
* ``idiomatic``: the plain ``dde.data.TimePDE(geomtime, pde, [ic], num_domain=1024,
  num_initial=128, train_distribution="pseudo")``.  There DeepXDE draws the IC points into the
  PDE point set, so the network sees 1280 rows (128 IC + 128 t=0 + 1024 interior) and the residual
  mean is over 1152 points (the 128 t=0 points included).  Slightly more work than ``matched``.
  Resampler left at DeepXDE's default ``bc_points=False`` (IC rows then stay fixed): with
  ``bc_points=True`` DeepXDE's IC filter (t close to 0) occasionally catches an interior point and
  the run dies with "`num_bcs` changed!" (seen within ~340 steps).
  It also inherits a DeepXDE 1.15 pitfall: on pytorch the IC target sin x is memoized keyed on
  ``id(train_x)``; after a resample the new array usually reuses the freed id, so the IC targets
  are stale (measured: 297 of 300 resamples).  Harmless for timing, wrong for training.
  ``matched`` keeps old arrays alive so ids stay unique and targets are correct (0 of 300 stale).

Timing: one ``model.train(iterations=warmup + reps * steps + 1)``; a callback records
``time.perf_counter()`` at the end of iterations warmup, warmup+steps, ...; each repetition is
``steps`` full iterations; steps/s per repetition and their median are reported as one JSON line
(and written atomically to ``--out`` if given).

Environment (see notes/deepxde_setup.md for the exact commands):
    python3 -m venv /work/venv-dxde
    /work/venv-dxde/bin/pip install /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl
    #   (or: pip install torch --index-url https://download.pytorch.org/whl/cpu ; or from PyPI:
    #    pip install --no-deps torch + its non-nvidia requirements)
    /work/venv-dxde/bin/pip install deepxde==1.15.0

Run:
    DDE_BACKEND=pytorch /work/venv-dxde/bin/python benchmarks/peers/deepxde_advection.py --steps 300 --out /tmp/dxde.json
"""

from __future__ import annotations

import argparse
import os
import sys

from _harness import emit_json_line, host_provenance, time_deepxde_training, timing_summary, torch_provenance

C = 50.0
N_RESIDUAL, N_INITIAL = 1024, 128


def build_model(mode: str, seed: int):
    import deepxde as dde
    import numpy as np
    import torch

    dde.config.set_random_seed(seed)  # random/np/torch seeds only for the pytorch backend

    geom = dde.geometry.Interval(0.0, 2.0 * np.pi)
    timedomain = dde.geometry.TimeDomain(0.0, 1.0)
    geomtime = dde.geometry.GeometryXTime(geom, timedomain)

    def pde(x, u):
        u_x = dde.grad.jacobian(u, x, i=0, j=0)
        u_t = dde.grad.jacobian(u, x, i=0, j=1)
        return u_t + C * u_x

    ic = dde.icbc.IC(geomtime, lambda x: np.sin(x[:, 0:1]), lambda _, on_initial: on_initial)

    if mode == "idiomatic":
        data = dde.data.TimePDE(
            geomtime, pde, [ic], num_domain=N_RESIDUAL, num_initial=N_INITIAL, train_distribution="pseudo"
        )
    else:

        class MatchedTimePDE(dde.data.TimePDE):
            """IC points drawn separately, so the residual mean is over the interior points only."""

            def bc_points(self):
                if self.train_x_bc is None:  # same caching rule as DeepXDE's run_if_all_none
                    x0 = self.geom.random_initial_points(N_INITIAL, random=self.train_distribution)
                    self.train_x_bc = x0.astype(dde.config.real(np))
                    self.num_bcs = [len(x0)]
                return self.train_x_bc

            def train_next_batch(self, batch_size=None):
                out = super().train_next_batch(batch_size)
                # DeepXDE (pytorch) memoizes the IC target sin x keyed on id(train_x); after a
                # resample a new array can reuse a freed id and get stale targets. Keeping the
                # old arrays alive keeps ids unique (a few KB per step; cost is negligible).
                if not self._alive or self._alive[-1] is not self.train_x:
                    self._alive.append(self.train_x)
                return out

        MatchedTimePDE._alive = []
        data = MatchedTimePDE(geomtime, pde, [ic], num_domain=N_RESIDUAL, num_initial=0, train_distribution="pseudo")

    net = dde.nn.FNN([3] + [256] * 5 + [1], "tanh", "Glorot normal")
    net.apply_feature_transform(lambda xt: torch.cat([torch.cos(xt[:, 0:1]), torch.sin(xt[:, 0:1]), xt[:, 1:2]], dim=1))

    model = dde.Model(data, net)
    model.compile("adam", lr=1e-3, loss_weights=[1.0, 100.0])  # [PDE residual, IC]
    return dde, model


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=300, help="timed steps per repetition")
    ap.add_argument("--warmup", type=int, default=60, help="untimed warm-up steps")
    ap.add_argument("--reps", type=int, default=3, help="timed repetitions (median reported)")
    ap.add_argument("--mode", choices=("matched", "idiomatic"), default="matched")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    ap.add_argument("--out", default=None, help="also write the JSON here (atomically)")
    args = ap.parse_args(argv)

    os.environ.setdefault("DDE_BACKEND", "pytorch")  # before deepxde is first imported
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    dde, model = build_model(args.mode, args.seed)

    # idiomatic: DeepXDE's default bc_points=False (with True, DeepXDE's own IC filter
    # sometimes catches an interior point with t ~ 0 and raises "`num_bcs` changed!").
    resample_bc = args.mode == "matched"
    runs, train_state = time_deepxde_training(
        dde,
        model,
        warmup=args.warmup,
        steps=args.steps,
        reps=args.reps,
        callbacks=[dde.callbacks.PDEPointResampler(period=1, pde_points=True, bc_points=resample_bc)],
    )

    result = {
        "library": "deepxde",
        "version": dde.__version__,
        "backend": dde.backend.backend_name,
        **torch_provenance(torch),
        "mode": args.mode,
        **timing_summary(runs, warmup=args.warmup, steps=args.steps, reps=args.reps),
        "final_train_loss": [float(v) for v in train_state.loss_train],
        **host_provenance(),
    }
    return emit_json_line(result, args.out)


if __name__ == "__main__":
    sys.exit(main())
