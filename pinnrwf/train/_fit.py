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

An optional second stage (``fit(..., lbfgs=LBFGS(steps=M))``, :mod:`._lbfgs`) continues from the
first stage's parameters with L-BFGS on a fixed set of points, through the same host loop
(``_Loop``): one history, one step counter, checkpoints that record the stage they were taken in.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P
from jaxtyping import Array, PRNGKeyArray, PyTree

from pinnrwf.loggers import AbstractLogger, LoggerGroup, scalars_of

from ._checkpoint import load_checkpoint, read_checkpoint_meta, save_checkpoint, to_host
from ._collocation import AbstractCollocation
from ._config import TrainConfig
from ._lbfgs import LBFGSEngine, fixed_sets, init_stage, run_lbfgs_chunk, stage_description
from ._objective import AbstractBatchStream, AbstractObjective
from ._optimizers import LBFGS, SGD, AbstractOptimizer, Adam, Optimizer, build_optimizer, built


class DivergenceError(RuntimeError):
    """A loss or a metric became NaN/Inf. The message names the step, the ensemble member and the
    term or metric."""


# the stream (``fold_in`` of a member's key) that draws the initial adaptive collocation points
COLLOCATION_STREAM = 0xC011


class TrainState(eqx.Module):
    """Everything that evolves during training (leading axis S on all but ``step``).

    ``collocation``: the adaptive collocation points (``TrainConfig.collocation``), ``None`` without
    them: a state without them has the leaves, and so the checkpoints, it had before they existed.
    """

    params: PyTree
    opt_state: PyTree
    loss_weights: dict[str, Array]
    key: Array
    step: Array
    collocation: PyTree = None


@dataclasses.dataclass
class FitResult:
    """What :func:`fit` returns: the trained ensemble's parameters (stacked over the ensemble axis)
    and initial parameters, the static part of the model, the recorded ``history``, the final
    metrics of every member, timings (steps per second, compilation and wall seconds), the
    :class:`TrainConfig` and the devices it ran on, and per-stage timings in ``stages``."""

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
    # per stage ("adam", "lbfgs"): steps run in this call, wall/compile seconds, steps/s
    stages: dict[str, dict] = dataclasses.field(default_factory=dict)
    lbfgs: LBFGS | None = None  # the L-BFGS stage of the run (None: none)
    # the final adaptive collocation points (TrainConfig.collocation), leading seed axis; None: none
    collocation: PyTree = None

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


def _check_init_model(init_model) -> None:
    """``init_model(key)`` must build the model (traced abstractly, nothing is computed): a function
    returned in its place would fail later inside ``vmap`` with a message that does not say why."""
    if not callable(init_model):
        raise ValueError(f"init_model must be a function key -> model, got {type(init_model).__name__}")
    built = eqx.filter_eval_shape(init_model, jax.random.PRNGKey(0))
    if callable(built) and not isinstance(built, eqx.Module):
        raise ValueError(
            f"init_model must return the model (an equinox Module), key -> model; it returned the "
            f"{type(built).__name__} {getattr(built, '__name__', '')}: call the builder inside it, "
            "e.g. init_model=lambda key: MLP(..., key=key)"
        )


def _config_fingerprint(config: TrainConfig, extra: dict) -> str:
    keep = {
        k: v
        for k, v in config.to_json().items()
        if k not in ("steps", "progress", "checkpoint_dir", "checkpoint_every", "eval_every", "shard", "log_every")
    }
    blob = json.dumps({"config": keep, "extra": extra}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _map_members(fn, state: TrainState) -> TrainState:
    """Apply ``fn`` to every per-member leaf (all but the shared step counter)."""
    members = (state.params, state.opt_state, state.loss_weights, state.key, state.collocation)
    params, opt_state, loss_weights, key, collocation = jax.tree.map(fn, members)
    return TrainState(params, opt_state, loss_weights, key, state.step, collocation)


class _Engine(eqx.Module):
    """The pure, compiled part of ``fit`` (objective and static model structure closed over)."""

    objective: AbstractObjective
    static: PyTree = eqx.field(static=True)
    optimizer: optax.GradientTransformation = eqx.field(static=True)
    weighting: Any = eqx.field(static=True)
    mesh: Mesh | None = eqx.field(static=True)
    monitor: Callable | None = eqx.field(static=True, default=None)
    collocation: AbstractCollocation | None = eqx.field(static=True, default=None)

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

    def member_step(self, params, opt_state, loss_weights, key, step, streamed=None, points=None):
        key, sample_key = jax.random.split(key)
        batch = self.objective.sample(sample_key) if streamed is None else streamed
        if self.collocation is not None:
            points = self._collocate(params, points, sample_key, step)
            batch = self.collocation.batch(self.objective, points, batch)
        # materialise the batch: fused into its consumers, a gathered minibatch made XLA:CPU
        # matmuls ~1.6x slower (benchmarks/studies/data_sampling/data_sampling.py)
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
        return params, opt_state, loss_weights, key, points, (total, terms, diagnostics)

    def _collocate(self, params, points, sample_key, step):
        """The adaptive points of this step: redrawn from the current model at steps N, 2N, …"""
        every = self.collocation.every
        return jax.lax.cond(
            (step > 0) & (step % every == 0),
            lambda: self.collocation.update(
                self.objective,
                eqx.combine(params, self.static),
                points,
                jax.random.fold_in(sample_key, COLLOCATION_STREAM),
                step,
            ),
            lambda: points,
        )

    def _reweight(self, params, batch, step, loss_weights):
        if self.weighting.statistic == "ntk_trace":
            model = eqx.combine(params, self.static)
            diagonal = self.objective.ntk_diagonal(model, batch, step, block=self.weighting.block)
            return self.weighting.update({name: jnp.mean(k) for name, k in diagonal.items()}, loss_weights)
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
                in_axes=(0, 0, 0, 0, None, 0, 0),
                spmd_axis_name=None if self.mesh is None else "seeds",
            )

        def body(carry: TrainState, batch):
            params, opt_state, weights, key, points, logs = step_all(
                carry.params, carry.opt_state, carry.loss_weights, carry.key, carry.step, batch, carry.collocation
            )
            return TrainState(params, opt_state, weights, key, carry.step + 1, points), logs

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
_run_chunk = eqx.filter_jit(
    lambda engine, state, n, streamed: engine.run_chunk(state, n, streamed), donate="all-except-first"
)
_metrics = eqx.filter_jit(lambda engine, params, initial: engine.metrics(params, initial))


def _first_nonfinite(totals: np.ndarray, terms: dict[str, np.ndarray], first_step: int) -> tuple[str, int]:
    """The message naming the first non-finite loss, and its step."""
    bad = np.argwhere(~np.isfinite(totals))
    i, member = (int(v) for v in bad[0])
    culprits = [n for n, v in terms.items() if not np.isfinite(v[i, member])]
    where = f"term {culprits[0]!r}" if culprits else "the total (weights or sum)"
    return (
        f"loss became {totals[i, member]} at step {first_step + i} (ensemble member {member}) in {where}"
    ), first_step + i


def _check_metrics(metrics: dict[str, np.ndarray], step: int) -> None:
    """Raise ``DivergenceError`` naming the first metric that is NaN/Inf, its member and step."""
    for name, values in metrics.items():
        bad = np.argwhere(~np.isfinite(np.asarray(values, dtype=float).reshape(-1)))
        if bad.size:
            member = int(bad[0][0])
            raise DivergenceError(
                f"metric {name!r} became {np.asarray(values).reshape(-1)[member]} at step {step} "
                f"(ensemble member {member})"
            )


def _recorded(step: int, n: int, last: int, every: int | None) -> list[int]:
    """Indices in a chunk of ``n`` steps after ``step`` whose values enter the history: the
    chunk's last (``every=None``), or every ``every``-th step and the stage's last."""
    if every is None:
        return [n - 1]
    return [i for i in range(n) if (step + i + 1) % every == 0 or step + i + 1 == last]


def record_chunk(
    history: dict,
    stage: str,
    step: int,
    last: int,
    every: int | None,
    totals: np.ndarray,
    terms: dict[str, np.ndarray],
    diagnostics: dict[str, np.ndarray],
) -> list[dict]:
    """Append the recorded steps of a chunk that began after ``step`` to ``history``; return
    them as rows. ``totals`` (n, S) and every term and diagnostic (n, S): the chunk's per-step
    values, on the host."""
    rows = [
        {
            "step": step + i + 1,
            "stage": stage,
            "loss": totals[i].tolist(),
            "terms": {k: v[i].tolist() for k, v in terms.items()},
            "diagnostics": {k: v[i].tolist() for k, v in diagnostics.items()},
        }
        for i in _recorded(step, len(totals), last, every)
    ]
    for row in rows:
        history["step"].append(row["step"])
        history["loss"].append(row["loss"])
        for k, v in row["terms"].items():
            history["terms"].setdefault(k, []).append(v)
        for k, v in row["diagnostics"].items():
            history["diagnostics"].setdefault(k, []).append(v)
    return rows


def _learning_rate(optimizer) -> Callable[[np.ndarray], np.ndarray] | None:
    """``steps -> learning rates`` of the optimizers whose rate is known (None: unknown); one
    call per chunk, for all its recorded steps."""
    if isinstance(optimizer, Adam):
        schedule = optimizer.schedule()
        return lambda steps: np.asarray(schedule(jnp.asarray(steps)), dtype=float)
    if isinstance(optimizer, SGD):
        return lambda steps: np.full(len(steps), float(optimizer.learning_rate))
    return None


def fit(
    init_model: Callable[[PRNGKeyArray], PyTree],
    objective: AbstractObjective,
    config: TrainConfig,
    *,
    optimizer: Optimizer = Adam(),
    lbfgs: LBFGS | None = None,
    batches: AbstractBatchStream | None = None,
    resume: bool = False,
    fingerprint_extra: dict | None = None,
    on_chunk: Callable[[int, dict], None] | None = None,
    monitor: Callable[[PyTree, PyTree], dict[str, Array]] | None = None,
    loggers: Sequence[AbstractLogger] = (),
    run_name: str = "run",
) -> FitResult:
    """Train ``config.seeds`` models built by ``init_model(key)`` on ``objective``.

    Args:
        init_model: ``key -> model`` (an equinox Module; array leaves are trained).
        objective: see ``AbstractObjective``.
        config: a ``TrainConfig`` (loop settings).
        optimizer: an optimizer config (``Adam()`` — the paper's default —, ``SGD(...)``) or any
            ``optax.GradientTransformation``; its state is checkpointed and resumed like the rest.
        lbfgs: an optional second stage, ``LBFGS(steps=M)``: after the ``config.steps`` steps of
            ``optimizer``, M L-BFGS steps (steps ``config.steps + 1 … config.steps + M``) on a
            fixed set of points per member, in chunks of ``config.chunk_steps``, with the same
            logging, evaluation (every ``eval_every`` steps of the stage and at its end),
            divergence checks and checkpoints (a run stopped in this stage resumes in it,
            bit-exactly). ``None`` or ``steps=0``: no second stage (the run is unchanged).
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
        loggers: ``pinnrwf.loggers`` loggers (TensorBoard, W&B, CSV, …) given every recorded
            step's loss, terms, diagnostics, learning rate, grad-norm weights and metrics, per
            member and as mean/min/max, once per chunk on the host; one that fails is dropped
            with a warning. ``run_name``: the run's name in them.

    With a second stage, ``history["stages"]`` maps each stage to its [first, last] step (the
    loss/metric curves run on through both) and ``FitResult.stages`` holds each stage's timing.

    Raises:
        DivergenceError: a NaN/Inf loss or metric; the last good checkpoint (if any) is kept.
    """
    if not isinstance(objective, AbstractObjective):
        raise ValueError(f"objective must be a pinnrwf.train.AbstractObjective, got {type(objective)}")
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a pinnrwf.train.TrainConfig, got {type(config).__name__}")
    if batches is not None and not isinstance(batches, AbstractBatchStream):
        raise ValueError(f"batches must be None or a pinnrwf.train.AbstractBatchStream, got {type(batches).__name__}")
    if lbfgs is not None and not isinstance(lbfgs, LBFGS):
        raise ValueError(f"lbfgs must be None or a pinnrwf.train.LBFGS stage, got {type(lbfgs).__name__}")
    if lbfgs is not None and lbfgs.steps == 0:
        lbfgs = None
    weighting = config.loss_weighting
    if weighting is not None and weighting.statistic == "ntk_trace" and not hasattr(objective, "ntk_diagonal"):
        raise ValueError(
            f"loss_weighting: {type(weighting).__name__} needs the per-point residuals of an objective with "
            f"ntk_diagonal (a pinnrwf.pde.PINNObjective); {type(objective).__name__} has none"
        )
    if config.collocation is not None and batches is not None:
        raise ValueError(
            "collocation: adaptive collocation replaces points the objective samples on device; it "
            "cannot be combined with host-streamed batches (batches=...)"
        )
    collocation = None if config.collocation is None else config.collocation.for_run(objective, config.steps)
    if lbfgs is not None and batches is not None:
        raise ValueError(
            "lbfgs: the L-BFGS stage draws its fixed set with objective.sample; it cannot be combined "
            "with host-streamed batches (batches=...)"
        )
    _check_init_model(init_model)
    transformation, optimizer_description = build_optimizer(optimizer)
    fingerprint = _config_fingerprint(config, {"optimizer": optimizer_description, **(fingerprint_extra or {})})
    first = type(optimizer).__name__ if isinstance(optimizer, AbstractOptimizer) else "optimizer"
    group = loggers if isinstance(loggers, LoggerGroup) else LoggerGroup(loggers)
    watch = _Watch(group, list(range(config.seed, config.seed + config.seeds)), _learning_rate(optimizer))
    if group:
        group.start(
            run_name, {"train": config.to_json(), "optimizer": optimizer_description, **(fingerprint_extra or {})}
        )
    try:
        with jax.default_matmul_precision(config.precision):
            return _fit(
                init_model,
                objective,
                config,
                transformation,
                batches,
                resume,
                fingerprint,
                on_chunk,
                monitor,
                lbfgs,
                first,
                watch,
                collocation,
            )
    finally:
        if group:
            group.end()


def _initial_state(init_model, objective, optimizer, config, batches, collocation=None):
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
    points = None
    if collocation is not None:
        points = jax.vmap(lambda k: collocation.init(objective, jax.random.fold_in(k, COLLOCATION_STREAM)))(keys)
    return TrainState(params, opt_state, weights, data_keys, jnp.int32(0), points), static


@dataclasses.dataclass
class _Watch:
    """What the loggers get: ``seeds`` (one per member), ``learning_rate(steps)`` (None: unknown)."""

    loggers: LoggerGroup
    seeds: list[int]
    learning_rate: Callable[[np.ndarray], np.ndarray] | None

    def rows(self, rows: list[dict], loss_weights: dict) -> None:
        """The chunk's recorded rows; the grad-norm ``loss_weights`` (on the host) with the last."""
        if not self.loggers or not rows:
            return
        if loss_weights:
            rows[-1] = {**rows[-1], "loss_weights": loss_weights}
        # the rate of the update that led to each step (none in the L-BFGS stage: a line search)
        known = self.learning_rate is not None and rows[0]["stage"] != "lbfgs"
        rates = self.learning_rate(np.array([row["step"] - 1 for row in rows])) if known else [None] * len(rows)
        for row, rate in zip(rows, rates):
            self.loggers.scalars(row["step"], scalars_of({**row, "learning_rate": rate}, self.seeds))


@dataclasses.dataclass
class _Loop:
    """The host side of training, shared by both stages: run chunks, log, check, evaluate, save."""

    config: TrainConfig
    engine: _Engine
    history: dict[str, Any]
    initial_params: PyTree
    fingerprint: str
    on_chunk: Callable[[int, dict], None] | None
    progress: Any
    watch: _Watch
    stages: dict[str, dict] = dataclasses.field(default_factory=dict)

    def run(
        self,
        name: str,
        state: TrainState,
        step: int,
        first: int,
        last: int,
        run_chunk,
        checkpoint_meta: dict | None = None,
        label: str | None = None,
    ) -> tuple[TrainState, int]:
        """Steps ``step … last`` of the stage spanning ``(first, last]``; evaluation and
        checkpoints every ``eval_every`` / ``checkpoint_every`` steps of the stage and at its end.
        ``label``: the stage's name in messages (None: the run has one stage)."""
        config, history = self.config, self.history
        eval_every = config.eval_every or config.chunk_steps
        timing = self.stages.setdefault(
            name, {"steps": 0, "wall_seconds": 0.0, "compile_seconds": 0.0, "run_seconds": 0.0, "run_steps": 0}
        )
        t_stage = time.perf_counter()
        while step < last:
            n = min(config.chunk_steps, last - step)
            t0 = time.perf_counter()
            new_state, (totals, terms, diagnostics) = run_chunk(state, step, n)
            totals, terms, diagnostics = to_host((totals, terms, diagnostics))
            elapsed = time.perf_counter() - t0
            if not np.all(np.isfinite(totals)):
                message, bad = _first_nonfinite(totals, terms, step)
                if label is not None:
                    message += f", in the {label} stage (its step {bad - first + 1} of {last - first})"
                raise DivergenceError(message)
            if timing["run_steps"] == 0 and timing["compile_seconds"] == 0.0:
                timing["compile_seconds"] = elapsed  # compile + first chunk
            else:
                timing["run_seconds"] += elapsed
                timing["run_steps"] += n
            state, step = new_state, step + n
            timing["steps"] += n
            rows = record_chunk(history, name, step - n, last, config.log_every, totals, terms, diagnostics)
            record = {
                "step": step,
                "stage": name,
                "loss": totals[-1].tolist(),
                "terms": {k: v[-1].tolist() for k, v in terms.items()},
                "diagnostics": {k: v[-1].tolist() for k, v in diagnostics.items()},
            }
            if (step - first) % eval_every == 0 or step == last:
                metrics = to_host(_metrics(self.engine, state.params, self.initial_params))
                _check_metrics(metrics, step)
                record["metrics"] = {k: v.tolist() for k, v in metrics.items()}
                history["metric_step"].append(step)
                for k, v in record["metrics"].items():
                    # a metric a resumed checkpoint's history did not have: NaN at its earlier steps,
                    # so that every metric's list stays aligned with ``metric_step``
                    earlier = len(history["metric_step"]) - 1
                    history["metrics"].setdefault(k, [[math.nan] * len(v)] * earlier).append(v)
                if not rows or rows[-1]["step"] != step:
                    rows.append({"step": step, "stage": name})
                rows[-1] = {**rows[-1], "metrics": record["metrics"]}
            # every process takes part in the gather (``to_host``), whether or not it has loggers
            self.watch.rows(rows, to_host(state.loss_weights) if state.loss_weights else {})
            if self.on_chunk is not None:
                self.on_chunk(step, record)
            if self.progress is not None:
                rate = timing["run_steps"] / timing["run_seconds"] if timing["run_seconds"] > 0 else n / elapsed
                post = {} if label is None else {"stage": label}
                post.update({"steps/s": f"{rate:.0f}", "loss": f"{np.mean(record['loss']):.3e}"})
                post.update({k: f"{np.mean(v):.2e}" for k, v in record["terms"].items()})
                post.update({k: f"{np.mean(v):.3e}" for k, v in record.get("metrics", {}).items()})
                self.progress.set_postfix(post, refresh=False)
                self.progress.update(n)
            if config.checkpoint_every and ((step - first) % config.checkpoint_every == 0 or step == last):
                save_checkpoint(
                    config.checkpoint_dir,
                    step,
                    (state, self.initial_params),
                    {"fingerprint": self.fingerprint, "history": history, **(checkpoint_meta or {})},
                )
        timing["wall_seconds"] += time.perf_counter() - t_stage
        return state, step


def _place(state: TrainState, mesh: Mesh | None) -> TrainState:
    """The per-member leaves sharded over the mesh's ``seeds`` axis, the step replicated."""
    if mesh is None:
        return state
    seeds_spec = NamedSharding(mesh, P("seeds"))
    params, opt_state, loss_weights, key, collocation = jax.device_put(
        (state.params, state.opt_state, state.loss_weights, state.key, state.collocation), seeds_spec
    )
    return TrainState(
        params, opt_state, loss_weights, key, jax.device_put(state.step, NamedSharding(mesh, P())), collocation
    )


def _fit(
    init_model,
    objective,
    config,
    optimizer,
    batches,
    resume,
    fingerprint,
    on_chunk,
    monitor,
    lbfgs,
    first,
    watch,
    collocation=None,
):
    state, static = _initial_state(init_model, objective, optimizer, config, batches, collocation)
    mesh = _mesh(config)
    state = _place(state, mesh)
    engine = _Engine(objective, static, optimizer, config.loss_weighting, mesh, monitor, collocation)
    initial_params = jax.tree.map(jnp.copy, state.params)  # kept apart: the state is donated
    total = config.steps + (0 if lbfgs is None else lbfgs.steps)
    second = None
    if lbfgs is not None:
        second = _SecondStage(lbfgs, objective, static, config, mesh)

    history: dict[str, Any] = {"step": [], "loss": [], "terms": {}, "diagnostics": {}, "metrics": {}, "metric_step": []}
    start, in_second = 0, False
    meta = read_checkpoint_meta(config.checkpoint_dir) if resume and config.checkpoint_dir is not None else None
    if meta:
        if meta.get("fingerprint") != fingerprint:
            raise ValueError(
                f"checkpoint in {config.checkpoint_dir} belongs to a different run configuration "
                "(fingerprint mismatch); use another directory or resume=False"
            )
        in_second = meta.get("stage") == "lbfgs"
        like = state
        if in_second:
            if second is None:
                raise ValueError(
                    f"checkpoint in {config.checkpoint_dir} is at step {meta['step']}, in an L-BFGS stage; resume it "
                    "with the same L-BFGS stage (lbfgs steps > 0), or use another directory or resume=False"
                )
            if meta.get("lbfgs") != second.description:
                raise ValueError(
                    f"checkpoint in {config.checkpoint_dir} is in an L-BFGS stage of a different configuration "
                    f"({meta.get('lbfgs')} ≠ {second.description}); use another directory or resume=False"
                )
            like = second.template(state)
        (state, initial_params), meta = load_checkpoint(config.checkpoint_dir, (like, initial_params))
        history, start = meta["history"], int(meta["step"])
        if not in_second and start > config.steps:
            raise ValueError(f"checkpoint is at step {start}, beyond steps={config.steps}")
        if start > total:
            raise ValueError(f"checkpoint is at step {start}, beyond steps + L-BFGS steps = {total}")
    if second is not None:
        history["stages"] = {first.lower(): [0, config.steps], "lbfgs": [config.steps, total]}

    progress = None
    if config.progress and jax.process_index() == 0:
        from tqdm.auto import tqdm

        # one rate: the postfix's steps/s, measured without compilation (tqdm's own would include it)
        progress = tqdm(
            total=total,
            initial=start,
            unit="step",
            dynamic_ncols=True,
            bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}{postfix}]",
        )

    seeds = list(range(config.seed, config.seed + config.seeds))

    def first_stage_chunk(state, step, n):
        streamed = None if batches is None else batches.chunk(step, n, seeds)
        return _run_chunk(engine, state, n, streamed)

    loop = _Loop(config, engine, history, initial_params, fingerprint, on_chunk, progress, watch)
    t_start = time.perf_counter()
    step = start
    try:
        if step < config.steps:
            state, step = loop.run(
                first.lower(), state, step, 0, config.steps, first_stage_chunk, label=None if second is None else first
            )
        if second is not None:
            if not in_second:
                state = second.begin(state)
            state, step = loop.run(
                "lbfgs",
                state,
                step,
                config.steps,
                total,
                second.run_chunk,
                checkpoint_meta={"stage": "lbfgs", "lbfgs": second.description},
                label="L-BFGS",
            )
    finally:
        if progress is not None:
            progress.close()

    final = {k: v[-1] for k, v in history["metrics"].items()}
    timing = loop.stages.get(first.lower(), {"run_steps": 0, "run_seconds": 0.0, "compile_seconds": 0.0})
    rate = timing["run_steps"] / timing["run_seconds"] if timing["run_seconds"] > 0 else float("nan")
    params, points = state.params, state.collocation
    if jax.process_count() > 1:
        # every process gets the whole ensemble as local arrays: host-side work on the result
        # (``model(i)``, the problem's report on process 0) then needs no collective
        params, initial_params, points = jax.tree.map(jnp.asarray, to_host((params, initial_params, points)))
    return FitResult(
        params=params,
        initial_params=initial_params,
        static=static,
        history=history,
        final_metrics=final,
        steps_per_second=rate,
        compile_seconds=timing["compile_seconds"],
        wall_seconds=time.perf_counter() - t_start,
        config=config,
        devices=[f"{d.platform}:{d.device_kind}" for d in jax.devices()],
        stages={name: _stage_summary(t) for name, t in loop.stages.items()},
        lbfgs=lbfgs,
        collocation=points,
    )


def _stage_summary(timing: dict) -> dict:
    rate = timing["run_steps"] / timing["run_seconds"] if timing["run_seconds"] > 0 else float("nan")
    return {
        "steps": timing["steps"],
        "wall_seconds": timing["wall_seconds"],
        "compile_seconds": timing["compile_seconds"],
        "steps_per_second": rate,
    }


class _SecondStage:
    """The L-BFGS stage's pieces for ``_fit``: its engine (with the fixed sets), its state."""

    def __init__(self, lbfgs: LBFGS, objective, static, config: TrainConfig, mesh):
        self.transformation = built(lbfgs)
        self.description = stage_description(lbfgs, config.steps)
        sets = fixed_sets(objective, member_keys(config), lbfgs.batches)
        if mesh is not None:
            sets = jax.device_put(sets, NamedSharding(mesh, P("seeds")))
        vectorize = mesh is not None if lbfgs.vectorize is None else lbfgs.vectorize
        self.engine = LBFGSEngine(objective, sets, static, self.transformation, lbfgs.batches, vectorize, mesh)
        self.mesh = mesh

    def template(self, state: TrainState) -> TrainState:
        """A state shaped like one of this stage (to load its checkpoint into)."""
        opt_state = jax.vmap(self.transformation.init)(state.params)
        if self.mesh is not None:
            opt_state = jax.device_put(opt_state, NamedSharding(self.mesh, P("seeds")))
        return TrainState(state.params, opt_state, state.loss_weights, state.key, state.step, state.collocation)

    def begin(self, state: TrainState) -> TrainState:
        """The first stage's final state with the L-BFGS optimizer state in place of its own."""
        opt_state = init_stage(self.engine, state.params, state.loss_weights)
        return TrainState(state.params, opt_state, state.loss_weights, state.key, state.step, state.collocation)

    def run_chunk(self, state: TrainState, step: int, n: int):
        (params, opt_state, weights, new_step), logs = run_lbfgs_chunk(
            self.engine, (state.params, state.opt_state, state.loss_weights, state.step), n
        )
        return TrainState(params, opt_state, weights, state.key, new_step, state.collocation), logs
