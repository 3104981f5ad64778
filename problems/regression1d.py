"""1D regression of a Gaussian-random-field sample (rwf_paper §3, Fig. 2, App. D: Fig. 6, Table 2).

Target f ~ GRF with squared-exponential kernel, ℓ = 0.02, on N = 256 uniform points in [0, 1];
MLP 3 × 128 ReLU; full-batch Adam 1e-3 decayed by 0.9 every 5000 steps; loss = MSE.
Compares the parameterizations on MSE, relative weight change and the final NTK spectrum.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from pinnrwf.analysis import ntk_eigenvalues, relative_weight_change
from pinnrwf.config import Config, field, int_at_least, one_of, positive, positive_int, seed
from pinnrwf.nn import ACTIVATIONS, MLP, RWF, AbstractParameterization, LogNormal, LogUniform, Normal, Uniform
from pinnrwf.problem import AbstractProblem, Preset
from pinnrwf.solvers.random_fields import squared_exponential_1d
from pinnrwf.train import AbstractObjective, Adam, TrainConfig, summarize


@dataclasses.dataclass(frozen=True)
class Regression1DConfig(Config):
    """The problem and network (rwf_paper §3)."""

    n_points: int = field(256, int_at_least(2))
    length_scale: float = field(0.02, positive)
    data_seed: int = field(0, seed, help="seed of the GRF target (default: 0)")
    width: int = field(128, positive_int)
    depth: int = field(3, positive_int)
    activation: str = field("relu", one_of(*ACTIVATIONS))
    ntk: bool = field(True, help="the final NTK spectra of every run (--no-ntk skips them)")


class Regression1DObjective(AbstractObjective):
    """Full-batch MSE: L(θ) = 1/N Σ |f_θ(x_i) − f(x_i)|² (no sampling: ``sample`` returns ())."""

    x: Float[Array, " n"]
    y: Float[Array, " n"]

    def predict(self, model) -> Float[Array, " n"]:
        return jax.vmap(model)(self.x[:, None])[:, 0]

    def sample(self, key):
        return ()

    def loss_terms(self, model, batch, step):
        return {"mse": jnp.mean((self.predict(model) - self.y) ** 2)}, {}

    def metrics(self, model):
        err = self.predict(model) - self.y
        return {
            "mse": jnp.mean(err**2),
            "rel_l2": jnp.linalg.norm(err) / jnp.linalg.norm(self.y),
        }


def make_objective(config: Regression1DConfig) -> Regression1DObjective:
    x = np.linspace(0.0, 1.0, config.n_points)
    y = squared_exponential_1d(x, length_scale=config.length_scale, seed=config.data_seed)[0]
    return Regression1DObjective(jnp.asarray(x, jnp.float32), jnp.asarray(y, jnp.float32))


def plot(results, objective, spectra, path: Path) -> Path:
    """Predictions per parameterization; MSE, weight change and (if computed) NTK spectra."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    fig = plt.figure(figsize=(4 * max(len(names), 3), 7.5), constrained_layout=True)
    grid = fig.add_gridspec(2, max(len(names), 3))
    x, y = np.asarray(objective.x), np.asarray(objective.y)
    for i, name in enumerate(names):
        ax = fig.add_subplot(grid[0, i])
        ax.plot(x, y, "k-", lw=1.5, label="target")
        ax.plot(x, np.asarray(objective.predict(results[name].model(0))), "r--", lw=1.2, label="prediction")
        mse = summarize(results[name].final_metrics["mse"])["mean"]
        ax.set_title(f"{name}  (MSE {mse:.2e})")
        ax.set_xlabel("x")
        if i == 0:
            ax.legend(loc="best", fontsize=8)
    ax_mse, ax_w, ax_ntk = (fig.add_subplot(grid[1, j]) for j in range(3))
    for name, r in results.items():
        steps = r.history["metric_step"]
        ax_mse.semilogy(steps, np.mean(r.history["metrics"]["mse"], axis=1), label=name)
        ax_w.plot(steps, np.mean(r.history["metrics"]["weight_change"], axis=1), label=name)
        if name in spectra:
            ev = np.clip(np.asarray(spectra[name]), 1e-12, None)
            ax_ntk.loglog(np.arange(1, ev.size + 1), ev, label=name)
    ax_mse.set(xlabel="step", ylabel="MSE (mean over seeds)", title="Training loss")
    ax_w.set(xlabel="step", ylabel="‖W − W₀‖ / ‖W₀‖", title="Relative weight change")
    ax_ntk.set(xlabel="index", ylabel="eigenvalue",
               title="Empirical NTK spectrum (end, seed 0)" if spectra else "NTK spectrum not computed (--no-ntk)")
    for ax in (ax_mse, ax_w, ax_ntk):
        if ax.has_data():
            ax.legend(fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ----------------------------------------------------------------------------------- studies
def mu_sigma_grid() -> dict[str, AbstractParameterization]:
    """The μ/σ sweep of rwf_paper Fig. 6."""
    return {
        f"rwf(mu={mu:g},sigma={sigma:g})": RWF(mean=mu, std=sigma)
        for sigma in (0.01, 0.1, 0.5, 1.0)
        for mu in (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
    }


def distribution_grid() -> dict[str, AbstractParameterization]:
    """The distribution ablation of rwf_paper Table 2, each tuned to sample s in about [0.8, 1.2],
    plus the variant without the exponential (W = diag(s)·V)."""
    return {
        "Normal(1, 0.1)": RWF(distribution=Normal(1.0, 0.1)),
        "LogNormal(0, 0.1)": RWF(distribution=LogNormal(0.0, 0.1)),
        "Uniform(0.8, 1.2)": RWF(distribution=Uniform(0.8, 1.2)),
        "LogUniform(0.8, 1.2)": RWF(distribution=LogUniform(0.8, 1.2)),
        "Normal(1, 0.1), no exp": RWF(distribution=Normal(1.0, 0.1), exponential=False),
    }


class Regression1D(AbstractProblem[Regression1DConfig]):
    """rwf_paper §3 / Fig. 2 (``--study mu-sigma``: Fig. 6; ``--study distributions``: Table 2)."""

    name = "regression1d"
    description = "1D regression of a GRF sample, MSE / relative L2 / relative weight change"
    presets = {
        "smoke": Preset(Regression1DConfig(n_points=64, width=32), TrainConfig(steps=40, seeds=2, chunk_steps=20)),
        "quick": Preset(Regression1DConfig(), TrainConfig(steps=10_000, seeds=2, chunk_steps=500),
                        Adam(decay_steps=5000)),
        "paper": Preset(Regression1DConfig(), TrainConfig(steps=100_000, seeds=10, chunk_steps=5000),
                        Adam(decay_steps=5000)),
    }
    metrics = ("mse", "rel_l2", "weight_change")
    default_parameterizations = "plain,aa,wn,rwf,wc-row"  # rwf_paper Fig. 2 plus row weight conditioning
    studies = {"mu-sigma": mu_sigma_grid, "distributions": distribution_grid}
    monitor = staticmethod(relative_weight_change)

    def objective(self, config, train):
        return make_objective(config)

    def init_model(self, config, parameterization):
        activation = ACTIVATIONS[config.activation]
        return lambda key: MLP(1, 1, config.width, config.depth, parameterization, activation=activation, key=key)

    def report(self, config, results, out_dir):
        objective = make_objective(config)
        xs = objective.x[:, None]
        spectra = ({name: np.asarray(ntk_eigenvalues(r.model(0), xs)).tolist() for name, r in results.items()}
                   if config.ntk else {})
        figure = plot(results, objective, spectra, Path(out_dir) / "regression1d.png")
        return {"figures": [str(figure)], "ntk_eigenvalues_seed0": spectra}
