"""Domains and point samplers (fixed shapes, sampled on device with ``jax.random``).

:class:`Domain` is an axis-aligned box over named coordinates; :class:`Region` gives any
:mod:`pinnrwf.geometry` shape (a disk minus holes, a polygon, …, optionally × a time interval)
names for its coordinates. Boundary samplers of both (:class:`AbstractBoundarySampler`) also give
the outward unit normals, which :class:`~pinnrwf.pde.Neumann` and :class:`~pinnrwf.pde.Robin` use.

Every sampler returns points of shape (n, d) with columns in its domain's coordinate order;
:class:`~pinnrwf.pde.PINNObjective` reorders them to the equation's order. Points have JAX's
default float dtype (float32, or float64 with ``jax_enable_x64``).
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, PRNGKeyArray

from pinnrwf import geometry as geo
from pinnrwf._validation import finite_number, function, instance, one_of, positive_int, positive_number

from ._equation import Coordinates


class Domain(eqx.Module):
    """A box ∏ [lo_i, hi_i] over named coordinates, e.g. ``Domain({"x": (0, 2π), "t": (0, 1)})``.

    ``time`` names the time coordinate (default ``"t"`` when present): boundary faces are taken
    over the other (spatial) coordinates and ``initial`` fixes it at its lower bound.
    """

    coords: tuple[str, ...] = eqx.field(static=True)
    lower: tuple[float, ...] = eqx.field(static=True)
    upper: tuple[float, ...] = eqx.field(static=True)
    time: str | None = eqx.field(static=True)

    def __init__(self, bounds: Mapping[str, tuple[float, float]], time: str | None = "t"):
        if not isinstance(bounds, Mapping) or not bounds:
            raise ValueError(f"bounds must be a non-empty mapping name -> (lo, hi), got {bounds!r}")
        lower, upper = [], []
        for name, b in bounds.items():
            try:
                lo, hi = b
            except (TypeError, ValueError):
                raise ValueError(f"bounds[{name!r}] must be a pair (lo, hi) of numbers, got {b!r}") from None
            lo, hi = finite_number(f"bounds[{name!r}] lo", lo), finite_number(f"bounds[{name!r}] hi", hi)
            if not lo < hi:
                raise ValueError(f"bounds[{name!r}] must have lo < hi, got ({lo}, {hi})")
            lower.append(lo)
            upper.append(hi)
        self.coords = tuple(bounds)
        self.lower, self.upper = tuple(lower), tuple(upper)
        if time == "t" and "t" not in self.coords:
            time = None
        if time is not None and time not in self.coords:
            raise ValueError(f"time={time!r} is not one of the domain coordinates {self.coords}")
        self.time = time

    def index(self, coord: str) -> int:
        if coord not in self.coords:
            raise ValueError(f"unknown coordinate {coord!r}; the domain has {self.coords}")
        return self.coords.index(coord)

    @property
    def geometry(self) -> geo.AbstractGeometry:
        """The box as a :mod:`pinnrwf.geometry` shape over the spatial coordinates (in order),
        times its time interval if it has one (time then comes last, as in a :class:`Region`)."""
        space = [i for i, c in enumerate(self.coords) if c != self.time]
        box = geo.Box([self.lower[i] for i in space], [self.upper[i] for i in space])
        if self.time is None:
            return box
        i = self.index(self.time)
        return box * geo.TimeInterval(self.lower[i], self.upper[i])

    # convenience constructors -------------------------------------------------------------
    def interior(self, n: int, chunks: int | None = None) -> "Uniform":
        """Uniform points in the box (``chunks``: stratified in time, for causal weighting)."""
        return Uniform(self, n, chunks)

    def initial(self, n: int) -> "Face":
        """Uniform points on the initial slice ``time = lo``."""
        if self.time is None:
            raise ValueError(f"initial: the domain {self.coords} has no time coordinate")
        return Face(self, n, self.time, "lower")

    def face(self, coord: str, side: str, n: int) -> "Face":
        """Uniform points on the face ``coord = lo`` (side ``"lower"``) or ``= hi`` (``"upper"``)."""
        return Face(self, n, coord, side)

    def boundary(self, n: int) -> "Boundary":
        """Uniform points on all faces of the spatial coordinates, ``n`` split evenly over them."""
        return Boundary(self, n)

    def grid(self, **counts: int) -> "Points":
        """A fixed tensor grid (endpoints included), e.g. ``domain.grid(x=256, t=101)``; the
        points are ordered with the last coordinate varying fastest."""
        if set(counts) != set(self.coords):
            raise ValueError(f"grid: give a count for each coordinate {self.coords}, got {tuple(counts)}")
        counts = {c: positive_int(f"grid: {c}", counts[c], minimum=2) for c in self.coords}
        axes = [np.linspace(lo, hi, counts[c]) for c, lo, hi in zip(self.coords, self.lower, self.upper)]
        mesh = np.meshgrid(*axes, indexing="ij")
        return Points(self, np.stack([m.ravel() for m in mesh], axis=-1))


class AbstractSampler(eqx.Module):
    """``sample(key) -> (n, d)`` points in ``domain.coords`` order; ``n`` is fixed. ``domain``:
    a :class:`Domain` or a :class:`Region` (anything with ``coords`` and ``time``)."""

    domain: eqx.AbstractVar["Domain | Region"]

    @property
    @abc.abstractmethod
    def num_points(self) -> int: ...

    @abc.abstractmethod
    def sample(self, key: PRNGKeyArray) -> Float[Array, "n d"]: ...


class AbstractBoundarySampler(AbstractSampler):
    """A sampler of boundary points that also gives their outward unit normals."""

    @abc.abstractmethod
    def sample_with_normals(self, key: PRNGKeyArray) -> tuple[Float[Array, "n d"], Float[Array, "n d"]]:
        """(points, outward unit normals), both (n, d); the points are those of ``sample(key)``."""


def _check_domain(domain) -> "Domain | Region":
    return instance("domain", domain, (Domain, Region), "a pinnrwf.pde.Domain or Region")


def _uniform(key, n, lower, upper):
    lo, hi = jnp.asarray(lower, dtype=float), jnp.asarray(upper, dtype=float)
    return lo + (hi - lo) * jax.random.uniform(key, (n, len(lower)), dtype=lo.dtype)


class Uniform(AbstractSampler):
    """Uniform random points in the box. With ``chunks = M`` the time interval is cut into M
    equal chunks and the points come as M consecutive blocks of n/M, block i in chunk i
    (what causal weighting needs)."""

    domain: Domain
    n: int = eqx.field(static=True)
    chunks: int | None = eqx.field(static=True, default=None)

    def __check_init__(self):
        _check_domain(self.domain)
        positive_int("n", self.n)
        if self.chunks is not None:
            positive_int("chunks", self.chunks)
            if self.domain.time is None:
                raise ValueError(f"chunks: the domain {self.domain.coords} has no time coordinate")
            if self.n % self.chunks:
                raise ValueError(f"n = {self.n} must be a multiple of chunks = {self.chunks}")

    @property
    def num_points(self):
        return self.n

    def sample(self, key):
        pts = _uniform(key, self.n, self.domain.lower, self.domain.upper)
        if self.chunks is None:
            return pts
        i = self.domain.index(self.domain.time)
        lo, hi = self.domain.lower[i], self.domain.upper[i]
        width = (hi - lo) / self.chunks
        chunk = jnp.repeat(jnp.arange(self.chunks, dtype=pts.dtype), self.n // self.chunks)
        frac = (pts[:, i] - lo) / (hi - lo)  # uniform in [0, 1)
        return pts.at[:, i].set(lo + width * (chunk + frac))


class Face(AbstractBoundarySampler):
    """Uniform random points on one face ``coord = lower/upper bound`` (normal ∓e_coord)."""

    domain: Domain
    n: int = eqx.field(static=True)
    coord: str = eqx.field(static=True)
    side: str = eqx.field(static=True)

    def __check_init__(self):
        _check_domain(self.domain)
        positive_int("n", self.n)
        self.domain.index(self.coord)
        one_of("side", self.side, ("lower", "upper"))

    @property
    def num_points(self):
        return self.n

    @property
    def value(self) -> float:
        i = self.domain.index(self.coord)
        return self.domain.lower[i] if self.side == "lower" else self.domain.upper[i]

    def sample(self, key):
        pts = _uniform(key, self.n, self.domain.lower, self.domain.upper)
        return pts.at[:, self.domain.index(self.coord)].set(self.value)

    def sample_with_normals(self, key):
        pts = self.sample(key)
        normal = np.zeros(len(self.domain.coords))
        normal[self.domain.index(self.coord)] = -1.0 if self.side == "lower" else 1.0
        return pts, jnp.broadcast_to(jnp.asarray(normal, pts.dtype), pts.shape)


class Boundary(AbstractBoundarySampler):
    """Uniform random points on every face of the spatial coordinates (lower then upper face of
    each coordinate in order); ``n`` is split as evenly as possible (first faces get the rest)."""

    domain: Domain
    n: int = eqx.field(static=True)

    def __check_init__(self):
        _check_domain(self.domain)
        positive_int("n", self.n)
        if not self.faces:
            raise ValueError(f"boundary: the domain {self.domain.coords} has no spatial coordinate")
        if self.n < len(self.faces):
            raise ValueError(f"boundary: n = {self.n} is fewer than the {len(self.faces)} faces")

    @property
    def faces(self) -> tuple[tuple[str, str], ...]:
        return tuple((c, s) for c in self.domain.coords if c != self.domain.time for s in ("lower", "upper"))

    @property
    def num_points(self):
        return self.n

    def face_samplers(self) -> list["Face"]:
        """One :class:`Face` per spatial face with its share of ``n`` (the first faces get the rest)."""
        base, extra = divmod(self.n, len(self.faces))
        return [Face(self.domain, base + (j < extra), c, s) for j, (c, s) in enumerate(self.faces)]

    def trimmed(self, **margins: tuple[float, float]) -> "Union":
        """The same faces with the same numbers of points, each face across another coordinate
        ``c`` leaving out ``margins[c] = (below, above)`` at the ends of ``c``'s range, e.g.
        ``cavity.boundary(256).trimmed(y=(0.0, 0.01))``: side walls that stop 0.01 below the lid,
        away from its singular corners (the lid and the bottom keep their whole width). Zero
        margins draw the same points as the boundary itself. (As for any :class:`Union`, ``domain``
        is its first part's: here the first face's trimmed box.)"""
        box = {c: (lo, hi) for c, lo, hi in zip(self.domain.coords, self.domain.lower, self.domain.upper)}
        trimmed = dict(box)
        for c, (below, above) in margins.items():
            self.domain.index(c)
            trimmed[c] = (
                box[c][0] + positive_number(f"{c} margin below", below, allow_zero=True),
                box[c][1] - positive_number(f"{c} margin above", above, allow_zero=True),
            )
        faces = [
            Face(
                Domain({c: box[c] if c == face.coord else trimmed[c] for c in box}, time=self.domain.time),
                face.n,
                face.coord,
                face.side,
            )
            for face in self.face_samplers()
        ]
        return Union(faces)

    def sample(self, key):
        return Union(self.face_samplers()).sample(key)

    def sample_with_normals(self, key):
        faces = self.face_samplers()
        keys = jax.random.split(key, len(faces))  # the keys of Union.sample: the same points
        pts, normals = zip(*(f.sample_with_normals(k) for f, k in zip(faces, keys)))
        return jnp.concatenate(pts, axis=0), jnp.concatenate(normals, axis=0)


class Union(AbstractSampler):
    """The points of several samplers, concatenated in order, each drawn with its own key (split
    from the one given), e.g. the walls of a box minus a strip near a singular corner:

        walls = pde.Union([sub.face("x", "lower", 64), sub.face("x", "upper", 64),
                           box.face("y", "lower", 64), box.face("y", "upper", 64)])

    where ``sub`` is a smaller box with the same coordinates. The samplers' domains must have the
    same coordinates and time coordinate; ``domain`` is the first one's. The union of a box's
    faces in :class:`Boundary`'s order draws the same points as ``Boundary``.
    """

    samplers: tuple[AbstractSampler, ...]

    def __init__(self, samplers: Sequence[AbstractSampler]):
        samplers = tuple(samplers) if isinstance(samplers, (list, tuple)) else samplers
        if not isinstance(samplers, tuple) or not samplers:
            raise ValueError(f"samplers must be a non-empty list of samplers, got {samplers!r}")
        for i, s in enumerate(samplers):
            if not isinstance(s, AbstractSampler):
                raise ValueError(f"samplers[{i}] must be a sampler (e.g. domain.face(...)), got {type(s).__name__}")
            if (s.domain.coords, s.domain.time) != (samplers[0].domain.coords, samplers[0].domain.time):
                raise ValueError(
                    f"samplers[{i}] has coordinates {s.domain.coords} (time {s.domain.time!r}); "
                    f"samplers[0] has {samplers[0].domain.coords} (time {samplers[0].domain.time!r})"
                )
        self.samplers = samplers

    @property
    def domain(self) -> Domain:
        return self.samplers[0].domain

    @property
    def num_points(self):
        return sum(s.num_points for s in self.samplers)

    def sample(self, key):
        keys = jax.random.split(key, len(self.samplers))
        return jnp.concatenate([s.sample(k) for s, k in zip(self.samplers, keys)], axis=0)


class Points(AbstractSampler):
    """A fixed set of points (evaluation grids, measurement locations); ``sample`` ignores the key."""

    domain: Domain
    points: Float[Array, "n d"]

    def __init__(self, domain: Domain, points):
        _check_domain(domain)
        points = jnp.asarray(points, dtype=float)
        if points.ndim != 2 or points.shape[1] != len(domain.coords) or points.shape[0] == 0:
            raise ValueError(
                f"points must have shape (n, {len(domain.coords)}) for coordinates {domain.coords}, got {points.shape}"
            )
        if not isinstance(points, jax.core.Tracer) and not bool(jnp.all(jnp.isfinite(points))):
            raise ValueError("points must be finite")
        self.domain, self.points = domain, points

    @property
    def num_points(self):
        return self.points.shape[0]

    def sample(self, key):
        return self.points


# -------------------------------------------------------------------------- any geometry
class Region(eqx.Module):
    """A :mod:`pinnrwf.geometry` shape with named coordinates, e.g.

        plate = pde.Region(geometry.Rectangle((0, 0), (1, 1)) - geometry.Disk((0.5, 0.5), 0.2), ("x", "y"))
        heat = pde.Region(geometry.Disk((0, 0), 1) * geometry.TimeInterval(0, 1), ("x", "y", "t"))

    ``coords`` names the geometry's coordinates in order; for a space–time geometry
    (``shape * TimeInterval``) the last one is time (``time``, default that name). Samplers:
    :meth:`interior`, :meth:`boundary` (points and outward normals, by part or predicate),
    :meth:`initial`.
    """

    geometry: geo.AbstractGeometry
    coords: tuple[str, ...] = eqx.field(static=True)
    time: str | None = eqx.field(static=True)

    def __init__(self, geometry: geo.AbstractGeometry, coords: Sequence[str], time: str | None = None):
        instance("geometry", geometry, geo.AbstractGeometry, "a pinnrwf.geometry shape")
        coords = (coords,) if isinstance(coords, str) else tuple(coords)
        if (
            len(coords) != geometry.dim
            or not all(isinstance(c, str) and c for c in coords)
            or len(set(coords)) != len(coords)
        ):
            raise ValueError(f"coords must be {geometry.dim} distinct names (the geometry's dimension), got {coords!r}")
        if isinstance(geometry, geo.TimeDependent):
            if time not in (None, coords[-1]):
                raise ValueError(f"time={time!r} must be the last coordinate {coords[-1]!r} of a space–time geometry")
            time = coords[-1]
        elif time is not None:
            raise ValueError(f"time={time!r}: the geometry has no time interval (use shape * TimeInterval(t0, t1))")
        self.geometry, self.coords, self.time = geometry, coords, time

    def index(self, coord: str) -> int:
        if coord not in self.coords:
            raise ValueError(f"unknown coordinate {coord!r}; the region has {self.coords}")
        return self.coords.index(coord)

    def interior(self, n: int, method: str = "random", *, seed: int = 0) -> "RegionInterior":
        """Uniform points inside (``method``: ``"random"``, ``"sobol"``, ``"halton"``, ``"lhs"``)."""
        return RegionInterior(self, geo.InteriorSampler(self.geometry, n, method, seed=seed))

    def boundary(self, n: int, part: str | Sequence[str] | None = None, where=None) -> "RegionBoundary":
        """Uniform points on the boundary parts ``part`` (``None``: all), optionally only where
        ``where(pt)`` holds (``pt``: the point's coordinates, ``pt.x``, …), with outward normals."""
        if where is not None:
            function("where", where)
            coords, predicate = self.coords, where
            where = lambda x: predicate(Coordinates(coords, x))  # noqa: E731
        return RegionBoundary(self, geo.BoundarySampler(self.geometry, n, part, where))

    def initial(self, n: int, method: str = "random", *, seed: int = 0) -> "RegionInitial":
        """Uniform points on the initial slice (time at its lower bound)."""
        if self.time is None:
            raise ValueError(f"initial: the region {self.coords} has no time coordinate")
        return RegionInitial(self, geo.InitialSampler(self.geometry, n, method, seed=seed))


class RegionInterior(AbstractSampler):
    """Points inside a :class:`Region` (see :class:`pinnrwf.geometry.InteriorSampler`)."""

    domain: Region
    sampler: geo.InteriorSampler

    @property
    def num_points(self):
        return self.sampler.n

    def sample(self, key):
        return self.sampler.sample(key)


class RegionInitial(AbstractSampler):
    """Points on a :class:`Region`'s initial slice (see :class:`pinnrwf.geometry.InitialSampler`)."""

    domain: Region
    sampler: geo.InitialSampler

    @property
    def num_points(self):
        return self.sampler.num_points

    def sample(self, key):
        return self.sampler.sample(key)


class RegionBoundary(AbstractBoundarySampler):
    """Points on a :class:`Region`'s boundary, with outward unit normals (see
    :class:`pinnrwf.geometry.BoundarySampler`)."""

    domain: Region
    sampler: geo.BoundarySampler

    @property
    def num_points(self):
        return self.sampler.n

    def sample(self, key):
        return self.sampler.sample(key)[0]

    def sample_with_normals(self, key):
        return self.sampler.sample(key)
