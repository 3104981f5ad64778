"""A PDE declaration: named coordinates, fields, parameters and inputs, and a pointwise residual.

The residual is a pure function of one point, written against a :class:`Point` accessor::

    heat = Equation(coords=("x", "t"), fields=("u",), params={"kappa": 0.1},
                    residual=lambda p: p.u_t - p.kappa * p.u_xx)

``p.u`` is a field value, ``p.u_xx`` (or ``p.d("u", "x", "x")``) a derivative, ``p.x`` a
coordinate value, ``p.kappa`` a parameter (fixed, scheduled, or :class:`Trainable`: learned from
data, see :mod:`pinnrwf.pde._inverse`), ``p.a`` / ``p.a_x`` an input function (e.g. a source or
coefficient) and its derivative. A residual returns a scalar or a dict of named scalar components
(e.g. Navier–Stokes ``{"u": ..., "v": ..., "c": ...}``).

At construction the residual is traced once, abstractly, with a recording accessor: unknown names
raise ``ValueError`` there, and the requested derivatives fix a :class:`DerivativePlan`, so at run
time only those derivatives are computed, all fields sharing each forward-mode pass. When the
only second derivatives are one Laplacian (``p.laplacian("u")``) or a single pure second
derivative (``p.u_xx``, the Laplacian over x), the plan is one forward-Laplacian pass instead
(:class:`pinnrwf.pde._laplacian.LaplacianPlan`).

A residual that is affine in the first derivatives of one field, with coefficients that depend
only on the parameters (advection u_t + c·u_x, possibly plus zero-order terms), can be evaluated
with only the directional derivative D_a u along a = ∂R/∂(u_x, u_t, …) = (c, 1), which one
forward-mode ``jax.jvp`` gives together with u: ``plan=DirectionalPlan()`` (detected from
the residual's jaxpr, see :meth:`Equation._detect_directional`). It is opt-in: on CPU it costs the
same as the reverse-mode plan and measured no faster (README, "CPU speed").
"""

from __future__ import annotations

import dataclasses
import keyword
from collections.abc import Callable, Mapping, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.extend.core import ClosedJaxpr, jaxpr_as_fun
from jaxtyping import Array, Float

from pinnrwf._validation import finite_number, function

from ._derivatives import DerivativePlan, used_inputs
from ._laplacian import LAPLACIAN, LaplacianPlan, is_laplacian, request_order
from ._plans import AbstractPlan, AutoPlan, plan_from_mode
from ._trainable import AbstractTrainableParameters, Trainable, check_trainables_read

Residual = Callable[["Point"], "Array | Mapping[str, Array]"]


def _check_names(kind: str, names: Sequence[str]) -> tuple[str, ...]:
    names = tuple(names)
    for n in names:
        if not isinstance(n, str) or not n.isidentifier() or keyword.iskeyword(n) or n.startswith("_"):
            raise ValueError(f"{kind}: {n!r} is not a valid name (a Python identifier not starting with '_')")
    if len(set(names)) != len(names):
        raise ValueError(f"{kind}: names must be distinct, got {names}")
    return names


class Coordinates:
    """Read-only named view of one point's coordinates: ``pt.x``, ``pt["t"]``, ``pt.array``."""

    __slots__ = ("_names", "array")

    def __init__(self, names: tuple[str, ...], array: Array):
        object.__setattr__(self, "_names", names)
        object.__setattr__(self, "array", array)

    def __getitem__(self, name: str) -> Array:
        try:
            return self.array[self._names.index(name)]
        except ValueError:
            raise ValueError(f"unknown coordinate {name!r}; the coordinates are {self._names}") from None

    def __getattr__(self, name: str) -> Array:
        if name.startswith("__"):
            raise AttributeError(name)
        return self[name]

    def __setattr__(self, name, value):
        raise AttributeError("Coordinates is read-only")


class Point:
    """The residual's view of one point: values, derivatives, coordinates, parameters, inputs.

    Attribute grammar: ``<coord>`` | ``<param>`` | ``<field or input>`` | ``<field or input>_<coords>``
    where ``<coords>`` is a run of coordinate names (``u_xx``, ``u_xy``, ``p_x``). ``d(name, *coords)``
    is the explicit form.
    """

    __slots__ = ("_equation", "_resolve", "_coords", "_params")

    def __init__(self, equation: "Equation", resolve: Callable, coords: Array, params: Mapping[str, Array]):
        object.__setattr__(self, "_equation", equation)
        object.__setattr__(self, "_resolve", resolve)
        object.__setattr__(self, "_coords", coords)
        object.__setattr__(self, "_params", params)

    def d(self, name: str, *coords: str) -> Array:
        """∂^k name / ∂coords[0] … ∂coords[k-1] at this point (``d("u")`` is the value)."""
        index = self._coordinate_indices(name, coords, "derivative of {name!r} with respect to {c!r}")
        return self._resolve(name, tuple(sorted(index)))

    def _coordinate_indices(self, name: str, coords: Sequence[str], what: str) -> list[int]:
        """The indices of ``coords`` after checking ``name`` and every coordinate (``what``: the
        message's start, formatted with ``name`` and the bad coordinate ``c``)."""
        eq = self._equation
        if name not in eq.fields and name not in eq.inputs:
            raise ValueError(f"unknown field or input {name!r}; fields are {eq.fields}, inputs are {eq.inputs}")
        for c in coords:
            if c not in eq.coords:
                raise ValueError(
                    what.format(name=name, c=c) + f", which is not a coordinate; the coordinates are {eq.coords}"
                )
        return [eq.coords.index(c) for c in coords]

    def laplacian(self, name: str, *coords: str) -> Array:
        """Δ name = Σ_c ∂²name/∂c² over ``coords`` (default: every coordinate but time).

        Written this way (rather than ``p.u_xx + p.u_yy``), a residual whose only second
        derivatives are one such Laplacian is evaluated by a forward-Laplacian pass
        (:func:`pinnrwf.pde.forward_laplacian`), 4 instead of 7 matrix products per layer in 2D."""
        eq = self._equation
        coords = coords or tuple(c for c in eq.coords if c != eq.time)
        index = self._coordinate_indices(name, coords, "laplacian of {name!r} over {c!r}")
        if not coords or len(set(coords)) != len(coords):
            raise ValueError(f"laplacian of {name!r}: give distinct coordinates, got {coords}")
        return self._resolve(name, (LAPLACIAN, *sorted(index)))

    def __getitem__(self, name: str) -> Array:
        return getattr(self, name)

    def __getattr__(self, name: str) -> Array:
        if name.startswith("__"):
            raise AttributeError(name)
        eq = self._equation
        if name in eq.coords:
            return self._coords[eq.coords.index(name)]
        if name in self._params:
            return self._params[name]
        if name in eq.fields or name in eq.inputs:
            return self.d(name)
        head, sep, tail = name.partition("_")
        while sep:
            if head in eq.fields or head in eq.inputs:
                return self.d(head, *_split_coords(tail, eq.coords, name))
            more, sep, tail = tail.partition("_")
            head = f"{head}_{more}"
        raise ValueError(
            f"unknown name {name!r} in the residual; coordinates are {eq.coords}, fields {eq.fields}, "
            f"parameters {tuple(eq.params)}, inputs {eq.inputs}; derivatives are written "
            f"<field>_<coords>, e.g. {eq.fields[0]}_{eq.coords[0] * 2}"
        )

    def __setattr__(self, name, value):
        raise AttributeError("Point is read-only")


def _split_coords(text: str, coords: tuple[str, ...], name: str) -> list[str]:
    """Split e.g. 'xxy' into ['x', 'x', 'y'] (longest coordinate names first; unambiguous)."""
    out = []
    ordered = sorted(coords, key=len, reverse=True)
    while text:
        for c in ordered:
            if text.startswith(c):
                out.append(c)
                text = text[len(c) :]
                break
        else:
            raise ValueError(f"in {name!r}: {text!r} is not a run of coordinate names; the coordinates are {coords}")
    return out


@dataclasses.dataclass(frozen=True, eq=False)  # compared by identity (holds a jaxpr)
class _Directional:
    """A residual R = R(x, values, 0, params) + Σ_i a_i(params) ∂_i field in ``component``
    (index into the components, 0 for a scalar residual); ``firsts``: the coordinates i whose
    ∂_i field the residual reads; ``coefficients``: the jaxpr of (x, values, firsts, *params) ->
    (a_i)_i traced at definition (x, values and firsts unused), so that evaluating the residual
    traces the user's function once."""

    field: str
    component: int
    firsts: tuple[int, ...]
    coefficients: ClosedJaxpr = dataclasses.field(repr=False)

    def direction(self, params: Mapping[str, Array], x: Array) -> Array:
        """a (shape (d,), dtype of ``x``) for the current parameter values (traced scalars allowed)."""
        invars = self.coefficients.jaxpr.invars
        unused = [jnp.zeros(v.aval.shape, v.aval.dtype) for v in invars[:3]]
        leaves = jax.tree_util.tree_leaves(dict(params))  # dict order: sorted keys, as at tracing
        if len(leaves) != len(invars) - 3:
            raise ValueError(f"expected {len(invars) - 3} parameters, got {sorted(params)}")
        flat = [jnp.asarray(p, v.aval.dtype) for p, v in zip(leaves, invars[3:])]
        (coefficients,) = jaxpr_as_fun(self.coefficients)(*unused, *flat)
        basis = np.eye(x.shape[0])[list(self.firsts)]  # (n_firsts, d)
        return jnp.asarray(coefficients, x.dtype) @ jnp.asarray(basis, x.dtype)


class Equation(eqx.Module):
    """A PDE: coordinates, fields, parameters (with target values), inputs and a pointwise residual.

    Args:
        coords: coordinate names in the order of the network input ``x`` of shape (d,).
        fields: field names in the order of the network output, shape (n_fields,).
        residual: ``residual(p: Point) -> scalar | dict[str, scalar]``.
        params: name → target value, or :class:`Trainable` (its initial value; trained jointly with
            the network, see :class:`InverseModel`; the residual must use it). Fixed parameters
            may follow a schedule during training (see :func:`curriculum`); the schedule must end
            at this value.
        inputs: names of given functions of the coordinates (source terms, coefficients) that the
            residual reads like fields (value and derivatives), supplied at evaluation time either
            as callables of :class:`Coordinates` (differentiable) or as per-point values.
        time: the time coordinate (default ``"t"`` when declared, else ``None``); needed by
            initial conditions and causal weighting.
        plan: how the derivatives are computed, a plan object (:mod:`pinnrwf.pde._plans`;
            ``repr(equation.plan)`` and :attr:`plan_mode` show the result): :class:`AutoPlan`
            (default: the forward-Laplacian pass when the only second derivatives are one
            ``p.laplacian`` or a single pure second derivative ``p.u_xx``, reverse mode for first
            derivatives of fewer differentiated outputs than derivatives, else nested forward
            mode), or forced: :class:`ForwardLaplacianPlan`, :class:`NestedPlan`,
            :class:`ReversePlan` (first-order residuals), :class:`DirectionalPlan` (a residual
            affine in the first derivatives of one field, coefficients depending only on the
            parameters: one jvp along a = the coefficients, a = (c, 1) for advection u_t + c u_x;
            opt-in, measured no faster than reverse mode on CPU). A plan that does not apply is a
            ``ValueError`` saying why.
        derivative_mode: the plan by name, for the command line and scripts (``"auto"``,
            ``"laplacian"``, ``"forward"``, ``"reverse"``, ``"directional"``), mapped once to the
            object by :func:`plan_from_mode`; give ``plan`` or ``derivative_mode``, not both.
    """

    coords: tuple[str, ...] = eqx.field(static=True)
    fields: tuple[str, ...] = eqx.field(static=True)
    residual: Residual = eqx.field(static=True)
    params: dict[str, float] = eqx.field(static=True)  # a trainable parameter's initial value
    trainable: dict[str, Trainable] = eqx.field(static=True)
    inputs: tuple[str, ...] = eqx.field(static=True)
    time: str | None = eqx.field(static=True)
    components: tuple[str, ...] | None = eqx.field(static=True)  # None: a scalar residual
    requests: tuple[tuple[str, tuple[int, ...]], ...] = eqx.field(static=True)
    plan: DerivativePlan | LaplacianPlan = eqx.field(static=True)  # built by the plan object
    directional: _Directional | None = eqx.field(static=True)  # set iff plan.mode == "directional"

    def __init__(
        self,
        coords: Sequence[str],
        fields: Sequence[str],
        residual: Residual,
        params: Mapping[str, float | Trainable] | None = None,
        inputs: Sequence[str] = (),
        time: str | None = "t",
        derivative_mode: str | None = None,
        *,
        plan: AbstractPlan | None = None,
    ):
        if isinstance(coords, str) or isinstance(fields, str) or isinstance(inputs, str):
            raise ValueError("coords, fields and inputs must be sequences of names, not a single string")
        self.coords = _check_names("coords", coords)
        self.fields = _check_names("fields", fields)
        self.inputs = _check_names("inputs", inputs)
        if params is not None and not isinstance(params, Mapping):
            raise ValueError(f"params must be a mapping name -> target value, got {params!r}")
        params = dict(params or {})
        _check_names("params", list(params))
        self.trainable = {k: v for k, v in params.items() if isinstance(v, Trainable)}
        self.params = {
            k: v.initial if isinstance(v, Trainable) else finite_number(f"params[{k!r}]", v) for k, v in params.items()
        }
        if not self.coords or not self.fields:
            raise ValueError("an equation needs at least one coordinate and one field")
        names = self.coords + self.fields + self.inputs + tuple(params)
        clash = sorted({n for n in names if names.count(n) > 1})
        if clash:
            raise ValueError(f"names must be distinct across coords, fields, inputs and params; repeated: {clash}")
        if time == "t" and "t" not in self.coords:
            time = None
        if time is not None and time not in self.coords:
            raise ValueError(f"time={time!r} is not one of the coordinates {self.coords}")
        self.time = time
        self.residual = function("residual", residual)
        self.components, self.requests = self._record()
        if derivative_mode is not None:
            if plan is not None:
                raise ValueError("give the derivative plan once: plan= (an object) or derivative_mode= (its name)")
            plan = plan_from_mode(derivative_mode)
        if not isinstance(plan, AbstractPlan | None):
            raise ValueError(f"plan must be a derivative plan such as pde.AutoPlan() or pde.NestedPlan(), got {plan!r}")
        self.directional, self.plan = (plan or AutoPlan()).build(self)

    @property
    def plan_mode(self) -> str:
        """How the derivatives are computed: ``"directional"``, ``"reverse"`` or ``"forward"``."""
        return self.plan.mode

    def _detect_directional(self) -> tuple[_Directional | None, str]:
        """Whether the residual is R = R₀(x, values, params) + Σ_i a_i(params) ∂_i f for one field f.

        Writes the residual as a pure function F(x, values, firsts, params) (values: the values it
        reads; firsts: the first derivatives it reads) and inspects two jaxprs: exactly one
        component may depend on ``firsts``, and ∂F/∂firsts of that component must not depend on
        x, the values or the firsts (so F is affine in them with coefficients a(params)). Anything
        else, or any failure of the analysis, means "no". Returns (spec or None, reason if None).
        """
        order = max((request_order(m) for _, m in self.requests), default=0)
        if order != 1:
            return None, f"it needs derivatives of order {order}, not first derivatives only"
        if self.derivative_inputs():
            return None, f"it differentiates the inputs {self.derivative_inputs()}"
        firsts = [(n, m) for n, m in self.requests if len(m) == 1]
        differentiated = sorted({n for n, _ in firsts})
        if len(differentiated) != 1:
            return None, f"it differentiates several fields {differentiated}"
        values = [n for n, m in self.requests if not m]
        pure = self._pure_residual(values, firsts)
        dtype = jnp.result_type(float)
        args = (
            jnp.full((len(self.coords),), 0.5, dtype),
            jnp.full((len(values),), 0.5, dtype),
            jnp.full((len(firsts),), 0.5, dtype),
            {k: jnp.asarray(v, dtype) for k, v in self.params.items()},
        )
        try:
            jaxpr = jax.make_jaxpr(pure)(*args).jaxpr
            carriers = [k for k in range(len(jaxpr.outvars)) if used_inputs(jaxpr, [k])[2]]
            if len(carriers) != 1:
                return None, f"{len(carriers)} residual components depend on the first derivatives, not one"
            (k,) = carriers
            jacobian = jax.make_jaxpr(jax.jacfwd(lambda *a: pure(*a)[k], argnums=2))(*args)
            uses = used_inputs(jacobian.jaxpr, range(len(jacobian.jaxpr.outvars)))
        except Exception as e:  # noqa: BLE001 - an analysis we cannot complete means "not directional"
            return None, f"its jaxpr could not be analysed ({type(e).__name__}: {e})"
        bad = [
            name
            for name, used in zip(("the point x", "the field/input values", "the first derivatives"), uses[:3])
            if used
        ]
        if bad:
            return None, (
                f"its coefficients of the first derivatives depend on {', '.join(bad)} "
                f"(it must be affine in them with coefficients depending on parameters only)"
            )
        return _Directional(differentiated[0], k, tuple(m[0] for _, m in firsts), jacobian), ""

    def _pure_residual(self, values: Sequence[str], firsts: Sequence[tuple[str, tuple[int, ...]]]) -> Callable:
        """The residual as F(x (d,), values (len(values),), firsts (len(firsts),), params) -> tuple
        of the scalar components (one for a scalar residual); ``values[i]`` is the value of the
        field or input named ``values[i]``, ``firsts[j]`` the derivative request ``firsts[j]``."""
        components = self.components

        def pure(x, value_vec, first_vec, params):
            table = {
                **{(n, ()): value_vec[i] for i, n in enumerate(values)},
                **{key: first_vec[j] for j, key in enumerate(firsts)},
            }
            out = self.residual(Point(self, lambda name, index: table[(name, index)], x, params))
            return tuple(out[c] for c in components) if components is not None else (out,)

        return pure

    def _record(self):
        """Trace the residual once (abstractly) to learn its derivatives and output structure."""
        requests: set[tuple[str, tuple[int, ...]]] = set()
        read: set[str] = set()

        class Recording(dict):  # the parameters, noting which ones the residual reads
            def __getitem__(self, name):
                read.add(name)
                return super().__getitem__(name)

        dtype = jnp.result_type(float)

        def resolve(name, index):
            requests.add((name, index))
            return jnp.zeros((), dtype) + 0.5

        def run(x):
            params = Recording({k: jnp.asarray(v, dtype) for k, v in self.params.items()})
            return self.residual(Point(self, resolve, x, params))

        out = jax.eval_shape(run, jax.ShapeDtypeStruct((len(self.coords),), dtype))
        if isinstance(out, Mapping):
            components = tuple(out)
            _check_names("residual components", components)
            shapes = {k: getattr(v, "shape", None) for k, v in out.items()}
        else:
            components = None
            shapes = {"residual": getattr(out, "shape", None)}
        bad = {k: s for k, s in shapes.items() if s != ()}
        if bad:
            raise ValueError(f"the residual must return a scalar or a dict of scalars per point, got shapes {bad}")
        check_trainables_read(self.trainable, read)
        return components, tuple(sorted(requests))

    # ---------------------------------------------------------------- evaluation at one point
    def derivative_inputs(self) -> tuple[str, ...]:
        """Inputs whose derivatives the residual requests (these must be given as callables)."""
        return tuple(sorted({n for n, m in self.requests if n in self.inputs and m}))

    def residuals(
        self,
        u: Callable[[Float[Array, " d"]], Float[Array, " n_fields"]],
        x: Float[Array, " d"],
        params: Mapping[str, Array] | None = None,
        inputs: Mapping[str, Callable | Array] | None = None,
    ) -> dict[str, Array]:
        """The residual components at one point ``x`` (shape (d,)); callers ``vmap``.

        Args:
            u: the solution, ``u(x) -> (n_fields,)`` (a PINN ``model``, or ``lambda y: model(a, y)``
                for a physics-informed DeepONet).
            params: current parameter values (missing ones take their target value, or for a
                trainable one its current value in ``u`` when ``u`` is an :class:`InverseModel`,
                else its initial value; an unknown name is a ``ValueError``).
            inputs: name → callable of :class:`Coordinates` (differentiated together with ``u``)
                or a scalar value at ``x`` (no derivatives).
        Returns:
            dict component → scalar (key ``"residual"`` for a scalar residual).
        """
        params = dict(params or {})
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            raise ValueError(
                f"params: unknown parameter {unknown[0]!r}; the equation's parameters are {tuple(self.params)}"
            )
        learned = u.parameters() if isinstance(u, AbstractTrainableParameters) else {}
        params = {**self.params, **{k: v for k, v in learned.items() if k in self.trainable}, **params}
        inputs = dict(inputs or {})
        missing = [n for n in self.inputs if n not in inputs]
        unknown = [n for n in inputs if n not in self.inputs]
        if missing or unknown:
            raise ValueError(f"inputs: the equation declares {self.inputs}; missing {missing}, unknown {unknown}")
        need_grad = self.derivative_inputs()
        for n in need_grad:
            if not callable(inputs[n]):
                raise ValueError(
                    f"input {n!r}: the residual differentiates it, so it must be a callable of the "
                    f"coordinates, not a value"
                )
        funcs = list(need_grad)  # differentiated with the network; the other inputs are values at x
        given = {n: self._input_value(inputs[n], x) for n in self.inputs if n not in need_grad}
        n_fields = len(self.fields)

        def augmented(y):
            out = jnp.reshape(u(y), (-1,))
            if out.shape != (n_fields,):
                raise ValueError(
                    f"the network must return shape ({n_fields},) for fields {self.fields}, got {out.shape}"
                )
            pt = Coordinates(self.coords, y)
            extra = [jnp.reshape(jnp.asarray(inputs[n](pt), out.dtype), (1,)) for n in funcs]
            return jnp.concatenate([out, *extra]) if extra else out

        if self.directional is not None:
            return self._directional_residuals(augmented, x, params, given)
        table = self.plan(augmented, x)
        column = {n: i for i, n in enumerate(self.fields + tuple(funcs))}

        def resolve(name, index):
            if name not in column:
                return given[name]
            if is_laplacian(index) and index not in table:  # a Laplacian under a nested plan
                return sum(table[(i, i)][column[name]] for i in index[1:])
            return table[index][column[name]]

        out = self.residual(Point(self, resolve, x, params))
        return dict(out) if self.components is not None else {"residual": out}

    def _input_value(self, given: Callable | Array, x: Array) -> Array:
        """An input's value at ``x``: a callable of :class:`Coordinates` evaluated there (scalar),
        or the given per-point value itself."""
        if callable(given):
            return jnp.reshape(jnp.asarray(given(Coordinates(self.coords, x)), x.dtype), ())
        return jnp.asarray(given, x.dtype)

    def _directional_residuals(
        self, augmented: Callable, x: Array, params: Mapping[str, Array], given: Mapping[str, Array]
    ) -> dict[str, Array]:
        """R = F(x, values, 0, params) + D_a f(x), a_i = ∂F/∂(∂_i f) (from the parameters only):
        the values and D_a f from one ``jax.jvp`` of the network along a."""
        spec = self.directional
        values = [n for n, m in self.requests if not m]
        firsts = [(spec.field, (i,)) for i in spec.firsts]
        pure = self._pure_residual(values, firsts)
        zero_firsts = jnp.zeros((len(firsts),), x.dtype)
        y, dy = self.plan.along(augmented, x, spec.direction(params, x))
        column = {n: i for i, n in enumerate(self.fields)}
        value_vec = (
            jnp.stack([y[column[n]] if n in column else given[n] for n in values])
            if values
            else jnp.zeros((0,), x.dtype)
        )
        out = list(pure(x, value_vec, zero_firsts, params))
        out[spec.component] = out[spec.component] + dy[column[spec.field]]
        names = self.components if self.components is not None else ("residual",)
        return dict(zip(names, out))
