"""The parameterization registry, derived from the classes, and the command-line names.

A final parameterization class registers itself by subclassing ``AbstractParameterization``;
its ``cli_names`` ClassVar maps each of its command-line names to the keyword arguments the name
stands for. Names are parsed once, at the edge of the program (``--param rwf,wc-row``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from ._parameterizations import RWF, AbstractParameterization


def parameterization_classes() -> tuple[type[AbstractParameterization], ...]:
    """Every final parameterization class of pinnrwf, in definition order."""
    found, todo = [], [AbstractParameterization]
    while todo:
        for sub in todo.pop(0).__subclasses__():
            todo.append(sub)
            if not inspect.isabstract(sub) and sub.__module__.startswith("pinnrwf.") and sub not in found:
                found.append(sub)
    return tuple(found)


def _factories(rwf: RWF) -> dict[str, Callable[[], AbstractParameterization]]:
    """name -> factory; the RWF setting is the given one (a problem's own, e.g. N(0.5, 0.1))."""
    out: dict[str, Callable[[], AbstractParameterization]] = {}
    for cls in parameterization_classes():
        for name, kwargs in cls.cli_names.items():
            if name in out:
                raise RuntimeError(f"two parameterizations claim the command-line name {name!r}")
            if cls is RWF and not kwargs:
                out[name] = lambda: rwf
            else:
                out[name] = lambda cls=cls, kwargs=kwargs: cls(**kwargs)
    return out


#: The command-line names, in class-definition order (what ``"all"`` expands to).
PARAMETERIZATION_NAMES: tuple[str, ...] = tuple(_factories(RWF()))


def parse_parameterizations(spec: str, *, rwf: RWF = RWF()) -> dict[str, AbstractParameterization]:
    """``"all"`` or a comma list of names → {name: parameterization}, in the given order.

    ``rwf`` is the RWF setting a problem uses (e.g. N(0.5, 0.1) for the cavity, rwf_paper Table 5).
    """
    if not isinstance(spec, str):
        raise ValueError(f"--param must be a string ('all' or a comma list of names), got {spec!r}")
    if not isinstance(rwf, RWF):
        raise ValueError(f"rwf must be a pinnrwf.nn.RWF, got {rwf!r}")
    factories = _factories(rwf)
    names = list(factories) if spec.strip() == "all" else [n.strip() for n in spec.split(",") if n.strip()]
    if not names:
        raise ValueError(f"--param must name at least one parameterization, got {spec!r}")
    unknown = [n for n in names if n not in factories]
    if unknown:
        raise ValueError(
            f"unknown parameterization {unknown[0]!r} in --param; expected 'all' or a comma list of "
            f"{', '.join(factories)}"
        )
    if len(set(names)) != len(names):
        raise ValueError(f"--param lists a parameterization twice: {spec!r}")
    return {n: factories[n]() for n in names}
