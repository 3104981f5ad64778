"""The training engine: seed ensembles, chunks of steps compiled as one ``lax.scan``, sharding.

``fit`` trains S ensemble members (one per seed) at once: the member step is ``jax.vmap``-ed over
the stacked models, ``chunk_steps`` steps are fused into one XLA program by ``lax.scan``, fresh
training points are sampled on device inside it, and the host only syncs between chunks (to log,
check for divergence, evaluate and checkpoint). With several devices the ensemble axis (and, when
there are fewer members than devices, the points of each batch) is sharded with ``jax.sharding``.

With several processes (``jax.distributed``, one per host or GPU) the mesh spans the devices of
all of them and every process runs this same host loop: the per-chunk logs and metrics are
all-gathered (``to_host``), so every process takes the same decisions (divergence, evaluation,
checkpoints); only process 0 shows the progress bar and writes the checkpoints.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import time
from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P
from jaxtyping import Array, PRNGKeyArray, PyTree

from ._checkpoint import load_checkpoint, read_checkpoint_meta, save_checkpoint, to_host
from ._config import TrainConfig
from ._objective import AbstractBatchStream, AbstractObjective
from ._optimizers import Adam, Optimizer, build_optimizer


class DivergenceError(RuntimeError):
    """A loss became NaN/Inf. The message names the step, the ensemble member and the term."""


class TrainState(eqx.Module):
    """Everything that evolves during training (leading axis S on all but ``step``)."""

    params: PyTree
    opt_state: PyTree
    loss_weights: dict[str, Array]
    key: Array
    step: Array


@dataclasses.dataclass
class FitResult:
    params: PyTree  # stacked over the ensemble axis
    initial_params: PyTree
    static: PyTree
    history: dict[str, Any]
    final_metrics: dict[str, list[float]]
    steps_per_second: float
    compile_seconds: float
    wall_seconds: float
    config: TrainConfig
    devices: list[str]

    @property
    def models(self):
        """The ensemble as one model whose array leaves have a leading seed axis."""
        return eqx.combine(self.params, self.static)

    def model(self, member: int = 0, *, initial: bool = False):
        """Ensemble member ``member`` as an ordinary (unbatched) model (at init if ``initial``)."""
        params = self.initial_params if initial else self.params
        return eqx.combine(jax.tree.map(lambda x: x[member], params), self.static)


def member_keys(config: TrainConfig) -> Array:
    """One raw PRNG key per ensemble member: member i ↔ seed ``config.seed + i``."""
    return jnp.stack([jax.random.PRNGKey(config.seed + i) for i in range(config.seeds)])


def _mesh(config: TrainConfig) -> Mesh | None:
    devices = jax.devices()
    if not config.shard or len(devices) == 1:
        return None
    seeds_axis = math.gcd(config.seeds, len(devices))
    grid = np.array(devices).reshape(seeds_axis, len(devices) // seeds_axis)
    return Mesh(grid, ("seeds", "points"))


def _config_fingerprint(config: TrainConfig, extra: dict) -> str:
    keep = {
        k: v
        for k, v in config.to_json().items()
        if k not in ("steps", "progress", "checkpoint_dir", "checkpoint_every", "eval_every", "shard")
    }
    blob = json.dumps({"config": keep, "extra": extra}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _map_members(fn, state: TrainState) -> TrainState:
    """Apply ``fn`` to every per-member leaf (all but the shared step counter)."""
    members = (state.params, state.opt_state, state.loss_weights, state.key)
    return TrainState(*jax.tree.map(fn, members), state.step)


class _Engine(eqx.Module):
    """The pure, compiled part of ``fit`` (objective and static model structure closed over)."""

    objective: AbstractObjective
    static: PyTree = eqx.field(static=True)
    optimizer: optax.GradientTransformation = eqx.field(static=True)
    weighting: Any = eqx.field(static=True)
    mesh: Mesh | None = eqx.field(static=True)
    monitor: Callable | None = eqx.field(static=True, default=None)

    def _terms(self, params, batch, step):
        return self.objective.loss_terms(eqx.combine(params, self.static), batch, step)

    def _constrain(self, batch):
        if self.mesh is None or self.mesh.shape["points"] == 1:
            return batch
        n = self.mesh.shape["points"]

        def constrain(x):
            if x.ndim >= 1 and x.shape[0] % n == 0:
                spec = P("points", *([None] * (x.ndim - 1)))
                return jax.lax.with_sharding_constraint(x, NamedSharding(self.mesh, spec))
            return x

        return jax.tree.map(constrain, batch)

    def member_step(self, params, opt_state, loss_weights, key, step, streamed=None):
        key, sample_key = jax.random.split(key)
        batch = self.objective.sample(sample_key) if streamed is None else streamed
        # materialise the batch: fused into its consumers, a gathered minibatch made XLA:CPU
        # matmuls ~1.6x slower (benchmarks/data_sampling.py)
        batch = jax.lax.optimization_barrier(batch)
        batch = self._constrain(batch)

        def total_loss(p):
            terms, diagnostics = self._terms(p, batch, step)
            total = sum(loss_weights.get(name, 1.0) * value for name, value in terms.items())
            return total, (terms, diagnostics)

        (total, (terms, diagnostics)), grads = jax.value_and_grad(total_loss, has_aux=True)(params)
        if self.weighting is not None:
            loss_weights = jax.lax.cond(
                step % self.weighting.update_every == 0,
                lambda: self._reweight(params, batch, step, loss_weights),
                lambda: loss_weights,
            )
        updates, opt_state = self.optimizer.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        return params, opt_state, loss_weights, key, (total, terms, diagnostics)

    def _reweight(self, params, batch, step, loss_weights):
        jac = jax.jacrev(lambda p: self._terms(p, batch, step)[0])(params)
        norms = {name: optax.tree.norm(g) for name, g in jac.items()}
        return self.weighting.update(norms, loss_weights)

    def run_chunk(self, state: TrainState, num_steps: int, streamed=None):
        """``num_steps`` steps in one ``lax.scan``. ``streamed``: None (the objective samples on
        device) or host batches with leading axes (num_steps, S, ...) consumed one row per step."""
        # A one-member ensemble runs unbatched: XLA:CPU lowers a vmapped (batch-1) dot_general
        # about 3x slower than the plain matmul (measured; see README "Benchmarks").
        single = state.key.shape[0] == 1
        if single:
            step_all = self.member_step
            state = _map_members(lambda x: x[0], state)
            if streamed is not None:
                streamed = jax.tree.map(lambda x: x[:, 0], streamed)
        else:
            step_all = jax.vmap(
                self.member_step,
                in_axes=(0, 0, 0, 0, None, 0),
                spmd_axis_name=None if self.mesh is None else "seeds",
            )

        def body(carry: TrainState, batch):
            params, opt_state, weights, key, logs = step_all(
                carry.params, carry.opt_state, carry.loss_weights, carry.key, carry.step, batch
            )
            return TrainState(params, opt_state, weights, key, carry.step + 1), logs

        state, logs = jax.lax.scan(body, state, streamed, length=num_steps)
        if single:
            state = _map_members(lambda x: x[None], state)
            logs = jax.tree.map(lambda x: x[:, None], logs)
        return state, logs

    def metrics(self, params, initial_params):
        def member(p, p0):
            model = eqx.combine(p, self.static)
            out = dict(self.objective.metrics(model))
            if self.monitor is not None:
                out.update(self.monitor(model, eqx.combine(p0, self.static)))
            return out

        return jax.vmap(member)(params, initial_params)


# The state's buffers are donated: each chunk updates them in place instead of copying.
_run_chunk = eqx.filter_jit(lambda engine, state, n, streamed: engine.run_chunk(state, n, streamed),
                            donate="all-except-first")
_metrics = eqx.filter_jit(lambda engine, params, initial: engine.metrics(params, initial))


def _first_nonfinite(totals: np.ndarray, terms: dict[str, np.ndarray], first_step: int) -> str:
    bad = np.argwhere(~np.isfinite(totals))
    i, member = (int(v) for v in bad[0])
    culprits = [n for n, v in terms.items() if not np.isfinite(v[i, member])]
    where = f"term {culprits[0]!r}" if culprits else "the total (weights or sum)"
    return (
        f"loss became {totals[i, member]} at step {first_step + i} (ensemble member {member}) "
        f"in {where}"
    )


def fit(
    init_model: Callable[[PRNGKeyArray], PyTree],
    objective: AbstractObjective,
    config: TrainConfig,
    *,
    optimizer: Optimizer = Adam(),
    batches: AbstractBatchStream | None = None,
    resume: bool = False,
    fingerprint_extra: dict | None = None,
    on_chunk: Callable[[int, dict], None] | None = None,
    monitor: Callable[[PyTree, PyTree], dict[str, Array]] | None = None,
) -> FitResult:
    """Train ``config.seeds`` models built by ``init_model(key)`` on ``objective``.

    Args:
        init_model: ``key -> model`` (an equinox Module; array leaves are trained).
        objective: see ``AbstractObjective``.
        config: a ``TrainConfig`` (loop settings).
        optimizer: an optimizer config (``Adam()`` — the paper's default —, ``SGD(...)``) or any
            ``optax.GradientTransformation``; its state is checkpointed and resumed like the rest.
        batches: ``None`` (the objective samples every batch on device with ``sample(key)``) or
            a host stream (``AbstractBatchStream``) whose batches are fed to the compiled chunk
            one chunk at a time, for data that does not fit on the device.
        resume: continue from ``config.checkpoint_dir`` if it holds a checkpoint of the same run
            (same configuration and ``fingerprint_extra``); a resumed run continues exactly as
            an uninterrupted one.
        fingerprint_extra: JSON-able description of the model/problem, checked on resume.
        on_chunk: optional callback ``(step, record)`` after each chunk (for custom logging).
        monitor: optional pure ``(model, initial_model) -> dict`` evaluated with the metrics,
            e.g. ``pinnrwf.analysis.relative_weight_change``.

    Raises:
        DivergenceError: a NaN/Inf loss; the last good checkpoint (if any) is kept.
    """
    if not isinstance(objective, AbstractObjective):
        raise ValueError(f"objective must be a pinnrwf.train.AbstractObjective, got {type(objective)}")
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a pinnrwf.train.TrainConfig, got {type(config).__name__}")
    if batches is not None and not isinstance(batches, AbstractBatchStream):
        raise ValueError(f"batches must be None or a pinnrwf.train.AbstractBatchStream, got {type(batches).__name__}")
    transformation, optimizer_description = build_optimizer(optimizer)
    fingerprint = _config_fingerprint(config, {"optimizer": optimizer_description, **(fingerprint_extra or {})})
    with jax.default_matmul_precision(config.precision):
        return _fit(init_model, objective, config, transformation, batches, resume, fingerprint, on_chunk, monitor)


def _initial_state(init_model, objective, optimizer, config, batches):
    keys = member_keys(config)
    init_keys, data_keys = jax.vmap(jax.random.split, out_axes=1)(keys)
    models = eqx.filter_vmap(init_model)(init_keys)
    params, static = eqx.partition(models, eqx.is_array)
    opt_state = jax.vmap(optimizer.init)(params)
    if config.loss_weighting is not None:
        dummy = eqx.combine(jax.tree.map(lambda x: x[0], params), static)
        if batches is None:
            example = jax.eval_shape(objective.sample, jax.random.PRNGKey(0))
        else:
            example = jax.tree.map(lambda x: x[0, 0], batches.chunk(0, 1, [config.seed]))
        names = tuple(jax.eval_shape(lambda m, b: objective.loss_terms(m, b, jnp.int32(0))[0], dummy, example))
        weights = jax.vmap(lambda _: config.loss_weighting.init(names))(keys)
    else:
        weights = {}
    return TrainState(params, opt_state, weights, data_keys, jnp.int32(0)), static


def _fit(init_model, objective, config, optimizer, batches, resume, fingerprint, on_chunk, monitor):
    state, static = _initial_state(init_model, objective, optimizer, config, batches)
    mesh = _mesh(config)
    if mesh is not None:
        seeds_spec = NamedSharding(mesh, P("seeds"))
        state = TrainState(
            *jax.device_put((state.params, state.opt_state, state.loss_weights, state.key), seeds_spec),
            jax.device_put(state.step, NamedSharding(mesh, P())),
        )
    engine = _Engine(objective, static, optimizer, config.loss_weighting, mesh, monitor)
    initial_params = jax.tree.map(jnp.copy, state.params)  # kept apart: the state is donated

    history: dict[str, Any] = {"step": [], "loss": [], "terms": {}, "diagnostics": {}, "metrics": {}, "metric_step": []}
    start = 0
    meta = read_checkpoint_meta(config.checkpoint_dir) if resume and config.checkpoint_dir is not None else None
    if meta:
        if meta.get("fingerprint") != fingerprint:
            raise ValueError(
                f"checkpoint in {config.checkpoint_dir} belongs to a different run configuration "
                "(fingerprint mismatch); use another directory or resume=False"
            )
        (state, initial_params), meta = load_checkpoint(config.checkpoint_dir, (state, initial_params))
        history, start = meta["history"], int(meta["step"])
        if start > config.steps:
            raise ValueError(f"checkpoint is at step {start}, beyond steps={config.steps}")

    eval_every = config.eval_every or config.chunk_steps
    progress = None
    if config.progress and jax.process_index() == 0:
        from tqdm.auto import tqdm

        progress = tqdm(total=config.steps, initial=start, unit="step", dynamic_ncols=True)

    compile_seconds, run_seconds, run_steps = 0.0, 0.0, 0
    seeds = list(range(config.seed, config.seed + config.seeds))
    t_start = time.perf_counter()
    step = start
    try:
        while step < config.steps:
            n = min(config.chunk_steps, config.steps - step)
            t0 = time.perf_counter()
            streamed = None if batches is None else batches.chunk(step, n, seeds)
            new_state, (totals, terms, diagnostics) = _run_chunk(engine, state, n, streamed)
            totals, terms, diagnostics = to_host((totals, terms, diagnostics))
            elapsed = time.perf_counter() - t0
            if not np.all(np.isfinite(totals)):
                raise DivergenceError(_first_nonfinite(totals, terms, step))
            first_call = run_steps == 0 and compile_seconds == 0.0
            if first_call:
                compile_seconds = elapsed  # compile + first chunk
            else:
                run_seconds += elapsed
                run_steps += n
            state, step = new_state, step + n
            record = {
                "step": step,
                "loss": totals[-1].tolist(),
                "terms": {k: v[-1].tolist() for k, v in terms.items()},
                "diagnostics": {k: v[-1].tolist() for k, v in diagnostics.items()},
            }
            history["step"].append(step)
            history["loss"].append(record["loss"])
            for k, v in record["terms"].items():
                history["terms"].setdefault(k, []).append(v)
            for k, v in record["diagnostics"].items():
                history["diagnostics"].setdefault(k, []).append(v)
            if step % eval_every == 0 or step == config.steps:
                metrics = to_host(_metrics(engine, state.params, initial_params))
                record["metrics"] = {k: v.tolist() for k, v in metrics.items()}
                history["metric_step"].append(step)
                for k, v in record["metrics"].items():
                    history["metrics"].setdefault(k, []).append(v)
            if on_chunk is not None:
                on_chunk(step, record)
            if progress is not None:
                rate = run_steps / run_seconds if run_seconds > 0 else n / elapsed
                post = {"it/s": f"{rate:.0f}", "loss": f"{np.mean(record['loss']):.3e}"}
                post.update({k: f"{np.mean(v):.2e}" for k, v in record["terms"].items()})
                post.update({k: f"{np.mean(v):.3e}" for k, v in record.get("metrics", {}).items()})
                progress.set_postfix(post, refresh=False)
                progress.update(n)
            if config.checkpoint_every and (step % config.checkpoint_every == 0 or step == config.steps):
                save_checkpoint(
                    config.checkpoint_dir,
                    step,
                    (state, initial_params),
                    {"fingerprint": fingerprint, "history": history},
                )
    finally:
        if progress is not None:
            progress.close()

    final = {k: v[-1] for k, v in history["metrics"].items()}
    rate = run_steps / run_seconds if run_seconds > 0 else float("nan")
    params = state.params
    if jax.process_count() > 1:
        # every process gets the whole ensemble as local arrays: host-side work on the result
        # (``model(i)``, the problem's report on process 0) then needs no collective
        params, initial_params = jax.tree.map(jnp.asarray, to_host((params, initial_params)))
    return FitResult(
        params=params,
        initial_params=initial_params,
        static=static,
        history=history,
        final_metrics=final,
        steps_per_second=rate,
        compile_seconds=compile_seconds,
        wall_seconds=time.perf_counter() - t_start,
        config=config,
        devices=[f"{d.platform}:{d.device_kind}" for d in jax.devices()],
    )
