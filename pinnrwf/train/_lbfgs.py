"""The L-BFGS stage of ``fit``: ``optax.lbfgs`` with its zoom line search on a fixed set of points.

After the first stage (Adam on fresh points every step), ``fit(..., lbfgs=LBFGS(steps=M))``
continues from its parameters with M L-BFGS steps on one fixed set of training points per
ensemble member, compiled like the first stage: ``chunk_steps`` steps fused in one ``lax.scan``,
logging, divergence checks, evaluation and checkpoints between chunks.

The function minimised by member i is deterministic, as a line search needs:

    L_i(θ) = (1/B) Σ_b Σ_k w_k · L_k(θ; batch_{i,b}, step = FINAL_STEP)

over B = ``LBFGS.batches`` draws of ``objective.sample`` made once from a key folded out of the
member's seed key (so the set does not depend on where a run was resumed), with every schedule at
its end (``FINAL_STEP``: a curriculum at its target) and the adaptive term weights w frozen at
their values at the end of the first stage.

The zoom line search already evaluates the loss and its gradient at the point it accepts and keeps
them in the optimizer state (``value``/``grad``), so a step costs only the line search's
evaluations (one when the unit L-BFGS step is accepted, more when it zooms); the stage's first
value and gradient are computed once when it starts. The per-term losses that the engine logs are
evaluated only where the host reads them (the last step of a chunk) or where the loss is not
finite (to name the term), under a ``lax.cond`` outside the ensemble ``vmap``.
"""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import optax
from jax.sharding import Mesh
from jaxtyping import Array, PyTree

from ._objective import AbstractObjective

#: The step at which the L-BFGS stage evaluates the objective: the largest int32, the same as
#: ``pinnrwf.pde.FINAL_STEP`` (schedules read at their end, i.e. the target problem).
TARGET_STEP = 2**31 - 1

#: Folded into a member's seed key to draw its fixed set (a stream of its own, apart from the
#: keys of the initialisation and of the first stage's batches).
FIXED_SET_STREAM = 0x1BF65


@eqx.filter_jit
def fixed_sets(objective: AbstractObjective, keys: Array, batches: int) -> PyTree:
    """Each member's fixed set: ``batches`` draws of ``objective.sample``, leaves (S, batches, ...).

    Args:
        keys: (S, 2) raw member keys (``member_keys``: seed + i).
    """

    def member(key):
        return jax.vmap(objective.sample)(jax.random.split(jax.random.fold_in(key, FIXED_SET_STREAM), batches))

    return jax.vmap(member)(keys)


class LBFGSEngine(eqx.Module):
    """The compiled part of the L-BFGS stage (objective, fixed sets and model structure closed over).

    ``vectorize``: the ensemble's steps as one ``vmap`` (what the first stage does) or one member
    after another (``lax.map``). Under ``vmap`` the line search's ``lax.cond`` (interval search or
    zoom) and its ``while_loop`` run both branches and wait for the slowest member, which about
    doubles the cost of a step; sequential members avoid that.
    """

    objective: AbstractObjective
    sets: PyTree  # leaves (S, batches, ...)
    static: PyTree = eqx.field(static=True)
    optimizer: optax.GradientTransformationExtraArgs = eqx.field(static=True)
    batches: int = eqx.field(static=True)
    vectorize: bool = eqx.field(static=True)
    mesh: Mesh | None = eqx.field(static=True)

    # ------------------------------------------------------------------------------ one member
    def evaluate(self, params, loss_weights, sets):
        """(total, terms, diagnostics) of one member on its fixed set (means over its batches)."""
        model = eqx.combine(params, self.static)
        step = jnp.asarray(TARGET_STEP, dtype=jnp.int32)
        if self.batches == 1:  # no batch axis: XLA:CPU runs a batch-1 vmapped matmul ~3x slower
            terms, diagnostics = self.objective.loss_terms(model, jax.tree.map(lambda x: x[0], sets), step)
        else:
            terms, diagnostics = jax.vmap(lambda b: self.objective.loss_terms(model, b, step), axis_size=self.batches)(
                sets
            )
            terms, diagnostics = jax.tree.map(lambda x: jnp.mean(x, axis=0), (terms, diagnostics))
        total = sum(loss_weights.get(name, 1.0) * value for name, value in terms.items())
        return total, terms, diagnostics

    def value(self, params, loss_weights, sets):
        return self.evaluate(params, loss_weights, sets)[0]

    def init_member(self, params, loss_weights, sets):
        """The optimizer state with the value and gradient at ``params`` filled in."""
        value, grad = jax.value_and_grad(self.value)(params, loss_weights, sets)
        return optax.tree.set(self.optimizer.init(params), value=value, grad=grad)

    def member_step(self, params, opt_state, loss_weights, sets):
        value, grad = optax.tree.get(opt_state, "value"), optax.tree.get(opt_state, "grad")
        updates, opt_state = self.optimizer.update(
            grad,
            opt_state,
            params,
            value=value,
            grad=grad,
            value_fn=lambda p: self.value(p, loss_weights, sets),
        )
        return optax.apply_updates(params, updates), opt_state

    # ------------------------------------------------------------------------- the ensemble
    def _over_members(self, fn, single: bool, sequential: bool):
        if single:
            return fn
        if sequential:
            return lambda *args: jax.lax.map(lambda a: fn(*a), args)
        return jax.vmap(fn, spmd_axis_name=None if self.mesh is None else "seeds")

    def init_state(self, params, loss_weights):
        """The stacked optimizer state of the stage's first step."""
        if jax.tree.leaves(params)[0].shape[0] == 1:
            state = self.init_member(*jax.tree.map(lambda x: x[0], (params, loss_weights, self.sets)))
            return jax.tree.map(lambda x: x[None], state)
        return self._over_members(self.init_member, False, not self.vectorize)(params, loss_weights, self.sets)

    def run_chunk(self, carry: tuple[PyTree, PyTree, dict, Array], num_steps: int):
        """``num_steps`` L-BFGS steps in one ``lax.scan``; ``carry`` = (params, opt_state,
        loss_weights, step), leading axis S on all but the step. Logs per step: the loss before
        the step (the line search's value), and the terms/diagnostics at the chunk's last step
        or where that loss is not finite (zeros elsewhere)."""
        params, opt_state, loss_weights, step = carry
        sets = self.sets
        single = jax.tree.leaves(params)[0].shape[0] == 1
        if single:
            params, opt_state, loss_weights, sets = jax.tree.map(
                lambda x: x[0], (params, opt_state, loss_weights, sets)
            )
        steps = self._over_members(self.member_step, single, not self.vectorize)
        evaluate = self._over_members(self.evaluate, single, False)
        shapes = jax.eval_shape(evaluate, params, loss_weights, sets)[1:]

        def body(c, i):
            params, opt_state, step = c
            value = optax.tree.get(opt_state, "value")
            needed = (i == num_steps - 1) | ~jnp.all(jnp.isfinite(value))
            terms, diagnostics = jax.lax.cond(
                needed,
                lambda: evaluate(params, loss_weights, sets)[1:],
                lambda: jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), shapes),
            )
            params, opt_state = steps(params, opt_state, loss_weights, sets)
            return (params, opt_state, step + 1), (value, terms, diagnostics)

        (params, opt_state, step), logs = jax.lax.scan(body, (params, opt_state, step), jnp.arange(num_steps))
        if single:
            params, opt_state, loss_weights = jax.tree.map(lambda x: x[None], (params, opt_state, loss_weights))
            logs = jax.tree.map(lambda x: x[:, None], logs)
        return (params, opt_state, loss_weights, step), logs


def _init(engine: LBFGSEngine, params, loss_weights):
    # strong types, as after a step (and after loading a checkpoint): optax's initial counters and
    # scalars are weakly typed, which would compile the first chunk a second time
    return jax.tree.map(lambda x: x.astype(x.dtype), engine.init_state(params, loss_weights))


init_stage = eqx.filter_jit(_init)
# the carry is donated, as in the first stage: each chunk updates it in place
run_lbfgs_chunk = eqx.filter_jit(lambda engine, carry, n: engine.run_chunk(carry, n), donate="all-except-first")


def stage_description(lbfgs: Any, first_stage_steps: int) -> dict:
    """What an L-BFGS checkpoint must agree with to be resumed (besides the run's fingerprint)."""
    return {"lbfgs": {k: v for k, v in lbfgs.to_json().items() if k != "steps"}, "first_stage_steps": first_stage_steps}
