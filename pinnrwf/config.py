"""Typed, frozen configuration whose constraints are declared with the fields, not hand-checked.

    @dataclasses.dataclass(frozen=True)
    class AdvectionConfig(Config):
        c: float = field(50.0, finite)
        strategy: str = field("regular", one_of("regular", "curriculum", "causal"))
        width: int = field(256, positive_int)
        weight_ic: float = field(100.0, nonnegative)
        curriculum_fraction: float = field(0.5, between(0.0, 1.0))

A :class:`Config` checks every field's constraints when it is built (``dataclasses.replace``
included), in field order, and raises ``ValueError`` naming the field and what was expected.
Checks that relate several fields go in ``__check_init__`` (as in equinox), which runs after the
field checks. A constraint is any callable ``(name, value) -> None`` that raises ``ValueError``;
the ones below cover what problems need and describe themselves (:func:`describe`) for help texts.

``field(..., neutral_at_default=True)`` marks a field added after checkpoints of its problem were
written: at its default value it is left out of a run's checkpoint fingerprint, so those
checkpoints still resume (:func:`fingerprint_config`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from pinnrwf import _validation as check

#: Metadata key of the constraints of a field (a tuple of callables ``(name, value) -> None``).
CONSTRAINTS = "pinnrwf_constraints"
#: Metadata key of a field's help text (its meaning; a problem's command-line option shows it).
HELP = "pinnrwf_help"
#: Metadata key of a field's command-line flag where it is not ``--field-name`` (e.g. ``"--arch"``).
FLAG = "pinnrwf_flag"
#: Metadata key of a field that is left out of the checkpoint fingerprint at its default value.
NEUTRAL_AT_DEFAULT = "pinnrwf_neutral_at_default"

#: A constraint: called with a field's name and value, raises ``ValueError`` if the value is not allowed.
Constraint = Callable[[str, Any], None]


@dataclasses.dataclass(frozen=True)
class _Constraint:
    """A named constraint: ``text`` says what is expected (e.g. "an integer ≥ 1")."""

    text: str
    test: Callable[[str, Any], Any]
    optional: bool = False
    choices: tuple | None = None  # the allowed values, where the constraint is a choice (one_of)

    def __call__(self, name: str, value) -> None:
        if self.optional and value is None:
            return
        self.test(name, value)

    def __repr__(self) -> str:
        return f"<{self.text}{' or None' if self.optional else ''}>"


def _make(text: str, test: Callable[[str, Any], Any]) -> _Constraint:
    return _Constraint(text, test)


#: Constraint: an integer ≥ 1.
positive_int = _make("an integer ≥ 1", check.positive_int)
#: Constraint: an integer ≥ 0.
nonnegative_int = _make("an integer ≥ 0", lambda n, v: check.integer(n, v, minimum=0))
#: Constraint: a seed in [0, 2³² − 1].
seed = _make("a seed in [0, 2³² − 1]", check.seed)
#: Constraint: a finite number.
finite = _make("a finite number", check.finite_number)
#: Constraint: a number > 0.
positive = _make("a number > 0", check.positive_number)
#: Constraint: a number ≥ 0.
nonnegative = _make("a number ≥ 0", lambda n, v: check.positive_number(n, v, allow_zero=True))
#: Constraint: a number in [0, 1].
probability = _make("a number in [0, 1]", check.probability)


#: Constraint: ``True`` or ``False``.
boolean = _make("True or False", lambda n, v: check.instance(n, v, bool, "True or False"))


def int_at_least(minimum: int) -> _Constraint:
    """An integer ≥ ``minimum`` (e.g. a grid of at least 2 points)."""
    return _make(f"an integer ≥ {minimum}", lambda n, v: check.positive_int(n, v, minimum=minimum))


def between(lower: float, upper: float, *, closed: bool = True) -> _Constraint:
    """A finite number in [lower, upper] (``closed=False``: the open interval)."""
    bracket = f"[{lower}, {upper}]" if closed else f"({lower}, {upper})"
    return _make(f"a number in {bracket}", lambda n, v: check.number_in(n, v, lower, upper, closed=closed))


def below(upper: float) -> _Constraint:
    """A finite number < ``upper`` (e.g. a gap that must leave some of a wall)."""

    def test(name, value):
        check.finite_number(name, value)
        if not value < upper:
            raise ValueError(f"{name} must be < {upper:g}, got {value!r}")

    return _make(f"a number < {upper:g}", test)


def int_between(lower: int, upper: int) -> _Constraint:
    """An integer in [lower, upper]."""
    return _make(f"an integer in [{lower}, {upper}]", lambda n, v: check.integer(n, v, minimum=lower, maximum=upper))


def one_of(*choices) -> _Constraint:
    """One of ``choices`` (compared with ``in``)."""
    return _Constraint(
        "one of " + ", ".join(repr(c) for c in choices),
        lambda n, v: check.one_of(n, v, choices),
        choices=tuple(choices),
    )


def optional(constraint: _Constraint) -> _Constraint:
    """``None`` or a value that satisfies ``constraint`` (e.g. ``optional(positive)``)."""
    return dataclasses.replace(constraint, optional=True)


def each(constraint: _Constraint, *, nonempty: bool = True) -> _Constraint:
    """A tuple (or list) whose every entry satisfies ``constraint`` (``name[i]`` in the message)."""

    def test(name, value):
        if not isinstance(value, (tuple, list)) or (nonempty and not value):
            raise ValueError(
                f"{name} must be a {'non-empty ' if nonempty else ''}tuple of {constraint.text}s, got {value!r}"
            )
        for i, entry in enumerate(value):
            constraint(f"{name}[{i}]", entry)

    return _make(f"a tuple of {constraint.text}s", test)


def field(
    default=dataclasses.MISSING,
    *constraints: Constraint,
    help: str | None = None,  # noqa: A002
    flag: str | None = None,
    neutral_at_default: bool = False,
    **kwargs,
) -> Any:
    """A dataclass field with declared ``constraints`` (checked by :class:`Config`).

    ``help``: what the field means, in a few words; a problem's config field with a ``help`` is
    also its command-line option ``--field-name`` (:func:`pinnrwf.problem.command_line_options`),
    or ``flag`` where the option is spelled otherwise (e.g. ``"--arch"``).
    ``kwargs`` go to :func:`dataclasses.field` (e.g. ``default_factory``)."""
    metadata = dict(kwargs.pop("metadata", {}))
    metadata[CONSTRAINTS] = tuple(constraints)
    if help is not None:
        metadata[HELP] = help
    if flag is not None:
        if help is None or not flag.startswith("--"):
            raise ValueError(f"flag must be a '--name' given with help=, got flag={flag!r}, help={help!r}")
        metadata[FLAG] = flag
    if neutral_at_default:
        metadata[NEUTRAL_AT_DEFAULT] = True
    return dataclasses.field(default=default, metadata=metadata, **kwargs)


def validate(config) -> None:
    """Check every field of the dataclass instance ``config`` against its declared constraints."""
    for f in dataclasses.fields(config):
        for constraint in f.metadata.get(CONSTRAINTS, ()):
            constraint(f.name, getattr(config, f.name))


def choices(config_class, name: str) -> tuple | None:
    """The allowed values of the field ``name`` where a ``one_of`` constraint declares them."""
    for f in dataclasses.fields(config_class):
        if f.name == name:
            found = [c.choices for c in f.metadata.get(CONSTRAINTS, ()) if getattr(c, "choices", None)]
            return found[0] if found else None
    raise ValueError(f"{config_class.__name__} has no field {name!r}")


def describe(config_class, name: str) -> str:
    """What the field ``name`` of ``config_class`` accepts, in words ("" if undeclared)."""
    for f in dataclasses.fields(config_class):
        if f.name == name:
            return "; ".join(
                c.text + (" or None" if c.optional else "")
                for c in f.metadata.get(CONSTRAINTS, ())
                if isinstance(c, _Constraint)
            )
    raise ValueError(f"{config_class.__name__} has no field {name!r}")


class Config:
    """Base of a problem's frozen dataclass configuration: declared constraints are checked on
    construction, then ``__check_init__`` (if a class defines it) for relations between fields."""

    def __post_init__(self) -> None:
        validate(self)
        for cls in reversed(type(self).__mro__):
            hook = cls.__dict__.get("__check_init__")
            if hook is not None:
                hook(self)


def fingerprint_config(config) -> dict:
    """The config as plain JSON types, without the fields marked neutral that hold their default
    value: what a run's checkpoint fingerprint records of a problem's config."""
    from pinnrwf.train import jsonable

    out = jsonable(config)
    for f in dataclasses.fields(config):
        if (
            f.metadata.get(NEUTRAL_AT_DEFAULT)
            and f.default is not dataclasses.MISSING
            and getattr(config, f.name) == f.default
        ):
            out.pop(f.name)
    return out
