"""Dataset generators: sample the input functions (seeded), solve in batches, write atomically.

Each problem is a frozen config dataclass deriving from :class:`AbstractDatasetConfig` (the
registry :data:`CONFIGS` is built from the subclasses) with four methods used by
:func:`generate`: ``coordinates()``, ``sample_inputs(n, seed)``, ``solve(inputs)`` (a batch)
and ``attrs()``. Inputs are drawn in fixed chunks of :data:`INPUT_CHUNK` samples with the child
seeds ``(seed, chunk)``, so a file depends only on (config, n_samples, seed), not on the batch size.

Errors: bad options raise ``ValueError`` naming the option (before any file is touched or any
solving starts); a solver that cannot produce a trustworthy solution raises
:class:`~pinnrwf.solvers.base.SolverError`; either way no file is written.
"""

from __future__ import annotations

import abc
import dataclasses
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from pinnrwf._resources import check_disk, check_memory
from pinnrwf._validation import finite_number, one_of, output_file, positive_int, positive_number
from pinnrwf._validation import seed as check_seed
from pinnrwf.solvers import advection, allen_cahn, burgers, darcy, diffusion_reaction, ldc, random_fields
from pinnrwf.solvers.base import MAX_TIME_STEPS, SolverError, check_time_steps

from .hdf5 import DatasetWriter, open_dataset

INPUT_CHUNK = 256
#: Largest memory one batch of solutions may take unless forced (``force=True``, ``--force``).
MAX_BATCH_BYTES = 2 * 2**30

Label = Callable[[str], str]  # field name -> the name shown in messages ("nx" or "--nx")


def _chunked(sampler: Callable[[int, Any], np.ndarray], n: int, seed: int) -> np.ndarray:
    parts = []
    for c, start in enumerate(range(0, n, INPUT_CHUNK)):
        parts.append(sampler(min(INPUT_CHUNK, n - start), [int(seed), c]))
    return np.concatenate(parts, axis=0)


def _params(cfg) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(cfg).items()}


class AbstractDatasetConfig(abc.ABC):
    """The options of one dataset problem, as a frozen dataclass (subclasses register themselves).

    A subclass declares ``problem`` (its command-line name), ``default_batch``, ``smoke`` (the
    options of a seconds-long instance, for tests and quick checks) and ``deterministic`` (its
    inputs come from the options, so no seed applies and they fix the number of samples), and
    implements ``_check`` (validate and normalise the field values, naming each by ``label``)
    and, where some options apply only with others, ``_unused``.
    """

    problem: ClassVar[str]
    default_batch: ClassVar[int]
    smoke: ClassVar[Mapping[str, Any]]
    deterministic: ClassVar[bool] = False

    def __post_init__(self):
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        given = {f.name for f in dataclasses.fields(self) if values[f.name] != f.default}
        for name, value in self.checked(values, label=str, given=given).items():
            object.__setattr__(self, name, value)

    @classmethod
    def checked(cls, values: Mapping[str, Any], *, label: Label = str, given=()) -> dict[str, Any]:
        """Validate all field values (``given``: the ones the user set); returns them normalised."""
        values = cls._check(dict(values), label)
        unused = {k: why for k, why in cls._unused(values, label).items() if k in given}
        if unused:
            name, why = next(iter(unused.items()))
            raise ValueError(f"{label(name)} does not apply to {cls.problem} {why}")
        return values

    @classmethod
    def from_options(cls, options: Mapping[str, Any], *, label: Label = str):
        """The config with the given options, the rest at their defaults; messages name ``label(field)``."""
        fields = {f.name: f.default for f in dataclasses.fields(cls)}
        unknown = sorted(set(options) - set(fields))
        if unknown:
            raise ValueError(f"unknown options for {cls.problem}: {unknown}; the options are {sorted(fields)}")
        return cls(**cls.checked({**fields, **options}, label=label, given=set(options)))

    @classmethod
    @abc.abstractmethod
    def _check(cls, v: dict[str, Any], label: Label) -> dict[str, Any]: ...

    @classmethod
    def _unused(cls, v: Mapping[str, Any], label: Label) -> dict[str, str]:
        """Options that do not apply given the others: field -> when they would."""
        return {}

    def implied_n_samples(self) -> int | None:
        """The number of samples the options fix (deterministic problems), else None."""
        return None

    def uses_seed(self) -> bool:
        """Whether the inputs are random (else a seed does not apply)."""
        return not self.deterministic

    def time_steps(self, label: Label = str) -> tuple[int, str]:
        """Time steps per sample and the options that set them, in words (0 for steady problems)."""
        return 0, ""

    @abc.abstractmethod
    def sample_floats(self) -> int:
        """Float64 values stored per sample (for the memory estimate of a batch)."""

    @abc.abstractmethod
    def coordinates(self) -> dict[str, np.ndarray]: ...

    @abc.abstractmethod
    def sample_inputs(self, n: int, seed: int) -> dict[str, np.ndarray]: ...

    @abc.abstractmethod
    def solve(self, inputs: Mapping[str, np.ndarray], *, max_steps: int | None = MAX_TIME_STEPS) -> dict: ...

    @abc.abstractmethod
    def attrs(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class AdvectionConfig(AbstractDatasetConfig):
    """u_t + c u_x = 0 on (0, 2π), periodic; exact solution (rwf_paper K.1: c = 50, g = sin x)."""

    c: float = advection.PAPER_C
    nx: int = 256
    nt: int = 101
    t_final: float = 1.0
    ic: str = "grf"  # "grf": spectral GRF N(0, τ²(−Δ+κ²)^−α) on (0, 2π); "sin": g = sin x
    tau: float = 1.0
    kappa: float = 1.0
    alpha: float = 2.0
    problem: ClassVar[str] = "advection"
    default_batch: ClassVar[int] = 256
    smoke: ClassVar[Mapping[str, Any]] = {"nx": 32, "nt": 5}

    @classmethod
    def _check(cls, v, label):
        v["c"] = finite_number(label("c"), v["c"])
        v["nx"], v["nt"] = positive_int(label("nx"), v["nx"], minimum=2), positive_int(label("nt"), v["nt"])
        one_of(label("ic"), v["ic"], ("grf", "sin"))
        for name in ("t_final", "tau", "kappa", "alpha"):
            v[name] = positive_number(label(name), v[name])
        return v

    def uses_seed(self):
        return self.ic == "grf"

    @classmethod
    def _unused(cls, v, label):
        if v["ic"] == "sin":
            return {
                k: f"with {label('ic')} sin (it shapes the GRF initial data of {label('ic')} grf)"
                for k in ("tau", "kappa", "alpha")
            }
        return {}

    def sample_floats(self):
        return (self.nt + 1) * self.nx

    def coordinates(self):
        return {"x": advection.grid(self.nx), "t": np.linspace(0.0, self.t_final, self.nt)}

    def sample_inputs(self, n, seed):
        if self.ic == "sin":
            return {"u0": np.tile(np.sin(advection.grid(self.nx)), (n, 1))}
        return {
            "u0": _chunked(
                lambda m, s: random_fields.spectral_grf_1d(
                    self.nx, tau=self.tau, kappa=self.kappa, alpha=self.alpha, length=2 * np.pi, n_samples=m, seed=s
                ),
                n,
                seed,
            )
        }

    def solve(self, inputs, *, max_steps=MAX_TIME_STEPS):
        return {"tensor": advection.solve_samples(inputs["u0"], c=self.c, t_eval=self.coordinates()["t"]), **inputs}

    def attrs(self):
        return dict(
            pde="u_t + c u_x = 0, x in (0, 2pi) periodic, t in [0, t_final]",
            solver="exact: Fourier phase shift of the trigonometric interpolant of u0 (pinnrwf.solvers.advection)",
            resolution={"nx": self.nx, "nt": self.nt},
        )


@dataclass(frozen=True)
class DiffusionReactionConfig(AbstractDatasetConfig):
    """u_t = D u_xx + k u² + a(x), zero initial/boundary values (rwf_paper L.1)."""

    nx: int = diffusion_reaction.PAPER_NX
    nt: int = diffusion_reaction.PAPER_NT
    t_final: float = 1.0
    diffusivity: float = 0.01
    reaction: float = 0.01
    length_scale: float = 0.2
    substeps: int = 1
    problem: ClassVar[str] = "diffusion-reaction"
    default_batch: ClassVar[int] = 1000
    smoke: ClassVar[Mapping[str, Any]] = {"nx": 21, "nt": 11}

    @classmethod
    def _check(cls, v, label):
        v["nx"], v["nt"] = positive_int(label("nx"), v["nx"], minimum=3), positive_int(label("nt"), v["nt"], minimum=2)
        v["substeps"] = positive_int(label("substeps"), v["substeps"])
        v["reaction"] = finite_number(label("reaction"), v["reaction"])
        for name in ("t_final", "diffusivity", "length_scale"):
            v[name] = positive_number(label(name), v[name])
        return v

    def sample_floats(self):
        return (self.nt + 1) * self.nx

    def time_steps(self, label=str):
        return (self.nt - 1) * self.substeps, f"{label('nt')} {self.nt} with {label('substeps')} {self.substeps}"

    def coordinates(self):
        return {"x": np.linspace(0.0, 1.0, self.nx), "t": np.linspace(0.0, self.t_final, self.nt)}

    def sample_inputs(self, n, seed):
        x = self.coordinates()["x"]
        return {
            "source": _chunked(
                lambda m, s: random_fields.squared_exponential_1d(
                    x, length_scale=self.length_scale, n_samples=m, seed=s
                ),
                n,
                seed,
            )
        }

    def solve(self, inputs, *, max_steps=MAX_TIME_STEPS):
        u = diffusion_reaction.solve(
            inputs["source"],
            diffusivity=self.diffusivity,
            reaction=self.reaction,
            nt=self.nt,
            t_final=self.t_final,
            substeps=self.substeps,
            max_steps=max_steps,
        )
        return {"tensor": u, **inputs}

    def attrs(self):
        return dict(
            pde="u_t = D u_xx + k u^2 + a(x), u(x,0) = 0, u(0,t) = u(1,t) = 0",
            solver="Crank-Nicolson + Newton, central differences (pinnrwf.solvers.diffusion_reaction)",
            resolution={
                "nx": self.nx,
                "nt": self.nt,
                "dt": self.t_final / (self.nt - 1) / self.substeps,
                "substeps": self.substeps,
            },
        )


@dataclass(frozen=True)
class DarcyConfig(AbstractDatasetConfig):
    """−∇·(a∇u) = 1 on (0,1)², u = 0 on the boundary (rwf_paper L.2)."""

    n: int = darcy.PAPER_N
    coefficient: str = "threshold"  # see pinnrwf.solvers.random_fields.darcy_coefficients
    tau: float = 1.0
    kappa: float = 3.0
    alpha: float = 2.0
    high: float = 12.0
    low: float = 3.0
    problem: ClassVar[str] = "darcy"
    default_batch: ClassVar[int] = 100
    smoke: ClassVar[Mapping[str, Any]] = {"n": 17}

    @classmethod
    def _check(cls, v, label):
        v["n"] = positive_int(label("n"), v["n"], minimum=3)
        one_of(label("coefficient"), v["coefficient"], random_fields.DARCY_COEFFICIENT_KINDS)
        for name in ("tau", "kappa", "alpha", "high", "low"):
            v[name] = positive_number(label(name), v[name])
        return v

    @classmethod
    def _unused(cls, v, label):
        if v["coefficient"] != "threshold":
            return {k: f"with {label('coefficient')} {v['coefficient']} (only with threshold)" for k in ("high", "low")}
        return {}

    def sample_floats(self):
        return 2 * self.n * self.n

    def coordinates(self):
        return {"x": darcy.grid(self.n), "y": darcy.grid(self.n)}

    def sample_inputs(self, n, seed):
        levels = dict(high=self.high, low=self.low) if self.coefficient == "threshold" else {}
        return {
            "nu": _chunked(
                lambda m, s: random_fields.darcy_coefficients(
                    self.n,
                    n_samples=m,
                    seed=s,
                    kind=self.coefficient,
                    tau=self.tau,
                    kappa=self.kappa,
                    alpha=self.alpha,
                    **levels,
                ),
                n,
                seed,
            )
        }

    def solve(self, inputs, *, max_steps=MAX_TIME_STEPS):
        return {"tensor": darcy.solve(inputs["nu"]), **inputs}

    def attrs(self):
        return dict(
            pde="-div(a grad u) = 1 on (0,1)^2, u = 0 on the boundary",
            solver="5-point conservative FD with harmonic face averages of a, SuperLU (pinnrwf.solvers.darcy)",
            resolution={"nx": self.n, "ny": self.n},
        )


@dataclass(frozen=True)
class BurgersConfig(AbstractDatasetConfig):
    """u_t + u u_x − ν u_xx = 0, periodic on [0, 1) (rwf_paper L.3).

    ``n_internal`` (the solver's Fourier resolution) defaults to the larger of 1024 and nx.
    """

    nu: float = 0.001
    nx: int = 100
    nt: int = 101
    t_final: float = 1.0
    dt: float = burgers.DEFAULT_DT
    n_internal: int | None = None
    problem: ClassVar[str] = "burgers"
    default_batch: ClassVar[int] = 100
    smoke: ClassVar[Mapping[str, Any]] = {"nx": 32, "nt": 3, "t_final": 0.1, "dt": 1e-3, "n_internal": 64}

    @classmethod
    def _check(cls, v, label):
        v["nx"], v["nt"] = positive_int(label("nx"), v["nx"], minimum=4), positive_int(label("nt"), v["nt"])
        if v["n_internal"] is None:
            v["n_internal"] = max(burgers.DEFAULT_N_INTERNAL, v["nx"])
        v["n_internal"] = positive_int(label("n_internal"), v["n_internal"], minimum=4)
        if v["n_internal"] < v["nx"]:
            raise ValueError(f"{label('n_internal')} must be ≥ {label('nx')} = {v['nx']}, got {v['n_internal']}")
        for name in ("nu", "t_final", "dt"):
            v[name] = positive_number(label(name), v[name])
        return v

    def sample_floats(self):
        return (self.nt + 1) * self.nx

    def time_steps(self, label=str):
        return (
            burgers.count_steps(self.coordinates()["t"], self.dt),
            f"{label('dt')} {self.dt:g} up to {label('t_final')} {self.t_final:g}",
        )

    def coordinates(self):
        return {"x": np.arange(self.nx) / self.nx, "t": np.linspace(0.0, self.t_final, self.nt)}

    def sample_inputs(self, n, seed):
        return {
            "u0": _chunked(lambda m, s: random_fields.burgers_initial_conditions(self.nx, n_samples=m, seed=s), n, seed)
        }

    def solve(self, inputs, *, max_steps=MAX_TIME_STEPS):
        u = burgers.solve(
            inputs["u0"],
            nu=self.nu,
            t_eval=self.coordinates()["t"],
            dt=self.dt,
            n_internal=self.n_internal,
            max_steps=max_steps,
        )
        return {"tensor": u, **inputs}

    def attrs(self):
        return dict(
            pde="u_t + u u_x - nu u_xx = 0, x in [0,1) periodic; u0 ~ GRF (25^2 on the std, (-Lap+25)^-4)",
            solver="Fourier pseudo-spectral (2/3 dealiasing) + ETDRK4, Kassam-Trefethen coefficients "
            "(pinnrwf.solvers.burgers)",
            resolution={"n_internal": self.n_internal, "dt": self.dt, "nx": self.nx, "nt": self.nt},
        )


@dataclass(frozen=True)
class CavityConfig(AbstractDatasetConfig):
    """Steady lid-driven cavity at the given Reynolds numbers (one sample per Re; rwf_paper K.2)."""

    re: tuple[float, ...] = (100.0, 400.0, 1000.0)
    n: int = ldc.DEFAULT_N
    problem: ClassVar[str] = "ldc"
    default_batch: ClassVar[int] = 1
    smoke: ClassVar[Mapping[str, Any]] = {"n": 16, "re": (100.0, 200.0)}
    deterministic: ClassVar[bool] = True

    @classmethod
    def _check(cls, v, label):
        re = v["re"]
        if isinstance(re, (str, bytes)) or np.ndim(re) != 1 or len(re) < 1:
            raise ValueError(f"{label('re')} must list at least one Reynolds number, got {re!r}")
        v["re"] = tuple(positive_number(f"{label('re')}[{i}]", r) for i, r in enumerate(re))
        v["n"] = positive_int(label("n"), v["n"], minimum=4)
        if v["n"] % 2:
            raise ValueError(f"{label('n')} must be even (the centrelines are grid lines), got {v['n']}")
        return v

    def implied_n_samples(self):
        return len(self.re)

    def sample_floats(self):
        return 3 * (self.n + 1) ** 2 + 1

    def coordinates(self):
        x = np.linspace(0.0, 1.0, self.n + 1)
        return {"x": x, "y": x.copy()}

    def sample_inputs(self, n, seed):
        if n != len(self.re):
            raise ValueError(f"n_samples must equal the number of Reynolds numbers ({len(self.re)}), got {n}")
        return {"re": np.asarray(self.re, dtype=np.float64)}

    def solve(self, inputs, *, max_steps=MAX_TIME_STEPS):
        out = {"Vx": [], "Vy": [], "pressure": []}
        for re in inputs["re"]:
            sol = ldc.solve(re=float(re), n=self.n)
            out["Vx"].append(sol.u), out["Vy"].append(sol.v), out["pressure"].append(sol.p)
        return {k: np.stack(v) for k, v in out.items()} | dict(inputs)

    def attrs(self):
        return dict(
            pde="u.grad u + grad p - Lap u / Re = 0, div u = 0 on (0,1)^2; lid u = 1 at y = 1",
            solver="streamfunction-vorticity, 2nd-order central FD, Jensen wall vorticity, Newton + "
            "mesh sequencing; p from least-squares integration of the momentum equation, "
            "gauge: mean(p) = 0 (pinnrwf.solvers.ldc)",
            resolution={"cells": self.n, "nodes": self.n + 1},
        )


@dataclass(frozen=True)
class AllenCahnConfig(AbstractDatasetConfig):
    """u_t = ε u_xx + 5u − 5u³ on [−1, 1) periodic, u(x, 0) = x² cos(πx) (one sample per ε; the
    Expert's Guide / PirateNet benchmark at ε = 10⁻⁴ on its 512 × 201 grid)."""

    epsilon: tuple[float, ...] = (allen_cahn.EPSILON,)
    nx: int = 512
    nt: int = 201
    t_final: float = 1.0
    dt: float = allen_cahn.DEFAULT_DT
    n_internal: int = allen_cahn.DEFAULT_N_INTERNAL
    problem: ClassVar[str] = "allen-cahn"
    default_batch: ClassVar[int] = 1
    smoke: ClassVar[Mapping[str, Any]] = {
        "epsilon": (0.01, 0.02),
        "nx": 32,
        "nt": 5,
        "t_final": 0.1,
        "dt": 1e-3,
        "n_internal": 128,
    }
    deterministic: ClassVar[bool] = True

    @classmethod
    def _check(cls, v, label):
        v["nx"], v["nt"] = positive_int(label("nx"), v["nx"], minimum=4), positive_int(label("nt"), v["nt"])
        v["n_internal"] = positive_int(label("n_internal"), v["n_internal"], minimum=4)
        if v["n_internal"] % v["nx"]:
            raise ValueError(
                f"{label('n_internal')} must be a multiple of {label('nx')} = {v['nx']}, got {v['n_internal']}"
            )
        eps = v["epsilon"]
        if isinstance(eps, (str, bytes)) or np.ndim(eps) != 1 or len(eps) < 1:
            raise ValueError(f"{label('epsilon')} must list at least one diffusion ε, got {eps!r}")
        v["epsilon"] = tuple(positive_number(f"{label('epsilon')}[{i}]", e) for i, e in enumerate(eps))
        for name in ("t_final", "dt"):
            v[name] = positive_number(label(name), v[name])
        return v

    def implied_n_samples(self):
        return len(self.epsilon)

    def sample_floats(self):
        return (self.nt + 1) * self.nx + 1

    def time_steps(self, label=str):
        return (
            allen_cahn.count_steps(self.coordinates()["t"], self.dt),
            f"{label('dt')} {self.dt:g} up to {label('t_final')} {self.t_final:g}",
        )

    def coordinates(self):
        return {"x": allen_cahn.grid(self.nx), "t": np.linspace(0.0, self.t_final, self.nt)}

    def sample_inputs(self, n, seed):
        if n != len(self.epsilon):
            raise ValueError(f"n_samples must equal the number of ε values ({len(self.epsilon)}), got {n}")
        return {"epsilon": np.asarray(self.epsilon, dtype=np.float64)}

    def solve(self, inputs, *, max_steps=MAX_TIME_STEPS):
        u = [
            allen_cahn.solve(
                nx=self.nx,
                t_eval=self.coordinates()["t"],
                epsilon=float(eps),
                dt=self.dt,
                n_internal=self.n_internal,
                max_steps=max_steps,
            )
            for eps in inputs["epsilon"]
        ]
        u0 = allen_cahn.initial_condition(self.coordinates()["x"])
        return {"tensor": np.stack(u), "u0": np.tile(u0, (len(u), 1)), **inputs}

    def attrs(self):
        return dict(
            pde="u_t = eps u_xx + 5u - 5u^3, x in [-1,1) periodic, u0 = x^2 cos(pi x)",
            solver="Fourier pseudo-spectral + ETDRK4, Kassam-Trefethen coefficients, L = -eps k^2 + 5 "
            "(pinnrwf.solvers.allen_cahn)",
            resolution={"n_internal": self.n_internal, "dt": self.dt, "nx": self.nx, "nt": self.nt},
        )


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += ([] if inspect.isabstract(sub) else [sub]) + _subclasses(sub)
    return out


#: problem name -> config class, collected from the subclasses of AbstractDatasetConfig.
CONFIGS: dict[str, type[AbstractDatasetConfig]] = {c.problem: c for c in _subclasses(AbstractDatasetConfig)}


def check_request(
    config: AbstractDatasetConfig,
    *,
    n_samples: int | None,
    seed: int | None,
    batch_size: int | None,
    force: bool = False,
    label: Label = str,
    out: str | Path | None = None,
) -> tuple[int, int, int]:
    """Validate what :func:`generate` is asked for, before any work: returns ``(n_samples, seed,
    batch_size)``; ``None`` takes the default (the implied number of samples, seed 0, the
    problem's batch size). ``label`` names the options in messages (``"--seed"``). Refuses,
    unless ``force``, runs beyond MAX_TIME_STEPS time steps or batches beyond MAX_BATCH_BYTES,
    and (:mod:`pinnrwf._resources`) what cannot fit on this machine: the inputs of all samples
    (drawn before solving) plus one batch of solutions beyond the available memory, or the file
    at ``out`` (its uncompressed size, n_samples × the values of one sample) beyond the free disk."""
    implied = config.implied_n_samples()
    if n_samples is None:
        if implied is None:
            raise ValueError(f"{label('n_samples')} is required for {config.problem}")
        n_samples = implied
    n_samples = positive_int(label("n_samples"), n_samples)
    if implied is not None and n_samples != implied:
        raise ValueError(
            f"{label('n_samples')} must equal the number of inputs the options give ({implied}) "
            f"for {config.problem}, got {n_samples}"
        )
    if not config.uses_seed() and seed is not None and seed != 0:
        raise ValueError(
            f"{label('seed')} does not apply to {config.problem} with these options: its inputs "
            f"come from the options, nothing is random (got {seed!r})"
        )
    seed = 0 if seed is None else check_seed(label("seed"), seed)
    batch = config.default_batch if batch_size is None else positive_int(label("batch_size"), batch_size)
    batch = min(batch, n_samples)
    steps, why = config.time_steps(label)
    check_time_steps(steps, what=f"{config.problem}: {why}", max_steps=None if force else MAX_TIME_STEPS)
    sample_bytes = 8 * config.sample_floats()
    if not force and batch * sample_bytes > MAX_BATCH_BYTES:
        if sample_bytes > MAX_BATCH_BYTES:
            raise ValueError(
                f"one {config.problem} sample takes {sample_bytes / 2**30:.3g} GiB with these grid "
                f"options, beyond the {MAX_BATCH_BYTES / 2**30:g} GiB limit of a batch; choose a "
                f"coarser grid, or force it ({label('force')})"
            )
        raise ValueError(
            f"a batch of {batch} {config.problem} samples takes {batch * sample_bytes / 2**30:.3g} GiB, "
            f"beyond the {MAX_BATCH_BYTES / 2**30:g} GiB limit; choose {label('batch_size')} ≤ "
            f"{MAX_BATCH_BYTES // sample_bytes}, or force it ({label('force')})"
        )
    if not force:
        _check_sizes(config, n_samples, seed, batch, label, out)
    return n_samples, seed, batch


def _check_sizes(
    config: AbstractDatasetConfig, n_samples: int, seed: int, batch: int, label: Label, out: str | Path | None
) -> None:
    what = f"{label('n_samples')} {n_samples} of {config.problem}"
    hint = f"choose a smaller {label('n_samples')}"
    sample_bytes = 8 * config.sample_floats()
    if not config.deterministic:  # (deterministic problems' counts are fixed by their options)
        one = config.sample_inputs(1, seed)  # the inputs of one sample: a single draw, no solving
        input_bytes = sum(np.asarray(v).nbytes for v in one.values())
        check_memory(
            n_samples * input_bytes + batch * sample_bytes,
            device=False,
            hint=hint,
            what=f"{what} (their inputs, drawn at once, and a batch of {batch} solutions)",
        )
    if out is not None:
        check_disk(n_samples * sample_bytes, out, hint=hint, what=f"{what} (the file, uncompressed)")


def generate(
    config: AbstractDatasetConfig,
    out: str | Path,
    *,
    n_samples: int | None = None,
    seed: int | None = None,
    batch_size: int | None = None,
    progress: bool = True,
    overwrite: bool = False,
    force: bool = False,
) -> Path:
    """Generate ``n_samples`` solutions of ``config``'s problem and write them atomically to ``out``.

    Everything is checked before any work (``ValueError``): the counts (``n_samples`` is implied
    by deterministic problems' options), the seed (an integer in [0, 2³² − 1], default 0; a
    non-zero seed is refused where nothing is random: ldc, advection with ic='sin'), the output path (``out`` must not
    be a directory nor, unless ``overwrite``, an existing file; its folder must be creatable and
    writable) and the cost: a batch beyond :data:`MAX_BATCH_BYTES` of memory or a run beyond
    :data:`~pinnrwf.solvers.base.MAX_TIME_STEPS` time steps is refused unless ``force``.
    A :class:`~pinnrwf.solvers.base.SolverError` during solving leaves no file behind.
    """
    if not isinstance(config, AbstractDatasetConfig):
        raise ValueError(f"config must be one of the dataset configs {sorted(CONFIGS)} (make_config), got {config!r}")
    n_samples, seed, batch = check_request(
        config, n_samples=n_samples, seed=seed, batch_size=batch_size, force=force, out=out
    )
    out = output_file("out", out, overwrite=overwrite)
    max_steps = None if force else MAX_TIME_STEPS
    inputs = config.sample_inputs(n_samples, seed)
    attrs = dict(config.attrs(), parameters=_params(config), seed=seed)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n_samples, desc=f"{config.problem} -> {out.name}", unit="sample")
    try:
        with DatasetWriter(
            out, config.problem, n_samples=n_samples, coordinates=config.coordinates(), attrs=attrs, overwrite=overwrite
        ) as writer:
            for start in range(0, n_samples, batch):
                stop = min(n_samples, start + batch)
                try:
                    solved = config.solve({k: v[start:stop] for k, v in inputs.items()}, max_steps=max_steps)
                except SolverError as err:
                    raise SolverError(f"{err} [batch of samples {start}..{stop - 1}, seed {seed}]") from err
                writer.write(start, solved)
                if bar is not None:
                    bar.update(stop - start)
    finally:
        if bar is not None:
            bar.close()
    return out


def command_options(config: AbstractDatasetConfig) -> dict[str, Any]:
    """The options that make ``config`` from the defaults, in field order: a field is listed when its
    value differs from the one the options listed before it give (so normalised defaults, e.g.
    Burgers' ``n_internal``, are left out)."""
    options: dict[str, Any] = {}
    for f in dataclasses.fields(config):
        if getattr(config, f.name) != getattr(type(config).from_options(options), f.name):
            options[f.name] = getattr(config, f.name)
    return options


def _options_text(config: AbstractDatasetConfig) -> str:
    """``command_options(config)`` as command-line text, e.g. `` --re 1000 --n 128``."""
    return "".join(
        f" --{k.replace('_', '-')} "
        + " ".join(f"{x:g}" if isinstance(x, float) else str(x) for x in (v if isinstance(v, tuple) else (v,)))
        for k, v in command_options(config).items()
    )


def generate_command(
    name: str, config: AbstractDatasetConfig, n_samples: int | None, seed: int | None, out: str | Path
) -> str:
    """The ``pinnrwf generate name ...`` command line that writes ``n_samples`` samples of ``config``
    drawn with ``seed`` to ``out`` (``name``: the problem the dataset belongs to). ``None`` leaves
    the count or the seed out (a deterministic dataset's options imply its samples)."""
    counts = "".join(f" --{k} {v}" for k, v in (("n-samples", n_samples), ("seed", seed)) if v is not None)
    return f"pinnrwf generate {name}{counts}{_options_text(config)} --out {out}"


def solved_samples(
    name: str, config: AbstractDatasetConfig, path: str | Path, fields: Sequence[str], *, solve_missing: bool
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The coordinates and ``fields`` (float64, one row per sample) of the samples of a deterministic
    dataset ``config`` (its options give the inputs, e.g. the cavity's Reynolds numbers): read from
    the file ``path``, whose samples with these inputs are taken (any others are left), or, when it
    is missing and ``solve_missing``, solved in memory (the values ``pinnrwf generate`` writes).
    Otherwise ``ValueError`` with the ``pinnrwf generate name`` command that makes the file."""
    if not config.deterministic:
        raise ValueError(f"solved_samples needs a dataset whose options give its inputs, not {config.problem}")
    path = Path(path)
    inputs = config.sample_inputs(config.implied_n_samples(), 0)
    if not path.exists():
        if not solve_missing:
            raise ValueError(
                f"the {name} reference {path} does not exist; make it with "
                f"`{generate_command(name, config, None, None, path)}` or pass --generate-reference "
                "to solve it in memory for this run"
            )
        print(
            f"{name}: {path} not found: solving {config.problem}{_options_text(config)} in memory "
            "(--generate-reference; no file is written)"
        )
        solved = config.solve(inputs)
        return config.coordinates(), {f: solved[f] for f in fields}
    ds = open_dataset(path, dtype=np.float64, problem=config.problem)
    found = {k: ds.load(k).reshape(ds.n_samples, -1) for k in inputs}
    rows = []
    for i in range(len(next(iter(inputs.values())))):
        match = np.flatnonzero(
            np.all([np.isclose(found[k], np.reshape(v[i], -1)).all(axis=1) for k, v in inputs.items()], axis=0)
        )
        if match.size == 0:
            wanted = ", ".join(f"{k} = {np.asarray(v[i]).tolist()}" for k, v in inputs.items())
            held = ", ".join(f"{k} = {found[k].squeeze(axis=1).tolist()}" for k in inputs if found[k].shape[1] == 1)
            raise ValueError(f"{path} has no sample with {wanted}" + (f" (it has {held})" if held else ""))
        rows.append(int(match[0]))
    return ds.coordinates, {f: np.concatenate([ds.load(f, slice(r, r + 1)) for r in rows]) for f in fields}


def make_config(problem: str, **options) -> AbstractDatasetConfig:
    """The config of ``problem`` with the given options (unknown options raise ValueError)."""
    one_of("problem", problem, sorted(CONFIGS))
    return CONFIGS[problem].from_options(options)


__all__ = [
    "AbstractDatasetConfig",
    "AdvectionConfig",
    "BurgersConfig",
    "CavityConfig",
    "CONFIGS",
    "DarcyConfig",
    "DiffusionReactionConfig",
    "MAX_BATCH_BYTES",
    "check_request",
    "command_options",
    "generate",
    "generate_command",
    "make_config",
    "solved_samples",
]
