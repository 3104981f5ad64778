"""Simplified NeRF on the Lego scene (rwf_paper §4.4, App. J, Table 1 row "Lego", Fig. 18–19);
E-NeRF (weight_conditioning_paper §6.3) is the ``wc-row`` column.

A radiance field x ↦ (c, σ) = (sigmoid(out[:3]), relu(out[3])) of one 3D point, out = MLP(γ(x))
(no view dependence, no hierarchical sampling: the simplified NeRF of Tancik et al. 2020, "FFN",
that App. J follows), rendered along camera rays by alpha compositing
(:mod:`pinnrwf.vision._nerf`) and trained on the mean squared error of the rendered colours.

Data: ``{data_dir}/nerf/lego_400.npz`` (``paper``) or ``lego_100.npz`` (``quick``): the 100
nerf_synthetic Lego *train* views (box-filtered to 400² / 100²), keys ``images_rgba``
``(100, H, W, 4)`` uint8, ``poses`` ``(100, 4, 4)`` camera-to-world, ``focal``. The paper's and
FFN's 13 test views are not among them, so views 0, 10, …, 90 (every ``holdout_every``-th) are
held out for testing and the other 90 train. ``background="black"`` follows FFN: the RGB channels
as stored (``[..., :3]``; nerf_synthetic's transparent background is black there but for 0.3–0.6 %
of its pixels), rendered with a black background; ``"white"`` composites them on white (rgb·α + 1 − α) and renders with a white
background, as the original NeRF code does. The rays of the training views (origins, unit
directions, colours) are computed once and minibatches of ``batch_rays`` rays are drawn on the
device (:class:`~pinnrwf.datasets.DeviceRows`; FFN shuffles once and walks through the rays).

Network (rwf_paper Table 3: "5 layers × 256 ReLU"): ``depth`` = 4 hidden layers of 256 ReLU plus
the linear output layer with 4 outputs, i.e. 5 dense layers. The "5" counts dense layers as FFN's
``num_layers`` does (FFN's NeRF: ``num_layers = 4`` = 3 hidden + output); ``--depth 5`` gives the
package's other reading (5 hidden layers, as ``dr``). The parameterization is on every dense
layer, the output layer included.

Input mapping γ (:func:`~pinnrwf.vision.coordinate_embedding`, m = ``num_features`` = 256):
``gauss`` (the paper's only one): [cos 2πBx, sin 2πBx], B ~ N(0, σ²), σ = ``scale``, by default
**10** at the paper's 400² (App. J; the paper does not say whether its σ multiplies 2π: FFN's NeRF
writes sin(Bx) with σ = 26, which is σ = 26/2π ≈ 4.14 here: ``--scale 4.14``). ``posenc``:
frequencies 2π·σ^{j/85}, by default σ = 2⁸/2π ≈ 40.7 at 400², so that the top frequency is FFN's
2⁸ rad per unit. ``none``: raw x. The default σ follows the resolution of the views (a 4× coarser
image resolves 4× lower frequencies): gauss 2.5 and posenc 10.2 on ``lego_100``
(:func:`default_scale`); ``--scale`` overrides it. One B per run (``feature_seed``), shared by
every parameterization and seed.

Training (rwf_paper App. J, Table 4): Adam 10⁻³, linear warm-up over 5000 steps, then × 0.9 every
1000 steps (smooth), 5·10⁴ steps, 2048 rays per step, 128 stratified samples per ray in
[near, far] = [2, 6] (last δ = 10¹⁰). FFN: Adam 5·10⁻⁴ constant, 1024 rays, 3 hidden layers.

Metric ``psnr``: the mean over the held-out views of each view's PSNR (dB, [0, 1] colours),
rendered with deterministic samples (the bin midpoints), on pixels ``[::test_stride, ::test_stride]``
of the first ``test_views`` held-out views (all at full resolution in ``paper``), every
``eval_every`` steps. ``report`` writes Fig. 19 (held-out views rendered by each
parameterization beside the ground truth and the error) and Fig. 18 (test PSNR vs step).

Presets: ``paper`` as above (10 seeds; a GPU: ≈ 2.6·10¹⁶ FLOP per seed). ``quick``: ``lego_100``
(gauss σ = 2.5, see above), 1000 steps of 256 rays × 32 samples, 3 hidden layers × 128, m = 64,
Adam 10⁻³ with 100 warm-up steps, 2 seeds; test PSNR on 4 held-out views at 50² every 200 steps
(the curve leaves the mean-colour plateau, ≈ 12.5 dB, after ≈ 400 steps). ``smoke``: the
synthetic ``sphere`` scene made in memory (10 views of 8², rendered by :func:`render_rays`).

Your own scene (``--scene FOLDER``, replaces ``dataset`` and ``data_dir``): the Blender-synthetic
layout of the original NeRF data (:func:`pinnrwf.vision.load_blender_scene`):
``transforms_train.json`` and ``transforms_test.json``, each with ``camera_angle_x`` and ``frames``
of ``{"file_path": "./train/r_0", "transform_matrix": 4 × 4 camera-to-world}``, images PNG RGBA
at ``file_path + ".png"`` (RGB files are opaque), all of one size. Focal length ½ W / tan(½
camera_angle_x) pixels; the views are alpha-composited on ``background`` (rgb·α + b·(1 − α));
``--scene-width N`` box-filters them to N pixels wide first (height in proportion, focal × N / W).
Every train view trains; the test views are those of ``transforms_test.json`` (the first
``test_views``, pixels ``[::test_stride, ::test_stride]``); ``holdout_every`` does not apply. The
default σ follows the width of the views as for Lego (:func:`feature_scale`); ``near`` and ``far``
are nerf_synthetic's 2 and 6 (the config fields ``near`` and ``far``).

**E-NeRF** (weight_conditioning_paper §6.3) is this model with row weight conditioning on every
dense layer: the ``wc-row`` parameterization (:class:`~pinnrwf.nn.WeightConditioning`), not a
separate code path. (That paper's E-NeRF is the full NeRF on LLFF; here it is the same
conditioning on App. J's simplified NeRF.)
"""

from __future__ import annotations

import dataclasses
import functools
import math
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from pinnrwf import _validation as check
from pinnrwf._atomic import atomic_path
from pinnrwf._resources import array_bytes, check_memory
from pinnrwf.config import NEUTRAL_AT_DEFAULT
from pinnrwf.datasets import DeviceRows
from pinnrwf.nn import RWF
from pinnrwf.problem import AbstractProblem, Option, Preset
from pinnrwf.train import AbstractObjective, Adam, TrainConfig, summarize
from pinnrwf.vision import (
    MAPPINGS,
    RadianceField,
    camera_rays,
    check_mapping,
    coordinate_embedding,
    coordinate_network,
    load_blender_scene,
    load_npz,
    look_at,
    over_background,
    psnr,
    render_rays,
    render_rays_in_blocks,
    stratified_samples,
)

DATASETS = ("lego_100", "lego_400", "sphere")  # "sphere": a synthetic scene made in memory (smoke)
BACKGROUNDS = {"black": 0.0, "white": 1.0}
PAPER_RESOLUTION = 400  # pixels per side of the paper's Lego views
PAPER_SCALES = {"gauss": 10.0, "posenc": 2.0**8 / (2 * math.pi)}  # σ at the paper's resolution


def default_scale(mapping: str, resolution: int) -> float | None:
    """The mapping's default σ for views of ``resolution`` pixels per side (``None`` for "none").

    At 400² the paper's gauss σ = 10 (App. J) and posenc 2⁸/2π (FFN's top frequency); a coarser
    image of the same scene resolves proportionally lower frequencies, so σ scales with the
    resolution: at 100² (``lego_100``) gauss 2.5 and posenc 10.2.
    """
    if check_mapping("mapping", mapping) == "none":
        return None
    return PAPER_SCALES[mapping] * check.positive_int("resolution", resolution) / PAPER_RESOLUTION


@dataclasses.dataclass(frozen=True)
class NerfConfig:
    """The scene, the split, the sampling and the network (module docstring).

    ``holdout_every``: views 0, k, 2k, … are held out (k = 10: 10 of the 100 Lego views);
    ``test_views``: evaluate on the first n held-out views (``None``: all); ``test_stride``:
    evaluate on pixels ``[::s, ::s]`` of them; ``render_block``: rays rendered at once when
    evaluating; ``n_figure``: held-out views shown per parameterization; ``synthetic_views`` and
    ``synthetic_size``: views and pixels per side of the in-memory ``sphere`` scene. ``scene``: a
    Blender-synthetic scene folder (replaces ``dataset``; module docstring); ``scene_width``: its
    views box-filtered to this many pixels wide (``None``: as stored).
    """

    mapping: str = "gauss"
    scale: float | None = None
    num_features: int = 256
    data_dir: str = "../shared/data"
    dataset: str = "lego_400"
    background: str = "black"
    holdout_every: int = 10
    test_views: int | None = None
    test_stride: int = 1
    near: float = 2.0
    far: float = 6.0
    num_samples: int = 128
    batch_rays: int = 2048
    width: int = 256
    depth: int = 4
    feature_seed: int = 0
    render_block: int = 1024
    n_figure: int = 3
    synthetic_views: int = 10
    synthetic_size: int = 8
    scene: str | None = dataclasses.field(default=None, metadata={NEUTRAL_AT_DEFAULT: True})
    scene_width: int | None = dataclasses.field(default=None, metadata={NEUTRAL_AT_DEFAULT: True})

    def __post_init__(self):
        check_mapping("mapping", self.mapping)
        if self.scale is not None:
            check.positive_number("scale", self.scale)
        for name in (
            "num_features",
            "num_samples",
            "batch_rays",
            "width",
            "depth",
            "render_block",
            "n_figure",
            "test_stride",
            "synthetic_size",
        ):
            check.positive_int(name, getattr(self, name))
        check.positive_int("holdout_every", self.holdout_every, minimum=2)
        check.positive_int("synthetic_views", self.synthetic_views, minimum=2)
        if self.test_views is not None:
            check.positive_int("test_views", self.test_views)
        check.one_of("dataset", self.dataset, DATASETS)
        check.one_of("background", self.background, tuple(BACKGROUNDS))
        check.seed("feature_seed", self.feature_seed)
        near, far = check.finite_number("near", self.near), check.finite_number("far", self.far)
        if not 0 <= near < far:
            raise ValueError(f"near and far must satisfy 0 ≤ near < far, got near = {near} and far = {far}")
        if self.scene is not None and not Path(self.scene).is_dir():
            raise ValueError(
                f"--scene: no folder at {self.scene} (a Blender-synthetic scene: transforms_train.json, "
                "transforms_test.json and the images they name)"
            )
        if self.scene_width is not None:
            check.positive_int("scene_width", self.scene_width)

    @property
    def resolution(self) -> int:
        """Pixels per side of the views of ``dataset`` (a ``scene``'s are known once loaded: :func:`feature_scale`)."""
        return {"lego_400": 400, "lego_100": 100, "sphere": self.synthetic_size}[self.dataset]


def feature_scale(config: NerfConfig) -> float | None:
    """σ of the input mapping: ``config.scale``, else :func:`default_scale` at the width of the
    views (a ``scene``'s views as loaded, which reads the scene once)."""
    if config.scale is not None:
        return config.scale
    width = load_scene(config).image_shape[1] if config.scene is not None else config.resolution
    return default_scale(config.mapping, width)


# ================================================================================== the data
@dataclasses.dataclass(frozen=True)
class Scene:
    """Host arrays (JAX's default float): the training rays ``(N, 3)`` each, and the held-out
    views ``(V, h, w, 3)`` (rays and ground-truth colours, at the evaluation resolution)."""

    source: str
    train_origins: np.ndarray
    train_directions: np.ndarray
    train_rgb: np.ndarray
    test_origins: np.ndarray
    test_directions: np.ndarray
    test_rgb: np.ndarray
    train_views: tuple[int, ...]
    test_views: tuple[int, ...]
    image_shape: tuple[int, int]  # full resolution of a view
    focal: float


def _float_dtype() -> np.dtype:
    return np.dtype(jnp.result_type(float))


def read_views(path: Path, background: str) -> tuple[np.ndarray, np.ndarray, float]:
    """``(images (n, H, W, 3) in [0, 1], poses (n, 4, 4), focal)`` from a ``lego_*.npz`` file
    (``allow_pickle=False``); ``background`` "black": the RGB channels as stored (FFN), "white":
    composited on white."""
    if not path.is_file():
        raise ValueError(
            f"data_dir: no NeRF data set at {path} (expected {{data_dir}}/nerf/<dataset>.npz with "
            "images_rgba, poses and focal; pass --data-dir)"
        )
    data = load_npz(path, ("images_rgba", "poses", "focal"), name="data_dir")
    images, poses, focal = data["images_rgba"], data["poses"], data["focal"]
    if images.ndim != 4 or images.shape[-1] != 4 or images.dtype != np.uint8:
        raise ValueError(f"{path}: images_rgba must be uint8 of shape (n, H, W, 4), got {images.dtype} {images.shape}")
    if poses.shape != (images.shape[0], 4, 4):
        raise ValueError(f"{path}: poses must have shape ({images.shape[0]}, 4, 4), got {poses.shape}")
    focal = check.positive_number(f"{path}: focal", focal)
    rgba = images.astype(np.float32) / 255.0
    rgb = rgba[..., :3]
    if background == "white":
        rgb = rgb * rgba[..., 3:] + (1.0 - rgba[..., 3:])
    return rgb, poses.astype(np.float64), focal


def sphere_field(x: Float[Array, " 3"]) -> tuple[Float[Array, " 3"], Float[Array, ""]]:
    """The synthetic scene of the smoke preset: a soft ball of radius 0.8 (σ ≤ 30) coloured by
    position, c(x) = clip(½ + x/1.6, 0, 1)."""
    r = jnp.linalg.norm(x)
    return jnp.clip(0.5 + x / 1.6, 0.0, 1.0), 30.0 * jax.nn.sigmoid(30.0 * (0.8 - r))


def synthetic_views(n_views: int, size: int, background: str) -> tuple[np.ndarray, np.ndarray, float]:
    """``n_views`` views of :func:`sphere_field` (``size``² pixels) from cameras on a circle of
    radius 4 at 30° elevation looking at the origin, rendered with 256 midpoint samples in [2, 6]."""
    focal = 1.75 * size
    angles = 2 * np.pi * np.arange(n_views) / n_views
    eyes = 4.0 * np.stack(
        [np.cos(angles) * np.cos(np.pi / 6), np.sin(angles) * np.cos(np.pi / 6), np.full(n_views, np.sin(np.pi / 6))],
        axis=1,
    )
    poses = np.stack([look_at(eye) for eye in eyes])
    t = stratified_samples(None, 2.0, 6.0, 256)
    images = []
    for pose in poses:
        o, d = camera_rays(size, size, focal, pose)
        images.append(np.asarray(render_rays(sphere_field, o, d, t, background=BACKGROUNDS[background]).rgb))
    return np.stack(images), poses, focal


def _rays(poses: np.ndarray, height: int, width: int, focal: float, stride: int) -> tuple[np.ndarray, np.ndarray]:
    dtype = _float_dtype()
    origins, directions = [], []
    for pose in poses:
        o, d = camera_rays(height, width, focal, jnp.asarray(pose, dtype))
        origins.append(np.asarray(o[::stride, ::stride], dtype))
        directions.append(np.asarray(d[::stride, ::stride], dtype))
    return np.stack(origins), np.stack(directions)


def _scene_from_views(
    source: str,
    train_rgb: np.ndarray,
    train_poses: np.ndarray,
    train_focal: float,
    test_rgb: np.ndarray,
    test_poses: np.ndarray,
    test_focal: float,
    train_views: tuple[int, ...],
    test_views: tuple[int, ...],
    test_stride: int,
) -> Scene:
    """The :class:`Scene` of training views ``(n, H, W, 3)`` and test views ``(v, H, W, 3)`` with
    their poses and focal lengths: every ray computed once, the test views at ``test_stride``."""
    height, width = train_rgb.shape[1:3]
    if test_stride > min(height, width):
        raise ValueError(f"test_stride = {test_stride} exceeds the image size {height} × {width}")
    dtype = _float_dtype()
    o, d = _rays(train_poses, height, width, train_focal, 1)
    to, td = _rays(test_poses, height, width, test_focal, test_stride)
    s = test_stride
    return Scene(
        source=source,
        train_origins=o.reshape(-1, 3),
        train_directions=d.reshape(-1, 3),
        train_rgb=train_rgb.reshape(-1, 3).astype(dtype),
        test_origins=to,
        test_directions=td,
        test_rgb=test_rgb[:, ::s, ::s].astype(dtype),
        train_views=train_views,
        test_views=test_views,
        image_shape=(height, width),
        focal=train_focal,
    )


def blender_scene(config: NerfConfig) -> Scene:
    """The scene in the folder ``config.scene`` (Blender-synthetic layout): every train view trains,
    the first ``test_views`` test views test; composited on ``background`` (module docstring)."""
    views = load_blender_scene(config.scene, ("train", "test"), width=config.scene_width, name="--scene")
    train, test = views["train"], views["test"]
    n_test = len(test.files)
    if config.test_views is not None and config.test_views > n_test:
        raise ValueError(
            f"test_views = {config.test_views} exceeds the {n_test} views of "
            f"{Path(config.scene) / 'transforms_test.json'}"
        )
    test_views = tuple(range(n_test))[: config.test_views]
    background = BACKGROUNDS[config.background]
    return _scene_from_views(
        str(config.scene),
        over_background(train.rgba, background),
        train.poses,
        train.focal,
        over_background(test.rgba[list(test_views)], background),
        test.poses[list(test_views)],
        test.focal,
        tuple(range(len(train.files))),
        test_views,
        config.test_stride,
    )


@functools.cache
def load_scene(config: NerfConfig) -> Scene:
    """Read (or synthesise) the views, split them, and compute every ray once."""
    if config.scene is not None:
        return blender_scene(config)
    if config.dataset == "sphere":
        images, poses, focal = synthetic_views(config.synthetic_views, config.synthetic_size, config.background)
        source = f"synthetic sphere, {config.synthetic_views} views of {config.synthetic_size}²"
    else:
        path = Path(config.data_dir) / "nerf" / f"{config.dataset}.npz"
        images, poses, focal = read_views(path, config.background)
        source = str(path)
    n = images.shape[0]
    held_out = tuple(range(0, n, config.holdout_every))
    train_views = tuple(i for i in range(n) if i not in held_out)
    if not train_views:
        raise ValueError(f"holdout_every = {config.holdout_every} leaves no training view of the {n}")
    if config.test_views is not None and config.test_views > len(held_out):
        raise ValueError(
            f"test_views = {config.test_views} exceeds the {len(held_out)} held-out views "
            f"(every {config.holdout_every}-th of {n})"
        )
    test_views = held_out[: config.test_views]
    return _scene_from_views(
        source,
        images[list(train_views)],
        poses[list(train_views)],
        focal,
        images[list(test_views)],
        poses[list(test_views)],
        focal,
        train_views,
        test_views,
        config.test_stride,
    )


# ============================================================================= the objective
class NerfObjective(AbstractObjective):
    """L(θ) = mean over a minibatch of rays of |C_θ(r) − C(r)|² (stratified samples per ray);
    metric ``psnr``: the mean per-view PSNR of the held-out views (deterministic samples)."""

    rays: DeviceRows  # origins, directions, rgb: (N, 3) each
    test_origins: Float[Array, "r 3"]  # the held-out views' rays, flattened
    test_directions: Float[Array, "r 3"]
    test_rgb: Float[Array, "v h w 3"]
    near: float = eqx.field(static=True)
    far: float = eqx.field(static=True)
    num_samples: int = eqx.field(static=True)
    background: float = eqx.field(static=True)
    render_block: int = eqx.field(static=True)

    def sample(self, key):
        k_rows, k_t = jax.random.split(key)
        batch = self.rays.sample(k_rows)
        batch["t"] = stratified_samples(k_t, self.near, self.far, self.num_samples, (self.rays.batch_size,))
        return batch

    def loss_terms(self, model, batch, step):
        rgb = render_rays(model, batch["origins"], batch["directions"], batch["t"], background=self.background).rgb
        return {"mse": jnp.mean((rgb - batch["rgb"]) ** 2)}, {}

    def render_test(self, model) -> Float[Array, "v h w 3"]:
        """The held-out views rendered by ``model`` with the bin-midpoint samples."""
        t = stratified_samples(None, self.near, self.far, self.num_samples)
        out = render_rays_in_blocks(
            model, self.test_origins, self.test_directions, t, block_size=self.render_block, background=self.background
        )
        return out.rgb.reshape(self.test_rgb.shape)

    def view_psnrs(self, model) -> Float[Array, " v"]:
        return jax.vmap(psnr)(self.render_test(model), self.test_rgb)

    def metrics(self, model):
        return {"psnr": jnp.mean(self.view_psnrs(model))}


@functools.cache
def make_objective(config: NerfConfig) -> NerfObjective:
    n = config.batch_rays  # one batch: origins, directions, colours (3 each) and the samples t of each ray
    check_memory(
        array_bytes((n, 9 + config.num_samples), dtype=_float_dtype()),
        what=f"batch_rays (--batch-rays) {n:,} (a batch of {n:,} rays × {config.num_samples} samples)",
    )
    scene = load_scene(config)
    rays = DeviceRows(
        {"origins": scene.train_origins, "directions": scene.train_directions, "rgb": scene.train_rgb},
        config.batch_rays,
    )
    return NerfObjective(
        rays,
        jnp.asarray(scene.test_origins.reshape(-1, 3)),
        jnp.asarray(scene.test_directions.reshape(-1, 3)),
        jnp.asarray(scene.test_rgb),
        config.near,
        config.far,
        config.num_samples,
        BACKGROUNDS[config.background],
        config.render_block,
    )


_render_test = eqx.filter_jit(lambda objective, model: objective.render_test(model))


# =============================================================================== the figures
def _save(fig, path: Path) -> Path:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    return path


def plot_views(
    scene: Scene, renders: dict[str, np.ndarray], view_psnrs: dict[str, np.ndarray], n_views: int, path: Path
) -> Path:
    """rwf_paper Fig. 19 style: per parameterization (rows, seed 0), for each shown held-out view,
    the ground truth, the rendering and the absolute error (mean over the colour channels)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(renders)
    n_views = min(n_views, scene.test_rgb.shape[0])
    fig, axes = plt.subplots(
        len(names), 3 * n_views, figsize=(2.4 * 3 * n_views, 2.5 * len(names)), squeeze=False, constrained_layout=True
    )
    for row, name in zip(axes, names):
        for v in range(n_views):
            truth, pred = scene.test_rgb[v], np.clip(renders[name][v], 0.0, 1.0)
            err = np.abs(pred - truth).mean(axis=-1)
            view = scene.test_views[v]
            panels = [
                (truth, f"view {view}: ground truth", {}),
                (pred, f"{name}: {view_psnrs[name][v]:.2f} dB", {}),
                (err, "|error|", {"cmap": "magma", "vmin": 0.0, "vmax": 0.5}),
            ]
            for ax, (img, title, kw) in zip(row[3 * v : 3 * v + 3], panels):
                ax.imshow(img, interpolation="nearest", **kw)
                ax.set_title(title, fontsize=8)
                ax.set_xticks([])
                ax.set_yticks([])
    fig.suptitle(
        f"Held-out views of {Path(scene.source).name}, seed 0 of each parameterization; error colour scale 0–0.5"
    )
    return _save(fig, path)


def plot_psnr(results, trivial_psnr: float, path: Path) -> Path:
    """rwf_paper Fig. 18 style: test PSNR vs step of every parameterization (mean over seeds,
    min–max band), and the training PSNR −10 log10(minibatch MSE)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_test, ax_train) = plt.subplots(1, 2, figsize=(13, 4.6), constrained_layout=True)
    for name, r in results.items():
        values = np.asarray(r.history["metrics"]["psnr"], dtype=float)  # (evaluations, seeds)
        (line,) = ax_test.plot(r.history["metric_step"], values.mean(axis=1), marker=".", label=name)
        if values.shape[1] > 1:
            ax_test.fill_between(
                r.history["metric_step"], values.min(axis=1), values.max(axis=1), color=line.get_color(), alpha=0.15
            )
        loss = np.asarray(r.history["loss"], dtype=float)
        ax_train.plot(r.history["step"], (-10 * np.log10(loss)).mean(axis=1), label=name)
    ax_test.axhline(trivial_psnr, color="k", ls="--", lw=1, label="mean colour")
    ax_test.set(
        xlabel="step",
        ylabel="PSNR (dB), mean over held-out views",
        title="Test PSNR during training (mean, min–max over seeds)",
    )
    ax_train.set(xlabel="step", ylabel="−10 log10(minibatch MSE) (dB)", title="Training PSNR (last step of each chunk)")
    for ax in (ax_test, ax_train):
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    return _save(fig, path)


# =============================================================================== the problem
RWF_LEGO = RWF(mean=1.0, std=0.1)  # rwf_paper Table 5

_SMOKE = NerfConfig(
    dataset="sphere", holdout_every=5, num_samples=16, batch_rays=64, width=32, depth=2, num_features=16, n_figure=2
)
# quick: 100² Lego, half-resolution evaluation of 4 held-out views, a smaller network and fewer samples
_QUICK = NerfConfig(
    dataset="lego_100",
    test_views=4,
    test_stride=2,
    num_samples=32,
    batch_rays=256,
    width=128,
    depth=3,
    num_features=64,
    n_figure=2,
    render_block=2500,
)


class Nerf(AbstractProblem[NerfConfig]):
    """rwf_paper App. J (Table 1 "Lego", Fig. 18–19); ``wc-row`` = E-NeRF (weight_conditioning_paper §6.3)."""

    name = "nerf"
    description = "Simplified NeRF (Lego, held-out views), test PSNR; wc-row = E-NeRF"
    presets = {
        "smoke": Preset(_SMOKE, TrainConfig(steps=40, chunk_steps=20), Adam(learning_rate=3e-3, decay_steps=None)),
        "quick": Preset(
            _QUICK,
            TrainConfig(steps=1000, seeds=2, chunk_steps=100, eval_every=200),
            Adam(learning_rate=1e-3, decay_steps=1000, warmup_steps=100),
        ),
        "paper": Preset(
            NerfConfig(render_block=4096),
            TrainConfig(steps=50_000, seeds=10, chunk_steps=500, eval_every=2500),
            Adam(learning_rate=1e-3, decay_steps=1000, warmup_steps=5000),
        ),
    }
    metrics = ("psnr",)
    default_parameterizations = "plain,aa,wn,rwf,wc-row"
    rwf = RWF_LEGO
    options = (
        Option("mapping", "input mapping (paper: gauss)", choices=MAPPINGS),
        Option(
            "scale",
            "mapping scale σ (default at 400²: gauss 10, the paper's, in the 2π convention, "
            "FFN's NeRF σ = 26 without 2π is 4.14; posenc 2^8/2π; proportionally lower at lower resolution: "
            "lego_100 gauss 2.5)",
            type=float,
        ),
        Option("num_features", "m: Fourier features per sine/cosine"),
        Option("data_dir", "folder holding nerf/lego_100.npz and nerf/lego_400.npz", type=str),
        Option("dataset", "lego_400 (paper), lego_100 (quick) or sphere (synthetic, in memory)", choices=DATASETS),
        Option(
            "background",
            "black: the RGB channels as stored (FFN); white: composited on white (--scene: composited on either)",
            choices=tuple(BACKGROUNDS),
        ),
        Option(
            "scene",
            "your own scene: a folder in the Blender-synthetic layout (transforms_train.json, "
            "transforms_test.json, PNG RGBA views of one size); replaces --dataset; test views from "
            "transforms_test.json",
            type=str,
        ),
        Option(
            "scene_width",
            "box-filter the --scene views to N pixels wide (height in proportion; default: as stored)",
            type=int,
        ),
        Option("test_views", "evaluate on the first N of the held-out views 0, 10, ..., 90", type=int),
        Option("test_stride", "evaluate on pixels [::s, ::s] of the held-out views"),
        Option("num_samples", "stratified samples per ray"),
        Option("batch_rays", "rays per step"),
        Option("width", "neurons per hidden layer"),
        Option("depth", "hidden layers (paper: 4, i.e. 5 dense layers with the output layer)"),
        Option("feature_seed", "seed of the Gaussian feature matrix B"),
        Option("render_block", "rays rendered at once when evaluating (memory)"),
    )

    def objective(self, config, train):
        return make_objective(config)

    def init_model(self, config, parameterization):
        embedding = coordinate_embedding(
            config.mapping,
            3,
            scale=feature_scale(config),
            num_features=config.num_features,
            key=jax.random.PRNGKey(config.feature_seed),
        )
        return coordinate_network(
            4, config.width, config.depth, parameterization, embedding, mapping=config.mapping, head=RadianceField
        )

    def report(self, config, results, out_dir):
        scene, objective = load_scene(config), make_objective(config)
        renders, view_psnrs = {}, {}
        for name, r in results.items():
            renders[name] = np.asarray(_render_test(objective, r.model(0)))
            view_psnrs[name] = np.asarray(jax.vmap(psnr)(jnp.asarray(renders[name]), objective.test_rgb))
        mean_colour = scene.train_rgb.mean(axis=0)
        trivial = float(np.mean([psnr(np.broadcast_to(mean_colour, img.shape), img) for img in scene.test_rgb]))
        out_dir = Path(out_dir)
        figures = [
            plot_views(scene, renders, view_psnrs, config.n_figure, out_dir / "nerf_views.png"),
            plot_psnr(results, trivial, out_dir / "nerf_psnr.png"),
        ]
        return {
            "figures": [str(f) for f in figures],
            "data": scene.source,
            "train_views": list(scene.train_views),
            "test_views": list(scene.test_views),
            "test_resolution": list(scene.test_rgb.shape[1:3]),
            "scale": feature_scale(config),
            "mean_colour_psnr": trivial,
            "view_psnr_seed0": {name: v.tolist() for name, v in view_psnrs.items()},
            "psnr_summary": {name: summarize(r.final_metrics["psnr"]) for name, r in results.items()},
        }
