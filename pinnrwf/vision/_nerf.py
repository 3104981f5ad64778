"""Simplified NeRF: camera rays, stratified samples along them, volume rendering (rwf_paper §4.4, App. J).

The simplified NeRF of Tancik et al. 2020 (FFN), which rwf_paper App. J follows: a field
x ↦ (c(x), σ(x)) of one 3D point (no view dependence), one pass of stratified samples per ray
(no hierarchical sampling), rendered by alpha compositing (Mildenhall et al. 2020, eq. 3):

    δ_i = t_{i+1} − t_i  (the last δ = 10¹⁰, as FFN and NeRF),   α_i = 1 − exp(−σ_i δ_i),
    T_i = Π_{j<i} (1 − α_j) = exp(−Σ_{j<i} σ_j δ_j),              w_i = T_i α_i,
    C = Σ_i w_i c_i + (1 − Σ_i w_i) · background.

Camera convention (Blender / nerf_synthetic ``transform_matrix``): a pose is a camera-to-world
matrix ``c2w`` ``(4, 4)`` (or ``(3, 4)``) whose columns 0, 1, 2 are the camera's x (right), y (up)
and z axes in world coordinates and column 3 its centre; the camera looks down its **−z** axis.
Pixel (row j, column i) of an H × W image is sampled at its centre: the camera-space direction is
((i + ½ − W/2)/f, −(j + ½ − H/2)/f, −1), rotated to the world and normalised to unit length, so
the ray parameter t is the Euclidean distance from the camera centre (FFN and the original NeRF
code use i, j without the ½ and unnormalised directions, so their t is the depth along −z).

Everything is pure JAX and jit-able; argument checks run at call time, before any trace.

Scenes on disk in the Blender-synthetic layout of the original NeRF data (``nerf_synthetic``):
:func:`load_blender_scene` reads ``transforms_{split}.json`` (``camera_angle_x`` and ``frames`` of
``{"file_path": "./train/r_0", "transform_matrix": 4 × 4 c2w}``, the images PNG RGBA at
``file_path + ".png"``) into straight-alpha RGBA views, c2w poses and the focal length in pixels
f = ½ W / tan(½ camera_angle_x); :func:`over_background` composites them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Float, PRNGKeyArray

from pinnrwf import _validation as check

from ._images import downsample, load_rgba

LAST_DELTA = 1e10  # δ of the last sample: the ray ends in an opaque wall (FFN, NeRF)

Field = Callable[[Float[Array, " 3"]], tuple[Float[Array, " 3"], Float[Array, ""]]]


class Rendering(NamedTuple):
    """What :func:`render_rays` returns, for rays of batch shape ``(...)``.

    ``rgb`` ``(..., 3)``: the composited colour C; ``depth`` ``(...)``: Σ w_i t_i (the expected
    termination distance, without the background); ``opacity`` ``(...)``: Σ w_i ∈ [0, 1].
    """

    rgb: Float[Array, "... 3"]
    depth: Float[Array, "..."]
    opacity: Float[Array, "..."]


def _check_pose(c2w) -> Array:
    shape = np.shape(c2w)
    if shape not in ((4, 4), (3, 4)):
        raise ValueError(f"c2w must be a camera-to-world pose of shape (4, 4) or (3, 4), got shape {shape}")
    return jnp.asarray(c2w)


def camera_rays(
    height: int, width: int, focal: float, c2w: Float[ArrayLike, "4 4"]
) -> tuple[Float[Array, "h w 3"], Float[Array, "h w 3"]]:
    """Rays through the pixel centres of an ``height`` × ``width`` pinhole camera.

    ``focal`` is the focal length in pixels (nerf_synthetic: W / (2 tan(camera_angle_x / 2))),
    ``c2w`` the camera-to-world pose ``(4, 4)`` or ``(3, 4)`` in the Blender convention (see the
    module docstring: x right, y up, looking down −z). Returns ``(origins, directions)``, each
    ``(height, width, 3)``; the directions have unit length; row 0 is the top of the image.
    """
    height, width = check.positive_int("height", height), check.positive_int("width", width)
    focal = check.positive_number("focal", focal)
    c2w = _check_pose(c2w)
    i, j = jnp.meshgrid(jnp.arange(width) + 0.5, jnp.arange(height) + 0.5, indexing="xy")  # (h, w) each
    dirs = jnp.stack([(i - 0.5 * width) / focal, -(j - 0.5 * height) / focal, -jnp.ones_like(i)], axis=-1)
    dirs = dirs @ c2w[:3, :3].T
    dirs = dirs / jnp.linalg.norm(dirs, axis=-1, keepdims=True)
    origins = jnp.broadcast_to(c2w[:3, 3], dirs.shape)
    return origins, dirs


def look_at(
    eye: Float[ArrayLike, " 3"],
    target: Float[ArrayLike, " 3"] = (0.0, 0.0, 0.0),
    up: Float[ArrayLike, " 3"] = (0.0, 0.0, 1.0),
) -> Float[np.ndarray, "4 4"]:
    """The camera-to-world pose ``(4, 4)`` (Blender convention) of a camera at ``eye`` looking at
    ``target``, with its image's up direction as close to ``up`` as possible (numpy, float64)."""
    eye, target, up = (np.asarray(v, dtype=np.float64) for v in (eye, target, up))
    for name, v in (("eye", eye), ("target", target), ("up", up)):
        if v.shape != (3,) or not np.all(np.isfinite(v)):
            raise ValueError(f"{name} must be a finite 3-vector, got {v!r}")
    z = eye - target  # the camera looks down −z, i.e. towards the target
    if np.linalg.norm(z) == 0:
        raise ValueError("eye and target must differ")
    z = z / np.linalg.norm(z)
    x = np.cross(up, z)
    if np.linalg.norm(x) < 1e-8:
        raise ValueError(f"up {up.tolist()} must not be parallel to the viewing direction {(-z).tolist()}")
    x = x / np.linalg.norm(x)
    y = np.cross(z, x)
    pose = np.eye(4)
    pose[:3, 0], pose[:3, 1], pose[:3, 2], pose[:3, 3] = x, y, z, eye
    return pose


def _check_range(near, far) -> tuple[float, float]:
    near, far = check.finite_number("near", near), check.finite_number("far", far)
    if near < 0:
        raise ValueError(f"near must be ≥ 0, got {near}")
    if near >= far:
        raise ValueError(f"near must be < far, got near = {near} and far = {far}")
    return near, far


def stratified_samples(
    key: PRNGKeyArray | None, near: float, far: float, num_samples: int, shape: tuple[int, ...] = ()
) -> Float[Array, "... s"]:
    """Distances t along rays, one per bin of [near, far) split into ``num_samples`` equal bins.

    Returns ``shape + (num_samples,)``, sorted along the last axis: t_i = near + (i + u_i)·Δ,
    Δ = (far − near)/num_samples, u_i ~ U[0, 1) independently per ray and bin (NeRF eq. 2). With
    ``key=None`` u_i = ½ (the bin midpoints, the same for every ray): deterministic samples for
    evaluation and tests. (FFN jitters ``linspace(near, far, S)`` by U[0, Δ), which leaves the last
    sample beyond ``far``; these bins stay inside [near, far).)
    """
    near, far = _check_range(near, far)
    num_samples = check.positive_int("num_samples", num_samples)
    shape = tuple(check.integer(f"shape[{k}]", n, minimum=0) for k, n in enumerate(shape))
    width = (far - near) / num_samples
    edges = near + width * jnp.arange(num_samples)
    if key is None:
        return jnp.broadcast_to(edges + 0.5 * width, (*shape, num_samples))
    u = jax.random.uniform(key, (*shape, num_samples))
    # keep every sample strictly inside its bin when rounding pushes u·Δ up to Δ
    return edges + jnp.minimum(u * width, width * (1 - 1e-6))


def composite(
    rgb: Float[Array, "... s 3"],
    sigma: Float[Array, "... s"],
    t_values: Float[Array, "... s"],
    background: float | Float[Array, "... 3"] = 0.0,
) -> Rendering:
    """Alpha compositing of the samples of each ray (module docstring); ``t_values`` sorted."""
    delta = jnp.diff(t_values, axis=-1)
    delta = jnp.concatenate([delta, jnp.full_like(t_values[..., :1], LAST_DELTA)], axis=-1)
    optical = sigma * delta  # σ_i δ_i ≥ 0
    alpha = 1.0 - jnp.exp(-optical)
    # T_i = exp(−Σ_{j<i} σ_j δ_j), an exclusive cumulative sum (not cumsum − σ_i δ_i, which cancels
    # catastrophically against the last δ = 1e10), and no 1 − α_j rounding as in Π(1 − α_j)
    before = jnp.cumsum(optical[..., :-1], axis=-1)
    transmittance = jnp.exp(-jnp.concatenate([jnp.zeros_like(optical[..., :1]), before], axis=-1))
    weights = transmittance * alpha
    opacity = jnp.sum(weights, axis=-1)
    colour = jnp.sum(weights[..., None] * rgb, axis=-2) + (1.0 - opacity)[..., None] * background
    return Rendering(colour, jnp.sum(weights * t_values, axis=-1), opacity)


def render_rays(
    field: Field,
    origins: Float[ArrayLike, "... 3"],
    directions: Float[ArrayLike, "... 3"],
    t_values: Float[ArrayLike, "... s"],
    *,
    background: float = 0.0,
) -> Rendering:
    """Volume-render rays through ``field`` (x ``(3,)`` ↦ (rgb ``(3,)`` in [0, 1], σ ``()`` ≥ 0)).

    ``origins`` and ``directions`` are ``(..., 3)``; ``t_values`` are the sorted sample distances,
    ``(..., s)`` per ray (e.g. :func:`stratified_samples`) or ``(s,)`` shared by every ray. The
    field is evaluated at x = o + t·d for every sample (vmapped). ``background``: the colour seen
    where a ray is not absorbed (0: black, FFN; 1: white). Returns a :class:`Rendering`.
    """
    check.function("field", field)
    origins, directions, t_values = jnp.asarray(origins), jnp.asarray(directions), jnp.asarray(t_values)
    if origins.ndim < 1 or origins.shape[-1] != 3 or directions.shape != origins.shape:
        raise ValueError(
            f"origins and directions must both have shape (..., 3), got {origins.shape} and {directions.shape}"
        )
    batch = origins.shape[:-1]
    if t_values.ndim == 1:
        t_values = jnp.broadcast_to(t_values, (*batch, t_values.shape[0]))
    if t_values.shape[:-1] != batch or t_values.shape[-1] < 1:
        raise ValueError(
            f"t_values must have shape (s,) or {(*batch, 's')} for rays of shape {origins.shape}, got {t_values.shape}"
        )
    background = check.finite_number("background", background)
    points = origins[..., None, :] + t_values[..., None] * directions[..., None, :]  # (..., s, 3)
    rgb, sigma = jax.vmap(field)(points.reshape(-1, 3))
    rgb = rgb.reshape(*points.shape[:-1], 3)
    sigma = sigma.reshape(points.shape[:-1])
    return composite(rgb, sigma, t_values, background)


def render_rays_in_blocks(
    field: Field,
    origins: Float[ArrayLike, "n 3"],
    directions: Float[ArrayLike, "n 3"],
    t_values: Float[ArrayLike, " s"],
    *,
    block_size: int,
    background: float = 0.0,
) -> Rendering:
    """:func:`render_rays` for many rays ``(n, 3)`` sharing ``t_values`` ``(s,)`` (deterministic
    samples), ``block_size`` rays at a time by ``lax.map``, so memory is O(block_size · s · width)."""
    block_size = check.positive_int("block_size", block_size)
    origins, directions, t_values = jnp.asarray(origins), jnp.asarray(directions), jnp.asarray(t_values)
    if origins.ndim != 2 or origins.shape[-1] != 3 or directions.shape != origins.shape:
        raise ValueError(
            f"origins and directions must both have shape (n, 3), got {origins.shape} and {directions.shape}"
        )
    if t_values.ndim != 1:
        raise ValueError(f"t_values must have shape (s,), got {t_values.shape}")
    background = check.finite_number("background", background)
    n = origins.shape[0]
    blocks = -(-n // block_size)
    pad = blocks * block_size - n
    o = jnp.pad(origins, ((0, pad), (0, 0))).reshape(blocks, block_size, 3)
    d = jnp.pad(directions, ((0, pad), (0, 0)), constant_values=1.0).reshape(blocks, block_size, 3)
    out = jax.lax.map(lambda od: render_rays(field, od[0], od[1], t_values, background=background), (o, d))
    return jax.tree.map(lambda a: a.reshape(blocks * block_size, *a.shape[2:])[:n], out)


class RadianceField(eqx.Module):
    """A network with 4 outputs as a radiance field (FFN's simplified NeRF, rwf_paper App. J):
    x ``(3,)`` ↦ (rgb = sigmoid(out[:3]), σ = relu(out[3])). No view dependence."""

    network: Callable[[Float[Array, " 3"]], Float[Array, " 4"]]

    def __call__(self, x: Float[Array, " 3"]) -> tuple[Float[Array, " 3"], Float[Array, ""]]:
        out = self.network(x)
        return jax.nn.sigmoid(out[:3]), jax.nn.relu(out[3])


# ----------------------------------------------------------------------------- Blender-synthetic scenes
#: The splits of a Blender-synthetic scene (``transforms_<split>.json``).
BLENDER_SPLITS = ("train", "val", "test")
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


class BlenderViews(NamedTuple):
    """One split of a Blender-synthetic scene: ``rgba`` ``(n, H, W, 4)`` float32 straight-alpha
    colours in [0, 1], ``poses`` ``(n, 4, 4)`` camera-to-world (float64, the convention of
    :func:`camera_rays`), ``focal`` in pixels of these views, ``files`` the n image files."""

    rgba: np.ndarray
    poses: np.ndarray
    focal: float
    files: tuple[Path, ...]


def _read_transforms(name: str, path: Path) -> dict:
    if not path.is_file():
        raise FileNotFoundError(
            f"{name}: no {path.name} in {path.parent} (a Blender-synthetic scene holds "
            "transforms_train.json and transforms_test.json beside its images)"
        )
    try:
        transforms = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{name}: {path} is not readable JSON ({' '.join(str(err).split())})") from None
    if not isinstance(transforms, dict) or not isinstance(transforms.get("frames"), list) or not transforms["frames"]:
        raise ValueError(f"{name}: {path} must be a JSON object with a non-empty list 'frames'")
    return transforms


def _camera_angle(name: str, path: Path, transforms: dict) -> float:
    angle = transforms.get("camera_angle_x")
    if isinstance(angle, bool) or not isinstance(angle, (int, float)) or not 0 < angle < math.pi:
        raise ValueError(
            f"{name}: {path}: camera_angle_x must be the horizontal field of view in radians, in (0, π), got {angle!r}"
        )
    return float(angle)


def _frame_pose(name: str, path: Path, k: int, frame) -> np.ndarray:
    matrix = frame.get("transform_matrix") if isinstance(frame, dict) else None
    try:
        pose = np.asarray(matrix, dtype=np.float64)
    except (TypeError, ValueError):
        pose = np.zeros(0)
    if pose.shape != (4, 4) or not np.all(np.isfinite(pose)):
        raise ValueError(
            f"{name}: {path}: frames[{k}].transform_matrix must be a finite 4 × 4 camera-to-world "
            f"matrix, got {matrix!r:.80}"
        )
    return pose


def _frame_file(name: str, path: Path, k: int, frame) -> Path:
    file_path = frame.get("file_path") if isinstance(frame, dict) else None
    if not isinstance(file_path, str) or not file_path:
        raise ValueError(f"{name}: {path}: frames[{k}] needs a 'file_path' string (e.g. \"./train/r_0\")")
    image = path.parent / file_path
    if image.suffix.lower() not in _IMAGE_SUFFIXES:
        image = image.with_name(image.name + ".png")
    if not image.is_file():
        raise FileNotFoundError(f"{name}: {path}: frames[{k}] names {file_path!r}, but there is no image {image}")
    return image


def _resized_views(rgba: np.ndarray, focal: float, width: int | None, name: str) -> tuple[np.ndarray, float]:
    """Views ``(n, H, W, 4)`` box-filtered to ``width`` pixels wide (height in proportion), and the focal length."""
    if width is None or width == rgba.shape[2]:
        return rgba, focal
    h, w = rgba.shape[1:3]
    if width > w:
        raise ValueError(
            f"{name}: the views are {h} × {w} (H × W); width {width} would upsample them (box-filter "
            f"downsampling only): pass a width ≤ {w}"
        )
    height = max(1, round(h * width / w))
    return np.stack([downsample(view, (height, width)) for view in rgba]), focal * width / w


def load_blender_split(
    folder: str | Path, split: str, *, width: int | None = None, name: str = "scene"
) -> BlenderViews:
    """The views of ``transforms_{split}.json`` in ``folder`` (Blender-synthetic layout, see the
    module docstring) as :class:`BlenderViews`; ``width``: box-filter every view to that many pixels
    wide (height in proportion, focal scaled by width / W). ``name``: how errors name the folder.

    Raises:
        FileNotFoundError: no transforms file, or a frame's image file is missing.
        ValueError: unreadable JSON or image; no ``frames``; ``camera_angle_x`` not in (0, π); a
            ``transform_matrix`` that is not a finite 4 × 4 matrix; views of different sizes.
    """
    check.one_of("split", split, BLENDER_SPLITS)
    path = Path(folder) / f"transforms_{split}.json"
    transforms = _read_transforms(name, path)
    angle = _camera_angle(name, path, transforms)
    frames = transforms["frames"]
    poses = np.stack([_frame_pose(name, path, k, frame) for k, frame in enumerate(frames)])
    files = tuple(_frame_file(name, path, k, frame) for k, frame in enumerate(frames))
    views = []
    for file in files:
        view = load_rgba(file, name=name)
        if views and view.shape != views[0].shape:
            raise ValueError(
                f"{name}: {file} is {view.shape[0]} × {view.shape[1]} (H × W) but {files[0]} is "
                f"{views[0].shape[0]} × {views[0].shape[1]}: every view of a scene must have one size"
            )
        views.append(view)
    rgba = np.stack(views)
    focal = 0.5 * rgba.shape[2] / math.tan(0.5 * angle)
    rgba, focal = _resized_views(rgba, focal, width, name)
    return BlenderViews(rgba, poses, focal, files)


def load_blender_scene(
    folder: str | Path, splits: Sequence[str] = ("train", "test"), *, width: int | None = None, name: str = "scene"
) -> dict[str, BlenderViews]:
    """:func:`load_blender_split` of every split in ``splits``, checked to share one view size."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{name}: no folder at {folder} (a Blender-synthetic scene: transforms_train.json, "
            "transforms_test.json and the images they name)"
        )
    if width is not None:
        check.positive_int("width", width)
    scene = {split: load_blender_split(folder, split, width=width, name=name) for split in splits}
    first = splits[0]
    for split, views in scene.items():
        if views.rgba.shape[1:3] != scene[first].rgba.shape[1:3]:
            raise ValueError(
                f"{name}: the {split} views ({views.files[0]}) are {views.rgba.shape[1:3]} (H, W) but the "
                f"{first} views ({scene[first].files[0]}) are {scene[first].rgba.shape[1:3]}: every view "
                "of a scene must have one size"
            )
    return scene


def over_background(rgba: Float[np.ndarray, "... 4"], background: float) -> Float[np.ndarray, "... 3"]:
    """Straight-alpha RGBA composited on a grey level ``background`` ∈ [0, 1]: rgb·α + background·(1 − α)."""
    rgba = np.asarray(rgba)
    if rgba.shape[-1:] != (4,):
        raise ValueError(f"rgba must have shape (..., 4), got {rgba.shape}")
    background = check.number_in("background", background, 0.0, 1.0)
    alpha = rgba[..., 3:]
    return rgba[..., :3] * alpha + np.asarray(background, rgba.dtype) * (1 - alpha)


__all__ = [
    "BLENDER_SPLITS",
    "BlenderViews",
    "LAST_DELTA",
    "RadianceField",
    "Rendering",
    "camera_rays",
    "composite",
    "load_blender_scene",
    "load_blender_split",
    "look_at",
    "over_background",
    "render_rays",
    "render_rays_in_blocks",
    "stratified_samples",
]
