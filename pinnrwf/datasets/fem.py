"""HDF5 files of finite-element references (:mod:`pinnrwf.solvers.fem`): mesh, fields, provenance.

Layout (one reference per file):

| dataset              | shape                         | meaning                                            |
|----------------------|-------------------------------|----------------------------------------------------|
| ``nodes``            | (n_nodes, 2)                  | vertex coordinates                                 |
| ``triangles``        | (n_cells, 3)                  | vertex indices of each triangle                    |
| ``boundary/<part>``  | (n_facets, 2)                 | the vertex pairs of the boundary edges of each part |
| ``fields/<name>``    | (n_dofs,) or (n_t, n_dofs)    | Lagrange degrees of freedom (attribute ``degree``: 1 = one per vertex; 2 = vertices, then edge midpoints in scikit-fem's edge order) |
| ``t-coordinate``     | (n_t,)                        | output times (time-dependent references only)      |

Root attributes: ``format`` (``"pinnrwf-fem-reference"``), ``format_version``, ``problem``,
``pde``, ``solver``, ``parameters``, ``report`` and ``resolution`` (JSON), ``pinnrwf_version``,
``created_utc``, ``generation_seconds`` and, written last, ``complete = True``. Writes are atomic
(:mod:`pinnrwf._atomic`): a failed write leaves no file. :func:`read_reference` checks all of it
(shapes, index ranges, each boundary pair an edge of the mesh, finite values) before returning.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, NamedTuple

import h5py
import numpy as np

from pinnrwf._atomic import atomic_path

from .hdf5 import COMPLETE_ATTR, DatasetError, _attr, _version, open_checked

#: The ``format`` attribute of a finite-element reference file.
FORMAT = "pinnrwf-fem-reference"
#: The ``format_version`` this version writes and reads.
FORMAT_VERSION = 1
REQUIRED_ATTRS = (
    "format",
    "format_version",
    "problem",
    "pde",
    "solver",
    "parameters",
    "report",
    "resolution",
    "pinnrwf_version",
    "created_utc",
    COMPLETE_ATTR,
)


def _json(value) -> str:
    return json.dumps(value, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o))


def write_reference(
    path: str | os.PathLike,
    reference,
    *,
    problem: str,
    resolution: Mapping[str, Any] | None = None,
    generation_seconds: float | None = None,
    overwrite: bool = True,
) -> Path:
    """Write a :class:`pinnrwf.solvers.fem.Reference` atomically to ``path`` (layout above);
    ``problem``: the name it is known by (e.g. ``"fem-dfg-cylinder"``); ``resolution``: how it
    was meshed (e.g. ``{"h": 0.02}``; the counts of nodes, triangles and degrees of freedom are
    added)."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists (pass overwrite=True to replace it)")
    if not isinstance(problem, str) or not problem:
        raise ValueError(f"problem must be a non-empty name, got {problem!r}")
    mesh = reference.mesh
    nodes, cells = np.asarray(mesh.p.T, dtype=np.float64), np.asarray(mesh.t.T, dtype=np.int64)
    for name, values in reference.fields.items():
        if not np.all(np.isfinite(values)):
            raise ValueError(f"field {name!r} holds non-finite values")
    t0 = time.perf_counter()
    res = {
        "nodes": len(nodes),
        "triangles": len(cells),
        "dofs": {k: int(np.shape(v)[-1]) for k, v in reference.fields.items()},
        **dict(resolution or {}),
    }
    with atomic_path(path) as tmp, h5py.File(tmp, "w") as f:
        f.create_dataset("nodes", data=nodes).attrs["axes"] = "node,xy"
        f.create_dataset("triangles", data=cells).attrs["axes"] = "cell,vertex"
        for part, facets in (mesh.boundaries or {}).items():
            d = f.create_dataset(f"boundary/{part}", data=np.asarray(mesh.facets[:, facets].T, dtype=np.int64))
            d.attrs["axes"] = "facet,vertex"
        for name, values in reference.fields.items():
            values = np.asarray(values, dtype=np.float64)
            d = f.create_dataset(f"fields/{name}", data=values, compression="gzip", shuffle=True, fletcher32=True)
            d.attrs["degree"] = int(reference.degrees[name])
            d.attrs["axes"] = "t,dof" if values.ndim == 2 else "dof"
        if reference.times is not None:
            f.create_dataset("t-coordinate", data=np.asarray(reference.times, dtype=np.float64)).attrs["axes"] = "t"
        attrs = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "problem": problem,
            "pde": reference.pde,
            "solver": reference.solver,
            "parameters": _json(dict(reference.parameters)),
            "report": _json(dict(reference.report)),
            "resolution": _json(res),
            "pinnrwf_version": _version(),
            "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "generation_seconds": float(
                generation_seconds if generation_seconds is not None else time.perf_counter() - t0
            ),
        }
        for k, v in attrs.items():
            f.attrs[k] = v
        f.attrs[COMPLETE_ATTR] = True  # the completion marker, written last
    return path


def _edges(cells: np.ndarray) -> np.ndarray:
    e = np.sort(np.concatenate([cells[:, [0, 1]], cells[:, [1, 2]], cells[:, [0, 2]]]), axis=1)
    return np.unique(e, axis=0)


def read_reference(path: str | os.PathLike, *, problem: str | None = None):
    """Open and validate a reference file; returns a :class:`pinnrwf.solvers.fem.Reference`
    (its mesh rebuilt, with the named boundary parts). ``problem``: the expected name."""
    from skfem import MeshTri

    from pinnrwf.solvers.fem import Reference

    path = Path(path)
    with open_checked(path, FORMAT, FORMAT_VERSION, REQUIRED_ATTRS, what="finite-element reference") as (f, attrs):
        if problem is not None and attrs["problem"] != problem:
            raise DatasetError(f"{path} holds a {attrs['problem']!r} reference, expected {problem!r}")
        try:
            nodes, cells = np.asarray(f["nodes"][...]), np.asarray(f["triangles"][...])
            if nodes.ndim != 2 or nodes.shape[1] != 2 or not np.isfinite(nodes).all():
                raise DatasetError(f"{path}: 'nodes' must be finite (n, 2), got shape {nodes.shape}")
            if (
                cells.ndim != 2
                or cells.shape[1] != 3
                or cells.dtype.kind not in "iu"
                or cells.size == 0
                or cells.min() < 0
                or cells.max() >= len(nodes)
            ):
                raise DatasetError(f"{path}: 'triangles' must be (n, 3) vertex indices in [0, {len(nodes)})")
            edges = _edges(cells)
            edge_index = {tuple(e): i for i, e in enumerate(edges)}
            boundary = {}
            for part, d in f.get("boundary", {}).items():
                pairs = np.sort(np.asarray(d[...]), axis=1)
                idx = [edge_index.get(tuple(p), -1) for p in pairs]
                if pairs.ndim != 2 or pairs.shape[1] != 2 or min(idx, default=0) < 0:
                    raise DatasetError(f"{path}: boundary part {part!r} holds pairs that are not edges of the mesh")
                boundary[part] = pairs
            times = np.asarray(f["t-coordinate"][...]) if "t-coordinate" in f else None
            fields, degrees = {}, {}
            for name, d in f.get("fields", {}).items():
                degree = int(_attr(d.attrs.get("degree", 0)))
                if degree not in (1, 2):
                    raise DatasetError(f"{path}: field {name!r} has degree {degree}, expected 1 or 2")
                n = len(nodes) + (len(edges) if degree == 2 else 0)
                shape = (n,) if times is None else (len(times), n)
                if d.shape != shape:
                    raise DatasetError(f"{path}: field {name!r} has shape {d.shape}, expected {shape} (P{degree})")
                values = np.asarray(d[...], dtype=np.float64)
                if not np.isfinite(values).all():
                    raise DatasetError(f"{path}: field {name!r} holds non-finite values")
                fields[name], degrees[name] = values, degree
            if not fields:
                raise DatasetError(f"{path} holds no field")
        except DatasetError:
            raise
        except (OSError, KeyError, ValueError) as err:
            raise DatasetError(f"{path}: cannot read the data (truncated or corrupt?): {err}") from None
    mesh = MeshTri(nodes.T.copy(), cells.T.copy())
    facet_index = {tuple(e): i for i, e in enumerate(np.sort(mesh.facets.T, axis=1))}
    mesh = mesh.with_boundaries(
        {part: np.array([facet_index[tuple(p)] for p in pairs], dtype=np.int64) for part, pairs in boundary.items()}
    )
    return Reference(
        mesh,
        fields,
        degrees,
        pde=str(attrs["pde"]),
        solver=str(attrs["solver"]),
        parameters=json.loads(attrs["parameters"]),
        report=json.loads(attrs["report"]),
        times=times,
    )


def _dfg_cylinder(h: float | None, h_cylinder: float | None, verbose: bool):
    from pinnrwf.solvers.fem import dfg

    h = dfg.DEFAULT_H if h is None else h
    h_cylinder = dfg.DEFAULT_H_CYLINDER if h_cylinder is None else h_cylinder
    return dfg.dfg_2d1(h, h_cylinder, verbose=verbose), {"h": h, "h_cylinder": h_cylinder}


class FEMReferenceMaker(NamedTuple):
    """A finite-element reference that ``pinnrwf generate NAME`` writes: ``make(h, h_boundary,
    verbose)`` → (reference, resolution), the mesh sizes None for their defaults; the help texts
    say what the two sizes mean for this shape. Problems declare theirs as ``fem_reference``."""

    summary: str
    make: Callable[[float | None, float | None, bool], tuple[Any, dict]]
    h_help: str
    h_boundary_help: str


#: ``pinnrwf generate NAME`` for the finite-element references no problem declares
FEM_REFERENCES = {
    "fem-dfg-cylinder": FEMReferenceMaker(
        "DFG 2D-1 flow around a cylinder (Re = 20), Taylor-Hood P2/P1 finite elements + Newton; reports c_D, c_L "
        "and delta p",
        _dfg_cylinder,
        "mesh size in the channel (default: 0.02)",
        "mesh size on the cylinder (default: 0.002)",
    ),
}


__all__ = ["FEMReferenceMaker", "FEM_REFERENCES", "FORMAT", "FORMAT_VERSION", "read_reference", "write_reference"]
