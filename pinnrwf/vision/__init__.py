"""Coordinate networks for vision and graphics (rwf_paper §4.1–4.4, App. G–J; Tancik et al. 2020).

- metrics: :func:`psnr`, :func:`iou`;
- input mappings: :func:`coordinate_embedding` (``"none"``, ``"posenc"``, ``"gauss"``);
- the network of every task: :func:`coordinate_network` (ReLU MLP of Table 3, or SIREN for the
  ω0 study :func:`siren_study`, Fig. 11 and 16);
- images (2D image regression), CT (Shepp–Logan phantoms, parallel-beam projections), occupancy
  (mesh loading, inside tests, near-surface test sets) and NeRF (rays, stratified samples, volume
  rendering).

Optional dependencies (Pillow, trimesh, libigl, scikit-image) are imported where they are used:
install them with ``pip install "pinnrwf[vision]"``.
"""

from ._coordinates import MAPPINGS, check_mapping, coordinate_embedding
from ._ct import MODIFIED_SHEPP_LOGAN, pixel_centres, project, projection_angles, shepp_logan

# Each task adds its public names below (one line per task module).
from ._images import (
    ImageSplit,
    SigmoidOutput,
    centre_square,
    downsample,
    image_grid,
    load_grayscale,
    load_image,
    load_npz,
    load_rgba,
    split_image,
    text_image,
    text_images,
)
from ._metrics import iou, psnr
from ._nerf import (  # [nerf]
    BLENDER_SPLITS,
    BlenderViews,
    RadianceField,
    Rendering,
    camera_rays,
    composite,
    load_blender_scene,
    load_blender_split,
    look_at,
    over_background,
    render_rays,
    render_rays_in_blocks,
    stratified_samples,
)
from ._networks import SIREN_OMEGAS, coordinate_network, plot_siren, siren_omegas, siren_study
from ._occupancy import (
    BOX_MARGIN,
    DEFAULT_SCALES,
    LABEL_METHODS,
    SURFACE_SOURCES,
    AffineEmbedding,
    bounding_box,
    inside_iou,
    load_mesh,
    near_surface_points,
    normalize_mesh,
    occupancy_embedding,
    occupancy_labels,
    predict_logits,
    ray_parity,
    sigmoid_binary_cross_entropy,
    training_pool,
    uniform_points,
    winding_numbers,
)

__all__ = [
    "MAPPINGS",
    "check_mapping",
    "coordinate_embedding",
    "MODIFIED_SHEPP_LOGAN",
    "pixel_centres",
    "project",
    "projection_angles",
    "shepp_logan",
    "ImageSplit",
    "SigmoidOutput",
    "centre_square",
    "downsample",
    "image_grid",
    "load_grayscale",
    "load_image",
    "load_npz",
    "load_rgba",
    "split_image",
    "text_image",
    "text_images",
    "iou",
    "psnr",
    "BLENDER_SPLITS",
    "BlenderViews",
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
    "SIREN_OMEGAS",
    "coordinate_network",
    "plot_siren",
    "siren_omegas",
    "siren_study",
    "BOX_MARGIN",
    "DEFAULT_SCALES",
    "LABEL_METHODS",
    "SURFACE_SOURCES",
    "AffineEmbedding",
    "bounding_box",
    "inside_iou",
    "load_mesh",
    "near_surface_points",
    "normalize_mesh",
    "occupancy_embedding",
    "occupancy_labels",
    "predict_logits",
    "ray_parity",
    "sigmoid_binary_cross_entropy",
    "training_pool",
    "uniform_points",
    "winding_numbers",
]
