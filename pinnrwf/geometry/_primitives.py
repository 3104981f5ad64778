"""Primitives: Interval, Rectangle, Box (n-d), Disk, Ellipse, Ball (3D), Triangle, Polygon.

Every parameter is a static Python float (a geometry holds no arrays: it is a constant of the
compiled program). Signed distances are exact for the boxes, the disk, the ball and the polygons;
the ellipse's is a first-order approximation (right sign and zero set, unit gradient on the
boundary). Interior points come from an area-preserving map of uniform numbers (no rejection).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from pinnrwf._validation import finite_number, positive_number

from ._base import AbstractPrimitive


def _point(name: str, value, dim: int | None = None) -> tuple[float, ...]:
    try:
        coords = tuple(value)
    except TypeError:
        raise ValueError(f"{name} must be a sequence of numbers, got {value!r}") from None
    if not coords or (dim is not None and len(coords) != dim):
        want = f"{dim} numbers" if dim is not None else "a non-empty sequence of numbers"
        raise ValueError(f"{name} must be {want}, got {value!r}")
    return tuple(finite_number(f"{name}[{i}]", c) for i, c in enumerate(coords))


def segment_distance(a, b, x):
    """Approximate distance function of the segment a→b (Sukumar & Srivastava 2022, eq. 5–7):
    zero exactly on the segment, ≈ the distance near it (normalized), positive elsewhere."""
    a, b = jnp.asarray(a, x.dtype), jnp.asarray(b, x.dtype)
    d = b - a
    length = jnp.sqrt(jnp.sum(d**2))
    f = ((x[0] - a[0]) * d[1] - (x[1] - a[1]) * d[0]) / length
    t = ((length / 2) ** 2 - jnp.sum((x - (a + b) / 2) ** 2)) / length
    varphi = jnp.sqrt(t**2 + f**4)
    return jnp.sqrt(f**2 + ((varphi - t) / 2) ** 2)


# ---------------------------------------------------------------------------------- boxes
class _AbstractBox(AbstractPrimitive):
    """∏ [lower_i, upper_i]; pieces: the faces, lower then upper face of each coordinate."""

    lower: eqx.AbstractVar[tuple[float, ...]]
    upper: eqx.AbstractVar[tuple[float, ...]]

    @property
    def dim(self):
        return len(self.lower)

    @property
    def bounds(self):
        return self.lower, self.upper

    @property
    def measure(self):
        return math.prod(h - l for l, h in zip(self.lower, self.upper))

    def signed_distance(self, x):
        lo, hi = jnp.asarray(self.lower, x.dtype), jnp.asarray(self.upper, x.dtype)
        q = jnp.abs(x - (lo + hi) / 2) - (hi - lo) / 2
        return jnp.sqrt(jnp.sum(jnp.maximum(q, 0) ** 2)) + jnp.minimum(jnp.max(q), 0)

    def contains(self, x):
        return jnp.all((x >= jnp.asarray(self.lower, x.dtype)) & (x <= jnp.asarray(self.upper, x.dtype)))

    @property
    def piece_lengths(self):
        ext = [h - l for l, h in zip(self.lower, self.upper)]
        return tuple(math.prod(ext[:i] + ext[i + 1 :]) for i in range(self.dim) for _ in range(2))

    @property
    def interior_unit_dim(self):
        return self.dim

    def from_unit(self, u):
        lo, hi = jnp.asarray(self.lower, u.dtype), jnp.asarray(self.upper, u.dtype)
        return lo + (hi - lo) * u

    @property
    def boundary_unit_dim(self):
        return self.dim  # the face's own coordinate is overwritten

    def boundary_point(self, piece, u):
        lo, hi = jnp.asarray(self.lower, u.dtype), jnp.asarray(self.upper, u.dtype)
        axis, upper = piece // 2, piece % 2
        on_axis = jnp.arange(self.dim) == axis
        x = jnp.where(on_axis, jnp.where(upper == 1, hi, lo), lo + (hi - lo) * u)
        return x, jnp.where(on_axis, 2.0 * upper - 1.0, 0.0).astype(u.dtype)

    def piece_distance(self, piece, x, sign):
        axis, upper = divmod(piece, 2)
        if self.dim == 2:  # the side as a trimmed segment
            ends = [list(self.lower), list(self.lower)]
            ends[0][axis] = ends[1][axis] = (self.upper if upper else self.lower)[axis]
            ends[1][1 - axis] = self.upper[1 - axis]
            return segment_distance(ends[0], ends[1], x)
        # the face's plane (untrimmed: zero on the whole hyperplane)
        return sign * ((self.upper[axis] - x[axis]) if upper else (x[axis] - self.lower[axis]))


def _box_bounds(lower, upper, dim=None):
    lower, upper = _point("lower", lower, dim), _point("upper", upper, dim)
    if len(lower) != len(upper):
        raise ValueError(f"lower and upper must have the same length, got {len(lower)} and {len(upper)}")
    for i, (lo, hi) in enumerate(zip(lower, upper)):
        if not lo < hi:
            raise ValueError(f"lower[{i}] must be < upper[{i}], got {lo} and {hi}")
    return lower, upper


class Interval(_AbstractBox):
    """[a, b] ⊂ ℝ; boundary parts ``"left"`` (x = a) and ``"right"`` (x = b)."""

    lower: tuple[float, ...] = eqx.field(static=True)
    upper: tuple[float, ...] = eqx.field(static=True)
    piece_names: tuple[str, ...] = eqx.field(static=True)

    def __init__(self, a: float, b: float):
        self.lower, self.upper = _box_bounds((a,), (b,))
        self.piece_names = ("left", "right")


class Rectangle(_AbstractBox):
    """[x0, x1] × [y0, y1] from corners ``lower = (x0, y0)`` and ``upper = (x1, y1)``; boundary
    parts ``"left"``, ``"right"``, ``"bottom"``, ``"top"``."""

    lower: tuple[float, ...] = eqx.field(static=True)
    upper: tuple[float, ...] = eqx.field(static=True)
    piece_names: tuple[str, ...] = eqx.field(static=True)

    def __init__(self, lower: Sequence[float], upper: Sequence[float]):
        self.lower, self.upper = _box_bounds(lower, upper, 2)
        self.piece_names = ("left", "right", "bottom", "top")


class Box(_AbstractBox):
    """∏ [lower_i, upper_i] in any dimension; boundary parts ``"lower<i>"``, ``"upper<i>"``
    (the faces x_i = lower_i, x_i = upper_i)."""

    lower: tuple[float, ...] = eqx.field(static=True)
    upper: tuple[float, ...] = eqx.field(static=True)
    piece_names: tuple[str, ...] = eqx.field(static=True)

    def __init__(self, lower: Sequence[float], upper: Sequence[float]):
        self.lower, self.upper = _box_bounds(lower, upper)
        self.piece_names = tuple(f"{s}{i}" for i in range(len(self.lower)) for s in ("lower", "upper"))


# --------------------------------------------------------------------------- round shapes
class Disk(AbstractPrimitive):
    """The disk |x − center| ≤ radius; boundary part ``"circle"``. Exact signed distance."""

    center: tuple[float, ...] = eqx.field(static=True)
    radius: float = eqx.field(static=True)
    piece_names: tuple[str, ...] = eqx.field(static=True)

    def __init__(self, center: Sequence[float], radius: float):
        self.center = _point("center", center, 2)
        self.radius = positive_number("radius", radius)
        self.piece_names = ("circle",)

    dim = property(lambda self: 2)
    bounds = property(
        lambda self: (tuple(c - self.radius for c in self.center), tuple(c + self.radius for c in self.center))
    )
    measure = property(lambda self: math.pi * self.radius**2)
    piece_lengths = property(lambda self: (2 * math.pi * self.radius,))
    interior_unit_dim = property(lambda self: 2)

    def signed_distance(self, x):
        return jnp.sqrt(jnp.sum((x - jnp.asarray(self.center, x.dtype)) ** 2)) - self.radius

    def from_unit(self, u):
        r, th = self.radius * jnp.sqrt(u[0]), 2 * jnp.pi * u[1]
        return jnp.asarray(self.center, u.dtype) + r * jnp.stack([jnp.cos(th), jnp.sin(th)])

    def boundary_point(self, piece, u):
        n = jnp.stack([jnp.cos(2 * jnp.pi * u[0]), jnp.sin(2 * jnp.pi * u[0])])
        return jnp.asarray(self.center, u.dtype) + self.radius * n, n

    def piece_distance(self, piece, x, sign):
        return sign * (self.radius**2 - jnp.sum((x - jnp.asarray(self.center, x.dtype)) ** 2)) / (2 * self.radius)


class Ball(AbstractPrimitive):
    """The 3D ball |x − center| ≤ radius; boundary part ``"sphere"``. Exact signed distance."""

    center: tuple[float, ...] = eqx.field(static=True)
    radius: float = eqx.field(static=True)
    piece_names: tuple[str, ...] = eqx.field(static=True)

    def __init__(self, center: Sequence[float], radius: float):
        self.center = _point("center", center, 3)
        self.radius = positive_number("radius", radius)
        self.piece_names = ("sphere",)

    dim = property(lambda self: 3)
    bounds = property(
        lambda self: (tuple(c - self.radius for c in self.center), tuple(c + self.radius for c in self.center))
    )
    measure = property(lambda self: 4 / 3 * math.pi * self.radius**3)
    piece_lengths = property(lambda self: (4 * math.pi * self.radius**2,))
    interior_unit_dim = property(lambda self: 3)

    def signed_distance(self, x):
        return jnp.sqrt(jnp.sum((x - jnp.asarray(self.center, x.dtype)) ** 2)) - self.radius

    @staticmethod
    def _direction(z_unit, phi_unit):
        z = 1 - 2 * z_unit  # uniform z on the sphere is uniform in area (Archimedes)
        s, phi = jnp.sqrt(jnp.maximum(1 - z**2, 0)), 2 * jnp.pi * phi_unit
        return jnp.stack([s * jnp.cos(phi), s * jnp.sin(phi), z])

    def from_unit(self, u):
        return jnp.asarray(self.center, u.dtype) + self.radius * jnp.cbrt(u[0]) * self._direction(u[1], u[2])

    def boundary_point(self, piece, u):
        n = self._direction(u[0], u[1])
        return jnp.asarray(self.center, u.dtype) + self.radius * n, n

    def piece_distance(self, piece, x, sign):
        return sign * (self.radius**2 - jnp.sum((x - jnp.asarray(self.center, x.dtype)) ** 2)) / (2 * self.radius)


ELLIPSE_TABLE = 1024  # intervals of the arc-length table (inverse by linear interpolation)


class Ellipse(AbstractPrimitive):
    """The axis-aligned ellipse ((x−c₀)/a)² + ((y−c₁)/b)² ≤ 1, ``semi_axes = (a, b)``; boundary
    part ``"ellipse"``.

    ``signed_distance`` is not the exact distance (which needs a quartic's root) but
    k₀(k₀ − 1)/k₁ with k₀ = |p/r|, k₁ = |p/r²| (p = x − c, r = (a, b)): the right sign and zero
    set, unit gradient on the boundary, ≈ the distance near it. Boundary points are uniform in
    arc length by inverting a table of the arc length at 1024 angles (linear interpolation: the
    density is uniform to ~1e-5); the perimeter is that table's total (spectrally accurate).
    """

    center: tuple[float, ...] = eqx.field(static=True)
    semi_axes: tuple[float, ...] = eqx.field(static=True)
    piece_names: tuple[str, ...] = eqx.field(static=True)
    arc_length: tuple[float, ...] = eqx.field(static=True)  # cumulative, at angles 2πj/ELLIPSE_TABLE

    def __init__(self, center: Sequence[float], semi_axes: Sequence[float]):
        self.center = _point("center", center, 2)
        self.semi_axes = tuple(
            positive_number(f"semi_axes[{i}]", r) for i, r in enumerate(_point("semi_axes", semi_axes, 2))
        )
        self.piece_names = ("ellipse",)
        a, b = self.semi_axes
        th = np.linspace(0, 2 * np.pi, ELLIPSE_TABLE + 1)
        speed = np.hypot(a * np.sin(th), b * np.cos(th))
        self.arc_length = tuple(
            np.concatenate([[0.0], np.cumsum((speed[1:] + speed[:-1]) / 2 * (th[1] - th[0]))]).tolist()
        )

    dim = property(lambda self: 2)
    bounds = property(
        lambda self: (
            tuple(c - r for c, r in zip(self.center, self.semi_axes)),
            tuple(c + r for c, r in zip(self.center, self.semi_axes)),
        )
    )
    measure = property(lambda self: math.pi * self.semi_axes[0] * self.semi_axes[1])
    piece_lengths = property(lambda self: (self.arc_length[-1],))
    interior_unit_dim = property(lambda self: 2)

    def contains(self, x):
        p = (x - jnp.asarray(self.center, x.dtype)) / jnp.asarray(self.semi_axes, x.dtype)
        return jnp.sum(p**2) <= 1

    def signed_distance(self, x):
        p = x - jnp.asarray(self.center, x.dtype)
        r = jnp.asarray(self.semi_axes, x.dtype)
        k0 = jnp.sqrt(jnp.sum((p / r) ** 2))
        k1 = jnp.sqrt(jnp.sum((p / r**2) ** 2))
        safe = k1 > 0
        return jnp.where(safe, k0 * (k0 - 1) / jnp.where(safe, k1, 1.0), -min(self.semi_axes))

    def from_unit(self, u):
        r, th = jnp.sqrt(u[0]), 2 * jnp.pi * u[1]
        return jnp.asarray(self.center, u.dtype) + jnp.asarray(self.semi_axes, u.dtype) * r * jnp.stack(
            [jnp.cos(th), jnp.sin(th)]
        )

    def boundary_point(self, piece, u):
        table = jnp.asarray(self.arc_length, u.dtype)
        th = jnp.interp(u[0] * table[-1], table, jnp.linspace(0, 2 * jnp.pi, ELLIPSE_TABLE + 1, dtype=u.dtype))
        a, b = self.semi_axes
        c, s = jnp.cos(th), jnp.sin(th)
        n = jnp.stack([b * c, a * s])
        return jnp.asarray(self.center, u.dtype) + jnp.stack([a * c, b * s]), n / jnp.sqrt(jnp.sum(n**2))

    def piece_distance(self, piece, x, sign):
        return -sign * self.signed_distance(x)


# ------------------------------------------------------------------------------- polygons
def _orient(a, b, c) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _segments_meet(p1, p2, q1, q2, tol) -> bool:
    """Whether the closed segments p1p2 and q1q2 share a point (within ``tol``)."""
    d1, d2 = _orient(q1, q2, p1), _orient(q1, q2, p2)
    d3, d4 = _orient(p1, p2, q1), _orient(p1, p2, q2)
    if ((d1 > tol and d2 < -tol) or (d1 < -tol and d2 > tol)) and (
        (d3 > tol and d4 < -tol) or (d3 < -tol and d4 > tol)
    ):
        return True

    def on(a, b, c, d):  # c collinear with ab and within its box
        return (
            abs(d) <= tol
            and min(a[0], b[0]) - tol <= c[0] <= max(a[0], b[0]) + tol
            and min(a[1], b[1]) - tol <= c[1] <= max(a[1], b[1]) + tol
        )

    return on(q1, q2, p1, d1) or on(q1, q2, p2, d2) or on(p1, p2, q1, d3) or on(p1, p2, q2, d4)


def _check_polygon(vertices) -> np.ndarray:
    """The vertices as a (k, 2) array, after checking the polygon is simple and not degenerate."""
    try:
        v = np.asarray(vertices, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"vertices must be a sequence of (x, y) pairs, got {vertices!r}") from None
    if v.ndim != 2 or v.shape[1] != 2 or v.shape[0] < 3:
        raise ValueError(f"vertices must be at least 3 (x, y) pairs, got shape {v.shape}")
    if not np.isfinite(v).all():
        raise ValueError("vertices must be finite")
    k = len(v)
    scale = float(np.max(np.ptp(v, axis=0)))
    tol = 1e-12 * max(scale, 1e-300) ** 2
    for i in range(k):
        a, b, c = v[i - 1], v[i], v[(i + 1) % k]
        if np.hypot(*(c - b)) <= 1e-12 * scale:
            raise ValueError(f"vertices: edge {i} (vertex {i} to {(i + 1) % k}) has zero length (degenerate polygon)")
        if abs(_orient(a, b, c)) <= tol and np.dot(b - a, c - b) < 0:
            raise ValueError(f"vertices: the polygon folds back on itself at vertex {i} (degenerate polygon)")
    for i in range(k):
        for j in range(i + 1, k):
            if j == i + 1 or (i == 0 and j == k - 1):
                continue  # adjacent edges share a vertex
            if _segments_meet(v[i], v[(i + 1) % k], v[j], v[(j + 1) % k], tol):
                raise ValueError(f"vertices: edges {i} and {j} intersect (the polygon must be simple)")
    area = 0.5 * float(np.sum(v[:, 0] * np.roll(v[:, 1], -1) - np.roll(v[:, 0], -1) * v[:, 1]))
    if abs(area) <= tol:
        raise ValueError("vertices: the polygon has zero area (degenerate polygon)")
    return v


def _triangulate(v: np.ndarray) -> list[tuple[int, int, int]]:
    """Ear clipping of a simple counter-clockwise polygon (O(k³), at construction)."""
    idx = list(range(len(v)))
    tris = []
    while len(idx) > 3:
        for j in range(len(idx)):
            a, b, c = idx[j - 1], idx[j], idx[(j + 1) % len(idx)]
            if _orient(v[a], v[b], v[c]) <= 0:
                continue  # reflex or straight vertex
            others = [m for m in idx if m not in (a, b, c)]
            if any(
                _orient(v[a], v[b], v[m]) >= 0 and _orient(v[b], v[c], v[m]) >= 0 and _orient(v[c], v[a], v[m]) >= 0
                for m in others
            ):
                continue
            tris.append((a, b, c))
            idx.pop(j)
            break
        else:  # only straight vertices left: fan the rest
            break
    tris.extend((idx[0], idx[j], idx[j + 1]) for j in range(1, len(idx) - 1))
    return [t for t in tris if abs(_orient(v[t[0]], v[t[1]], v[t[2]])) > 0]


class _AbstractPolygon(AbstractPrimitive):
    """A simple polygon; pieces: the edges, edge i from vertex i to vertex i + 1 (``"edge<i>"``)."""

    vertices: eqx.AbstractVar[tuple[tuple[float, float], ...]]
    normals: eqx.AbstractVar[tuple[tuple[float, float], ...]]  # outward unit normal of each edge
    triangles: eqx.AbstractVar[tuple[tuple[tuple[float, float], ...], ...]]
    area: eqx.AbstractVar[float]

    dim = property(lambda self: 2)
    measure = property(lambda self: self.area)

    @property
    def bounds(self):
        v = np.asarray(self.vertices)
        return tuple(v.min(axis=0).tolist()), tuple(v.max(axis=0).tolist())

    @property
    def piece_lengths(self):
        v = np.asarray(self.vertices)
        return tuple(np.hypot(*(np.roll(v, -1, axis=0) - v).T).tolist())

    def signed_distance(self, x):
        v = jnp.asarray(self.vertices, x.dtype)
        prev = jnp.roll(v, 1, axis=0)
        e, w = prev - v, x - v
        proj = jnp.clip(jnp.sum(w * e, axis=1) / jnp.sum(e * e, axis=1), 0, 1)
        d2 = jnp.min(jnp.sum((w - e * proj[:, None]) ** 2, axis=1))
        c1, c2 = x[1] >= v[:, 1], x[1] < prev[:, 1]
        c3 = e[:, 0] * w[:, 1] > e[:, 1] * w[:, 0]
        crossings = jnp.sum((c1 & c2 & c3) | (~c1 & ~c2 & ~c3))
        return jnp.where(crossings % 2 == 1, -1.0, 1.0) * jnp.sqrt(d2)

    def boundary_point(self, piece, u):
        v = jnp.asarray(self.vertices, u.dtype)
        a, b = v[piece], v[(piece + 1) % len(self.vertices)]
        return a + u[0] * (b - a), jnp.asarray(self.normals, u.dtype)[piece]

    def piece_distance(self, piece, x, sign):
        return segment_distance(self.vertices[piece], self.vertices[(piece + 1) % len(self.vertices)], x)

    def _triangle_point(self, tri, r1, r2):
        fold = r1 + r2 > 1  # reflect the far half of the unit square onto the triangle
        r1, r2 = jnp.where(fold, 1 - r1, r1), jnp.where(fold, 1 - r2, r2)
        return tri[0] + r1 * (tri[1] - tri[0]) + r2 * (tri[2] - tri[0])


def _polygon_data(v: np.ndarray):
    area = 0.5 * float(np.sum(v[:, 0] * np.roll(v[:, 1], -1) - np.roll(v[:, 0], -1) * v[:, 1]))
    e = np.roll(v, -1, axis=0) - v
    normals = np.sign(area) * np.stack([e[:, 1], -e[:, 0]], axis=1) / np.hypot(e[:, 0], e[:, 1])[:, None]
    order = np.arange(len(v)) if area > 0 else np.arange(len(v))[::-1]
    tris = [tuple(map(int, order[list(t)])) for t in _triangulate(v[order])]
    as_tuple = lambda a: tuple(tuple(float(c) for c in row) for row in a)  # noqa: E731
    return as_tuple(v), as_tuple(normals), tuple(as_tuple(v[list(t)]) for t in tris), abs(area)


class Triangle(_AbstractPolygon):
    """The triangle with vertices ``a``, ``b``, ``c``; boundary parts ``"edge0"`` (a→b),
    ``"edge1"`` (b→c), ``"edge2"`` (c→a). Exact signed distance."""

    vertices: tuple[tuple[float, float], ...] = eqx.field(static=True)
    normals: tuple[tuple[float, float], ...] = eqx.field(static=True)
    triangles: tuple[tuple[tuple[float, float], ...], ...] = eqx.field(static=True)
    area: float = eqx.field(static=True)
    piece_names: tuple[str, ...] = eqx.field(static=True)

    def __init__(self, a: Sequence[float], b: Sequence[float], c: Sequence[float]):
        v = _check_polygon([_point("a", a, 2), _point("b", b, 2), _point("c", c, 2)])
        self.vertices, self.normals, self.triangles, self.area = _polygon_data(v)
        self.piece_names = ("edge0", "edge1", "edge2")

    interior_unit_dim = property(lambda self: 2)

    def from_unit(self, u):
        return self._triangle_point(jnp.asarray(self.vertices, u.dtype), u[0], u[1])


class Polygon(_AbstractPolygon):
    """A simple polygon (convex or not, either orientation) with the given vertices; boundary
    parts ``"edge<i>"`` from vertex i to vertex i + 1 (rename with ``.named({...})``). Exact
    signed distance. Self-intersecting or degenerate (zero-length edge, zero area, an edge folding
    back) polygons are rejected. Interior points: a triangle of its ear-clipping triangulation
    chosen in proportion to area, then a uniform point in it."""

    vertices: tuple[tuple[float, float], ...] = eqx.field(static=True)
    normals: tuple[tuple[float, float], ...] = eqx.field(static=True)
    triangles: tuple[tuple[tuple[float, float], ...], ...] = eqx.field(static=True)
    area: float = eqx.field(static=True)
    piece_names: tuple[str, ...] = eqx.field(static=True)

    def __init__(self, vertices: Sequence[Sequence[float]]):
        v = _check_polygon(vertices)
        self.vertices, self.normals, self.triangles, self.area = _polygon_data(v)
        self.piece_names = tuple(f"edge{i}" for i in range(len(v)))

    interior_unit_dim = property(lambda self: 3)

    def from_unit(self, u):
        tris = jnp.asarray(self.triangles, u.dtype)  # (T, 3, 2)
        areas = np.array([abs(_orient(*t)) / 2 for t in self.triangles])
        cum = jnp.asarray(np.cumsum(areas) / areas.sum(), u.dtype)
        t = jnp.minimum(jnp.searchsorted(cum, u[0], side="right"), len(self.triangles) - 1)
        return self._triangle_point(tris[t], u[1], u[2])
