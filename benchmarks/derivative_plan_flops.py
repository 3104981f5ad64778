"""XLA cost analysis (flops, bytes) of the DSL advection training gradient under each derivative plan.

Run from the repository root: python benchmarks/derivative_plan_flops.py
(results quoted in benchmarks/results/directional_plan_cpu/README.md)
"""
import jax, equinox as eqx
from pinnrwf.benchmarks.engine_speed import batch_loss, with_derivative_mode, init_model, C, N_RESIDUAL, N_INITIAL
from pinnrwf.problems.advection import speed_objective
from pinnrwf.nn import Plain, RWF
dsl = speed_objective(c=C, n_residual=N_RESIDUAL, n_initial=N_INITIAL)
for pname, par in (("plain", Plain()), ("rwf", RWF())):
    model = init_model(par)(jax.random.PRNGKey(0))
    for mode in ("directional", "reverse", "forward"):
        obj = with_derivative_mode(dsl, mode)
        loss = batch_loss(obj, jax.random.PRNGKey(1))
        params, static = eqx.partition(model, eqx.is_array)
        g = jax.jit(lambda p: eqx.filter_grad(loss)(eqx.combine(p, static)))
        ca = g.lower(params).compile().cost_analysis()
        ca = ca[0] if isinstance(ca, list) else ca
        print(pname, mode, obj.equation.plan, "GFLOP/step %.3f" % (ca.get("flops", float("nan")) / 1e9),
              "bytes %.3g" % ca.get("bytes accessed", float("nan")), flush=True)
