"""HDF5 dataset layout, atomic writer and validating reader.

One file per dataset. Layout (names follow PDEBench where it costs nothing):

| dataset                        | shape                      | meaning                                             |
|--------------------------------|----------------------------|-----------------------------------------------------|
| ``tensor``                     | (N, nt, nx) or (N, nx, ny) | solution u (advection, diffusion-reaction, Burgers, Darcy); PDEBench's name |
| ``Vx``, ``Vy``, ``pressure``   | (N, nx, ny)                | cavity velocity and pressure (PDEBench 2D-CFD names) |
| ``x-coordinate``               | (nx,)                      | grid coordinates (PDEBench names)                   |
| ``y-coordinate``               | (ny,)                      |                                                     |
| ``t-coordinate``               | (nt,)                      | output times (PDEBench stores nt + 1 bin edges in some files; here exactly the nt output times) |
| ``u0``                         | (N, nx)                    | initial condition (advection, Burgers)              |
| ``source``                     | (N, nx)                    | a(x) of diffusion–reaction (hard link ``a``)        |
| ``nu``                         | (N, nx, ny)                | Darcy coefficient a (PDEBench's name; hard link ``a``) |
| ``re``                         | (N,)                       | cavity Reynolds numbers                             |

Every dataset carries an ``axes`` attribute (e.g. ``"sample,t,x"``); 2D fields are indexed
``[..., i, j]`` = value at (x_i, y_j). Root attributes: ``format`` (``"pinnrwf-dataset"``),
``format_version``, ``problem``, ``pde``, ``parameters`` (JSON), ``solver``, ``resolution``
(JSON), ``seed``, ``n_samples``, ``pinnrwf_version``, ``created_utc``, ``generation_seconds``
and, written last, ``complete = True``.

Writes are atomic (:mod:`pinnrwf._atomic`): data goes to a hidden temporary file in the
destination folder, which is flushed, fsync'ed and ``os.replace``'d onto the destination only
after every sample was written and the completion marker set. An interrupted generation leaves at
most a ``.NAME.<pid>.*.tmp`` file without the marker, which the reader refuses and which the next
write of the same file removes. Datasets are chunked, gzip-compressed, shuffled and
Fletcher-32 checksummed, so corrupted chunks are reported on read.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

import h5py
import numpy as np

from pinnrwf._atomic import atomic_path

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

#: Each dataset's arrays, their axes and hard links, by dataset name.
LAYOUTS: dict[str, Layout] = {
    "advection": Layout({"tensor": ("t", "x"), "u0": ("x",)}, ("t", "x")),
    "diffusion-reaction": Layout({"tensor": ("t", "x"), "source": ("x",)}, ("t", "x"), {"a": "source"}),
    "darcy": Layout({"tensor": ("x", "y"), "nu": ("x", "y")}, ("x", "y"), {"a": "nu"}),
    "burgers": Layout({"tensor": ("t", "x"), "u0": ("x",)}, ("t", "x")),
    "ldc": Layout({"Vx": ("x", "y"), "Vy": ("x", "y"), "pressure": ("x", "y"), "re": ()}, ("x", "y")),
    "allen-cahn": Layout({"tensor": ("t", "x"), "u0": ("x",), "epsilon": ()}, ("t", "x")),
}

REQUIRED_ATTRS = (
    "format",
    "format_version",
    "problem",
    "pde",
    "parameters",
    "solver",
    "resolution",
    "seed",
    "n_samples",
    "pinnrwf_version",
    "created_utc",
    COMPLETE_ATTR,
)


def _version() -> str:
    from pinnrwf._version import __version__

    return __version__


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

    def __init__(
        self,
        path: str | os.PathLike,
        problem: str,
        *,
        n_samples: int,
        coordinates: Mapping[str, np.ndarray],
        attrs: Mapping[str, Any],
        overwrite: bool = True,
    ):
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
        self.coordinates = {
            k: np.asarray(coordinates[k], dtype=np.float64) for k in self.layout.coordinates if k in coordinates
        }
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
        self._publish = atomic_path(self.path)
        self._tmp = self._publish.__enter__()
        f = self._file = h5py.File(self._tmp, "w")
        for axis, values in self.coordinates.items():
            d = f.create_dataset(COORDINATE_NAMES[axis], data=values)
            d.attrs["axes"] = axis
        for name in self.layout.fields:
            shape = self._shape(name)
            d = f.create_dataset(
                name,
                shape=shape,
                dtype="f8",
                chunks=_chunks(shape),
                compression="gzip",
                compression_opts=4,
                shuffle=True,
                fletcher32=True,
            )
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
        f = self._file
        self._file = None
        error = exc
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
                    "links": json.dumps(dict(self.layout.links)),
                    **{k: (json.dumps(v) if isinstance(v, Mapping) else v) for k, v in self.attrs.items()},
                }
                for k, v in attrs.items():
                    f.attrs[k] = v
                f.attrs[COMPLETE_ATTR] = True  # the completion marker, written last
                f.flush()
            f.close()
        except BaseException as e:  # noqa: BLE001 - handed to the publisher, which removes the file
            error = e
        finally:
            if f is not None and f.id.valid:
                f.close()
        if error is None:
            self._publish.__exit__(None, None, None)  # fsync and rename onto the destination
        else:
            self._publish.__exit__(type(error), error, error.__traceback__)  # removes the temporary file
            if error is not exc:
                raise error


def write_dataset(
    path,
    problem: str,
    *,
    fields: Mapping[str, np.ndarray],
    coordinates: Mapping[str, np.ndarray],
    attrs: Mapping[str, Any],
    overwrite: bool = True,
) -> Path:
    """Write in-memory arrays (leading sample axis) atomically; returns the path."""
    n = len(next(iter(fields.values())))
    with DatasetWriter(path, problem, n_samples=n, coordinates=coordinates, attrs=attrs, overwrite=overwrite) as w:
        w.write(0, fields)
    return Path(path)


def _attr(v):
    return v.decode() if isinstance(v, bytes) else (v.item() if isinstance(v, np.generic) else v)


def _check_finite(path: Path, name: str, values: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """``values`` if all finite; else a ``DatasetError`` naming the dataset, the value and its
    index in the file (``rows`` maps the first axis of a partial read back to sample indices)."""
    if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
        local = tuple(int(i) for i in np.argwhere(~np.isfinite(values))[0])
        index = local if rows is None else (int(rows[local[0]]),) + local[1:]
        raise DatasetError(
            f"{path}: dataset {name!r} holds a non-finite value ({values[local]}) at index {index}; "
            "the file is corrupt or was written by a failed solve"
        )
    return values


class Dataset:
    """A validated dataset file whose arrays are read on demand (:func:`open_dataset`).

    Attributes: ``path``, ``problem``, ``attrs`` (root attributes), ``layout`` (``{field: axes}``
    as the file records it, leading axis ``sample``), ``coordinates`` (``{axis: float64 array}``),
    ``n_samples`` and ``dtype`` (what fields are cast to on load; float32 by default).

    ``ds.load(name, samples)`` reads the rows ``samples`` (a slice, an index array, or None for
    all) of one field, cast to ``dtype``, and checks that they are finite (a ``DatasetError``
    names the dataset and the index otherwise). ``ds[name]`` is the whole field (cached), a
    coordinate (``"x"`` or ``"x-coordinate"``) or a linked alias (``"a"``).
    """

    def __init__(
        self,
        path: Path,
        problem: str,
        attrs: dict,
        layout: dict[str, tuple[str, ...]],
        coordinates: dict[str, np.ndarray],
        dtype,
    ):
        self.path, self.problem, self.attrs = path, problem, attrs
        self.layout, self.coordinates = layout, coordinates
        self.dtype = np.dtype(dtype)
        self._cache: dict[str, np.ndarray] = {}

    def __repr__(self) -> str:
        return f"Dataset({str(self.path)!r}, problem={self.problem!r}, n_samples={self.n_samples}, dtype={self.dtype})"

    @property
    def parameters(self) -> dict[str, Any]:
        return json.loads(self.attrs["parameters"])

    @property
    def n_samples(self) -> int:
        return int(self.attrs["n_samples"])

    def _resolve(self, name: str) -> str:
        if name in self.layout:
            return name
        links = json.loads(self.attrs.get("links", "{}")) or LAYOUTS.get(self.problem, Layout({}, ())).links
        if name in links:
            return links[name]
        raise KeyError(
            f"{name!r} is not a field of {self.path} (fields: {sorted(self.layout)}, "
            f"coordinates: {sorted(self.coordinates)})"
        )

    def load(self, name: str, samples: slice | np.ndarray | None = None, *, dtype=None) -> np.ndarray:
        """Rows ``samples`` of field ``name`` (all rows if None), cast to ``dtype`` (default: the
        dataset's), checked finite."""
        field_name = self._resolve(name)
        dtype = self.dtype if dtype is None else np.dtype(dtype)
        rows = None
        try:
            with h5py.File(self.path, "r") as f:
                d = f[field_name]
                if samples is None:
                    values = d[...]
                elif isinstance(samples, slice):
                    values = d[samples]
                    rows = np.arange(self.n_samples)[samples]
                else:
                    rows = np.asarray(samples, dtype=np.int64)
                    if rows.ndim != 1 or (rows.size and (rows.min() < 0 or rows.max() >= self.n_samples)):
                        raise ValueError(
                            f"samples must be a 1D array of indices in [0, {self.n_samples}), got "
                            f"shape {rows.shape}" + (f", range [{rows.min()}, {rows.max()}]" if rows.size else "")
                        )
                    unique, inverse = np.unique(rows, return_inverse=True)
                    values = d[unique][inverse]  # h5py reads increasing indices
        except (OSError, KeyError) as err:
            raise DatasetError(f"{self.path}: cannot read {field_name!r} (truncated or corrupt?): {err}") from None
        return _check_finite(self.path, field_name, np.asarray(values, dtype=dtype), rows)

    def __getitem__(self, name: str) -> np.ndarray:
        for axis, dname in COORDINATE_NAMES.items():
            if name in (axis, dname) and axis in self.coordinates:
                return self.coordinates[axis]
        field_name = self._resolve(name)
        if field_name not in self._cache:
            self._cache[field_name] = self.load(field_name)
        return self._cache[field_name]

    @property
    def fields(self) -> dict[str, np.ndarray]:
        """Every field, loaded (for small files; use :meth:`load` for parts of large ones)."""
        return {name: self[name] for name in self.layout}


def _layout_from_file(path: Path, f: h5py.File, attrs: dict) -> dict[str, tuple[str, ...]]:
    """The fields and their axes as the file records them (the ``layout`` attribute)."""
    try:
        layout = json.loads(attrs["layout"])
        assert isinstance(layout, dict) and layout
        out = {}
        for name, axes in layout.items():
            assert isinstance(axes, list) and axes and axes[0] == "sample"
            out[str(name)] = tuple(str(a) for a in axes[1:])
        return out
    except (KeyError, json.JSONDecodeError, AssertionError, TypeError):
        raise DatasetError(
            f"{path}: the 'layout' attribute is missing or malformed (got {attrs.get('layout')!r})"
        ) from None


@contextlib.contextmanager
def open_checked(path: Path, fmt: str, version: int, required: tuple[str, ...], *, what: str):
    """``(h5py file, root attributes)`` of ``path``, open for reading, after checking that it is a
    complete file of format ``fmt`` and ``version`` with the ``required`` attributes (a
    ``DatasetError`` naming the file otherwise; ``what``: the kind of file, in messages)."""
    if not path.is_file():
        raise FileNotFoundError(f"no {what} file at {path}")
    try:
        f = h5py.File(path, "r")
    except OSError as err:
        raise DatasetError(f"{path} is not a readable HDF5 file (truncated or corrupt?): {err}") from None
    with f:
        attrs = {k: _attr(v) for k, v in f.attrs.items()}
        if attrs.get("format") != fmt:
            raise DatasetError(f"{path} is not a pinnrwf {what} (attribute 'format' is {attrs.get('format')!r})")
        if attrs.get("format_version") != version:
            raise DatasetError(f"{path}: unsupported format_version {attrs.get('format_version')!r}")
        if attrs.get(COMPLETE_ATTR) is not True and attrs.get(COMPLETE_ATTR) != 1:
            raise DatasetError(f"{path} is incomplete (no completion marker; interrupted generation?)")
        missing = [k for k in required if k not in attrs]
        if missing:
            raise DatasetError(f"{path} lacks the attributes {missing}")
        yield f, attrs


def open_dataset(path: str | os.PathLike, *, dtype=np.float32, problem: str | None = None) -> Dataset:
    """Open and validate a dataset written by ``pinnrwf generate``; arrays are read on demand.

    Validation uses what the file records: format and version, the completion marker, the
    required attributes, the layout (every field present, of floating type, with shape
    ``(n_samples, *coordinate sizes)`` and matching ``axes``) and finite 1D coordinates.
    Field values are checked finite when they are loaded. ``problem``: the expected kind of
    dataset (a ``DatasetError`` names both kinds otherwise).
    """
    path = Path(path)
    with open_checked(path, FORMAT, FORMAT_VERSION, REQUIRED_ATTRS, what="dataset") as (f, attrs):
        kind = str(attrs["problem"])
        if problem is not None and kind != problem:
            raise DatasetError(f"{path} holds a {kind!r} dataset, expected a {problem!r} dataset")
        layout = _layout_from_file(path, f, attrs)
        n = int(attrs["n_samples"])
        try:
            coords = {}
            for axis in sorted({a for axes in layout.values() for a in axes}):
                name = COORDINATE_NAMES.get(axis, f"{axis}-coordinate")
                if name not in f:
                    raise DatasetError(f"{path} lacks the coordinate dataset {name!r}")
                coords[axis] = _check_finite(path, name, np.asarray(f[name][...], dtype=np.float64))
                if coords[axis].ndim != 1:
                    raise DatasetError(f"{path}: {name!r} must be 1D, got shape {coords[axis].shape}")
            for name, axes in layout.items():
                if name not in f:
                    raise DatasetError(f"{path} lacks the dataset {name!r} named in its layout")
                d = f[name]
                expected = (n,) + tuple(coords[a].size for a in axes)
                if d.shape != expected:
                    raise DatasetError(f"{path}: {name!r} has shape {d.shape}, expected {expected}")
                if d.dtype.kind != "f":
                    raise DatasetError(f"{path}: {name!r} has dtype {d.dtype}, expected floating point")
                recorded = _attr(d.attrs.get("axes", ""))
                if recorded and recorded != ",".join(("sample",) + axes):
                    raise DatasetError(
                        f"{path}: {name!r} has axes {recorded!r}, the layout says {','.join(('sample',) + axes)!r}"
                    )
        except DatasetError:
            raise
        except (OSError, KeyError, ValueError) as err:
            raise DatasetError(f"{path}: cannot read the data (truncated or corrupt?): {err}") from None
    return Dataset(path, kind, attrs, layout, coords, dtype)


def read_dataset(path: str | os.PathLike, *, dtype=np.float64, problem: str | None = None) -> Dataset:
    """Open, validate and load every field (float64 by default: for verification and small files).

    Every value is checked finite; use :func:`open_dataset` to read parts of large files."""
    ds = open_dataset(path, dtype=dtype, problem=problem)
    ds.fields  # noqa: B018 - loads and checks every field now
    return ds


def open_splits(paths: Mapping[str, str | os.PathLike], *, problem: str, dtype=np.float32) -> dict[str, Dataset]:
    """Named splits stored in separate files (``{"train": ..., "test": ...}``): each opened and
    validated as a ``problem`` dataset, and all on the same coordinates."""
    splits = {name: open_dataset(p, dtype=dtype, problem=problem) for name, p in paths.items()}
    first_name, first = next(iter(splits.items()))
    for name, ds in splits.items():
        for axis, values in first.coordinates.items():
            other = ds.coordinates.get(axis)
            if other is None or other.shape != values.shape or not np.allclose(other, values):
                raise DatasetError(
                    f"splits {first_name!r} ({first.path}) and {name!r} ({ds.path}) are on different {axis} grids"
                )
    return splits
