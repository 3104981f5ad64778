"""Operator-learning data: splits of a generated dataset (a file or solved in memory) and the
(input function, point, value) sets a DeepONet trains and is tested on."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import jax.numpy as jnp
import numpy as np

from pinnrwf.datasets import DatasetError, open_dataset
from pinnrwf.datasets.generate import AbstractDatasetConfig, generate_command


def float_dtype() -> np.dtype:
    """JAX's default float (float32 unless x64 is enabled)."""
    return np.dtype(jnp.result_type(float))


@dataclasses.dataclass(frozen=True)
class Split:
    """One split of a dataset: its coordinates, size and a row loader (file or memory)."""

    source: str
    coordinates: Mapping[str, np.ndarray]
    n_samples: int
    load: Callable[[str, slice], np.ndarray]  # (field, rows) -> array


def open_split(
    name: str, path: Path, *, problem: str, generate: bool, dataset_config, n_samples: int, seed: int, command: str
) -> Split:
    """The dataset file at ``path`` (checked to be a ``problem`` dataset; errors name ``name``), or,
    when it is missing and ``generate`` is set, ``n_samples`` solutions of ``dataset_config``
    drawn with ``seed`` and solved in memory (what ``pinnrwf generate`` would write)."""
    dtype = float_dtype()
    if path.exists():
        try:
            ds = open_dataset(path, dtype=dtype, problem=problem)
        except DatasetError as err:
            raise ValueError(f"{name}: {err}") from None
        return Split(str(path), ds.coordinates, ds.n_samples, lambda field, rows: ds.load(field, rows))
    if not generate:
        raise ValueError(
            f"{name}: the dataset {path} does not exist; make it with `{command}` "
            "or pass --generate-data to generate the data in memory for this run"
        )
    print(
        f"{name}: {path} not found: generating {n_samples} {problem} samples (seed {seed}) in memory "
        "(--generate-data; no file is written)"
    )
    solved = dataset_config.solve(dataset_config.sample_inputs(n_samples, seed))
    arrays = {k: np.asarray(v, dtype=dtype) for k, v in solved.items()}
    return Split(
        f"generated in memory (seed {seed})",
        dataset_config.coordinates(),
        n_samples,
        lambda field, rows: arrays[field][rows],
    )


def check_count(name: str, wanted: int, split: Split) -> None:
    """Raise ``ValueError`` if ``wanted`` (the setting ``name``) exceeds the samples of ``split``."""
    if wanted > split.n_samples:
        raise ValueError(f"{name} = {wanted} exceeds the {split.n_samples} samples of {split.source}")


def open_train_test(
    name: str,
    dataset: AbstractDatasetConfig,
    paths: tuple[Path, Path],
    counts: tuple[int, int],
    *,
    file_counts: tuple[int, int],
    generate: bool,
) -> tuple[Split, Split]:
    """The training (seed 0) and test (seed 1) splits of ``dataset`` for ``counts = (n_train, n_test)``
    functions. A missing file's error gives the ``pinnrwf generate name`` command that makes it, with
    at least ``file_counts`` samples (the paper's sizes)."""
    train, test = (
        open_split(
            f"{split}_data",
            path,
            problem=dataset.problem,
            generate=generate,
            dataset_config=dataset,
            n_samples=n,
            seed=seed,
            command=generate_command(name, dataset, max(n, n_file), seed, path),
        )
        for split, path, n, n_file, seed in zip(("train", "test"), paths, counts, file_counts, (0, 1))
    )
    check_count("n_train", counts[0], train)
    check_count("n_test", counts[1], test)
    return train, test


def default_paths(stem: str, train: Path | None, test: Path | None, grid: str = "") -> tuple[Path, Path]:
    """``train`` and ``test``, each defaulting (where None) to ``data/{stem}_{split}{grid}.h5``
    (``grid``: a suffix naming a non-default grid, e.g. ``"_n32"``)."""
    return Path(train or f"data/{stem}_train{grid}.h5"), Path(test or f"data/{stem}_test{grid}.h5")


@dataclasses.dataclass(frozen=True)
class OperatorData:
    """A supervised operator-learning set, as host arrays of JAX's default float.

    ``train_points`` is ``(N, P, d)`` (each function's own points) or ``(P, d)`` (points shared by
    every function, e.g. a full grid); ``train_values`` is ``(N, P)``. Every test function is
    given on the shared ``grid`` ``(G, d)``, whose values reshape to ``grid_shape`` with axes
    ``axes`` (e.g. ("t", "x")). Inputs and values may be normalized: raw = normalized · scale + shift.
    A test set alone (a physics-informed operator, trained without solutions) leaves the training
    arrays ``None``.
    """

    test_inputs: np.ndarray
    grid: np.ndarray  # (G, d); column 0 is x (horizontal in the figures), column 1 the vertical axis
    test_values: np.ndarray
    grid_shape: tuple[int, int]
    axes: tuple[str, str]
    input_shape: tuple[int, ...]
    input_coordinates: tuple[np.ndarray, ...]
    train_inputs: np.ndarray | None = None
    train_points: np.ndarray | None = None
    train_values: np.ndarray | None = None
    input_shift: float = 0.0
    input_scale: float = 1.0
    output_scale: float = 1.0

    def image(self, values: np.ndarray) -> np.ndarray:
        """Grid values ``(G,)`` as an image with x horizontal: ``(vertical, horizontal)``."""
        img = np.asarray(values).reshape(self.grid_shape)
        return img if self.axes[1] == "x" else img.T

    def extent(self) -> tuple[float, float, float, float]:
        """(x_min, x_max, v_min, v_max) of the image; the grid's columns are (x, the vertical axis)."""
        lo, hi = self.grid.min(axis=0), self.grid.max(axis=0)
        return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def grid_points(coordinates: Mapping[str, np.ndarray], axes: Sequence[str]) -> np.ndarray:
    """The points ``(G, 2)`` of the grid whose values are stored with ``axes`` (e.g. ("t", "x")), in
    that storage order; column 0 is x, column 1 the other axis."""
    mesh = np.meshgrid(*(coordinates[a] for a in axes), indexing="ij")
    columns = sorted(range(len(axes)), key=lambda i: axes[i] != "x")
    return np.stack([mesh[i].ravel() for i in columns], axis=1).astype(float_dtype())


def grid_operator_data(
    train: Split,
    test: Split,
    *,
    inputs: str,
    input_axes: tuple[str, ...],
    axes: tuple[str, str],
    n_train: int,
    n_test: int,
    points_per_function: int,
    sample_points: bool,
    points_seed: int = 0,
    with_replacement: bool = False,
    normalize: bool = False,
    output: str = "tensor",
    sizes: Mapping[str, tuple[str, int]] | None = None,
) -> OperatorData:
    """Inputs ``inputs`` (a field over ``input_axes``) and solutions ``output`` (over ``axes``) of the
    first ``n_train`` / ``n_test`` functions of two splits on the same grid.

    ``sample_points``: each training function keeps ``points_per_function`` grid points, drawn once
    (``np.random.default_rng(points_seed)``, distinct unless ``with_replacement``); otherwise every
    training function is known on the whole (shared) grid. ``normalize``: inputs standardized with
    the training set's mean and std, values divided by the training set's RMS (scalars). ``sizes``:
    ``{axis: (option, value)}``, the grid sizes a model was configured for (checked against the data)."""
    for axis, (option, value) in (sizes or {}).items():
        if value != (size := train.coordinates[axis].size):
            raise ValueError(
                f"{option} ({value}) must equal the number of {axis}-grid points of {train.source} "
                f"({size}): the branch input is the input function on the dataset's grid"
            )
    for axis in axes:
        other = test.coordinates[axis]
        if other.shape != train.coordinates[axis].shape or not np.allclose(other, train.coordinates[axis]):
            raise ValueError(f"train_data ({train.source}) and test_data ({test.source}) are on different {axis} grids")
    sizes = [train.coordinates[a].size for a in axes]
    n_grid = sizes[0] * sizes[1]
    if points_per_function > n_grid:
        raise ValueError(
            f"points_per_function ({points_per_function}) exceeds the {sizes[0]} × {sizes[1]} = "
            f"{n_grid} points of the grid"
        )
    dtype = float_dtype()
    grid = grid_points(train.coordinates, axes)
    a_train = train.load(inputs, slice(0, n_train)).reshape(n_train, -1).astype(np.float64)
    a_test = test.load(inputs, slice(0, n_test)).reshape(n_test, -1)
    shift, scale, out_scale = 0.0, 1.0, 1.0
    if sample_points:
        rng = np.random.default_rng(points_seed)
        idx = np.stack([rng.choice(n_grid, points_per_function, replace=with_replacement) for _ in range(n_train)])
        values = np.empty(idx.shape, dtype)
        for start in range(0, n_train, 500):  # the solutions of 500 functions at a time
            rows = slice(start, min(start + 500, n_train))
            values[rows] = np.take_along_axis(train.load(output, rows).reshape(-1, n_grid), idx[rows], axis=1)
        points = grid[idx]
    else:
        values = train.load(output, slice(0, n_train)).reshape(n_train, n_grid).astype(np.float64)
        points = grid
    if normalize:
        shift, scale = float(a_train.mean()), float(a_train.std()) or 1.0
        out_scale = float(np.sqrt(np.mean(values.astype(np.float64) ** 2)))
    return OperatorData(
        train_inputs=((a_train - shift) / scale).astype(dtype),
        train_points=points,
        train_values=(values / out_scale).astype(dtype),
        test_inputs=((a_test - shift) / scale).astype(dtype),
        grid=grid,
        test_values=(test.load(output, slice(0, n_test)).reshape(n_test, n_grid) / out_scale).astype(dtype),
        grid_shape=tuple(sizes),
        axes=tuple(axes),
        input_shape=tuple(train.coordinates[a].size for a in input_axes),
        input_coordinates=tuple(train.coordinates[a] for a in input_axes),
        input_shift=shift,
        input_scale=scale,
        output_scale=out_scale,
    )


class TrainTestFiles(Protocol):
    """The config fields of a supervised operator problem's two dataset files (e.g. the DR and
    Darcy problems' configs)."""

    train_data: Path | None  # None: the default file
    test_data: Path | None
    generate_data: bool  # missing files: generate the data in memory for this run
    n_train: int  # the first n_train / n_test functions of the files
    n_test: int
    points_per_function: int


def load_train_test(
    name: str,
    dataset: AbstractDatasetConfig,
    files: TrainTestFiles,
    *,
    stem: str,
    grid: str = "",
    file_counts: tuple[int, int],
    **layout,
) -> OperatorData:
    """The supervised set of a problem's two dataset files ``files.train_data`` and ``files.test_data``
    (defaults: :func:`default_paths` of ``stem`` and ``grid``), opened by :func:`open_train_test`
    (``name`` and ``file_counts`` as there), then :func:`grid_operator_data` of their first ``n_train``
    / ``n_test`` functions with ``points_per_function`` and the ``layout`` arguments (inputs, axes …)."""
    paths = default_paths(stem, files.train_data, files.test_data, grid)
    train, test = open_train_test(
        name, dataset, paths, (files.n_train, files.n_test), file_counts=file_counts, generate=files.generate_data
    )
    return grid_operator_data(
        train, test, n_train=files.n_train, n_test=files.n_test, points_per_function=files.points_per_function, **layout
    )


def grid_test_set(
    inputs: np.ndarray,
    values: np.ndarray,
    coordinates: Mapping[str, np.ndarray],
    *,
    axes: tuple[str, str],
    input_axes: tuple[str, ...],
) -> OperatorData:
    """A test set alone (a physics-informed operator trains without solutions): ``inputs``
    ``(T, ...)`` over ``input_axes`` and ``values`` ``(T, n_1, n_2)`` stored with ``axes`` on the grid
    of ``coordinates`` (arrays kept as given, values flattened per function)."""
    return OperatorData(
        test_inputs=inputs,
        grid=grid_points(coordinates, axes),
        test_values=values.reshape(len(values), -1),
        grid_shape=tuple(coordinates[a].size for a in axes),
        axes=tuple(axes),
        input_shape=tuple(coordinates[a].size for a in input_axes),
        input_coordinates=tuple(coordinates[a] for a in input_axes),
    )


def solved_test_set(
    name: str,
    dataset: AbstractDatasetConfig,
    path: Path,
    n_samples: int,
    seed: int,
    *,
    solve_missing: bool,
    explicit_path: bool,
    fields: tuple[str, ...],
) -> tuple[np.ndarray, ...]:
    """``fields`` of ``n_samples`` solutions of ``dataset`` drawn with ``seed`` (float32): read from
    ``path`` when it holds exactly this set (count, seed and every generator option), else, with
    ``solve_missing``, solved in memory (the same values: the file stores what the solve computes).
    Otherwise ``ValueError`` with the ``pinnrwf generate name`` command that makes the file."""
    why = "it does not exist"
    if path.exists():
        ds = open_dataset(path, problem=dataset.problem)
        found = {"n_samples": ds.n_samples, "seed": int(ds.attrs["seed"]), **ds.parameters}
        wanted = {"n_samples": n_samples, "seed": seed, **dataclasses.asdict(dataset)}
        why = (
            ", ".join(
                f"{k} = {found.get(k)} (want {v})"
                for k, v in wanted.items()
                if found.get(k) is None or not np.isclose(found[k], v)
            )
            or None
        )
        if why is None:
            return tuple(ds[f] for f in fields)
    if not solve_missing or explicit_path:
        raise ValueError(
            f"the {name} test set {path} cannot be used: {why}; make it with "
            f"`{generate_command(name, dataset, n_samples, seed, path)}`"
            + ("" if explicit_path else " or pass --generate-reference to solve it in memory")
        )
    print(
        f"{name} test set {path}: {why}; solving {n_samples} test functions in memory "
        "(--generate-reference; no file is written)",
        flush=True,
    )
    solved = dataset.solve(dataset.sample_inputs(n_samples, seed))
    return tuple(solved[f].astype(np.float32) for f in fields)


class SolvedTestFile(Protocol):
    """The config fields of a problem's solved test set (e.g. the Burgers operator's config)."""

    test_data: Path | None  # None: the default file
    n_test: int
    test_seed: int
    generate_reference: bool  # solve the set in memory when the default file does not hold it


def solved_grid_test_set(
    name: str,
    dataset: AbstractDatasetConfig,
    files: SolvedTestFile,
    *,
    default: Path,
    inputs: str,
    axes: tuple[str, str],
    input_axes: tuple[str, ...],
    output: str = "tensor",
) -> OperatorData:
    """:func:`solved_test_set` of ``files.n_test`` functions drawn with ``files.test_seed``, the fields
    ``inputs`` (over ``input_axes``) and ``output`` (stored with ``axes``), as an :class:`OperatorData`
    on ``dataset.coordinates()``. The file is ``files.test_data`` (which must hold this set), or where
    it is None ``default`` (else, with ``files.generate_reference``, the set is solved in memory)."""
    values = solved_test_set(
        name,
        dataset,
        Path(files.test_data or default),
        files.n_test,
        files.test_seed,
        solve_missing=files.generate_reference,
        explicit_path=files.test_data is not None,
        fields=(inputs, output),
    )
    return grid_test_set(*values, dataset.coordinates(), axes=axes, input_axes=input_axes)
