"""HDF5 dataset layout, atomic writer and validating reader.

One file per dataset. Layout (names follow PDEBench where it costs nothing):

=================  ==========================  ==================================================
dataset            shape                       meaning
=================  ==========================  ==================================================
``tensor``         (N, nt, nx) or (N, nx, ny)  solution u (advection, diffusion-reaction, Burgers,
                                               Darcy); PDEBench's name
``Vx``, ``Vy``,    (N, nx, ny)                 cavity velocity and pressure (PDEBench 2D-CFD names)
``pressure``
``x-coordinate``   (nx,)                       grid coordinates (PDEBench names)
``y-coordinate``   (ny,)
``t-coordinate``   (nt,)                       output times (PDEBench stores nt + 1 bin edges in
                                               some files; here exactly the nt output times)
``u0``             (N, nx)                     initial condition (advection, Burgers)
``source``         (N, nx)                     a(x) of diffusion–reaction (hard link ``a``)
``nu``             (N, nx, ny)                 Darcy coefficient a (PDEBench's name; hard link ``a``)
``re``             (N,)                        cavity Reynolds numbers
=================  ==========================  ==================================================

Every dataset carries an ``axes`` attribute (e.g. ``"sample,t,x"``); 2D fields are indexed
``[..., i, j]`` = value at (x_i, y_j). Root attributes: ``format`` (``"pinnrwf-dataset"``),
``format_version``, ``problem``, ``pde``, ``parameters`` (JSON), ``solver``, ``resolution``
(JSON), ``seed``, ``n_samples``, ``pinnrwf_version``, ``created_utc``, ``generation_seconds``
and, written last, ``complete = True``.

Writes are atomic: data goes to a hidden temporary file in the destination folder, which is
flushed, fsync'ed and ``os.replace``'d onto the destination only after every sample was written
and the completion marker set. An interrupted generation leaves at most a ``.*.tmp`` file without
the marker, which the reader refuses. Datasets are chunked, gzip-compressed, shuffled and
Fletcher-32 checksummed, so corrupted chunks are reported on read.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

import h5py
import numpy as np

FORMAT = "pinnrwf-dataset"
FORMAT_VERSION = 1
COMPLETE_ATTR = "complete"


class DatasetError(ValueError):
    """A file that is not a complete, well-formed pinnrwf dataset."""


@dataclass(frozen=True)
class Layout:
    """Which datasets a problem's file holds, with their axis names (leading ``sample``)."""

    fields: Mapping[str, tuple[str, ...]]  # per-sample arrays, axes after "sample"
    coordinates: tuple[str, ...]  # e.g. ("t", "x")
    links: Mapping[str, str] = field(default_factory=dict)  # alias -> dataset (hard links)


COORDINATE_NAMES = {"x": "x-coordinate", "y": "y-coordinate", "t": "t-coordinate"}

LAYOUTS: dict[str, Layout] = {
    "advection": Layout({"tensor": ("t", "x"), "u0": ("x",)}, ("t", "x")),
    "diffusion-reaction": Layout({"tensor": ("t", "x"), "source": ("x",)}, ("t", "x"), {"a": "source"}),
    "darcy": Layout({"tensor": ("x", "y"), "nu": ("x", "y")}, ("x", "y"), {"a": "nu"}),
    "burgers": Layout({"tensor": ("t", "x"), "u0": ("x",)}, ("t", "x")),
    "ldc": Layout({"Vx": ("x", "y"), "Vy": ("x", "y"), "pressure": ("x", "y"), "re": ()}, ("x", "y")),
}

REQUIRED_ATTRS = ("format", "format_version", "problem", "pde", "parameters", "solver", "resolution", "seed",
                  "n_samples", "pinnrwf_version", "created_utc", COMPLETE_ATTR)


def _version() -> str:
    try:
        import pinnrwf

        return str(pinnrwf.__version__)
    except Exception:  # pragma: no cover - the package is importable whenever this module is
        return "unknown"


def _chunks(shape: tuple[int, ...]) -> tuple[int, ...]:
    """About 1 MiB chunks along the sample axis, whole samples per chunk."""
    per_sample = int(np.prod(shape[1:], dtype=np.int64)) * 8 or 8
    rows = int(max(1, min(shape[0], (1 << 20) // per_sample)))
    return (rows,) + tuple(shape[1:])


class DatasetWriter:
    """Streams one dataset into a temporary file and publishes it atomically on success.

    Usage::

        with DatasetWriter(path, "burgers", n_samples=N, coordinates={...}, attrs={...}) as w:
            w.write(start, {"tensor": u_batch, "u0": u0_batch})

    ``attrs`` must provide ``pde``, ``parameters`` (a mapping, stored as JSON), ``solver``,
    ``resolution`` (mapping) and ``seed``; format, version, time stamps and the completion
    marker are added here.
    """

    def __init__(self, path: str | os.PathLike, problem: str, *, n_samples: int,
                 coordinates: Mapping[str, np.ndarray], attrs: Mapping[str, Any], overwrite: bool = True):
        if problem not in LAYOUTS:
            raise ValueError(f"problem must be one of {sorted(LAYOUTS)}, got {problem!r}")
        if int(n_samples) < 1:
            raise ValueError(f"n_samples must be >= 1, got {n_samples!r}")
        self.path = Path(path)
        if self.path.exists() and not overwrite:
            raise FileExistsError(f"{self.path} exists (pass overwrite=True / --overwrite to replace it)")
        self.problem, self.layout, self.n = problem, LAYOUTS[problem], int(n_samples)
        missing = [k for k in ("pde", "parameters", "solver", "resolution", "seed") if k not in attrs]
        if missing:
            raise ValueError(f"attrs is missing {missing}")
        self.coordinates = {k: np.asarray(coordinates[k], dtype=np.float64) for k in self.layout.coordinates
                            if k in coordinates}
        if set(self.coordinates) != set(self.layout.coordinates):
            raise ValueError(f"coordinates must give {self.layout.coordinates}, got {sorted(coordinates)}")
        self.attrs = dict(attrs)
        self._written = np.zeros(self.n, dtype=bool)
        self._file: h5py.File | None = None
        self._tmp: str | None = None
        self._t0 = time.perf_counter()

    def _shape(self, name: str) -> tuple[int, ...]:
        return (self.n,) + tuple(self.coordinates[a].size for a in self.layout.fields[name])

    def __enter__(self) -> "DatasetWriter":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        os.close(fd)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self._tmp, 0o666 & ~umask)  # mkstemp creates 0600; publish with the usual mode
        f = self._file = h5py.File(self._tmp, "w")
        for axis, values in self.coordinates.items():
            d = f.create_dataset(COORDINATE_NAMES[axis], data=values)
            d.attrs["axes"] = axis
        for name in self.layout.fields:
            shape = self._shape(name)
            d = f.create_dataset(name, shape=shape, dtype="f8", chunks=_chunks(shape), compression="gzip",
                                 compression_opts=4, shuffle=True, fletcher32=True)
            d.attrs["axes"] = ",".join(("sample",) + self.layout.fields[name])
        for alias, target in self.layout.links.items():
            f[alias] = f[target]  # hard link: the same data under a second name, no copy
        return self

    def write(self, start: int, arrays: Mapping[str, np.ndarray]) -> None:
        """Write samples ``start : start + len(batch)`` of every field of the layout."""
        if self._file is None:
            raise RuntimeError("DatasetWriter.write must be called inside the `with` block")
        if set(arrays) != set(self.layout.fields):
            raise ValueError(f"a batch must give exactly {sorted(self.layout.fields)}, got {sorted(arrays)}")
        stop = None
        for name, value in arrays.items():
            value = np.asarray(value, dtype=np.float64)
            shape = self._shape(name)
            if value.shape[1:] != shape[1:]:
                raise ValueError(f"{name}: per-sample shape must be {shape[1:]}, got {value.shape[1:]}")
            if not np.all(np.isfinite(value)):
                raise ValueError(f"{name}: non-finite values in samples from {start}")
            stop_i = start + value.shape[0]
            if stop is not None and stop_i != stop:
                raise ValueError("all arrays of a batch must have the same number of samples")
            stop = stop_i
            if start < 0 or stop > self.n:
                raise ValueError(f"samples {start}:{stop} are outside 0:{self.n}")
            self._file[name][start:stop] = value
        self._written[start:stop] = True

    def __exit__(self, exc_type, exc, tb) -> None:
        f, tmp = self._file, self._tmp
        self._file = None
        try:
            if exc_type is None:
                if not self._written.all():
                    raise RuntimeError(f"only {int(self._written.sum())} of {self.n} samples were written")
                attrs = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "problem": self.problem,
                    "n_samples": self.n,
                    "pinnrwf_version": _version(),
                    "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "generation_seconds": time.perf_counter() - self._t0,
                    "layout": json.dumps({k: ["sample", *v] for k, v in self.layout.fields.items()}),
                    **{k: (json.dumps(v) if isinstance(v, Mapping) else v) for k, v in self.attrs.items()},
                }
                for k, v in attrs.items():
                    f.attrs[k] = v
                f.attrs[COMPLETE_ATTR] = True  # the completion marker, written last
                f.flush()
                f.close()
                with open(tmp, "rb+") as fh:
                    os.fsync(fh.fileno())
                os.replace(tmp, self.path)
                tmp = None
        finally:
            if f is not None and f.id.valid:
                f.close()
            if tmp is not None and os.path.exists(tmp):
                os.remove(tmp)


def write_dataset(path, problem: str, *, fields: Mapping[str, np.ndarray], coordinates: Mapping[str, np.ndarray],
                  attrs: Mapping[str, Any], overwrite: bool = True) -> Path:
    """Write in-memory arrays (leading sample axis) atomically; returns the path."""
    n = len(next(iter(fields.values())))
    with DatasetWriter(path, problem, n_samples=n, coordinates=coordinates, attrs=attrs, overwrite=overwrite) as w:
        w.write(0, fields)
    return Path(path)


@dataclass(frozen=True)
class Dataset:
    """A validated dataset: ``fields`` (leading sample axis), ``coordinates`` by axis, ``attrs``."""

    path: Path
    problem: str
    fields: dict[str, np.ndarray]
    coordinates: dict[str, np.ndarray]
    attrs: dict[str, Any]

    @property
    def parameters(self) -> dict[str, Any]:
        return json.loads(self.attrs["parameters"])

    @property
    def n_samples(self) -> int:
        return int(self.attrs["n_samples"])

    def __getitem__(self, name: str) -> np.ndarray:
        if name in self.fields:
            return self.fields[name]
        for axis, dname in COORDINATE_NAMES.items():
            if name in (axis, dname) and axis in self.coordinates:
                return self.coordinates[axis]
        alias = LAYOUTS[self.problem].links.get(name)
        if alias is not None:
            return self.fields[alias]
        raise KeyError(name)


def _attr(v):
    return v.decode() if isinstance(v, bytes) else (v.item() if isinstance(v, np.generic) else v)


def read_dataset(path: str | os.PathLike) -> Dataset:
    """Open, validate and load a dataset; raises :class:`DatasetError` with the reason otherwise."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no dataset file at {path}")
    try:
        f = h5py.File(path, "r")
    except OSError as err:
        raise DatasetError(f"{path} is not a readable HDF5 file (truncated or corrupt?): {err}") from None
    with f:
        attrs = {k: _attr(v) for k, v in f.attrs.items()}
        if attrs.get("format") != FORMAT:
            raise DatasetError(f"{path} is not a pinnrwf dataset (attribute 'format' is {attrs.get('format')!r})")
        if attrs.get("format_version") != FORMAT_VERSION:
            raise DatasetError(f"{path}: unsupported format_version {attrs.get('format_version')!r}")
        if attrs.get(COMPLETE_ATTR) is not True and attrs.get(COMPLETE_ATTR) != 1:
            raise DatasetError(f"{path} is incomplete (no completion marker; interrupted generation?)")
        missing = [k for k in REQUIRED_ATTRS if k not in attrs]
        if missing:
            raise DatasetError(f"{path} lacks the attributes {missing}")
        problem = attrs["problem"]
        if problem not in LAYOUTS:
            raise DatasetError(f"{path}: unknown problem {problem!r} (expected one of {sorted(LAYOUTS)})")
        layout = LAYOUTS[problem]
        n = int(attrs["n_samples"])
        try:
            coords = {}
            for axis in layout.coordinates:
                name = COORDINATE_NAMES[axis]
                if name not in f:
                    raise DatasetError(f"{path} lacks the coordinate dataset {name!r}")
                coords[axis] = np.asarray(f[name][...], dtype=np.float64)
                if coords[axis].ndim != 1:
                    raise DatasetError(f"{path}: {name!r} must be 1D, got shape {coords[axis].shape}")
            fields = {}
            for name, axes in layout.fields.items():
                if name not in f:
                    raise DatasetError(f"{path} lacks the dataset {name!r} required for {problem}")
                expected = (n,) + tuple(coords[a].size for a in axes)
                if f[name].shape != expected:
                    raise DatasetError(f"{path}: {name!r} has shape {f[name].shape}, expected {expected}")
                fields[name] = np.asarray(f[name][...], dtype=np.float64)
        except DatasetError:
            raise
        except (OSError, KeyError, ValueError) as err:
            raise DatasetError(f"{path}: cannot read the data (truncated or corrupt?): {err}") from None
    return Dataset(path=path, problem=problem, fields=fields, coordinates=coords, attrs=attrs)
