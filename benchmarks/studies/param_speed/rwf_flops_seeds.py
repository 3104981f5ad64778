"""rwf_flops.py for the advection quick preset with a 10-seed ensemble (vmapped models and batches),
also writing the compiled HLO text to /tmp/speed/hlo10_{plain,rwf}.txt."""

import equinox as eqx
import jax
import jax.numpy as jnp

from pinnrwf.nn import parse_parameterizations
from pinnrwf.problems import registry

r = registry()
p = r["advection"]
pre = p.presets["quick"]
obj = p.objective(pre.config, pre.train)
params = parse_parameterizations("plain,rwf", rwf=p.rwf)
keys = jax.random.split(jax.random.PRNGKey(0), 10)
batch = jax.vmap(obj.sample)(keys)
out = {}
for k, par in params.items():
    init = p.init_model(pre.config, par)
    models = eqx.filter_vmap(init)(keys)
    dyn, static = eqx.partition(models, eqx.is_inexact_array)

    def loss(d, b):
        terms, _ = obj.loss_terms(eqx.combine(d, static), b, jnp.int32(0))
        return sum(jax.tree_util.tree_leaves(terms))

    f = jax.jit(jax.vmap(jax.value_and_grad(loss)))
    comp = f.lower(dyn, batch).compile()
    c = comp.cost_analysis()
    c = c[0] if isinstance(c, list) else c
    out[k] = (c.get("flops"), c.get("bytes accessed"))
    __import__("os").makedirs("/tmp/speed", exist_ok=True)
    open(f"/tmp/speed/hlo10_{k}.txt", "w").write(comp.as_text())
print(
    "advection 10 seeds",
    out,
    "rwf/plain flops",
    out["rwf"][0] / out["plain"][0],
    "bytes",
    out["rwf"][1] / out["plain"][1],
    flush=True,
)
