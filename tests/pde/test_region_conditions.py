"""Conditions on any boundary (pde.Region, Neumann on normals, Robin) and the box Domain unchanged."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf import geometry as G
from pinnrwf import pde

LAPLACE = pde.Equation(coords=("x", "y"), fields=("u",), residual=lambda p: p.laplacian("u"))


def exact(z):  # harmonic: u = x² − y², ∇u = (2x, −2y)
    return jnp.array([z[0] ** 2 - z[1] ** 2])


def _losses(terms, model=exact):
    objective = pde.PINNObjective(LAPLACE, terms)
    return _evaluate(objective, model)


@eqx.filter_jit
def _evaluate(objective, model):  # one compiled program instead of op-by-op dispatch
    return objective.loss_terms(model, objective.sample(jax.random.PRNGKey(0)), jnp.int32(0))[0]


def test_neumann_robin_dirichlet_vanish_for_the_exact_solution_on_a_disk():
    disk = pde.Region(G.Disk((0.0, 0.0), 1.0), ("x", "y"))
    flux = lambda pt: 2 * pt.x**2 - 2 * pt.y**2  # n = (x, y) on the unit circle  # noqa: E731
    terms = {
        "r": pde.Residual(disk.interior(64)),
        "n": pde.Neumann(flux, disk.boundary(64)),
        "robin": pde.Robin(lambda pt: 3 * (pt.x**2 - pt.y**2), disk.boundary(64), a=1.0, b=1.0),
        "d": pde.Dirichlet(lambda pt: pt.x**2 - pt.y**2, disk.boundary(64, where=lambda pt: pt.x > 0)),
    }
    losses = _losses(terms)
    assert all(float(v) < 1e-9 for v in losses.values()), losses
    wrong = lambda z: jnp.array([z[0] ** 2 - z[1] ** 2 + 0.1 * z[0]])  # noqa: E731  (harmonic, other flux)
    losses = _losses(terms, wrong)
    assert float(losses["n"]) > 1e-3 and float(losses["robin"]) > 1e-3 and float(losses["r"]) < 1e-9


def test_neumann_on_a_hole_uses_the_outward_normal_of_the_domain():
    plate = pde.Region(G.Rectangle((-1, -1), (1, 1)) - G.Disk((0, 0), 0.5).named("hole"), ("x", "y"))
    into_hole = lambda pt: -(2 * pt.x**2 - 2 * pt.y**2) / 0.5  # n = −(x, y)/r  # noqa: E731
    loss = _losses({"n": pde.Neumann(into_hole, plate.boundary(64, part="hole"))})["n"]
    assert float(loss) < 1e-9


def test_normal_neumann_on_box_faces_equals_the_coordinate_form():
    domain = pde.Domain({"x": (0.0, 1.0), "y": (0.0, 2.0)})
    face = domain.face("x", "lower", 32)
    value = lambda pt: pt.y  # noqa: E731
    by_coord = pde.Neumann(lambda pt: -value(pt), face, "x")  # ∂u/∂n = −∂u/∂x on x = 0
    by_normal = pde.Neumann(value, face)
    model = lambda z: jnp.array([jnp.sin(z[0]) * z[1] + z[1] ** 2])  # noqa: E731
    a, b = _losses({"a": by_coord}, model)["a"], _losses({"b": by_normal}, model)["b"]
    assert np.isclose(float(a), float(b), rtol=1e-6)
    pts, normals = domain.boundary(12).sample_with_normals(jax.random.PRNGKey(3))
    assert np.array_equal(pts, domain.boundary(12).sample(jax.random.PRNGKey(3)))
    assert np.allclose(normals[:3], [[-1, 0]] * 3) and np.allclose(normals[-3:], [[0, 1]] * 3)


def test_space_time_region_with_initial_condition():
    heat = pde.Equation(
        coords=("x", "y", "t"), fields=("u",), params={"k": 0.5}, residual=lambda p: p.u_t - p.k * p.laplacian("u")
    )
    region = pde.Region(G.Disk((0, 0), 1.0) * G.TimeInterval(0.0, 1.0), ("x", "y", "t"))

    def u(z):  # u_t = 2 = k Δu with k = 1/2
        return jnp.array([z[0] ** 2 + z[1] ** 2 + 2.0 * z[2]])

    objective = pde.PINNObjective(
        heat,
        {
            "r": pde.Residual(region.interior(64)),
            "ic": pde.InitialCondition(lambda pt: pt.x**2 + pt.y**2, region.initial(32)),
            "n": pde.Neumann(lambda pt: 2.0, region.boundary(32)),  # ∂u/∂n = 2r = 2 on the unit circle
        },
    )
    losses = _evaluate(objective, u)
    assert all(float(v) < 1e-9 for v in losses.values()), losses


def test_box_domain_draws_the_same_numbers_as_before():
    """Values drawn by pde.Domain's samplers before geometries existed (main at c1701ae)."""
    d = pde.Domain({"x": (0.0, 2.0), "t": (0.0, 1.0)})
    k = jax.random.PRNGKey(3)
    expected = [
        (
            d.interior(3),
            [
                [0.14810514450073242, 0.938144326210022],
                [1.2979140281677246, 0.9756209850311279],
                [0.556755542755127, 0.5829380750656128],
            ],
        ),
        (
            d.interior(4, chunks=2),
            [
                [0.14810514450073242, 0.469072163105011],
                [1.2979140281677246, 0.48781049251556396],
                [0.556755542755127, 0.7914690375328064],
                [0.2130110263824463, 0.6907830238342285],
            ],
        ),
        (d.initial(2), [[0.14810514450073242, 0.0], [1.2979140281677246, 0.0]]),
        (d.boundary(3), [[0.0, 0.04398846626281738], [0.0, 0.16774213314056396], [2.0, 0.5417391061782837]]),
        (d.face("x", "upper", 2), [[2.0, 0.938144326210022], [2.0, 0.9756209850311279]]),
    ]
    for sampler, values in expected:
        assert np.array_equal(np.asarray(sampler.sample(k)), np.asarray(values, dtype=np.float32))
    assert d.geometry.space.bounds == ((0.0,), (2.0,)) and (d.geometry.t0, d.geometry.t1) == (0.0, 1.0)


def test_bad_region_and_condition_input():
    disk = G.Disk((0, 0), 1.0)
    cases = [
        (lambda: pde.Region(disk, ("x", "y", "z")), "coords"),
        (lambda: pde.Region(disk, ("x", "y"), time="t"), "time"),
        (lambda: pde.Region(disk, ("x", "y")).boundary(8, part="inlet"), "part: 'inlet' is not a boundary part"),
        (lambda: pde.Region(disk, ("x", "y")).boundary(8, where=lambda pt: pt.x > 5), "where"),
        (lambda: pde.Region(disk, ("x", "y")).initial(8), "initial"),
        (lambda: pde.Neumann(lambda pt: 0.0, pde.Region(disk, ("x", "y")).interior(8)), "sampler"),
        (lambda: pde.Robin(lambda pt: 0.0, pde.Region(disk, ("x", "y")).boundary(8), a=0.0, b=0.0), "Robin: a and b"),
    ]
    for make, match in cases:
        with pytest.raises(ValueError, match=match) as err:
            make()
        assert "\n" not in str(err.value)
    wrong = pde.Region(disk, ("y", "x"))
    with pytest.raises(ValueError, match="coordinates"):
        pde.PINNObjective(LAPLACE, {"r": pde.Residual(wrong.interior(8))})
