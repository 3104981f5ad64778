"""Darcy flow −∇·(a ∇u) = f on (0, 1)², u = 0 on the boundary (rwf_paper eqs. L.5–L.6, f = 1).

Conservative five-point finite-volume/finite-difference scheme on the uniform node grid
x_i = i/(n−1), y_j = j/(n−1) (the paper's 64 × 64 mesh includes the boundary nodes): the flux
through the face between two nodes uses the harmonic mean of a at those nodes,

    −[a_{i+½,j}(u_{i+1,j} − u_{ij}) − a_{i−½,j}(u_{ij} − u_{i−1,j})
      + a_{i,j+½}(u_{i,j+1} − u_{ij}) − a_{i,j−½}(u_{ij} − u_{i,j−1})] / h² = f_{ij},

which is second order for smooth a and robust for the piecewise-constant (thresholded) fields of
the benchmark. The interior system (symmetric positive definite) is solved by a sparse direct
LU factorisation (SuperLU). The sparsity pattern and index maps are precomputed once per grid
in :class:`DarcyOperator`; only the values change with a.

Arrays are indexed ``[..., i, j]`` = value at (x_i, y_j).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from pinnrwf._validation import function, positive_int

from .base import as_float64_array, check_finite_solution

PAPER_N = 64


class DarcyOperator:
    """Assembles and solves the five-point system for one grid size (pattern precomputed)."""

    def __init__(self, n: int):
        self.n = positive_int("n", n, minimum=3)
        self.h = 1.0 / (self.n - 1)
        m = self.n - 2
        idx = np.arange(m * m).reshape(m, m)  # interior unknown numbering, [i, j]
        self.m = m
        # Interior faces between neighbouring unknowns (both sides interior): x-faces and y-faces.
        self._rows = np.concatenate([idx[:-1, :].ravel(), idx[:, :-1].ravel()])
        self._cols = np.concatenate([idx[1:, :].ravel(), idx[:, 1:].ravel()])

    @staticmethod
    def face_coefficients(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Harmonic means at the x-faces ``(n−1, n)`` and y-faces ``(n, n−1)`` of nodal a ``(n, n)``."""
        ax = 2.0 * a[1:, :] * a[:-1, :] / (a[1:, :] + a[:-1, :])
        ay = 2.0 * a[:, 1:] * a[:, :-1] / (a[:, 1:] + a[:, :-1])
        return ax, ay

    def matrix(self, a: np.ndarray) -> sp.csc_matrix:
        """The SPD matrix h² × (discrete −∇·a∇) on the interior unknowns, for nodal a ``(n, n)``."""
        ax, ay = self.face_coefficients(a)
        # Face (i+½, j) couples nodes i and i+1; interior rows i = 1..n−2, columns j = 1..n−2.
        west = ax[:-1, 1:-1]  # face between i−1 and i, for i = 1..n−2
        east = ax[1:, 1:-1]
        south = ay[1:-1, :-1]
        north = ay[1:-1, 1:]
        diag = (west + east + south + north).ravel()
        off = np.concatenate([ax[1:-1, 1:-1].ravel(), ay[1:-1, 1:-1].ravel()])
        mm = self.m * self.m
        rows = np.concatenate([np.arange(mm), self._rows, self._cols])
        cols = np.concatenate([np.arange(mm), self._cols, self._rows])
        vals = np.concatenate([diag, -off, -off])
        return sp.csc_matrix((vals, (rows, cols)), shape=(mm, mm))

    def solve(self, a: np.ndarray, f: np.ndarray) -> np.ndarray:
        """u ``(n, n)`` (zero on the boundary) for nodal a ``(n, n)`` and f ``(n, n)``."""
        lu = spla.splu(self.matrix(a))
        u = np.zeros((self.n, self.n))
        u[1:-1, 1:-1] = lu.solve(self.h**2 * f[1:-1, 1:-1].ravel()).reshape(self.m, self.m)
        return u


def grid(n: int = PAPER_N) -> np.ndarray:
    """The node coordinates x_i = i/(n−1) (the same in y)."""
    return np.linspace(0.0, 1.0, positive_int("n", n, minimum=3))


def solve(a, *, f=1.0, progress=None) -> np.ndarray:
    """Solve −∇·(a∇u) = f, u = 0 on ∂(0,1)², on the node grid of ``a``.

    Args:
        a: positive coefficient at the nodes, ``(n, n)`` or ``(batch, n, n)`` (NumPy or JAX).
        f: right-hand side, a scalar (paper: 1) or nodal values broadcastable to a's shape.
        progress: optional callable ``progress(k)`` called after each sample.

    Returns:
        u with the shape of ``a`` (zero on the boundary), float64.
    """
    a = as_float64_array("a", a, ndim=(2, 3))
    n = a.shape[-1]
    if a.shape[-2] != n:
        raise ValueError(f"a must be sampled on a square n × n grid, got shape {a.shape}")
    if n < 3:
        raise ValueError(f"a must have at least 3 × 3 grid points, got shape {a.shape}")
    if np.any(a <= 0):
        raise ValueError("a must be strictly positive everywhere")
    f = as_float64_array("f", f, ndim=(0, 2, 3))
    try:
        f = np.broadcast_to(f, a.shape)
    except ValueError:
        raise ValueError(f"f must be a scalar or broadcastable to a's shape {a.shape}, got {f.shape}") from None
    if progress is not None:
        function("progress", progress)
    single = a.ndim == 2
    a3, f3 = (a[None], f[None]) if single else (a, f)
    op = DarcyOperator(n)
    u = np.empty_like(a3)
    for s in range(a3.shape[0]):
        u[s] = check_finite_solution(
            op.solve(a3[s], f3[s]),
            what=f"darcy: sample {s}",
            hint=f"a ranges over [{a3[s].min():.3g}, {a3[s].max():.3g}]; a contrast this "
            f"large makes the linear system singular in float64",
        )
        if progress is not None:
            progress(s)
    return u[0] if single else u


def manufactured_solution(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A smooth verification case on the n × n node grid: (a, f, u) with −∇·(a∇u) = f, u = 0 on ∂Ω.

    u = sin(πx) sin(πy) eˣ, a = 2 + x y² + sin(2πx) (variable, positive); used by the tests and
    ``benchmarks/studies/solvers_convergence/solvers_convergence.py`` to measure the observed order of ``solve``.
    """
    x = grid(n)
    X, Y = np.meshgrid(x, x, indexing="ij")
    pi = np.pi
    a = 2 + X * Y**2 + np.sin(2 * pi * X)
    a_x, a_y = Y**2 + 2 * pi * np.cos(2 * pi * X), 2 * X * Y
    e, sx, sy, cx, cy = np.exp(X), np.sin(pi * X), np.sin(pi * Y), np.cos(pi * X), np.cos(pi * Y)
    u = sx * sy * e
    u_x = (pi * cx + sx) * sy * e
    u_xx = (-(pi**2) * sx + 2 * pi * cx + sx) * sy * e
    u_y, u_yy = pi * sx * cy * e, -(pi**2) * u
    f = -(a_x * u_x + a * u_xx + a_y * u_y + a * u_yy)
    return a, f, u
