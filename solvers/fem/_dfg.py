"""The DFG benchmark "flow around a cylinder", steady case 2D-1 (Schäfer & Turek 1996), Re = 20.

Channel [0, 2.2] × [0, 0.41] minus the disk of radius 0.05 centred at (0.2, 0.2); parts
``"inlet"`` (x = 0, parabolic inflow of maximum 0.3), ``"wall"`` (y = 0 and y = 0.41, no slip),
``"cylinder"`` (no slip) and ``"outlet"`` (x = 2.2, do-nothing); ν = 10⁻³, so with the mean inflow
Ū = 0.2 and the diameter D = 0.1, Re = ŪD/ν = 20. Reported: drag and lift coefficients
c_D, c_L = 2F/(Ū²D) (forces by the volume-integral method) and the pressure difference
Δp = p(0.15, 0.2) − p(0.25, 0.2), with reference values from John & Matthies (2001) / Nabh (1998).
"""

from __future__ import annotations

import time

import numpy as np

from pinnrwf.geometry import Disk, Rectangle

from ._flow import forces, navier_stokes
from ._mesh import triangulate
from ._reference import Reference

HEIGHT, LENGTH, CENTER, RADIUS = 0.41, 2.2, (0.2, 0.2), 0.05
NU, U_MAX = 1e-3, 0.3
U_MEAN, DIAMETER = 2 * U_MAX / 3, 2 * RADIUS
#: reference values of the steady case 2D-1 (drag, lift, pressure difference)
REFERENCE = {"c_D": 5.57953523384, "c_L": 0.010618948146, "delta_p": 0.11752016697}
#: the default mesh: size 0.02 in the channel, 0.002 on the cylinder (≈ 5500 vertices)
DEFAULT_H, DEFAULT_H_CYLINDER = 0.02, 0.002


def geometry():
    channel = Rectangle((0.0, 0.0), (LENGTH, HEIGHT)).named(
        {"left": "inlet", "right": "outlet", "bottom": "wall", "top": "wall"}
    )
    return channel - Disk(CENTER, RADIUS).named("cylinder")


def inflow(x):
    return 4 * U_MAX * x[1] * (HEIGHT - x[1]) / HEIGHT**2


def dfg_2d1(h: float = DEFAULT_H, h_cylinder: float = DEFAULT_H_CYLINDER, *, verbose: bool = False) -> Reference:
    """Solve DFG 2D-1 on a mesh of size ``h``, ``h_cylinder`` on the cylinder. The reference's
    ``report`` holds c_D, c_L, Δp, their relative errors, Newton's iterations and wall times."""
    t0 = time.perf_counter()
    mesh = triangulate(geometry(), h, refine={"cylinder": h_cylinder})
    t_mesh = time.perf_counter() - t0
    ref = navier_stokes(
        mesh, nu=NU, dirichlet={"inlet": (inflow, 0.0), "wall": (0.0, 0.0), "cylinder": (0.0, 0.0)}, verbose=verbose
    )
    fx, fy = forces(ref, "cylinder")
    p = ref.at(np.array([[0.15, 0.2], [0.25, 0.2]]), ["p"])["p"]
    values = {
        "c_D": 2 * fx / (U_MEAN**2 * DIAMETER),
        "c_L": 2 * fy / (U_MEAN**2 * DIAMETER),
        "delta_p": float(p[0] - p[1]),
    }
    report = dict(
        ref.report,
        **values,
        **{f"rel_err_{k}": values[k] / REFERENCE[k] - 1 for k in REFERENCE},
        mesh_seconds=t_mesh,
        seconds=time.perf_counter() - t0,
    )
    return Reference(
        ref.mesh,
        ref.fields,
        ref.degrees,
        pde=ref.pde,
        solver=ref.solver + "; forces by the volume-integral method",
        parameters=dict(ref.parameters, h=h, h_cylinder=h_cylinder, benchmark="DFG 2D-1, Re = 20"),
        report=report,
    )
