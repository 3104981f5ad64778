"""Finite-element references on any 2D geometry: Triangle meshes, scikit-fem assembly, float64.

Needs the ``fem`` extra (``pip install "pinnrwf[fem]"``: scikit-fem and triangle).

- :func:`triangulate` a :mod:`pinnrwf.geometry` shape into a :class:`skfem.MeshTri` whose
  ``boundaries`` are the geometry's named parts (size field, refinement near parts);
- :func:`poisson` (Poisson/Helmholtz; Dirichlet, Neumann, Robin), :func:`heat` (θ-scheme),
  :func:`stokes` and :func:`navier_stokes` (Taylor–Hood P2/P1, Newton) return a :class:`Reference`;
- :func:`interpolate` a reference onto any points (a PINN's own evaluation points);
- :mod:`dfg`: the DFG 2D-1 cylinder benchmark (c_D, c_L, Δp);
- :func:`pinnrwf.datasets.fem.write_reference` / ``read_reference``: the HDF5 file.
"""

try:
    import skfem as _skfem  # noqa: F401
    import triangle as _triangle  # noqa: F401
except ImportError as err:  # pragma: no cover - depends on the installation
    raise ImportError(f"pinnrwf.solvers.fem needs the fem extra: pip install 'pinnrwf[fem]' ({err})") from None

from . import _dfg as dfg
from ._flow import forces, navier_stokes, stokes
from ._mesh import MeshError, boundary_segments, triangulate
from ._reference import Reference, interpolate, lagrange_basis
from ._scalar import heat, poisson

__all__ = [
    "dfg",
    "MeshError",
    "Reference",
    "boundary_segments",
    "forces",
    "heat",
    "interpolate",
    "lagrange_basis",
    "navier_stokes",
    "poisson",
    "stokes",
    "triangulate",
]
