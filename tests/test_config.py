"""Declared config constraints (pinnrwf.config): checked on construction and on replace."""

import dataclasses

import pytest

from pinnrwf.config import (
    Config,
    below,
    between,
    boolean,
    describe,
    each,
    field,
    fingerprint_config,
    finite,
    int_at_least,
    nonnegative,
    one_of,
    optional,
    positive,
    positive_int,
    probability,
)


@dataclasses.dataclass(frozen=True)
class Example(Config):
    width: int = field(8, positive_int)
    strategy: str = field("regular", one_of("regular", "causal"))
    weight: float = field(1.0, nonnegative)
    fraction: float = field(0.5, between(0.0, 1.0))
    scale: float | None = field(None, optional(positive))
    sizes: tuple = field((1, 2), each(positive_int))
    c: float = field(50.0, finite)
    added_later: float = field(0.0, probability, neutral_at_default=True)
    grid: int = field(2, int_at_least(2))
    switch: bool = field(False, boolean)
    gap: float = field(0.0, nonnegative, below(1.0))

    def __check_init__(self):
        if self.width < len(self.sizes):
            raise ValueError("width must be ≥ the number of sizes")


def test_defaults_pass():
    Example()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"width": 0}, "width must be ≥ 1"),
        ({"width": 2.5}, "width must be an integer"),
        ({"width": True}, "width must be an integer"),
        ({"strategy": "x"}, "strategy must be one of 'regular', 'causal'"),
        ({"weight": -1.0}, "weight must be ≥ 0"),
        ({"fraction": 1.5}, r"fraction must be in \[0.0, 1.0\]"),
        ({"scale": 0.0}, "scale must be > 0"),
        ({"sizes": (1, 0)}, r"sizes\[1\] must be ≥ 1"),
        ({"sizes": ()}, "sizes must be a non-empty tuple"),
        ({"c": float("nan")}, "c must be a finite number"),
        ({"width": 1, "sizes": (1, 2)}, "width must be ≥ the number of sizes"),
        ({"grid": 1}, "grid must be ≥ 2, got 1"),
        ({"grid": 2.0}, "grid must be an integer"),
        ({"switch": 1}, "switch must be True or False, got 1"),
        ({"gap": 1.0}, "gap must be < 1, got 1.0"),
        ({"gap": float("inf")}, "gap must be a finite number"),
    ],
)
def test_each_violation_names_the_field(changes, message):
    with pytest.raises(ValueError, match=message):
        Example(**changes)
    with pytest.raises(ValueError, match=message):  # dataclasses.replace builds through __init__ too
        dataclasses.replace(Example(), **changes)


def test_optional_accepts_none_and_valid():
    assert Example(scale=None).scale is None
    assert Example(scale=2.0).scale == 2.0


def test_describe_says_what_a_field_accepts():
    assert describe(Example, "width") == "an integer ≥ 1"
    assert describe(Example, "scale") == "a number > 0 or None"
    assert describe(Example, "grid") == "an integer ≥ 2" and describe(Example, "switch") == "True or False"
    with pytest.raises(ValueError, match="no field 'nope'"):
        describe(Example, "nope")


def test_neutral_field_leaves_the_fingerprint_only_at_its_default():
    assert "added_later" not in fingerprint_config(Example())
    assert fingerprint_config(Example(added_later=0.5))["added_later"] == 0.5
    assert fingerprint_config(Example())["width"] == 8


def test_a_flag_needs_help_and_two_dashes():
    with pytest.raises(ValueError, match="flag must be a '--name' given with help="):
        field(1, flag="--n")
    with pytest.raises(ValueError, match="flag must be a '--name'"):
        field(1, help="n", flag="-n")
