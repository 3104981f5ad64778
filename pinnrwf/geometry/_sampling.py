"""Fixed-shape point samplers for any geometry, traceable inside the compiled training loop.

Method (``sample(key)`` always returns exactly ``n`` points):

- **Interior of a primitive** (and of a primitive × time): an area-preserving map of uniform
  numbers (``Disk``: r = R√u₀, θ = 2πu₁; ``Polygon``: a triangle chosen by area, then a folded
  unit square; …): every draw is used, no rejection.
- **Interior of a set operation**: ``draws`` candidates uniform in the bounding box, of which the
  first ``n`` inside are kept (oversampled rejection with a fixed-size fill). ``draws`` comes from
  the fraction of the box inside, estimated at construction (:func:`~pinnrwf.geometry._base.draws_needed`:
  on average n + 6√n + 10 candidates fall inside, so a shortfall is practically never seen; if it
  happens, kept points are repeated to fill).
- **Boundary**: each candidate picks a piece (a side, an edge, a circle) of the selected parts
  with probability ∝ its length/area and a uniform point on it, with the piece's outward normal
  (flipped for a subtracted shape). For a set operation the candidates off the resulting boundary
  (e.g. the part of a hole's circle outside the plate) are dropped, as are those failing the
  predicate ``where``; the first ``n`` kept are returned (same fixed-size fill). The kept
  fraction is estimated at construction, which also rejects a selection that keeps no point.

Quasi-random points (``method="sobol"``, ``"halton"`` or ``"lhs"``, interior only): a pool of
``draws`` scrambled points of the unit cube is made once on the host (``scipy.stats.qmc``, fixed
``seed``); each step uses a fresh random shift of it modulo 1 (a Cranley–Patterson rotation),
mapped to the shape like uniform numbers. Every step sees a different, still low-discrepancy
point set, at the cost of one addition per coordinate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, PRNGKeyArray

from pinnrwf._validation import function, instance, one_of, positive_int
from pinnrwf._validation import seed as check_seed

from ._base import AbstractGeometry, AbstractPrimitive, TimeDependent, draws_needed, fill

#: The point-set methods of the samplers: uniform random, Sobol, Halton, Latin hypercube.
METHODS = ("random", "sobol", "halton", "lhs")
BOUNDARY_ESTIMATE_SAMPLES = 4096


def _space(geometry: AbstractGeometry) -> AbstractGeometry:
    return geometry.space if isinstance(geometry, TimeDependent) else geometry


def _interior_map(geometry: AbstractGeometry):
    """(k, u ↦ point, whether the point must be tested): k uniform numbers give one candidate."""
    if isinstance(geometry, TimeDependent):
        k, to_point, reject = _interior_map(geometry.space)
        t0, t1 = geometry.t0, geometry.t1
        return k + 1, lambda u: jnp.concatenate([to_point(u[:-1]), (t0 + (t1 - t0) * u[-1])[None]]), reject
    if isinstance(geometry, AbstractPrimitive):
        return geometry.interior_unit_dim, geometry.from_unit, False
    lo, hi = geometry.bounds
    return (
        geometry.dim,
        lambda u: jnp.asarray(lo, u.dtype) + (jnp.asarray(hi, u.dtype) - jnp.asarray(lo, u.dtype)) * u,
        True,
    )


def _quasi_random(method: str, num: int, dim: int, seed: int) -> np.ndarray:
    from scipy.stats import qmc

    engine = {"sobol": qmc.Sobol, "halton": qmc.Halton, "lhs": qmc.LatinHypercube}[method](d=dim, seed=seed)
    if method == "sobol":
        return engine.random_base2(int(np.ceil(np.log2(num))))[:num]
    return engine.random(num)


class InteriorSampler(eqx.Module):
    """``sample(key) -> (n, d)`` points uniform in the geometry (see the module docstring).

    Args:
        geometry: any geometry (a product with a :class:`TimeInterval` samples space × time).
        n: points per draw.
        method: ``"random"`` (default), or quasi-random ``"sobol"``, ``"halton"``, ``"lhs"``.
        seed: the quasi-random pool's scrambling seed.
    """

    geometry: AbstractGeometry
    n: int = eqx.field(static=True)
    method: str = eqx.field(static=True)
    draws: int = eqx.field(static=True)
    pool: Float[Array, "draws k"] | None

    def __init__(self, geometry: AbstractGeometry, n: int, method: str = "random", *, seed: int = 0):
        self.geometry = instance("geometry", geometry, AbstractGeometry, "a pinnrwf.geometry shape")
        self.n = positive_int("n", n)
        self.method = one_of("method", method, METHODS)
        k, _, reject = _interior_map(geometry)
        if reject:
            space = _space(geometry)
            self.draws = draws_needed(self.n, space.fraction, space.fraction_std_error)
        else:
            self.draws = self.n
        self.pool = None
        if self.method != "random":
            pool = _quasi_random(self.method, self.draws, k, check_seed("seed", seed))
            self.pool = jnp.asarray(pool, dtype=float)

    @property
    def num_points(self) -> int:
        return self.n

    def sample(self, key: PRNGKeyArray) -> Float[Array, "n d"]:
        k, to_point, reject = _interior_map(self.geometry)
        dtype = jnp.result_type(float)
        if self.pool is None:
            u = jax.random.uniform(key, (self.draws, k), dtype=dtype)
        else:
            u = jnp.mod(self.pool + jax.random.uniform(key, (k,), dtype=dtype), 1.0)
        pts = jax.vmap(to_point)(u)
        if not reject:
            return pts
        return fill(pts, jax.vmap(self.geometry.contains)(pts), self.n)


class InitialSampler(eqx.Module):
    """``sample(key) -> (n, d + 1)``: points uniform on the initial slice Ω × {t0} of a
    :class:`TimeDependent` geometry (``method``, ``seed`` as for :class:`InteriorSampler`)."""

    geometry: TimeDependent
    space_sampler: InteriorSampler

    def __init__(self, geometry: TimeDependent, n: int, method: str = "random", *, seed: int = 0):
        self.geometry = instance("geometry", geometry, TimeDependent, "a shape * TimeInterval(t0, t1)")
        self.space_sampler = InteriorSampler(geometry.space, n, method, seed=seed)

    @property
    def num_points(self) -> int:
        return self.space_sampler.n

    def sample(self, key):
        x = self.space_sampler.sample(key)
        return jnp.concatenate([x, jnp.full((x.shape[0], 1), self.geometry.t0, x.dtype)], axis=1)


def _parts(geometry: AbstractGeometry, part) -> tuple[str, ...]:
    if part is None:
        return geometry.parts
    names = (part,) if isinstance(part, str) else tuple(part)
    if not names:
        raise ValueError("part must name at least one boundary part (or be None: the whole boundary)")
    for name in names:
        if name not in geometry.parts:
            raise ValueError(f"part: {name!r} is not a boundary part; the parts are {geometry.parts}")
    return names


class BoundarySampler(eqx.Module):
    """``sample(key) -> (points (n, d), normals (n, d))``: points uniform in length/area on the
    boundary parts ``part`` (a name, several, or ``None``: the whole boundary), optionally only
    where ``where(x)`` holds (a JAX-traceable predicate of one point (d,)), with outward unit
    normals. For a space–time geometry: the lateral boundary, normals with a zero time component.
    """

    geometry: AbstractGeometry
    n: int = eqx.field(static=True)
    parts: tuple[str, ...] = eqx.field(static=True)
    where: Callable | None = eqx.field(static=True)
    pieces: tuple[tuple[int, int], ...] = eqx.field(static=True)  # (leaf, piece) of the selected parts
    weights: tuple[float, ...] = eqx.field(static=True)  # their lengths/areas
    draws: int = eqx.field(static=True)
    exact: bool = eqx.field(static=True)  # every candidate is kept: no test, no fill

    def __init__(
        self, geometry: AbstractGeometry, n: int, part: str | Sequence[str] | None = None, where: Callable | None = None
    ):
        self.geometry = instance("geometry", geometry, AbstractGeometry, "a pinnrwf.geometry shape")
        self.n = positive_int("n", n)
        self.parts = _parts(geometry, part)
        self.where = None if where is None else function("where", where)
        leaves = _space(geometry).leaves()
        self.pieces = tuple(
            (l, i)
            for l, leaf in enumerate(leaves)
            for i, name in enumerate(leaf.primitive.piece_names)
            if name in self.parts
        )
        self.weights = tuple(leaves[l].primitive.piece_lengths[i] for l, i in self.pieces)
        self.exact = where is None and all(not leaves[l].conditions for l, _ in self.pieces)
        self.draws = self.n
        if not self.exact:
            with jax.ensure_compile_time_eval():
                q = float(jnp.mean(self._candidates(jax.random.PRNGKey(0), BOUNDARY_ESTIMATE_SAMPLES)[2]))
            if q == 0:
                what = "where" if where is not None else "part"
                raise ValueError(
                    f"{what}: selects no boundary point (none of {BOUNDARY_ESTIMATE_SAMPLES} drawn on the "
                    f"parts {self.parts} with a fixed seed is kept)"
                )
            self.draws = draws_needed(self.n, q, (q * (1 - q) / BOUNDARY_ESTIMATE_SAMPLES) ** 0.5)

    @property
    def num_points(self) -> int:
        return self.n

    def _candidates(self, key, m):
        space = _space(self.geometry)
        leaves = space.leaves()
        used = sorted({l for l, _ in self.pieces})
        k = max(leaves[l].primitive.boundary_unit_dim for l in used)
        timed = isinstance(self.geometry, TimeDependent)
        dtype = jnp.result_type(float)
        u = jax.random.uniform(key, (m, 1 + k + timed), dtype=dtype)
        w = np.asarray(self.weights)
        cum = jnp.asarray(np.cumsum(w) / w.sum(), dtype)
        which = jnp.minimum(jnp.searchsorted(cum, u[:, 0], side="right"), len(self.pieces) - 1)
        leaf_of = jnp.asarray([l for l, _ in self.pieces])[which]
        piece_of = jnp.asarray([i for _, i in self.pieces])[which]
        pts = nrm = keep = None
        for l in used:
            leaf = leaves[l]
            prim = leaf.primitive
            p, nv = jax.vmap(prim.boundary_point)(
                jnp.clip(piece_of, 0, len(prim.piece_names) - 1), u[:, 1 : 1 + prim.boundary_unit_dim]
            )
            kl = jax.vmap(leaf.on_boundary)(p)
            nv = -nv if leaf.flip else nv
            if pts is None:
                pts, nrm, keep = p, nv, kl
            else:
                sel = (leaf_of == l)[:, None]
                pts, nrm, keep = jnp.where(sel, p, pts), jnp.where(sel, nv, nrm), jnp.where(sel[:, 0], kl, keep)
        if timed:
            g = self.geometry
            pts = jnp.concatenate([pts, g.t0 + (g.t1 - g.t0) * u[:, -1:]], axis=1)
            nrm = jnp.concatenate([nrm, jnp.zeros((m, 1), dtype)], axis=1)
        if self.where is not None:
            keep = keep & jax.vmap(lambda x: jnp.asarray(self.where(x), bool))(pts)
        return pts, nrm, keep

    def sample(self, key: PRNGKeyArray) -> tuple[Float[Array, "n d"], Float[Array, "n d"]]:
        pts, nrm, keep = self._candidates(key, self.draws)
        if self.exact:
            return pts, nrm
        return fill((pts, nrm), keep, self.n)
