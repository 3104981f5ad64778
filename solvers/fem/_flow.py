"""Steady incompressible flow with Taylor–Hood P2/P1 elements (scikit-fem), float64.

- :func:`stokes`: −νΔu + ∇p = f, ∇·u = 0;
- :func:`navier_stokes`: −νΔu + (u·∇)u + ∇p = f, ∇·u = 0, by Newton's method from the Stokes
  solution, with a report of every iteration (residual and step norms);
- :func:`forces`: the force on a boundary part by the volume-integral (test-function) method
  (John 2004): F·e = −R(u, p; v_e) with v_e = e on the part's degrees of freedom and 0 on the
  others, R the weak residual. It is exact for the discrete solution's equations and converges
  at the rate of the solution, better than integrating the stress over the boundary.

Velocity data on Dirichlet parts: ``dirichlet={part: (g_x, g_y)}`` (numbers or callables of ``x``,
shape (2, ...)). Parts without a condition are outflow boundaries with the natural "do-nothing"
condition ν ∂u/∂n − p n = 0; with none, the pressure is fixed by a zero mean.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np
from scipy.sparse import bmat, csr_matrix
from skfem import (
    Basis,
    BilinearForm,
    ElementTriP1,
    ElementTriP2,
    ElementVector,
    Functional,
    LinearForm,
    MeshTri,
    asm,
    condense,
    solve,
)
from skfem.helpers import ddot, div, dot, grad, mul

from pinnrwf._validation import positive_int, positive_number
from pinnrwf.solvers.base import SolverError

from ._reference import Reference, evaluate
from ._scalar import check_parts


@BilinearForm
def _vector_laplace(u, v, w):
    return ddot(grad(u), grad(v))


@BilinearForm
def _divergence(u, q, w):
    return div(u) * q


@LinearForm
def _convection_residual(v, w):
    u = w["w"]
    return dot(mul(grad(u), u), v)


@BilinearForm
def _convection_jacobian(du, v, w):
    u = w["w"]
    return dot(mul(grad(u), du) + mul(grad(du), u), v)


@Functional
def _mean(w):
    return w["p"]


def _vector_load(f):
    @LinearForm
    def form(v, w):
        fx, fy = f
        return evaluate(fx, w.x) * v[0] + evaluate(fy, w.x) * v[1]

    return form


class _TaylorHood:
    """The spaces, the Stokes operator and the boundary data of one flow problem."""

    def __init__(self, mesh: MeshTri, nu: float, dirichlet: Mapping, source):
        if not dirichlet:
            raise ValueError("dirichlet must give the velocity on at least one boundary part")
        check_parts(mesh, dirichlet=dirichlet)
        for name, g in dirichlet.items():
            if not (isinstance(g, tuple) and len(g) == 2):
                raise ValueError(f"dirichlet[{name!r}] must be a pair (g_x, g_y), got {g!r}")
        if not (isinstance(source, tuple) and len(source) == 2):
            raise ValueError(f"source must be a pair (f_x, f_y), got {source!r}")
        self.mesh, self.nu = mesh, nu
        self.bu = Basis(mesh, ElementVector(ElementTriP2()), intorder=4)
        self.bp = Basis(mesh, ElementTriP1(), intorder=4)
        self.nu_ = self.bu.N
        A = asm(_vector_laplace, self.bu)
        B = asm(_divergence, self.bu, self.bp)
        self.K = bmat([[nu * A, -B.T], [-B, None]], "csr")
        self.F = np.concatenate([asm(_vector_load(source), self.bu), np.zeros(self.bp.N)])
        self.x0 = np.zeros(self.K.shape[0])
        D = []
        for name, (gx, gy) in dirichlet.items():
            dofs = self.bu.get_dofs(mesh.boundaries[name])
            for comp, g in (("u^1", gx), ("u^2", gy)):
                d = dofs.all([comp])
                self.x0[d] = evaluate(g, self.bu.doflocs[:, d])
                D.append(d)
        D = np.unique(np.concatenate(D))
        natural = set(mesh.boundaries) - set(dirichlet)
        self.pinned = not natural
        if self.pinned:  # an enclosed flow: p is defined up to a constant, fix p at one vertex, then the mean
            D = np.concatenate([D, [self.nu_]])
        self.D = D
        self.parts = sorted(dirichlet)

    def split(self, x):
        return x[: self.nu_], x[self.nu_ :]

    def residual(self, x, convection: bool):
        r = self.K @ x - self.F
        if convection:
            r[: self.nu_] += asm(_convection_residual, self.bu, w=self.bu.interpolate(x[: self.nu_]))
        return r

    def jacobian(self, x):
        C = asm(_convection_jacobian, self.bu, w=self.bu.interpolate(x[: self.nu_]))
        return self.K + bmat([[C, None], [None, csr_matrix((self.bp.N, self.bp.N))]], "csr")

    def solve_linear(self, J, rhs, x):
        return solve(*condense(J, rhs, x=x, D=self.D))

    def reference(self, x, pde, solver, parameters, report) -> Reference:
        u, p = self.split(x)
        if self.pinned:
            area = Functional(lambda w: 1.0 + 0 * w.x[0]).assemble(self.bp)
            p = p - _mean.assemble(self.bp, p=self.bp.interpolate(p)) / area
        comp = [np.concatenate([u[self.bu.nodal_dofs[i]], u[self.bu.facet_dofs[i]]]) for i in range(2)]
        return Reference(
            self.mesh,
            {"u": comp[0], "v": comp[1], "p": p},
            {"u": 2, "v": 2, "p": 1},
            pde=pde,
            solver=solver,
            parameters=parameters,
            report=report,
        )


def stokes(mesh: MeshTri, *, nu: float = 1.0, dirichlet: Mapping, source=(0.0, 0.0)) -> Reference:
    """−νΔu + ∇p = f, ∇·u = 0 on ``mesh``; Taylor–Hood P2/P1. Fields ``"u"``, ``"v"`` (P2) and
    ``"p"`` (P1). See the module docstring for the boundary conditions."""
    nu = positive_number("nu", nu)
    th = _TaylorHood(mesh, nu, dict(dirichlet), source)
    x = th.solve_linear(th.K, th.F, th.x0.copy())
    return th.reference(
        x,
        "-nu laplace(u) + grad(p) = f, div(u) = 0",
        "Taylor-Hood P2/P1 (scikit-fem), sparse direct solve",
        {"nu": nu, "dirichlet": th.parts},
        {},
    )


def navier_stokes(
    mesh: MeshTri,
    *,
    nu: float,
    dirichlet: Mapping,
    source=(0.0, 0.0),
    rtol: float = 1e-10,
    atol: float = 1e-12,
    max_iterations: int = 25,
    verbose: bool = False,
) -> Reference:
    """−νΔu + (u·∇)u + ∇p = f, ∇·u = 0 on ``mesh``; Taylor–Hood P2/P1, Newton's method from the
    Stokes solution until the residual's norm (at the free degrees of freedom) is ≤
    max(``rtol`` × its first value, ``atol``).

    ``reference.report["newton"]`` lists every iteration ({iteration, residual, step}); with
    ``verbose`` each is printed. No convergence within ``max_iterations``: ``SolverError`` with the
    last residuals (try continuation in ν from a larger value, or a finer mesh)."""
    nu = positive_number("nu", nu)
    max_iterations = positive_int("max_iterations", max_iterations)
    rtol, atol = positive_number("rtol", rtol), positive_number("atol", atol)
    t0 = time.perf_counter()
    th = _TaylorHood(mesh, nu, dict(dirichlet), source)
    x = th.solve_linear(th.K, th.F, th.x0.copy())  # the Stokes solution, which meets the boundary data
    free = np.setdiff1d(np.arange(len(x)), th.D)
    history = []
    r0 = None
    for it in range(max_iterations + 1):
        r = th.residual(x, convection=True)
        res = float(np.linalg.norm(r[free]))
        r0 = res if r0 is None else r0
        entry = {"iteration": it, "residual": res}
        if history:
            entry["step"] = history[-1].pop("_step")
        history.append(entry)
        if verbose:
            print(
                f"Newton {it:2d}: |residual| = {res:.3e}"
                + (f", |step| = {entry['step']:.3e}" if "step" in entry else "")
            )
        if not np.isfinite(res):
            break
        if res <= max(rtol * r0, atol):
            report = {"newton": history, "converged": True, "iterations": it, "seconds": time.perf_counter() - t0}
            return th.reference(
                x,
                "-nu laplace(u) + (u.grad)u + grad(p) = f, div(u) = 0",
                "Taylor-Hood P2/P1 (scikit-fem), Newton's method from the Stokes solution, sparse direct solves",
                {"nu": nu, "dirichlet": th.parts, "rtol": rtol, "atol": atol},
                report,
            )
        if it == max_iterations:
            break
        dx = th.solve_linear(th.jacobian(x), -r, np.zeros_like(x))
        history[-1]["_step"] = float(np.linalg.norm(dx))
        x = x + dx
    last = ", ".join(f"{h['residual']:.2e}" for h in history[-4:])
    raise SolverError(
        f"Navier-Stokes: Newton did not converge in {max_iterations} iterations at nu = {nu:g} "
        f"(last residuals {last}; target {max(rtol * r0, atol):.2e}); try continuation from a larger "
        "nu, or a finer mesh"
    )


def forces(reference: Reference, part: str, *, source=(0.0, 0.0)) -> tuple[float, float]:
    """(F_x, F_y), the force of the fluid on boundary ``part`` of a :func:`navier_stokes` (or, with
    no convection term, :func:`stokes`) reference, by the volume-integral method (module docstring);
    ``source``: the body force the reference was solved with. Exact for a closed part (a body in
    the flow); on a part that meets others, the degrees of freedom at the shared corners also
    count a little of the neighbours' traction."""
    mesh = reference.mesh
    if part not in (mesh.boundaries or {}):
        raise ValueError(f"part: {part!r} is not a boundary part of the mesh; the parts are {tuple(mesh.boundaries)}")
    nu = reference.parameters["nu"]
    th = _TaylorHood(mesh, nu, {part: (0.0, 0.0)}, source)
    x = np.zeros(th.K.shape[0])
    for i, name in enumerate(("u", "v")):
        values = reference.fields[name]
        x[th.bu.nodal_dofs[i]] = values[: mesh.p.shape[1]]
        x[th.bu.facet_dofs[i]] = values[mesh.p.shape[1] :]
    x[th.nu_ :] = reference.fields["p"]
    r = th.residual(x, convection="newton" in reference.report)
    dofs = th.bu.get_dofs(mesh.boundaries[part])
    return tuple(-float(np.sum(r[dofs.all([c])])) for c in ("u^1", "u^2"))
