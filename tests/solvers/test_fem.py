"""Finite-element references: meshes with named parts, orders of convergence, analytic flows,
interpolation, the HDF5 round trip and one-line errors. Small meshes: the whole file is cheap."""

import math

import numpy as np
import pytest

fem = pytest.importorskip("pinnrwf.solvers.fem")

from skfem import Functional  # noqa: E402
from skfem.helpers import dot, grad  # noqa: E402

from pinnrwf.datasets import DatasetError  # noqa: E402
from pinnrwf.datasets.fem import read_reference, write_reference  # noqa: E402
from pinnrwf.geometry import Ball, Disk, Polygon, Rectangle  # noqa: E402
from pinnrwf.solvers.base import SolverError  # noqa: E402

L_SHAPE = Polygon([(-1, -1), (1, -1), (1, 1), (0, 1), (0, 0), (-1, 0)])
CHANNEL = Rectangle((0, 0), (2, 1)).named({"left": "inlet", "right": "outlet", "bottom": "wall", "top": "wall"})


def exact(x):
    return np.sin(np.pi * x[0]) * np.cos(np.pi * x[1])


def exact_grad(x):
    return np.pi * np.stack([np.cos(np.pi * x[0]) * np.cos(np.pi * x[1]), -np.sin(np.pi * x[0]) * np.sin(np.pi * x[1])])


@Functional
def _l2(w):
    return (w["uh"] - exact(w.x)) ** 2


@Functional
def _h1(w):
    d = grad(w["uh"]) - exact_grad(w.x)
    return dot(d, d)


def errors(ref):
    b = ref.basis("u")
    uh = b.interpolate(ref.fields["u"])
    return math.sqrt(_l2.assemble(b, uh=uh)), math.sqrt(_h1.assemble(b, uh=uh))


def mesh_area(m):
    p = m.p[:, m.t]
    return 0.5 * np.abs((p[0, 1] - p[0, 0]) * (p[1, 2] - p[1, 0]) - (p[0, 2] - p[0, 0]) * (p[1, 1] - p[1, 0])).sum()


@pytest.fixture(scope="module")
def lshape_meshes():
    return [fem.triangulate(L_SHAPE, h) for h in (0.25, 0.125)]


def test_mesh_parts_area_and_exact_corners():
    g = Rectangle((0, 0), (1, 1)) - Disk((1.0, 1.0), 0.5).named("arc")
    m = fem.triangulate(g, 0.1)
    assert set(m.boundaries) == set(g.parts)
    assert sum(len(f) for f in m.boundaries.values()) == len(m.boundary_facets())  # every boundary edge labelled
    assert mesh_area(m) == pytest.approx(1 - math.pi / 16, rel=5e-3)  # the arc's chords cut a little
    for corner in ((0.5, 1.0), (1.0, 0.5)):  # where the circle meets the square: vertices, to rounding
        assert np.min(np.hypot(m.p[0] - corner[0], m.p[1] - corner[1])) < 1e-12
    arc = m.p[:, m.facets[:, m.boundaries["arc"]]]
    assert np.allclose(np.hypot(arc[0] - 1, arc[1] - 1), 0.5)


def test_refinement_near_a_part():
    g = Rectangle((0, 0), (1, 1)) - Disk((0.5, 0.5), 0.1).named("hole")
    coarse, fine = fem.triangulate(g, 0.2), fem.triangulate(g, 0.2, refine={"hole": 0.02})
    length = lambda m: np.hypot(*np.diff(m.p[:, m.facets[:, m.boundaries["hole"]]], axis=1)[:, 0]).max()  # noqa: E731
    assert length(fine) <= 0.021 < length(coarse)
    assert fine.t.shape[1] < 20 * coarse.t.shape[1]  # graded away from the hole, not fine everywhere


@pytest.mark.parametrize("degree", [1, 2])
def test_poisson_orders_on_the_l_shape(lshape_meshes, degree):
    f = lambda x: 2 * np.pi**2 * exact(x)  # noqa: E731
    errs = [errors(fem.poisson(m, f, dirichlet={p: exact for p in m.boundaries}, degree=degree)) for m in lshape_meshes]
    (l2a, h1a), (l2b, h1b) = errs
    assert math.log2(l2a / l2b) > degree + 0.7  # O(h^{p+1}) in L²
    assert math.log2(h1a / h1b) > degree - 0.3  # O(h^p) in H¹


def test_neumann_and_robin_data():
    m = fem.triangulate(Rectangle((0, 0), (1, 1)), 0.25)
    u = lambda x: np.exp(x[0]) * np.sin(x[1])  # noqa: E731 - harmonic
    ref = fem.poisson(
        m,
        0.0,
        dirichlet={"left": u, "bottom": u},
        neumann={"right": u},
        robin={"top": (2.0, lambda x: np.exp(x[0]) * np.cos(x[1]) + 2 * u(x))},
        degree=2,
    )
    assert np.abs(ref.fields["u"] - u(ref.basis("u").doflocs)).max() < 1e-3  # a sign error would be O(1)


def test_heat_implicit_euler_and_crank_nicolson():
    m = fem.triangulate(Rectangle((0, 0), (1, 1)), 0.2)
    u = lambda x, t: np.exp(-2 * np.pi**2 * t) * np.sin(np.pi * x[0]) * np.sin(np.pi * x[1])  # noqa: E731
    zero = {p: 0.0 for p in m.boundaries}
    err = {}
    for theta in (1.0, 0.5):
        ref = fem.heat(m, lambda x: u(x, 0.0), t_final=0.1, dt=0.01, dirichlet=zero, degree=2, theta=theta, n_out=3)
        assert ref.fields["u"].shape == (3, ref.basis("u").N) and np.allclose(ref.times, [0, 0.05, 0.1])
        err[theta] = np.abs(ref.fields["u"][-1] - u(ref.basis("u").doflocs, 0.1)).max()
    assert err[0.5] < 0.2 * err[1.0] and err[0.5] < 2e-3


def poiseuille(x):
    return 4 * x[1] * (1 - x[1])


def test_stokes_and_navier_stokes_reproduce_poiseuille_flow():
    m = fem.triangulate(CHANNEL, 0.25)
    nu = 0.1
    bc = {"inlet": (poiseuille, 0.0), "wall": (0.0, 0.0)}
    for ref in (fem.stokes(m, nu=nu, dirichlet=bc), fem.navier_stokes(m, nu=nu, dirichlet=bc)):
        x = ref.basis("u").doflocs
        assert np.abs(ref.fields["u"] - poiseuille(x)).max() < 1e-10
        assert np.abs(ref.fields["v"]).max() < 1e-10
        xp = ref.basis("p").doflocs  # do-nothing outlet: p = 0 there, dp/dx = −8ν
        assert np.abs(ref.fields["p"] - 8 * nu * (2 - xp[0])).max() < 1e-9
    assert ref.report["converged"] and ref.report["iterations"] <= 1


def test_force_on_a_body_is_its_buoyancy():
    g = Rectangle((0, 0), (1, 1)) - Disk((0.5, 0.5), 0.2).named("body")
    m = fem.triangulate(g, 0.2)
    still = {p: (0.0, 0.0) for p in m.boundaries}
    ref = fem.stokes(m, dirichlet=still, source=(0.0, -9.81))  # at rest, p = −9.81 y + c
    area = 1 - mesh_area(m)  # of the polygon the mesh makes of the disk
    fx, fy = fem.forces(ref, "body", source=(0.0, -9.81))
    assert abs(fx) < 1e-9 and fy == pytest.approx(9.81 * area, rel=1e-9)  # Archimedes


def test_enclosed_flow_fixes_the_mean_pressure():
    m = fem.triangulate(Rectangle((0, 0), (1, 1)), 0.34)
    ref = fem.stokes(m, dirichlet={"top": (1.0, 0.0), "left": (0.0, 0.0), "right": (0.0, 0.0), "bottom": (0.0, 0.0)})
    b = ref.basis("p")
    assert abs(Functional(lambda w: w["p"]).assemble(b, p=b.interpolate(ref.fields["p"]))) < 1e-10


def test_newton_failure_is_a_solver_error():
    m = fem.triangulate(Rectangle((0, 0), (1, 1)), 0.34)
    bc = {"top": (1.0, 0.0), "left": (0.0, 0.0), "right": (0.0, 0.0), "bottom": (0.0, 0.0)}
    with pytest.raises(SolverError, match="Newton did not converge in 1 iterations"):
        fem.navier_stokes(m, nu=0.01, dirichlet=bc, max_iterations=1)


def test_interpolation_matches_the_field_at_nodes_and_between(lshape_meshes):
    m = lshape_meshes[0]
    for degree in (1, 2):
        ref = fem.poisson(m, 1.0, dirichlet={p: exact for p in m.boundaries}, degree=degree)
        x = ref.basis("u").doflocs.T
        assert np.allclose(ref.at(x)["u"], ref.fields["u"], atol=1e-12)
    # P2 interpolation of a quadratic is exact anywhere
    q = lambda x: x[0] ** 2 - 3 * x[0] * x[1] + x[1]  # noqa: E731
    quad = fem.Reference(m, {"q": q(fem.lagrange_basis(m, 2).doflocs)}, {"q": 2}, pde="", solver="")
    pts = np.random.default_rng(0).uniform(-1, 1, (200, 2))
    pts = pts[~((pts[:, 0] < 0) & (pts[:, 1] > 0))]
    assert np.allclose(fem.interpolate(quad, pts)["q"], q(pts.T), atol=1e-12)
    with pytest.raises(ValueError, match="outside the mesh"):
        fem.interpolate(quad, np.array([[-0.5, 0.5]]))


def test_points_on_a_curved_boundary_are_interpolated():
    g = Rectangle((0, 0), (1, 1)) - Disk((0.5, 0.5), 0.2).named("hole")
    m = fem.triangulate(g, 0.1)
    ref = fem.Reference(m, {"x": m.p[0].copy()}, {"x": 1}, pde="", solver="")
    th = np.linspace(0, 2 * np.pi, 50)
    on_circle = np.stack([0.5 + 0.2 * np.cos(th), 0.5 + 0.2 * np.sin(th)], axis=1)
    assert np.allclose(ref.at(on_circle)["x"], on_circle[:, 0], atol=1e-3)


def test_hdf5_round_trip_and_validation(tmp_path, lshape_meshes):
    m = lshape_meshes[0]
    ref = fem.poisson(m, 1.0, dirichlet={p: 0.0 for p in m.boundaries}, degree=2)
    path = write_reference(tmp_path / "ref.h5", ref, problem="poisson-lshape", resolution={"h": 0.25})
    back = read_reference(path, problem="poisson-lshape")
    assert back.degrees == {"u": 2} and np.array_equal(back.fields["u"], ref.fields["u"])
    assert {k: sorted(v) for k, v in back.mesh.boundaries.items()} == {k: sorted(v) for k, v in m.boundaries.items()}
    pts = np.array([[-0.5, -0.5], [0.3, -0.7], [-0.2, 0.4]])
    assert np.allclose(back.at(pts)["u"], ref.at(pts)["u"], atol=1e-14)
    with pytest.raises(DatasetError, match="expected 'other'"):
        read_reference(path, problem="other")
    import h5py

    with h5py.File(path, "a") as f:
        del f["fields/u"]
        f.create_dataset("fields/u", data=np.zeros(7)).attrs["degree"] = 2
    with pytest.raises(DatasetError, match="has shape"):
        read_reference(path)


def test_a_failed_write_leaves_no_file(tmp_path, lshape_meshes):
    m = lshape_meshes[0]
    bad = fem.Reference(m, {"u": np.full(m.p.shape[1], np.nan)}, {"u": 1}, pde="", solver="")
    with pytest.raises(ValueError, match="non-finite"):
        write_reference(tmp_path / "bad.h5", bad, problem="x")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: fem.triangulate(Ball((0, 0, 0), 1.0), 0.1), "2D geometries"),
        (lambda: fem.triangulate(L_SHAPE, 0.0), "h must be"),
        (lambda: fem.triangulate(L_SHAPE, -1.0), "h must be"),
        (lambda: fem.triangulate(L_SHAPE, 0.5, refine={"nope": 0.1}), "'nope' is not a boundary part"),
        (lambda: fem.triangulate(L_SHAPE, 0.5, size=lambda x: 0 * x[:, 0]), "size must return positive"),
        (lambda: fem.triangulate(L_SHAPE, 0.5, min_angle=40), "min_angle must be in"),
        (
            lambda: fem.poisson(fem.triangulate(L_SHAPE, 0.5), 1.0, dirichlet={"nope": 0.0}),
            "'nope' is not a boundary part",
        ),
        (lambda: fem.poisson(fem.triangulate(L_SHAPE, 0.5), 1.0, neumann={"edge0": 0.0}), "needs a Dirichlet or Robin"),
        (lambda: fem.poisson(fem.triangulate(L_SHAPE, 0.5), 1.0, dirichlet={"edge0": 0.0}, degree=3), "degree must be"),
    ],
)
def test_bad_input_is_a_one_line_error(call, match):
    with pytest.raises(ValueError, match=match) as info:
        call()
    assert "\n" not in str(info.value)


@pytest.mark.slow
def test_generate_the_dfg_cylinder_reference(tmp_path, capsys):
    from pinnrwf.cli import main

    out = tmp_path / "dfg.h5"
    args = ["generate", "fem-dfg-cylinder", "--h", "0.1", "--h-cylinder", "0.02", "--out", str(out), "--no-progress"]
    assert main(args[:3] + ["-1"] + args[4:]) == 2 and not out.exists()
    assert "--h must be > 0" in capsys.readouterr().err
    assert main(args) == 0
    ref = read_reference(out, problem="fem-dfg-cylinder")
    assert set(ref.fields) == {"u", "v", "p"} and ref.report["converged"]
    assert ref.report["c_D"] == pytest.approx(5.58, rel=0.05)  # a coarse mesh; the benchmark has the accuracy
