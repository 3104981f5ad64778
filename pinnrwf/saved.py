"""A trained run is an artefact: save the final ensembles of a run, load them back ready to call.

Every ``pinnrwf run`` (and :func:`pinnrwf.runner.run`) writes, inside its output folder,

- ``models/<parameterization>.eqx``: the trained ensemble's arrays (equinox serialisation,
  never pickle), leading axis = ensemble member;
- ``models/run.json``: how to rebuild the network skeleton — problem name, preset, the problem
  config, each parameterization's name and ``repr``, the seeds, the pinnrwf version.

:func:`load_run` rebuilds each skeleton with the problem's own ``init_model`` and reads the
arrays into it::

    run = pinnrwf.load_run("runs/advection")
    u = jax.vmap(run.model("rwf", member=0))(points)      # (n, 2) -> (n, 1)

A run verifies itself. The runner writes its outputs (``results.json``, ``table.md``,
``models/``, the figures) and then, last, the completion marker ``complete.json``, which records
the sha256 of ``results.json``, ``table.md``, ``models/run.json`` and every model file; it removes
the marker before writing anything, so an interrupted or failing run never looks finished.
:func:`load_run` refuses a run without the marker ("incomplete run: OUT") and names any file whose
content no longer matches (:func:`verify_run`). Runs saved by pinnrwf 0.1.0 (``format_version``
1) predate the marker: they load as they are, unchecked.

A file of another format version, another pinnrwf version's incompatible skeleton, a skeleton
too large for this machine's memory (checked from its shapes before anything is built) or a
parameterization that no longer rebuilds to the same ``repr`` is a clear ``ValueError``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import equinox as eqx
import jax

from pinnrwf._atomic import atomic_write_bytes, writing
from pinnrwf._resources import check_memory, nbytes, shapes_of

FORMAT = "pinnrwf-run"
FORMAT_VERSION = 2
#: Versions written before the completion marker (pinnrwf 0.1.0): loaded without a check.
LEGACY_VERSIONS = (1,)
#: The completion marker, written last: the sha256 of every file of the run that it lists.
MARKER = "complete.json"
MARKER_FORMAT = "pinnrwf-run-complete"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_run(out_dir: str | Path, write: Callable[[], None]) -> None:
    """Run ``write()``, which writes a run's outputs into ``out_dir``, between removing the
    completion marker and writing it anew (atomically, last) with the sha256 of ``results.json``,
    ``table.md`` and ``models/`` (from ``models/run.json``). A full disk anywhere in it is one
    :class:`pinnrwf._atomic.DiskFullError` naming the file."""
    out_dir = Path(out_dir)
    with writing(out_dir):
        (out_dir / MARKER).unlink(missing_ok=True)
        write()
        meta = json.loads((out_dir / "models" / "run.json").read_text())
        names = [
            "results.json",
            "table.md",
            "models/run.json",
            *(f"models/{entry['file']}" for entry in meta["parameterizations"].values()),
        ]
        marker = {"format": MARKER_FORMAT, "sha256": {name: _sha256(out_dir / name) for name in names}}
        atomic_write_bytes(out_dir / MARKER, lambda f: f.write(json.dumps(marker, indent=2).encode()))


def verify_run(out_dir: str | Path) -> None:
    """Check that the run in ``out_dir`` is complete and unchanged since it was saved: its
    completion marker exists and every file it lists has the sha256 recorded there.

    Raises:
        ValueError: "incomplete run: OUT" (no marker), or the first file that is missing or
            does not match.
    """
    out_dir = Path(out_dir)
    marker_path = out_dir / MARKER
    if not marker_path.is_file():
        raise ValueError(
            f"incomplete run: {out_dir} (no {MARKER}, which a run writes last: it was interrupted, "
            "failed or is still being written; run it again)"
        )
    try:
        marker = json.loads(marker_path.read_text())
        recorded = dict(marker["sha256"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
        raise ValueError(f"{marker_path} is corrupt: {e}") from None
    for name, digest in recorded.items():
        path = out_dir / name
        if not path.is_file():
            raise ValueError(f"{path} is missing: the run saved it ({marker_path} lists it)")
        if _sha256(path) != digest:
            raise ValueError(
                f"{path} does not match the sha256 recorded when the run was saved ({marker_path}): "
                "the file was changed or corrupted"
            )


def _file_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) + ".eqx"


def save_models(
    out_dir: Path, *, problem, preset: str | None, config, parameterizations: Mapping, results: Mapping, jsonable
) -> Path:
    """Write ``models/<name>.eqx`` per parameterization and ``models/run.json`` (atomically)."""
    from pinnrwf._version import __version__
    from pinnrwf.registry import source_file

    folder = Path(out_dir) / "models"
    entries = {}
    for name, result in results.items():
        file_name = _file_name(name)
        atomic_write_bytes(folder / file_name, lambda f, p=result.params: eqx.tree_serialise_leaves(f, p))
        entries[name] = {"file": file_name, "repr": repr(parameterizations[name])}
    train = next(iter(results.values())).config
    source = source_file(problem)
    skeleton = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "pinnrwf_version": __version__,
        "problem": problem.name,
        **({"problem_file": str(source)} if source else {}),
        "preset": preset,
        "config": jsonable(config),
        "seed": train.seed,
        "seeds": train.seeds,
        "parameterizations": entries,
    }
    text = json.dumps(skeleton, indent=2, allow_nan=False)
    atomic_write_bytes(folder / "run.json", lambda f: f.write(text.encode()))
    return folder


def _field_value(field: dataclasses.Field, owner: type, base_value: Any, value: Any) -> Any:
    """A JSON value back to the field's type (tuples, paths, nested dataclasses)."""
    if value is None:
        return None
    if dataclasses.is_dataclass(base_value) and isinstance(value, dict):
        return config_from_json(base_value, value)
    if isinstance(base_value, tuple):
        return tuple(value)
    hints = typing.get_type_hints(owner)
    hint = hints.get(field.name)
    if hint is not None and Path in (typing.get_args(hint) or (hint,)):
        return Path(value)
    return value


def config_from_json(base, data: Mapping):
    """Rebuild a frozen config dataclass like ``base`` from its ``jsonable`` form."""
    fields = {f.name: f for f in dataclasses.fields(base)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValueError(
            f"the saved config has fields {unknown} that {type(base).__name__} does not have "
            "(saved by another pinnrwf version?)"
        )
    changes = {k: _field_value(fields[k], type(base), getattr(base, k), v) for k, v in data.items()}
    return dataclasses.replace(base, **changes)


def _parameterization(problem, name: str, saved_repr: str):
    from pinnrwf.nn import parse_parameterizations

    candidates = []
    try:
        candidates.append(parse_parameterizations(name, rwf=problem.rwf)[name])
    except ValueError:
        pass
    for study in problem.studies.values():
        members = study()
        if name in members:
            candidates.append(members[name])
    for p in candidates:
        if repr(p) == saved_repr:
            return p
    raise ValueError(
        f"cannot rebuild the parameterization {name!r} ({saved_repr}) of the saved run with this pinnrwf version"
    )


@dataclasses.dataclass(frozen=True)
class LoadedRun:
    """The trained ensembles of a run: ``ensembles[name]`` has a leading member axis on its arrays."""

    problem: Any
    config: Any
    seeds: list[int]
    ensembles: dict[str, Any]

    def model(self, name: str, member: int = 0):
        """Ensemble member ``member`` of parameterization ``name`` as an ordinary model."""
        if name not in self.ensembles:
            raise ValueError(f"name must be one of {sorted(self.ensembles)}, got {name!r}")
        if not 0 <= member < len(self.seeds):
            raise ValueError(f"member must be in [0, {len(self.seeds)}), got {member}")
        params, static = eqx.partition(self.ensembles[name], eqx.is_array)
        return eqx.combine(jax.tree.map(lambda x: x[member], params), static)


def load_run(out_dir: str | Path, *, problem=None) -> LoadedRun:
    """Load the trained models that ``pinnrwf run … --out OUT_DIR`` saved.

    ``problem``: the problem object, for problems neither registered nor loaded from a file
    (e.g. one defined in a script); by default the registry's problem of the saved name, or
    for a run of a problem file (``pinnrwf run path.py``) the problem of that file.
    """
    from pinnrwf.registry import get, load_problem_file
    from pinnrwf.train import TrainConfig
    from pinnrwf.train._fit import member_keys

    folder = Path(out_dir) / "models"
    meta_path = folder / "run.json"
    if not meta_path.is_file():
        if folder.is_dir() or (Path(out_dir) / "results.json").is_file():
            raise ValueError(
                f"incomplete run: {out_dir} (no {meta_path}: it was interrupted or failed before its "
                "models were saved; run it again)"
            )
        raise ValueError(f"out_dir: {out_dir} holds no saved models (no {meta_path}); was it written by pinnrwf run?")
    try:
        meta = json.loads(meta_path.read_text())
    except json.JSONDecodeError as e:
        raise ValueError(f"{meta_path} is corrupt: {e}") from None
    if meta.get("format") != FORMAT or meta.get("format_version") not in (FORMAT_VERSION, *LEGACY_VERSIONS):
        raise ValueError(
            f"{meta_path} is not a pinnrwf run of format version {FORMAT_VERSION} (or "
            f"{', '.join(map(str, LEGACY_VERSIONS))}) (format {meta.get('format')!r}, version "
            f"{meta.get('format_version')!r}, written by pinnrwf {meta.get('pinnrwf_version')})"
        )
    if meta["format_version"] == FORMAT_VERSION:
        verify_run(out_dir)
    if problem is None and meta.get("problem_file"):
        problem = load_problem_file(meta["problem_file"])
    if problem is None:
        problem = get(meta["problem"])
    elif problem.name != meta["problem"]:
        raise ValueError(f"problem: the run is of {meta['problem']!r}, got a {problem.name!r} problem")
    base = (problem.presets.get(meta["preset"]) or problem.presets["quick"]).config
    config = config_from_json(base, meta["config"])
    keys = member_keys(TrainConfig(steps=1, seeds=meta["seeds"], seed=meta["seed"]))
    init_keys = jax.vmap(jax.random.split)(keys)[:, 0]
    settings = (
        ", ".join(
            f"{f.name}={getattr(config, f.name)!r}"
            for f in dataclasses.fields(config)
            if getattr(config, f.name) != getattr(base, f.name)
        )
        or f"the {meta['preset']} preset's"
    )
    ensembles = {}
    for name, entry in meta["parameterizations"].items():
        parameterization = _parameterization(problem, name, entry["repr"])
        build = eqx.filter_vmap(problem.init_model(config, parameterization))
        check_memory(
            nbytes(shapes_of(build, init_keys)),
            device=True,  # from the shapes, before building
            what=f"{meta_path}: the {meta['seeds']} {name!r} network(s) of its config ({settings})",
            hint="check the config saved in run.json",
        )
        skeleton = build(init_keys)
        params, static = eqx.partition(skeleton, eqx.is_array)
        path = folder / entry["file"]
        try:
            params = eqx.tree_deserialise_leaves(path, params)
        except Exception as e:  # noqa: BLE001 - a clear message for every kind of mismatch
            raise ValueError(
                f"{path} does not match the network that {problem.name!r} builds for {name!r} with "
                f"the saved config (written by pinnrwf {meta['pinnrwf_version']}): {e}"
            ) from None
        ensembles[name] = eqx.combine(params, static)
    return LoadedRun(problem, config, list(range(meta["seed"], meta["seed"] + meta["seeds"])), ensembles)
