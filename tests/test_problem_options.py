"""A problem's command-line options come from its config fields' declared help (and its explicit
``options``): types, choices and switches follow the field."""

import argparse
import dataclasses
from pathlib import Path

import pytest

from pinnrwf.cli import add_run_arguments, problem_config_from_args
from pinnrwf.config import Config, field, one_of, optional, positive, positive_int
from pinnrwf.problem import AbstractProblem, Option, Preset, check_problem, command_line_options
from pinnrwf.train import TrainConfig


@dataclasses.dataclass(frozen=True)
class OptionsConfig(Config):
    width: int = field(8, positive_int, help="neurons per layer")
    scale: float | None = field(None, optional(positive), help="σ (default: per data set)")
    mode: str = field("a", one_of("a", "b"), help="the mode")
    data: Path | None = field(None, help="a file")
    generate: bool = field(False, help="make missing data")
    figure: bool = field(True, help="draw the figure")
    sizes: tuple = field((1, 2), help="sizes")
    hidden: int = field(3, positive_int)  # no help: not an option
    renamed: int = field(1, positive_int, help="shown under another flag")
    architecture: str = field("mlp", one_of("mlp", "modified"), help="the network", flag="--arch")


class OptionsProblem(AbstractProblem[OptionsConfig]):
    name = "options-test"
    description = "options"
    presets = {k: Preset(OptionsConfig(), TrainConfig(steps=1)) for k in ("smoke", "quick", "paper")}
    metrics = ("loss",)
    options = (Option("renamed", "explicit", flag="--other"),)

    def objective(self, config, train):
        raise NotImplementedError

    def init_model(self, config, parameterization):
        raise NotImplementedError


def parse(*argv):
    parser = argparse.ArgumentParser()
    add_run_arguments(parser, OptionsProblem())
    args = parser.parse_args(list(argv))
    return problem_config_from_args(OptionsProblem(), args, OptionsProblem.presets["quick"].config)


def test_options_follow_the_declared_fields():
    options = {o.field: o for o in command_line_options(check_problem(OptionsProblem()))}
    assert set(options) == {"renamed", "width", "scale", "mode", "data", "generate", "figure", "sizes", "architecture"}
    assert options["architecture"].option_string == "--arch" and options["architecture"].choices == ("mlp", "modified")
    assert options["renamed"].option_string == "--other"  # the explicit Option wins
    assert options["mode"].choices == ("a", "b")
    assert options["figure"].option_string == "--no-figure" and options["figure"].const is False


def test_parsed_options_set_the_config():
    config = parse(
        "--width",
        "16",
        "--scale",
        "2.5",
        "--mode",
        "b",
        "--data",
        "x.h5",
        "--generate",
        "--no-figure",
        "--sizes",
        "3",
        "4",
        "--other",
        "7",
        "--arch",
        "modified",
    )
    assert config == OptionsConfig(
        width=16,
        scale=2.5,
        mode="b",
        data=Path("x.h5"),
        generate=True,
        figure=False,
        sizes=(3, 4),
        renamed=7,
        architecture="modified",
    )
    assert parse() == OptionsConfig()


def test_bad_values_are_refused():
    with pytest.raises(SystemExit):
        parse("--mode", "c")
    with pytest.raises(SystemExit):
        parse("--width", "x")
    with pytest.raises(SystemExit):
        parse("--hidden", "4")
    with pytest.raises(ValueError, match="width must be ≥ 1"):
        parse("--width", "0")
