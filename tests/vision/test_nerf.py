"""Simplified NeRF: rays, stratified samples, volume rendering, the ``nerf`` problem (rwf_paper App. J)."""

import dataclasses
import json
import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf.nn import Plain, parse_parameterizations
from pinnrwf.problems.nerf import Nerf, NerfConfig, load_scene, make_objective, read_views, sphere_field
from pinnrwf.runner import run
from pinnrwf.vision import (
    RadianceField,
    camera_rays,
    composite,
    look_at,
    render_rays,
    render_rays_in_blocks,
    stratified_samples,
)


def constant_field(rgb, sigma):
    return lambda x: (jnp.asarray(rgb, jnp.float32), jnp.asarray(sigma, jnp.float32))


def slab_field(sigma0, colour, a, b):
    """Density σ0 and colour c where a ≤ −z ≤ b (a slab crossed by rays of the identity camera)."""

    def field(x):
        inside = (-x[2] >= a) & (-x[2] <= b)
        return jnp.asarray(colour, jnp.float32), jnp.where(inside, sigma0, 0.0)

    return field


# ------------------------------------------------------------------------------ rendering
@pytest.mark.parametrize("background", [0.0, 0.3, 1.0])
def test_empty_scene_renders_the_background_exactly(background, key):
    o, d = camera_rays(3, 4, 2.0, np.eye(4))
    t = stratified_samples(key, 2.0, 6.0, 16, (3, 4))
    out = render_rays(constant_field([0.9, 0.1, 0.5], 0.0), o, d, t, background=background)
    assert out.rgb.shape == (3, 4, 3) and out.opacity.shape == out.depth.shape == (3, 4)
    np.testing.assert_array_equal(np.asarray(out.rgb), np.full((3, 4, 3), background, np.float32))
    np.testing.assert_array_equal(np.asarray(out.opacity), 0.0)


@pytest.mark.parametrize("background", [0.0, 1.0])
def test_homogeneous_slab_matches_beer_lambert(background):
    sigma0, colour, a, b = 0.7, np.array([0.2, 0.5, 0.9]), 3.0, 4.5
    o, d = camera_rays(1, 1, 1.0, np.eye(4))  # one ray along −z
    t = stratified_samples(None, 0.0, 10.0, 8192)
    out = render_rays(slab_field(sigma0, colour, a, b), o, d, t, background=background)
    absorbed = 1 - np.exp(-sigma0 * (b - a))
    expected = colour * absorbed + (1 - absorbed) * background
    # quadrature error: the slab's edges fall inside bins of width 10/8192, so ≲ σ0·Δ
    np.testing.assert_allclose(np.asarray(out.rgb)[0, 0], expected, atol=2e-3)
    np.testing.assert_allclose(float(out.opacity[0, 0]), absorbed, atol=2e-3)
    # expected termination distance of an exponential law truncated to [a, b]
    depth = a + 1 / sigma0 - (b + 1 / sigma0) * np.exp(-sigma0 * (b - a))  # ∫ t σ0 e^{−σ0(t−a)} dt over [a, b]
    np.testing.assert_allclose(float(out.depth[0, 0]), depth, rtol=5e-3)


def test_slab_with_stratified_samples_agrees_within_quadrature_error(key):
    o, d = camera_rays(1, 1, 1.0, np.eye(4))
    t = stratified_samples(key, 0.0, 10.0, 4096, (1, 1))
    out = render_rays(slab_field(2.0, [1.0, 1.0, 1.0], 3.0, 3.5), o, d, t)
    np.testing.assert_allclose(float(out.rgb[0, 0, 0]), 1 - np.exp(-1.0), atol=5e-3)


def test_opaque_wall_stops_every_ray_and_the_last_sample_closes_the_ray():
    o, d = camera_rays(2, 2, 1.0, np.eye(4))
    out = render_rays(constant_field([0.25, 0.5, 0.75], 1e3), o, d, jnp.linspace(2.0, 6.0, 8))
    np.testing.assert_allclose(np.asarray(out.rgb), np.broadcast_to([0.25, 0.5, 0.75], (2, 2, 3)), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(out.depth), 2.0, rtol=1e-5)
    # σ = tiny everywhere: only the last sample (δ = 1e10) absorbs, so the colour is the field's
    out = render_rays(constant_field([0.25, 0.5, 0.75], 1e-6), o, d, jnp.linspace(2.0, 6.0, 8), background=1.0)
    np.testing.assert_allclose(np.asarray(out.rgb)[0, 0], [0.25, 0.5, 0.75], atol=1e-5)


def test_composite_weights_sum_to_at_most_one_and_match_the_product_form(key):
    k1, k2 = jax.random.split(key)
    sigma = jax.random.uniform(k1, (5, 12)) * 3
    t = jnp.sort(jax.random.uniform(k2, (5, 12)) * 4 + 2, axis=-1)
    out = composite(jnp.ones((5, 12, 3)), sigma, t)
    delta = jnp.concatenate([jnp.diff(t, axis=-1), jnp.full((5, 1), 1e10)], axis=-1)
    alpha = 1 - jnp.exp(-sigma * delta)
    trans = jnp.cumprod(jnp.concatenate([jnp.ones((5, 1)), 1 - alpha[:, :-1]], axis=-1), axis=-1)
    np.testing.assert_allclose(np.asarray(out.opacity), np.asarray(jnp.sum(trans * alpha, -1)), rtol=1e-5)
    assert np.all(np.asarray(out.opacity) <= 1 + 1e-6)


def test_render_in_blocks_equals_render_rays(key):
    field = RadianceField(lambda x: jnp.concatenate([jnp.sin(3 * x), jnp.cos(x[:1]) + 0.5]))
    o, d = camera_rays(5, 7, 6.0, look_at([0.0, -4.0, 1.0]))
    t = stratified_samples(None, 2.0, 6.0, 24)
    full = render_rays(field, o, d, t)
    blocks = render_rays_in_blocks(field, o.reshape(-1, 3), d.reshape(-1, 3), t, block_size=8)  # 35 = 4·8 + 3
    for a, b in zip(full, blocks):
        np.testing.assert_allclose(np.asarray(a).reshape(np.asarray(b).shape), np.asarray(b), rtol=1e-6, atol=1e-7)


def test_radiance_field_maps_outputs_to_colour_and_density():
    field = RadianceField(lambda x: jnp.array([-50.0, 0.0, 50.0, -3.0]))
    rgb, sigma = field(jnp.zeros(3))
    np.testing.assert_allclose(np.asarray(rgb), [0.0, 0.5, 1.0], atol=1e-6)
    assert float(sigma) == 0.0


# ------------------------------------------------------------------------ cameras, samples
def test_identity_camera_looks_down_minus_z_with_unit_directions():
    o, d = camera_rays(5, 7, 3.0, np.eye(4))
    assert o.shape == d.shape == (5, 7, 3)
    np.testing.assert_array_equal(np.asarray(o), 0.0)
    np.testing.assert_allclose(np.linalg.norm(np.asarray(d), axis=-1), 1.0, rtol=1e-6)
    assert np.all(np.asarray(d)[..., 2] < 0)
    np.testing.assert_allclose(np.asarray(d[2, 3]), [0.0, 0.0, -1.0], atol=1e-7)  # the centre pixel
    # x grows to the right (columns), y upwards (row 0 is the top)
    assert float(d[2, 6, 0]) > 0 > float(d[2, 0, 0]) and float(d[0, 3, 1]) > 0 > float(d[4, 3, 1])
    np.testing.assert_allclose(float(d[2, 6, 0] / -d[2, 6, 2]), 3 / 3.0, rtol=1e-6)  # (6.5 − 3.5)/f


def test_camera_rays_follow_the_pose():
    pose = look_at([3.0, -2.0, 1.5], target=[0.5, 0.0, 0.0])
    np.testing.assert_allclose(pose[:3, :3] @ pose[:3, :3].T, np.eye(3), atol=1e-12)
    o, d = camera_rays(3, 3, 2.0, pose)
    np.testing.assert_allclose(np.asarray(o[1, 1]), [3.0, -2.0, 1.5], rtol=1e-6)
    towards = np.array([0.5, 0.0, 0.0]) - np.array([3.0, -2.0, 1.5])
    np.testing.assert_allclose(np.asarray(d[1, 1]), towards / np.linalg.norm(towards), atol=1e-6)
    assert float(d[0, 1, 2]) > float(d[2, 1, 2])  # the image's top row looks higher (up = +z)
    o34, d34 = camera_rays(3, 3, 2.0, pose[:3])
    np.testing.assert_allclose(np.asarray(d34), np.asarray(d))


def test_stratified_samples_one_per_bin_sorted_in_range(key):
    near, far, s = 2.0, 6.0, 32
    t = np.asarray(stratified_samples(key, near, far, s, (100, 3)))
    assert t.shape == (100, 3, s)
    assert np.all(t >= near) and np.all(t < far)
    assert np.all(np.diff(t, axis=-1) > 0)
    bins = np.floor((t - near) / ((far - near) / s)).astype(int)
    np.testing.assert_array_equal(bins, np.broadcast_to(np.arange(s), t.shape))
    assert np.unique(t[..., 0]).size > 100  # jittered independently per ray
    mid = np.asarray(stratified_samples(None, near, far, 4, (2,)))
    np.testing.assert_allclose(mid, [[2.5, 3.5, 4.5, 5.5]] * 2)
    assert np.asarray(stratified_samples(None, near, far, 1)).tolist() == [4.0]


# --------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("near", "far", "match"),
    [
        (6.0, 2.0, "near must be < far"),
        (2.0, 2.0, "near must be < far"),
        (-1.0, 2.0, "near must be ≥ 0"),
        (np.nan, 2.0, "near"),
    ],
)
def test_bad_sampling_range_is_a_clear_error(near, far, match, key):
    with pytest.raises(ValueError, match=match):
        stratified_samples(key, near, far, 8)


def test_bad_sample_count_and_pose_shapes_are_clear_errors(key):
    with pytest.raises(ValueError, match="num_samples must be ≥ 1"):
        stratified_samples(key, 2.0, 6.0, 0)
    for bad in (np.eye(3), np.zeros((2, 4, 4)), np.zeros(16)):
        with pytest.raises(ValueError, match=r"c2w must be a camera-to-world pose of shape \(4, 4\) or \(3, 4\)"):
            camera_rays(4, 4, 1.0, bad)
    with pytest.raises(ValueError, match="focal must be > 0"):
        camera_rays(4, 4, 0.0, np.eye(4))
    with pytest.raises(ValueError, match="height must be ≥ 1"):
        camera_rays(0, 4, 1.0, np.eye(4))
    o, d = camera_rays(2, 2, 1.0, np.eye(4))
    with pytest.raises(ValueError, match="origins and directions must both have shape"):
        render_rays(constant_field([0, 0, 0], 1.0), o, d[..., :2], jnp.ones(4))
    with pytest.raises(ValueError, match="t_values must have shape"):
        render_rays(constant_field([0, 0, 0], 1.0), o, d, jnp.ones((3, 4)))
    with pytest.raises(ValueError, match="eye and target must differ"):
        look_at([0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="must not be parallel"):
        look_at([0.0, 0.0, 4.0])


def test_config_errors_name_the_field(tmp_path):
    with pytest.raises(ValueError, match="mapping must be one of none, posenc, gauss"):
        NerfConfig(mapping="fourier")
    with pytest.raises(ValueError, match="dataset must be one of"):
        NerfConfig(dataset="fern")
    with pytest.raises(ValueError, match="near and far must satisfy"):
        NerfConfig(near=6.0, far=2.0)
    with pytest.raises(ValueError, match="scale must be > 0"):
        NerfConfig(scale=0.0)
    with pytest.raises(ValueError, match="data_dir: no NeRF data set at .*lego_100.npz"):
        load_scene(NerfConfig(dataset="lego_100", data_dir=str(tmp_path)))


# ----------------------------------------------------------------------------------- data
def _fake_lego(path, n=4, size=6):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, size, size, 4), dtype=np.uint8)
    images[0, 0, 0] = [200, 100, 50, 0]  # a transparent pixel
    poses = np.stack([look_at([4.0 * np.cos(a), 4.0 * np.sin(a), 1.0]) for a in np.linspace(0, 6, n)])
    (path / "nerf").mkdir()
    np.savez(path / "nerf" / "lego_100.npz", images_rgba=images, poses=poses.astype(np.float32), focal=7.5)
    return images


def test_lego_files_are_read_split_and_composited(tmp_path):
    images = _fake_lego(tmp_path)
    black, poses, focal = read_views(tmp_path / "nerf" / "lego_100.npz", "black")
    white, _, _ = read_views(tmp_path / "nerf" / "lego_100.npz", "white")
    assert focal == 7.5 and poses.shape == (4, 4, 4)
    np.testing.assert_allclose(black, images[..., :3] / 255.0, rtol=1e-6)  # FFN: the RGB channels as stored
    np.testing.assert_allclose(white[0, 0, 0], [1.0, 1.0, 1.0])  # alpha 0 → white
    config = NerfConfig(dataset="lego_100", data_dir=str(tmp_path), holdout_every=2, test_stride=2)
    scene = load_scene(config)
    assert scene.train_views == (1, 3) and scene.test_views == (0, 2)
    assert scene.train_origins.shape == scene.train_rgb.shape == (2 * 36, 3)
    assert scene.test_rgb.shape == (2, 3, 3, 3) and scene.test_origins.shape == (2, 3, 3, 3)
    np.testing.assert_allclose(scene.test_rgb[1], images[2, ::2, ::2, :3] / 255.0, rtol=1e-6)
    with pytest.raises(ValueError, match="test_views = 3 exceeds the 2 held-out views"):
        load_scene(dataclasses.replace(config, test_views=3))


def test_bad_data_file_is_a_clear_error(tmp_path):
    (tmp_path / "nerf").mkdir()
    np.savez(tmp_path / "nerf" / "lego_100.npz", images=np.zeros((2, 4, 4, 3), np.uint8))
    with pytest.raises(ValueError, match=r"lacks the arrays \['focal', 'images_rgba', 'poses'\]"):
        read_views(tmp_path / "nerf" / "lego_100.npz", "black")


@pytest.mark.parametrize("damage", ["truncated", "pickled", "not a zip"])
def test_a_damaged_data_file_is_named(tmp_path, damage):
    path = tmp_path / "lego_100.npz"
    arrays = {"images_rgba": np.zeros((2, 4, 4, 4), np.uint8), "poses": np.zeros((2, 4, 4)), "focal": np.float64(1)}
    if damage == "pickled":
        arrays["poses"] = np.array([{"pose": 1}, None], dtype=object)
    np.savez(path, **arrays)
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:300])
    elif damage == "not a zip":
        path.write_bytes(b"PK\x03\x04 but nothing more")
    with pytest.raises(
        ValueError, match=f"data_dir: {re.escape(str(path))} is not a .npz archive numpy can read without pickle"
    ):
        read_views(path, "black")


# -------------------------------------------------------------------------------- problem
@pytest.mark.parametrize("mapping", ["none", "posenc", "gauss"])
def test_every_mapping_builds_a_radiance_field(mapping, key):
    config = NerfConfig(mapping=mapping, num_features=12, width=8, depth=2)
    model = Nerf().init_model(config, Plain())(key)
    rgb, sigma = model(jnp.array([0.1, -0.2, 0.3]))
    assert rgb.shape == (3,) and sigma.shape == () and float(sigma) >= 0


def test_wc_row_is_e_nerf_every_dense_layer_equilibrated(key):
    from pinnrwf.nn import EquilibratedWeight

    model = Nerf().init_model(
        NerfConfig(num_features=8, width=8, depth=2), parse_parameterizations("wc-row")["wc-row"]
    )(key)
    weights = [layer.weight for layer in model.network.layers]
    assert len(weights) == 3 and all(isinstance(w, EquilibratedWeight) for w in weights)


def test_synthetic_scene_is_the_sphere_seen_from_every_side():
    scene = load_scene(Nerf.presets["smoke"].config)
    assert scene.test_views == (0, 5) and len(scene.train_views) == 8
    centre = scene.test_rgb[:, 3:5, 3:5].mean(axis=(1, 2))
    corner = scene.test_rgb[:, 0, 0]
    assert np.all(centre.sum(-1) > 1.0) and np.all(corner.max(-1) < 0.05)  # ball on black
    rgb, sigma = sphere_field(jnp.zeros(3))
    assert float(sigma) > 29.0 and np.allclose(np.asarray(rgb), 0.5)


def test_objective_samples_stratified_rays_on_device(key):
    objective = make_objective(Nerf.presets["smoke"].config)
    batch = objective.sample(key)
    assert batch["origins"].shape == batch["directions"].shape == batch["rgb"].shape == (64, 3)
    assert batch["t"].shape == (64, 16) and bool(jnp.all(jnp.diff(batch["t"], axis=-1) > 0))


def test_smoke_run_through_the_runner(tmp_path):
    problem = Nerf()
    results = run(problem, preset="smoke", out_dir=tmp_path, parameterizations="plain", log=lambda m: None)
    psnr = results["plain"].final_metrics["psnr"]
    assert len(psnr) == 1 and np.isfinite(psnr[0]) and psnr[0] > 5.0
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["report"]["test_views"] == [0, 5] and len(res["report"]["train_views"]) == 8
    assert {"nerf_views.png", "nerf_psnr.png"} <= {p.name for p in tmp_path.iterdir()}
