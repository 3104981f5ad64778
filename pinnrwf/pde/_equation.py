"""A PDE declaration: named coordinates, fields, parameters and inputs, and a pointwise residual.

The residual is a pure function of one point, written against a :class:`Point` accessor::

    heat = Equation(coords=("x", "t"), fields=("u",), params={"kappa": 0.1},
                    residual=lambda p: p.u_t - p.kappa * p.u_xx)

``p.u`` is a field value, ``p.u_xx`` (or ``p.d("u", "x", "x")``) a derivative, ``p.x`` a
coordinate value, ``p.kappa`` a parameter, ``p.a`` / ``p.a_x`` an input function (e.g. a source or
coefficient) and its derivative. A residual returns a scalar or a dict of named scalar components
(e.g. Navier–Stokes ``{"u": ..., "v": ..., "c": ...}``).

At construction the residual is traced once, abstractly, with a recording accessor: unknown names
raise ``ValueError`` there, and the requested derivatives fix a :class:`DerivativePlan`, so at run
time only those derivatives are computed, all fields sharing each forward-mode pass.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Mapping, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from pinnrwf._validation import finite_number, function

from ._derivatives import DerivativePlan

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
        eq = self._equation
        if name not in eq.fields and name not in eq.inputs:
            raise ValueError(
                f"unknown field or input {name!r}; fields are {eq.fields}, inputs are {eq.inputs}"
            )
        index = []
        for c in coords:
            if c not in eq.coords:
                raise ValueError(
                    f"derivative of {name!r} with respect to {c!r}, which is not a coordinate; "
                    f"the coordinates are {eq.coords}"
                )
            index.append(eq.coords.index(c))
        return self._resolve(name, tuple(sorted(index)))

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
                text = text[len(c):]
                break
        else:
            raise ValueError(
                f"in {name!r}: {text!r} is not a run of coordinate names; the coordinates are {coords}"
            )
    return out


class Equation(eqx.Module):
    """A PDE: coordinates, fields, parameters (with target values), inputs and a pointwise residual.

    Args:
        coords: coordinate names in the order of the network input ``x`` of shape (d,).
        fields: field names in the order of the network output, shape (n_fields,).
        residual: ``residual(p: Point) -> scalar | dict[str, scalar]``.
        params: name → target value. Parameters may follow a schedule during training
            (see :func:`curriculum`); the schedule must end at this value.
        inputs: names of given functions of the coordinates (source terms, coefficients) that the
            residual reads like fields (value and derivatives), supplied at evaluation time either
            as callables of :class:`Coordinates` (differentiable) or as per-point values.
        time: the time coordinate (default ``"t"`` when declared, else ``None``); needed by
            initial conditions and causal weighting.
    """

    coords: tuple[str, ...] = eqx.field(static=True)
    fields: tuple[str, ...] = eqx.field(static=True)
    residual: Residual = eqx.field(static=True)
    params: dict[str, float] = eqx.field(static=True)
    inputs: tuple[str, ...] = eqx.field(static=True)
    time: str | None = eqx.field(static=True)
    components: tuple[str, ...] | None = eqx.field(static=True)  # None: a scalar residual
    requests: tuple[tuple[str, tuple[int, ...]], ...] = eqx.field(static=True)
    plan: DerivativePlan = eqx.field(static=True)

    def __init__(
        self,
        coords: Sequence[str],
        fields: Sequence[str],
        residual: Residual,
        params: Mapping[str, float] | None = None,
        inputs: Sequence[str] = (),
        time: str | None = "t",
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
        self.params = {k: finite_number(f"params[{k!r}]", v) for k, v in params.items()}
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
        self.plan = DerivativePlan([m for _, m in self.requests], len(self.coords))

    def _record(self):
        """Trace the residual once (abstractly) to learn its derivatives and output structure."""
        requests: set[tuple[str, tuple[int, ...]]] = set()

        dtype = jnp.result_type(float)

        def resolve(name, index):
            requests.add((name, index))
            return jnp.zeros((), dtype) + 0.5

        def run(x):
            params = {k: jnp.asarray(v, dtype) for k, v in self.params.items()}
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
            raise ValueError(
                f"the residual must return a scalar or a dict of scalars per point, got shapes {bad}"
            )
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
            params: current parameter values (missing ones take their target value; an unknown
                name is a ``ValueError``).
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
        params = {**self.params, **params}
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
        funcs = [n for n in self.inputs if callable(inputs[n])]
        n_fields = len(self.fields)

        def augmented(y):
            out = jnp.reshape(u(y), (-1,))
            if out.shape != (n_fields,):
                raise ValueError(f"the network must return shape ({n_fields},) for fields {self.fields}, got {out.shape}")
            pt = Coordinates(self.coords, y)
            extra = [jnp.reshape(jnp.asarray(inputs[n](pt), out.dtype), (1,)) for n in funcs]
            return jnp.concatenate([out, *extra]) if extra else out

        table = self.plan(augmented, x)
        column = {n: i for i, n in enumerate(self.fields + tuple(funcs))}

        def resolve(name, index):
            if name in column:
                return table[index][column[name]]
            return jnp.asarray(inputs[name], x.dtype)

        out = self.residual(Point(self, resolve, x, params))
        return dict(out) if self.components is not None else {"residual": out}
