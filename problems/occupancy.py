"""3D shape representation with occupancy networks (rwf_paper §4.2, App. I, Table 11, Fig. 17).

A coordinate MLP f_θ: [0, 1]³ → R (a logit) learns the inside of a mesh (Tancik et al. 2020's
``3d_shape_occupancy``): one run = one mesh and one input mapping, every parameterization.

Data. The mesh (``--mesh dragon | armadillo``, files ``DATA_DIR/meshes/dragon_22k.ply`` and
``armadillo_50k.obj``; ``lucy`` and ``bunny`` too; ``--mesh-path`` any OBJ/PLY) is normalized as
the reference code does: v −= mean v; v /= max|v|; v = (v + 1)/2 (inside [0, 1]³, vertex mean
0.5). Training points are uniform in the bounding box [min − 1e-3, max + 1e-3]: a pool of
``pool_size`` points is labelled **once** (generalized winding number > 0.5, robust on the
non-watertight Dragon; ``--labels ray`` for ray parity) and every step draws ``batch_size`` rows of
it on the device, inside the compiled chunk (:class:`~pinnrwf.datasets.DeviceRows`). The reference
code labels a fresh batch by CPU ray casting at every step instead (which is what made the paper's
run slow: Table 7's 12.8 it/s); with a pool of 2²⁴ points the paper's 10⁴ × 8192 draws reuse each
point ≈ 5 times.

Test sets (labelled once, with the same method): ``test_size`` points near the surface — the
reference code's "hard" set: a uniformly chosen face, a uniform barycentric point on it, plus
N(0, 0.01²) noise (``--test-source vertices``: perturbed vertices, the paper's wording) — and
``uniform_test_size`` uniform points in the box (the reference code's "easy" set).

Network: MLP with ``depth`` = 7 hidden ReLU layers of ``width`` = 256 (8 dense layers, Table 3 and
the reference code; App. I says 128 channels: ``--width 128``), one output logit; the
parameterization on every dense layer. Input mappings (FFN): Gaussian σ = 12, positional encoding
2⁶ (pinnrwf's σ = 64), m = 256; the features are divided by √m (= 16), the raw input is 2x − 1
(the reference code; ``--raw-features`` turns both off). Loss: the stable sigmoid binary
cross-entropy max(x, 0) − x z + log(1 + e^{−|x|}). Adam 5e-4 with 1000 warm-up steps, × 0.1
every 5000 steps (Table 4; smooth decay as the reference code), 10⁴ steps, batch 8192 (paper).

Metrics: ``iou`` = IoU of {σ(f) > 0.5} with the true inside set on the near-surface test set
(Table 11), and ``iou_uniform`` on the uniform set, every ``eval_every`` steps and at the end.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Bool, Float

from pinnrwf import _validation as check
from pinnrwf._atomic import atomic_path
from pinnrwf._resources import array_bytes, check_memory
from pinnrwf.datasets import DeviceRows
from pinnrwf.nn import RWF
from pinnrwf.problem import AbstractProblem, Option, Preset
from pinnrwf.train import AbstractObjective, Adam, TrainConfig
from pinnrwf.vision import (
    DEFAULT_SCALES,
    LABEL_METHODS,
    MAPPINGS,
    SURFACE_SOURCES,
    bounding_box,
    check_mapping,
    coordinate_network,
    inside_iou,
    load_mesh,
    near_surface_points,
    normalize_mesh,
    occupancy_embedding,
    occupancy_labels,
    predict_logits,
    sigmoid_binary_cross_entropy,
    training_pool,
    uniform_points,
    winding_numbers,
)

MESH_FILES: dict[str, str] = {
    "dragon": "meshes/dragon_22k.ply",
    "armadillo": "meshes/armadillo_50k.obj",
    "lucy": "meshes/lucy_50k.obj",
    "bunny": "meshes/stanford_bunny.obj",
}
SYNTHETIC_MESHES: tuple[str, ...] = ("torus",)  # made in memory (smoke preset, tests)
MESHES: tuple[str, ...] = (*MESH_FILES, *SYNTHETIC_MESHES)


@dataclasses.dataclass(frozen=True)
class OccupancyConfig:
    """The mesh, its point sets and the network (rwf_paper App. I; defaults: the paper preset).

    ``scale`` None: the mapping's default (:data:`~pinnrwf.vision._occupancy.DEFAULT_SCALES`).
    ``grid``: points per axis of the marching-cubes figure; ``slice_resolution``: of the
    cross-sections.
    """

    mesh: str = "dragon"
    mesh_path: str | None = None  # overrides ``mesh``: any mesh file trimesh reads
    data_dir: str = "../shared/data"
    mapping: str = "gauss"
    scale: float | None = None
    num_features: int = 256
    normalize_features: bool = True
    feature_seed: int = 0  # draws B of the Gaussian mapping: one B per run, shared by every member
    width: int = 256
    depth: int = 7  # hidden layers: 8 dense layers in all
    batch_size: int = 8192
    pool_size: int = 2**24
    test_size: int = 2**18
    uniform_test_size: int = 2**18
    test_source: str = "faces"
    noise: float = 0.01
    labels: str = "winding"
    data_seed: int = 0
    grid: int = 96
    slice_resolution: int = 256

    def __post_init__(self):
        check.one_of("mesh", self.mesh, MESHES)
        check_mapping("mapping", self.mapping)
        if self.scale is not None:
            check.positive_number("scale", self.scale)
        for name in ("num_features", "width", "depth", "batch_size", "pool_size", "test_size", "uniform_test_size"):
            check.positive_int(name, getattr(self, name))
        check.positive_int("grid", self.grid, minimum=8)
        check.positive_int("slice_resolution", self.slice_resolution, minimum=8)
        check.one_of("test_source", self.test_source, SURFACE_SOURCES)
        check.positive_number("noise", self.noise, allow_zero=True)
        check.one_of("labels", self.labels, LABEL_METHODS)
        check.seed("data_seed", self.data_seed)
        check.seed("feature_seed", self.feature_seed)
        if self.mapping == "posenc" and self.num_features < 3:
            raise ValueError(f"num_features must be ≥ 3 for posenc (one frequency per axis), got {self.num_features}")

    @property
    def mesh_name(self) -> str:
        return Path(self.mesh_path).stem if self.mesh_path is not None else self.mesh

    @property
    def effective_scale(self) -> float | None:
        return None if self.mapping == "none" else (DEFAULT_SCALES[self.mapping] if self.scale is None else self.scale)


# -------------------------------------------------------------------------------------------- data
def _synthetic_mesh(name: str):
    from pinnrwf.vision._occupancy import _trimesh

    trimesh = _trimesh()
    if name == "torus":  # tilted, so that no face is parallel to the +z rays of ray parity
        mesh = trimesh.creation.torus(major_radius=1.0, minor_radius=0.4, major_sections=48, minor_sections=24)
        mesh.apply_transform(trimesh.transformations.rotation_matrix(0.5, [1.0, 0.3, 0.0]))
        return mesh
    raise ValueError(f"mesh: no synthetic mesh {name!r}")


def mesh_file(config: OccupancyConfig) -> Path:
    """The mesh file of ``config``: ``mesh_path``, else ``data_dir / MESH_FILES[mesh]``."""
    if config.mesh_path is not None:
        return Path(config.mesh_path)
    return Path(config.data_dir) / MESH_FILES[config.mesh]


def normalized_mesh(config: OccupancyConfig):
    """The mesh of ``config``, normalized into [0, 1]³ (clear errors for a missing file)."""
    if config.mesh_path is None and config.mesh in SYNTHETIC_MESHES:
        return normalize_mesh(_synthetic_mesh(config.mesh))
    path = mesh_file(config)
    if not path.exists():
        where = "--mesh-path" if config.mesh_path is not None else f"--data-dir ({config.data_dir})"
        raise ValueError(
            f"mesh: no file at {path}; check {where} (the shared data folder holds {', '.join(MESH_FILES.values())})"
        )
    return normalize_mesh(load_mesh(path))


@dataclasses.dataclass(frozen=True)
class OccupancyData:
    """The normalized mesh, the labelled training pool and the two labelled test sets (host arrays)."""

    mesh: object  # trimesh.Trimesh in [0, 1]³
    pool_points: np.ndarray  # (N, 3)
    pool_inside: np.ndarray  # (N,) bool
    test_points: np.ndarray  # (T, 3) near the surface
    test_inside: np.ndarray
    uniform_points: np.ndarray  # (U, 3)
    uniform_inside: np.ndarray
    pool_seconds: float  # wall time to draw and label the pool
    test_seconds: float


def _data_fields(config: OccupancyConfig) -> tuple:
    return (
        config.mesh,
        config.mesh_path,
        config.data_dir,
        config.pool_size,
        config.test_size,
        config.uniform_test_size,
        config.test_source,
        config.noise,
        config.labels,
        config.data_seed,
    )


def load_data(config: OccupancyConfig) -> OccupancyData:
    """The data of ``config`` (built once per mesh and data settings, then cached in memory)."""
    return _load_data(*_data_fields(config))


@functools.cache
def _load_data(
    mesh_key, mesh_path, data_dir, pool_size, test_size, uniform_test_size, test_source, noise, labels, data_seed
) -> OccupancyData:
    # the pool's points (float64, as drawn) and labels, before the mesh is even read
    check_memory(
        array_bytes((pool_size, 3)) + array_bytes((pool_size,), dtype=bool),
        device=False,
        what=f"pool_size (--pool-size) {pool_size:,} (the labelled pool: {pool_size:,} points × 3 float64 "
        "coordinates and a label)",
    )
    config = OccupancyConfig(mesh=mesh_key, mesh_path=mesh_path, data_dir=data_dir)
    mesh = normalized_mesh(config)
    dtype = np.dtype(jnp.result_type(float))
    start = time.perf_counter()
    pool_points, pool_inside = training_pool(mesh, pool_size, seed=data_seed, method=labels)
    pool_seconds = time.perf_counter() - start
    start = time.perf_counter()
    test = near_surface_points(mesh, test_size, seed=data_seed + 1, noise=noise, source=test_source)
    uniform = uniform_points(mesh, uniform_test_size, seed=data_seed + 2)
    test_inside = occupancy_labels(mesh, test, labels)
    uniform_inside = occupancy_labels(mesh, uniform, labels)
    test_seconds = time.perf_counter() - start
    print(
        f"occupancy: {config.mesh_name} ({len(mesh.vertices):,} vertices, {len(mesh.faces):,} faces): labelled "
        f"{pool_size:,} pool points by {labels} in {pool_seconds:.1f} s ({pool_inside.mean():.1%} inside; batches "
        f"are drawn from the pool on device), {test_size + uniform_test_size:,} test points in {test_seconds:.1f} s"
    )
    return OccupancyData(
        mesh,
        pool_points,
        pool_inside,
        test.astype(dtype),
        test_inside,
        uniform.astype(dtype),
        uniform_inside,
        pool_seconds,
        test_seconds,
    )


# --------------------------------------------------------------------------------------- objective
class OccupancyObjective(AbstractObjective):
    """L(θ) = mean over a minibatch of the sigmoid BCE of f_θ(x) against inside(x) (rwf_paper App. I).

    ``sample`` draws ``batch_size`` rows of the labelled pool on the device; ``metrics`` returns
    ``iou`` (near-surface set) and ``iou_uniform`` (uniform set).
    """

    pool: DeviceRows  # {"x": (N, 3), "inside": (N,) bool}
    test_points: Float[Array, "t 3"]
    test_inside: Bool[Array, " t"]
    uniform_points: Float[Array, "u 3"]
    uniform_inside: Bool[Array, " u"]

    def sample(self, key):
        return self.pool.sample(key)

    def loss_terms(self, model, batch, step):
        logits = jax.vmap(model)(batch["x"])[:, 0]
        return {"bce": jnp.mean(sigmoid_binary_cross_entropy(logits, batch["inside"]))}, {}

    def metrics(self, model):
        return {
            "iou": inside_iou(predict_logits(model, self.test_points), self.test_inside),
            "iou_uniform": inside_iou(predict_logits(model, self.uniform_points), self.uniform_inside),
        }


def make_objective(config: OccupancyConfig) -> OccupancyObjective:
    data = load_data(config)
    pool = DeviceRows({"x": data.pool_points, "inside": data.pool_inside}, config.batch_size)
    return OccupancyObjective(
        pool,
        jnp.asarray(data.test_points),
        jnp.asarray(data.test_inside),
        jnp.asarray(data.uniform_points),
        jnp.asarray(data.uniform_inside),
    )


def make_embedding(config: OccupancyConfig):
    """The input mapping of every member of the run (one Gaussian B, drawn with ``feature_seed``)."""
    key = jax.random.PRNGKey(config.feature_seed) if config.mapping == "gauss" else None
    return occupancy_embedding(
        config.mapping,
        scale=config.effective_scale,
        num_features=config.num_features,
        normalize=config.normalize_features,
        key=key,
    )


# ----------------------------------------------------------------------------------------- figures
_logits = eqx.filter_jit(predict_logits)


def _grid_points(lo, hi, n: int) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    axes = tuple(np.linspace(lo[i], hi[i], n) for i in range(3))
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    return mesh, axes


def _surface(values: np.ndarray, level: float, lo, hi):
    """Marching cubes of a (n, n, n) grid on the box [lo, hi]: (vertices, faces), or None if the
    level set is empty."""
    from skimage.measure import marching_cubes

    values = np.array(values, dtype=np.float64)  # a writable copy (arrays from JAX are read-only)
    if not (values.min() < level < values.max()):
        return None
    spacing = tuple((np.asarray(hi) - np.asarray(lo)) / (np.array(values.shape) - 1))
    verts, faces, _, _ = marching_cubes(values, level, spacing=spacing)
    return verts + np.asarray(lo), faces


def _draw_surface(ax, surface, lo, hi, title: str) -> None:
    """Lambert-shaded triangles, y of the mesh up (Stanford meshes are y-up)."""
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection

    ax.set_title(title, fontsize=9)
    if surface is None:
        ax.text2D(0.5, 0.5, "empty level set", ha="center", transform=ax.transAxes)
    else:
        verts, faces = surface
        tri = verts[faces][..., [0, 2, 1]]  # plot axes (x, z, y): the mesh's y is drawn upwards
        normals = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
        normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
        light = np.array([-0.4, -0.6, 0.7]) / np.linalg.norm([-0.4, -0.6, 0.7])
        shade = 0.25 + 0.75 * np.abs(normals @ light)
        colors = np.clip(shade[:, None] * np.array([0.78, 0.72, 0.60]), 0, 1)
        ax.add_collection3d(Poly3DCollection(tri, facecolors=colors, edgecolors="none", linewidths=0))
    ax.set(xlim=(lo[0], hi[0]), ylim=(lo[2], hi[2]), zlim=(lo[1], hi[1]))
    ax.set_box_aspect((hi[0] - lo[0], hi[2] - lo[2], hi[1] - lo[1]))
    ax.view_init(elev=15, azim=-70)
    ax.set_axis_off()


def plot_shapes(config: OccupancyConfig, data: OccupancyData, results, path: Path) -> tuple[Path, dict]:
    """rwf_paper Fig. 17 style: the learned shape of every parameterization (seed 0; marching cubes
    of f_θ = 0 on a ``grid``³ lattice) beside the true shape (marching cubes of the winding number
    at 0.5 on the same lattice), with the cross-section z = 0.5 of σ(f_θ) and its errors."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lo, hi = bounding_box(data.mesh)
    grid, _ = _grid_points(lo, hi, config.grid)
    dtype = jnp.result_type(float)
    truth = _surface(winding_numbers(data.mesh, grid).reshape((config.grid,) * 3), 0.5, lo, hi)
    r = config.slice_resolution
    sx, sy = np.meshgrid(np.linspace(lo[0], hi[0], r), np.linspace(lo[1], hi[1], r), indexing="xy")
    plane = np.stack([sx.ravel(), sy.ravel(), np.full(sx.size, 0.5)], axis=1)  # the mid-plane z = 0.5
    true_slice = occupancy_labels(data.mesh, plane, config.labels).reshape(r, r)
    names = list(results)
    fig = plt.figure(figsize=(13, 3.6 * (len(names) + 1)), constrained_layout=True)
    extent = (lo[0], hi[0], lo[1], hi[1])
    slice_iou = {}
    for row, name in enumerate([None, *names]):
        ax3 = fig.add_subplot(len(names) + 1, 3, 3 * row + 1, projection="3d")
        ax_p = fig.add_subplot(len(names) + 1, 3, 3 * row + 2)
        ax_e = fig.add_subplot(len(names) + 1, 3, 3 * row + 3)
        if name is None:
            _draw_surface(ax3, truth, lo, hi, f"ground truth ({config.mesh_name}, {config.grid}³ marching cubes)")
            ax_p.imshow(true_slice, origin="lower", extent=extent, cmap="gray", vmin=0, vmax=1)
            ax_p.set(title="true occupancy, slice z = 0.5", xlabel="x", ylabel="y")
            ax_e.axis("off")
            ax_e.text(
                0.02,
                0.5,
                f"mapping: {config.mapping}"
                + (f" (σ = {config.effective_scale:g})" if config.effective_scale else "")
                + f"\nnetwork: {config.depth} × {config.width} ReLU"
                f"\nlabels: {config.labels}; pool {config.pool_size:,} points"
                f"\ntest: {config.test_size:,} near-surface points ({config.test_source})",
                transform=ax_e.transAxes,
                va="center",
                fontsize=10,
            )
            continue
        model = results[name].model(0)
        logits = np.asarray(_logits(model, jnp.asarray(grid, dtype))).reshape((config.grid,) * 3)
        iou = float(np.mean(results[name].final_metrics["iou"]))
        _draw_surface(ax3, _surface(logits, 0.0, lo, hi), lo, hi, f"{name}: learned shape (IoU {iou:.3f})")
        pred = np.asarray(jax.nn.sigmoid(_logits(model, jnp.asarray(plane, dtype)))).reshape(r, r)
        ax_p.imshow(pred, origin="lower", extent=extent, cmap="gray", vmin=0, vmax=1)
        ax_p.set(title=f"{name}: σ(f), slice z = 0.5", xlabel="x", ylabel="y")
        inside = pred > 0.5
        err = np.zeros((r, r, 3))
        err[inside & ~true_slice] = (0.85, 0.1, 0.1)  # false inside: red
        err[~inside & true_slice] = (0.1, 0.3, 0.9)  # false outside: blue
        err[inside & true_slice] = (0.85, 0.85, 0.85)
        union = np.sum(inside | true_slice)
        slice_iou[name] = float(np.sum(inside & true_slice) / union) if union else 1.0
        ax_e.imshow(err, origin="lower", extent=extent)
        ax_e.set(title=f"{name}: errors (red: false in, blue: false out)", xlabel="x", ylabel="y")
    fig.suptitle(f"Occupancy network, {config.mesh_name}, mapping {config.mapping}: learned shapes (seed 0)")
    _save(fig, path)
    return path, slice_iou


def _band(ax, steps, values, label):
    values = np.asarray(values, dtype=float)
    (line,) = ax.plot(steps, values.mean(axis=1), label=label)
    if values.shape[1] > 1:
        ax.fill_between(steps, values.min(axis=1), values.max(axis=1), color=line.get_color(), alpha=0.15)


def plot_curves(config: OccupancyConfig, results, path: Path) -> Path:
    """IoU (near-surface and uniform) and the training loss over the steps, every parameterization
    (mean, min–max over seeds)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.4), constrained_layout=True)
    for name, r in results.items():
        _band(axes[0], r.history["metric_step"], r.history["metrics"]["iou"], name)
        _band(axes[1], r.history["metric_step"], r.history["metrics"]["iou_uniform"], name)
        axes[-1].semilogy(r.history["step"], np.mean(r.history["loss"], axis=1), label=name)
    axes[0].set(xlabel="step", ylabel="IoU", title=f"IoU, {config.test_size:,} near-surface test points")
    axes[1].set(xlabel="step", ylabel="IoU", title=f"IoU, {config.uniform_test_size:,} uniform test points")
    axes[-1].set(xlabel="step", ylabel="BCE (minibatch, mean over seeds)", title="Training loss")
    for ax in axes:
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle(f"Occupancy network, {config.mesh_name}, mapping {config.mapping} (mean, min–max over seeds)")
    _save(fig, path)
    return path


def _save(fig, path: Path) -> None:
    import matplotlib.pyplot as plt

    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=90, format="png")
    plt.close(fig)


# ----------------------------------------------------------------------------------------- problem
RWF_OCCUPANCY = RWF(mean=1.0, std=0.1)  # rwf_paper Table 5: Shape Representation, s ~ N(1, 0.1)


def _adam() -> Adam:
    """rwf_paper Table 4: 5e-4, 1000 warm-up steps, × 0.1 every 5000 steps (smooth, as the reference code)."""
    return Adam(learning_rate=5e-4, decay_rate=0.1, decay_steps=5000, warmup_steps=1000)


class Occupancy(AbstractProblem[OccupancyConfig]):
    """rwf_paper §4.2 / App. I: Table 11 (IoU near the surface) and Fig. 17 (learned shapes)."""

    name = "occupancy"
    description = "3D occupancy network of a mesh (Dragon, Armadillo), IoU on near-surface points"
    presets = {
        # smoke: a torus made in memory, a small network and a low σ, so that 40 steps already lift the IoU above 0
        "smoke": Preset(
            OccupancyConfig(
                mesh="torus",
                scale=3.0,
                width=32,
                depth=2,
                num_features=32,
                batch_size=256,
                pool_size=4096,
                test_size=1024,
                uniform_test_size=512,
                grid=20,
                slice_resolution=48,
            ),
            TrainConfig(steps=40, chunk_steps=20),
            Adam(learning_rate=1e-2, decay_steps=None),
        ),
        # quick: App. I's 128 channels but 4 hidden layers; 3000 steps of 1024 points, the schedule of
        # Table 4 compressed 3.3× (warm-up 300, × 0.1 every 1500 steps)
        "quick": Preset(
            OccupancyConfig(
                width=128,
                depth=4,
                batch_size=1024,
                pool_size=2**20,
                test_size=2**14,
                uniform_test_size=2**13,
                grid=64,
                slice_resolution=160,
            ),
            TrainConfig(steps=3000, seeds=2, chunk_steps=250, eval_every=250),
            Adam(learning_rate=5e-4, decay_rate=0.1, decay_steps=1500, warmup_steps=300),
        ),
        "paper": Preset(
            OccupancyConfig(), TrainConfig(steps=10_000, seeds=2, chunk_steps=500, eval_every=500), _adam()
        ),
    }
    metrics = ("iou", "iou_uniform")
    default_parameterizations = "plain,aa,wn,rwf,wc-row"
    rwf = RWF_OCCUPANCY
    options = (
        Option(
            "mesh",
            "the mesh: dragon, armadillo (Table 11), lucy, bunny (files under --data-dir) or torus (made in memory)",
            choices=MESHES,
        ),
        Option("mesh_path", "any mesh file trimesh reads (overrides --mesh)", type=str),
        Option("data_dir", "folder holding meshes/ (default: ../shared/data)"),
        Option("mapping", "input mapping: none (2x−1), posenc, gauss", choices=MAPPINGS),
        Option("scale", "σ of the mapping (default: gauss 12, posenc 64 = FFN's exponent 6)", type=float),
        Option("num_features", "m: features per sine/cosine (default 256)"),
        Option(
            "normalize_features",
            "do not divide the features by √m nor map raw inputs to 2x−1",
            flag="--raw-features",
            const=False,
        ),
        Option("feature_seed", "seed of the Gaussian mapping's B (one per run)"),
        Option("width", "neurons per hidden layer (paper preset 256 as Table 3; App. I says 128)"),
        Option("depth", "hidden layers (paper preset 7: 8 dense layers)"),
        Option("batch_size", "pool points per step (paper 8192; the reference code 32768)"),
        Option("pool_size", "labelled training points, labelled once (paper preset 2^24)"),
        Option("test_size", "near-surface test points (paper 2^18)"),
        Option("uniform_test_size", "uniform test points in the box (paper 2^18)"),
        Option(
            "test_source",
            "near-surface points from faces (reference code) or vertices (paper text)",
            choices=SURFACE_SOURCES,
        ),
        Option("noise", "std of the near-surface perturbation (0.01)"),
        Option("labels", "inside test: winding (winding number > 0.5) or ray (ray parity)", choices=LABEL_METHODS),
        Option("data_seed", "seed of the pool and the test points"),
        Option("grid", "marching-cubes lattice of the figure (points per axis)"),
    )

    def objective(self, config, train):
        return make_objective(config)

    def init_model(self, config, parameterization):
        return coordinate_network(
            1, config.width, config.depth, parameterization, make_embedding(config), mapping=config.mapping
        )

    def report(self, config, results, out_dir):
        """Both figures; extras: the labelling times, the IoU of the figure's mid-plane slice (seed 0)
        and, per parameterization, steps/s and ``pool_label_seconds_in_steps`` = how many training
        steps the one-off labelling of the pool costs (pool_label_seconds × steps/s)."""
        data = load_data(config)
        stem = f"occupancy_{config.mesh_name}_{config.mapping}"
        shapes, slice_iou = plot_shapes(config, data, results, Path(out_dir) / f"{stem}_shapes.png")
        curves = plot_curves(config, results, Path(out_dir) / f"{stem}_iou.png")
        cost = {}
        for name, r in results.items():
            rate = r.steps_per_second
            cost[name] = {
                "steps_per_second": None if not np.isfinite(rate) else rate,
                "pool_label_seconds_in_steps": None if not np.isfinite(rate) else data.pool_seconds * rate,
            }
        return {
            "figures": [str(shapes), str(curves)],
            "pool_label_seconds": data.pool_seconds,
            "test_label_seconds": data.test_seconds,
            "pool_size": config.pool_size,
            "inside_fraction_pool": float(data.pool_inside.mean()),
            "slice_iou_seed0": slice_iou,
            "cost": cost,
        }


__all__ = [
    "MESH_FILES",
    "MESHES",
    "OccupancyConfig",
    "OccupancyData",
    "OccupancyObjective",
    "Occupancy",
    "load_data",
    "make_objective",
    "make_embedding",
    "normalized_mesh",
    "plot_shapes",
    "plot_curves",
]
