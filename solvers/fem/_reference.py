"""A finite-element reference: the mesh, scalar Lagrange fields on it, and their values anywhere.

A field is the vector of its degrees of freedom for P1 (one per mesh vertex) or P2 (vertices,
then edge midpoints in the order of ``mesh.facets``), with a leading time axis for time-dependent
fields (``times`` then holds the output times). Vector fields (a velocity) are stored as their
scalar components (``"u"``, ``"v"``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.tri import Triangulation
from scipy.sparse import coo_matrix
from scipy.spatial import cKDTree
from skfem import Basis, ElementTriP1, ElementTriP2, MeshTri

ELEMENTS = {1: ElementTriP1, 2: ElementTriP2}


def lagrange_basis(mesh: MeshTri, degree: int, intorder: int | None = None) -> Basis:
    """The scikit-fem basis of P1 (``degree=1``) or P2 (``degree=2``) Lagrange elements on ``mesh``."""
    if degree not in ELEMENTS:
        raise ValueError(f"degree must be 1 or 2 (P1 or P2 Lagrange elements), got {degree!r}")
    return Basis(mesh, ELEMENTS[degree](), intorder=intorder)


def evaluate(f, x: np.ndarray, *args) -> np.ndarray:
    """A number or a callable of ``x`` (shape (2, ...): ``x[0]``, ``x[1]``) as an array of x's shape[1:]."""
    if callable(f):
        return np.broadcast_to(np.asarray(f(x, *args), dtype=np.float64), x.shape[1:])
    return np.full(x.shape[1:], float(f))


@dataclass(frozen=True)
class Reference:
    """A solved problem: ``mesh`` (:class:`skfem.MeshTri` with named ``boundaries``), ``fields``
    {name: DOF values, (n_dofs,) or (n_times, n_dofs)}, ``degrees`` {name: 1 or 2}, ``times``
    (output times of time-dependent fields, else None), and provenance: ``pde``, ``solver``,
    ``parameters`` and ``report`` (e.g. Newton's iterations, the drag coefficient)."""

    mesh: MeshTri
    fields: Mapping[str, np.ndarray]
    degrees: Mapping[str, int]
    pde: str
    solver: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    report: Mapping[str, Any] = field(default_factory=dict)
    times: np.ndarray | None = None

    def basis(self, name: str) -> Basis:
        return lagrange_basis(self.mesh, self.degrees[name])

    def at(self, points, names=None, *, outside_tol: float | None = None) -> dict[str, np.ndarray]:
        """The fields' values at ``points`` (n, 2): {name: (n,) or (n_times, n)}. See :func:`interpolate`."""
        return interpolate(self, points, names, outside_tol=outside_tol)


def _locate(mesh: MeshTri, x: np.ndarray, outside_tol: float | None):
    """(cells, points moved into their cell) for points (2, n): points outside the mesh (e.g. on a
    curved boundary, between the straight edges that approximate it) are projected onto the nearest
    boundary edge, if they lie within ``outside_tol`` of it (default: the longest boundary edge)."""
    finder = Triangulation(mesh.p[0], mesh.p[1], mesh.t.T).get_trifinder()
    cells = np.asarray(finder(x[0], x[1]), dtype=np.int64)
    out = np.flatnonzero(cells < 0)
    if out.size == 0:
        return cells, x
    facets = mesh.boundary_facets()
    a, b = mesh.p[:, mesh.facets[0, facets]], mesh.p[:, mesh.facets[1, facets]]
    if outside_tol is None:
        outside_tol = float(np.max(np.hypot(*(b - a))))
    k = min(8, len(facets))
    _, near = cKDTree(((a + b) / 2).T).query(x[:, out].T, k=k)
    near = near.reshape(len(out), k)
    p = x[:, out][:, :, None]  # (2, m, 1)
    ab = (b - a)[:, near]
    t = np.clip(np.sum((p - a[:, near]) * ab, axis=0) / np.sum(ab * ab, axis=0), 0, 1)
    proj = a[:, near] + t * ab
    dist = np.hypot(*(p - proj))
    best = np.argmin(dist, axis=1)
    rows = np.arange(len(out))
    far = dist[rows, best] > outside_tol
    if far.any():
        i = out[np.flatnonzero(far)[0]]
        raise ValueError(
            f"point {x[:, i].tolist()} lies outside the mesh, {dist[rows, best].max():.3g} from its "
            f"boundary (beyond outside_tol = {outside_tol:.3g})"
        )
    facet = facets[near[rows, best]]
    cell = mesh.f2t[0, facet]
    centroid = mesh.p[:, mesh.t[:, cell]].mean(axis=1)
    y = x.copy()
    y[:, out] = proj[:, rows, best] + 1e-9 * (centroid - proj[:, rows, best])
    cells[out] = cell
    return cells, y


def probe_matrix(basis: Basis, cells: np.ndarray, x: np.ndarray):
    """The sparse (n, n_dofs) matrix of the basis functions at points ``x`` (2, n) in ``cells``."""
    pts = basis.mapping.invF(x[:, :, None], tind=cells)
    phis = np.array([basis.elem.gbasis(basis.mapping, pts, k, tind=cells)[0] for k in range(basis.Nbfun)]).ravel()
    rows = np.tile(np.arange(x.shape[1]), basis.Nbfun)
    cols = basis.element_dofs[:, cells].ravel()
    return coo_matrix((phis, (rows, cols)), shape=(x.shape[1], basis.N)).tocsr()


def interpolate(reference: Reference, points, names=None, *, outside_tol: float | None = None):
    """The values of ``reference``'s fields (all, or ``names``) at ``points`` (n, 2), exactly as
    the finite-element functions (P1 or P2 on each triangle): {name: (n,) or (n_times, n)}.

    Points outside the mesh but within ``outside_tol`` of it (default: the longest boundary edge,
    which covers a curved boundary's points between the mesh's straight edges) take the value at
    the nearest boundary point; farther points raise ``ValueError``."""
    x = np.asarray(points, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("points must be finite")
    names = list(reference.fields) if names is None else list(names)
    unknown = [n for n in names if n not in reference.fields]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not a field of the reference (fields: {sorted(reference.fields)})")
    cells, y = _locate(reference.mesh, x.T.copy(), outside_tol)
    probes: dict[int, Any] = {}
    out = {}
    for name in names:
        d = reference.degrees[name]
        if d not in probes:
            probes[d] = probe_matrix(reference.basis(name), cells, y)
        values = np.asarray(reference.fields[name])
        out[name] = (probes[d] @ values.T).T
    return out


Source = float | Callable[..., np.ndarray]
