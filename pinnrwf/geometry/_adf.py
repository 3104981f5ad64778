"""Exact (hard) Dirichlet conditions from approximate distance functions (Sukumar & Srivastava 2022).

``phi = distance_function(geometry, part)`` is zero on the chosen boundary parts and positive
inside; then ``u = g + φ·N`` equals g on those parts for every network N::

    phi = geometry.distance_function(plate - hole, part=("left", "circle"))
    model = nn.OutputTransform(net, geometry.DirichletTransform(phi, g))

Each boundary piece (a segment, a circle, an ellipse, a sphere) has its own normalized distance
function φᵢ (a trimmed segment, eq. 5–7 of the paper; (R² − |x − c|²)/2R for a circle); they are
joined by R-equivalence with m = 1, φ = 1 / Σᵢ 1/φᵢ (eq. 14), which is zero exactly where one φᵢ is
and has unit normal derivative there. In 3D the faces of a box use their (untrimmed) planes.
At construction, points drawn on each chosen piece and inside the domain (fixed seed) check that no
φᵢ vanishes or changes sign inside the domain (e.g. an arc of a union's circle inside the other
operand), which raises ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from pinnrwf._validation import function, instance

from ._base import AbstractGeometry, Leaf, TimeDependent
from ._sampling import _parts, _space

CHECK_POINTS = 1024


class DistanceFunction(eqx.Module):
    """φ(x) for one point x (d,): zero on the chosen boundary parts, positive inside (see the
    module docstring). For a space–time geometry, φ depends on the spatial coordinates only."""

    geometry: AbstractGeometry
    parts: tuple[str, ...] = eqx.field(static=True)
    pieces: tuple[tuple[int, int], ...] = eqx.field(static=True)

    def __init__(self, geometry: AbstractGeometry, part: str | Sequence[str] | None = None):
        self.geometry = instance("geometry", geometry, AbstractGeometry, "a pinnrwf.geometry shape")
        self.parts = _parts(geometry, part)
        leaves = _space(geometry).leaves()
        self.pieces = tuple(
            (l, i)
            for l, leaf in enumerate(leaves)
            for i, name in enumerate(leaf.primitive.piece_names)
            if name in self.parts
        )
        self._check(leaves)

    def _check(self, leaves: tuple[Leaf, ...]):
        space = _space(self.geometry)
        scale = max(h - l for l, h in zip(*space.bounds))

        def worst(key):
            """Per chosen piece: min φᵢ at interior points, and whether a point of the piece off
            the boundary lies strictly inside the domain."""
            lo, hi = (jnp.asarray(b, dtype=float) for b in space.bounds)
            box = lo + (hi - lo) * jax.random.uniform(key, (CHECK_POINTS, space.dim), dtype=lo.dtype)
            inside = jax.vmap(space.signed_distance)(box) < -1e-5 * scale
            out = []
            for l, i in self.pieces:
                leaf = leaves[l]
                phi = jnp.where(inside, jax.vmap(lambda x: self._piece(leaf, i, x))(box), jnp.inf)
                u = jax.random.uniform(jax.random.fold_in(key, l), (CHECK_POINTS, leaf.primitive.boundary_unit_dim))
                on_piece = jax.vmap(lambda u: leaf.primitive.boundary_point(i, u)[0])(u)
                dropped = ~jax.vmap(leaf.on_boundary)(on_piece)
                through = jnp.any(dropped & (jax.vmap(space.signed_distance)(on_piece) < -1e-5 * scale))
                out.append((jnp.min(phi), through))
            return out

        with jax.ensure_compile_time_eval():
            results = worst(jax.random.PRNGKey(0))
        for (l, i), (min_phi, through) in zip(self.pieces, results):
            name = leaves[l].primitive.piece_names[i]
            if not float(min_phi) > 0:
                raise ValueError(
                    f"part: the distance function of a piece of {name!r} vanishes or is negative "
                    f"inside the domain (e.g. a curved piece of a union); choose other parts"
                )
            if bool(through):
                raise ValueError(
                    f"part: a piece of {name!r} runs through the inside of the domain, where its "
                    f"distance function would vanish; choose other parts"
                )

    @staticmethod
    def _piece(leaf: Leaf, piece: int, x):
        return leaf.primitive.piece_distance(piece, x, -1.0 if leaf.flip else 1.0)

    def __call__(self, x: Float[Array, " d"]) -> Float[Array, ""]:
        if isinstance(self.geometry, TimeDependent):
            x = x[:-1]
        leaves = _space(self.geometry).leaves()
        phis = [self._piece(leaves[l], i, x) for l, i in self.pieces]
        if len(phis) == 1:
            return phis[0]
        return 1.0 / sum(1.0 / p for p in phis)


def distance_function(geometry: AbstractGeometry, part: str | Sequence[str] | None = None) -> DistanceFunction:
    """φ: zero on the boundary parts ``part`` (a name, several, or ``None``: all), positive inside."""
    return DistanceFunction(geometry, part)


class DirichletTransform(eqx.Module):
    """``transform(x, u) = value(x) + distance(x) · u``: with :class:`pinnrwf.nn.OutputTransform`,
    a network that equals ``value`` on the distance function's zero set, exactly (to round-off).

    ``value(x)``: the Dirichlet data at one point x (d,), a scalar (broadcast to every output) or
    an array of the network's output shape.
    """

    distance: Callable
    value: Callable = eqx.field(static=True)

    def __init__(self, distance: Callable, value: Callable[[Array], Array]):
        self.distance = function("distance", distance)
        self.value = function("value", value)

    def __call__(self, x: Float[Array, " d"], u: Float[Array, " n"]) -> Float[Array, " n"]:
        return self.value(x) + self.distance(x) * u
