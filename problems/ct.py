"""2D computed tomography (rwf_paper §4.3, App. H, Table 10, Fig. 14–15; Tancik et al. 2020 "CT").

A coordinate network f_θ: (x, y) ↦ density is fitted to one image through its parallel-beam
projections only: L(θ) = mean over (angle, detector) of |P[f_θ on the grid] − P[image]|², with P =
:func:`pinnrwf.vision.project` (bilinear interpolation, true line integrals on [−1, 1]²; the same
operator makes the data and is applied to the network's output on the n × n grid every step:
full batch). Metric: ``psnr`` = PSNR of clip(f_θ on the grid, 0, 1) against the image (dB,
higher is better), evaluated every ``eval_every`` steps; also ``proj_rel_l2`` = ‖P f_θ − P f‖/‖P f‖.

Datasets (``dataset``; ``image`` picks one image, a run fits one image):
- ``shepp``: the modified Shepp–Logan phantom perturbed as in the reference code (every one of
  the 10 × 6 ellipse parameters + N(0, 1)/20), phantom k drawn with ``PRNGKey(k)``; 20 angles.
- ``atlas``: the paper's ATLAS brain scans are not available; stand-in = axial slices z ∈
  :data:`ATLAS_SLICES` of the MNI152 2009a T1 template at ``data_dir/brain/mni152_2009a_t1_1mm.npz``
  (key ``t1``, (x, y, z) = 197 × 233 × 189 uint8, 1 mm), anterior up, cropped to the square
  centred on the template's bounding box (side 1.15 × its larger extent, zero-padded), resized
  to n × n (linear, antialiased) and divided by the slice's maximum; 40 angles (paper).
- your own phantom (``--image-path PATH``, replaces ``image``): a greyscale image file Pillow reads
  (8-bit values / 255, 16-bit / 65535; an RGB file counts only if its channels are equal, colour is
  refused) or a 2-D ``.npy`` array (finite, ≥ 0, divided by its maximum), through
  :func:`pinnrwf.vision.load_grayscale`; its largest centred square is box-filtered to n × n (a
  square smaller than n is refused). ``dataset`` still picks the default scales and projections.

Network (Table 3, FFN): γ(x, y) → MLP with ReLU, ``depth`` = 4 hidden layers × 256 + a linear
output layer + sigmoid: the paper's "depth 5" counts the dense layers as FFN's ``make_network``
does (FFN's CT net is its depth 4: 3 hidden + output). Inputs: FFN's pixel coordinates
(j/n, i/n) ∈ [0, 1)². Mapping γ (``mapping``): none / posenc / gauss with m = 256; default scales
(reference code): gauss σ = 4 (Shepp) / 5 (ATLAS); posenc 2³ / 2⁵ (FFN's exponents 3 / 5); one B
per experiment (``mapping_seed`` 10, as FFN), shared by every parameterization and seed. RWF
s ~ N(1, 0.1) (Table 5) on every dense layer, the output layer included.

``--study siren`` (Fig. 16): SIREN networks (:func:`pinnrwf.vision.siren_study`: sine
activations, SIREN init, W = ω0·Ŵ) for ω0 ∈ {1, 5, 10, 30, 50, 100} on the raw coordinates,
beside the plain ReLU MLP without mapping; run with ``--mapping none``. The SIREN has the same
width and number of hidden layers, and a sigmoid head like the ReLU MLP.

Training (Table 4, App. H): Adam 1e-3 with 200 linear warm-up steps, no decay, 2000 steps, full
batch, plain mean squared error (FFN's ½·MSE differs by a constant factor, which Adam ignores).
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
from pinnrwf.config import NEUTRAL_AT_DEFAULT
from pinnrwf.nn import RWF
from pinnrwf.plotting import pyplot, save_figure
from pinnrwf.problem import AbstractProblem, Option, Preset
from pinnrwf.train import AbstractObjective, Adam, TrainConfig, summarize
from pinnrwf.vision import (
    SigmoidOutput,
    centre_square,
    check_mapping,
    coordinate_embedding,
    coordinate_network,
    downsample,
    load_grayscale,
    load_npz,
    plot_siren,
    project,
    projection_angles,
    psnr,
    shepp_logan,
    siren_omegas,
    siren_study,
)

DATASETS = ("shepp", "atlas")
DEFAULT_PROJECTIONS = {"shepp": 20, "atlas": 40}  # rwf_paper App. H
# FFN's scales: Gaussian σ (2π convention, as pinnrwf's FourierFeatures); posenc exponents s → σ = 2^s.
DEFAULT_SCALES = {
    "shepp": {"none": 1.0, "gauss": 4.0, "posenc": 2.0**3},
    "atlas": {"none": 1.0, "gauss": 5.0, "posenc": 2.0**5},
}
ATLAS_FILE = Path("brain") / "mni152_2009a_t1_1mm.npz"
ATLAS_SLICES: tuple[int, ...] = tuple(range(50, 130, 4))  # 20 axial slices z (mm index) of the template
ATLAS_MARGIN = 1.15  # square side / the brain's larger extent: the brain lies inside the unit disc


@dataclasses.dataclass(frozen=True)
class CTConfig:
    """The image, the projections and the network (see the module docstring)."""

    dataset: str = "shepp"
    image: int = 0  # phantom seed (shepp) or index into ATLAS_SLICES (atlas)
    mapping: str = "gauss"
    scale: float | None = None  # None: DEFAULT_SCALES[dataset][mapping]
    num_features: int = 256
    data_dir: str = "../shared/data"
    resolution: int = 512  # n: the image is n × n; n detector bins and n samples per ray
    projections: int | None = None  # K angles in [0, π); None: 20 (shepp) / 40 (atlas)
    perturbation: float = 1 / 20  # std of the phantom parameters' perturbation (shepp)
    order: int = 1  # interpolation of the projection: 1 bilinear, 0 nearest (FFN)
    width: int = 256
    depth: int = 4  # hidden layers; + the output layer = the paper's depth 5
    mapping_seed: int = 10  # key of the Gaussian B (FFN: PRNGKey(10))
    # the user's phantom (a greyscale image or a 2-D .npy): replaces ``image``
    image_path: str | None = dataclasses.field(default=None, metadata={NEUTRAL_AT_DEFAULT: True})

    def __post_init__(self):
        check.one_of("dataset", self.dataset, DATASETS)
        if self.dataset == "atlas":
            check.integer("image", self.image, minimum=0, maximum=len(ATLAS_SLICES) - 1)
        else:
            check.seed("image", self.image)
        check_mapping("mapping", self.mapping)
        if self.scale is not None:
            check.positive_number("scale", self.scale)
        check.positive_int("num_features", self.num_features)
        if not isinstance(self.data_dir, (str, Path)):
            raise ValueError(f"data_dir must be a path, got {self.data_dir!r}")
        check.positive_int("resolution", self.resolution, minimum=2)
        if self.projections is not None:
            check.positive_int("projections", self.projections)
        check.positive_number("perturbation", self.perturbation, allow_zero=True)
        check.one_of("order", self.order, (0, 1))
        check.positive_int("width", self.width)
        check.positive_int("depth", self.depth)
        check.seed("mapping_seed", self.mapping_seed)
        if self.image_path is not None:
            check.existing_file("--image-path", self.image_path)

    @property
    def effective_scale(self) -> float:
        return DEFAULT_SCALES[self.dataset][self.mapping] if self.scale is None else self.scale

    @property
    def num_projections(self) -> int:
        return DEFAULT_PROJECTIONS[self.dataset] if self.projections is None else self.projections


# ------------------------------------------------------------------------------------------ data
def atlas_slice(data_dir: str | Path, index: int, n: int) -> np.ndarray:
    """Axial slice ``ATLAS_SLICES[index]`` of the MNI152 template in ``data_dir`` as an n × n
    image in [0, 1] (float64), anterior up, see the module docstring."""
    index = check.integer("image", index, minimum=0, maximum=len(ATLAS_SLICES) - 1)
    path = Path(data_dir) / ATLAS_FILE
    if not path.is_file():
        raise ValueError(
            f"data_dir: no MNI152 template at {path} (the ATLAS stand-in); pass --data-dir pointing "
            "to the shared data folder that holds brain/mni152_2009a_t1_1mm.npz"
        )
    volume = load_npz(path, ("t1",), name="data_dir")["t1"]
    z = ATLAS_SLICES[index]
    if volume.ndim != 3 or volume.shape[2] <= z:
        raise ValueError(
            f"data_dir: {path}: 't1' must be a 3-D (x, y, z) volume with more than {z} axial slices, "
            f"got shape {volume.shape}"
        )
    occupied = volume.max(axis=2) > 0  # (x, y) footprint of the whole brain
    if not occupied.any():
        raise ValueError(f"data_dir: {path}: 't1' is empty (all zero)")
    xs, ys = np.nonzero(occupied.any(axis=1))[0], np.nonzero(occupied.any(axis=0))[0]
    side = 2 * math.ceil(ATLAS_MARGIN * max(xs[-1] - xs[0] + 1, ys[-1] - ys[0] + 1) / 2)
    cx, cy = (xs[0] + xs[-1] + 1) // 2, (ys[0] + ys[-1] + 1) // 2
    plane = volume[:, :, z].astype(np.float64)  # (x, y)
    padded = np.pad(plane, side)
    crop = padded[cx - side // 2 + side : cx + side // 2 + side, cy - side // 2 + side : cy + side // 2 + side]
    image = crop.T[::-1]  # rows: y decreasing (anterior up), columns: x
    image = np.asarray(
        jax.image.resize(jnp.asarray(image, jnp.float32), (n, n), "linear", antialias=True), dtype=np.float64
    )
    image = np.clip(image, 0.0, None)
    peak = image.max()
    if peak <= 0:
        raise ValueError(f"data_dir: {path}: axial slice z = {z} is empty")
    return image / peak


def user_phantom(path: str | Path, n: int) -> np.ndarray:
    """The greyscale image or ``.npy`` at ``path`` (``--image-path``) as an n × n image in [0, 1]
    (float64): its largest centred square, box-filtered down to n × n (module docstring)."""
    image = load_grayscale(path, name="--image-path")
    square = centre_square(image)
    if square.shape[0] < n:
        h, w = image.shape
        raise ValueError(
            f"--image-path: {path} is {h} × {w} pixels (H × W); its centred square ({square.shape[0]}²) "
            f"is smaller than --resolution {n} (images are box-filtered down, never up): pass "
            f"--resolution {square.shape[0]} or less"
        )
    phantom = np.clip(downsample(square, (n, n)).astype(np.float64), 0.0, 1.0)
    if not phantom.max() > 0:
        raise ValueError(f"--image-path: {path} is black (all zero): its projections are zero, nothing to reconstruct")
    return phantom


def ground_truth(config: CTConfig) -> np.ndarray:
    """The n × n image of ``config`` in [0, 1]."""
    if config.image_path is not None:
        return user_phantom(config.image_path, config.resolution)
    if config.dataset == "shepp":
        return np.asarray(
            shepp_logan(config.resolution, key=jax.random.PRNGKey(config.image), perturbation=config.perturbation)
        )
    return atlas_slice(config.data_dir, config.image, config.resolution)


def grid_coordinates(n: int) -> np.ndarray:
    """FFN's network inputs: pixel (i, j) ↦ (j/n, i/n) ∈ [0, 1)², as an ``(n·n, 2)`` array in row order."""
    c = np.linspace(0.0, 1.0, n, endpoint=False)
    x, y = np.meshgrid(c, c)
    return np.stack([x.ravel(), y.ravel()], axis=1)


class CTObjective(AbstractObjective):
    """Full batch: L(θ) = mean_{k, s} |P[f_θ](θ_k, s) − P[f](θ_k, s)|² (no sampling)."""

    coordinates: Float[Array, "g 2"]
    angles: Float[Array, " k"]
    sinogram: Float[Array, "k n"]
    image: Float[Array, "n n"]
    order: int = eqx.field(static=True)

    def reconstruct(self, model) -> Float[Array, "n n"]:
        """The network on the n × n grid."""
        n = self.image.shape[0]
        return jax.vmap(model)(self.coordinates)[:, 0].reshape(n, n)

    def sample(self, key):
        return ()

    def loss_terms(self, model, batch, step):
        predicted = project(self.reconstruct(model), self.angles, order=self.order)
        return {"mse": jnp.mean((predicted - self.sinogram) ** 2)}, {}

    def metrics(self, model):
        reconstruction = self.reconstruct(model)
        residual = project(reconstruction, self.angles, order=self.order) - self.sinogram
        return {
            "psnr": psnr(jnp.clip(reconstruction, 0.0, 1.0), self.image),
            "proj_rel_l2": jnp.linalg.norm(residual) / jnp.linalg.norm(self.sinogram),
        }


@functools.cache
def make_objective(config: CTConfig) -> CTObjective:
    dtype = jnp.result_type(float)
    image = jnp.asarray(ground_truth(config), dtype)
    angles = projection_angles(config.num_projections)
    return CTObjective(
        jnp.asarray(grid_coordinates(config.resolution), dtype),
        angles,
        project(image, angles, order=config.order),
        image,
        config.order,
    )


def image_record(config: CTConfig) -> dict:
    """Which image was reconstructed (results.json)."""
    if config.image_path is not None:
        return {"path": str(config.image_path), "resolution": config.resolution}
    return {
        "dataset": config.dataset,
        "index": config.image,
        **(
            {"axial_slice_z": ATLAS_SLICES[config.image]}
            if config.dataset == "atlas"
            else {"phantom_key": f"PRNGKey({config.image})"}
        ),
    }


# --------------------------------------------------------------------------------------- figures
_reconstruct = eqx.filter_jit(lambda objective, model: objective.reconstruct(model))
_project = eqx.filter_jit(lambda objective, image: project(image, objective.angles, order=objective.order))


def _title(config: CTConfig) -> str:
    what = (
        Path(config.image_path).name
        if config.image_path is not None
        else f"Shepp–Logan phantom {config.image}"
        if config.dataset == "shepp"
        else f"MNI152 axial slice z = {ATLAS_SLICES[config.image]} (ATLAS stand-in)"
    )
    return (
        f"CT, {what}, {config.resolution}², {config.num_projections} projections, mapping {config.mapping} "
        f"(scale {config.effective_scale:g})"
    )


def plot_reconstructions(config: CTConfig, objective: CTObjective, results, reconstructions: dict, path: Path) -> Path:
    """rwf_paper Fig. 14–15 style: the ground truth, the data sinogram and the final PSNRs, then
    per parameterization (seed 0) the reconstruction, |error| and the sinogram residual."""
    plt = pyplot()
    image, sinogram = np.asarray(objective.image), np.asarray(objective.sinogram)
    names = list(reconstructions)
    fig, axes = plt.subplots(
        len(names) + 1, 3, figsize=(11, 3.4 * (len(names) + 1)), constrained_layout=True, squeeze=False
    )
    k = sinogram.shape[0]
    sino_extent = (-1.0, 1.0, 180.0 * (k - 0.5) / k, -90.0 / k)  # s, θ in degrees (θ_0 = 0 at the top)
    axes[0, 0].imshow(image, cmap="gray", vmin=0, vmax=1)
    axes[0, 0].set_title("ground truth")
    im = axes[0, 1].imshow(sinogram, cmap="viridis", aspect="auto", extent=sino_extent)
    axes[0, 1].set(title=f"data: sinogram, {k} angles", xlabel="detector s", ylabel="θ (degrees)")
    fig.colorbar(im, ax=axes[0, 1], label="line integral")
    finals = {name: np.asarray(r.final_metrics["psnr"], dtype=float) for name, r in results.items()}
    axes[0, 2].bar(
        range(len(finals)),
        [v.mean() for v in finals.values()],
        yerr=[v.std() for v in finals.values()],
        color=[f"C{i}" for i in range(len(finals))],
    )
    axes[0, 2].set_xticks(range(len(finals)), list(finals), rotation=30)
    low = min(v.min() for v in finals.values())
    axes[0, 2].set(ylim=(max(low - 3.0, 0.0), None), ylabel="PSNR (dB)", title="final PSNR (mean ± std over seeds)")
    error_max = max(float(np.abs(np.clip(r, 0, 1) - image).max()) for r in reconstructions.values()) or 1.0
    for row, name in zip(axes[1:], names):
        rec = np.clip(reconstructions[name], 0.0, 1.0)
        value = float(psnr(rec, image))
        row[0].imshow(rec, cmap="gray", vmin=0, vmax=1)
        row[0].set_title(f"{name}: {value:.2f} dB")
        im = row[1].imshow(np.abs(rec - image), cmap="magma", vmin=0, vmax=error_max)
        row[1].set_title(f"{name}: |error|")
        fig.colorbar(im, ax=row[1])
        residual = np.asarray(_project(objective, jnp.asarray(reconstructions[name]))) - sinogram
        im = row[2].imshow(np.abs(residual), cmap="magma", aspect="auto", extent=sino_extent)
        row[2].set(title=f"{name}: |P f_θ − data|", xlabel="detector s", ylabel="θ (degrees)")
        fig.colorbar(im, ax=row[2])
    for ax in axes[:, 0]:
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[1:, 1]:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(_title(config) + ", seed 0")
    return save_figure(fig, path, dpi=90)


def plot_training(config: CTConfig, results, path: Path) -> Path:
    """Test PSNR and training loss of every parameterization against the step (mean, min–max over seeds)."""
    plt = pyplot()
    fig, (ax_psnr, ax_loss) = plt.subplots(1, 2, figsize=(13, 4.6), constrained_layout=True)
    for name, r in results.items():
        for ax, steps, values, log in (
            (ax_psnr, r.history["metric_step"], r.history["metrics"]["psnr"], False),
            (ax_loss, r.history["step"], r.history["loss"], True),
        ):
            values = np.asarray(values, dtype=float)
            plot = ax.semilogy if log else ax.plot
            (line,) = plot(steps, values.mean(axis=1), label=name)
            if values.shape[1] > 1:
                ax.fill_between(steps, values.min(axis=1), values.max(axis=1), color=line.get_color(), alpha=0.15)
    ax_psnr.set(xlabel="step", ylabel="PSNR (dB)", title="Reconstruction PSNR during training")
    ax_loss.set(xlabel="step", ylabel="projection MSE", title="Training loss")
    for ax in (ax_psnr, ax_loss):
        ax.legend(fontsize=8)
    fig.suptitle(_title(config))
    return save_figure(fig, path, dpi=100)


# --------------------------------------------------------------------------------------- problem
_OPTIMIZER = Adam(learning_rate=1e-3, decay_rate=None, decay_steps=None, warmup_steps=200)  # Table 4


class ComputedTomography(AbstractProblem[CTConfig]):
    """rwf_paper §4.3 / App. H (Table 10, Fig. 14–15); one run = one image and one mapping."""

    name = "ct"
    description = "2D computed tomography from parallel-beam projections, reconstruction PSNR"
    presets = {
        "smoke": Preset(
            CTConfig(resolution=24, projections=8, num_features=16, width=32, depth=2),
            TrainConfig(steps=40, chunk_steps=20),
            Adam(learning_rate=1e-3, decay_rate=None, decay_steps=None, warmup_steps=10),
        ),
        "quick": Preset(
            CTConfig(resolution=64, width=128),
            TrainConfig(steps=300, chunk_steps=25),
            Adam(learning_rate=1e-3, decay_rate=None, decay_steps=None, warmup_steps=30),
        ),
        "paper": Preset(CTConfig(), TrainConfig(steps=2000, chunk_steps=100), _OPTIMIZER),
    }
    metrics = ("psnr",)
    default_parameterizations = "plain,aa,wn,rwf,wc-row"
    studies = {"siren": siren_study}  # Fig. 16: SIREN's ω0 sweep beside the plain MLP, with --mapping none
    rwf = RWF(mean=1.0, std=0.1)  # rwf_paper Table 5 (Shepp and ATLAS)
    options = (
        Option(
            "dataset",
            "shepp (perturbed Shepp–Logan phantoms) or atlas (MNI152 slices, the ATLAS stand-in)",
            choices=DATASETS,
        ),
        Option("image", "phantom seed (shepp) or slice index 0..19 (atlas); one run fits one image"),
        Option(
            "image_path",
            "your own phantom: a greyscale image file (PNG, JPEG, …; 8- or 16-bit; colour "
            "refused) or a 2-D .npy array (divided by its maximum); its centred square is box-filtered to "
            "--resolution (no larger than the square); replaces --image",
            type=str,
        ),
        Option("mapping", "input mapping: none, posenc or gauss", choices=("none", "posenc", "gauss")),
        Option("scale", "mapping scale (default: gauss 4 / 5, posenc 2^3 / 2^5 for shepp / atlas)", type=float),
        Option("num_features", "m: Fourier features / posenc frequencies (2m network inputs)"),
        Option("data_dir", "folder holding brain/mni152_2009a_t1_1mm.npz (atlas)", type=str),
        Option("resolution", "n: image side in pixels (paper 512)"),
        Option("projections", "number of projection angles (default: 20 shepp / 40 atlas)", type=int),
        Option("order", "interpolation of the projector: 1 bilinear, 0 nearest (FFN)", choices=(0, 1)),
        Option("width", "neurons per hidden layer"),
        Option("depth", "hidden layers (the paper's depth 5 = 4 hidden + the output layer)"),
    )

    def objective(self, config, train):
        return make_objective(config)

    def init_model(self, config, parameterization):
        embedding = coordinate_embedding(
            config.mapping,
            2,
            scale=config.effective_scale,
            num_features=config.num_features,
            key=jax.random.PRNGKey(config.mapping_seed),
        )
        return coordinate_network(
            1, config.width, config.depth, parameterization, embedding, mapping=config.mapping, head=SigmoidOutput
        )

    def report(self, config, results, out_dir):
        objective = make_objective(config)
        out_dir = Path(out_dir)
        reconstructions = {name: np.asarray(_reconstruct(objective, r.model(0))) for name, r in results.items()}
        figures = [
            plot_reconstructions(config, objective, results, reconstructions, out_dir / "ct_reconstructions.png"),
            plot_training(config, results, out_dir / "ct_psnr.png"),
        ]
        omegas = siren_omegas(results)
        if omegas:
            figures.append(plot_siren(results, omegas, out_dir / "ct_siren.png", f"SIREN, {_title(config)}"))
        return {
            "figures": [str(f) for f in figures],
            "image": image_record(config),
            "scale": config.effective_scale,
            "projections": config.num_projections,
            "psnr_summary": {name: summarize(r.final_metrics["psnr"]) for name, r in results.items()},
            **({"siren_omega0": omegas} if omegas else {}),
        }
