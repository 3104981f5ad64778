"""2D image regression (rwf_paper §4.1, App. G, Tables 8–9, Fig. 9–11; Tancik et al. 2020).

A coordinate network maps a pixel's (x, y) ∈ [0, 1)² to its RGB colour. Two registered problems
share everything but their data, default scales and RWF setting:

- ``image-natural``: the 16 DIV2K 512² centre crops of the reference code's test set
  (``DATA_DIR/images/div2k_ffn_test/image_000.jpg … image_015.jpg``; JPEG q = 75 re-encodings
  of the lossless originals, so PSNRs are close to but not the paper's); RWF s ~ N(2, 0.01);
- ``image-text``: the *Text* set, regenerated procedurally (:func:`pinnrwf.vision.text_image`; the
  original generator is not public); RWF s ~ N(1, 0.1) as Table 5 (App. G says N(1, 0.01)).

Your own image (``--image-path PATH``, either problem; it replaces ``--dataset`` and ``--image``):
any file Pillow reads (PNG, JPEG, …), through :func:`pinnrwf.vision.load_image`: 8-bit values /
255, 16-bit greyscale / 65535 (16-bit colour PNGs at Pillow's 8 bits); greyscale is promoted to RGB,
alpha dropped. The image's largest centred square is box-filtered to ``resolution``² (as the
DIV2K set's centre crops; a square keeps the pixel spacing equal along x and y); a square smaller
than ``resolution`` is refused (never upsampled: held-out pixels would be interpolations).

Protocol. Training pixels = ``image[::2, ::2]`` (the image downsampled by 2); loss = MSE over all
of them (full batch; the reference code's ½·MSE differs by a constant factor that Adam ignores).
Test metrics, every ``eval_every`` steps and at the end: ``psnr`` on the **full-resolution**
image (what the paper states and tabulates), ``psnr_heldout`` on the quarter ``image[1::2,
1::2]`` never seen in training (the reference code's test set) and ``train_psnr``.
Network: input mapping γ (``--mapping none | posenc | gauss``, m = 256 features; one Gaussian B
from ``PRNGKey(features_seed = 10)``, the reference code's key, shared by every parameterization
and seed), then ``depth`` = 3 hidden layers × 256 ReLU and a linear layer to RGB, then a sigmoid
(4 dense layers: the reference code's "depth 4"; Table 3's "depth 4, width 256" read the same
way; ``--depth 4`` gives four hidden layers). Adam 1e-3 with 200 linear warm-up steps, 2000 steps
(Table 4; the reference code uses 1e-2 without a mapping — we follow the paper: 1e-3 for all).

Scales (``scale = None``): the reference code's defaults at 512² — Gaussian σ = 10 (Natural) /
14 (Text); positional encoding 2^6 / 2^5 (FFN's exponents 6 / 5, see
:mod:`pinnrwf.vision._coordinates`) — multiplied by ``resolution / 512`` at a reduced
``resolution``, so that the features keep the same bandwidth relative to the pixel grid (the
quick presets' 128² images would otherwise alias the top posenc frequencies, above their 32-cycle
training Nyquist limit). At the paper's 512² the defaults are exactly the reference code's.

``--study siren`` (Fig. 11): SIREN networks (sine activations, SIREN init, W = ω0·Ŵ on the sine
layers, :func:`pinnrwf.vision.siren_study`) for ω0 ∈ {1, 5, 10, 30, 50, 100} with no input mapping, beside
the plain ReLU MLP baseline; run it with ``--mapping none``. A study lists parameterizations only,
so a ``SirenScale(ω0)`` entry is what selects the SIREN architecture in :meth:`init_model` (every
other parameterization builds the ReLU MLP); the report then adds the PSNR-vs-ω0 figure.
"""

from __future__ import annotations

import abc
import dataclasses
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, Int

from pinnrwf import _validation as check
from pinnrwf.config import NEUTRAL_AT_DEFAULT
from pinnrwf.nn import RWF
from pinnrwf.plotting import pyplot, save_figure
from pinnrwf.problem import AbstractProblem, Option, Preset
from pinnrwf.train import AbstractObjective, Adam, TrainConfig
from pinnrwf.vision import (
    check_mapping,
    coordinate_embedding,
    coordinate_network,
    plot_siren,
    psnr,
    siren_omegas,
    siren_study,
)
from pinnrwf.vision._images import SigmoidOutput, centre_square, downsample, load_image, split_image, text_image

NATIVE_RESOLUTION = 512  # the side of every image of both data sets
N_IMAGES = 16  # images per data set (the benchmark's instances)
NATURAL_FOLDERS = {  # dataset -> (folder under DATA_DIR/images, file name pattern)
    "div2k-test": ("div2k_ffn_test", "image_{:03d}.jpg"),
    "div2k-gridsearch": ("div2k_ffn_gridsearch", "v_image_{:03d}.jpg"),
}
DATASETS = (*NATURAL_FOLDERS, "text", "synthetic")


@dataclasses.dataclass(frozen=True)
class ImageRegressionConfig:
    """One image of one data set, its input mapping and the network (see the module docstring).

    ``resolution``: side of the full-resolution test image; images are box-filtered from their
    native 512² to it before the split (training pixels: (resolution / 2)²). ``text_seed``: the
    seed of the regenerated Text set. ``eval_batch``: pixels per forward pass when evaluating.
    ``image_path``: the user's image file (replaces ``dataset`` and ``image``; see the module docstring).
    """

    dataset: str = "div2k-test"
    mapping: str = "gauss"
    scale: float | None = None
    num_features: int = 256
    data_dir: str = "../shared/data"
    image: int = 0
    resolution: int = NATIVE_RESOLUTION
    width: int = 256
    depth: int = 3
    features_seed: int = 10
    text_seed: int = 0
    eval_batch: int = 65_536
    image_path: str | None = dataclasses.field(default=None, metadata={NEUTRAL_AT_DEFAULT: True})

    def __post_init__(self):
        check.one_of("dataset", self.dataset, DATASETS)
        check_mapping("mapping", self.mapping)
        if self.scale is not None:
            check.positive_number("scale", self.scale)
        for name in ("num_features", "width", "depth", "eval_batch"):
            check.positive_int(name, getattr(self, name))
        check.integer("image", self.image, minimum=0, maximum=N_IMAGES - 1 if self.dataset in NATURAL_FOLDERS else None)
        check.integer(
            "resolution", self.resolution, minimum=4, maximum=NATIVE_RESOLUTION if self.image_path is None else None
        )
        check.seed("features_seed", self.features_seed)
        check.seed("text_seed", self.text_seed)
        if self.image_path is not None:
            check.existing_file("--image-path", self.image_path)


# ================================================================================ data and loss
def synthetic_image(index: int, size: int) -> np.ndarray:
    """A smooth random colour field with two sharp-edged shapes, float32 ``(size, size, 3)`` in
    [0, 1] (the smoke presets' in-memory stand-in for a photograph; seeded by ``index``)."""
    rng = np.random.default_rng((7, index))
    y, x = np.meshgrid(np.arange(size) / size, np.arange(size) / size, indexing="ij")
    field = np.zeros((size, size, 3))
    for k in range(1, 5):
        amplitude, phase, direction = rng.normal(size=3) / k, rng.uniform(0, 2 * np.pi, 3), rng.normal(size=(3, 2))
        field += amplitude * np.sin(
            2 * np.pi * k * (direction[:, 0] * x[..., None] + direction[:, 1] * y[..., None]) + phase
        )
    image = 1 / (1 + np.exp(-2 * field))
    image[(np.abs(x - 0.3) < 0.12) & (np.abs(y - 0.6) < 0.2)] = rng.uniform(size=3)
    image[(x - 0.7) ** 2 + (y - 0.3) ** 2 < 0.15**2] = rng.uniform(size=3)
    return image.astype(np.float32)


def natural_path(config: ImageRegressionConfig) -> Path:
    folder, pattern = NATURAL_FOLDERS[config.dataset]
    return Path(config.data_dir) / "images" / folder / pattern.format(config.image)


def user_image(path: str | Path, resolution: int) -> np.ndarray:
    """The image file at ``path`` (``--image-path``) as ``(resolution, resolution, 3)`` in [0, 1]:
    its largest centred square, box-filtered down to ``resolution``² (module docstring)."""
    image = load_image(path, name="--image-path")
    square = centre_square(image)
    if square.shape[0] < resolution:
        h, w = image.shape[:2]
        raise ValueError(
            f"--image-path: {path} is {h} × {w} pixels (H × W); its centred square ({square.shape[0]}²) "
            f"is smaller than --resolution {resolution} (images are box-filtered down, never up): pass "
            f"--resolution {square.shape[0]} or less"
        )
    return downsample(square, (resolution, resolution))


@functools.cache
def target_image(config: ImageRegressionConfig) -> np.ndarray:
    """The full-resolution ground truth ``(resolution, resolution, 3)`` in [0, 1] (read once)."""
    if config.image_path is not None:
        return user_image(config.image_path, config.resolution)
    if config.dataset == "synthetic":
        return synthetic_image(config.image, config.resolution)
    if config.dataset == "text":
        image = text_image(config.image, NATIVE_RESOLUTION, seed=config.text_seed)
    else:
        path = natural_path(config)
        if not path.is_file():
            raise ValueError(
                f"--data-dir: no image {path} (the {config.dataset} set is DATA_DIR/images/"
                f"{NATURAL_FOLDERS[config.dataset][0]}/; pass --data-dir, or use --preset smoke for "
                "synthetic data)"
            )
        image = load_image(path, shape=(NATIVE_RESOLUTION, NATIVE_RESOLUTION))
    return downsample(image, (config.resolution, config.resolution))


def image_record(config: ImageRegressionConfig) -> dict:
    """Which image was fitted (results.json)."""
    n = config.resolution
    if config.image_path is not None:
        return {
            "path": str(config.image_path),
            "resolution": n,
            "source": f"user image {config.image_path}: centred square box-filtered to {n}²",
        }
    return {
        "dataset": config.dataset,
        "index": config.image,
        "resolution": n,
        "source": str(natural_path(config))
        if config.dataset in NATURAL_FOLDERS
        else (
            f"regenerated Text set, text_seed = {config.text_seed}"
            if config.dataset == "text"
            else "synthetic (in memory)"
        ),
    }


class ImageObjective(AbstractObjective):
    """Full-batch MSE on the training pixels; PSNR on the full image, the held-out quarter and the
    training pixels (one forward pass over the full image gives all three)."""

    train_coords: Float[Array, "n 2"]
    train_rgb: Float[Array, "n 3"]
    full_coords: Float[Array, "p 2"]
    full_rgb: Float[Array, "p 3"]
    train_index: Int[Array, " n"]
    heldout_index: Int[Array, " k"]
    eval_batch: int = eqx.field(static=True)

    def sample(self, key):
        return ()

    def loss_terms(self, model, batch, step):
        pred = jax.vmap(model)(self.train_coords)
        return {"mse": jnp.mean((pred - self.train_rgb) ** 2)}, {}

    def predict(self, model) -> Float[Array, "p 3"]:
        """The model's RGB at every pixel of the full image, ``eval_batch`` pixels at a time."""
        return jax.lax.map(model, self.full_coords, batch_size=self.eval_batch)

    def metrics(self, model):
        pred = self.predict(model)
        return {
            "psnr": psnr(pred, self.full_rgb),
            "psnr_heldout": psnr(pred[self.heldout_index], self.full_rgb[self.heldout_index]),
            "train_psnr": psnr(pred[self.train_index], self.full_rgb[self.train_index]),
        }


@functools.cache
def make_objective(config: ImageRegressionConfig) -> ImageObjective:
    split = split_image(target_image(config))
    dtype = jnp.result_type(float)
    return ImageObjective(
        jnp.asarray(split.train_coords, dtype),
        jnp.asarray(split.train_rgb, dtype),
        jnp.asarray(split.full_coords, dtype),
        jnp.asarray(split.full_rgb, dtype),
        jnp.asarray(split.train_index),
        jnp.asarray(split.heldout_index),
        config.eval_batch,
    )


_predict = eqx.filter_jit(lambda objective, model: objective.predict(model))


# ================================================================================ figures


def plot_predictions(
    truth: np.ndarray, predictions: Mapping[str, np.ndarray], scores: Mapping[str, float], path: Path, title: str
) -> Path:
    """rwf_paper Fig. 9/10: one row per parameterization: ground truth, prediction, |error| (mean over
    RGB, one colour scale for all rows)."""
    plt = pyplot()
    names = list(predictions)
    errors = {n: np.abs(predictions[n] - truth).mean(axis=-1) for n in names}
    vmax = max(float(np.percentile(e, 99.5)) for e in errors.values()) or 1e-3
    fig, axes = plt.subplots(len(names), 3, figsize=(10, 3.3 * len(names)), constrained_layout=True, squeeze=False)
    for row, name in zip(axes, names):
        row[0].imshow(truth, interpolation="nearest")
        row[0].set_title("ground truth")
        row[1].imshow(np.clip(predictions[name], 0, 1), interpolation="nearest")
        row[1].set_title(f"{name}: prediction ({scores[name]:.2f} dB)")
        im = row[2].imshow(errors[name], cmap="magma", vmin=0, vmax=vmax, interpolation="nearest")
        row[2].set_title(f"{name}: |error| (mean over RGB)")
        fig.colorbar(im, ax=row[2], fraction=0.046)
        for ax in row:
            ax.set_xticks([])
            ax.set_yticks([])
    fig.suptitle(title)
    return save_figure(fig, path, dpi=90)


def _band(ax, steps, values, label, **kw):
    values = np.asarray(values, dtype=float)
    (line,) = ax.plot(steps, values.mean(axis=1), label=label, **kw)
    if values.shape[1] > 1:
        ax.fill_between(steps, values.min(axis=1), values.max(axis=1), color=line.get_color(), alpha=0.15)
    return line


def plot_curves(results, path: Path, title: str) -> Path:
    """PSNR (full image; held-out quarter dashed) and training loss against the step, every
    parameterization on one plot (mean, min–max over seeds)."""
    plt = pyplot()
    fig, (ax_psnr, ax_loss) = plt.subplots(1, 2, figsize=(13, 4.6), constrained_layout=True)
    for name, r in results.items():
        steps, metrics = r.history["metric_step"], r.history["metrics"]
        line = _band(ax_psnr, steps, metrics["psnr"], name)
        ax_psnr.plot(steps, np.mean(metrics["psnr_heldout"], axis=1), "--", color=line.get_color(), lw=0.9)
        ax_loss.semilogy(r.history["step"], np.mean(r.history["loss"], axis=1), label=name, color=line.get_color())
    ax_psnr.plot([], [], "k--", lw=0.9, label="held-out quarter")
    ax_psnr.set(
        xlabel="step", ylabel="PSNR (dB)", title="Test PSNR: full image (solid), held-out [1::2, 1::2] (dashed)"
    )
    ax_loss.set(xlabel="step", ylabel="training MSE", title="Training loss (mean over seeds)")
    for ax in (ax_psnr, ax_loss):
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    return save_figure(fig, path, dpi=100)


# ================================================================================ the problems
def _presets(dataset: str, smoke_dataset: str) -> dict[str, Preset]:
    def adam(warmup: int) -> Adam:  # rwf_paper Table 4: constant 1e-3 after a linear warm-up
        return Adam(learning_rate=1e-3, decay_rate=None, decay_steps=None, warmup_steps=warmup)

    return {
        "smoke": Preset(
            ImageRegressionConfig(dataset=smoke_dataset, resolution=32, num_features=32, width=32, depth=2),
            TrainConfig(steps=40, chunk_steps=20),
            adam(10),
        ),
        # 128² images (64² training pixels), 500 steps (warm-up 50): see the README for the measured cost
        "quick": Preset(
            ImageRegressionConfig(dataset=dataset, resolution=128), TrainConfig(steps=500, chunk_steps=50), adam(50)
        ),
        "paper": Preset(ImageRegressionConfig(dataset=dataset), TrainConfig(steps=2000, chunk_steps=100), adam(200)),
    }


def _options(datasets: tuple[str, ...]) -> tuple[Option, ...]:
    return (
        Option("dataset", "which images (synthetic: in memory, no files)", choices=datasets),
        Option(
            "mapping",
            "input mapping: none, posenc (positional encoding) or gauss (Gaussian Fourier features)",
            choices=("none", "posenc", "gauss"),
        ),
        Option(
            "scale", "mapping scale σ (default: the reference code's for the data set, × resolution / 512)", type=float
        ),
        Option("num_features", "m: features per sine/cosine (2m network inputs)"),
        Option("image", f"index of the image to fit (0..{N_IMAGES - 1} for the DIV2K sets)"),
        Option(
            "image_path",
            "your own image, any file Pillow reads (PNG, JPEG, 8- or 16-bit; greyscale promoted "
            "to RGB, alpha dropped): its centred square is box-filtered to --resolution (no larger than the "
            "square); replaces --dataset and --image",
            type=str,
        ),
        Option(
            "resolution",
            f"side of the full-resolution test image (box-filtered from {NATIVE_RESOLUTION}; "
            "training pixels: (resolution / 2)²)",
        ),
        Option("data_dir", "the shared data folder (images under DATA_DIR/images/)"),
        Option("width", "neurons per hidden layer"),
        Option("depth", "hidden layers (3: the reference code's 'depth 4' = 4 dense layers)"),
        Option("features_seed", "seed of the Gaussian matrix B (shared by every parameterization and seed)"),
        Option("text_seed", "seed of the regenerated Text set"),
    )


class _ImageRegression(AbstractProblem[ImageRegressionConfig]):
    """What ``image-natural`` and ``image-text`` share; a subclass states its data set."""

    metrics = ("psnr", "psnr_heldout", "train_psnr")
    default_parameterizations = "plain,aa,wn,rwf,wc-row"
    studies = {"siren": siren_study}
    # mapping -> σ at the native 512² (the reference code's defaults)
    default_scales: ClassVar[Mapping[str, float]]
    title: ClassVar[str]

    @abc.abstractmethod
    def check_dataset(self, config: ImageRegressionConfig) -> None:
        """Raise ``ValueError`` unless ``config.dataset`` belongs to this problem."""

    def feature_scale(self, config: ImageRegressionConfig) -> float | None:
        """σ of the input mapping (``None`` for ``"none"``): ``config.scale``, else the default
        scaled by resolution / 512."""
        if config.mapping == "none":
            return None
        if config.scale is not None:
            return config.scale
        return self.default_scales[config.mapping] * config.resolution / NATIVE_RESOLUTION

    def objective(self, config, train):
        self.check_dataset(config)
        return make_objective(config)

    def init_model(self, config, parameterization):
        scale = self.feature_scale(config)  # None for "none", whose embedding takes no scale
        embedding = coordinate_embedding(
            config.mapping,
            2,
            scale=1.0 if scale is None else scale,
            num_features=config.num_features,
            key=jax.random.PRNGKey(config.features_seed),
        )
        return coordinate_network(
            3, config.width, config.depth, parameterization, embedding, mapping=config.mapping, head=SigmoidOutput
        )

    def report(self, config, results, out_dir):
        objective = make_objective(config)
        out_dir = Path(out_dir)
        n = config.resolution
        truth = np.asarray(objective.full_rgb).reshape(n, n, 3)
        predictions = {
            name: np.asarray(_predict(objective, r.model(0))).reshape(n, n, 3) for name, r in results.items()
        }
        scores = {name: float(psnr(predictions[name], truth)) for name in results}
        scale = self.feature_scale(config)
        image = (
            f"{Path(config.image_path).name} ({n}²)"
            if config.image_path is not None
            else f"{self.title} image {config.image} ({config.dataset}, {n}²)"
        )
        what = f"{image}, mapping {config.mapping}" + ("" if scale is None else f" (σ = {scale:g})")
        figures = [
            plot_predictions(
                truth,
                predictions,
                scores,
                out_dir / f"{self.name}_predictions.png",
                f"{what}: seed 0, PSNR on the full image",
            ),
            plot_curves(results, out_dir / f"{self.name}_psnr.png", what),
        ]
        omegas = siren_omegas(results)
        if omegas:
            figures.append(plot_siren(results, omegas, out_dir / f"{self.name}_siren.png", f"SIREN, {image}"))
        return {
            "figures": [str(f) for f in figures],
            "metrics_note": "psnr: full-resolution image (rwf_paper's table statistic); psnr_heldout: the "
            "[1::2, 1::2] quarter never trained on (the reference code's test set); "
            "train_psnr: the [::2, ::2] training pixels",
            "image": image_record(config),
            "feature_scale": scale,
            "psnr_seed0": scores,
            **({"siren_omega0": omegas} if omegas else {}),
        }


class NaturalImages(_ImageRegression):
    """rwf_paper §4.1, Table 8, Fig. 9 (``--study siren``: Fig. 11, left)."""

    name = "image-natural"
    description = "2D image regression, Natural (DIV2K) images: PSNR on the full image and the held-out pixels"
    title = "Natural"
    presets = _presets("div2k-test", "synthetic")
    rwf = RWF(mean=2.0, std=0.01)  # rwf_paper Table 5 and App. G
    default_scales = {"gauss": 10.0, "posenc": 2.0**6}
    options = _options((*NATURAL_FOLDERS, "synthetic"))

    def check_dataset(self, config):
        check.one_of("dataset", config.dataset, (*NATURAL_FOLDERS, "synthetic"))


class TextImages(_ImageRegression):
    """rwf_paper §4.1, Table 9, Fig. 10 (``--study siren``: Fig. 11, right), on the regenerated Text set."""

    name = "image-text"
    description = "2D image regression, Text images (regenerated): PSNR on the full image and the held-out pixels"
    title = "Text"
    presets = _presets("text", "text")
    rwf = RWF(mean=1.0, std=0.1)  # rwf_paper Table 5 (App. G says N(1, 0.01))
    default_scales = {"gauss": 14.0, "posenc": 2.0**5}
    options = _options(("text", "synthetic"))

    def check_dataset(self, config):
        check.one_of("dataset", config.dataset, ("text", "synthetic"))
