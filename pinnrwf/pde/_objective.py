"""The PINN training objective: an equation, named loss terms, parameter schedules, inputs."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from pinnrwf._validation import finite_number
from pinnrwf.train._objective import AbstractObjective

from ._equation import Coordinates, Equation
from ._inverse import trainable_values
from ._schedules import final_value
from ._terms import AbstractTerm


class Reference(eqx.Module):
    """Reference solution on fixed points for evaluation: ``values`` (n, k) of ``fields`` at
    ``points`` (n, d). ``PINNObjective.metrics`` reports the relative L² error ``rel_l2`` over all
    listed fields and, with several fields, ``rel_l2_<field>``. ``parameters``: the true values of
    trainable parameters (inverse problems), for the metric ``<name>_rel_error`` = |θ − θ*| / |θ*|.
    ``derived``: name → function of one point's field values (k,) ↦ a scalar, for the metric
    ``rel_l2_<name>`` = ‖g(û) − g(u)‖ / ‖g(u)‖ over the points (e.g. the speed |(u, v)|)."""

    points: Float[Array, "n d"]
    values: Float[Array, "n k"]
    fields: tuple[str, ...] = eqx.field(static=True)
    parameters: dict[str, float] = eqx.field(static=True)
    derived: tuple[tuple[str, Callable], ...] = eqx.field(static=True)

    def __init__(
        self,
        points,
        values,
        fields: Sequence[str],
        *,
        parameters: Mapping[str, float] | None = None,
        derived: Mapping[str, Callable] | None = None,
    ):
        fields = (fields,) if isinstance(fields, str) else tuple(fields)
        points, values = jnp.asarray(points, dtype=float), jnp.asarray(values, dtype=float)
        if values.ndim == 1:
            values = values[:, None]
        if points.ndim != 2 or values.shape != (points.shape[0], len(fields)):
            raise ValueError(
                f"Reference: points must be (n, d) and values (n, {len(fields)}) for fields {fields}; "
                f"got {points.shape} and {values.shape}"
            )
        for name, array in (("points", points), ("values", values)):
            if not isinstance(array, jax.core.Tracer) and not bool(jnp.all(jnp.isfinite(array))):
                bad = int(jnp.sum(~jnp.isfinite(array)))
                raise ValueError(f"Reference: {name} must be finite, got {bad} NaN/inf value(s) of {array.size}")
        if parameters is not None and not isinstance(parameters, Mapping):
            raise ValueError(
                f"Reference: parameters must be a mapping name -> true value (or None), got {parameters!r}"
            )
        parameters = {k: finite_number(f"Reference: parameters[{k!r}]", v) for k, v in (parameters or {}).items()}
        zero = [k for k, v in parameters.items() if v == 0.0]
        if zero:
            raise ValueError(f"Reference: parameters[{zero[0]!r}] is 0; its relative error is undefined")
        if derived is not None and not (
            isinstance(derived, Mapping) and all(isinstance(k, str) and callable(g) for k, g in derived.items())
        ):
            raise ValueError(
                f"Reference: derived must be a mapping name -> function of one point's values (or None), "
                f"got {derived!r}"
            )
        clash = [k for k in (derived or {}) if k in fields]
        if clash:
            raise ValueError(f"Reference: derived[{clash[0]!r}] would repeat the metric of the field of that name")
        self.points, self.values, self.fields = points, values, fields
        self.parameters = parameters
        self.derived = tuple((derived or {}).items())


class PINNObjective(AbstractObjective):
    """``sample``/``loss_terms``/``metrics`` for a PINN (the engine's objective contract).

    Args:
        equation: the :class:`Equation`.
        terms: name → term (:class:`Residual`, :class:`InitialCondition`, :class:`Dirichlet`,
            :class:`Neumann`, :class:`Periodic`, :class:`DataFit`). Logged loss names are the term
            name, or ``<name>_<component>`` for terms with several components.
        schedules: parameter name → schedule ``step -> value`` (a curriculum); each must end at
            the parameter's target value. Other parameters stay at their target; trainable ones
            (:class:`Trainable`) are read from the model, an :class:`InverseModel`, and cannot
            follow a schedule.
        inputs: input name → callable of :class:`Coordinates` (may be an eqx.Module holding arrays,
            e.g. :class:`LinearInterpolant`), for every input the equation declares.
        reference: optional :class:`Reference` for ``metrics``.

    All validation happens here, eagerly; nothing is checked inside a trace.
    ``loss_terms`` returns losses already multiplied by their λ, and diagnostics: ``param_<name>``
    for scheduled and trainable parameters and ``causal_min_weight`` (suffixed ``_<term>`` if
    several terms are causal). ``metrics`` reports, besides the reference errors, each trainable
    parameter's value ``<name>`` (and ``<name>_rel_error`` if the reference gives its true value).
    """

    equation: Equation
    terms: dict[str, AbstractTerm]
    inputs: dict[str, Callable]
    reference: Reference | None
    schedules: dict[str, Callable] = eqx.field(static=True)
    names: dict[str, dict[str, str]] = eqx.field(static=True)  # term -> component -> logged name

    def __init__(
        self,
        equation: Equation,
        terms: Mapping[str, AbstractTerm],
        schedules: Mapping[str, Callable] | None = None,
        inputs: Mapping[str, Callable] | None = None,
        reference: Reference | None = None,
    ):
        if not isinstance(equation, Equation):
            raise ValueError(f"equation must be a pinnrwf.pde.Equation, got {type(equation)}")
        if not isinstance(terms, Mapping) or not terms:
            raise ValueError("terms must be a non-empty mapping name -> term")
        names: dict[str, dict[str, str]] = {}
        for key, term in terms.items():
            if not isinstance(key, str) or not key.isidentifier():
                raise ValueError(f"term names must be identifiers, got {key!r}")
            if not isinstance(term, AbstractTerm):
                raise ValueError(f"terms[{key!r}] must be a pinnrwf.pde term, got {type(term)}")
            try:
                comps = term.components(equation)
            except ValueError as err:  # name the term by its key: two Dirichlet terms are told apart
                raise ValueError(f"terms[{key!r}] ({type(term).__name__}): {err}") from None
            names[key] = {"": key} if comps is None else {c: f"{key}_{c}" for c in comps}
        logged = [n for d in names.values() for n in d.values()]
        dup = sorted({n for n in logged if logged.count(n) > 1})
        if dup:
            raise ValueError(f"terms: logged loss names collide: {dup}; rename the terms")

        for name, arg in (("schedules", schedules), ("inputs", inputs)):
            if arg is not None and not isinstance(arg, Mapping):
                raise ValueError(f"{name} must be a mapping name -> function (or None), got {arg!r}")
        schedules = dict(schedules or {})
        for name, sched in schedules.items():
            if name in equation.trainable:
                raise ValueError(
                    f"schedules: {name!r} is a trainable parameter (pde.Trainable): it is learned from the data, "
                    f"so it cannot follow a curriculum; schedule only fixed parameters"
                )
            if name not in equation.params:
                raise ValueError(f"schedules: {name!r} is not a parameter; the parameters are {tuple(equation.params)}")
            if not callable(sched):
                raise ValueError(f"schedules[{name!r}] must be a function step -> value, got {sched!r}")
            end, target = final_value(sched), equation.params[name]
            if not math.isclose(end, target, rel_tol=1e-6, abs_tol=1e-12):
                raise ValueError(
                    f"schedules[{name!r}] ends at {end}, but the parameter's target value is {target}; "
                    f"a curriculum must end at the target"
                )

        inputs = dict(inputs or {})
        missing = [n for n in equation.inputs if n not in inputs]
        unknown = [n for n in inputs if n not in equation.inputs]
        if missing or unknown:
            raise ValueError(f"inputs: the equation declares {equation.inputs}; missing {missing}, unknown {unknown}")
        for n, fn in inputs.items():
            if not callable(fn):
                raise ValueError(f"inputs[{n!r}] must be a callable of the coordinates (pt.x, ...), got {fn!r}")
            out = jax.eval_shape(
                lambda x: fn(Coordinates(equation.coords, x)),
                jax.ShapeDtypeStruct((len(equation.coords),), jnp.result_type(float)),
            )
            if getattr(out, "shape", None) != ():
                raise ValueError(
                    f"inputs[{n!r}] must return a scalar at one point, got shape {getattr(out, 'shape', None)}"
                )

        if reference is not None:
            if not isinstance(reference, Reference):
                raise ValueError(f"reference must be a pinnrwf.pde.Reference, got {type(reference)}")
            if reference.points.shape[1] != len(equation.coords) or any(
                f not in equation.fields for f in reference.fields
            ):
                raise ValueError(
                    f"reference: points need {len(equation.coords)} columns {equation.coords} and fields among "
                    f"{equation.fields}; got {reference.points.shape[1]} columns, fields {reference.fields}"
                )
            unknown = [k for k in reference.parameters if k not in equation.trainable]
            if unknown:
                raise ValueError(
                    f"reference: parameters names {unknown[0]!r}, which is not a trainable parameter; the "
                    f"equation's trainable parameters are {tuple(equation.trainable)}"
                )
            metric_names = ["rel_l2", *(f"rel_l2_{f}" for f in reference.fields)]
            clash = [k for k in equation.trainable if k in metric_names]
            if clash:
                raise ValueError(
                    f"the trainable parameter {clash[0]!r} would share its metric name with a "
                    f"reference error ({metric_names}); rename it"
                )

        self.equation = equation
        self.terms = dict(terms)
        self.inputs = inputs
        self.reference = reference
        self.schedules = schedules
        self.names = names

    def parameters(self, step: Array) -> dict[str, Array]:
        """The parameter values at ``step`` (scheduled ones evaluated from the traced step), in
        JAX's default float dtype."""
        out = {k: jnp.asarray(v, dtype=float) for k, v in self.equation.params.items()}
        for k, sched in self.schedules.items():
            out[k] = jnp.asarray(sched(step), dtype=float)
        return out

    def sample(self, key: PRNGKeyArray) -> dict:
        keys = jax.random.split(key, len(self.terms))
        return {name: term.sample(k) for (name, term), k in zip(self.terms.items(), keys)}

    def loss_terms(self, model, batch, step) -> tuple[dict[str, Array], dict[str, Array]]:
        params = self.parameters(step)
        learned = trainable_values(self.equation, model)
        params.update(learned)
        terms, per_term_diag = {}, {}
        for key, term in self.terms.items():
            losses, diag = term.losses(self.equation, model, batch[key], params, self.inputs)
            for comp, value in losses.items():
                if jnp.ndim(value) != 0:  # (the engine sums the terms and differentiates the sum)
                    raise ValueError(
                        f"terms[{key!r}] ({type(term).__name__}): the loss {self.names[key][comp]!r} "
                        f"must be a scalar, got shape {jnp.shape(value)}"
                    )
                terms[self.names[key][comp]] = term.weight_of(comp) * value
            per_term_diag[key] = diag
        diagnostics = {f"param_{k}": params[k] for k in (*self.schedules, *learned)}
        counts: dict[str, int] = {}
        for diag in per_term_diag.values():
            for d in diag:
                counts[d] = counts.get(d, 0) + 1
        for key, diag in per_term_diag.items():
            for d, v in diag.items():
                diagnostics[d if counts[d] == 1 else f"{d}_{key}"] = v
        return terms, diagnostics

    def point_residuals(self, model, batch, step) -> dict[str, Array]:
        """Logged loss name → the residuals (n, k) of its term at this ``batch``'s n points, scaled by
        √(λ w_p) (λ the term's weight, w_p its ``row_weights``) so that the logged loss of ``loss_terms``
        is their mean over points of the sum over k of their squares (k > 1: a :class:`Periodic` term
        with derivatives)."""
        params = self.parameters(step)
        params.update(trainable_values(self.equation, model))
        out = {}
        for key, term in self.terms.items():
            rows = term.rows(batch[key])
            weights = term.row_weights(self.equation, model, batch[key], params, self.inputs)
            for comp, r in term.point_residuals(self.equation, model, rows, params, self.inputs).items():
                scale = term.weight_of(comp) if weights is None else term.weight_of(comp) * weights[:, None]
                out[self.names[key][comp]] = jnp.sqrt(scale) * r
        return out

    def ntk_diagonal(self, model, batch, step, *, block: int = 256) -> dict[str, Array]:
        """Logged loss name → the diagonal (n,) of its term's neural tangent kernel at this ``batch``:
        K(p) = Σ_k ‖∂r_pk/∂θ‖² for the residuals r of ``point_residuals``, θ every inexact array of
        ``model``. One gradient per point (``jax.lax.map`` over the points, ``block`` at a time), so the
        cost is linear in the number of points; the row weights are held constant."""
        theta, static = eqx.partition(model, eqx.is_inexact_array)

        def parameters(m):
            params = self.parameters(step)
            params.update(trainable_values(self.equation, m))
            return params

        base = parameters(model)
        out = {}
        for key, term in self.terms.items():
            weights = term.row_weights(self.equation, model, batch[key], base, self.inputs)

            def squared_gradients(row, term=term):
                def residuals(th):
                    m = eqx.combine(th, static)
                    one = jax.tree.map(lambda a: a[None], row)
                    res = term.point_residuals(self.equation, m, one, parameters(m), self.inputs)
                    return {c: jnp.reshape(r, (-1,)) for c, r in res.items()}

                jac = jax.jacrev(residuals)(theta)
                return {c: sum(jnp.sum(g**2) for g in jax.tree.leaves(j)) for c, j in jac.items()}

            rows = term.rows(batch[key])
            n = jax.tree.leaves(rows)[0].shape[0]
            diag = jax.lax.map(squared_gradients, rows, batch_size=min(block, n))
            for comp, k in diag.items():
                k = term.weight_of(comp) * (k if weights is None else weights * k)
                out[self.names[key][comp]] = k
        return out

    def metrics(self, model) -> dict[str, Array]:
        learned = trainable_values(self.equation, model)
        if self.reference is None:
            return learned
        ref = self.reference
        out = jax.vmap(model)(ref.points)
        pred = jnp.stack([out[:, self.equation.fields.index(f)] for f in ref.fields], axis=1)
        metrics = {"rel_l2": jnp.linalg.norm(pred - ref.values) / jnp.linalg.norm(ref.values)}
        if len(ref.fields) > 1:
            for j, f in enumerate(ref.fields):
                metrics[f"rel_l2_{f}"] = jnp.linalg.norm(pred[:, j] - ref.values[:, j]) / jnp.linalg.norm(
                    ref.values[:, j]
                )
        for name, g in ref.derived:
            exact = jax.vmap(g)(ref.values)
            metrics[f"rel_l2_{name}"] = jnp.linalg.norm(jax.vmap(g)(pred) - exact) / jnp.linalg.norm(exact)
        for k, value in learned.items():
            metrics[k] = value
            if k in ref.parameters:
                metrics[f"{k}_rel_error"] = jnp.abs(value - ref.parameters[k]) / abs(ref.parameters[k])
        return metrics
