"""Occupancy networks (rwf_paper §4.2, App. I): meshes, inside tests, point sets, the problem.

Every mesh here is made in memory with trimesh (no file of ../shared is read).
"""

import json
import re

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

trimesh = pytest.importorskip("trimesh")
pytest.importorskip("igl")

from pinnrwf.problems import get  # noqa: E402
from pinnrwf.vision import (  # noqa: E402
    inside_iou,
    load_mesh,
    near_surface_points,
    normalize_mesh,
    occupancy_embedding,
    occupancy_labels,
    sigmoid_binary_cross_entropy,
    training_pool,
    uniform_points,
    winding_numbers,
)

METHODS = ("winding", "ray")


def cube():
    return trimesh.creation.box(extents=(1.0, 1.0, 1.0))  # centred at 0, faces at ±0.5


def sphere():
    return trimesh.creation.icosphere(subdivisions=3, radius=1.0)


def well_separated(mesh_kind):
    """Points well inside (|x|∞ ≤ 0.3 for the cube, |x| ≤ 0.6 for the sphere) and well outside."""
    rng = np.random.default_rng(0)
    p = rng.uniform(-1.5, 1.5, size=(4000, 3))
    if mesh_kind == "cube":
        inner, outer = np.max(np.abs(p), axis=1) <= 0.3, np.max(np.abs(p), axis=1) >= 0.7
    else:
        r = np.linalg.norm(p, axis=1)
        inner, outer = r <= 0.6, r >= 1.2
    return p[inner | outer], inner[inner | outer]


# ---------------------------------------------------------------------------------------- labels
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("kind", ["cube", "sphere"])
def test_labels_are_exact_well_inside_and_outside(kind, method):
    mesh = cube() if kind == "cube" else sphere()
    points, expected = well_separated(kind)
    assert expected.any() and not expected.all()
    labels = occupancy_labels(mesh, points, method)
    assert labels.dtype == bool and labels.shape == (points.shape[0],)
    np.testing.assert_array_equal(labels, expected)


@pytest.mark.parametrize("method", METHODS)
def test_labels_of_the_sphere_match_the_radius_away_from_the_faceting(method):
    mesh = sphere()
    p = np.random.default_rng(1).uniform(-1.2, 1.2, size=(8000, 3))
    r = np.linalg.norm(p, axis=1)
    keep = np.abs(r - 1.0) > 0.02  # the icosphere's facets lie within 1 − cos(edge angle) ≈ 0.5 % of r = 1
    np.testing.assert_array_equal(occupancy_labels(mesh, p[keep], method), r[keep] < 1.0)


def test_winding_number_labels_the_centre_of_an_open_cube_inside():
    mesh = cube()
    top = np.flatnonzero(mesh.triangles_center[:, 2] > 0.49)
    assert top.size == 2
    open_box = trimesh.Trimesh(mesh.vertices, np.delete(mesh.faces, top, axis=0), process=False)
    assert not open_box.is_watertight
    w = winding_numbers(open_box, np.zeros((1, 3)))
    np.testing.assert_allclose(w, 5 / 6, atol=1e-3)  # five of the six faces' solid angle
    assert occupancy_labels(open_box, np.array([[0.0, 0.0, 0.0], [0.0, 0.0, -0.3]]), "winding").all()
    assert not occupancy_labels(open_box, np.array([[0.0, 0.0, 2.0], [3.0, 0.0, 0.0]]), "winding").any()


def test_ray_parity_and_winding_agree_on_a_closed_torus():
    mesh = normalize_mesh(trimesh.creation.torus(major_radius=1.0, minor_radius=0.4))
    p = uniform_points(mesh, 20000, seed=3)
    np.testing.assert_array_equal(occupancy_labels(mesh, p, "ray"), occupancy_labels(mesh, p, "winding"))


@pytest.mark.parametrize("bad", [np.zeros((5, 2)), np.zeros(3), np.full((2, 3), np.nan), np.array([["a", "b", "c"]])])
def test_labels_reject_points_of_the_wrong_shape_or_values(bad):
    with pytest.raises(ValueError, match="points"):
        occupancy_labels(cube(), bad)


def test_labels_reject_an_unknown_method_and_a_mesh_without_faces():
    with pytest.raises(ValueError, match="method"):
        occupancy_labels(cube(), np.zeros((1, 3)), "parity")
    empty = trimesh.Trimesh(vertices=np.eye(3), faces=np.zeros((0, 3), dtype=np.int64), process=False)
    with pytest.raises(ValueError, match="no triangle faces"):
        occupancy_labels(empty, np.zeros((1, 3)))
    with pytest.raises(ValueError, match="trimesh.Trimesh"):
        occupancy_labels(np.eye(3), np.zeros((1, 3)))


# ------------------------------------------------------------------------------------ mesh files
def test_load_mesh_reads_obj_and_ply_and_reports_bad_files(tmp_path):
    mesh = sphere()
    for suffix in ("obj", "ply"):
        path = tmp_path / f"sphere.{suffix}"
        mesh.export(path)
        loaded = load_mesh(path)
        assert loaded.faces.shape == mesh.faces.shape
        np.testing.assert_allclose(np.sort(loaded.vertices, axis=0), np.sort(mesh.vertices, axis=0), atol=1e-6)
    with pytest.raises(ValueError, match="no file at"):
        load_mesh(tmp_path / "missing.obj")
    points_only = tmp_path / "points.obj"
    points_only.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\n")
    with pytest.raises(ValueError, match="no triangle faces|trimesh cannot read|must be a trimesh"):
        load_mesh(points_only)
    nan_vertex = tmp_path / "nan.obj"  # trimesh drops such a vertex and its faces: refused instead
    nan_vertex.write_text(
        "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 nan\nv 0 0 1\nf 1 2 3\nf 1 2 4\nf 1 3 5\nf 2 3 5\nf 1 2 5\n"
    )
    with pytest.raises(
        ValueError,
        match=f"mesh path: {re.escape(str(nan_vertex))} has 1 vertex\\(es\\) with a NaN or "
        "infinite coordinate \\(the first: vertex 3 of 5\\)",
    ):
        load_mesh(nan_vertex)


def test_normalize_mesh_maps_into_the_unit_cube_with_vertex_mean_one_half():
    mesh = trimesh.creation.box(extents=(4.0, 2.0, 1.0))
    mesh.apply_translation([10.0, -3.0, 7.0])
    before = mesh.vertices.copy()
    v = normalize_mesh(mesh).vertices
    np.testing.assert_array_equal(mesh.vertices, before)  # the input is not modified
    np.testing.assert_allclose(v.mean(axis=0), 0.5, atol=1e-12)
    assert v.min() >= 0.0 and v.max() <= 1.0
    np.testing.assert_allclose(np.max(np.abs(v - 0.5)), 0.5)  # touches the cube along the longest extent
    np.testing.assert_allclose(np.ptp(v, axis=0), [1.0, 0.5, 0.25])  # the aspect ratio is kept


# ------------------------------------------------------------------------------------ point sets
def test_near_surface_points_lie_within_a_few_sigma_of_the_surface():
    mesh = normalize_mesh(sphere())  # a sphere of radius 0.5 about (0.5, 0.5, 0.5)
    sigma = 0.01
    p = near_surface_points(mesh, 20000, seed=0, noise=sigma)
    distance = np.abs(np.linalg.norm(p - 0.5, axis=1) - 0.5)
    assert distance.max() < 5 * sigma + 0.005  # 5σ plus the facets' distance to the sphere
    # the offset along the normal is N(0, σ²): its mean absolute value is σ·√(2/π)
    np.testing.assert_allclose(distance.mean(), sigma * np.sqrt(2 / np.pi), rtol=0.1)
    # about half of them inside
    assert 0.45 < occupancy_labels(mesh, p).mean() < 0.55


def test_near_surface_points_without_noise_lie_on_faces_or_vertices():
    mesh = normalize_mesh(cube())  # faces at 0 and 1
    on_faces = near_surface_points(mesh, 500, seed=1, noise=0.0)
    assert np.all(np.any(np.isclose(on_faces, 0.0, atol=1e-12) | np.isclose(on_faces, 1.0, atol=1e-12), axis=1))
    assert np.all((on_faces >= -1e-12) & (on_faces <= 1 + 1e-12))
    on_vertices = near_surface_points(mesh, 50, seed=1, noise=0.0, source="vertices")
    assert np.all(np.isin(on_vertices, [0.0, 1.0]))
    again = near_surface_points(mesh, 500, seed=1, noise=0.0)
    np.testing.assert_array_equal(on_faces, again)  # seeded
    with pytest.raises(ValueError, match="source"):
        near_surface_points(mesh, 5, seed=1, source="edges")


def test_training_pool_is_uniform_in_the_box_labelled_once_and_cached():
    mesh = normalize_mesh(sphere())
    points, inside = training_pool(mesh, 5000, seed=7)
    assert points.shape == (5000, 3) and points.dtype == jnp.result_type(float) and inside.dtype == bool
    assert points.min() >= -1e-3 - 1e-6 and points.max() <= 1 + 1e-3 + 1e-6
    np.testing.assert_array_equal(inside, occupancy_labels(mesh, points))
    # the inside fraction ≈ the sphere's volume fraction of the box, π/6 / 1.002³
    assert abs(inside.mean() - np.pi / 6) < 0.03
    again = training_pool(mesh, 5000, seed=7)
    assert again[0] is points and again[1] is inside  # cached, not relabelled
    with pytest.raises(ValueError):
        points[0, 0] = 1.0  # read-only, so the cache cannot be corrupted
    other, _ = training_pool(mesh, 5000, seed=8)
    assert not np.array_equal(other, points)


# ------------------------------------------------------------------------------- loss and metric
def test_iou_by_hand():
    inside = jnp.array([True, True, False, False, True])
    logits = jnp.array([2.0, -1.0, 0.5, -3.0, 0.1])  # predicted inside: 0, 2, 4
    np.testing.assert_allclose(inside_iou(logits, inside), 2 / 4)  # ∩ = {0, 4}, ∪ = {0, 1, 2, 4}
    np.testing.assert_allclose(inside_iou(jnp.where(inside, 1.0, -1.0), inside), 1.0)
    np.testing.assert_allclose(inside_iou(jnp.where(inside, -1.0, 1.0), inside), 0.0)
    np.testing.assert_allclose(inside_iou(jnp.array([0.0, -1.0]), jnp.array([False, False])), 1.0)  # σ(0) is not > 0.5


def test_sigmoid_binary_cross_entropy_is_the_stable_form():
    x = jnp.array([-3.0, -0.5, 0.0, 0.7, 4.0])
    z = jnp.array([1.0, 0.0, 1.0, 1.0, 0.0])
    p = jax.nn.sigmoid(x)
    np.testing.assert_allclose(
        sigmoid_binary_cross_entropy(x, z), -(z * jnp.log(p) + (1 - z) * jnp.log(1 - p)), rtol=1e-5
    )
    big = sigmoid_binary_cross_entropy(jnp.array([200.0, -200.0]), jnp.array([False, True]))
    np.testing.assert_allclose(big, [200.0, 200.0])  # finite where log σ(x) would underflow
    with pytest.raises(ValueError, match="same shape"):
        sigmoid_binary_cross_entropy(x, z[:3])


@pytest.mark.parametrize("mapping", ["gauss", "posenc"])
def test_embedding_features_are_divided_by_root_m(mapping):
    emb = occupancy_embedding(mapping, num_features=96, key=jax.random.PRNGKey(0))
    x = jnp.array([0.1, 0.7, 0.4])
    # Σ cos² + sin² = m over m frequencies: ‖γ(x)‖ = 1 after the division by √m (FFN's a/‖a‖)
    np.testing.assert_allclose(jnp.linalg.norm(emb(x)), 1.0, rtol=1e-5)
    raw = occupancy_embedding(mapping, num_features=96, normalize=False, key=jax.random.PRNGKey(0))
    np.testing.assert_allclose(raw(x), emb(x) * np.sqrt(emb.out_size / 2), rtol=1e-5)


def test_no_mapping_centres_the_unit_cube():
    emb = occupancy_embedding("none")
    np.testing.assert_allclose(emb(jnp.array([0.0, 0.5, 1.0])), [-1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="mapping"):
        occupancy_embedding("fourier")


# ------------------------------------------------------------------------------------- the problem
def test_problem_config_checks_and_missing_mesh_file(tmp_path):
    from pinnrwf.problems.occupancy import OccupancyConfig, normalized_mesh

    with pytest.raises(ValueError, match="mesh"):
        OccupancyConfig(mesh="teapot")
    with pytest.raises(ValueError, match="mapping"):
        OccupancyConfig(mapping="fourier")
    with pytest.raises(ValueError, match="scale"):
        OccupancyConfig(scale=-1.0)
    with pytest.raises(ValueError, match="labels"):
        OccupancyConfig(labels="parity")
    with pytest.raises(ValueError, match="--data-dir"):
        normalized_mesh(OccupancyConfig(mesh="dragon", data_dir=str(tmp_path)))
    with pytest.raises(ValueError, match="--mesh-path"):
        normalized_mesh(OccupancyConfig(mesh_path=str(tmp_path / "nothing.ply")))


def test_objective_draws_labelled_pool_rows_on_device():
    from pinnrwf.problems.occupancy import OccupancyConfig, load_data, make_objective

    config = OccupancyConfig(mesh="torus", pool_size=2048, batch_size=64, test_size=128, uniform_test_size=64)
    objective = make_objective(config)
    data = load_data(config)
    batch = eqx.filter_jit(lambda obj, key: obj.sample(key))(objective, jax.random.PRNGKey(0))
    assert batch["x"].shape == (64, 3) and batch["inside"].shape == (64,)
    rows = {tuple(p): bool(i) for p, i in zip(np.asarray(data.pool_points), data.pool_inside)}
    for p, i in zip(np.asarray(batch["x"]), np.asarray(batch["inside"])):
        assert rows[tuple(p)] == i


def test_smoke_run_through_the_runner(tmp_path):
    from pinnrwf.runner import run

    problem = get("occupancy")
    results = run(problem, preset="smoke", out_dir=tmp_path, parameterizations="plain,rwf", log=lambda m: None)
    assert set(results) == {"plain", "rwf"}
    saved = json.loads((tmp_path / "results.json").read_text())
    for _name, r in saved["runs"].items():
        for metric in problem.metrics:
            values = r["final_metrics"][metric]
            assert len(values) == problem.presets["smoke"].train.seeds
            assert all(0.0 <= v <= 1.0 for v in values)
    figures = saved["report"]["figures"]
    assert len(figures) == 2 and all(f.endswith(".png") for f in figures)
    assert all((tmp_path / f).exists() or __import__("pathlib").Path(f).exists() for f in figures)
    assert saved["report"]["pool_label_seconds"] >= 0
