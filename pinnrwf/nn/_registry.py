"""Command-line names of the parameterizations, parsed once at the edge of the program."""

from __future__ import annotations

from ._parameterizations import (
    RWF,
    AbstractParameterization,
    AdaptiveActivation,
    Plain,
    WeightConditioning,
    WeightNorm,
)

PARAMETERIZATION_NAMES = ("plain", "aa", "wn", "rwf", "wc-row", "wc-col", "wc-both")


def parse_parameterizations(
    spec: str, *, rwf: RWF = RWF()
) -> dict[str, AbstractParameterization]:
    """``"all"`` or a comma list of names → {name: parameterization}, in the given order.

    ``rwf`` is the RWF setting a problem uses (e.g. N(0.5, 0.1) for the cavity, rwf_paper Table 5).
    """
    factories = {
        "plain": Plain,
        "aa": AdaptiveActivation,
        "wn": WeightNorm,
        "rwf": lambda: rwf,
        "wc-row": lambda: WeightConditioning("row"),
        "wc-col": lambda: WeightConditioning("col"),
        "wc-both": lambda: WeightConditioning("both"),
    }
    names = list(PARAMETERIZATION_NAMES) if spec.strip() == "all" else [
        n.strip() for n in spec.split(",") if n.strip()
    ]
    if not names:
        raise ValueError(f"--param must name at least one parameterization, got {spec!r}")
    unknown = [n for n in names if n not in factories]
    if unknown:
        raise ValueError(
            f"unknown parameterization {unknown[0]!r} in --param; expected 'all' or a comma list of "
            f"{', '.join(PARAMETERIZATION_NAMES)}"
        )
    if len(set(names)) != len(names):
        raise ValueError(f"--param lists a parameterization twice: {spec!r}")
    return {n: factories[n]() for n in names}
