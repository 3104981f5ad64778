"""The vision tasks on the user's own data: an image for image regression (``--image-path``), a
greyscale image or ``.npy`` for CT (``--image-path``), a Blender-synthetic scene for NeRF
(``--scene``). Every file is written here, in ``tmp_path``; each bad input is one error line."""

import json
import math
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from pinnrwf.cli import main
from pinnrwf.problems.ct import CTConfig, ground_truth
from pinnrwf.problems.image_regression import ImageRegressionConfig, target_image
from pinnrwf.problems.nerf import NerfConfig, feature_scale, load_scene
from pinnrwf.vision import (
    centre_square,
    load_blender_scene,
    load_grayscale,
    load_image,
    load_rgba,
    look_at,
    over_background,
)

FAST = ["--preset", "smoke", "--param", "plain", "--steps", "4", "--chunk", "2", "--no-progress"]


def run_cli(problem: str, tmp_path, *options: str) -> dict:
    """``pinnrwf run PROBLEM`` (smoke preset, 4 steps) with ``options``; the results.json."""
    out = tmp_path / "out"
    assert main(["run", problem, *FAST, "--out", str(out), *options]) == 0
    return json.loads((out / "results.json").read_text())


def cli_error(capsys, problem: str, tmp_path, *options: str) -> str:
    """The one-line message of a ``pinnrwf run`` that must fail (exit status 2)."""
    with pytest.raises(SystemExit) as exit_info:
        main(["run", problem, *FAST, "--out", str(tmp_path / "out"), *options])
    assert exit_info.value.code == 2
    message = capsys.readouterr().err
    assert message.startswith("pinnrwf: error: ") and message.count("\n") == 1, message
    return message


def write_png16(path, array: np.ndarray) -> None:
    """A 16-bit PNG written by hand (Pillow cannot write 16-bit colour): ``(H, W)`` grey or ``(H, W, 3)``."""
    h, w = array.shape[:2]
    colour_type = 2 if array.ndim == 3 else 0
    raw = b"".join(b"\x00" + array[i].astype(">u2").tobytes() for i in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", w, h, 16, colour_type, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )


def block_mean(image: np.ndarray, k: int) -> np.ndarray:
    h, w = image.shape[:2]
    return image.reshape(h // k, k, w // k, k, *image.shape[2:]).mean(axis=(1, 3))


# ------------------------------------------------------------------------------ image files
def test_load_image_reads_16_bit_grey_at_full_precision_and_16_bit_colour_at_8_bits(tmp_path):
    grey = np.arange(12, dtype=np.uint16).reshape(3, 4) * 5000
    Image.fromarray(grey).save(tmp_path / "grey16.png")
    np.testing.assert_array_equal(load_image(tmp_path / "grey16.png")[..., 2], grey.astype(np.float32) / 65535)
    colour = (np.arange(24).reshape(2, 4, 3) * 2700).astype(np.uint16)
    write_png16(tmp_path / "rgb16.png", colour)
    np.testing.assert_array_equal(load_image(tmp_path / "rgb16.png"), (colour >> 8).astype(np.float32) / 255)


def test_load_grayscale_accepts_grey_equal_channel_rgb_and_npy(tmp_path):
    grey = np.random.default_rng(0).integers(0, 256, (5, 6), dtype=np.uint8)
    Image.fromarray(grey).save(tmp_path / "grey.png")
    Image.fromarray(np.dstack([grey] * 3)).save(tmp_path / "grey_as_rgb.png")
    for name in ("grey.png", "grey_as_rgb.png"):
        np.testing.assert_array_equal(load_grayscale(tmp_path / name), grey / np.float32(255))
    density = np.random.default_rng(1).uniform(0, 3, (4, 7))
    np.save(tmp_path / "density.npy", density)
    np.testing.assert_allclose(load_grayscale(tmp_path / "density.npy"), density / density.max())


def test_load_rgba_and_compositing(tmp_path):
    rgba = np.random.default_rng(2).integers(0, 256, (3, 4, 4), dtype=np.uint8)
    Image.fromarray(rgba).save(tmp_path / "a.png")
    Image.fromarray(rgba[..., :3]).save(tmp_path / "opaque.png")
    loaded = load_rgba(tmp_path / "a.png")
    np.testing.assert_array_equal(loaded, rgba / np.float32(255))
    assert np.all(load_rgba(tmp_path / "opaque.png")[..., 3] == 1)
    on_white = over_background(loaded, 1.0)
    np.testing.assert_allclose(on_white, loaded[..., :3] * loaded[..., 3:] + 1 - loaded[..., 3:], rtol=1e-6)


def test_centre_square_keeps_the_middle():
    image = np.arange(5 * 8).reshape(5, 8)
    np.testing.assert_array_equal(centre_square(image), image[:, 1:6])
    np.testing.assert_array_equal(centre_square(image.T), image.T[1:6])


# --------------------------------------------------------------------------- image regression
def test_image_regression_fits_a_user_image_centre_cropped_and_box_filtered(tmp_path):
    rgb = np.random.default_rng(3).integers(0, 256, (64, 80, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "photo.png")
    config = ImageRegressionConfig(image_path=str(tmp_path / "photo.png"), resolution=32)
    expected = block_mean(rgb[:, 8:72].astype(np.float32) / 255, 2)  # centred 64² square, 2 × 2 box filter
    np.testing.assert_allclose(target_image(config), expected, atol=1e-6)
    res = run_cli("image-natural", tmp_path, "--image-path", str(tmp_path / "photo.png"))
    assert all(np.isfinite(v) for v in res["runs"]["plain"]["final_metrics"]["psnr"])
    assert res["report"]["image"]["path"] == str(tmp_path / "photo.png")


def test_image_regression_takes_greyscale_and_rgba_as_rgb_and_larger_resolutions(tmp_path):
    grey = np.random.default_rng(4).integers(0, 256, (600, 600), dtype=np.uint8)
    Image.fromarray(grey).save(tmp_path / "grey.png")
    image = target_image(ImageRegressionConfig(image_path=str(tmp_path / "grey.png"), resolution=600))
    assert image.shape == (600, 600, 3)  # above the bundled sets' 512: a user image may be larger
    np.testing.assert_array_equal(image[..., 0], image[..., 2])
    rgba = np.random.default_rng(5).integers(0, 256, (16, 16, 4), dtype=np.uint8)
    Image.fromarray(rgba).save(tmp_path / "rgba.png")
    np.testing.assert_array_equal(
        target_image(ImageRegressionConfig(image_path=str(tmp_path / "rgba.png"), resolution=16)),
        rgba[..., :3] / np.float32(255),
    )


def test_image_regression_errors_name_the_option_and_file(tmp_path, capsys):
    missing = tmp_path / "missing.png"
    assert f"--image-path: no file at {missing}" in cli_error(
        capsys, "image-natural", tmp_path, "--image-path", str(missing)
    )
    (tmp_path / "notes.png").write_text("not an image")
    message = cli_error(capsys, "image-natural", tmp_path, "--image-path", str(tmp_path / "notes.png"))
    assert f"--image-path: {tmp_path / 'notes.png'} is not an image Pillow can read" in message
    Image.fromarray(np.zeros((20, 30, 3), np.uint8)).save(tmp_path / "small.png")
    message = cli_error(capsys, "image-text", tmp_path, "--image-path", str(tmp_path / "small.png"))
    assert (
        f"--image-path: {tmp_path / 'small.png'} is 20 × 30 pixels (H × W); its centred square (20²) is "
        "smaller than --resolution 32"
    ) in message
    Image.fromarray(np.zeros((40, 40), np.float32)).save(tmp_path / "float.tiff")
    message = cli_error(capsys, "image-natural", tmp_path, "--image-path", str(tmp_path / "float.tiff"))
    assert "is a 32-bit float ('F') image; only 8- and 16-bit images are supported" in message


# ------------------------------------------------------------------------------------------ CT
def test_ct_reconstructs_a_user_greyscale_image(tmp_path):
    grey = np.random.default_rng(6).integers(0, 256, (30, 24), dtype=np.uint8)
    Image.fromarray(grey).save(tmp_path / "phantom.png")
    config = CTConfig(image_path=str(tmp_path / "phantom.png"), resolution=24)
    np.testing.assert_allclose(ground_truth(config), grey[3:27] / 255.0, atol=1e-6)  # centred 24² square
    res = run_cli("ct", tmp_path, "--image-path", str(tmp_path / "phantom.png"))
    assert all(np.isfinite(v) for v in res["runs"]["plain"]["final_metrics"]["psnr"])
    assert res["report"]["image"] == {"path": str(tmp_path / "phantom.png"), "resolution": 24}


def test_ct_reads_a_npy_array_divided_by_its_maximum(tmp_path):
    density = np.random.default_rng(7).uniform(0, 4, (48, 48))
    np.save(tmp_path / "phantom.npy", density)
    image = ground_truth(CTConfig(image_path=str(tmp_path / "phantom.npy"), resolution=24))
    np.testing.assert_allclose(image, block_mean(density / density.max(), 2), atol=1e-6)


def test_ct_errors_name_the_option_and_file(tmp_path, capsys):
    colour = np.random.default_rng(8).integers(0, 256, (24, 24, 3), dtype=np.uint8)
    Image.fromarray(colour).save(tmp_path / "colour.png")
    message = cli_error(capsys, "ct", tmp_path, "--image-path", str(tmp_path / "colour.png"))
    assert f"--image-path: {tmp_path / 'colour.png'} is a colour image (its RGB channels differ)" in message
    Image.fromarray(np.full((10, 12), 9, np.uint8)).save(tmp_path / "small.png")
    message = cli_error(capsys, "ct", tmp_path, "--image-path", str(tmp_path / "small.png"))
    assert "is 10 × 12 pixels (H × W); its centred square (10²) is smaller than --resolution 24" in message
    np.save(tmp_path / "volume.npy", np.ones((4, 4, 4)))
    message = cli_error(capsys, "ct", tmp_path, "--image-path", str(tmp_path / "volume.npy"))
    assert f"--image-path: {tmp_path / 'volume.npy'} must hold a 2-D real array (H, W), got shape (4, 4, 4)" in message
    (tmp_path / "bad.jpg").write_bytes(b"\xff\xd8\xff\x00 truncated")
    message = cli_error(capsys, "ct", tmp_path, "--image-path", str(tmp_path / "bad.jpg"))
    assert f"--image-path: {tmp_path / 'bad.jpg'} is not an image Pillow can read" in message
    Image.fromarray(np.zeros((24, 24), np.uint8)).save(tmp_path / "black.png")
    assert "is black (all zero)" in cli_error(capsys, "ct", tmp_path, "--image-path", str(tmp_path / "black.png"))


# ---------------------------------------------------------------------------------------- NeRF
ANGLE = 0.69  # camera_angle_x of nerf_synthetic (≈ 39.5°)


def write_blender_scene(folder, n_train=4, n_test=2, size=16, seed=0) -> dict[str, np.ndarray]:
    """A Blender-synthetic scene of random RGBA views from cameras on a circle looking at the origin;
    returns the views written, per split."""
    rng = np.random.default_rng(seed)
    views = {}
    for split, n in (("train", n_train), ("test", n_test)):
        (folder / split).mkdir(parents=True, exist_ok=True)
        angles = 2 * np.pi * (np.arange(n) + (0.5 if split == "test" else 0.0)) / n
        frames, images = [], rng.integers(0, 256, (n, size, size, 4), dtype=np.uint8)
        for k, a in enumerate(angles):
            Image.fromarray(images[k]).save(folder / split / f"r_{k}.png")
            pose = look_at([4.0 * np.cos(a), 4.0 * np.sin(a), 2.0])
            frames.append({"file_path": f"./{split}/r_{k}", "rotation": 0.0, "transform_matrix": pose.tolist()})
        (folder / f"transforms_{split}.json").write_text(json.dumps({"camera_angle_x": ANGLE, "frames": frames}))
        views[split] = images
    return views


def test_blender_scene_is_read_as_written(tmp_path):
    views = write_blender_scene(tmp_path)
    scene = load_blender_scene(tmp_path)
    train = scene["train"]
    np.testing.assert_array_equal(train.rgba, views["train"] / np.float32(255))
    assert train.focal == pytest.approx(0.5 * 16 / math.tan(0.5 * ANGLE))
    pose = json.loads((tmp_path / "transforms_train.json").read_text())["frames"][1]["transform_matrix"]
    np.testing.assert_array_equal(train.poses[1], pose)
    half = load_blender_scene(tmp_path, width=8)["test"]
    assert half.focal == pytest.approx(train.focal / 2)
    np.testing.assert_allclose(
        half.rgba, block_mean(views["test"].transpose(1, 2, 0, 3) / np.float32(255), 2).transpose(2, 0, 1, 3), atol=1e-6
    )


def test_nerf_trains_on_a_user_blender_scene(tmp_path):
    views = write_blender_scene(tmp_path / "scene")
    config = NerfConfig(scene=str(tmp_path / "scene"), background="white", test_stride=2)
    scene = load_scene(config)
    rgba = views["test"] / np.float32(255)
    np.testing.assert_allclose(
        scene.test_rgb, (rgba[..., :3] * rgba[..., 3:] + 1 - rgba[..., 3:])[:, ::2, ::2], atol=1e-6
    )
    assert scene.train_rgb.shape == (4 * 16 * 16, 3) and scene.test_views == (0, 1)
    assert feature_scale(config) == pytest.approx(10.0 * 16 / 400)  # σ follows the width of the views
    res = run_cli("nerf", tmp_path, "--scene", str(tmp_path / "scene"), "--scene-width", "8")
    assert all(np.isfinite(v) for v in res["runs"]["plain"]["final_metrics"]["psnr"])
    assert res["report"]["test_views"] == [0, 1] and res["report"]["test_resolution"] == [8, 8]


def test_nerf_scene_errors_name_the_option_and_file(tmp_path, capsys):
    folder = tmp_path / "scene"
    assert f"--scene: no folder at {folder}" in cli_error(capsys, "nerf", tmp_path, "--scene", str(folder))
    write_blender_scene(folder)
    (folder / "transforms_test.json").unlink()
    message = cli_error(capsys, "nerf", tmp_path, "--scene", str(folder))
    assert f"--scene: no transforms_test.json in {folder}" in message

    write_blender_scene(folder)
    (folder / "train" / "r_2.png").unlink()
    message = cli_error(capsys, "nerf", tmp_path, "--scene", str(folder))
    assert (
        f"--scene: {folder / 'transforms_train.json'}: frames[2] names './train/r_2', but there is no image "
        f"{folder / 'train' / 'r_2.png'}"
    ) in message

    write_blender_scene(folder)
    Image.fromarray(np.zeros((8, 8, 4), np.uint8)).save(folder / "test" / "r_1.png")
    message = cli_error(capsys, "nerf", tmp_path, "--scene", str(folder))
    assert (
        f"--scene: {folder / 'test' / 'r_1.png'} is 8 × 8 (H × W) but {folder / 'test' / 'r_0.png'} is 16 × 16"
        in message
    )

    write_blender_scene(folder, size=12)
    transforms = json.loads((folder / "transforms_train.json").read_text())
    transforms["frames"][3]["transform_matrix"] = transforms["frames"][3]["transform_matrix"][:3]
    (folder / "transforms_train.json").write_text(json.dumps(transforms))
    message = cli_error(capsys, "nerf", tmp_path, "--scene", str(folder))
    assert (
        f"--scene: {folder / 'transforms_train.json'}: frames[3].transform_matrix must be a finite 4 × 4 "
        "camera-to-world matrix"
    ) in message

    write_blender_scene(folder, size=16)
    write_blender_scene(tmp_path / "other", size=12)
    (folder / "transforms_test.json").write_text(
        (tmp_path / "other" / "transforms_test.json").read_text().replace("./test/", "../other/test/")
    )
    message = cli_error(capsys, "nerf", tmp_path, "--scene", str(folder))
    assert "--scene: the test views" in message and "are (12, 12) (H, W) but the train views" in message

    write_blender_scene(folder)
    (folder / "transforms_train.json").write_text('{"frames": [')
    message = cli_error(capsys, "nerf", tmp_path, "--scene", str(folder))
    assert f"--scene: {folder / 'transforms_train.json'} is not readable JSON" in message
