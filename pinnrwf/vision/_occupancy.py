"""Occupancy networks for 3D shape representation (rwf_paper §4.2, App. I, Table 11; Tancik et al. 2020).

A network f_θ: [0, 1]³ → R returns the logit of "x is inside the shape"; it is trained by the
sigmoid binary cross-entropy on labelled points and scored by the IoU of {σ(f_θ) > 0.5} with the
true inside set on points near the surface. This module holds the data side:

- :func:`load_mesh`, :func:`normalize_mesh` (FFN's ``recenter_mesh``: v −= mean v; v /= max|v|;
  v = (v + 1)/2, so the mesh lies in [0, 1]³ with vertex mean 0.5), :func:`bounding_box`;
- :func:`occupancy_labels`: inside tests, ``"winding"`` (the generalized winding number of
  Jacobson et al. 2013 via libigl's fast winding number, > 0.5; robust on meshes with holes) or
  ``"ray"`` (parity of the crossings of a +z ray, exact on watertight meshes);
- :func:`training_pool`: uniform points in the bounding box, labelled **once** and cached (the
  reference code labels a fresh batch by ray casting at every step, which dominates its cost);
  the problem draws its minibatches from this pool on the device;
- the test sets: :func:`near_surface_points` (FFN's "hard" set: a uniformly chosen face, a
  uniform barycentric point on it, plus N(0, 0.01²) noise; ``source="vertices"``: a perturbed
  vertex, as the paper's App. I words it) and :func:`uniform_points` (FFN's "easy" set);
- the network side: :func:`sigmoid_binary_cross_entropy` and :func:`occupancy_embedding` (the
  input mapping with FFN's conventions for this task: features divided by √m, raw coordinates
  mapped to 2x − 1).

trimesh and libigl are optional dependencies, imported where they are used
(``pip install "pinnrwf[vision]"``).
"""

from __future__ import annotations

import collections
import hashlib
import time
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Bool, Float, PRNGKeyArray

from pinnrwf import _validation as check
from pinnrwf.nn._embeddings import AbstractEmbedding

from ._coordinates import check_mapping, coordinate_embedding

#: How inside/outside labels are computed: generalised winding numbers or ray parity.
LABEL_METHODS: tuple[str, ...] = ("winding", "ray")
#: Where near-surface points are drawn from: the mesh's faces or its vertices.
SURFACE_SOURCES: tuple[str, ...] = ("faces", "vertices")
#: The bounding box's margin around the mesh (FFN: the box is [min − 1e-3, max + 1e-3]).
BOX_MARGIN = 1e-3  # FFN: the bounding box is [min − 1e-3, max + 1e-3]
#: Default scales σ of the input mappings for this task (FFN 3d_shape_occupancy: gauss 12, posenc 6 as
#: an exponent of 2; pinnrwf's PositionalEncoding takes σ = 2⁶ for the same top frequency).
DEFAULT_SCALES: dict[str, float] = {"gauss": 12.0, "posenc": 64.0}

_INSTALL = 'pip install "pinnrwf[vision]"'


def _trimesh():
    try:
        import trimesh
    except ImportError as err:
        raise ImportError(f"occupancy meshes need trimesh: {_INSTALL}") from err
    return trimesh


def _igl():
    try:
        import igl
    except ImportError as err:
        raise ImportError(f"winding-number occupancy labels need libigl: {_INSTALL}") from err
    return igl


# ----------------------------------------------------------------------------------------- meshes
def load_mesh(path: str | Path):
    """The triangle mesh in ``path`` (OBJ, PLY, STL, … as trimesh reads them) as a
    ``trimesh.Trimesh``; a file holding several meshes (a scene) is concatenated into one.

    Raises ``ValueError`` for a missing file, a file trimesh cannot read, a mesh without faces, or
    a vertex with a NaN or infinite coordinate (trimesh's processing would silently drop it and
    its faces, so the file is read once unprocessed to check).
    """
    trimesh = _trimesh()
    path = check.existing_file("mesh path", path)
    try:
        raw = np.asarray(trimesh.load(path, force="mesh", process=False).vertices, dtype=np.float64)
        mesh = trimesh.load(path, force="mesh")
    except Exception as err:  # noqa: BLE001 - trimesh raises many kinds for unreadable files
        raise ValueError(f"mesh path: trimesh cannot read {path}: {err}") from None
    bad = ~np.isfinite(raw).all(axis=-1) if raw.ndim == 2 else np.zeros(0, bool)
    if bad.any():
        raise ValueError(
            f"mesh path: {path} has {int(bad.sum())} vertex(es) with a NaN or infinite coordinate (the "
            f"first: vertex {int(np.argmax(bad))} of {len(raw)}); repair the mesh"
        )
    return _checked_mesh(mesh, f"the mesh in {path}")


def _checked_mesh(mesh, what: str = "mesh"):
    trimesh = _trimesh()
    if not isinstance(mesh, trimesh.Trimesh):
        raise ValueError(f"{what} must be a trimesh.Trimesh, got {type(mesh).__name__}")
    faces, vertices = np.asarray(mesh.faces), np.asarray(mesh.vertices)
    if faces.ndim != 2 or faces.shape[0] == 0 or faces.shape[1] != 3:
        raise ValueError(
            f"{what} has no triangle faces (faces of shape {faces.shape}); an occupancy needs a "
            "closed-ish triangle surface"
        )
    if vertices.ndim != 2 or vertices.shape[1] != 3 or not np.all(np.isfinite(vertices)):
        raise ValueError(f"{what} must have finite 3D vertices, got shape {vertices.shape}")
    return mesh


def normalize_mesh(mesh):
    """A copy of ``mesh`` moved into [0, 1]³ as the reference code does (FFN ``recenter_mesh``):
    v −= mean(v); v /= max|v|; v = (v + 1)/2. The vertex mean is then 0.5 on every axis (the
    paper's "centroid at 0.5"), and the largest |v − 0.5| is exactly 0.5 (the mesh touches the
    cube on its longest extent). The input mesh is not modified.
    """
    trimesh = _trimesh()
    mesh = _checked_mesh(mesh)
    v = np.asarray(mesh.vertices, dtype=np.float64)
    v = v - v.mean(axis=0)
    extent = np.max(np.abs(v))
    if not extent > 0:
        raise ValueError("mesh: all vertices coincide; it cannot be normalized")
    v = 0.5 * (v / extent + 1.0)
    return trimesh.Trimesh(vertices=v, faces=np.asarray(mesh.faces), process=False)


def bounding_box(mesh, margin: float = BOX_MARGIN) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi), each ``(3,)``: the vertices' box widened by ``margin`` (FFN: 1e-3)."""
    mesh = _checked_mesh(mesh)
    margin = check.positive_number("margin", margin, allow_zero=True)
    v = np.asarray(mesh.vertices, dtype=np.float64)
    return v.min(axis=0) - margin, v.max(axis=0) + margin


def _fingerprint(mesh) -> str:
    h = hashlib.sha256()
    for a in (np.ascontiguousarray(mesh.vertices, dtype=np.float64), np.ascontiguousarray(mesh.faces, dtype=np.int64)):
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _check_points(points) -> np.ndarray:
    p = np.asarray(points)
    if p.ndim != 2 or p.shape[1] != 3 or p.dtype.kind not in "iuf":
        raise ValueError(f"points must be a real array of shape (n, 3), got shape {p.shape} and dtype {p.dtype}")
    p = p.astype(np.float64)
    if not np.all(np.isfinite(p)):
        raise ValueError("points must be finite (found NaN or inf)")
    return p


# ------------------------------------------------------------------------------------ inside tests
def winding_numbers(mesh, points: ArrayLike) -> np.ndarray:
    """Generalized winding number w(p) of every point ``(n, 3)`` → ``(n,)`` (libigl's fast winding
    number, Barill et al. 2018): ≈ 1 inside a closed, outward-oriented surface, ≈ 0 outside, and a
    smooth value in between near holes."""
    igl = _igl()
    mesh = _checked_mesh(mesh)
    p = _check_points(points)
    if p.shape[0] == 0:
        return np.zeros(0)
    v = np.ascontiguousarray(mesh.vertices, dtype=np.float64)
    f = np.ascontiguousarray(mesh.faces, dtype=np.int64)
    return np.asarray(igl.fast_winding_number(v, f, np.ascontiguousarray(p)))


def _edge(ax, ay, bx, by, px, py):
    # orient2d in a form that is exactly antisymmetric in (a, b) in floating point, so the two
    # triangles sharing an edge see exactly opposite signs for it
    return (ax - px) * (by - py) - (ay - py) * (bx - px)


def ray_parity(mesh, points: ArrayLike, *, max_pairs: int = 1_000_000) -> np.ndarray:
    """Inside test by ray parity: a point is inside when the ray from it along +z crosses the
    surface an odd number of times. ``(n, 3)`` → bool ``(n,)``.

    Exact for a watertight mesh (up to rays hitting an edge or vertex exactly, a set of measure
    zero: such a hit counts for neither triangle), wrong where a ray leaves through a hole. Pure
    numpy: triangles are bucketed on an xy grid, so each point tests only the triangles whose
    xy bounding box covers its cell (``max_pairs`` bounds the memory of one batch of tests).
    """
    mesh = _checked_mesh(mesh)
    p = _check_points(points)
    max_pairs = check.positive_int("max_pairs", max_pairs)
    tri = np.asarray(mesh.vertices, dtype=np.float64)[np.asarray(mesh.faces)]  # (F, 3, 3)
    n_faces = tri.shape[0]
    lo, hi = tri[..., :2].min(axis=(0, 1)), tri[..., :2].max(axis=(0, 1))
    g = int(np.clip(np.sqrt(n_faces) / 2, 1, 512))  # cells per axis
    cell = np.maximum((hi - lo) / g, 1e-300)

    def cell_index(xy):
        return np.clip(np.floor((xy - lo) / cell).astype(np.int64), 0, g - 1)

    c0, c1 = cell_index(tri[..., :2].min(axis=1)), cell_index(tri[..., :2].max(axis=1))
    nx, ny = c1[:, 0] - c0[:, 0] + 1, c1[:, 1] - c0[:, 1] + 1
    counts = nx * ny
    owner = np.repeat(np.arange(n_faces), counts)
    local = np.arange(owner.size) - np.repeat(np.cumsum(counts) - counts, counts)
    cells = (c0[owner, 1] + local // nx[owner]) * g + c0[owner, 0] + local % nx[owner]
    order = np.argsort(cells, kind="stable")
    bucket = owner[order]  # triangles sorted by cell
    start = np.searchsorted(cells[order], np.arange(g * g + 1))

    inside = np.zeros(p.shape[0], dtype=bool)
    in_box = np.all((p[:, :2] >= lo) & (p[:, :2] <= hi), axis=1)
    idx = np.flatnonzero(in_box)
    pc = cell_index(p[idx, :2])
    pcell = pc[:, 1] * g + pc[:, 0]
    n_cand = start[pcell + 1] - start[pcell]
    ends = np.cumsum(n_cand)
    first = 0
    while first < idx.size:  # batches of points with at most max_pairs (point, triangle) pairs
        base = ends[first - 1] if first else 0
        last = max(first + 1, int(np.searchsorted(ends, base + max_pairs, side="right")))
        cnt = n_cand[first:last]
        who = np.repeat(np.arange(first, last), cnt)
        k = np.arange(who.size) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        t = tri[bucket[start[pcell[who]] + k]]
        q = p[idx[who]]
        a, b, c = t[:, 0], t[:, 1], t[:, 2]
        e_ab = _edge(a[:, 0], a[:, 1], b[:, 0], b[:, 1], q[:, 0], q[:, 1])
        e_bc = _edge(b[:, 0], b[:, 1], c[:, 0], c[:, 1], q[:, 0], q[:, 1])
        e_ca = _edge(c[:, 0], c[:, 1], a[:, 0], a[:, 1], q[:, 0], q[:, 1])
        hit = ((e_ab > 0) & (e_bc > 0) & (e_ca > 0)) | ((e_ab < 0) & (e_bc < 0) & (e_ca < 0))
        total = np.where(hit, e_ab + e_bc + e_ca, 1.0)
        z = (e_bc * a[:, 2] + e_ca * b[:, 2] + e_ab * c[:, 2]) / total  # barycentric height of the hit
        crossing = hit & (z > q[:, 2])
        odd = np.bincount(who - first, weights=crossing, minlength=last - first).astype(np.int64) % 2 == 1
        inside[idx[first:last]] = odd
        first = last
    return inside


def occupancy_labels(mesh, points: ArrayLike, method: str = "winding") -> np.ndarray:
    """True where a point is inside ``mesh``: ``points`` ``(n, 3)`` → bool ``(n,)``.

    ``method="winding"``: generalized winding number > 0.5 (robust on the non-watertight Dragon:
    a small hole only moves w near the hole); ``"ray"``: +z ray parity (:func:`ray_parity`), the
    principle of the reference code's trimesh ``ray.contains_points``.
    """
    check.one_of("method", method, LABEL_METHODS)
    if method == "ray":
        return ray_parity(mesh, points)
    p = _check_points(points)
    chunk = 2**20  # bounds the float64 copies libigl makes of large pools
    return np.concatenate([winding_numbers(mesh, p[i : i + chunk]) > 0.5 for i in range(0, max(len(p), 1), chunk)])


# ------------------------------------------------------------------------------------- point sets
def uniform_points(mesh, n: int, *, seed: int, margin: float = BOX_MARGIN) -> np.ndarray:
    """``n`` uniform points in :func:`bounding_box` ``(n, 3)`` float64 (FFN's "easy" test set and
    its training points), from ``numpy.random.default_rng(seed)``."""
    n = check.positive_int("n", n)
    rng = np.random.default_rng(check.seed("seed", seed))
    lo, hi = bounding_box(mesh, margin)
    return lo + rng.uniform(size=(n, 3)) * (hi - lo)


def near_surface_points(mesh, n: int, *, seed: int, noise: float = 0.01, source: str = "faces") -> np.ndarray:
    """``n`` points near the surface ``(n, 3)`` float64, from ``numpy.random.default_rng(seed)``.

    ``source="faces"`` (the reference code, FFN ``make_test_pts``): a face chosen uniformly (not by
    area), a uniform barycentric point on it (b₀ = 1 − √u₀, b₁ = u₁√u₀), plus N(0, noise²) on
    each axis. ``source="vertices"`` (the paper's App. I wording): a uniformly chosen vertex plus
    the same noise.
    """
    mesh = _checked_mesh(mesh)
    n = check.positive_int("n", n)
    noise = check.positive_number("noise", noise, allow_zero=True)
    check.one_of("source", source, SURFACE_SOURCES)
    rng = np.random.default_rng(check.seed("seed", seed))
    v = np.asarray(mesh.vertices, dtype=np.float64)
    if source == "faces":
        faces = np.asarray(mesh.faces)[rng.integers(0, len(mesh.faces), n)]
        u = rng.uniform(size=(n, 2))
        su0 = np.sqrt(u[:, 0])
        b0, b1 = 1.0 - su0, u[:, 1] * su0
        bary = np.stack([b0, b1, 1.0 - b0 - b1], axis=1)
        base = np.einsum("nk,nkd->nd", bary, v[faces])
    else:
        base = v[rng.integers(0, v.shape[0], n)]
    return base + noise * rng.normal(size=(n, 3))


_POOLS: collections.OrderedDict = collections.OrderedDict()
_POOL_CACHE_SIZE = 4


def training_pool(
    mesh, n: int, *, seed: int, method: str = "winding", margin: float = BOX_MARGIN, dtype=None, log=None
) -> tuple[np.ndarray, np.ndarray]:
    """A labelled pool of training points: ``(points (n, 3), inside (n,) bool)``.

    ``n`` uniform points in :func:`bounding_box` (seeded), labelled once by
    :func:`occupancy_labels` with ``method``. Pools are cached in memory (the last
    ``_POOL_CACHE_SIZE``, keyed by the mesh's vertices and faces and the arguments), so the
    parameterizations of one run label it once; the arrays returned are read-only. ``dtype`` of the
    points: JAX's default float. ``log(message)``, if given, hears the labelling time.
    """
    mesh = _checked_mesh(mesh)
    n = check.positive_int("n", n)
    check.seed("seed", seed)
    check.one_of("method", method, LABEL_METHODS)
    dtype = np.dtype(jnp.result_type(float) if dtype is None else dtype)
    key = (_fingerprint(mesh), n, seed, method, float(margin), dtype.str)
    if key in _POOLS:
        _POOLS.move_to_end(key)
        return _POOLS[key]
    points = uniform_points(mesh, n, seed=seed, margin=margin)
    start = time.perf_counter()
    inside = occupancy_labels(mesh, points, method)
    seconds = time.perf_counter() - start
    if log is not None:
        log(f"labelled a pool of {n:,} points by {method} in {seconds:.1f} s ({inside.mean():.1%} inside)")
    points = points.astype(dtype)
    for a in (points, inside):
        a.flags.writeable = False
    _POOLS[key] = (points, inside)
    while len(_POOLS) > _POOL_CACHE_SIZE:
        _POOLS.popitem(last=False)
    return points, inside


# ---------------------------------------------------------------------------------------- network
def sigmoid_binary_cross_entropy(logits: Float[ArrayLike, "..."], labels: ArrayLike) -> Float[Array, "..."]:
    """Per-element −[z log σ(x) + (1 − z) log(1 − σ(x))] in the stable form of the reference code,
    max(x, 0) − x·z + log(1 + exp(−|x|)); ``labels`` z in {0, 1} (bool or float), same shape."""
    x = jnp.asarray(logits)
    z = jnp.asarray(labels, dtype=x.dtype)
    if x.shape != z.shape:
        raise ValueError(f"logits and labels must have the same shape, got {x.shape} and {z.shape}")
    return jnp.maximum(x, 0) - x * z + jnp.log1p(jnp.exp(-jnp.abs(x)))


class AffineEmbedding(AbstractEmbedding):
    """γ(x) = a·inner(x) + b with fixed scalars a, b: FFN's occupancy conventions on top of an
    embedding (features / √m; raw coordinates as 2x − 1)."""

    inner: AbstractEmbedding
    factor: float = eqx.field(static=True)
    shift: float = eqx.field(static=True)
    in_size: int = eqx.field(static=True)
    out_size: int = eqx.field(static=True)

    def __init__(self, inner: AbstractEmbedding, factor: float, shift: float = 0.0):
        self.inner = check.instance("inner", inner, AbstractEmbedding, "a pinnrwf.nn embedding")
        self.factor = check.finite_number("factor", factor)
        self.shift = check.finite_number("shift", shift)
        self.in_size, self.out_size = inner.in_size, inner.out_size

    def __call__(self, x: Float[Array, " in"]) -> Float[Array, " out"]:
        return self.factor * self.inner(x) + self.shift


def occupancy_embedding(
    mapping: str,
    *,
    scale: float | None = None,
    num_features: int = 256,
    normalize: bool = True,
    key: PRNGKeyArray | None = None,
) -> AbstractEmbedding:
    """The input mapping of the occupancy network, for points in [0, 1]³.

    ``"gauss"`` / ``"posenc"``: :func:`~pinnrwf.vision.coordinate_embedding` with ``scale``
    (``None``: :data:`DEFAULT_SCALES`, FFN's 12 and 2⁶), divided by √(out_size/2) when
    ``normalize`` — the reference code's a/‖a‖ with a = 1 (÷16 for m = 256 Gaussian features).
    ``"none"``: 2x − 1 (the reference code's raw input, centred on the cube) when ``normalize``,
    else x.
    """
    check_mapping("mapping", mapping)
    if mapping == "none":
        inner = coordinate_embedding("none", 3, scale=1.0)  # the identity (scale unused)
        return AffineEmbedding(inner, 2.0, -1.0) if normalize else inner
    scale = DEFAULT_SCALES[mapping] if scale is None else scale
    inner = coordinate_embedding(mapping, 3, scale=scale, num_features=num_features, key=key)
    return AffineEmbedding(inner, 1.0 / float(np.sqrt(inner.out_size / 2))) if normalize else inner


def predict_logits(model, points: Float[Array, "n 3"], batch_size: int = 32_768) -> Float[Array, " n"]:
    """f_θ at every point, ``(n, 3)`` → ``(n,)``, evaluated ``batch_size`` points at a time
    (``lax.map``) to bound the memory of large test sets and grids."""
    return jax.lax.map(lambda x: model(x)[0], points, batch_size=min(batch_size, points.shape[0]))


def inside_iou(logits: Float[Array, " n"], inside: Bool[Array, " n"]) -> Float[Array, ""]:
    """IoU of {σ(logit) > 0.5} = {logit > 0} with the true inside set (FFN's threshold 0.5)."""
    from ._metrics import iou

    return iou(logits > 0, inside)


__all__ = [
    "LABEL_METHODS",
    "SURFACE_SOURCES",
    "DEFAULT_SCALES",
    "BOX_MARGIN",
    "load_mesh",
    "normalize_mesh",
    "bounding_box",
    "winding_numbers",
    "ray_parity",
    "occupancy_labels",
    "uniform_points",
    "near_surface_points",
    "training_pool",
    "sigmoid_binary_cross_entropy",
    "AffineEmbedding",
    "occupancy_embedding",
    "predict_logits",
    "inside_iou",
]
