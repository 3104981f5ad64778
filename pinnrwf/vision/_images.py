"""2D image regression (rwf_paper §4.1, App. G; Tancik et al. 2020, "2D image" experiment).

- :func:`load_image` (Pillow): an RGB image as float32 ``(H, W, 3)`` in [0, 1] (8-bit and 16-bit
  files; greyscale promoted to RGB, alpha dropped); :func:`load_grayscale`: a greyscale image or a
  2-D ``.npy`` array as float64 ``(H, W)`` in [0, 1] (colour refused); :func:`load_rgba`: 8-bit
  RGBA (a missing alpha is opaque);
- :func:`centre_square`: the largest centred square of an image (user images of any aspect);
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
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import equinox as eqx
import jax
import numpy as np
from jaxtyping import Array, Float

from pinnrwf._validation import integer
from pinnrwf._validation import seed as check_seed

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


def _check_float_image(name: str, image) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(f"{name} must be an image of shape (H, W) or (H, W, C), got shape {image.shape}")
    if image.dtype.kind != "f":
        raise ValueError(f"{name} must hold floats in [0, 1], got dtype {image.dtype}")
    return image


def _check_rgb(name: str, image) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"{name} must be an RGB image of shape (H, W, 3), got shape {image.shape}")
    if image.dtype.kind != "f":
        raise ValueError(f"{name} must hold floats in [0, 1], got dtype {image.dtype}")
    return image


SIXTEEN_BIT_MODES = ("I;16", "I;16L", "I;16B", "I;16N")  # Pillow's 16-bit greyscale modes
_GREY_MODES = ("1", "L", "LA")  # 1- and 8-bit greyscale (alpha dropped)


def _checked_file(name: str, path: str | Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{name}: no image file at {path}")
    return path


def _sixteen_bit_grey(name: str, path: Path, values: np.ndarray, mode: str) -> Float[np.ndarray, "h w 1"]:
    """16-bit greyscale pixels (``I;16*``, or ``I`` holding values in [0, 65535], as Pillow opens a
    16-bit PNG) as float32 ``(H, W, 1)``: values / 65535."""
    if mode == "I" and values.size and (values.min() < 0 or values.max() > 65535):
        raise ValueError(
            f"{name}: {path} is a 32-bit integer image with values outside [0, 65535]; only 8- and "
            "16-bit images are supported"
        )
    return (values.astype(np.float32) / np.float32(65535.0))[..., None]


def _read_pixels(name: str, path: Path) -> Float[np.ndarray, "h w c"]:
    """The pixels of an image file as float32 ``(H, W, 1)`` (greyscale) or ``(H, W, 3)`` (colour) in
    [0, 1]: 8-bit values / 255, 16-bit greyscale values / 65535. Alpha is dropped; palette and other
    colour modes are converted to RGB by Pillow (16-bit colour PNGs arrive at Pillow's 8 bits)."""
    Image, _, _ = _pillow()
    try:
        with Image.open(path) as img:
            mode = img.mode
            if mode in (*SIXTEEN_BIT_MODES, "I"):
                pixels = np.asarray(img, dtype=np.int64)
            elif mode == "F":
                pixels = None
            elif mode in _GREY_MODES:
                pixels = np.asarray(img.convert("L"), dtype=np.uint8)[..., None]
            else:
                pixels = np.asarray(img.convert("RGB"), dtype=np.uint8)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:  # UnidentifiedImageError: OSError
        raise ValueError(f"{name}: {path} is not an image Pillow can read ({_one_line(err)})") from None
    if pixels is None:
        raise ValueError(
            f"{name}: {path} is a 32-bit float ('F') image; only 8- and 16-bit images are supported "
            "(save float data as a 2-D .npy array where a .npy is accepted)"
        )
    if mode in (*SIXTEEN_BIT_MODES, "I"):
        return _sixteen_bit_grey(name, path, pixels, mode)
    return pixels.astype(np.float32) / np.float32(255.0)


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def load_image(
    path: str | Path, *, shape: tuple[int, int] | None = None, name: str = "path"
) -> Float[np.ndarray, "h w 3"]:
    """An image file as float32 ``(H, W, 3)`` RGB in [0, 1], read with Pillow.

    8-bit files: values / 255; 16-bit greyscale files: values / 65535 (16-bit colour PNGs are read at
    Pillow's 8 bits per channel). Greyscale is promoted to RGB (three equal channels); palette,
    CMYK, … are converted to RGB; alpha is dropped (the colour channels as stored). ``shape``: the
    ``(H, W)`` the image must have. ``name``: how errors name the path (e.g. an option,
    ``"--image-path"``).

    Raises:
        ValueError: no file at ``path``; not an image Pillow can read; a float or 32-bit image; not
            of ``shape``.
    """
    path = _checked_file(name, path)
    want = None if shape is None else _check_shape("shape", shape)
    pixels = _read_pixels(name, path)
    if want is not None and pixels.shape[:2] != want:
        raise ValueError(f"{name}: {path} has shape {pixels.shape[:2]} (H, W), expected {want}")
    return np.repeat(pixels, 3, axis=2) if pixels.shape[2] == 1 else pixels


def load_grayscale(path: str | Path, *, name: str = "path") -> Float[np.ndarray, "h w"]:
    """A greyscale image as float64 ``(H, W)`` in [0, 1].

    ``.npy`` files (read without pickle): a 2-D real array, finite and ≥ 0, divided by its maximum.
    Image files (Pillow): 8-bit values / 255, 16-bit values / 65535; an RGB file whose three
    channels are equal counts as greyscale; alpha is dropped. ``name``: how errors name the path.

    Raises:
        ValueError: no file; unreadable; a colour image (channels differ); a ``.npy`` that is not a
            finite, non-negative 2-D real array with a positive maximum.
    """
    path = _checked_file(name, path)
    if path.suffix.lower() == ".npy":
        return _load_npy_plane(name, path)
    pixels = _read_pixels(name, path)
    if pixels.shape[2] == 3 and not (
        np.array_equal(pixels[..., 0], pixels[..., 1]) and np.array_equal(pixels[..., 0], pixels[..., 2])
    ):
        raise ValueError(
            f"{name}: {path} is a colour image (its RGB channels differ); a greyscale image is "
            "expected: convert it first, e.g. PIL.Image.open(path).convert('L').save(...)"
        )
    return pixels[..., 0].astype(np.float64)


def _load_npy_plane(name: str, path: Path) -> Float[np.ndarray, "h w"]:
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as err:
        raise ValueError(
            f"{name}: {path} is not a .npy array numpy can read without pickle ({_one_line(err)})"
        ) from None
    if not isinstance(array, np.ndarray) or array.ndim != 2 or array.dtype.kind not in "iuf":
        what = f"shape {array.shape}, dtype {array.dtype}" if isinstance(array, np.ndarray) else type(array).__name__
        raise ValueError(f"{name}: {path} must hold a 2-D real array (H, W), got {what}")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)) or array.min() < 0 or not array.max() > 0:
        raise ValueError(
            f"{name}: {path} must hold finite values ≥ 0 with a positive maximum (it is divided by "
            f"its maximum), got min {array.min()} and max {array.max()}"
        )
    return array / array.max()


def load_npz(path: str | Path, keys: Sequence[str], *, name: str = "path") -> dict[str, np.ndarray]:
    """The arrays ``keys`` of the ``.npz`` archive at ``path``, read whole, never unpickled.

    Raises:
        ValueError naming ``name`` and the file: no file; not an archive numpy reads without pickle
            (truncated, not a zip, an array of Python objects); an array of ``keys`` missing.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{name}: no file at {path}")
    try:
        with np.load(path, allow_pickle=False) as archive:
            files = list(getattr(archive, "files", ()))  # (a single .npy has none)
            arrays = {key: np.asarray(archive[key]) for key in keys if key in files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as err:
        raise ValueError(
            f"{name}: {path} is not a .npz archive numpy can read without pickle ({_one_line(err)})"
        ) from None
    missing = sorted(set(keys) - set(arrays))
    if missing:
        raise ValueError(f"{name}: {path} lacks the arrays {missing} (has {sorted(files)})")
    return arrays


def load_rgba(path: str | Path, *, name: str = "path") -> Float[np.ndarray, "h w 4"]:
    """An 8-bit image file as float32 ``(H, W, 4)`` straight-alpha RGBA in [0, 1] (values / 255);
    files without alpha are opaque, greyscale is promoted to RGB (Pillow's ``convert("RGBA")``).

    Raises:
        ValueError: no file at ``path``; not an image Pillow can read as RGBA.
    """
    Image, _, _ = _pillow()
    path = _checked_file(name, path)
    try:
        with Image.open(path) as img:
            if img.mode in (*SIXTEEN_BIT_MODES, "I", "F"):
                raise ValueError(f"a {img.mode!r} (16-bit or float greyscale) image; 8-bit RGB(A) is expected")
            rgba = np.asarray(img.convert("RGBA"), dtype=np.uint8)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        raise ValueError(f"{name}: {path} is not an image Pillow can read as RGBA ({_one_line(err)})") from None
    return rgba.astype(np.float32) / np.float32(255.0)


def centre_square(image: Float[np.ndarray, "h w ..."]) -> Float[np.ndarray, "s s ..."]:
    """The largest centred square of ``image`` ``(H, W, ...)``: side s = min(H, W), rows
    ``(H − s) // 2`` … and columns ``(W − s) // 2`` … (a square image is returned as it is)."""
    image = np.asarray(image)
    if image.ndim < 2:
        raise ValueError(f"image must have shape (H, W, ...), got {image.shape}")
    h, w = image.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    return image[top : top + side, left : left + side]


def downsample(image: Float[np.ndarray, "h w ..."], size: tuple[int, int]) -> Float[np.ndarray, "hs ws ..."]:
    """``image`` ``(H, W)`` or ``(H, W, C)`` resized to ``size`` = (H', W') with Pillow's box filter,
    channel by channel in float32 (an exact mean of k × k blocks when the sides divide by k).
    Upsampling is refused."""
    Image, _, _ = _pillow()
    image = _check_float_image("image", image)
    h, w = _check_shape("size", size)
    if h > image.shape[0] or w > image.shape[1]:
        raise ValueError(f"size {size} must not exceed the image's {image.shape[:2]} (downsampling only)")
    if (h, w) == image.shape[:2]:
        return image.astype(np.float32)
    planes = image[..., None] if image.ndim == 2 else image
    channels = [
        np.asarray(
            Image.fromarray(np.ascontiguousarray(planes[..., c], np.float32)).resize((w, h), Image.Resampling.BOX)
        )
        for c in range(planes.shape[2])
    ]
    out = np.stack(channels, axis=-1).astype(np.float32)
    return out[..., 0] if image.ndim == 2 else out


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
        train_coords=grid[::2, ::2].reshape(-1, 2),
        train_rgb=image[::2, ::2].reshape(-1, 3).astype(np.float32),
        full_coords=grid.reshape(-1, 2),
        full_rgb=image.reshape(-1, 3).astype(np.float32),
        train_index=train_index,
        heldout_index=index[1::2, 1::2].ravel(),
        shape=(h, w),
    )


# ----------------------------------------------------------------------------------- Text set
TEXT_FONTS = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSerif-Bold.ttf",
    "DejaVuSerif-Italic.ttf",
    "DejaVuSansMono.ttf",
    "DejaVuSansMono-Bold.ttf",
)
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
    words = ["".join(rng.choice(list(_ALPHABET), size=int(rng.integers(2, 9)))) for _ in range(int(rng.integers(1, 4)))]
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


__all__ = [
    "ImageSplit",
    "SIXTEEN_BIT_MODES",
    "SigmoidOutput",
    "TEXT_FONTS",
    "centre_square",
    "downsample",
    "image_grid",
    "load_grayscale",
    "load_image",
    "load_rgba",
    "split_image",
    "text_image",
    "text_images",
]
