"""Allen–Cahn u_t − ε u_xx + 5u³ − 5u = 0, ε = 10⁻⁴, x ∈ [−1, 1) periodic, t ∈ [0, 1], u(x, 0) = x² cos(πx).

The benchmark of "An Expert's Guide to Training PINNs" (Wang, Sankaran, Wang & Perdikaris 2023; relative L²
5.37·10⁻⁵, and in its ablation 5.84·10⁻⁴ with RWF against 6.62·10⁻³ without) and of PirateNets (2.24·10⁻⁵). Its
recipe as read from the Guide: periodic embedding [cos πx, sin πx, t] (exact periodicity), Gaussian Fourier
features of it, a modified MLP, RWF, causal weighting of the residual over time chunks, grad-norm weights;
Adam with exponential decay. Each ingredient is a config field here. Reference: the package's ETDRK4 solver on
the 512 × 201 grid (``pinnrwf generate allen-cahn``; solved in memory, ≈ 10 s, when the file is missing).
"""

import dataclasses
import functools
import math
from pathlib import Path

import jax
import jax.numpy as jnp

from pinnrwf import pde
from pinnrwf.config import Config, field, nonnegative, one_of, positive, positive_int
from pinnrwf.datasets import generate
from pinnrwf.nn import MLP, Chain, FourierFeatures, ModifiedMLP, PeriodicEmbedding, PirateNet, least_squares_readout
from pinnrwf.problem import AbstractProblem, Preset
from pinnrwf.reports import FieldComparison
from pinnrwf.train import Adam, GradNormWeighting, TrainConfig


@dataclasses.dataclass(frozen=True)
class AllenCahnConfig(Config):
    epsilon: float = field(1e-4, positive, help="diffusion ε (default: 1e-4)")
    architecture: str = field(
        "modified",
        one_of("mlp", "modified", "piratenet"),
        flag="--arch",
        help="MLP, modified MLP, or PirateNet (depth = residual blocks, width = 2 × "
        "fourier_features, last layer fitted to u(x, 0) for all t) (default: modified)",
    )
    width: int = field(256, positive_int)
    depth: int = field(4, positive_int)
    # σ of nn.FourierFeatures, γ = [cos 2πBz, sin 2πBz]: 1/π is the Guide's scale 2 (its features omit the 2π)
    fourier_scale: float = field(
        1 / math.pi, nonnegative, help="σ of the Fourier features of the periodic embedding, 0: none (default: 1/π)"
    )
    fourier_features: int = field(128, positive_int)
    n_residual: int = field(4096, positive_int)
    n_initial: int = field(512, positive_int)
    weight_ic: float = field(100.0, nonnegative)
    weight_residual: float = field(1.0, nonnegative)
    causal: bool = field(True, help="causal weighting of the residual over time chunks")
    causal_chunks: int = field(32, positive_int)
    causal_epsilon: float = field(1.0, nonnegative)
    reference_dt: float = field(1e-4, positive)
    reference_n_internal: int = field(2048, positive_int)
    reference_nx: int = field(512, positive_int)
    reference_nt: int = field(201, positive_int)
    reference: Path | None = field(None, help="`pinnrwf generate allen-cahn` file (default: solved in memory)")

    def __check_init__(self):
        if self.architecture == "piratenet" and (not self.fourier_scale or self.width != 2 * self.fourier_features):
            raise ValueError(
                f"architecture 'piratenet' starts its blocks from the Fourier features: it needs "
                f"fourier_scale > 0 and width = 2 × fourier_features ({2 * self.fourier_features}), "
                f"got fourier_scale={self.fourier_scale}, width={self.width}"
            )


def _initial_condition(x):
    """u(x, 0) = x² cos(πx)."""
    return x**2 * jnp.cos(jnp.pi * x)


@functools.cache
def evaluation_grid(config: AllenCahnConfig):
    """Points (nx·nt, 2) in (x, t) order, the ETDRK4 reference there, grid shape (cached)."""
    dataset = generate.AllenCahnConfig(
        epsilon=(config.epsilon,),
        nx=config.reference_nx,
        nt=config.reference_nt,
        dt=config.reference_dt,
        n_internal=config.reference_n_internal,
    )
    xt, u = generate.solved_samples(
        "allen-cahn",
        dataset,
        config.reference or Path("data/allen_cahn_reference.h5"),
        ("tensor",),
        solve_missing=config.reference is None,
    )
    points, shape = pde.grid_points(xt["x"], xt["t"])
    return points, u["tensor"][0].T.ravel(), shape


class AllenCahn(AbstractProblem[AllenCahnConfig]):
    """The Allen–Cahn benchmark (``pinnrwf generate allen-cahn`` writes its reference)."""

    name = "allen-cahn"
    description = "Allen–Cahn u_t = 1e-4 u_xx + 5u − 5u³ (periodic), relative L2 error"
    presets = {
        "smoke": Preset(
            AllenCahnConfig(
                epsilon=0.01,
                width=16,
                depth=2,
                fourier_features=8,
                n_residual=64,
                n_initial=16,
                causal_chunks=4,
                reference_dt=1e-3,
                reference_n_internal=128,
                reference_nx=32,
                reference_nt=11,
            ),
            TrainConfig(steps=20, chunk_steps=10),
        ),
        "quick": Preset(
            AllenCahnConfig(width=128, depth=4, fourier_features=64, n_residual=1024, n_initial=256),
            TrainConfig(steps=5000, seeds=2, chunk_steps=250, loss_weighting=GradNormWeighting(update_every=500)),
            Adam(decay_steps=2000),
        ),
        "paper": Preset(
            AllenCahnConfig(),
            TrainConfig(steps=300_000, seeds=3, chunk_steps=1000, loss_weighting=GradNormWeighting(update_every=1000)),
            Adam(decay_steps=5000),
        ),
    }
    metrics = ("rel_l2",)
    percent_metrics = frozenset(metrics)
    dataset = generate.AllenCahnConfig
    reports = (FieldComparison(evaluation_grid, (-1.0, 1.0, 0.0, 1.0), ("x", "t", "u"), "allen_cahn.png"),)

    def init_model(self, config, parameterization):
        network = {"mlp": MLP, "modified": ModifiedMLP, "piratenet": PirateNet}[config.architecture]
        periodic = PeriodicEmbedding(2, axes=(0,), periods=(2.0,))  # (x, t) ↦ [cos πx, sin πx, t]

        def init(key):
            k_features, k_network = jax.random.split(key)
            embedding = (
                periodic
                if not config.fourier_scale
                else Chain(periodic, FourierFeatures(3, config.fourier_features, config.fourier_scale, key=k_features))
            )
            model = network(
                2,
                1,
                config.width,
                config.depth,
                parameterization,
                activation=jnp.tanh,
                embedding=embedding,
                key=k_network,
            )
            if config.architecture == "piratenet":
                # physics-informed initialisation: the last layer fits u(x, 0) extended constant in time, by
                # least squares on a grid (fitting t = 0 alone leaves the net wild at t > 0)
                x, t = jnp.meshgrid(jnp.linspace(-1.0, 1.0, config.n_initial), jnp.linspace(0.0, 1.0, 16))
                model = least_squares_readout(
                    model,
                    jnp.stack([x.ravel(), t.ravel()], axis=1),
                    _initial_condition(x.ravel()),
                    key=jax.random.fold_in(key, 1),
                )
            return model

        return init

    def objective(self, config, train):
        domain = pde.Domain({"x": (-1.0, 1.0), "t": (0.0, 1.0)})
        causal = pde.Causal(config.causal_chunks, config.causal_epsilon) if config.causal else None
        points, values, _ = evaluation_grid(config)
        return pde.PINNObjective(
            pde.equations.allen_cahn(config.epsilon),
            {
                "ic": pde.InitialCondition(
                    lambda pt: _initial_condition(pt.x), domain.initial(config.n_initial), weight=config.weight_ic
                ),
                "r": pde.Residual(domain.interior(config.n_residual), weight=config.weight_residual, causal=causal),
            },
            reference=pde.Reference(points, values, "u"),
        )
