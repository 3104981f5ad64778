"""Where RWF's extra cost comes from, and candidate fixes, on one problem's quick-preset step.

    python benchmarks/studies/param_speed/rwf_variants.py hlo   [--problem advection] [--seeds 10]
    python benchmarks/studies/param_speed/rwf_variants.py grad  [--problem advection] [--seeds 10] [--rounds 5] [--steps 200]
    python benchmarks/studies/param_speed/rwf_variants.py time  [--problem advection] [--seeds 1]
                                                               [--rounds 5] [--steps 200] [--chunk 50]

Variants of RWF's computation (the stored variables s, V are the same):
- ``plain``: y = W x + b;
- ``rwf``: the library's RWF, y = (diag(exp(s)) V) x + b, W recomputed at every use of the layer
  (residual, initial, boundary points): the backward pass goes through exp(s)·V once per use;
- ``rwf-once``: the same layer, but the loss sees a model whose W were computed once per loss
  evaluation (``materialize``; the engine is patched to do so): the cotangents of W's uses add up
  before the backward pass through exp(s)·V, as Plain's do (same forward values, other rounding);
- ``rwf-out``: y = exp(s) ⊙ (V x) + b, the scale applied to the matmul's output (same maths,
  other rounding).

``hlo`` compiles the vmapped (seed-batched) loss gradient of each variant and prints XLA's
FLOP / byte estimates and op counts of the optimised HLO (written to /tmp/rwf_variants/).
``grad`` times that compiled gradient alone, variants alternated. ``time`` times the engine's
training step (``pinnrwf.runner.train_all``) in alternating rounds, by process CPU seconds, prints
each round's rate and ratio to Plain and, with ``--out``, writes JSON + Markdown.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import os
import re
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from pinnrwf.nn import RWF, DenseWeight, Plain
from pinnrwf.nn._linear import Linear
from pinnrwf.nn._weights import FactorizedWeight


class OutputScaledWeight(FactorizedWeight):
    """FactorizedWeight whose layer applies exp(s) to V x instead of to V (see the patched call)."""


class RWFOut(RWF):
    cli_names = {"rwf-out": {}}

    def make_weight(self, w0, *, key):
        w = super().make_weight(w0, key=key)
        return OutputScaledWeight(s=w.s, v=w.v, exponential=w.exponential)


class OnceWeight(FactorizedWeight):
    """FactorizedWeight that the (patched) engine's loss sees as DenseWeight(W), W computed once."""


class RWFOnce(RWF):
    cli_names = {"rwf-once": {}}

    def make_weight(self, w0, *, key):
        w = super().make_weight(w0, key=key)
        return OnceWeight(s=w.s, v=w.v, exponential=w.exponential)


def materialize(model):
    """Every OnceWeight replaced by DenseWeight(diag(exp(s)) V): W computed once per loss evaluation,
    so the cotangents of W's several uses add up before the backward pass through exp(s)·V, as
    Plain's do. Any other model is returned unchanged (same program)."""
    return jax.tree.map(
        lambda w: DenseWeight(w()) if isinstance(w, OnceWeight) else w,
        model,
        is_leaf=lambda x: isinstance(x, OnceWeight),
    )


def _patch_engine():
    from pinnrwf.train._fit import _Engine

    def _terms(self, params, batch, step):
        return self.objective.loss_terms(materialize(eqx.combine(params, self.static)), batch, step)

    _Engine._terms = _terms


def _patch_layer():
    """Linear applies OutputScaledWeight as exp(s) ⊙ (V x); every other weight as before."""
    library_call = Linear.__call__

    def call(self, x):
        if type(self.weight) is OutputScaledWeight:
            return self.weight.scale() * (self.weight.v @ x) + self.bias
        return library_call(self, x)

    Linear.__call__ = call


def variants(rwf: RWF) -> dict:
    fields = {f.name: getattr(rwf, f.name) for f in dataclasses.fields(rwf)}
    return {"plain": Plain(), "rwf": rwf, "rwf-once": RWFOnce(**fields), "rwf-out": RWFOut(**fields)}


def compiled_gradients(problem, preset, seeds: int, names=None) -> dict:
    """{variant: (compiled vmapped value_and_grad of the summed loss terms, params, batch)}."""
    obj = problem.objective(preset.config, preset.train)
    keys = jax.random.split(jax.random.PRNGKey(0), seeds)
    batch = jax.vmap(obj.sample)(keys)
    out = {}
    for name, par in variants(problem.rwf).items():
        if names is not None and name not in names:
            continue
        models = eqx.filter_vmap(problem.init_model(preset.config, par))(keys)
        dyn, static = eqx.partition(models, eqx.is_inexact_array)

        def loss(d, b, static=static):
            model = eqx.combine(d, static)
            terms, _ = obj.loss_terms(materialize(model), b, jnp.int32(0))  # as the patched engine does
            return sum(jax.tree_util.tree_leaves(terms))

        out[name] = (jax.jit(jax.vmap(jax.value_and_grad(loss))).lower(dyn, batch).compile(), dyn, batch)
    return out


def grad_timing(problem, preset, args) -> None:
    """The compiled gradient alone (no optimizer, no sampling), variants alternated, ``--rounds``
    rounds of ``--steps`` calls, process CPU seconds."""
    names = args.variants.split(",")
    comp = compiled_gradients(problem, preset, args.seeds, names)
    rates = {n: [] for n in names}
    for n in names:  # warm up
        jax.block_until_ready(comp[n][0](comp[n][1], comp[n][2]))
    for _r in range(args.rounds):
        for n in names:
            f, d, b = comp[n]
            t0 = time.process_time()
            for _ in range(args.steps):
                out = f(d, b)
            jax.block_until_ready(out)
            rates[n].append(args.steps / (time.process_time() - t0))
    print(
        f"{problem.name} {args.seeds} seed(s), gradient only, {args.rounds} rounds of {args.steps} calls "
        f"(load {os.getloadavg()[0]:.1f}): plain {np.median(rates['plain']):.2f} calls/s",
        flush=True,
    )
    for n in names[1:]:
        ratios = [a / b for a, b in zip(rates[n], rates["plain"])]
        print(
            f"  {n}/plain: median {np.median(ratios):.3f}, quartiles {np.percentile(ratios, 25):.3f}–"
            f"{np.percentile(ratios, 75):.3f}, min {min(ratios):.3f}, max {max(ratios):.3f}",
            flush=True,
        )


def hlo(problem, preset, seeds: int) -> None:
    os.makedirs("/tmp/rwf_variants", exist_ok=True)
    base = None
    for name, (comp, _, _) in compiled_gradients(problem, preset, seeds).items():
        cost = comp.cost_analysis()
        cost = cost[0] if isinstance(cost, list) else cost
        text = comp.as_text()
        open(f"/tmp/rwf_variants/{problem.name}_{seeds}_{name}.txt", "w").write(text)
        ops = collections.Counter(re.findall(r"= \S+ (\w[\w-]*)\(", text))
        flops, nbytes = cost.get("flops"), cost.get("bytes accessed")
        base = base or (flops, nbytes)
        print(
            f"{problem.name} {seeds} seed(s) {name}: flops {flops:.4g} ({flops / base[0]:.4f}x), bytes {nbytes:.4g} "
            f"({nbytes / base[1]:.4f}x); dot {ops['dot']}, copy {ops['copy']}, transpose {ops['transpose']}, "
            f"fusion {ops['fusion']}, total ops {sum(ops.values())}",
            flush=True,
        )


def timing(problem, preset, args) -> None:
    from pinnrwf.runner import train_all
    from pinnrwf.train import _fit

    class _CpuTime:
        perf_counter = staticmethod(time.process_time)

        def __getattr__(self, name):
            return getattr(time, name)

    _fit.time = _CpuTime()
    train = dataclasses.replace(
        preset.train,
        steps=args.steps,
        chunk_steps=args.chunk,
        seeds=args.seeds,
        eval_every=None,
        progress=False,
        checkpoint_dir=None,
    )
    pars = variants(problem.rwf)
    names = args.variants.split(",")
    rates = {n: [] for n in names}
    loads = []
    for r in range(args.rounds):
        load = os.getloadavg()[0]
        for n in names:
            result = train_all(
                problem, preset.config, train, {n: pars[n]}, optimizer=preset.optimizer, log=lambda s: None
            )[n]
            rates[n].append(result.steps_per_second)
        print(
            f"{problem.name} round {r + 1} (load {load:.1f}): "
            + ", ".join(f"{n} {rates[n][-1]:.2f}" for n in names)
            + " | "
            + ", ".join(f"{n}/plain {rates[n][-1] / rates['plain'][-1]:.3f}" for n in names[1:]),
            flush=True,
        )
        loads.append(load)
    rows = []
    for n in names[1:]:
        ratios = [a / b for a, b in zip(rates[n], rates["plain"])]
        rows.append(
            f"| {n} | {np.median(rates[n]):.2f} | {np.median(ratios):.3f} | "
            + ", ".join(f"{x:.3f}" for x in ratios)
            + " |"
        )
        print(
            f"{problem.name} {args.seeds} seed(s) {n}/plain: median {np.median(ratios):.3f}, per round "
            + ", ".join(f"{x:.3f}" for x in ratios),
            flush=True,
        )
    if args.out:
        import shlex
        import sys

        from pinnrwf.benchmarks._common import write_benchmark

        meta = {
            "command": shlex.join(["python", "benchmarks/studies/param_speed/rwf_variants.py", *sys.argv[1:]]),
            "problem": problem.name,
            "preset": "quick",
            "seeds": args.seeds,
            "rounds": args.rounds,
            "steps": args.steps,
            "chunk": args.chunk,
            "clock": "cpu",
            "xla_flags": os.environ.get("XLA_FLAGS", ""),
            "rates": rates,
            "load1_per_round": loads,
        }
        md = [
            f"# RWF variants, {problem.name} quick preset, {args.seeds} seed(s)",
            "",
            f"{args.rounds} alternating rounds of {args.steps} steps (first chunk of {args.chunk} untimed), "
            f"steps per process-CPU second, one compute thread; load per round "
            + ", ".join(f"{x:.1f}" for x in loads)
            + f". Plain: median {np.median(rates['plain']):.2f} steps/s.",
            "",
            "| variant | steps/s (median) | ratio to plain (median) | per-round ratios |",
            "|---|---|---|---|",
            *rows,
        ]
        write_benchmark(f"rwf_variants_{problem.name}_{args.seeds}seeds", meta, "\n".join(md) + "\n", args.out)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("hlo", "time", "grad"))
    p.add_argument("--problem", default="advection")
    p.add_argument("--seeds", type=int, default=1)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--chunk", type=int, default=50)
    p.add_argument("--variants", default="plain,rwf,rwf-once,rwf-out")
    p.add_argument("--out", default=None, help="folder for rwf_variants_<problem>_<seeds>seeds.{json,md}")
    args = p.parse_args()
    _patch_layer()
    _patch_engine()  # a script, not a bench command: the patches are made only when it runs
    from pinnrwf.problems import registry

    problem = registry()[args.problem]
    preset = problem.presets["quick"]
    if args.mode == "hlo":
        hlo(problem, preset, args.seeds)
    elif args.mode == "grad":
        grad_timing(problem, preset, args)
    else:
        timing(problem, preset, args)


if __name__ == "__main__":
    main()
