"""Allen–Cahn u_t − ε u_xx + 5u³ − 5u = 0, x ∈ [−1, 1) periodic, t ∈ [0, 1], u(x, 0) = x² cos(πx).

Shows a stiff benchmark: the equation from `pde.equations`, exact periodicity from the network's
`PeriodicEmbedding` (no boundary term), causal weighting of the residual over time chunks
(`pde.Causal`), and the package's own ETDRK4 solver (`pinnrwf.solvers.allen_cahn`) as reference.
This is a short run: the PINN learns the early times; the full benchmark is
`pinnrwf run allen-cahn` (see the reproductions).

Run it: `python examples/allen_cahn.py [--out DIR]` (default DIR: examples_out/allen_cahn/).
`PINNRWF_SMOKE=1` runs a tiny version (under a minute, mostly compilation).
Output at the default setting (measured: 203 s of CPU time): relative L² error 0.582 over the
(x, t) grid after 4000 steps (it has not found the late-time state yet), and
DIR/allen_cahn.png (reference, PINN, error).
"""

import argparse
import os
from pathlib import Path

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

from pinnrwf import pde
from pinnrwf.nn import MLP, RWF, PeriodicEmbedding
from pinnrwf.solvers import allen_cahn
from pinnrwf.train import Adam, TrainConfig, fit

SMOKE = os.environ.get("PINNRWF_SMOKE") == "1"
parser = argparse.ArgumentParser(description="Allen-Cahn PINN")
parser.add_argument("--out", type=Path, default=Path("examples_out/allen_cahn"))
out = parser.parse_args().out
out.mkdir(parents=True, exist_ok=True)

x, t = allen_cahn.grid(128), np.linspace(0.0, 1.0, 51)
u_ref = allen_cahn.solve(nx=128, t_eval=t, n_internal=512, dt=1e-3).T  # (x, t)
points, shape = pde.grid_points(x, t)
domain = pde.Domain({"x": (-1.0, 1.0), "t": (0.0, 1.0)})
objective = pde.PINNObjective(
    pde.equations.allen_cahn(1e-4),
    {
        "r": pde.Residual(domain.interior(256 if SMOKE else 2048), causal=pde.Causal(chunks=16, epsilon=1.0)),
        "ic": pde.InitialCondition(lambda pt: pt.x**2 * jnp.cos(jnp.pi * pt.x), domain.initial(256), weight=100.0),
    },
    reference=pde.Reference(points, u_ref.ravel(), "u"),
)
steps = 100 if SMOKE else 4000
embedding = PeriodicEmbedding(2, axes=(0,), periods=(2.0,))  # [cos πx, sin πx, t]: periodic in x
result = fit(
    lambda key: MLP(2, 1, 64, 4, RWF(), embedding=embedding, key=key),
    objective,
    TrainConfig(steps=steps, chunk_steps=100, eval_every=steps, progress=False),
    optimizer=Adam(learning_rate=1e-3, decay_steps=2000),
)
print(f"relative L2 error after {steps} steps: {result.final_metrics['rel_l2'][0]:.3f}")

u = np.asarray(jax.vmap(result.model())(jnp.asarray(points))[:, 0]).reshape(shape)
fig, axes = plt.subplots(1, 3, figsize=(13, 3.5), layout="constrained")
for ax, field, title in zip(axes, [u_ref, u, np.abs(u - u_ref)], ["reference (ETDRK4)", "PINN", "|error|"]):
    fig.colorbar(ax.imshow(field, origin="lower", extent=(0, 1, -1, 1), aspect="auto"), ax=ax)
    ax.set(xlabel="t", ylabel="x", title=title)
fig.savefig(out / "allen_cahn.png", dpi=100)
print(f"wrote {out / 'allen_cahn.png'}")
