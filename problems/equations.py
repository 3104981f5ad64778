"""Compatibility path: the benchmark PDEs live in :mod:`pinnrwf.pde.equations`."""

from pinnrwf.pde.equations import advection, burgers, darcy, diffusion_reaction, navier_stokes

__all__ = ["advection", "burgers", "darcy", "diffusion_reaction", "navier_stokes"]
