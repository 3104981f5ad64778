"""Triangulation of a 2D :mod:`pinnrwf.geometry` shape with Triangle (Shewchuk's mesher).

The boundary is discretized piece by piece from the geometry's leaves: every piece of every
primitive is parametrised by s ∈ [0, 1] (``boundary_point``), the stretches of it that lie on the
boundary of the whole (``Leaf.on_boundary``) are found by bisection on s (so the corners made by
set operations are exact to ~1e-13), and each stretch is split into segments of the local mesh
size. The segments form a planar straight-line graph (PSLG) that Triangle meshes with a minimum
angle of ``min_angle`` degrees; triangles whose centroid lies outside the geometry are dropped
(holes, concavities), and the mesh is refined until every triangle meets the local size.

Curved pieces become straight edges (vertices on the curve): the mesh's domain differs from the
geometry's by O(h²) near them, which bounds the accuracy there for every element degree; give
curved parts a finer size (``refine``) where that matters.

Every boundary facet carries the name of the part whose piece produced it: the result is a
:class:`skfem.MeshTri` whose ``boundaries`` are the geometry's parts (``mesh.boundaries["inlet"]``
is the facet indices of part ``"inlet"``), so a condition stated on a part for a PINN is stated
on the same part for the reference.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import jax
import jax.numpy as jnp
import numpy as np
import triangle as tr
from scipy.spatial import cKDTree
from skfem import MeshTri

from pinnrwf._validation import positive_number
from pinnrwf.geometry import AbstractGeometry

BISECTIONS = 48  # halvings of an s-interval to locate where a piece leaves the boundary (~4e-15)
PROBES = 16  # on/off-boundary probes per segment of the coarse pass (finds short stretches)
MIN_SEGMENTS = 8  # segments on a closed curve (a disk) however coarse h
REFINE_PASSES = 12  # Triangle refinement passes to meet a size field

SizeField = Callable[[np.ndarray], np.ndarray]  # (n, 2) points -> (n,) local mesh size


class MeshError(ValueError):
    """A geometry that cannot be triangulated (not 2D, empty, a boundary that is not closed)."""


def _check_size(h, refine, size):
    h = positive_number("h", h)
    parts = {}
    for name, hp in dict(refine or {}).items():
        parts[name] = positive_number(f"refine[{name!r}]", hp)
    if size is not None and not callable(size):
        raise ValueError(f"size must be a callable (n, 2) points -> (n,) mesh sizes, got {size!r}")
    return h, parts


def _padded(fn, s: np.ndarray) -> np.ndarray:
    """``fn`` on ``s`` padded to a power of two ≥ 64 (few shapes, so few compilations)."""
    n = len(s)
    if n == 0:
        return np.zeros(0)
    size = max(64, 1 << (n - 1).bit_length())
    pad = [(0, size - n)] + [(0, 0)] * (np.ndim(s) - 1)
    return np.asarray(fn(jnp.asarray(np.pad(s, pad, mode="edge"), dtype=jnp.float64)))[:n]


def _piece_point(primitive, piece, s):
    return primitive.boundary_point(piece, jnp.full((max(primitive.boundary_unit_dim, 1),), s))[0]


# compiled once per (leaf, array size), so meshing the same shape again costs no compilation
_points = jax.jit(jax.vmap(_piece_point, in_axes=(None, None, 0)), static_argnums=(0,))
_on_boundary = jax.jit(
    jax.vmap(lambda leaf, piece, s: leaf.on_boundary(_piece_point(leaf.primitive, piece, s)), in_axes=(None, None, 0)),
    static_argnums=(0,),
)


class _Piece:
    """One piece of a leaf as a curve s ∈ [0, 1] -> point, and whether that point is on the
    boundary of the whole."""

    def __init__(self, leaf, index: int):
        prim = leaf.primitive
        self.leaf, self.index = leaf, index
        self.name = prim.piece_names[index]
        self.length = float(prim.piece_lengths[index])
        ends = self.point(np.array([0.0, 1.0]))
        self.closed = bool(np.allclose(ends[0], ends[1], rtol=0, atol=1e-12 * max(self.length, 1e-300)))

    def point(self, s: np.ndarray) -> np.ndarray:
        return _padded(lambda u: _points(self.leaf.primitive, self.index, u), s).astype(np.float64)

    def keep(self, s: np.ndarray) -> np.ndarray:
        return _padded(lambda u: _on_boundary(self.leaf, self.index, u), s)


def _stretches(piece: _Piece, n: int) -> list[tuple[float, float]]:
    """The intervals of s ∈ [0, 1] where the piece lies on the whole boundary."""
    s = np.linspace(0.0, 1.0, max(n * PROBES, 1024) + 1)
    mid = (s[:-1] + s[1:]) / 2
    keep = piece.keep(mid)
    if not keep.any():
        return []
    flips = np.flatnonzero(keep[1:] != keep[:-1])
    lo, hi, side = mid[flips], mid[flips + 1], keep[flips]  # `side` holds at lo, the opposite at hi
    for _ in range(BISECTIONS):  # all the switches at once
        m = (lo + hi) / 2
        same = piece.keep(m) == side
        lo, hi = np.where(same, m, lo), np.where(same, hi, m)
    cuts = (lo + hi) / 2
    edges = np.concatenate([[0.0], cuts, [1.0]])
    state = [keep[0]] + [not keep[j] for j in flips]
    return [(float(edges[i]), float(edges[i + 1])) for i, on in enumerate(state) if on and edges[i + 1] > edges[i]]


def _split(piece: _Piece, a: float, b: float, local_h: SizeField) -> np.ndarray:
    """Points s_0 = a < ... < s_m = b equally spaced in ∫ ds / h (the local mesh size)."""
    fine = np.linspace(a, b, 401)
    x = piece.point(fine)
    ds = np.hypot(*np.diff(x, axis=0).T)
    h = local_h((x[1:] + x[:-1]) / 2)
    cum = np.concatenate([[0.0], np.cumsum(ds / h)])
    m = max(int(math.ceil(cum[-1] - 1e-9)), 1)
    if piece.closed and (a, b) == (0.0, 1.0):
        m = max(m, MIN_SEGMENTS)
    return np.interp(np.linspace(0.0, cum[-1], m + 1), cum, fine)


def boundary_segments(geometry: AbstractGeometry, local_h: SizeField, h: float):
    """(points (n, 2), segments (m, 2) int, part name of each segment) of the boundary."""
    pts, segs, names = [], [], []
    for leaf in geometry.leaves():
        for i in range(len(leaf.primitive.piece_names)):
            piece = _Piece(leaf, i)
            n = max(int(math.ceil(piece.length / h)), MIN_SEGMENTS)
            for a, b in _stretches(piece, n):
                s = _split(piece, a, b, local_h)
                x = piece.point(s)
                start = sum(len(p) for p in pts)
                pts.append(x)
                segs.append(np.stack([np.arange(len(s) - 1), np.arange(1, len(s))], axis=1) + start)
                names += [piece.name] * (len(s) - 1)
    if not pts:
        raise MeshError("the geometry has no boundary to mesh (is it empty?)")
    points, segments = np.concatenate(pts), np.concatenate(segs)
    # merge the end points that pieces share (corners, the ends of a closed curve)
    scale = float(np.max(np.ptp(points, axis=0)))
    groups = cKDTree(points).query_ball_point(points, 1e-9 * scale)
    rep = np.array([min(g) for g in groups])
    keep_pts, index = np.unique(rep, return_inverse=True)
    segments = index[segments]
    ok = segments[:, 0] != segments[:, 1]
    names = [n for n, k in zip(names, ok) if k]
    return points[keep_pts], segments[ok], names


def _local_size(
    h: float, refine: Mapping[str, float], size: SizeField | None, grading: float, part_points: Mapping[str, np.ndarray]
) -> SizeField:
    trees = {name: cKDTree(part_points[name]) for name in refine}

    def local_h(x):
        out = np.full(len(x), h)
        if size is not None:
            given = np.asarray(size(x), dtype=np.float64).reshape(len(x))
            if not (np.isfinite(given).all() and (given > 0).all()):
                raise ValueError(
                    "size must return positive, finite mesh sizes; got "
                    f"{given[~(np.isfinite(given) & (given > 0))][0]!r} at some point"
                )
            out = np.minimum(out, given)
        for name, hp in refine.items():
            d, _ = trees[name].query(x)
            out = np.minimum(out, hp + grading * d)
        return out

    return local_h


_contains = jax.jit(lambda geometry, x: jax.vmap(geometry.contains)(x), static_argnums=(0,))


def triangulate(
    geometry: AbstractGeometry,
    h: float,
    *,
    refine: Mapping[str, float] | None = None,
    size: SizeField | None = None,
    grading: float = 0.25,
    min_angle: float = 28.0,
) -> MeshTri:
    """A conforming triangulation of a 2D ``geometry`` with named boundary parts.

    ``h``: the largest edge length (about; triangles of area ≤ √3/4 h²). ``refine``: part name ->
    mesh size on that part (e.g. ``{"cylinder": 0.005}``), growing by ``grading`` × the distance
    to the part. ``size``: any size field, a callable (n, 2) points -> (n,) sizes (e.g. graded
    towards a re-entrant corner); the local size is the minimum of all three. ``min_angle``: the
    smallest angle Triangle guarantees (degrees, ≤ 33).

    Returns a :class:`skfem.MeshTri` whose ``boundaries`` map every part name of the geometry to
    its boundary facets. ``MeshError`` if the geometry is not 2D or cannot be meshed.
    """
    if not isinstance(geometry, AbstractGeometry):
        raise ValueError(f"geometry must be a pinnrwf.geometry shape, got {geometry!r}")
    if geometry.dim != 2:
        raise MeshError(f"triangulate meshes 2D geometries, got one of dimension {geometry.dim}")
    h, refine = _check_size(h, refine, size)
    unknown = [p for p in refine if p not in geometry.parts]
    if unknown:
        raise ValueError(f"refine: {unknown[0]!r} is not a boundary part; the parts are {geometry.parts}")
    grading = positive_number("grading", grading)
    if not 0 < positive_number("min_angle", min_angle) <= 33:
        raise ValueError(f"min_angle must be in (0, 33] degrees (Triangle may not terminate above), got {min_angle}")
    with jax.enable_x64(True):
        coarse = lambda x: np.full(len(x), h)  # noqa: E731
        if refine:  # the parts to refine near, discretized finely
            hmin = min(refine.values())
            pts, segs, names = boundary_segments(geometry, lambda x: np.full(len(x), hmin), hmin)
            part_points = {p: pts[np.unique(segs[[n == p for n in names]])] for p in refine}
        else:
            part_points = {}
        local_h = _local_size(h, refine, size, grading, part_points)
        points, segments, names = boundary_segments(geometry, local_h if (refine or size) else coarse, h)
        inside = lambda x: _padded(lambda y: _contains(geometry, y), x).astype(bool)  # noqa: E731
        parts = list(dict.fromkeys(names))
        markers = np.array([parts.index(n) + 2 for n in names], dtype=np.int32)  # Triangle reserves 0, 1
        pslg = {"vertices": points, "segments": segments.astype(np.int32), "segment_markers": markers[:, None]}
        opts = f"pq{min_angle:g}"
        try:
            mesh = tr.triangulate(pslg, opts)
            centroids = mesh["vertices"][mesh["triangles"]].mean(axis=1)
            out = ~inside(centroids)
            if out.any():
                pslg["holes"] = centroids[out]
                mesh = tr.triangulate(pslg, opts)
            for _ in range(REFINE_PASSES):
                tri = mesh["triangles"]
                c = mesh["vertices"][tri].mean(axis=1)
                target = math.sqrt(3) / 4 * local_h(c) ** 2
                p = mesh["vertices"][tri]
                area = 0.5 * np.abs(
                    (p[:, 1, 0] - p[:, 0, 0]) * (p[:, 2, 1] - p[:, 0, 1])
                    - (p[:, 2, 0] - p[:, 0, 0]) * (p[:, 1, 1] - p[:, 0, 1])
                )
                if np.all(area <= target * 1.01):
                    break
                mesh = tr.triangulate(dict(mesh, triangle_max_area=target), f"rpq{min_angle:g}a")
        except (RuntimeError, ValueError, KeyError) as err:
            raise MeshError(
                f"Triangle could not mesh the geometry's boundary ({len(points)} points, "
                f"{len(segments)} segments): {err}"
            ) from None
        return _to_skfem(mesh, parts, inside)


def _to_skfem(mesh: dict, parts: list[str], inside) -> MeshTri:
    p, t = mesh["vertices"], mesh["triangles"]
    keep = inside(p[t].mean(axis=1))
    t = t[keep]
    if len(t) == 0:
        raise MeshError("no triangle of the mesh lies inside the geometry")
    used = np.unique(t)
    renumber = np.full(len(p), -1)
    renumber[used] = np.arange(len(used))
    m = MeshTri(p[used].T.copy(), renumber[t].T.copy())
    # label boundary facets by the marker of the input segment they came from
    segs, marks = mesh["segments"], mesh["segment_markers"].ravel()
    key = {tuple(sorted(renumber[s])): int(k) for s, k in zip(segs, marks) if (renumber[s] >= 0).all()}
    facets = m.facets
    boundary = m.boundary_facets()
    label = np.array([key.get(tuple(sorted(facets[:, f])), -1) for f in boundary])
    if (label < 2).any():
        raise MeshError(
            f"{int((label < 2).sum())} boundary facets lie on no part of the geometry (the boundary "
            "is not closed, or parts overlap)"
        )
    return m.with_boundaries({name: boundary[label == i + 2] for i, name in enumerate(parts)})
