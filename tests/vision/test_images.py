"""2D image regression: the image library (loading, grid, split, Text set) and the two problems."""

import dataclasses
import json
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from PIL import Image

from pinnrwf import runner
from pinnrwf.cli import main
from pinnrwf.nn import RWF, FourierFeatures, Identity, Plain, PositionalEncoding, SirenScale
from pinnrwf.problems import get
from pinnrwf.problems.image_regression import ImageRegressionConfig, make_objective, siren_study
from pinnrwf.vision import SigmoidOutput, downsample, image_grid, load_image, psnr, split_image, text_image, text_images


# ------------------------------------------------------------------------------------------- PSNR
def test_psnr_hand_computed_cases():
    target = jnp.full((4, 5, 3), 0.3)
    assert float(psnr(target + 0.1, target)) == pytest.approx(20.0, abs=1e-4)  # MSE 0.01 -> 20 dB
    assert float(psnr(target + 0.01, target)) == pytest.approx(40.0, abs=1e-3)
    # data_range 2: 10 log10(4 / 0.01)
    assert float(psnr(target + 0.1, target, data_range=2.0)) == pytest.approx(10 * math.log10(400), abs=1e-4)
    pred = target.at[0, 0, 0].add(1.0)  # one element off by 1: MSE = 1/60
    assert float(psnr(pred, target)) == pytest.approx(10 * math.log10(60), abs=1e-4)
    assert float(psnr(target, target)) == math.inf


# ------------------------------------------------------------------------------------ grid, split
def test_image_grid_is_ffn_meshgrid_in_the_unit_square():
    grid = image_grid(4, 6)
    assert grid.shape == (4, 6, 2) and grid.dtype == np.float32
    np.testing.assert_allclose(grid[2, 3], [3 / 6, 2 / 4])  # (x = column / W, y = row / H)
    coords = np.linspace(0, 1, 8, endpoint=False)
    np.testing.assert_allclose(image_grid(8, 8), np.stack(np.meshgrid(coords, coords), -1), atol=1e-7)
    assert grid.min() == 0.0 and grid.max() < 1.0


def test_split_trains_on_even_pixels_and_holds_out_the_odd_odd_quarter():
    h, w = 6, 8
    image = np.arange(h * w * 3, dtype=np.float32).reshape(h, w, 3) / (h * w * 3)
    s = split_image(image)
    np.testing.assert_array_equal(s.train_rgb, image[::2, ::2].reshape(-1, 3))
    np.testing.assert_array_equal(s.train_coords, image_grid(h, w)[::2, ::2].reshape(-1, 2))
    np.testing.assert_array_equal(s.full_rgb[s.train_index], s.train_rgb)
    np.testing.assert_array_equal(s.full_rgb[s.heldout_index], image[1::2, 1::2].reshape(-1, 3))
    np.testing.assert_array_equal(s.full_rgb, image.reshape(-1, 3))
    rows, cols = np.divmod(s.train_index, w)
    assert np.all(rows % 2 == 0) and np.all(cols % 2 == 0) and s.train_index.size == (h // 2) * (w // 2)
    rows, cols = np.divmod(s.heldout_index, w)
    assert np.all(rows % 2 == 1) and np.all(cols % 2 == 1)
    assert not set(s.train_index) & set(s.heldout_index) and s.shape == (h, w)
    with pytest.raises(ValueError, match=r"image must be an RGB image of shape \(H, W, 3\)"):
        split_image(np.zeros((4, 4)))


def test_downsample_is_the_box_mean_and_refuses_upsampling():
    image = np.random.default_rng(0).uniform(size=(8, 12, 3)).astype(np.float32)
    small = downsample(image, (4, 6))
    np.testing.assert_allclose(small, image.reshape(4, 2, 6, 2, 3).mean(axis=(1, 3)), atol=1e-6)
    with pytest.raises(ValueError, match="downsampling only"):
        downsample(image, (16, 12))


# ------------------------------------------------------------------------------------- load_image
def test_load_image_reads_rgb_in_unit_range_and_converts(tmp_path):
    rgb = np.random.default_rng(1).integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "a.png")
    image = load_image(tmp_path / "a.png", shape=(5, 7))
    assert image.shape == (5, 7, 3) and image.dtype == np.float32
    np.testing.assert_array_equal(image, rgb.astype(np.float32) / 255)
    Image.fromarray(rgb[..., 0]).save(tmp_path / "grey.png")  # greyscale -> three equal channels
    grey = load_image(tmp_path / "grey.png")
    np.testing.assert_array_equal(grey[..., 1], rgb[..., 0] / np.float32(255))
    Image.fromarray(np.dstack([rgb, np.zeros((5, 7), np.uint8)])).save(tmp_path / "rgba.png")  # alpha dropped
    np.testing.assert_array_equal(load_image(tmp_path / "rgba.png"), image)


def test_load_image_errors(tmp_path):
    with pytest.raises(ValueError, match="path: no image file at"):
        load_image(tmp_path / "missing.png")
    Image.fromarray(np.zeros((5, 7, 3), np.uint8)).save(tmp_path / "a.png")
    with pytest.raises(ValueError, match=r"has shape \(5, 7\) \(H, W\), expected \(7, 5\)"):
        load_image(tmp_path / "a.png", shape=(7, 5))
    with pytest.raises(ValueError, match=r"shape must be a \(height, width\) pair"):
        load_image(tmp_path / "a.png", shape=(5, 7, 3))
    (tmp_path / "text.png").write_text("not an image")
    with pytest.raises(ValueError, match="is not an image Pillow can read"):
        load_image(tmp_path / "text.png")
    Image.fromarray(np.zeros((4, 4), np.float32)).save(tmp_path / "float.tiff")
    with pytest.raises(ValueError, match="only 8- and 16-bit images"):
        load_image(tmp_path / "float.tiff")


# ------------------------------------------------------------------------------------------- Text
def test_text_images_are_seeded_deterministic_and_show_text():
    a = text_images(3, 96, seed=0)
    assert a.shape == (3, 96, 96, 3) and a.dtype == np.float32
    assert 0.0 <= a.min() and a.max() <= 1.0
    np.testing.assert_array_equal(a, text_images(3, 96, seed=0))  # same seed, same images
    np.testing.assert_array_equal(a[2], text_image(2, 96, seed=0))  # image i does not depend on n
    assert not np.array_equal(a[0], a[1])
    assert not np.array_equal(a[0], text_image(0, 96, seed=1))
    for image in a:
        ink = np.any(image < 0.9, axis=-1).mean()
        assert 0.01 < ink < 0.7  # text on a white background
        assert np.mean(np.all(image == 1.0, axis=-1)) > 0.3
        assert np.ptp(image[image.min(axis=-1) < 0.5], axis=None) > 0  # coloured strokes


# ----------------------------------------------------------------------------------- the problems
def test_config_checks():
    with pytest.raises(ValueError, match="mapping must be one of none, posenc, gauss"):
        ImageRegressionConfig(mapping="fourier")
    with pytest.raises(ValueError, match="image must be ≤ 15"):
        ImageRegressionConfig(image=16)
    with pytest.raises(ValueError, match="resolution must be ≤ 512"):
        ImageRegressionConfig(resolution=1024)
    with pytest.raises(ValueError, match="scale must be > 0"):
        ImageRegressionConfig(scale=0.0)
    with pytest.raises(ValueError, match="dataset must be one of"):
        get("image-text").objective(ImageRegressionConfig(dataset="div2k-test"), None)


def test_paper_settings_of_both_data_sets():
    natural, text = get("image-natural"), get("image-text")
    assert natural.rwf == RWF(mean=2.0, std=0.01) and text.rwf == RWF(mean=1.0, std=0.1)  # Table 5
    assert natural.metrics[0] == "psnr" and "psnr_heldout" in natural.metrics
    cfg = ImageRegressionConfig()  # 512²: the reference code's scales
    assert natural.feature_scale(cfg) == 10.0 and text.feature_scale(cfg) == 14.0
    assert natural.feature_scale(dataclasses.replace(cfg, mapping="posenc")) == 2.0**6
    assert text.feature_scale(dataclasses.replace(cfg, mapping="posenc", resolution=128)) == 2.0**5 / 4
    assert natural.feature_scale(dataclasses.replace(cfg, scale=3.0, resolution=128)) == 3.0
    assert natural.feature_scale(dataclasses.replace(cfg, mapping="none")) is None
    paper = natural.presets["paper"]
    assert paper.train.steps == 2000 and paper.optimizer.warmup_steps == 200
    assert paper.optimizer.learning_rate == 1e-3 and paper.optimizer.decay_steps is None
    assert paper.config.resolution == 512 and (paper.config.width, paper.config.depth) == (256, 3)


def test_models_share_one_gaussian_matrix_and_siren_needs_no_mapping():
    natural = get("image-natural")
    cfg = ImageRegressionConfig(dataset="synthetic", resolution=16, width=8, depth=2, num_features=4)
    build = natural.init_model(cfg, Plain())
    a, b = build(jax.random.PRNGKey(0)), build(jax.random.PRNGKey(1))
    assert isinstance(a, SigmoidOutput) and isinstance(a.network.embedding, FourierFeatures)
    np.testing.assert_array_equal(a.network.embedding.b, b.network.embedding.b)  # one B per experiment
    assert not np.array_equal(a.network.layers[0].effective_weight(), b.network.layers[0].effective_weight())
    y = jax.vmap(a)(jnp.zeros((5, 2)))
    assert y.shape == (5, 3) and bool(jnp.all((y > 0) & (y < 1)))
    assert isinstance(
        natural.init_model(dataclasses.replace(cfg, mapping="posenc"), Plain())(
            jax.random.PRNGKey(0)
        ).network.embedding,
        PositionalEncoding,
    )
    none = dataclasses.replace(cfg, mapping="none")
    siren_net = natural.init_model(none, SirenScale(30.0))(jax.random.PRNGKey(0))
    assert isinstance(siren_net.network.embedding, Identity) and siren_net.network.activations[0].fn is jnp.sin
    with pytest.raises(ValueError, match="--study siren with --mapping none"):
        natural.init_model(cfg, SirenScale(30.0))
    study = siren_study()
    assert study["plain"] == Plain() and [p.omega0 for n, p in study.items() if n != "plain"] == [1, 5, 10, 30, 50, 100]


def test_objective_metrics_match_psnr_on_each_set():
    cfg = ImageRegressionConfig(dataset="synthetic", resolution=16)
    objective = make_objective(cfg)
    metrics = objective.metrics(lambda x: jnp.full(3, 0.5))
    truth = np.asarray(objective.full_rgb).reshape(16, 16, 3)
    assert float(metrics["psnr"]) == pytest.approx(float(psnr(np.full_like(truth, 0.5), truth)), rel=1e-6)
    assert float(metrics["psnr_heldout"]) == pytest.approx(
        float(psnr(np.full((8, 8, 3), 0.5), truth[1::2, 1::2])), rel=1e-6
    )
    assert float(metrics["train_psnr"]) == pytest.approx(
        float(psnr(np.full((8, 8, 3), 0.5), truth[::2, ::2])), rel=1e-6
    )
    terms, _ = objective.loss_terms(lambda x: jnp.full(3, 0.5), (), 0)
    assert float(terms["mse"]) == pytest.approx(float(np.mean((truth[::2, ::2] - 0.5) ** 2)), rel=1e-5)


def test_natural_images_need_the_data_folder(tmp_path):
    natural = get("image-natural")
    cfg = ImageRegressionConfig(data_dir=str(tmp_path), image=3)
    with pytest.raises(ValueError, match=r"--data-dir: no image .*div2k_ffn_test/image_003\.jpg"):
        natural.objective(cfg, None)


@pytest.mark.parametrize("name", ["image-natural", "image-text"])
def test_smoke_run_writes_results_and_figures(name, tmp_path):
    problem = get(name)
    results = runner.run(problem, preset="smoke", out_dir=tmp_path, parameterizations="plain,rwf", log=lambda m: None)
    assert set(results) == {"plain", "rwf"}
    res = json.loads((tmp_path / "results.json").read_text())
    for run in res["runs"].values():
        assert {"psnr", "psnr_heldout", "train_psnr"} <= set(run["final_metrics"])
        assert len(run["history"]["metrics"]["psnr"]) == 2  # every eval (chunk of 20 steps of 40)
    psnr_curve = np.asarray(res["runs"]["rwf"]["history"]["metrics"]["psnr"])[:, 0]
    assert psnr_curve[-1] > 10.0  # far above a random image, in dB
    figures = res["report"]["figures"]
    assert [f.rsplit("/", 1)[-1] for f in figures] == [f"{name}_predictions.png", f"{name}_psnr.png"]
    assert all((tmp_path / f.rsplit("/", 1)[-1]).stat().st_size > 10_000 for f in figures)
    assert res["report"]["feature_scale"] == pytest.approx(problem.default_scales["gauss"] * 32 / 512)


@pytest.mark.slow  # seven networks compiled: ≈ 15 s
def test_siren_study_through_the_cli_adds_the_omega0_figure(tmp_path):
    argv = [
        "run",
        "image-text",
        "--preset",
        "smoke",
        "--study",
        "siren",
        "--mapping",
        "none",
        "--steps",
        "4",
        "--chunk",
        "2",
        "--out",
        str(tmp_path),
        "--no-progress",
    ]
    assert main(argv) == 0
    res = json.loads((tmp_path / "results.json").read_text())
    assert list(res["runs"]) == list(siren_study())
    assert res["report"]["siren_omega0"]["siren(omega0=30)"] == 30.0
    assert (tmp_path / "image-text_siren.png").stat().st_size > 10_000
