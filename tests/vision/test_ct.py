"""2D CT: the projector against analytic line integrals, its linearity and adjoint, the Shepp–Logan
phantom, the ATLAS stand-in loader (on a synthetic volume: tests never read ../shared) and smoke
runs of the ``ct`` problem on both datasets."""

import dataclasses
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf.problems import get
from pinnrwf.problems.ct import ATLAS_FILE, ATLAS_SLICES, CTConfig, atlas_slice, grid_coordinates, make_objective
from pinnrwf.runner import run
from pinnrwf.vision import MODIFIED_SHEPP_LOGAN, pixel_centres, project, projection_angles, shepp_logan

ANGLES = np.linspace(0.0, np.pi, 7)[:-1] + 0.1  # generic angles, none on the axes


def disc(n: int, r: float, supersample: int = 8) -> np.ndarray:
    """A centred disc of density 1 and radius r, pixel values = covered fraction (8 × 8 subsamples)."""
    h = 2.0 / n
    c = pixel_centres(n)
    x, y = np.meshgrid(c, c[::-1])
    offsets = (np.arange(supersample) + 0.5) / supersample * h - h / 2
    covered = sum(((x + dx) ** 2 + (y + dy) ** 2 <= r * r).astype(float) for dx in offsets for dy in offsets)
    return covered / supersample**2


# ------------------------------------------------------------------------------------- projector
@pytest.mark.parametrize("n", [32, 64])
def test_projection_of_a_disc_is_its_chord_length(n):
    """P(θ, s) = 2√(r² − s²) at every angle: within h/2 where the chord is smooth (|s| ≤ r − 2h),
    within √(r h) next to the rim (the chord has an infinite slope there), h/5 on average; and
    ∫ P(θ, s) ds is the mass πr² at every angle."""
    r, h = 0.6, 2.0 / n
    image = jnp.asarray(disc(n, r), jnp.float32)
    angles = np.concatenate([[0.0, np.pi / 2], ANGLES])
    sinogram = np.asarray(project(image, angles))
    s = pixel_centres(n)
    chord = 2.0 * np.sqrt(np.clip(r * r - s**2, 0.0, None))
    error = np.abs(sinogram - chord[None])
    assert sinogram.shape == (len(angles), n)
    assert error[:, np.abs(s) <= r - 2 * h].max() <= 0.5 * h
    assert error.max() <= np.sqrt(r * h)
    assert error.mean() <= 0.2 * h
    np.testing.assert_allclose(sinogram.sum(axis=1) * h, float(image.sum()) * h * h, rtol=2e-3)
    np.testing.assert_allclose(float(image.sum()) * h * h, np.pi * r * r, rtol=2e-3)


def test_nearest_neighbour_projection_of_a_disc():
    """FFN's order 0: the same chords, up to the nearest-neighbour rounding (within 1.5 h)."""
    n, r = 64, 0.6
    h = 2.0 / n
    sinogram = np.asarray(project(jnp.asarray(disc(n, r), jnp.float32), ANGLES, order=0))
    s = pixel_centres(n)
    chord = 2.0 * np.sqrt(np.clip(r * r - s**2, 0.0, None))
    error = np.abs(sinogram - chord[None])
    assert error[:, np.abs(s) <= r - 2 * h].max() <= 1.5 * h
    assert error.mean() <= 0.5 * h


def test_projection_of_an_axis_aligned_square():
    """Half-width w on pixel edges: at θ = 0 and π/2 the rays are the columns and rows, so P = 2w
    exactly for |s| < w; at π/4 the profile is the triangle 2(w√2 − |s|), within h/2."""
    n = 64
    h = 2.0 / n
    w = 13 * h
    c = pixel_centres(n)
    x, y = np.meshgrid(c, c[::-1])
    square = jnp.asarray((np.abs(x) < w) & (np.abs(y) < w), jnp.float32)
    sinogram = np.asarray(project(square, jnp.array([0.0, np.pi / 2, np.pi / 4])))
    flat = np.where(np.abs(c) < w, 2 * w, 0.0)
    np.testing.assert_allclose(sinogram[0], flat, atol=1e-5)
    np.testing.assert_allclose(sinogram[1], flat, atol=1e-5)
    triangle = 2.0 * np.clip(w * np.sqrt(2.0) - np.abs(c), 0.0, None)
    assert np.abs(sinogram[2] - triangle).max() <= 0.5 * h


def test_projection_at_zero_is_the_column_sums_times_the_pixel_length():
    image = jax.random.uniform(jax.random.PRNGKey(3), (16, 16))
    np.testing.assert_allclose(jax.jit(project)(image, jnp.zeros(1))[0], image.sum(axis=0) * 2 / 16, rtol=1e-5)


@pytest.mark.parametrize("order", [0, 1])
def test_projection_is_linear_and_its_vjp_is_the_adjoint(order):
    """P(a u + b v) = a Pu + b Pv; the vector–Jacobian product is the transposed matrix of P (built
    column by column on a 6 × 6 image) and ⟨Pu, v⟩ = ⟨u, Pᵀv⟩ on a 32 × 32 image."""
    ku, kv, kw = jax.random.split(jax.random.PRNGKey(0), 3)
    angles = projection_angles(5)
    forward = jax.jit(lambda img: project(img, angles, order=order))
    back_project = jax.jit(lambda img, y: jax.vjp(forward, img)[1](y)[0])
    u, v = jax.random.normal(ku, (32, 32)), jax.random.normal(kv, (32, 32))
    np.testing.assert_allclose(forward(2.0 * u - 3.0 * v), 2.0 * forward(u) - 3.0 * forward(v), atol=1e-4)
    w = jax.random.normal(kw, (5, 32))
    np.testing.assert_allclose(jnp.vdot(forward(u), w), jnp.vdot(u, back_project(u, w)), rtol=1e-4)

    n = 6
    basis = jnp.eye(n * n).reshape(n * n, n, n)
    matrix = jax.vmap(forward)(basis).reshape(n * n, -1).T  # (K·n, n²), column j = P e_j
    small = jax.random.normal(ku, (n, n))
    np.testing.assert_allclose(forward(small).ravel(), matrix @ small.ravel(), atol=1e-5)
    y = jax.random.normal(kw, (len(angles), n))
    np.testing.assert_allclose(back_project(small, y).ravel(), matrix.T @ y.ravel(), atol=1e-5)
    assert float(jnp.abs(matrix).sum()) > 0


def test_projection_gradient_matches_finite_differences():
    """d/dε ½‖P(u + εd) − b‖² at ε = 0 against a central difference (the loss of the problem)."""
    ku, kd, kb = jax.random.split(jax.random.PRNGKey(1), 3)
    angles = projection_angles(4)
    u, d = jax.random.uniform(ku, (12, 12)), jax.random.normal(kd, (12, 12))
    b = jax.random.normal(kb, (4, 12))
    loss = jax.jit(lambda img: 0.5 * jnp.sum((project(img, angles) - b) ** 2))
    eps = 1e-2
    fd = (loss(u + eps * d) - loss(u - eps * d)) / (2 * eps)  # exact for a quadratic, up to round-off
    np.testing.assert_allclose(jnp.vdot(jax.jit(jax.grad(loss))(u), d), fd, rtol=1e-3)


def test_projection_under_jit_and_angle_convention():
    image = jnp.asarray(disc(16, 0.5), jnp.float32)
    np.testing.assert_allclose(
        jax.jit(project)(image, projection_angles(3)), project(image, projection_angles(3)), atol=1e-6
    )
    np.testing.assert_allclose(projection_angles(4), [0.0, np.pi / 4, np.pi / 2, 3 * np.pi / 4], atol=1e-7)


@pytest.mark.parametrize(
    "image, angles, match",
    [
        (np.zeros((8, 8)), np.zeros((2, 3)), "angles must be a non-empty 1-D array"),
        (np.zeros((8, 8)), np.float32(0.3), "angles must be a non-empty 1-D array"),
        (np.zeros((8, 8)), np.zeros(0), "angles must be a non-empty 1-D array"),
        (np.zeros((8, 6)), np.zeros(3), r"image must be a square 2-D array \(n, n\), got shape \(8, 6\)"),
        (np.zeros((2, 8, 8)), np.zeros(3), "image must be a square 2-D array"),
        (np.zeros((1, 1)), np.zeros(3), r"image must be at least 2 × 2 \(n ≥ 2\)"),
    ],
)
def test_projection_rejects_bad_shapes(image, angles, match):
    with pytest.raises(ValueError, match=match):
        project(image, angles)


def test_projection_rejects_an_unknown_order():
    with pytest.raises(ValueError, match="order must be one of 0, 1; got 3"):
        project(np.zeros((4, 4)), np.zeros(2), order=3)


# --------------------------------------------------------------------------------------- phantom
def _at(image, x, y):
    c = pixel_centres(image.shape[0])
    return float(image[np.argmin(np.abs(c[::-1] - y)), np.argmin(np.abs(c - x))])


def test_unperturbed_phantom_has_the_modified_intensities():
    """Sums of the modified table (Toft 1996): skull 1, brain 1 − 0.8 = 0.2, ventricles 0.2 − 0.2 = 0,
    the ellipses of intensity 0.1 at 0.3 (0.4 where two overlap), outside 0; the small ellipses at
    the bottom (y up)."""
    image = np.asarray(shepp_logan(255))
    assert image.shape == (255, 255) and image.dtype == jnp.result_type(float)
    expected = {
        (0.0, 0.0): 0.2,
        (0.0, 0.9): 1.0,
        (0.0, -0.9): 1.0,
        (0.22, 0.0): 0.0,
        (-0.22, 0.0): 0.0,
        (0.0, 0.35): 0.3,
        (0.0, 0.07): 0.3,
        (0.0, 0.12): 0.4,
        (0.0, -0.1): 0.3,
        (0.0, -0.606): 0.3,
        (0.95, 0.95): 0.0,
    }
    for (x, y), value in expected.items():
        assert _at(image, x, y) == pytest.approx(value, abs=1e-6), (x, y)
    assert len(MODIFIED_SHEPP_LOGAN) == 10 and all(len(row) == 6 for row in MODIFIED_SHEPP_LOGAN)
    assert image.min() == 0.0 and image.max() == 1.0


def test_perturbed_phantoms_are_seeded_and_clipped():
    a = np.asarray(shepp_logan(64, key=jax.random.PRNGKey(1)))
    b = np.asarray(shepp_logan(64, key=jax.random.PRNGKey(1)))
    c = np.asarray(shepp_logan(64, key=jax.random.PRNGKey(2)))
    standard = np.asarray(shepp_logan(64))
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).mean() > 1e-2 and np.abs(a - standard).mean() > 1e-2
    for image in (a, c, np.asarray(shepp_logan(64, key=jax.random.PRNGKey(3), perturbation=0.3))):
        assert image.min() >= 0.0 and image.max() <= 1.0 and np.isfinite(image).all()
    np.testing.assert_array_equal(shepp_logan(64, key=jax.random.PRNGKey(1), perturbation=0.0), standard)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n": 1}, "n must be ≥ 2, got 1"),
        ({"n": 8.0}, "n must be an integer"),
        ({"n": 8, "perturbation": -0.1}, "perturbation must be ≥ 0"),
    ],
)
def test_phantom_rejects_bad_arguments(kwargs, match):
    n = kwargs.pop("n")
    with pytest.raises(ValueError, match=match):
        shepp_logan(n, **kwargs)


# ---------------------------------------------------------------------------------- ATLAS loader
def write_standin_volume(folder, shape=(40, 48, max(ATLAS_SLICES) + 4)):
    """A synthetic (x, y, z) uint8 'brain': an ellipsoid, brighter in its anterior half (large y)."""
    x, y, z = np.meshgrid(*(np.linspace(-1, 1, s) for s in shape), indexing="ij")
    inside = (x / 0.7) ** 2 + (y / 0.85) ** 2 + (z / 1.2) ** 2 <= 1.0
    volume = np.where(inside, np.where(y > 0, 200, 100), 0).astype(np.uint8)
    path = folder / ATLAS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, t1=volume, brain_mask=inside.astype(np.uint8), affine=np.eye(4))
    return folder


def test_atlas_slice_is_square_in_unit_range_anterior_up_and_inside_the_unit_disc(tmp_path):
    folder = write_standin_volume(tmp_path)
    image = atlas_slice(folder, 5, 32)
    assert image.shape == (32, 32) and image.max() == pytest.approx(1.0) and image.min() >= 0.0
    top, bottom = image[:16][image[:16] > 0.05], image[16:][image[16:] > 0.05]
    assert top.mean() > 1.5 * bottom.mean()  # anterior (large y) at the top
    c = pixel_centres(32)
    x, y = np.meshgrid(c, c)
    assert image[x**2 + y**2 > 1.0].sum() == 0.0  # every ray sees the whole slice


def test_atlas_loader_errors(tmp_path):
    with pytest.raises(ValueError, match="data_dir: no MNI152 template at"):
        atlas_slice(tmp_path, 0, 16)
    path = tmp_path / ATLAS_FILE
    path.parent.mkdir(parents=True)
    np.savez(path, other=np.zeros(3))
    with pytest.raises(ValueError, match=r"lacks the arrays \['t1'\]"):
        atlas_slice(tmp_path, 0, 16)
    np.savez(path, t1=np.zeros((4, 4, 8), np.uint8))
    with pytest.raises(ValueError, match="3-D .* volume with more than"):
        atlas_slice(tmp_path, 0, 16)
    with pytest.raises(ValueError, match="image must be ≤ 19"):
        atlas_slice(tmp_path, len(ATLAS_SLICES), 16)


# ---------------------------------------------------------------------------------------- problem
def test_config_defaults_and_validation():
    assert CTConfig().effective_scale == 4.0 and CTConfig(dataset="atlas").effective_scale == 5.0
    assert CTConfig(mapping="posenc").effective_scale == 8.0
    assert CTConfig(dataset="atlas", mapping="posenc").effective_scale == 32.0
    assert CTConfig(scale=7.0).effective_scale == 7.0
    assert CTConfig().num_projections == 20 and CTConfig(dataset="atlas").num_projections == 40
    for kwargs, match in [
        ({"dataset": "brain"}, "dataset must be one of"),
        ({"mapping": "fourier"}, "mapping must"),
        ({"dataset": "atlas", "image": 20}, "image must be ≤ 19"),
        ({"image": -1}, "image must"),
        ({"order": 2}, "order must be one of"),
        ({"scale": 0.0}, "scale must be > 0"),
        ({"resolution": 1}, "resolution must be ≥ 2"),
        ({"projections": 0}, "projections"),
    ]:
        with pytest.raises(ValueError, match=match):
            CTConfig(**kwargs)


def test_objective_data_are_the_projections_of_the_image_on_the_grid():
    config = CTConfig(resolution=16, projections=6)
    objective = make_objective(config)
    assert objective.sinogram.shape == (6, 16) and objective.image.shape == (16, 16)
    np.testing.assert_allclose(objective.sinogram, project(objective.image, projection_angles(6)), atol=1e-6)
    coords = grid_coordinates(16)
    assert coords.shape == (256, 2) and tuple(coords[1]) == (1 / 16, 0.0) and tuple(coords[16]) == (0.0, 1 / 16)
    # a "model" returning the true pixel value from its coordinate has PSNR inf and zero loss
    lookup = lambda p: objective.image[jnp.round(p[1] * 16).astype(int), jnp.round(p[0] * 16).astype(int)][None]  # noqa: E731
    terms, _ = objective.loss_terms(lookup, (), 0)
    assert float(terms["mse"]) == pytest.approx(0.0, abs=1e-10)
    assert float(objective.metrics(lookup)["proj_rel_l2"]) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("dataset", ["shepp", "atlas"])
def test_smoke_runs_on_both_datasets(dataset, tmp_path):
    """The smoke preset through the generic runner; ATLAS on a synthetic stand-in volume. The PSNR
    curve is recorded per evaluation and rises from the first evaluation to the last."""
    problem = get("ct")
    smoke = problem.presets["smoke"]
    config = dataclasses.replace(smoke.config, dataset=dataset, data_dir=str(write_standin_volume(tmp_path / "data")))
    train = dataclasses.replace(smoke.train, progress=False)
    results = run(
        problem,
        out_dir=tmp_path / "out",
        preset="smoke",
        config=config,
        train=train,
        parameterizations="plain,rwf",
        log=lambda _: None,
    )
    saved = json.loads((tmp_path / "out" / "results.json").read_text())
    assert saved["problem_config"]["dataset"] == dataset
    assert {p.rsplit("/", 1)[-1] for p in saved["report"]["figures"]} == {"ct_reconstructions.png", "ct_psnr.png"}
    for r in results.values():
        curve = np.asarray(r.history["metrics"]["psnr"])[:, 0]
        assert np.isfinite(curve).all() and len(curve) == train.steps // train.chunk_steps
        assert curve[-1] > curve[0]
