"""Benchmark problems, installed as :mod:`pinnrwf.problems`.

Each module states one problem (a final :class:`pinnrwf.problem.AbstractProblem` subclass);
:func:`registry` finds them all by importing every module of this package, so a new problem is
one new module and nothing else (no list to edit here, in the CLI or in the tests).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil

from pinnrwf.problem import AbstractProblem, check_problem


@functools.cache
def registry() -> dict[str, AbstractProblem]:
    """``{name: problem}`` for every concrete problem class defined in this package, by name."""
    found: dict[str, AbstractProblem] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, AbstractProblem) and cls.__module__ == module.__name__ and not inspect.isabstract(cls):
                problem = check_problem(cls())
                if problem.name in found:
                    raise ValueError(f"two problems are named {problem.name!r}: {type(found[problem.name])} and {cls}")
                found[problem.name] = problem
    return dict(sorted(found.items()))


def get(name: str) -> AbstractProblem:
    """The registered problem called ``name`` (``ValueError`` listing the known names otherwise)."""
    problems = registry()
    if name not in problems:
        raise ValueError(f"unknown problem {name!r}; known problems: {', '.join(problems)}")
    return problems[name]
