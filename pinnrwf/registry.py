"""Where problems come from: pinnrwf's own, installed packages' and the user's files.

- **Built-in**: every module of :mod:`pinnrwf.problems` (a new problem there is one new module).
- **Installed packages** register problems under the entry-point group ``pinnrwf.problems``, in
  their ``pyproject.toml``::

      [project.entry-points."pinnrwf.problems"]
      heat = "mypackage.heat:Heat"          # a problem class: its ``name`` must be "heat"
      mine = "mypackage.problems"           # or a module: every problem class it defines

- **A file**: ``pinnrwf run path/to/my_problem.py`` (or ``path.py:ClassName`` when the file
  defines several problems) loads the module from that path, from any folder.

Problem modules are imported by name or path here, when first asked for, so the library never
imports its experiments. A problem name defined twice, or a package whose entry point fails to
load, is a ``ValueError`` naming both sources (never a silent choice).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import inspect
import pkgutil
import sys
import types
from importlib.metadata import entry_points
from pathlib import Path

from pinnrwf.problem import AbstractProblem, check_problem

BUILTIN_PACKAGE = "pinnrwf.problems"
ENTRY_POINT_GROUP = "pinnrwf.problems"


def problems_in_module(module: types.ModuleType) -> list[AbstractProblem]:
    """One instance of every concrete problem class that ``module`` itself defines, by class name."""
    found = []
    for _, cls in sorted(inspect.getmembers(module, inspect.isclass)):
        if issubclass(cls, AbstractProblem) and cls.__module__ == module.__name__ and not inspect.isabstract(cls):
            found.append(check_problem(cls()))
    return found


def _builtin() -> list[tuple[AbstractProblem, str]]:
    package = importlib.import_module(BUILTIN_PACKAGE)
    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{BUILTIN_PACKAGE}.{info.name}")
        found += [(p, f"module {module.__name__}") for p in problems_in_module(module)]
    return found


def _from_entry_points() -> list[tuple[AbstractProblem, str]]:
    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        dist = getattr(ep.dist, "name", None) or "an installed package"
        source = f"entry point {ep.name} = {ep.value} ({dist})"
        if ep.value.partition(":")[0].strip() == BUILTIN_PACKAGE or ep.value.startswith(BUILTIN_PACKAGE + "."):
            continue  # pinnrwf's own problems are found by module
        try:
            obj = ep.load()
        except Exception as e:  # noqa: BLE001 - any import failure of a plugin, named in one line
            raise ValueError(f"{source} of group {ENTRY_POINT_GROUP!r} failed to load: {type(e).__name__}: {e}") from e
        if isinstance(obj, types.ModuleType):
            problems = problems_in_module(obj)
            if not problems:
                raise ValueError(f"{source}: the module defines no concrete pinnrwf.problem.AbstractProblem subclass")
        elif inspect.isclass(obj) and issubclass(obj, AbstractProblem):
            problems = [check_problem(obj())]
            if problems[0].name != ep.name:
                raise ValueError(f"{source}: the entry point's name must be the problem's name {problems[0].name!r}")
        else:
            raise ValueError(
                f"{source} must name a pinnrwf.problem.AbstractProblem subclass or a module of them, got {obj!r}"
            )
        found += [(p, source) for p in problems]
    return found


@functools.cache
def _registry_with_sources() -> dict[str, tuple[AbstractProblem, str]]:
    found: dict[str, tuple[AbstractProblem, str]] = {}
    for problem, source in [*_builtin(), *_from_entry_points()]:
        if problem.name in found:
            raise ValueError(
                f"two problems are named {problem.name!r}: from {found[problem.name][1]} and from {source}"
            )
        found[problem.name] = (problem, source)
    return dict(sorted(found.items()))


def registry() -> dict[str, AbstractProblem]:
    """``{name: problem}``: the built-in problems and those installed packages register, by name."""
    return {name: problem for name, (problem, _) in _registry_with_sources().items()}


def get(name: str) -> AbstractProblem:
    """The registered problem called ``name`` (``ValueError`` listing the known names otherwise)."""
    problems = registry()
    if name not in problems:
        raise ValueError(
            f"unknown problem {name!r}; known problems: {', '.join(problems)} (or give a file: path/to/problem.py)"
        )
    return problems[name]


def is_problem_file(spec: str) -> bool:
    """Whether ``spec`` names a problem file (``*.py`` or ``*.py:ClassName``) rather than a name."""
    return _split_spec(spec)[0].endswith(".py")


def _split_spec(spec: str) -> tuple[str, str]:
    """``"path.py:Name"`` → ``("path.py", "Name")``; ``"path.py"`` → ``("path.py", "")``."""
    head, sep, tail = spec.rpartition(":")
    return (head, tail) if sep and head.endswith(".py") else (spec, "")


@functools.cache
def _import_file(path: Path) -> types.ModuleType:
    # A unique module name per file, so that two files called problem.py do not collide and
    # dataclasses and pickling-free introspection (typing.get_type_hints) find the module.
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    name = f"pinnrwf_user_problem_{path.stem.replace('-', '_')}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ValueError(f"problem file {path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as e:
        del sys.modules[name]
        if isinstance(e, ValueError):
            raise ValueError(f"problem file {path}: {e}") from e
        raise RuntimeError(f"problem file {path} failed to import: {type(e).__name__}: {e}") from e
    return module


def load_problem_file(spec: str | Path) -> AbstractProblem:
    """The problem that the file ``spec`` defines (``path.py``, or ``path.py:ClassName`` to choose
    one of several). The module is imported from that path, from any folder; its problem's
    ``source_file`` is recorded so that :func:`pinnrwf.load_run` can rebuild saved runs of it.

    Raises:
        ValueError: no such file, not a ``.py`` file, no problem class in it, several without a
            ``:ClassName``, or an unknown ``ClassName``.
    """
    path_text, class_name = _split_spec(str(spec))
    path = Path(path_text).expanduser()
    if path.suffix != ".py":
        raise ValueError(f"problem file {path}: expected a Python file ending in .py")
    if not path.is_file():
        raise ValueError(f"problem file {path}: no such file")
    module = _import_file(path.resolve())
    problems = problems_in_module(module)
    if class_name:
        chosen = [p for p in problems if type(p).__name__ == class_name]
        if not chosen:
            raise ValueError(
                f"problem file {path}: no problem class {class_name!r} (it defines "
                f"{[type(p).__name__ for p in problems] or 'none'})"
            )
        return chosen[0]
    if not problems:
        raise ValueError(f"problem file {path} defines no concrete pinnrwf.problem.AbstractProblem subclass")
    if len(problems) > 1:
        names = [type(p).__name__ for p in problems]
        raise ValueError(f"problem file {path} defines several problems {names}: choose one as {path}:{names[0]}")
    return problems[0]


def source_file(problem: AbstractProblem) -> Path | None:
    """The file a problem was loaded from by :func:`load_problem_file` (``None`` for a registered one)."""
    module = sys.modules.get(type(problem).__module__)
    if module is None or not type(problem).__module__.startswith("pinnrwf_user_problem_"):
        return None
    return Path(module.__file__)


def resolve(spec: str) -> AbstractProblem:
    """A registered problem's name, or a problem file (``path.py`` / ``path.py:ClassName``)."""
    return load_problem_file(spec) if is_problem_file(spec) else get(spec)
