"""The problems on non-box domains (L-shape, plate with holes, DFG cylinder): exact solutions,
boundary data, the drag/lift quadrature on fields integrated by hand, config errors."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf import geometry
from pinnrwf.problems import cylinder, poisson_holes, poisson_lshape
from pinnrwf.reports import shape_triangulation
from pinnrwf.train import TrainConfig

KEY = jax.random.PRNGKey(0)


def as_model(u):
    return lambda z: jnp.atleast_1d(u(z[0], z[1]))


@pytest.mark.parametrize(
    "module, problem", [(poisson_lshape, poisson_lshape.PoissonLShape()), (poisson_holes, poisson_holes.PoissonHoles())]
)
def test_losses_and_error_vanish_on_the_exact_solution(module, problem):
    config = problem.presets["smoke"].config
    objective = problem.objective(config, TrainConfig(steps=10))
    model = as_model(module.exact)
    terms, error = jax.jit(
        lambda batch: (objective.loss_terms(model, batch, jnp.int32(0))[0], objective.metrics(model)["rel_l2"])
    )(objective.sample(KEY))
    assert terms and all(float(v) < 1e-8 for k, v in terms.items() if k != "r")
    assert float(terms["r"]) < 1e-6 * (1 if module is poisson_lshape else (2 * math.pi**2) ** 2)
    assert float(error) < 1e-6


def test_lshape_solution_vanishes_on_the_corner_edges_and_points_stay_in_the_shape():
    s = np.linspace(0.01, 1.0, 50)
    assert np.allclose(poisson_lshape.exact(s, 0 * s), 0, atol=1e-12)  # θ = 0
    assert np.allclose(poisson_lshape.exact(0 * s, -s), 0, atol=1e-12)  # θ = 3π/2
    points, values = poisson_lshape.evaluation_points(poisson_lshape.LShapeConfig(eval_n=21))
    assert not np.any((points[:, 0] > 0) & (points[:, 1] < 0))  # nothing in the notch
    assert len(points) == 21 * 21 - 10 * 10 and values.shape == (len(points),)


def test_grid_inside_keeps_the_nodes_in_the_shape_and_the_triangulation_masks_the_rest():
    points = geometry.grid_inside(poisson_holes.plate(), (41, 21))
    assert len(points) < 41 * 21 and np.all(np.asarray(jax.vmap(poisson_holes.plate().contains)(points)))
    assert len(geometry.grid_inside(geometry.Rectangle((0, 0), (1, 2)), (5, 7))) == 35
    with pytest.raises(ValueError, match="counts must give 2 numbers"):
        geometry.grid_inside(poisson_holes.plate(), (5,))
    points, _ = poisson_holes.evaluation_points(poisson_holes.HolesConfig(eval_n=11, eval_circle=16))
    tri = shape_triangulation(points, poisson_holes.plate())
    kept = np.stack([tri.x, tri.y], axis=1)[tri.triangles[~tri.mask]].mean(axis=1)
    assert tri.mask.any() and np.all(np.asarray(jax.vmap(poisson_holes.plate().contains)(kept)))


def test_inflow_profile_vanishes_at_the_walls_and_has_the_benchmark_mean_velocity():
    y = np.linspace(0.0, cylinder.HEIGHT, 2001)
    u = np.asarray([cylinder.inflow(type("P", (), {"y": v})())["u"] for v in y])
    assert u[0] == u[-1] == 0.0 and u.max() == pytest.approx(cylinder.U_MAX, rel=1e-6)
    assert np.trapezoid(u, y) / cylinder.HEIGHT == pytest.approx(cylinder.U_MEAN, rel=1e-6)


def test_drag_and_lift_quadrature_on_fields_integrated_by_hand():
    """p = x: F_D = −∫ x n_x dS = −πr², F_L = 0; u = (a (y − c_y)², 0): ∂u_t/∂n = 2a r sin³θ, so
    F_D = ρν ∫ 2a r sin⁴θ r dθ = (3π/2) ρ ν a r²; p = y: F_L = −πr²; p = −x pushes the cylinder
    downstream (positive drag): the normal points into the fluid, as in Schäfer & Turek."""
    r, (_cx, cy), nu, a = cylinder.RADIUS, cylinder.CENTER, 1e-3, 50.0
    drag, lift = cylinder.cylinder_forces(lambda z: jnp.stack([a * (z[1] - cy) ** 2, 0 * z[0], z[0]]), nu, 64)
    assert float(drag) == pytest.approx(-math.pi * r**2 + 1.5 * math.pi * nu * a * r**2, rel=1e-4)
    assert abs(float(lift)) < 1e-8
    drag, lift = cylinder.cylinder_forces(lambda z: jnp.stack([0 * z[0], 0 * z[0], z[1]]), nu, 64)
    assert abs(float(drag)) < 1e-8 and float(lift) == pytest.approx(-math.pi * r**2, rel=1e-4)
    drag, _ = cylinder.cylinder_forces(lambda z: jnp.stack([0 * z[0], 0 * z[0], -z[0]]), nu, 64)
    assert float(drag) > 0
    q = cylinder.benchmark_quantities(lambda z: jnp.stack([0 * z[0], 0 * z[0], 1.0 - z[0]]), nu, 64)
    assert float(q["dp"]) == pytest.approx(0.1, rel=1e-5)
    assert float(q["cd"]) == pytest.approx(math.pi * r**2 * 2 / (cylinder.U_MEAN**2 * 2 * r), rel=1e-4)
    assert float(q["dp_rel_error"]) == pytest.approx(
        abs(0.1 - cylinder.REFERENCE["dp"]) / cylinder.REFERENCE["dp"], rel=1e-4
    )


def test_do_nothing_outflow_vanishes_where_nu_du_dx_equals_p():
    config = cylinder.DFGCylinder.presets["smoke"].config
    objective = cylinder.DFGCylinder().objective(config, TrainConfig(steps=10))
    nu = config.nu
    model = lambda z: jnp.stack([z[0] ** 2, jnp.sin(z[1]), nu * 2 * z[0]])  # noqa: E731  (ν u_x = p, v_x = 0)
    terms, _ = jax.jit(lambda batch: objective.loss_terms(model, batch, jnp.int32(0)))(objective.sample(KEY))
    assert float(terms["outflow_u"]) < 1e-10 and float(terms["outflow_v"]) < 1e-12
    assert float(terms["inflow_u"]) > 0


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: poisson_lshape.LShapeConfig(sampling="grid"), "sampling"),
        (lambda: poisson_holes.HolesConfig(n_boundary=1), "n_boundary"),
        (lambda: cylinder.CylinderConfig(nu=-1e-3), "nu"),
        (lambda: cylinder.CylinderConfig(quadrature=4), "quadrature"),
    ],
)
def test_bad_config_values_are_one_line_errors(make, message):
    with pytest.raises(ValueError, match=message) as error:
        make()
    assert "\n" not in str(error.value)


def test_the_constant_source_case_reads_its_finite_element_reference_from_generate(tmp_path):
    """``pinnrwf generate poisson-holes`` writes the P2 reference; ``--case constant-source`` with
    ``reference=`` reads it, equal to the one solved in memory on the same mesh: ≈ 0 on the holes'
    circles (the straight-edged mesh misplaces them by O(h²)), positive inside; the objective's
    data are 0 on every boundary and its source is 1."""
    from pinnrwf.cli import main

    out = tmp_path / "holes.h5"
    assert (
        main(["generate", "poisson-holes", "--out", str(out), "--h", "0.1", "--h-boundary", "0.05", "--no-progress"])
        == 0
    )
    config = poisson_holes.HolesConfig(case="constant-source", reference=out, eval_n=11, eval_circle=16)
    points, values = poisson_holes.evaluation_points(config)
    in_memory = poisson_holes.finite_element_reference(0.1, 0.05)[0].at(points)["u"]
    np.testing.assert_array_equal(values, in_memory)
    on_circles = values[-3 * config.eval_circle :]
    assert np.abs(on_circles).max() < 0.02 * values.max() and values.max() > 0.01 and values.min() > -1e-12
    objective = poisson_holes.PoissonHoles().objective(config, TrainConfig(steps=10))
    zero = objective.loss_terms(as_model(lambda x, y: 0.0 * x), objective.sample(KEY), jnp.int32(0))[0]
    assert float(zero["holes"]) == 0.0 and float(zero["outer"]) == 0.0 and float(zero["r"]) == pytest.approx(1.0)
