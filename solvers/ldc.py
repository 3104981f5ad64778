"""Steady lid-driven cavity: u·∇u + ∇p − Δu/Re = 0, ∇·u = 0 on (0, 1)² (rwf_paper eqs. K.9–K.12).

Lid u = (1, 0) at y = 1, no slip elsewhere. Method: the streamfunction–vorticity form

    Δψ = −ω,     ψ_y ω_x − ψ_x ω_y = Δω / Re,     u = ψ_y, v = −ψ_x,

discretised with second-order central differences on the uniform node grid x_i = i/n,
y_j = j/n (i, j = 0..n), with ψ = 0 on the walls and Jensen's second-order wall vorticity
(e.g. on the lid ω = −(8ψ_{n−1} − ψ_{n−2})/(2h²) − 3U/h). The steady discrete equations are
solved directly by Newton's method (sparse Jacobian, SuperLU), with continuation in Re from
Stokes flow (Re-steps are halved automatically if Newton stalls).

Pressure: ∇p = −(u·∇)u + Δu/Re with Δu = (−ω_y, ω_x), evaluated at the nodes (second-order
differences) and integrated in the least-squares sense (a Neumann Poisson problem). Gauge: the
grid mean of p is zero. The pressure is singular (∝ 1/r) at the two lid corners, so p is not
meaningful in the two corner cells.

All fields are returned on the (n+1) × (n+1) node grid including the walls, indexed
``[i, j]`` = value at (x_i, y_j); the top row includes its corners, where u = 1 (lid).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from pinnrwf._validation import instance, positive_int, positive_number

from .base import SolverError, check_finite_solution

DEFAULT_N = (
    512  # Re = 1000 converged to < 1 % of the lid speed (benchmarks/studies/solvers_convergence/solvers_convergence.py)
)


@dataclass(frozen=True)
class CavitySolution:
    """Steady cavity flow on the node grid; unpacks as ``x, y, u, v, p``."""

    x: np.ndarray  # (n+1,)
    y: np.ndarray  # (n+1,)
    u: np.ndarray  # (n+1, n+1), [i, j] = u(x_i, y_j)
    v: np.ndarray
    p: np.ndarray  # mean zero
    psi: np.ndarray
    omega: np.ndarray
    re: float
    newton_iterations: int

    def __iter__(self):
        return iter((self.x, self.y, self.u, self.v, self.p))


class StreamfunctionVorticity:
    """Discrete steady ψ–ω equations on an n × n-cell grid; the linear part is precomputed."""

    def __init__(self, n: int, lid_velocity: float = 1.0):
        self.n = positive_int("n", n, minimum=4)
        self.h = 1.0 / self.n
        self.lid = positive_number("lid_velocity", lid_velocity)
        n1 = self.n + 1
        self.size = n1 * n1
        idx = np.arange(self.size).reshape(n1, n1)
        self.idx = idx
        inner = idx[1:-1, 1:-1].ravel()
        self.inner = inner
        N = self.size
        h2 = self.h**2
        rows, cols, vals = [], [], []

        def add(r, c, v):
            rows.append(np.asarray(r).ravel())
            cols.append(np.asarray(c).ravel())
            vals.append(np.broadcast_to(v, np.asarray(r).shape).ravel().astype(np.float64))

        # ψ rows: walls ψ = 0; interior Δψ + ω = 0.
        wall = np.setdiff1d(np.arange(N), inner)
        add(wall, wall, 1.0)
        E, W, Nn, S = idx[2:, 1:-1].ravel(), idx[:-2, 1:-1].ravel(), idx[1:-1, 2:].ravel(), idx[1:-1, :-2].ravel()
        self.nbr = (E, W, Nn, S)
        for c in (E, W, Nn, S):
            add(inner, c, 1.0 / h2)
        add(inner, inner, -4.0 / h2)
        add(inner, N + inner, 1.0)
        # ω wall rows (Jensen): ω_w + (8ψ_1 − ψ_2)/(2h²) = b (b = −3U/h on the lid).
        self.rhs = np.zeros(2 * N)
        k = np.arange(1, self.n)
        for w, p1, p2, is_lid in (
            (idx[k, 0], idx[k, 1], idx[k, 2], False),  # bottom
            (idx[k, -1], idx[k, -2], idx[k, -3], True),  # lid
            (idx[0, k], idx[1, k], idx[2, k], False),  # left
            (idx[-1, k], idx[-2, k], idx[-3, k], False),  # right
        ):
            add(N + w, N + w, 1.0)
            add(N + w, p1, 8.0 / (2 * h2))
            add(N + w, p2, -1.0 / (2 * h2))
            if is_lid:
                self.rhs[N + w] = -3.0 * self.lid / self.h
        corners = idx[[0, 0, -1, -1], [0, -1, 0, -1]]
        add(N + corners, N + corners, 1.0)  # corner ω is not used by any interior stencil
        self.psi_omega_rows = sp.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(2 * N, 2 * N)
        )
        # Vorticity Laplacian on the interior rows (scaled by −1/Re at assembly).
        lr, lc, lv = [], [], []
        for c in (E, W, Nn, S):
            lr.append(inner), lc.append(N + c), lv.append(np.full(inner.size, 1.0 / h2))
        lr.append(inner), lc.append(N + inner), lv.append(np.full(inner.size, -4.0 / h2))
        self.lap_omega = sp.csr_matrix(
            (np.concatenate(lv), (N + np.concatenate(lr), np.concatenate(lc))), shape=(2 * N, 2 * N)
        )
        # Index pattern of the convective Jacobian (8 entries per interior row).
        self._jrows = np.tile(N + inner, 8)
        self._jcols = np.concatenate([Nn, S, E, W, N + E, N + W, N + Nn, N + S])

    def linear(self, re: float) -> sp.csr_matrix:
        return (self.psi_omega_rows - self.lap_omega / re).tocsr()

    def convection(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """J(ψ, ω) = ψ_y ω_x − ψ_x ω_y at the interior rows and the values of its Jacobian."""
        N = self.size
        psi, om = z[:N], z[N:]
        E, W, Nn, S = self.nbr
        d = 4.0 * self.h**2
        psy, psx = psi[Nn] - psi[S], psi[E] - psi[W]
        omx, omy = om[E] - om[W], om[Nn] - om[S]
        conv = np.zeros(2 * N)
        conv[N + self.inner] = (psy * omx - psx * omy) / d
        jv = np.concatenate([omx, -omx, -omy, omy, psy, -psy, -psx, psx]) / d
        return conv, jv

    def newton(
        self, z: np.ndarray, re: float, *, tol: float = 1e-10, max_iter: int = 25
    ) -> tuple[np.ndarray, int] | None:
        """Newton iterations at a fixed Re from z; None if they diverge or stall."""
        A = self.linear(re)
        N2 = 2 * self.size
        for it in range(1, max_iter + 1):
            conv, jv = self.convection(z)
            resid = A @ z + conv - self.rhs
            J = A + sp.csr_matrix((jv, (self._jrows, self._jcols)), shape=(N2, N2))
            dz = spla.spsolve(J.tocsc(), -resid)
            if not np.all(np.isfinite(dz)):
                return None
            z = z + dz
            step = np.max(np.abs(dz[self.size :])) / max(1.0, np.max(np.abs(z[self.size :])))
            if step < tol:
                return z, it
            if step > 1e3:
                return None
        return None


def _velocity(psi: np.ndarray, h: float, lid: float) -> tuple[np.ndarray, np.ndarray]:
    u = np.zeros_like(psi)
    v = np.zeros_like(psi)
    u[1:-1, 1:-1] = (psi[1:-1, 2:] - psi[1:-1, :-2]) / (2 * h)
    v[1:-1, 1:-1] = -(psi[2:, 1:-1] - psi[:-2, 1:-1]) / (2 * h)
    u[:, -1] = lid
    return u, v


def _pressure(u, v, omega, re, h) -> np.ndarray:
    """Least-squares integration of ∇p = −(u·∇)u + (1/Re)(−ω_y, ω_x); mean-zero gauge."""
    ux, uy = np.gradient(u, h, edge_order=2)
    vx, vy = np.gradient(v, h, edge_order=2)
    wx, wy = np.gradient(omega, h, edge_order=2)
    gx = -(u * ux + v * uy) - wy / re
    gy = -(u * vx + v * vy) + wx / re
    n1 = u.shape[0]
    # Difference operators on the edges between neighbouring nodes.
    d1 = sp.diags([-np.ones(n1 - 1), np.ones(n1 - 1)], [0, 1], shape=(n1 - 1, n1)) / h
    eye = sp.identity(n1)
    dx = sp.kron(d1, eye)  # (n1−1)·n1 x-edges, nodes ordered [i, j] row-major
    dy = sp.kron(eye, d1)
    bx = 0.5 * (gx[1:, :] + gx[:-1, :]).ravel()
    by = 0.5 * (gy[:, 1:] + gy[:, :-1]).ravel()
    L = (dx.T @ dx + dy.T @ dy).tolil()
    rhs = dx.T @ bx + dy.T @ by
    # Pin node 0 (removes the constant null space), then shift to mean zero.
    L[0, :] = 0.0
    L[0, 0] = 1.0
    rhs[0] = 0.0
    p = spla.spsolve(L.tocsc(), rhs).reshape(n1, n1)
    return p - p.mean()


def solve(
    re: float = 100.0,
    n: int = DEFAULT_N,
    *,
    lid_velocity: float = 1.0,
    re_start: float = 50.0,
    initial: CavitySolution | None = None,
) -> CavitySolution:
    """Steady lid-driven cavity at Reynolds number ``re`` on an n × n-cell grid.

    Args:
        re: Reynolds number (> 0; validated up to Re = 1000).
        n: number of cells per side (>= 4, even so that x = 0.5 and y = 0.5 are nodes).
        lid_velocity: lid speed U (the paper: 1).
        re_start: first Reynolds number of the continuation (reached from Stokes flow).
        initial: a solution on the same grid to start the continuation from (e.g. a lower Re).

    Returns:
        :class:`CavitySolution` (unpacks as ``x, y, u, v, p``).

    Raises:
        SolverError: the Newton continuation stalled (no steady solution found on this grid).
    """
    re = positive_number("re", re)
    n = positive_int("n", n, minimum=4)
    if n % 2:
        raise ValueError(f"n must be even (so that the centrelines are grid lines), got {n}")
    lid_velocity = positive_number("lid_velocity", lid_velocity)
    re_start = positive_number("re_start", re_start)
    if initial is not None:
        instance("initial", initial, CavitySolution, "a CavitySolution (e.g. from a lower Re) or None")
    system = StreamfunctionVorticity(n, lid_velocity)
    N = system.size
    if initial is None and n > _COARSEST and n % 4 == 0:
        # Mesh sequencing: solve on the grid with half the cells, interpolate, and run Newton
        # at the target Re directly (a few iterations instead of a continuation on this grid).
        coarse = solve(re, n // 2, lid_velocity=lid_velocity, re_start=re_start)
        z0 = np.concatenate([_interpolate(coarse.psi, n).ravel(), _interpolate(coarse.omega, n).ravel()])
        z0[:N] = np.where(_wall_mask(n).ravel(), 0.0, z0[:N])
        result = system.newton(z0, re)
        if result is not None:
            return _finish(system, result[0], re, coarse.newton_iterations + result[1])
    if initial is not None:
        if initial.psi.shape != (n + 1, n + 1):
            raise ValueError(f"initial must be on the same grid (n = {n}), got shape {initial.psi.shape}")
        z = np.concatenate([initial.psi.ravel(), initial.omega.ravel()])
        current = initial.re
    else:
        z = np.zeros(2 * N)
        current = 0.0
    total_it = 0
    target = min(re, re_start) if current < re else re
    step = None
    while True:
        result = system.newton(z, target)
        if result is None:
            if step is None or step < 1.0:
                raise SolverError(
                    f"lid-driven cavity: the Newton continuation stalled at Re = {target:g} (reached Re = "
                    f"{current:g}) on the {n} × {n} grid, aiming at re = {re:g}: no steady solution was found "
                    f"(steady flow is computed reliably up to Re ≈ 1000 here and does not exist beyond "
                    f"Re ≈ 8000, where the flow becomes unsteady); try a lower re or a finer grid (larger n)"
                )
            step *= 0.5
            target = current + step
            continue
        z, it = result
        total_it += it
        current = target
        if current >= re:
            break
        step = min(current, re - current) if step is None else min(2.0 * step, re - current)
        target = current + step
    return _finish(system, z, re, total_it)


_COARSEST = 64


def _finish(system: StreamfunctionVorticity, z: np.ndarray, re: float, iterations: int) -> CavitySolution:
    n, N, h = system.n, system.size, system.h
    psi = z[:N].reshape(n + 1, n + 1)
    omega = z[N:].reshape(n + 1, n + 1).copy()
    check_finite_solution(z, what=f"lid-driven cavity at Re = {re:g}", hint="try a lower re or a finer grid")
    u, v = _velocity(psi, h, system.lid)
    p = _pressure(u, v, omega, re, h)
    x = np.linspace(0.0, 1.0, n + 1)
    return CavitySolution(x=x, y=x.copy(), u=u, v=v, p=p, psi=psi, omega=omega, re=re, newton_iterations=iterations)


def _wall_mask(n: int) -> np.ndarray:
    m = np.zeros((n + 1, n + 1), dtype=bool)
    m[0, :] = m[-1, :] = m[:, 0] = m[:, -1] = True
    return m


def _interpolate(field: np.ndarray, n: int) -> np.ndarray:
    """Cubic interpolation of a node field onto the (n+1)² node grid of [0, 1]²."""
    from scipy.interpolate import RectBivariateSpline

    xc = np.linspace(0.0, 1.0, field.shape[0])
    xf = np.linspace(0.0, 1.0, n + 1)
    return RectBivariateSpline(xc, xc, field, kx=3, ky=3)(xf, xf)


def centrelines(sol: CavitySolution) -> tuple[np.ndarray, np.ndarray]:
    """u(0.5, y_j) along the vertical and v(x_i, 0.5) along the horizontal centreline."""
    c = (sol.u.shape[0] - 1) // 2
    return sol.u[c, :], sol.v[:, c]
