"""Steady flow past a cylinder: the DFG benchmark 2D-1 (Schäfer & Turek 1996), Re = 20.

Steady incompressible Navier–Stokes u·∇u + ∇p − ν Δu = 0, ∇·u = 0 (ρ = 1, ν = 10⁻³) in the channel
[0, 2.2] × [0, 0.41] minus the disk of centre (0.2, 0.2) and radius 0.05; parabolic inflow
u = 4 U_max y (H − y) / H², v = 0 at x = 0 (U_max = 0.3, H = 0.41), no slip on the walls and the
cylinder, do-nothing outflow ν ∂u/∂n − p n = 0 at x = 2.2. Reported from the PINN, against the
benchmark's high-accuracy reference values: the drag and lift coefficients c_D = 2 F_D / (ρ U_mean² D),
c_L = 2 F_L / (ρ U_mean² D) (U_mean = 2 U_max / 3 = 0.2, D = 0.1), with
F_D = ∫_S (ρν ∂u_t/∂n n_y − p n_x) dS and F_L = −∫_S (ρν ∂u_t/∂n n_x + p n_y) dS (n the unit normal
on the circle S pointing into the fluid, t = (n_y, −n_x), u_t = u·t), by the trapezoidal rule on
equispaced points of the circle; and the pressure difference Δp = p(0.15, 0.2) − p(0.25, 0.2).
The residual uses :func:`pinnrwf.pde.equations.navier_stokes` with Re = 1/ν (the forward-Laplacian
plan); the network sees the channel mapped to [−1, 1]².
"""

from __future__ import annotations

import dataclasses
import functools

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from pinnrwf import geometry, pde
from pinnrwf.config import Config, field, int_at_least, nonnegative, positive, positive_int
from pinnrwf.nn import RWF, AbstractEmbedding
from pinnrwf.pde.equations import navier_stokes
from pinnrwf.problem import AbstractProblem, Preset, tanh_mlp
from pinnrwf.reports import Curves, ShapeComparison
from pinnrwf.train import AbstractObjective, Adam, TrainConfig

LENGTH, HEIGHT, U_MAX, RHO = 2.2, 0.41, 0.3, 1.0
CENTER, RADIUS = (0.2, 0.2), 0.05
U_MEAN, DIAMETER = 2 * U_MAX / 3, 2 * RADIUS
#: Schäfer & Turek 1996, test case 2D-1: the high-accuracy reference values
REFERENCE = {"cd": 5.57953523384, "cl": 0.010618948146, "dp": 0.11752016697}
CYLINDER = geometry.Disk(CENTER, RADIUS).named("cylinder")


@functools.cache
def channel() -> geometry.AbstractGeometry:
    """The channel minus the cylinder, parts inflow/outflow/bottom/top and "cylinder" (built on first
    use: a set operation estimates its measure with JAX, which must not run at import)."""
    return geometry.Rectangle((0.0, 0.0), (LENGTH, HEIGHT)).named({"left": "inflow", "right": "outflow"}) - CYLINDER


@dataclasses.dataclass(frozen=True)
class CylinderConfig(Config):
    """The flow (ν), the network, the collocation points and loss weights, the quadrature and the
    figure's points (an ``eval_n`` × ``eval_n``/5 grid's nodes in the fluid and the circle's)."""

    nu: float = field(1e-3, positive, help="kinematic viscosity ν (default: 1e-3, Re = 20)")
    width: int = field(64, positive_int)
    depth: int = field(4, positive_int)
    n_residual: int = field(2048, positive_int, help="interior collocation points per step (default: 2048)")
    n_inflow: int = field(128, positive_int)
    n_walls: int = field(256, positive_int)
    n_cylinder: int = field(128, positive_int)
    n_outflow: int = field(128, positive_int)
    weight_boundary: float = field(10.0, nonnegative)  # inflow, walls and cylinder
    weight_outflow: float = field(1.0, nonnegative)
    weight_residual: float = field(1.0, nonnegative)
    quadrature: int = field(256, int_at_least(8), help="equispaced points on the circle for c_D, c_L (default: 256)")
    eval_n: int = field(221, int_at_least(10))


class ChannelScaling(AbstractEmbedding):
    """The channel [0, 2.2] × [0, 0.41] mapped affinely onto [−1, 1]² (the network's inputs)."""

    in_size: int = eqx.field(static=True, default=2)
    out_size: int = eqx.field(static=True, default=2)

    def __call__(self, x):
        half = jnp.asarray([LENGTH / 2, HEIGHT / 2], x.dtype)
        return (x - half) / half


def inflow(pt):
    """The parabolic profile u = 4 U_max y (H − y) / H², v = 0."""
    return {"u": 4 * U_MAX * pt.y * (HEIGHT - pt.y) / HEIGHT**2, "v": 0.0}


class DoNothing(pde.AbstractTerm):
    """The do-nothing outflow ν ∂u/∂n − p n = 0 on a face x = const with n = e_x: components
    ``"u"`` (ν u_x − p) and ``"v"`` (ν v_x), each the mean square over the points; ν = 1/``Re``,
    the equation's parameter."""

    sampler: pde.AbstractSampler
    weight: float = eqx.field(static=True)

    def components(self, equation):
        return ("u", "v")

    def sample(self, key):
        return self.sampler.sample(key)

    def losses(self, equation, model, batch, params, inputs):
        nu = 1.0 / params["Re"]
        out, jac = jax.vmap(lambda x: (model(x), jax.jacfwd(model)(x)))(batch)  # (n, 3), (n, 3, 2)
        return {"u": jnp.mean((nu * jac[:, 0, 0] - out[:, 2]) ** 2), "v": jnp.mean((nu * jac[:, 1, 0]) ** 2)}, {}


def cylinder_forces(model, nu: float, n: int = 256, rho: float = RHO):
    """(F_D, F_L) on the cylinder (Schäfer & Turek 1996, eq. above) from ``model(x) -> (u, v, p)``:
    the trapezoidal rule on ``n`` equispaced points of the circle, the disk's outward normals
    (those of :class:`pinnrwf.geometry.Disk`, pointing into the fluid)."""
    disk = geometry.Disk(CENTER, RADIUS)
    s = (jnp.arange(n, dtype=float) / n)[:, None]
    points, normals = jax.vmap(lambda u: disk.boundary_point(0, u))(s)
    out, jac = jax.vmap(lambda x: (model(x), jax.jacfwd(model)(x)))(points)
    tangents = jnp.stack([normals[:, 1], -normals[:, 0]], axis=1)
    dut_dn = jnp.einsum("ni,nij,nj->n", tangents, jac[:, :2, :], normals)  # t · (∂u/∂x) n
    p, (nx, ny) = out[:, 2], normals.T
    ds = 2 * jnp.pi * RADIUS / n
    drag = jnp.sum(rho * nu * dut_dn * ny - p * nx) * ds
    lift = -jnp.sum(rho * nu * dut_dn * nx + p * ny) * ds
    return drag, lift


def benchmark_quantities(model, nu: float, n: int = 256) -> dict:
    """c_D, c_L, Δp and their relative errors against :data:`REFERENCE`."""
    drag, lift = cylinder_forces(model, nu, n)
    scale = 2 / (RHO * U_MEAN**2 * DIAMETER)
    front, back = jnp.asarray([CENTER[0] - RADIUS, CENTER[1]]), jnp.asarray([CENTER[0] + RADIUS, CENTER[1]])
    values = {"cd": scale * drag, "cl": scale * lift, "dp": model(front)[2] - model(back)[2]}
    return {**values, **{f"{k}_rel_error": jnp.abs(v - REFERENCE[k]) / abs(REFERENCE[k]) for k, v in values.items()}}


class CylinderObjective(AbstractObjective):
    """The PINN's losses (:class:`pinnrwf.pde.PINNObjective`) and the benchmark's quantities as metrics."""

    pinn: pde.PINNObjective
    nu: float = eqx.field(static=True)
    quadrature: int = eqx.field(static=True)

    def sample(self, key):
        return self.pinn.sample(key)

    def loss_terms(self, model, batch, step):
        return self.pinn.loss_terms(model, batch, step)

    def metrics(self, model):
        return benchmark_quantities(model, self.nu, self.quadrature)


def figure_points(config: CylinderConfig):
    """Points (m, 2) in the fluid for the figures (no reference field: the benchmark gives numbers)."""
    angles = 2 * np.pi * np.arange(128) / 128
    circle = np.stack([CENTER[0] + RADIUS * np.cos(angles), CENTER[1] + RADIUS * np.sin(angles)], axis=1)
    grid = geometry.grid_inside(channel(), (config.eval_n, max(2, round(config.eval_n * HEIGHT / LENGTH))))
    return np.concatenate([grid, circle]), None


class DFGCylinder(AbstractProblem[CylinderConfig]):
    """Schäfer & Turek 1996, 2D-1: c_D, c_L and Δp of the steady flow past a cylinder at Re = 20."""

    name = "dfg-cylinder"
    description = "Steady flow past a cylinder, DFG 2D-1 (Re = 20): errors of c_D, c_L, Δp against the reference"
    presets = {
        "smoke": Preset(
            CylinderConfig(
                width=16,
                depth=2,
                n_residual=64,
                n_inflow=16,
                n_walls=16,
                n_cylinder=16,
                n_outflow=16,
                quadrature=64,
                eval_n=44,
            ),
            TrainConfig(steps=20, chunk_steps=10),
            Adam(decay_steps=1000),
        ),
        # CPU tens of minutes: a 48 × 4 network, 1024 residual points, 3000 steps, 2 seeds
        "quick": Preset(
            CylinderConfig(width=48, n_residual=1024),
            TrainConfig(steps=3000, seeds=2, chunk_steps=500),
            Adam(decay_steps=1000),
        ),
        # our reading of a full run: 128 × 5, 8192 residual points, 10⁵ steps, 3 seeds
        "paper": Preset(
            CylinderConfig(
                width=128,
                depth=5,
                n_residual=8192,
                n_inflow=256,
                n_walls=512,
                n_cylinder=512,
                n_outflow=256,
                quadrature=512,
            ),
            TrainConfig(steps=100_000, seeds=3, chunk_steps=1000),
            Adam(decay_steps=5000),
        ),
    }
    metrics = ("cd", "cl", "dp", "cd_rel_error", "cl_rel_error", "dp_rel_error")
    percent_metrics = frozenset({"cd_rel_error", "cl_rel_error", "dp_rel_error"})
    default_parameterizations = "plain,rwf"
    rwf = RWF(mean=0.5, std=0.1)  # as for the cavity flow (rwf_paper Table 5)
    reports = (
        ShapeComparison(
            figure_points,
            lambda config: channel(),
            ("x", "y", "|u|"),
            "dfg_cylinder_speed.png",
            field=lambda rows: np.hypot(rows[:, 0], rows[:, 1]),
            metric="cd_rel_error",
        ),
        ShapeComparison(
            figure_points,
            lambda config: channel(),
            ("x", "y", "p"),
            "dfg_cylinder_pressure.png",
            field=2,
            metric="dp_rel_error",
        ),
        Curves(("cd_rel_error", "cl_rel_error", "dp_rel_error"), "dfg_cylinder_errors.png"),
    )
    init_model = tanh_mlp(2, 3, embedding=ChannelScaling())

    def objective(self, config, train):
        region = pde.Region(channel(), ("x", "y"))
        no_slip = lambda pt: {"u": 0.0, "v": 0.0}  # noqa: E731
        pinn = pde.PINNObjective(
            navier_stokes(1.0 / config.nu),
            {
                "r": pde.Residual(region.interior(config.n_residual), weight=config.weight_residual),
                "inflow": pde.Dirichlet(
                    inflow, region.boundary(config.n_inflow, part="inflow"), weight=config.weight_boundary
                ),
                "walls": pde.Dirichlet(
                    no_slip, region.boundary(config.n_walls, part=("bottom", "top")), weight=config.weight_boundary
                ),
                "cylinder": pde.Dirichlet(
                    no_slip, region.boundary(config.n_cylinder, part="cylinder"), weight=config.weight_boundary
                ),
                "outflow": DoNothing(
                    sampler=region.boundary(config.n_outflow, part="outflow"), weight=config.weight_outflow
                ),
            },
        )
        return CylinderObjective(pinn, config.nu, config.quadrature)
