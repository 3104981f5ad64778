"""A problem is one object: what is specific to it, and nothing else.

A problem module defines a typed, frozen configuration dataclass and one final subclass of
:class:`AbstractProblem` that states

- ``name``, ``description`` (one line) and ``presets`` (``smoke``: seconds, for tests;
  ``quick``: minutes on a CPU; ``paper``: the paper's settings; more if useful), each a
  :class:`Preset` of (problem config, :class:`~pinnrwf.train.TrainConfig`, optimizer);
- ``metrics`` (names printed in the comparison table), ``default_parameterizations`` and the
  problem's RWF setting ``rwf`` (rwf_paper Table 5);
- its own command-line options, as data: every config field declared with a ``help`` text
  (``field(0.1, positive, help="diffusivity κ")``) is ``--field-name``; ``options`` adds
  :class:`Option` entries for the rest (another flag, a switch), so no problem writes parser code;
- two methods: ``objective(config, train)`` and ``init_model(config, parameterization)`` (for
  the usual tanh MLP of ``config.width`` × ``config.depth``, declared: ``init_model =
  tanh_mlp(2, 1)``);
- ``reports``: the figures it wants, chosen from the generic ones of :mod:`pinnrwf.reports`
  (field comparison, parameter trajectory, curves); the default ``report(config, results,
  out_dir)`` runs them and returns their JSON-able extras for results.json. A problem with a
  figure of its own overrides ``report``.

Its configuration is a :class:`pinnrwf.config.Config` whose field constraints are declared.

Everything generic (parsing, training every parameterization as a seed ensemble, the table,
results.json, checkpoints, output checks) lives in :mod:`pinnrwf.runner`; problems are found by
:func:`pinnrwf.problems.registry`.
"""

from __future__ import annotations

import abc
import dataclasses
import inspect
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

import jax
import jax.numpy as jnp
from jaxtyping import PRNGKeyArray, PyTree

from pinnrwf import config as config_module
from pinnrwf.nn import MLP, RWF, AbstractEmbedding, AbstractParameterization, FourierFeatures
from pinnrwf.reports import AbstractReport, Curves, FieldComparison, ParameterTrajectory, run_reports
from pinnrwf.train import AbstractObjective, AbstractOptimizer, Adam, FitResult, TrainConfig

__all__ = [
    "AbstractProblem",
    "Option",
    "Preset",
    "check_problem",
    "tanh_mlp",
    # the generic reports a problem declares (pinnrwf.reports), re-exported for its imports
    "AbstractReport",
    "Curves",
    "FieldComparison",
    "ParameterTrajectory",
]

Config = TypeVar("Config")

REQUIRED_PRESETS = ("smoke", "quick", "paper")


@dataclasses.dataclass(frozen=True)
class Preset(Generic[Config]):
    """A named setting of a problem: its configuration, the loop settings and the optimizer."""

    config: Config
    train: TrainConfig
    optimizer: AbstractOptimizer = Adam()

    def __post_init__(self):
        if not (dataclasses.is_dataclass(self.config) and not isinstance(self.config, type)):
            raise ValueError(f"Preset.config must be a dataclass instance, got {type(self.config).__name__}")
        if not isinstance(self.train, TrainConfig):
            raise ValueError(f"Preset.train must be a TrainConfig, got {type(self.train).__name__}")
        if not isinstance(self.optimizer, AbstractOptimizer):
            raise ValueError(f"Preset.optimizer must be a pinnrwf.train optimizer config, got {self.optimizer!r}")


_UNSET = object()


@dataclasses.dataclass(frozen=True)
class Option:
    """A problem's command-line option that sets one field of its config.

    ``flag`` defaults to ``--field-name``; ``type`` defaults to the type of the field's value in
    the problem's presets (a tuple field takes one or more values). ``const`` makes a switch that
    sets the field to that value (e.g. ``Option("ntk", "skip the NTK", flag="--no-ntk",
    const=False)``). Unset options leave the preset's value.
    """

    field: str
    help: str
    flag: str | None = None
    type: Callable[[str], Any] | None = None
    choices: tuple | None = None
    const: Any = _UNSET

    @property
    def option_string(self) -> str:
        return self.flag or "--" + self.field.replace("_", "-")

    @property
    def is_switch(self) -> bool:
        return self.const is not _UNSET


def command_line_options(problem: "AbstractProblem") -> tuple[Option, ...]:
    """The problem's command-line options: its declared ``options``, then one ``--field-name`` for
    every other field of its config that declares a ``help`` (:func:`pinnrwf.config.field`), in
    field order (spelled as the field's ``flag`` where it has one). Such an option takes the field's
    type (``X | None`` takes ``X``), its ``one_of`` choices, and a bool field becomes a switch to
    the opposite of its default (``--name``, or ``--no-name`` for a field that is true by default)."""
    config_class = type(problem.presets["quick"].config)
    explicit = {option.field for option in problem.options}
    hints = typing.get_type_hints(config_class)
    derived = []
    for f in dataclasses.fields(config_class):
        text = f.metadata.get(config_module.HELP)
        if text is None or f.name in explicit:
            continue
        kind, flag = _option_type(hints.get(f.name)), f.metadata.get(config_module.FLAG)
        if kind is bool:
            default = bool(f.default)
            flag = flag or ("--no-" + f.name.replace("_", "-") if default else None)
            derived.append(Option(f.name, text, flag=flag, const=not default))
        else:
            derived.append(
                Option(f.name, text, flag=flag, type=kind, choices=config_module.choices(config_class, f.name))
            )
    return (*problem.options, *derived)


def _option_type(annotation) -> Callable[[str], Any] | None:
    """``int``, ``float``, ``str``, ``Path`` or ``bool`` from a field's annotation (``X | None``
    gives ``X``); ``None`` (the type of the preset's value is then used) for anything else."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if args and typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = args[0] if len(args) == 1 else None
    return annotation if annotation in (int, float, str, bool, Path) else None


def tanh_mlp(
    in_size: int,
    out_size: int,
    *,
    embedding: AbstractEmbedding | Callable[[Any, PRNGKeyArray], AbstractEmbedding | None] | None = None,
    network: Callable[[Any], type] = lambda config: MLP,
) -> Callable:
    """A problem's ``init_model`` method, declared: ``key -> network(config)(in_size, out_size,
    config.width, config.depth, parameterization, activation=tanh, embedding=embedding)``, the
    network of most PINN problems (``network``: the architecture class for a config, default
    :class:`~pinnrwf.nn.MLP`). ``embedding`` is fixed, or drawn per ensemble member by a function
    ``(config, key) -> embedding or None`` (e.g. :func:`fourier_features`) from
    ``fold_in(key, 1)``, so the network's own draw does not change with it."""

    def init_model(self, config, parameterization):
        architecture = network(config)

        def init(key):
            drawn = embedding
            if embedding is not None and not isinstance(embedding, AbstractEmbedding):
                drawn = embedding(config, jax.random.fold_in(key, 1))
            return architecture(
                in_size,
                out_size,
                config.width,
                config.depth,
                parameterization,
                activation=jnp.tanh,
                embedding=drawn,
                key=key,
            )

        return init

    return init_model


def fourier_features(in_size: int) -> Callable[[Any, PRNGKeyArray], AbstractEmbedding | None]:
    """For :func:`tanh_mlp`: Gaussian Fourier features of the raw input (Tancik et al. 2020,
    :class:`~pinnrwf.nn.FourierFeatures`) with the config's ``fourier_features`` (m) and
    ``fourier_scale`` (σ, in the 2π convention γ = [cos 2πBz, sin 2πBz]); none where σ = 0."""

    def draw(config, key):
        if not config.fourier_scale:
            return None
        return FourierFeatures(in_size, config.fourier_features, config.fourier_scale, key=key)

    return draw


class AbstractProblem(abc.ABC, Generic[Config]):
    """One trainable problem; see the module docstring. Subclasses are final."""

    name: ClassVar[str]
    description: ClassVar[str]
    presets: ClassVar[Mapping[str, Preset]]
    metrics: ClassVar[tuple[str, ...]]
    percent_metrics: ClassVar[frozenset[str]] = frozenset()
    default_parameterizations: ClassVar[str] = "plain,aa,wn,rwf"
    rwf: ClassVar[RWF] = RWF(mean=1.0, std=0.1)
    options: ClassVar[tuple[Option, ...]] = ()
    # Named alternative sets of parameterizations (``--study NAME``), e.g. the RWF μ/σ sweep.
    studies: ClassVar[Mapping[str, Callable[[], dict[str, AbstractParameterization]]]] = {}
    # Optional pure ``(model, initial_model) -> dict`` evaluated with the metrics.
    monitor: ClassVar[Callable[[PyTree, PyTree], dict] | None] = None
    # Train and report in float64 (JAX's x64 mode, switched on for this run only).
    float64: ClassVar[bool] = False
    # The reference-data generator that ``pinnrwf generate NAME`` runs for this problem (a dataset
    # config class of pinnrwf.datasets.generate, e.g. DarcyConfig); None: the problem has none.
    dataset: ClassVar[type | None] = None
    # Or a finite-element reference (pinnrwf.datasets.fem.FEMReferenceMaker) that ``pinnrwf generate
    # NAME`` writes, for a problem on a non-box geometry without a closed-form solution.
    fem_reference: ClassVar[Any] = None
    # The generic reports the default ``report`` runs, in order (pinnrwf.reports).
    reports: ClassVar[tuple[AbstractReport, ...]] = ()

    @abc.abstractmethod
    def objective(self, config: Config, train: TrainConfig) -> AbstractObjective:
        """The training objective (sampling, loss terms, metrics) for this configuration."""

    @abc.abstractmethod
    def init_model(
        self, config: Config, parameterization: AbstractParameterization
    ) -> Callable[[PRNGKeyArray], PyTree]:
        """``key -> model``: the network with ``parameterization`` on its dense layers."""

    def report(self, config: Config, results: Mapping[str, FitResult], out_dir: Path) -> dict:
        """Write the problem's figures (and tables) into ``out_dir``; return JSON-able extras
        for results.json (e.g. ``{"figures": [...]}``). Default: the declared ``reports``."""
        return run_reports(self.reports, config, results, Path(out_dir))


def check_problem(problem: AbstractProblem) -> AbstractProblem:
    """Raise ``ValueError`` if a problem class misses something the runner relies on."""
    cls = type(problem)
    if inspect.isabstract(cls):
        raise ValueError(f"{cls.__name__} is abstract: it must implement {sorted(cls.__abstractmethods__)}")
    for attr in ("name", "description", "presets", "metrics"):
        if not hasattr(cls, attr):
            raise ValueError(f"problem {cls.__name__} must define the class attribute {attr!r}")
    missing = [p for p in REQUIRED_PRESETS if p not in cls.presets]
    if missing:
        raise ValueError(f"problem {cls.name!r} lacks the presets {missing} (needs {list(REQUIRED_PRESETS)})")
    for key, preset in cls.presets.items():
        if not isinstance(preset, Preset):
            raise ValueError(f"problem {cls.name!r}: preset {key!r} must be a Preset, got {type(preset).__name__}")
    config_fields = {f.name for f in dataclasses.fields(cls.presets["quick"].config)}
    for option in command_line_options(problem):
        if option.field not in config_fields:
            raise ValueError(
                f"problem {cls.name!r}: option {option.option_string} sets the unknown config "
                f"field {option.field!r} (fields: {sorted(config_fields)})"
            )
    return problem
