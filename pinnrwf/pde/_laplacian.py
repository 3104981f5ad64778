"""Forward Laplacian: f(x), ∇f(x) and Δf(x) = Σ_i ∂²f/∂x_i² in one forward pass through f's jaxpr.

Li et al. (2023, "Forward Laplacian") carry the triple (h, ∇h, Δh) through the computation instead
of differentiating twice. For a linear map z = W h + b: ∇z = W ∇h, Δz = W Δh. For an elementwise
y = σ(z): ∇y = σ'(z) ∇z and Δy = σ'(z) Δz + σ''(z) Σ_i (∂_i z)². A layer then costs 1 + d + 1
matrix products for d coordinates, against 1 + 3d for the d nested-jvp passes along (e_i, e_i).
Measured on the NS residual of a 5 × 128 tanh MLP: 1.66 vs 2.67 GFLOP per gradient step, 2.0× the
speed on CPU (``benchmarks/results/derivative-plans/cpu-xeon-2c/ns-forward-laplacian/``).

:func:`forward_laplacian` works on any traceable ``f: (d,) -> (n,)`` by interpreting its jaxpr:
- a primitive whose inputs are all independent of x is evaluated as is;
- a call primitive (``jit``/``pjit``, ``closed_call``, ``custom_jvp_call``, ``custom_vjp_call``)
  is interpreted inside;
- any other primitive P uses JAX's own jvp rules: ∇y_i = ∂P[∂_i x] (one jvp per coordinate,
  vmapped), and Δy = ∂P[Δx] + Σ_i ∂²P[∂_i x, ∂_i x]. The second term is left out for primitives
  that are affine in their x-dependent inputs (sums, reshapes, a product with one x-dependent
  factor such as W·h, …). It is one nested jvp per coordinate of an elementwise or small op.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.extend import core as jcore
from jaxtyping import Array, Float

# Primitives affine in their x-dependent inputs whatever those are: no second-order term.
_AFFINE = frozenset(
    {
        "add",
        "add_any",
        "sub",
        "neg",
        "reshape",
        "broadcast_in_dim",
        "transpose",
        "squeeze",
        "expand_dims",
        "concatenate",
        "slice",
        "dynamic_slice",
        "dynamic_update_slice",
        "gather",
        "convert_element_type",
        "copy",
        "copy_p",
        "reduce_sum",
        "pad",
        "rev",
        "select_n",
        "reduce_precision",
        "real",
        "imag",
        "cumsum",
    }
)
# Bilinear primitives: affine when exactly one operand depends on x.
_BILINEAR = frozenset({"mul", "dot_general", "conv_general_dilated"})
# Elementwise functions of one input: σ'(z) and σ''(z) are formed once and combined as
# ∇y = σ'(z) ∇z, Δy = σ'(z) Δz + σ''(z) Σ_i (∂_i z)² (fewer operations than the generic rule).
_UNARY = frozenset(
    {
        "tanh",
        "logistic",
        "sin",
        "cos",
        "tan",
        "exp",
        "exp2",
        "expm1",
        "log",
        "log1p",
        "sqrt",
        "rsqrt",
        "cbrt",
        "sinh",
        "cosh",
        "asinh",
        "acosh",
        "atanh",
        "asin",
        "acos",
        "atan",
        "erf",
        "erfc",
        "integer_pow",
        "square",
        "abs",
        "sign",
        "floor",
        "ceil",
        "round",
    }
)
_CALLS = {
    "jit": "jaxpr",
    "pjit": "jaxpr",
    "closed_call": "call_jaxpr",
    "core_call": "call_jaxpr",
    "custom_jvp_call": "call_jaxpr",
    "custom_vjp_call": "call_jaxpr",
    "custom_vjp_call_jaxpr": "fun_jaxpr",
    "remat": "jaxpr",
    "checkpoint": "jaxpr",
}


class _Dual:
    """A value with its gradient (d, *shape) and Laplacian (*shape) with respect to x."""

    __slots__ = ("value", "grad", "lap")

    def __init__(self, value, grad, lap):
        self.value, self.grad, self.lap = value, grad, lap


def forward_laplacian(
    f: Callable[[Float[Array, " d"]], Float[Array, " n"]], x: Float[Array, " d"], coords: Sequence[int] | None = None
):
    """``(f(x), ∇f(x), Δf(x))`` of ``f: (d,) -> (n,)`` at one point, shapes (n,), (d, n), (n,).

    ``coords``: the coordinate indices the Laplacian sums over (default all d, e.g. ``(0,)`` for
    the x-part of an (x, t) problem); the gradient always has all d rows. Any function JAX can
    trace; the caller ``vmap``s over points. The results equal the nested forward-mode derivatives
    to round-off.
    """
    x = jnp.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"x must be one point of shape (d,), got shape {x.shape}")
    d = x.shape[0]
    coords = tuple(range(d)) if coords is None else tuple(coords)
    if not coords or any(not (isinstance(i, int) and 0 <= i < d) for i in coords) or len(set(coords)) != len(coords):
        raise ValueError(f"coords must be distinct coordinate indices in 0..{d - 1}, got {coords}")
    closed = jax.make_jaxpr(f)(x)
    # The seed's gradient rows are ordered: the Laplacian's coordinates first, then the others.
    order = coords + tuple(i for i in range(d) if i not in coords)
    seed = _Dual(x, jnp.asarray(np.eye(d)[list(order)], x.dtype), jnp.zeros_like(x))
    (out,) = _interpret(closed.jaxpr, closed.consts, [seed], len(coords))
    if not isinstance(out, _Dual):  # f does not depend on x
        out = _Dual(out, jnp.zeros((d, *jnp.shape(out)), jnp.result_type(out)), jnp.zeros_like(out))
    grad = out.grad if order == tuple(range(d)) else out.grad[np.argsort(order)]  # back to coordinate order
    return out.value, grad, out.lap


def _interpret(jaxpr, consts, args, k: int):
    env: dict = {}

    def read(v):
        return v.val if isinstance(v, jcore.Literal) else env[v]

    for var, val in zip(jaxpr.constvars, consts):
        env[var] = val
    for var, val in zip(jaxpr.invars, args):
        env[var] = val
    for eqn in jaxpr.eqns:
        ins = [read(v) for v in eqn.invars]
        outs = _apply(eqn, ins, k)
        if not eqn.primitive.multiple_results:
            outs = [outs]
        for var, val in zip(eqn.outvars, outs):
            env[var] = val
    return [read(v) for v in jaxpr.outvars]


def _apply(eqn, ins, k):
    """One equation; ``k``: the Laplacian sums over the first k gradient rows."""
    prim, params = eqn.primitive, eqn.params
    varying = [isinstance(a, _Dual) for a in ins]
    if not any(varying):
        return prim.bind(*ins, **params)
    name = prim.name
    if name in _CALLS and _CALLS[name] in params:
        inner = params[_CALLS[name]]
        inner_jaxpr, inner_consts = (inner.jaxpr, inner.consts) if hasattr(inner, "consts") else (inner, ())
        outs = _interpret(inner_jaxpr, inner_consts, ins, k)
        return outs if prim.multiple_results else outs[0]
    values = [a.value if v else a for a, v in zip(ins, varying)]
    idx = [i for i, v in enumerate(varying) if v]
    primals = [values[i] for i in idx]

    def fun(*xs):  # the primitive as a function of its x-dependent inputs only
        full = list(values)
        for i, xi in zip(idx, xs):
            full[i] = xi
        return prim.bind(*full, **params)

    if not prim.multiple_results and not jnp.issubdtype(eqn.outvars[0].aval.dtype, jnp.inexact):
        return fun(*primals)  # a comparison or an index: piecewise constant in x
    if name in _UNARY and len(ins) == 1:
        z = ins[0]
        ones = jnp.ones_like(z.value)
        out, d1 = jax.jvp(fun, [z.value], [ones])
        d2 = jax.jvp(lambda v: jax.jvp(fun, [v], [ones])[1], [z.value], [ones])[1]
        return _Dual(out, d1 * z.grad, d1 * z.lap + d2 * jnp.sum(z.grad[:k] * z.grad[:k], axis=0))
    out, lap = jax.jvp(fun, primals, [ins[i].lap for i in idx])
    grads = jax.vmap(lambda *t: jax.jvp(fun, primals, list(t))[1])(*[ins[i].grad for i in idx])
    affine = name in _AFFINE or (name in _BILINEAR and len(idx) == 1) or (name == "div" and idx == [0])
    if not affine:

        def second(*t):  # ∂²P[t, t] for one coordinate's tangent t
            return jax.jvp(lambda *xs: jax.jvp(fun, list(xs), list(t))[1], primals, list(t))[1]

        per_coordinate = jax.vmap(second)(*[ins[i].grad[:k] for i in idx])
        lap = jax.tree.map(lambda a, b: a + jnp.sum(b, axis=0), lap, per_coordinate)
    if prim.multiple_results:
        return [_dual_or_constant(o, g, la) for o, g, la in zip(out, grads, lap)]
    return _dual_or_constant(out, grads, lap)


def _dual_or_constant(value, grad, lap):
    """A float result carries its derivatives; an integer or boolean one (a comparison, an index)
    is piecewise constant in x and is treated as a constant."""
    if jnp.issubdtype(jnp.result_type(value), jnp.inexact):
        return _Dual(value, grad, lap)
    return value


#: First entry of a request index that stands for a Laplacian, ``(LAPLACIAN, i, j, …)`` = Σ over
#: the coordinates i, j, … of the pure second derivatives (multi-indices are never negative).
LAPLACIAN = -1


def is_laplacian(index: tuple[int, ...]) -> bool:
    """Whether a request index stands for a Laplacian (see :data:`LAPLACIAN`)."""
    return bool(index) and index[0] == LAPLACIAN


def request_order(index: tuple[int, ...]) -> int:
    """The differential order of a request index (a Laplacian is of order 2)."""
    return 2 if is_laplacian(index) else len(index)


class LaplacianPlan:
    """The derivative plan of a residual whose only second derivatives are one Laplacian
    (``p.laplacian("u")``, or a single pure second derivative such as ``p.u_xx``, the Laplacian
    over one coordinate): value, all first derivatives and Δ over ``lap_coords`` from one
    :func:`forward_laplacian` pass. Static and hashable like :class:`DerivativePlan`."""

    mode = "laplacian"
    order = 2

    def __init__(self, lap_coords: tuple[int, ...], num_coords: int):
        self.lap_coords, self.num_coords = tuple(lap_coords), num_coords

    def __call__(self, f: Callable, x: Float[Array, " d"]) -> dict[tuple[int, ...], Array]:
        if x.shape != (self.num_coords,):
            raise ValueError(f"point must have shape ({self.num_coords},), got {x.shape}")
        value, grad, lap = forward_laplacian(f, x, self.lap_coords)
        table = {(): value, **{(i,): grad[i] for i in range(self.num_coords)}, (LAPLACIAN, *self.lap_coords): lap}
        if len(self.lap_coords) == 1:  # over one coordinate i, Δ is the pure second derivative ∂_ii
            table[(self.lap_coords[0],) * 2] = lap
        return table

    def __repr__(self):
        return f"LaplacianPlan(mode='laplacian', coords={self.lap_coords})"
