"""Inverse problem: identify the viscosity ν of viscous Burgers from sparse noisy observations.

- PDE: u_t + u u_x − ν u_xx = 0 on (x, t) ∈ [0, 1) × [0, 1], periodic in x (the package's
  setting, eq. L.7), with u(x, 0) = A sin 2πx, A = 0.5 and the true viscosity ν* = 0.01: a front
  steepens (max|u_x| ≈ 9) and is smoothed by the viscosity, so the viscous term is a sizeable
  part of the balance (rms ν*|u_xx| ≈ 0.34) and ν is identifiable.
- Data: the package's own solver (:func:`pinnrwf.solvers.burgers.solve`, Fourier pseudo-spectral
  + ETDRK4 on 256 internal points with dt = 10⁻³: 2·10⁻¹¹ from 1024 points / dt = 10⁻⁴) on the
  grid x_j = j/256, t_k = k/100. ``n_observations`` = 1500 distinct grid nodes drawn at random
  (``data_seed``) are observed with Gaussian noise of standard deviation ``noise`` · std(u_obs)
  (noise 0, 0.01, 0.05: 0 %, 1 %, 5 %; the convention of Raissi et al. 2019, §4.1.1). No initial
  or boundary data are given: the observations and the PDE are all the network sees.
- PINN: u_θ = MLP 3 × 32 tanh on [cos 2πx, sin 2πx, t] (exact periodicity, eq. L.9), and
  ν = exp(θ_ν) trained jointly (:class:`pinnrwf.pde.Trainable` with ``positive=True``) from
  ν₀ = 0.05 (5 ν*). Loss λ_d L_data + λ_r L_r (λ = 1, 1), L_data the mean squared misfit at the
  observations (all of them every step), L_r the mean squared residual at ``n_residual`` = 512
  points resampled every step. Adam 3·10⁻³ × 0.9 every 1000 steps, 6000 steps (quick): with
  1·10⁻³ × 0.9 / 2000 ν had not settled by step 6000 (mean over 3 seeds 0.0117 at step 5000,
  ν* = 0.01); with 3·10⁻³ it settles by step ~4000.
- Metrics: ``nu`` (identified value per seed), ``nu_rel_error`` = |ν − ν*| / ν* and ``rel_l2``,
  the relative L² error of u over the whole 256 × 101 grid. The spread of ``nu`` over the seeds
  (``summary.nu.std`` in results.json) is an ensemble estimate of its uncertainty (network
  initialization and collocation points; the noise draw is fixed by ``data_seed``).
- Figures: the ν trajectory of every seed and parameterization against ν*, and the field error.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jax.numpy as jnp
import numpy as np

from pinnrwf import _validation as check
from pinnrwf import pde
from pinnrwf.nn import MLP, RWF, PeriodicEmbedding
from pinnrwf.plotting import runs_field_comparison
from pinnrwf.problem import AbstractProblem, Option, Preset
from pinnrwf.train import Adam, TrainConfig, summarize


@dataclasses.dataclass(frozen=True)
class BurgersInverseConfig:
    """The truth, the observations, the loss and the network (see the module docstring)."""

    nu_true: float = 0.01
    amplitude: float = 0.5  # u(x, 0) = amplitude · sin 2πx
    nu_initial: float = 0.05
    noise: float = 0.0  # Gaussian noise, standard deviation noise · std(u_obs)
    n_observations: int = 1500
    data_seed: int = 0
    width: int = 32
    depth: int = 3
    n_residual: int = 512
    weight_data: float = 1.0
    weight_residual: float = 1.0
    eval_nx: int = 256
    eval_nt: int = 101
    solver_n_internal: int = 256
    solver_dt: float = 1e-3

    def __post_init__(self):
        for name in ("nu_true", "amplitude", "nu_initial", "solver_dt"):
            check.positive_number(name, getattr(self, name))
        check.positive_number("noise", self.noise, allow_zero=True)
        for name in ("width", "depth", "n_residual", "n_observations"):
            check.positive_int(name, getattr(self, name))
        check.positive_int("eval_nx", self.eval_nx, minimum=4)
        check.positive_int("eval_nt", self.eval_nt, minimum=2)
        check.positive_int("solver_n_internal", self.solver_n_internal, minimum=self.eval_nx)
        check.seed("data_seed", self.data_seed)
        for name in ("weight_data", "weight_residual"):
            check.positive_number(name, getattr(self, name), allow_zero=True)
        if self.n_observations > self.eval_nx * self.eval_nt:
            raise ValueError(f"n_observations must be ≤ the {self.eval_nx * self.eval_nt} grid nodes "
                             f"(eval_nx × eval_nt), got {self.n_observations}")


# ------------------------------------------------------------------------- shared with heat-inverse
def add_noise(values: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """``values`` plus Gaussian noise of standard deviation ``noise`` · std(values) (the relative
    noise level of Raissi et al. 2019, §4.1.1: 0.01 is "1 % noise")."""
    return values + noise * np.std(values) * rng.standard_normal(values.shape)


def parameter_figure(results, name: str, initial: float, true_value: float, path: Path, *, label: str) -> Path:
    """The trajectory of the trainable parameter ``name`` (from ``initial``, logged every chunk)
    for every seed and parameterization, against its true value; right: final value per seed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, ax_end) = plt.subplots(1, 2, figsize=(12, 4.2), constrained_layout=True,
                                     gridspec_kw={"width_ratios": [3, 1]})
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (run, r) in enumerate(results.items()):
        steps = np.concatenate([[0], r.history["step"]])
        logged = np.asarray(r.history["diagnostics"][f"param_{name}"])  # (chunks, seeds)
        values = np.concatenate([np.full((1, logged.shape[1]), initial), logged])
        color = colors[i % len(colors)]
        for s in range(values.shape[1]):
            ax.plot(steps, values[:, s], color=color, lw=1.0, alpha=0.8, label=run if s == 0 else None)
        final = np.asarray(r.final_metrics[name])
        ax_end.plot(np.full(final.size, i), final, "o", color=color)
        stats = summarize(final)
        ax_end.errorbar(i + 0.15, stats["mean"], yerr=stats["std"], fmt="s", color=color, capsize=4)
    ax.axhline(true_value, color="k", ls="--", lw=1.2, label=f"true {label} = {true_value:g}")
    ax_end.axhline(true_value, color="k", ls="--", lw=1.2)
    ax.set_yscale("log")
    ax.set(xlabel="step", ylabel=label, title=f"Identified {label} during training (one line per seed)")
    ax.legend(fontsize=8)
    ax_end.set_xticks(range(len(results)), list(results))
    ax_end.set_xlim(-0.5, len(results) - 0.5)
    ax_end.set(ylabel=label, title="final: seeds, mean ± std")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def identified(results, name: str, true_value: float) -> dict:
    """JSON extras: the true value and, per parameterization, the final values per seed."""
    out = {"true": true_value}
    for run, r in results.items():
        values = [float(v) for v in r.final_metrics[name]]
        out[run] = {"per_seed": values, **summarize(values)}
    return out


def inverse_report(results, name: str, label: str, initial: float, true: float, grid, prefix: Path, *,
                   noise: float, n_observations: int) -> dict:
    """The report of an inverse problem: the trajectory of parameter ``name`` per seed against its
    true value (``<prefix>_<name>.png``), the field on ``grid`` = (points, values, shape) against
    the reference (``<prefix>_field.png``), and the identified values per parameterization."""
    points, values, shape = grid
    trajectory = parameter_figure(results, name, initial, true, Path(f"{prefix}_{name}.png"), label=label)
    field = runs_field_comparison(
        results, points, values, shape, extent=(0.0, 1.0, 0.0, 1.0), axis_labels=("x", "t"), field_label="u", path=Path(f"{prefix}_field.png"),
    )
    return {"figures": [str(trajectory), str(field)], name: identified(results, name, true),
            "noise": noise, "n_observations": n_observations}


# ----------------------------------------------------------------------------------------- data
def reference(config: BurgersInverseConfig):
    """Points (n_x·n_t, 2) in (x, t) order, the solver's u there, and the grid shape (n_x, n_t)."""
    from pinnrwf.solvers import burgers as solver

    x = np.arange(config.eval_nx) / config.eval_nx
    t = np.linspace(0.0, 1.0, config.eval_nt)
    u = solver.solve(config.amplitude * np.sin(2 * np.pi * x), nu=config.nu_true, t_eval=t,
                     dt=config.solver_dt, n_internal=config.solver_n_internal).T  # (n_x, n_t)
    xx, tt = np.meshgrid(x, t, indexing="ij")
    return np.stack([xx.ravel(), tt.ravel()], axis=1), u.ravel(), (x.size, t.size)


def equation(nu_initial: float) -> pde.Equation:
    """Burgers (eq. L.7) with a trainable viscosity ν = exp(θ), starting at ``nu_initial``."""
    return pde.Equation(coords=("x", "t"), fields=("u",), params={"nu": pde.Trainable(nu_initial, positive=True)},
                        residual=lambda p: p.u_t + p.u * p.u_x - p.nu * p.u_xx)


def make_objective(config: BurgersInverseConfig) -> pde.PINNObjective:
    points, values, _ = reference(config)
    rng = np.random.default_rng(config.data_seed)
    rows = np.sort(rng.choice(points.shape[0], size=config.n_observations, replace=False))
    obs_points, obs_values = points[rows], add_noise(values[rows], config.noise, rng)
    domain = pde.Domain({"x": (0.0, 1.0), "t": (0.0, 1.0)})
    return pde.PINNObjective(equation(config.nu_initial), {
        "r": pde.Residual(domain.interior(config.n_residual), weight=config.weight_residual),
        "data": pde.DataFit(obs_points, obs_values, "u", weight=config.weight_data),
    }, reference=pde.Reference(points, values, "u", parameters={"nu": config.nu_true}))


class BurgersInverse(AbstractProblem[BurgersInverseConfig]):
    """Identify ν of viscous Burgers from sparse noisy solver data (issue 11 §2)."""

    name = "burgers-inverse"
    description = "Burgers inverse problem: identify ν (true 0.01) from sparse noisy observations"
    presets = {
        "smoke": Preset(BurgersInverseConfig(width=16, depth=2, n_residual=64, n_observations=200,
                                             eval_nx=64, solver_n_internal=256, eval_nt=26),
                        TrainConfig(steps=20, seeds=2, chunk_steps=10)),
        # CPU minutes: 3 seeds x 6000 steps; ν travels from 0.05 to 0.01 in ~4000 steps.
        "quick": Preset(BurgersInverseConfig(), TrainConfig(steps=6000, seeds=3, chunk_steps=250),
                        Adam(3e-3, decay_steps=1000)),
        # no paper setting exists for this problem: a larger network, a longer run, 10 seeds
        "paper": Preset(BurgersInverseConfig(width=64, depth=4, n_residual=1024),
                        TrainConfig(steps=30_000, seeds=10, chunk_steps=1000), Adam(1e-3, decay_steps=2000)),
    }
    metrics = ("nu", "nu_rel_error", "rel_l2")
    percent_metrics = frozenset({"nu_rel_error", "rel_l2"})
    default_parameterizations = "plain,rwf"
    rwf = RWF(mean=1.0, std=0.1)
    options = (
        Option("noise", "observation noise, relative to std(u) (0.01 = 1 %%; default: 0)"),
        Option("n_observations", "number of observed space-time grid nodes (default: 1500)"),
        Option("nu_initial", "initial guess of ν (default: 0.05)"),
        Option("data_seed", "seed of the observation points and noise (default: 0)"),
    )

    def objective(self, config, train):
        return make_objective(config)

    def init_model(self, config, parameterization):
        embedding = PeriodicEmbedding(2, axes=(0,), periods=(1.0,))
        eq = equation(config.nu_initial)
        return lambda key: pde.InverseModel(
            MLP(2, 1, config.width, config.depth, parameterization, activation=jnp.tanh, embedding=embedding, key=key),
            eq)

    def report(self, config, results, out_dir):
        points, values, shape = reference(config)
        return inverse_report(results, "nu", "ν", config.nu_initial, config.nu_true, (points, values, shape),
                              Path(out_dir) / "burgers_inverse", noise=config.noise,
                              n_observations=config.n_observations)
