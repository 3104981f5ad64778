"""Loss terms: interior residuals, initial/boundary conditions, periodicity, data fit.

Boundary conditions hold on any sampler's points: a box's faces (``domain.face``,
``domain.boundary``) or the named or predicate-selected parts of any geometry
(``region.boundary(n, part="cylinder")``); :class:`Neumann` (without ``coord``) and :class:`Robin`
use the sampler's outward unit normals.

A term owns its sampler and weight λ. It returns *unweighted* per-component losses (mean squared
error over its points); :class:`~pinnrwf.pde.PINNObjective` multiplies by λ and names them
``<term>`` (one component) or ``<term>_<component>`` (several: residual components or fields).

Per point, a term also gives the residuals its losses are the mean squares of (``rows``,
``point_residuals``, ``row_weights``): what the NTK loss weighting (:class:`pinnrwf.train.NTKWeighting`)
differentiates point by point.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Bool, Float, PRNGKeyArray

from pinnrwf._validation import finite_number, instance, integer, positive_int, positive_number

from ._causal import causal_weights
from ._derivatives import DerivativePlan
from ._domain import AbstractBoundarySampler, AbstractSampler, Domain, Face, RegionInitial, Uniform
from ._equation import Coordinates, Equation

Weight = float | Mapping[str, float]


def _check_weight(weight: Weight) -> Weight:
    """λ ≥ 0, one number or a mapping component -> number."""
    if not isinstance(weight, Mapping):
        return positive_number("weight", weight, allow_zero=True)
    if not weight:
        raise ValueError("weight: a mapping of per-component weights must not be empty")
    return {k: positive_number(f"weight[{k!r}]", w, allow_zero=True) for k, w in weight.items()}


def _check_fields(fields) -> tuple[str, ...] | None:
    if fields is None:
        return None
    fields = (fields,) if isinstance(fields, str) else tuple(fields)
    if not fields or not all(isinstance(f, str) for f in fields):
        raise ValueError(f"fields must be a non-empty sequence of field names (or None), got {fields!r}")
    return fields


def _check_sampler_type(sampler) -> AbstractSampler:
    return instance("sampler", sampler, AbstractSampler, "a pinnrwf.pde sampler (e.g. domain.interior(n))")


def _check_sampler(sampler, equation: Equation, what: str):
    _check_sampler_type(sampler)
    if sampler.domain.coords != equation.coords:
        raise ValueError(
            f"{what}: the sampler's domain has coordinates {sampler.domain.coords}, but the equation "
            f"declares {equation.coords} (same names in the same order are required)"
        )
    if sampler.domain.time != equation.time:
        raise ValueError(
            f"{what}: the domain's time coordinate {sampler.domain.time!r} differs from the equation's {equation.time!r}"
        )


class Causal(eqx.Module):
    """Causal weighting of a time-dependent residual (eq. K.7–K.8): ``chunks`` = M, ``epsilon`` = ε."""

    chunks: int = eqx.field(static=True)
    epsilon: float = eqx.field(static=True)

    def __check_init__(self):
        positive_int("Causal: chunks (M)", self.chunks)
        positive_number("Causal: epsilon (ε)", self.epsilon, allow_zero=True)


class AbstractTerm(eqx.Module):
    """A loss term: ``sample(key)`` its points, ``losses(...)`` its unweighted component losses."""

    weight: eqx.AbstractVar[Weight]

    @abc.abstractmethod
    def components(self, equation: Equation) -> tuple[str, ...] | None:
        """Validate against ``equation`` (raising ``ValueError``) and name the components
        (``None``: one unnamed component)."""

    @abc.abstractmethod
    def sample(self, key: PRNGKeyArray):
        """This step's points (a pytree of fixed shapes)."""

    @abc.abstractmethod
    def losses(self, equation, model, batch, params, inputs) -> tuple[dict[str, Array], dict[str, Array]]:
        """(component → unweighted loss, diagnostics); a single component is keyed ``""``."""

    def rows(self, batch):
        """This step's ``batch`` as the rows ``point_residuals`` takes: a pytree of arrays with one
        leading entry per point (default: the batch itself)."""
        return batch

    def point_residuals(self, equation, model, rows, params, inputs) -> dict[str, Array]:
        """Component → residuals (n, k) at the n ``rows``: row p depends on the model only at point p
        (so a row can be evaluated alone, ``rows[p:p+1]``), and with ``row_weights`` w the
        component's unweighted loss is mean_p w_p Σ_k r_pk²."""
        raise NotImplementedError(f"{type(self).__name__} gives no per-point residuals")

    def row_weights(self, equation, model, batch, params, inputs) -> Array | None:
        """Weights (n,) of the rows in the loss, constant in the model's parameters (``None``: all 1):
        what couples the points of a batch (causal chunk weights, a mask)."""
        return None

    def weight_of(self, component: str) -> float:
        """λ of a component (``""``: the single component)."""
        if isinstance(self.weight, Mapping):
            return self.weight[component]
        return self.weight

    def _check_weight_keys(self, components):
        if isinstance(self.weight, Mapping):
            expected = set(components or ())
            if set(self.weight) != expected:
                raise ValueError(
                    f"weight: a mapping must give exactly the components {sorted(expected)}, got {sorted(self.weight)}"
                )


# ------------------------------------------------------------------------------- residual
class MaskedPoints(eqx.Module):
    """A fixed-capacity set of points of which those with ``mask`` true are in use (RAR-D's
    growing set, :class:`~pinnrwf.pde.RARD`): a :class:`Residual` given it as its batch takes the
    mean over the points in use."""

    points: Float[Array, "capacity d"]
    mask: Bool[Array, " capacity"]


class Residual(AbstractTerm):
    """The interior residual, L_r = mean |R(x)|² per component (eq. K.6, K.20–K.22, L.13).

    With ``causal=Causal(M, ε)`` the points are stratified into M time chunks (the sampler must
    be ``domain.interior(n)`` with n a multiple of M) and L_r = (1/M) Σ_i w_i L_r^i with w from
    :func:`causal_weights` on the chunk losses summed over components (eq. K.7–K.8; the 1/M keeps
    λ_r comparable with the non-causal loss, as in the authors' code). Logs ``causal_min_weight``.
    """

    sampler: AbstractSampler
    weight: Weight = eqx.field(static=True)
    causal: Causal | None = eqx.field(static=True)

    def __init__(self, sampler: AbstractSampler, weight: Weight = 1.0, causal: Causal | None = None):
        self.weight = _check_weight(weight)
        _check_sampler_type(sampler)
        if causal is not None:
            instance("causal", causal, Causal, "a pinnrwf.pde.Causal(chunks, epsilon) or None")
            if not isinstance(sampler, Uniform):
                raise ValueError("causal: the residual sampler must be uniform in the box (domain.interior(n))")
            if sampler.domain.time is None:
                raise ValueError(f"causal: the domain {sampler.domain.coords} has no time coordinate")
            if sampler.chunks is None:
                sampler = Uniform(sampler.domain, sampler.n, causal.chunks)
            elif sampler.chunks != causal.chunks:
                raise ValueError(
                    f"causal: the sampler has {sampler.chunks} time chunks but causal.chunks = {causal.chunks}"
                )
        self.sampler = sampler
        self.causal = causal

    def components(self, equation):
        _check_sampler(self.sampler, equation, "Residual")
        if self.causal is not None and equation.time is None:
            raise ValueError(f"causal: the equation has no time coordinate (coords {equation.coords})")
        self._check_weight_keys(equation.components)
        return equation.components

    def sample(self, key):
        return self.sampler.sample(key)

    def losses(self, equation, model, batch, params, inputs):
        if isinstance(batch, MaskedPoints):
            res = jax.vmap(lambda x: equation.residuals(model, x, params, inputs))(batch.points)
            in_use = jnp.sum(batch.mask)
            return {
                "" if equation.components is None else k: jnp.sum(jnp.where(batch.mask, r**2, 0.0)) / in_use
                for k, r in res.items()
            }, {}
        res = jax.vmap(lambda x: equation.residuals(model, x, params, inputs))(batch)
        if equation.components is None:
            res = {"": res["residual"]}
        if self.causal is None:
            return {k: jnp.mean(r**2) for k, r in res.items()}, {}
        m = self.causal.chunks
        chunk = {k: jnp.mean(jnp.reshape(r**2, (m, -1)), axis=1) for k, r in res.items()}
        w = causal_weights(sum(chunk.values()), self.causal.epsilon)
        return {k: jnp.mean(w * c) for k, c in chunk.items()}, {"causal_min_weight": jnp.min(w)}

    def rows(self, batch):
        return batch.points if isinstance(batch, MaskedPoints) else batch

    def point_residuals(self, equation, model, rows, params, inputs):
        res = jax.vmap(lambda x: equation.residuals(model, x, params, inputs))(rows)
        if equation.components is None:
            return {"": res["residual"][:, None]}
        return {k: r[:, None] for k, r in res.items()}

    def row_weights(self, equation, model, batch, params, inputs):
        """The mask scaled by capacity / points in use (a :class:`MaskedPoints` batch), or each point's
        causal chunk weight w_i (eq. K.8), held constant."""
        if isinstance(batch, MaskedPoints):
            return jnp.where(batch.mask, batch.mask.shape[0] / jnp.sum(batch.mask), 0.0)
        if self.causal is None:
            return None
        res = self.point_residuals(equation, model, batch, params, inputs)
        m = self.causal.chunks
        chunk = sum(jnp.mean(jnp.reshape(r[:, 0] ** 2, (m, -1)), axis=1) for r in res.values())
        w = causal_weights(chunk, self.causal.epsilon)
        return jax.lax.stop_gradient(jnp.repeat(w, batch.shape[0] // m))


# ---------------------------------------------------------------------- value constraints
def _check_value(value):
    if not callable(value):
        raise ValueError(f"value must be a callable of the point's coordinates (pt.x, pt.t, ...), got {value!r}")
    return value


def _value_fields(value, fields, equation: Equation, what: str) -> tuple[str, ...]:
    """Which fields ``value(pt)`` prescribes (checked by tracing it abstractly once)."""
    out = jax.eval_shape(
        lambda x: value(Coordinates(equation.coords, x)),
        jax.ShapeDtypeStruct((len(equation.coords),), jnp.result_type(float)),
    )
    if isinstance(out, Mapping):
        names = tuple(out)
        shapes = {k: getattr(v, "shape", ()) for k, v in out.items()}
    else:
        if fields is None:
            if len(equation.fields) != 1:
                raise ValueError(
                    f"{what}: value returns one number but the equation has fields {equation.fields}; "
                    f"return a dict field -> value or pass fields=(...)"
                )
            fields = equation.fields
        names = tuple(fields)
        if len(names) != 1:
            raise ValueError(f"{what}: value returns one number, so fields must name one field, got {names}")
        shapes = {names[0]: getattr(out, "shape", ())}
    unknown = [f for f in names if f not in equation.fields]
    if unknown or not names:
        raise ValueError(f"{what}: unknown fields {unknown}; the equation's fields are {equation.fields}")
    bad = {k: s for k, s in shapes.items() if s != ()}
    if bad:
        raise ValueError(f"{what}: value must give a scalar per field at one point, got shapes {bad}")
    return names


def _targets(value, names, coords, points):
    def one(x):
        out = value(Coordinates(coords, x))
        if not isinstance(out, Mapping):
            out = {names[0]: out}
        return {k: jnp.asarray(out[k], points.dtype) for k in names}

    return jax.vmap(one)(points)


def _field_values(equation, model, points, names):
    out = jax.vmap(model)(points)
    return {f: out[:, equation.fields.index(f)] for f in names}


class _AbstractValueTerm(AbstractTerm):
    """A term prescribing ``value(pt)`` for some quantity of the fields (values, normal
    derivatives) on its sampler's points; subclasses say which quantity (``_predict``) and
    what else they require of the equation (``_check``)."""

    value: eqx.AbstractVar[Callable]
    sampler: eqx.AbstractVar[AbstractSampler]
    fields: eqx.AbstractVar[tuple[str, ...] | None]

    @abc.abstractmethod
    def _check(self, equation: Equation) -> None: ...

    @abc.abstractmethod
    def _predict(self, equation, model, points, names) -> dict[str, Array]: ...

    def _fields(self, equation):
        return _value_fields(self.value, self.fields, equation, type(self).__name__)

    def components(self, equation):
        self._check(equation)
        _check_sampler(self.sampler, equation, type(self).__name__)
        names = self._fields(equation)
        comps = names if len(names) > 1 else None
        self._check_weight_keys(comps)
        return comps

    def sample(self, key):
        return self.sampler.sample(key)

    def _points(self, batch):
        """The points of this step's ``batch`` (what ``sample`` returned)."""
        return batch

    def losses(self, equation, model, batch, params, inputs):
        names = self._fields(equation)
        target = _targets(self.value, names, equation.coords, self._points(batch))
        pred = self._predict(equation, model, batch, names)
        key = (lambda f: f) if len(names) > 1 else (lambda f: "")
        return {key(f): jnp.mean((pred[f] - target[f]) ** 2) for f in names}, {}

    def point_residuals(self, equation, model, rows, params, inputs):
        names = self._fields(equation)
        target = _targets(self.value, names, equation.coords, self._points(rows))
        pred = self._predict(equation, model, rows, names)
        key = (lambda f: f) if len(names) > 1 else (lambda f: "")
        return {key(f): (pred[f] - target[f])[:, None] for f in names}


class Dirichlet(_AbstractValueTerm):
    """u_f(x) = value(x) on the sampler's points (e.g. eq. K.11–K.12, K.18–K.19, L.6).

    ``value(pt)`` returns a scalar (single field) or a dict field → scalar; several fields give
    one loss each, e.g. ``"bc_u"``, ``"bc_v"``.
    """

    value: Callable = eqx.field(static=True)
    sampler: AbstractSampler
    weight: Weight = eqx.field(static=True)
    fields: tuple[str, ...] | None = eqx.field(static=True)

    def __init__(self, value, sampler, weight: Weight = 1.0, fields: Sequence[str] | None = None):
        self.value, self.sampler = _check_value(value), _check_sampler_type(sampler)
        self.weight, self.fields = _check_weight(weight), _check_fields(fields)

    def _check(self, equation):
        pass

    def _predict(self, equation, model, points, names):
        return _field_values(equation, model, points, names)


class InitialCondition(_AbstractValueTerm):
    """u_f(x, t₀) = value(x) on the initial slice (eq. K.2/K.5, L.8/L.12); the sampler must be
    ``domain.initial(n)``."""

    value: Callable = eqx.field(static=True)
    sampler: AbstractSampler
    weight: Weight = eqx.field(static=True)
    fields: tuple[str, ...] | None = eqx.field(static=True)

    def __init__(self, value, sampler, weight: Weight = 1.0, fields: Sequence[str] | None = None):
        self.value, self.sampler = _check_value(value), _check_sampler_type(sampler)
        self.weight, self.fields = _check_weight(weight), _check_fields(fields)

    def _check(self, equation):
        if equation.time is None:
            raise ValueError(f"InitialCondition: the equation has no time coordinate (coords {equation.coords})")
        s = self.sampler
        if not (isinstance(s, Face) and s.coord == equation.time and s.side == "lower") and not isinstance(
            s, RegionInitial
        ):
            raise ValueError("InitialCondition: the sampler must be domain.initial(n) (time at its lower bound)")

    def _predict(self, equation, model, points, names):
        return _field_values(equation, model, points, names)


def _check_normals(sampler, what: str) -> AbstractBoundarySampler:
    if not isinstance(sampler, AbstractBoundarySampler):
        raise ValueError(
            f"{what}: sampler must be a boundary sampler with normals (domain.boundary(n), "
            f"domain.face(...), region.boundary(n, part=...)), got {type(sampler).__name__}"
        )
    return sampler


def _normal_derivatives(equation, model, points, normals):
    """(u, ∂u/∂n = n·∇u) at each point, (n, fields) each: one forward-mode pass per point along its
    normal (the derivative plan's directional mode)."""
    d = len(equation.coords)
    plan = DerivativePlan([(i,) for i in range(d)], d, mode="directional")
    return jax.vmap(lambda x, n: plan.along(model, x, n))(points, normals)


class Neumann(_AbstractValueTerm):
    """∂u_f/∂coord (x) = value(x) on the sampler's points (give the sign of an outward normal in
    ``value``); without ``coord``, the outward normal derivative ∂u_f/∂n = n·∇u_f = value(x) on a
    boundary sampler's points, with its normals (any geometry's boundary parts, or a box's faces)."""

    value: Callable = eqx.field(static=True)
    sampler: AbstractSampler
    coord: str | None = eqx.field(static=True)
    weight: Weight = eqx.field(static=True)
    fields: tuple[str, ...] | None = eqx.field(static=True)

    def __init__(
        self, value, sampler, coord: str | None = None, weight: Weight = 1.0, fields: Sequence[str] | None = None
    ):
        self.value, self.sampler = _check_value(value), _check_sampler_type(sampler)
        if coord is None:
            _check_normals(sampler, "Neumann (no coord: the normal derivative)")
        elif coord not in sampler.domain.coords:
            raise ValueError(
                f"Neumann: coord {coord!r} is not a coordinate; the coordinates are {sampler.domain.coords}"
            )
        self.coord = coord
        self.weight, self.fields = _check_weight(weight), _check_fields(fields)

    def _check(self, equation):
        if self.coord is not None and self.coord not in equation.coords:
            raise ValueError(
                f"Neumann: coord {self.coord!r} is not a coordinate; the coordinates are {equation.coords}"
            )

    def sample(self, key):
        return self.sampler.sample(key) if self.coord is not None else self.sampler.sample_with_normals(key)

    def _points(self, batch):
        return batch if self.coord is not None else batch[0]

    def _predict(self, equation, model, points, names):
        if self.coord is None:
            out = _normal_derivatives(equation, model, *points)[1]
            return {f: out[:, equation.fields.index(f)] for f in names}
        plan = DerivativePlan([(equation.coords.index(self.coord),)], len(equation.coords))
        i = equation.coords.index(self.coord)
        out = jax.vmap(lambda x: plan(model, x)[(i,)])(points)
        return {f: out[:, equation.fields.index(f)] for f in names}


class Robin(_AbstractValueTerm):
    """a·u_f + b·∂u_f/∂n = value(x) on a boundary sampler's points, with its outward normals
    (``a``, ``b``: numbers, not both zero; b = 0 is Dirichlet, a = 0 Neumann)."""

    value: Callable = eqx.field(static=True)
    sampler: AbstractBoundarySampler
    a: float = eqx.field(static=True)
    b: float = eqx.field(static=True)
    weight: Weight = eqx.field(static=True)
    fields: tuple[str, ...] | None = eqx.field(static=True)

    def __init__(
        self, value, sampler, *, a: float, b: float, weight: Weight = 1.0, fields: Sequence[str] | None = None
    ):
        self.value, self.sampler = _check_value(value), _check_normals(sampler, "Robin")
        self.a, self.b = finite_number("Robin: a", a), finite_number("Robin: b", b)
        if self.a == 0 and self.b == 0:
            raise ValueError("Robin: a and b must not both be 0")
        self.weight, self.fields = _check_weight(weight), _check_fields(fields)

    def _check(self, equation):
        pass

    def sample(self, key):
        return self.sampler.sample_with_normals(key)

    def _points(self, batch):
        return batch[0]

    def _predict(self, equation, model, points, names):
        u, du = _normal_derivatives(equation, model, *points)
        out = self.a * u + self.b * du
        return {f: out[:, equation.fields.index(f)] for f in names}


class Periodic(AbstractTerm):
    """Soft periodicity in ``coord``: u(…, lo, …) = u(…, hi, …) for the given fields, and their
    first ``derivatives`` derivatives along ``coord``. (Exact periodicity is better imposed by the
    network's periodic embedding, eq. K.3 / L.9; then no term is needed.)"""

    domain: Domain
    coord: str = eqx.field(static=True)
    n: int = eqx.field(static=True)
    weight: Weight = eqx.field(static=True)
    fields: tuple[str, ...] | None = eqx.field(static=True)
    derivatives: int = eqx.field(static=True)

    def __init__(
        self,
        domain: Domain,
        coord: str,
        n: int,
        weight: Weight = 1.0,
        fields: Sequence[str] | None = None,
        derivatives: int = 0,
    ):
        Face(domain, n, coord, "lower")  # validates domain, n and coord
        derivatives = integer("Periodic: derivatives", derivatives, minimum=0)
        self.domain, self.coord, self.n, self.derivatives = domain, coord, n, derivatives
        self.weight, self.fields = _check_weight(weight), _check_fields(fields)

    def _names(self, equation):
        return equation.fields if self.fields is None else self.fields

    def components(self, equation):
        _check_sampler(Face(self.domain, self.n, self.coord, "lower"), equation, "Periodic")
        names = self._names(equation)
        unknown = [f for f in names if f not in equation.fields]
        if unknown or not names:
            raise ValueError(f"Periodic: unknown fields {unknown}; the equation's fields are {equation.fields}")
        comps = names if len(names) > 1 else None
        self._check_weight_keys(comps)
        return comps

    def sample(self, key):
        lower = Face(self.domain, self.n, self.coord, "lower").sample(key)
        i = self.domain.index(self.coord)
        return lower, lower.at[:, i].set(self.domain.upper[i])

    def losses(self, equation, model, batch, params, inputs):
        i = equation.coords.index(self.coord)
        plan = DerivativePlan([(i,) * k for k in range(self.derivatives + 1)], len(equation.coords))

        def gap(a, b):
            ta, tb = plan(model, a), plan(model, b)
            return sum((ta[(i,) * k] - tb[(i,) * k]) ** 2 for k in range(self.derivatives + 1))

        sq = jax.vmap(gap)(*batch)
        names = self._names(equation)
        key = (lambda f: f) if len(names) > 1 else (lambda f: "")
        return {key(f): jnp.mean(sq[:, equation.fields.index(f)]) for f in names}, {}

    def point_residuals(self, equation, model, rows, params, inputs):
        """The gaps u(lo) − u(hi) and of the first ``derivatives`` derivatives: k = derivatives + 1."""
        i = equation.coords.index(self.coord)
        orders = [(i,) * k for k in range(self.derivatives + 1)]
        plan = DerivativePlan(orders, len(equation.coords))

        def gaps(a, b):
            ta, tb = plan(model, a), plan(model, b)
            return jnp.stack([ta[o] - tb[o] for o in orders], axis=-1)  # (fields, k)

        g = jax.vmap(gaps)(*rows)
        names = self._names(equation)
        key = (lambda f: f) if len(names) > 1 else (lambda f: "")
        return {key(f): g[:, equation.fields.index(f)] for f in names}


class DataFit(AbstractTerm):
    """Mean squared misfit to measurements ``values`` (n, k) of ``fields`` at ``points`` (n, d);
    ``batch_size``: a random subset each step (without replacement), else all points."""

    points: Float[Array, "n d"]
    values: Float[Array, "n k"]
    fields: tuple[str, ...] = eqx.field(static=True)
    weight: Weight = eqx.field(static=True)
    batch_size: int | None = eqx.field(static=True)

    def __init__(self, points, values, fields: Sequence[str], weight: Weight = 1.0, batch_size: int | None = None):
        points, values = jnp.asarray(points, dtype=float), jnp.asarray(values, dtype=float)
        fields = _check_fields(fields)
        if fields is None:
            raise ValueError("DataFit: fields must name the measured fields, got None")
        if values.ndim == 1:
            values = values[:, None]
        if points.ndim != 2 or values.ndim != 2 or points.shape[0] != values.shape[0] or values.shape[1] != len(fields):
            raise ValueError(
                f"DataFit: points must be (n, d) and values (n, {len(fields)}) for fields {fields}; "
                f"got points {points.shape}, values {values.shape}"
            )
        if batch_size is not None:
            batch_size = integer("DataFit: batch_size", batch_size, minimum=1, maximum=points.shape[0])
        concrete = not any(isinstance(a, jax.core.Tracer) for a in (points, values))
        if concrete and not bool(jnp.isfinite(points).all() & jnp.isfinite(values).all()):
            raise ValueError("DataFit: points and values must be finite")
        self.points, self.values, self.fields = points, values, fields
        self.weight, self.batch_size = _check_weight(weight), batch_size

    def components(self, equation):
        if self.points.shape[1] != len(equation.coords):
            raise ValueError(
                f"DataFit: points have {self.points.shape[1]} columns, the equation has coordinates {equation.coords}"
            )
        unknown = [f for f in self.fields if f not in equation.fields]
        if unknown:
            raise ValueError(f"DataFit: unknown fields {unknown}; the equation's fields are {equation.fields}")
        comps = self.fields if len(self.fields) > 1 else None
        self._check_weight_keys(comps)
        return comps

    def sample(self, key):
        if self.batch_size is None:
            return ()
        return jax.random.choice(key, self.points.shape[0], (self.batch_size,), replace=False)

    def losses(self, equation, model, batch, params, inputs):
        pts, vals = (self.points, self.values) if self.batch_size is None else (self.points[batch], self.values[batch])
        out = jax.vmap(model)(pts)
        key = (lambda f: f) if len(self.fields) > 1 else (lambda f: "")
        return {
            key(f): jnp.mean((out[:, equation.fields.index(f)] - vals[:, j]) ** 2) for j, f in enumerate(self.fields)
        }, {}

    def rows(self, batch):
        """The indices of this step's measurements."""
        return jnp.arange(self.points.shape[0]) if self.batch_size is None else batch

    def point_residuals(self, equation, model, rows, params, inputs):
        out = jax.vmap(model)(self.points[rows])
        vals = self.values[rows]
        key = (lambda f: f) if len(self.fields) > 1 else (lambda f: "")
        return {key(f): (out[:, equation.fields.index(f)] - vals[:, j])[:, None] for j, f in enumerate(self.fields)}
