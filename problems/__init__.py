"""Benchmark problems, installed as :mod:`pinnrwf.problems`.

Each module states one problem (a final :class:`pinnrwf.problem.AbstractProblem` subclass);
:func:`registry` finds them all (and those that installed packages register under the
``pinnrwf.problems`` entry-point group), so a new problem is one new module and nothing else.
See :mod:`pinnrwf.registry`.
"""

from pinnrwf.registry import get, registry

__all__ = ["get", "registry"]
