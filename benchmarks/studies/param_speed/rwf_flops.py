"""XLA's own cost estimate (FLOPs, bytes accessed) of the compiled loss value-and-gradient, Plain vs
RWF, for the advection and cavity quick presets: what RWF's exp(s)·V rescaling adds to the step,
free of timing noise. Run: python benchmarks/studies/param_speed/rwf_flops.py
"""

import equinox as eqx
import jax
import jax.numpy as jnp

from pinnrwf.nn import parse_parameterizations
from pinnrwf.problems import registry

r = registry()
for name in ("advection", "ldc"):
    p = r[name]
    pre = p.presets["quick"]
    obj = p.objective(pre.config, pre.train)
    params = parse_parameterizations("plain,rwf", rwf=p.rwf)
    batch = obj.sample(jax.random.PRNGKey(0))
    out = {}
    for k, par in params.items():
        init = p.init_model(pre.config, par)
        model = init(jax.random.PRNGKey(0)) if callable(init) and not isinstance(init, eqx.Module) else init
        dyn, static = eqx.partition(model, eqx.is_inexact_array)

        def loss(d):
            terms, _ = obj.loss_terms(eqx.combine(d, static), batch, jnp.int32(0))
            return sum(jax.tree_util.tree_leaves(terms))

        c = jax.jit(jax.value_and_grad(loss)).lower(dyn).compile().cost_analysis()
        c = c[0] if isinstance(c, list) else c
        out[k] = (c.get("flops"), c.get("bytes accessed"))
    print(
        name,
        out,
        "rwf/plain flops",
        out["rwf"][0] / out["plain"][0],
        "bytes",
        out["rwf"][1] / out["plain"][1],
        flush=True,
    )
