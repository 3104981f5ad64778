"""Dataset generators: sample the input functions (seeded), solve in batches, write atomically.

Each problem is a frozen config dataclass with four methods used by :func:`generate`:
``coordinates()``, ``sample_inputs(n, seed)``, ``solve(inputs)`` (a batch) and ``attrs()``.
Inputs are drawn in fixed chunks of :data:`INPUT_CHUNK` samples with the child seeds
``(seed, chunk)``, so a file depends only on (config, n_samples, seed), not on the batch size.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from pinnrwf.solvers import advection, burgers, darcy, diffusion_reaction, ldc, random_fields

from pinnrwf.solvers.base import check_finite_scalar, check_int, check_positive

from .hdf5 import DatasetWriter

INPUT_CHUNK = 256


def _chunked(sampler: Callable[[int, Any], np.ndarray], n: int, seed: int) -> np.ndarray:
    parts = []
    for c, start in enumerate(range(0, n, INPUT_CHUNK)):
        parts.append(sampler(min(INPUT_CHUNK, n - start), [int(seed), c]))
    return np.concatenate(parts, axis=0)


def _params(cfg) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(cfg).items()}


@dataclass(frozen=True)
class AdvectionConfig:
    """u_t + c u_x = 0 on (0, 2π), periodic; exact solution (rwf_paper K.1: c = 50, g = sin x)."""

    c: float = advection.PAPER_C
    nx: int = 256
    nt: int = 101
    t_final: float = 1.0
    ic: str = "grf"  # "grf": spectral GRF N(0, τ²(−Δ+κ²)^−α) on (0, 2π); "sin": g = sin x
    tau: float = 1.0
    kappa: float = 1.0
    alpha: float = 2.0
    problem = "advection"
    default_batch = 256

    def __post_init__(self):
        if self.ic not in ("grf", "sin"):
            raise ValueError(f"ic must be 'grf' or 'sin', got {self.ic!r}")
        check_finite_scalar("c", self.c), check_int("nx", self.nx, 2), check_int("nt", self.nt, 1)
        for name in ("t_final", "tau", "kappa", "alpha"):
            check_positive(name, getattr(self, name))

    def coordinates(self):
        return {"x": advection.grid(self.nx), "t": np.linspace(0.0, self.t_final, self.nt)}

    def sample_inputs(self, n, seed):
        if self.ic == "sin":
            return {"u0": np.tile(np.sin(advection.grid(self.nx)), (n, 1))}
        return {"u0": _chunked(lambda m, s: random_fields.spectral_grf_1d(
            self.nx, tau=self.tau, kappa=self.kappa, alpha=self.alpha, length=2 * np.pi, n_samples=m, seed=s), n, seed)}

    def solve(self, inputs):
        return {"tensor": advection.solve_samples(inputs["u0"], c=self.c, t_eval=self.coordinates()["t"]), **inputs}

    def attrs(self):
        return dict(pde="u_t + c u_x = 0, x in (0, 2pi) periodic, t in [0, t_final]",
                    solver="exact: Fourier phase shift of the trigonometric interpolant of u0 (pinnrwf.solvers.advection)",
                    resolution={"nx": self.nx, "nt": self.nt})


@dataclass(frozen=True)
class DiffusionReactionConfig:
    """u_t = D u_xx + k u² + a(x), zero initial/boundary values (rwf_paper L.1)."""

    nx: int = diffusion_reaction.PAPER_NX
    nt: int = diffusion_reaction.PAPER_NT
    t_final: float = 1.0
    diffusivity: float = 0.01
    reaction: float = 0.01
    length_scale: float = 0.2
    substeps: int = 1
    problem = "diffusion-reaction"
    default_batch = 1000

    def __post_init__(self):
        check_int("nx", self.nx, 3), check_int("nt", self.nt, 2), check_int("substeps", self.substeps, 1)
        check_finite_scalar("reaction", self.reaction)
        for name in ("t_final", "diffusivity", "length_scale"):
            check_positive(name, getattr(self, name))

    def coordinates(self):
        return {"x": np.linspace(0.0, 1.0, self.nx), "t": np.linspace(0.0, self.t_final, self.nt)}

    def sample_inputs(self, n, seed):
        x = self.coordinates()["x"]
        return {"source": _chunked(lambda m, s: random_fields.squared_exponential_1d(
            x, length_scale=self.length_scale, n_samples=m, seed=s), n, seed)}

    def solve(self, inputs):
        u = diffusion_reaction.solve(inputs["source"], diffusivity=self.diffusivity, reaction=self.reaction,
                                     nt=self.nt, t_final=self.t_final, substeps=self.substeps)
        return {"tensor": u, **inputs}

    def attrs(self):
        return dict(pde="u_t = D u_xx + k u^2 + a(x), u(x,0) = 0, u(0,t) = u(1,t) = 0",
                    solver="Crank-Nicolson + Newton, central differences (pinnrwf.solvers.diffusion_reaction)",
                    resolution={"nx": self.nx, "nt": self.nt, "dt": self.t_final / (self.nt - 1) / self.substeps,
                                "substeps": self.substeps})


@dataclass(frozen=True)
class DarcyConfig:
    """−∇·(a∇u) = 1 on (0,1)², u = 0 on the boundary (rwf_paper L.2)."""

    n: int = darcy.PAPER_N
    coefficient: str = "threshold"  # see pinnrwf.solvers.random_fields.darcy_coefficients
    tau: float = 1.0
    kappa: float = 3.0
    alpha: float = 2.0
    high: float = 12.0
    low: float = 3.0
    problem = "darcy"
    default_batch = 100

    def __post_init__(self):
        check_int("n", self.n, 3)
        if self.coefficient not in random_fields.DARCY_COEFFICIENT_KINDS:
            raise ValueError(f"coefficient must be one of {random_fields.DARCY_COEFFICIENT_KINDS}, got {self.coefficient!r}")
        for name in ("tau", "kappa", "alpha", "high", "low"):
            check_positive(name, getattr(self, name))

    def coordinates(self):
        return {"x": darcy.grid(self.n), "y": darcy.grid(self.n)}

    def sample_inputs(self, n, seed):
        return {"nu": _chunked(lambda m, s: random_fields.darcy_coefficients(
            self.n, n_samples=m, seed=s, kind=self.coefficient, tau=self.tau, kappa=self.kappa,
            alpha=self.alpha, high=self.high, low=self.low), n, seed)}

    def solve(self, inputs):
        return {"tensor": darcy.solve(inputs["nu"]), **inputs}

    def attrs(self):
        return dict(pde="-div(a grad u) = 1 on (0,1)^2, u = 0 on the boundary",
                    solver="5-point conservative FD with harmonic face averages of a, SuperLU (pinnrwf.solvers.darcy)",
                    resolution={"nx": self.n, "ny": self.n})


@dataclass(frozen=True)
class BurgersConfig:
    """u_t + u u_x − ν u_xx = 0, periodic on [0, 1) (rwf_paper L.3)."""

    nu: float = 0.001
    nx: int = 100
    nt: int = 101
    t_final: float = 1.0
    dt: float = burgers.DEFAULT_DT
    n_internal: int = burgers.DEFAULT_N_INTERNAL
    problem = "burgers"
    default_batch = 100

    def __post_init__(self):
        check_int("nx", self.nx, 4), check_int("nt", self.nt, 1)
        if check_int("n_internal", self.n_internal, 4) < self.nx:
            raise ValueError(f"n_internal must be >= nx = {self.nx}, got {self.n_internal}")
        for name in ("nu", "t_final", "dt"):
            check_positive(name, getattr(self, name))

    def coordinates(self):
        return {"x": np.arange(self.nx) / self.nx, "t": np.linspace(0.0, self.t_final, self.nt)}

    def sample_inputs(self, n, seed):
        return {"u0": _chunked(lambda m, s: random_fields.burgers_initial_conditions(self.nx, n_samples=m, seed=s),
                               n, seed)}

    def solve(self, inputs):
        u = burgers.solve(inputs["u0"], nu=self.nu, t_eval=self.coordinates()["t"], dt=self.dt,
                          n_internal=self.n_internal)
        return {"tensor": u, **inputs}

    def attrs(self):
        return dict(pde="u_t + u u_x - nu u_xx = 0, x in [0,1) periodic; u0 ~ GRF (25^2 on the std, (-Lap+25)^-4)",
                    solver="Fourier pseudo-spectral (2/3 dealiasing) + ETDRK4, Kassam-Trefethen coefficients "
                           "(pinnrwf.solvers.burgers)",
                    resolution={"n_internal": self.n_internal, "dt": self.dt, "nx": self.nx, "nt": self.nt})


@dataclass(frozen=True)
class CavityConfig:
    """Steady lid-driven cavity at the given Reynolds numbers (one sample per Re; rwf_paper K.2)."""

    re: tuple[float, ...] = (100.0, 400.0, 1000.0)
    n: int = ldc.DEFAULT_N
    problem = "ldc"
    default_batch = 1

    def __post_init__(self):
        if len(self.re) < 1:
            raise ValueError("re must list at least one Reynolds number")
        for r in self.re:
            check_positive("re", r)
        if check_int("n", self.n, 4) % 2:
            raise ValueError(f"n must be even, got {self.n}")

    def coordinates(self):
        x = np.linspace(0.0, 1.0, self.n + 1)
        return {"x": x, "y": x.copy()}

    def sample_inputs(self, n, seed):
        if n != len(self.re):
            raise ValueError(f"n_samples must equal the number of Reynolds numbers ({len(self.re)}), got {n}")
        return {"re": np.asarray(self.re, dtype=np.float64)}

    def solve(self, inputs):
        out = {"Vx": [], "Vy": [], "pressure": []}
        for re in inputs["re"]:
            sol = ldc.solve(re=float(re), n=self.n)
            out["Vx"].append(sol.u), out["Vy"].append(sol.v), out["pressure"].append(sol.p)
        return {k: np.stack(v) for k, v in out.items()} | inputs

    def attrs(self):
        return dict(pde="u.grad u + grad p - Lap u / Re = 0, div u = 0 on (0,1)^2; lid u = 1 at y = 1",
                    solver="streamfunction-vorticity, 2nd-order central FD, Jensen wall vorticity, Newton + "
                           "mesh sequencing; p from least-squares integration of the momentum equation, "
                           "gauge: mean(p) = 0 (pinnrwf.solvers.ldc)",
                    resolution={"cells": self.n, "nodes": self.n + 1})


CONFIGS = {c.problem: c for c in (AdvectionConfig, DiffusionReactionConfig, DarcyConfig, BurgersConfig, CavityConfig)}


def generate(config, out: str | Path, *, n_samples: int, seed: int = 0, batch_size: int | None = None,
             progress: bool = True, overwrite: bool = False) -> Path:
    """Generate ``n_samples`` solutions of ``config``'s problem and write them atomically to ``out``."""
    n_samples = int(n_samples)
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples}")
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    batch = int(batch_size or config.default_batch)
    if batch < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    out = Path(out)
    if out.exists() and not overwrite:
        raise FileExistsError(f"{out} exists (use --overwrite to replace it)")
    inputs = config.sample_inputs(n_samples, seed)
    attrs = dict(config.attrs(), parameters=_params(config), seed=int(seed))
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n_samples, desc=f"{config.problem} -> {out.name}", unit="sample")
    with DatasetWriter(out, config.problem, n_samples=n_samples, coordinates=config.coordinates(),
                       attrs=attrs, overwrite=overwrite) as writer:
        for start in range(0, n_samples, batch):
            stop = min(n_samples, start + batch)
            writer.write(start, config.solve({k: v[start:stop] for k, v in inputs.items()}))
            if bar is not None:
                bar.update(stop - start)
    if bar is not None:
        bar.close()
    return out


def make_config(problem: str, **options) -> Any:
    """The config of ``problem`` with the given options (unknown options raise ValueError)."""
    if problem not in CONFIGS:
        raise ValueError(f"problem must be one of {sorted(CONFIGS)}, got {problem!r}")
    cls = CONFIGS[problem]
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(options) - names
    if unknown:
        raise ValueError(f"unknown options for {problem}: {sorted(unknown)}")
    return cls(**options)


__all__ = ["AdvectionConfig", "BurgersConfig", "CavityConfig", "CONFIGS", "DarcyConfig",
           "DiffusionReactionConfig", "generate", "make_config"]
