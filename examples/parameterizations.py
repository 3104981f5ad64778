"""Five weight parameterizations on one PINN: Plain, adaptive activation, weight normalization,
random weight factorization and weight conditioning, at the same steps and seeds.

Shows that a parameterization is one argument of the network (`MLP(..., parameterization)`): the
same 1D Poisson problem −u'' = f on (0, 1), u(0) = u(1) = 0, with a two-scale exact solution
u = sin(2πx) + 0.1 sin(16πx), is trained under each, 2 seeds each, and the errors are compared.
Which one wins depends on the problem and the budget; see the reproduction pages for the paper's
benchmarks.

Run it: `python examples/parameterizations.py [--out DIR]` (default DIR: examples_out/parameterizations/).
`PINNRWF_SMOKE=1` runs a tiny version (under a minute, mostly compilation).
Output at the default setting (measured: 125 s of CPU time), relative L² error of the two seeds:
Plain 1.30e-2, 1.26e-2; AA 9.60e-3, 4.30e-2; WN 1.20e-2, 1.71e-2; RWF 1.55, 1.46 and WC-row 0.63, 0.49
(these two did not converge at this learning rate and budget). DIR/parameterizations.png: the losses.
"""

import argparse
import os
from pathlib import Path

import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

from pinnrwf import pde
from pinnrwf.nn import MLP, RWF, AdaptiveActivation, Plain, WeightConditioning, WeightNorm
from pinnrwf.train import Adam, TrainConfig, fit

SMOKE = os.environ.get("PINNRWF_SMOKE") == "1"
parser = argparse.ArgumentParser(description="compare weight parameterizations")
parser.add_argument("--out", type=Path, default=Path("examples_out/parameterizations"))
out = parser.parse_args().out
out.mkdir(parents=True, exist_ok=True)

k1, k2 = 2 * jnp.pi, 16 * jnp.pi
f = lambda x: k1**2 * jnp.sin(k1 * x) + 0.1 * k2**2 * jnp.sin(k2 * x)  # noqa: E731  (= −u'')
domain = pde.Domain({"x": (0.0, 1.0)})
grid = domain.grid(x=501).points
objective = pde.PINNObjective(
    pde.Equation(coords=("x",), fields=("u",), residual=lambda p: p.u_xx + f(p.x)),
    {"r": pde.Residual(domain.interior(256)), "bc": pde.Dirichlet(lambda pt: 0.0, domain.boundary(2), weight=100.0)},
    reference=pde.Reference(grid, jnp.sin(k1 * grid) + 0.1 * jnp.sin(k2 * grid), "u"),
)
parameterizations = {
    "Plain": Plain(),
    "AA": AdaptiveActivation(),
    "WN": WeightNorm(),
    "RWF": RWF(mean=1.0, std=0.1),
    "WC-row": WeightConditioning("row"),
}
steps = 50 if SMOKE else 3000
for name, param in parameterizations.items():
    config = TrainConfig(steps=steps, seeds=2, chunk_steps=50, eval_every=steps, log_every=10, progress=False)
    result = fit(lambda key: MLP(1, 1, 64, 3, param, key=key), objective, config, optimizer=Adam(1e-3))
    print(f"{name:7s} relative L2 error per seed: {', '.join(f'{e:.2e}' for e in result.final_metrics['rel_l2'])}")
    lines = plt.semilogy(result.history["step"], np.asarray(result.history["loss"]), lw=1)
    lines[0].set_label(name), [line.set_color(lines[0].get_color()) for line in lines]
plt.xlabel("step"), plt.ylabel("loss"), plt.legend()
plt.savefig(out / "parameterizations.png", dpi=100)
print(f"wrote {out / 'parameterizations.png'}")
