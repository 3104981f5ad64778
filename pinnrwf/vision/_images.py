"""2D image regression (rwf_paper §4.1, App. G; Tancik et al. 2020, "2D image" experiment).

- :func:`load_image` (Pillow): an RGB image as float32 ``(H, W, 3)`` in [0, 1];
- :func:`downsample`: Pillow's box filter to a smaller size (the quick presets' reduced resolution);
- :func:`image_grid`: pixel coordinates in [0, 1)², FFN's ``meshgrid(linspace(0, 1, n, endpoint=False))``;
- :func:`split_image`: the training pixels ``image[::2, ::2]`` and the two test sets, the full
  image (the paper's statement: "PSNR in the full resolution test images") and the held-out
  quarter ``image[1::2, 1::2]`` (the reference code's test set);
- :func:`text_image` / :func:`text_images`: the *Text* data set regenerated procedurally (its
  generator is not public): random strings in random DejaVu fonts (shipped with matplotlib),
  sizes and colours on white, rendered with Pillow; seeded;
- :class:`SigmoidOutput`: the network head x ↦ sigmoid(f(x)) of the reference code (RGB in (0, 1)).

Pillow is imported inside the functions that use it (``pip install "pinnrwf[vision]"``).
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import NamedTuple

import equinox as eqx
import jax
import numpy as np
from jaxtyping import Array, Float

from pinnrwf._validation import integer, seed as check_seed

_VISION_EXTRA = 'pip install "pinnrwf[vision]"'


def _pillow():
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError as err:  # pragma: no cover - Pillow is installed in the test environment
        raise ImportError(f"image loading and text rendering need Pillow: {_VISION_EXTRA}") from err
    return Image, ImageDraw, ImageFont


def _check_shape(name: str, shape) -> tuple[int, int]:
    if not (isinstance(shape, tuple | list) and len(shape) == 2):
        raise ValueError(f"{name} must be a (height, width) pair, got {shape!r}")
    return integer(f"{name}[0]", shape[0], minimum=1), integer(f"{name}[1]", shape[1], minimum=1)


def _check_rgb(name: str, image) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"{name} must be an RGB image of shape (H, W, 3), got shape {image.shape}")
    if image.dtype.kind != "f":
        raise ValueError(f"{name} must hold floats in [0, 1], got dtype {image.dtype}")
    return image


def load_image(path: str | Path, *, shape: tuple[int, int] | None = None) -> Float[np.ndarray, "h w 3"]:
    """An image file as float32 ``(H, W, 3)`` RGB in [0, 1] (uint8 values / 255), read with Pillow.

    Greyscale, palette and RGBA files are converted to RGB (alpha is dropped). ``shape``: the
    ``(H, W)`` the image must have.

    Raises:
        ValueError: no file at ``path``; not an image Pillow can read or convert to RGB; a
            16-bit or float image (only 8-bit images are supported); not of ``shape``.
    """
    Image, _, _ = _pillow()
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path: no image file at {path}")
    want = None if shape is None else _check_shape("shape", shape)
    try:
        with Image.open(path) as img:
            if img.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
                raise ValueError(f"path: {path} is a {img.mode!r} (16-bit or float) image; only 8-bit images "
                                 "(RGB, RGBA, L, P) are supported")
            rgb = np.asarray(img.convert("RGB"), dtype=np.uint8)
    except (OSError, SyntaxError) as err:  # PIL.UnidentifiedImageError is an OSError
        raise ValueError(f"path: {path} is not an image Pillow can read as RGB ({err})") from None
    if want is not None and rgb.shape[:2] != want:
        raise ValueError(f"path: {path} has shape {rgb.shape[:2]} (H, W), expected {want}")
    return rgb.astype(np.float32) / np.float32(255.0)


def downsample(image: Float[np.ndarray, "h w 3"], size: tuple[int, int]) -> Float[np.ndarray, "hs ws 3"]:
    """``image`` resized to ``size`` = (H', W') with Pillow's box filter, channel by channel in
    float32 (an exact mean of k × k blocks when the sides divide by k). Upsampling is refused."""
    Image, _, _ = _pillow()
    image = _check_rgb("image", image)
    h, w = _check_shape("size", size)
    if h > image.shape[0] or w > image.shape[1]:
        raise ValueError(f"size {size} must not exceed the image's {image.shape[:2]} (downsampling only)")
    if (h, w) == image.shape[:2]:
        return image.astype(np.float32)
    channels = [np.asarray(Image.fromarray(np.ascontiguousarray(image[..., c], np.float32))
                           .resize((w, h), Image.Resampling.BOX)) for c in range(3)]
    return np.stack(channels, axis=-1).astype(np.float32)


def image_grid(height: int, width: int) -> Float[np.ndarray, "h w 2"]:
    """Pixel coordinates (x, y) = (j / W, i / H) of pixel (row i, column j), in [0, 1)², float32.

    As FFN: ``coords = linspace(0, 1, n, endpoint=False); meshgrid(coords, coords)``, so channel
    0 runs along the columns and channel 1 down the rows.
    """
    height, width = integer("height", height, minimum=1), integer("width", width, minimum=1)
    x = np.arange(width, dtype=np.float32) / np.float32(width)
    y = np.arange(height, dtype=np.float32) / np.float32(height)
    return np.stack(np.meshgrid(x, y), axis=-1)


class ImageSplit(NamedTuple):
    """Flattened pixels of one image: coordinates ``(n, 2)`` and RGB ``(n, 3)`` per set.

    ``train``: ``[::2, ::2]`` (every other pixel: the image downsampled by 2, as FFN and the
    paper); ``full``: every pixel (the paper's test set); ``heldout_index``: the positions of
    ``[1::2, 1::2]`` (FFN's test set, never seen in training) in the flattened full image;
    ``train_index``: those of the training pixels.
    """

    train_coords: np.ndarray
    train_rgb: np.ndarray
    full_coords: np.ndarray
    full_rgb: np.ndarray
    train_index: np.ndarray
    heldout_index: np.ndarray
    shape: tuple[int, int]


def split_image(image: Float[np.ndarray, "h w 3"]) -> ImageSplit:
    """The training set (even rows and columns) and test sets of ``image`` (see :class:`ImageSplit`)."""
    image = _check_rgb("image", image)
    h, w = image.shape[:2]
    if h < 2 or w < 2:
        raise ValueError(f"image must be at least 2 × 2 pixels to split, got {h} × {w}")
    grid = image_grid(h, w)
    index = np.arange(h * w).reshape(h, w)
    train_index = index[::2, ::2].ravel()
    return ImageSplit(
        train_coords=grid[::2, ::2].reshape(-1, 2), train_rgb=image[::2, ::2].reshape(-1, 3).astype(np.float32),
        full_coords=grid.reshape(-1, 2), full_rgb=image.reshape(-1, 3).astype(np.float32),
        train_index=train_index, heldout_index=index[1::2, 1::2].ravel(), shape=(h, w),
    )


# ----------------------------------------------------------------------------------- Text set
TEXT_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSerif.ttf",
              "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf")
_ALPHABET = string.ascii_letters + string.digits


def _font_paths() -> tuple[Path, ...]:
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    paths = tuple(folder / name for name in TEXT_FONTS)
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"the DejaVu fonts {missing} are missing from matplotlib's data folder {folder}")
    return paths


def _random_string(rng: np.random.Generator) -> str:
    words = [
        "".join(rng.choice(list(_ALPHABET), size=int(rng.integers(2, 9))))
        for _ in range(int(rng.integers(1, 4)))
    ]
    return " ".join(words)


def text_image(index: int, size: int = 512, *, seed: int = 0) -> Float[np.ndarray, "size size 3"]:
    """Image ``index`` of the regenerated *Text* data set: float32 ``(size, size, 3)`` in [0, 1].

    On a white canvas, 8–15 strings (1–3 random words of 2–8 letters and digits) are drawn in a
    font drawn from :data:`TEXT_FONTS` (DejaVu, shipped with matplotlib), a font size uniform in
    [size/32, size/6] pixels, a uniform random RGB colour whose luminance is below 0.8 (readable on
    white) and a random position (strings may overlap and run off the right edge, as in the
    reference data). The random draws come from ``numpy.random.default_rng((seed, index))``, so
    image ``index`` is the same whatever the number of images generated; rendering uses Pillow's
    FreeType antialiasing, identical run after run for a given Pillow/FreeType build.
    """
    Image, ImageDraw, ImageFont = _pillow()
    index = integer("index", index, minimum=0)
    size = integer("size", size, minimum=16)
    seed = check_seed("seed", seed)
    fonts = _font_paths()
    rng = np.random.default_rng((seed, index))
    canvas = Image.new("RGB", (size, size), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    for _ in range(int(rng.integers(8, 16))):
        font_size = int(rng.integers(max(size // 32, 4), max(size // 6, 5) + 1))
        font = ImageFont.truetype(str(fonts[int(rng.integers(len(fonts)))]), font_size)
        while True:  # a colour readable on white: Rec. 601 luminance below 0.8
            colour = rng.integers(0, 256, size=3)
            if (0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]) / 255 < 0.8:
                break
        x = int(rng.integers(0, max(int(0.75 * size), 1)))
        y = int(rng.integers(-font_size // 4, max(size - font_size, 1)))
        draw.text((x, y), _random_string(rng), fill=tuple(int(c) for c in colour), font=font)
    return np.asarray(canvas, dtype=np.float32) / np.float32(255.0)


def text_images(n: int, size: int = 512, *, seed: int) -> Float[np.ndarray, "n size size 3"]:
    """``n`` images of the regenerated *Text* data set (:func:`text_image` 0..n−1), float32 in [0, 1]."""
    n = integer("n", n, minimum=1)
    return np.stack([text_image(i, size, seed=seed) for i in range(n)])


# ----------------------------------------------------------------------------------- network head
class SigmoidOutput(eqx.Module):
    """x ↦ sigmoid(network(x)): the reference code's output head, RGB values in (0, 1).

    ``network`` is any single-example module (e.g. :class:`pinnrwf.nn.MLP` or
    :func:`pinnrwf.nn.siren`); ``__call__``: ``(in,) -> (out,)``, batch with ``jax.vmap``.
    """

    network: eqx.Module

    def __call__(self, x: Float[Array, " in"]) -> Float[Array, " out"]:
        return jax.nn.sigmoid(self.network(x))


__all__ = ["ImageSplit", "SigmoidOutput", "TEXT_FONTS", "downsample", "image_grid", "load_image", "split_image",
           "text_image", "text_images"]
