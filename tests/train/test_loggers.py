"""Loggers (pinnrwf.loggers), history at the resolution asked for (TrainConfig.log_every), and
NaN metrics stopping a run: one small ensemble trained once per configuration."""

import csv
import json
import struct
import sys
import types
import warnings
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf.loggers import (
    AbstractLogger,
    CSVLogger,
    JSONLinesLogger,
    LoggerGroup,
    TensorBoardLogger,
    WandbLogger,
    parse_loggers,
    scalars_of,
)
from pinnrwf.nn import MLP, Plain
from pinnrwf.train import AbstractObjective, Adam, DivergenceError, TrainConfig, fit
from pinnrwf.train._fit import _check_metrics, _config_fingerprint


class Sine(AbstractObjective):
    """Fit sin(3x) on 8 random points per step (two terms, one diagnostic); the metric is NaN
    where ``nan_metric`` (an array: both cases share one compiled program)."""

    nan_metric: jax.Array

    def sample(self, key):
        return jax.random.uniform(key, (8, 1), minval=-1.0, maxval=1.0)

    def loss_terms(self, model, batch, step):
        pred = jax.vmap(model)(batch)[:, 0]
        return (
            {"fit": jnp.mean((pred - jnp.sin(3 * batch[:, 0])) ** 2), "anchor": model(jnp.zeros(1))[0] ** 2},
            {"step_seen": step.astype(jnp.float32)},
        )

    def metrics(self, model):
        err = jnp.abs(model(jnp.ones(1))[0] - jnp.sin(3.0))
        return {"err": jnp.where(self.nan_metric, jnp.nan, err)}


def init(key):
    return MLP(1, 1, 8, 1, Plain(), key=key)


class Broken(AbstractLogger):
    """A logger whose disk is full."""

    def start(self, name, config):
        pass

    def scalars(self, step, values):
        raise OSError("No space left on device")

    def end(self):
        pass


def train(loggers=(), nan_metric=False, **kw):
    config = TrainConfig(**{"steps": 30, "seeds": 2, "chunk_steps": 10, "progress": False, **kw})
    return fit(
        init,
        Sine(jnp.asarray(nan_metric)),
        config,
        optimizer=Adam(learning_rate=1e-2, decay_steps=10),
        loggers=loggers,
        run_name="sine",
    )


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    """One run with every file logger and a broken one, every 5th step recorded."""
    out = tmp_path_factory.mktemp("logged")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        group = LoggerGroup(
            [TensorBoardLogger(out / "tb"), CSVLogger(out / "logs"), JSONLinesLogger(out / "logs"), Broken()]
        )
        result = train(loggers=group, log_every=5)
        group.figures([])
        group.close()
    return out, result, caught


def read_events(folder: Path) -> dict[str, list[tuple[int, float]]]:
    """A minimal TensorBoard reader: the TFRecord frames of every event file, parsed as Events."""
    from tensorboardX.proto import event_pb2

    tags: dict[str, list] = {}
    for path in sorted(folder.glob("events.out.tfevents.*")):
        data, i = path.read_bytes(), 0
        while i < len(data):
            (n,) = struct.unpack("<Q", data[i : i + 8])
            event = event_pb2.Event.FromString(data[i + 12 : i + 12 + n])
            i += 16 + n
            for v in event.summary.value:
                tags.setdefault(v.tag, []).append((event.step, v.simple_value))
    return tags


def test_tensorboard_file_holds_every_tag_at_every_recorded_step(logged):
    pytest.importorskip("tensorboardX")
    out, result, _ = logged
    tags = read_events(out / "tb" / "sine")
    steps = result.history["step"]
    assert steps == [5, 10, 15, 20, 25, 30]
    for tag in (
        "loss/seed0",
        "loss/seed1",
        "loss/mean",
        "loss/min",
        "loss/max",
        "terms/fit/mean",
        "terms/anchor/seed1",
        "diagnostics/step_seen/max",
        "learning_rate",
    ):
        assert [s for s, _ in tags[tag]] == steps, tag
    np.testing.assert_allclose([v for _, v in tags["loss/seed1"]], np.asarray(result.history["loss"])[:, 1], rtol=1e-6)
    assert [s for s, _ in tags["metrics/err/mean"]] == result.history["metric_step"] == [10, 20, 30]


def test_csv_rows_equal_the_history(logged):
    out, result, _ = logged
    with open(out / "logs" / "sine.csv") as f:
        rows = list(csv.DictReader(f))
    table: dict[str, dict[int, float]] = {}
    for row in rows:
        table.setdefault(row["name"], {})[int(row["step"])] = float(row["value"])
    history = json.loads(json.dumps(result.history))  # as results.json holds it
    for member in (0, 1):
        assert [table[f"loss/seed{member}"][s] for s in history["step"]] == [v[member] for v in history["loss"]]
        assert [table[f"terms/fit/seed{member}"][s] for s in history["step"]] == [
            v[member] for v in history["terms"]["fit"]
        ]
        assert [table[f"metrics/err/seed{member}"][s] for s in history["metric_step"]] == [
            v[member] for v in history["metrics"]["err"]
        ]
    lines = (out / "logs" / "sine.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["config"]["train"]["log_every"] == 5
    assert [json.loads(line)["step"] for line in lines[1:]] == [5, 10, 15, 20, 25, 30]


def test_a_logger_that_raises_is_one_warning_and_training_goes_on(logged):
    _, result, caught = logged
    messages = [str(w.message) for w in caught if "Broken" in str(w.message)]
    assert len(messages) == 1 and "No space left on device" in messages[0] and "continues" in messages[0]
    assert result.history["step"][-1] == 30


def test_a_missing_package_is_one_warning(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)  # import fails
    group = LoggerGroup([TensorBoardLogger(tmp_path)])
    with pytest.warns(RuntimeWarning, match=r"TensorBoardLogger failed in start.*pinnrwf\[log\]"):
        group.start("run", {})
    group.scalars(1, {"loss/mean": 1.0})  # dropped: nothing more happens
    assert not group


def test_log_every_one_changes_the_history_not_the_training():
    default, every = train(), train(log_every=1)
    for a, b in zip(jax.tree.leaves(default.params), jax.tree.leaves(every.params)):
        np.testing.assert_array_equal(a, b)
    assert default.final_metrics == every.final_metrics
    assert default.history["step"] == [10, 20, 30] and every.history["step"] == list(range(1, 31))
    at_chunk_ends = [every.history["step"].index(s) for s in default.history["step"]]
    assert [every.history["loss"][i] for i in at_chunk_ends] == default.history["loss"]
    assert every.history["metrics"] == default.history["metrics"]


def test_log_every_leaves_the_checkpoint_fingerprint_and_json_alone():
    from pinnrwf import config as configs
    from pinnrwf.train import _config

    assert _config.NEUTRAL_AT_DEFAULT == configs.NEUTRAL_AT_DEFAULT
    config = TrainConfig(steps=30)
    assert "log_every" not in config.to_json()
    assert _config_fingerprint(config, {}) == _config_fingerprint(TrainConfig(steps=30, log_every=7), {})
    with pytest.raises(ValueError, match="log_every"):
        TrainConfig(steps=30, log_every=0)


def test_a_nan_metric_stops_the_run_naming_metric_member_and_step():
    with pytest.raises(DivergenceError, match=r"metric 'err' became nan at step 10 \(ensemble member 0\)"):
        train(nan_metric=True)
    with pytest.raises(DivergenceError, match=r"metric 'b' became inf at step 7 \(ensemble member 1\)"):
        _check_metrics({"a": np.array([1.0, 2.0]), "b": np.array([0.0, np.inf])}, 7)


def test_scalars_name_every_member_and_the_spread():
    values = scalars_of(
        {"loss": [1.0, 3.0], "metrics": {"e": [2.0, 4.0]}, "loss_weights": {"r": [1.0, 1.0]}, "learning_rate": 0.1},
        seeds=[4, 5],
    )
    assert values == {
        "loss/seed4": 1.0,
        "loss/seed5": 3.0,
        "loss/mean": 2.0,
        "loss/min": 1.0,
        "loss/max": 3.0,
        "metrics/e/seed4": 2.0,
        "metrics/e/seed5": 4.0,
        "metrics/e/mean": 3.0,
        "metrics/e/min": 2.0,
        "metrics/e/max": 4.0,
        "loss_weights/r/seed4": 1.0,
        "loss_weights/r/seed5": 1.0,
        "loss_weights/r/mean": 1.0,
        "loss_weights/r/min": 1.0,
        "loss_weights/r/max": 1.0,
        "learning_rate": 0.1,
    }


def test_wandb_logger_makes_one_run_per_trained_run_and_one_for_figures(tmp_path, monkeypatch):
    calls = []

    class Run:
        def __init__(self, **kw):
            calls.append(("init", kw["name"], kw["group"]))

        def log(self, values, step):
            calls.append(("log", step, sorted(values)))

        def finish(self):
            calls.append(("finish",))

    fake = types.SimpleNamespace(init=lambda **kw: Run(**kw), Image=lambda path: ("image", path))
    monkeypatch.setitem(sys.modules, "wandb", fake)
    logger = WandbLogger(tmp_path, group="heat", mode="offline")
    logger.start("rwf", {"train": {}})
    logger.scalars(10, {"loss/mean": 1.0})
    logger.end()
    (tmp_path / "f.png").write_bytes(b"")
    logger.figures([tmp_path / "f.png"])
    assert calls == [
        ("init", "rwf", "heat"),
        ("log", 10, ["loss/mean"]),
        ("finish",),
        ("init", "heat-figures", "heat"),
        ("log", 0, ["f"]),
        ("finish",),
    ]


def test_parse_loggers_names_the_unknown(tmp_path):
    group = parse_loggers("csv,tensorboard,csv", tmp_path)
    assert [type(g).__name__ for g in group.active] == ["CSVLogger", "TensorBoardLogger"]
    with pytest.raises(ValueError, match="unknown logger.*mlflow"):
        parse_loggers("csv,mlflow", tmp_path)


@pytest.mark.slow
def test_wandb_offline_needs_no_network(tmp_path, monkeypatch):
    pytest.importorskip("wandb")  # not in the test extra (heavy): checked where it is installed
    monkeypatch.setenv("WANDB_SILENT", "true")
    group = LoggerGroup([WandbLogger(tmp_path, group="test", mode="offline")])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # a failing logger would warn
        group.start("rwf", {"train": {"steps": 2}})
        group.scalars(1, {"loss/mean": 1.0})
        group.end()
    assert group and list((tmp_path / "wandb").glob("offline-run-*/run-*.wandb"))


@pytest.mark.slow
def test_command_line_log_csv_rows_equal_results_json(tmp_path):
    from pinnrwf.cli import main

    out = tmp_path / "run"
    assert (
        main(
            [
                "run",
                "regression1d",
                "--preset",
                "smoke",
                "--param",
                "plain",
                "--steps",
                "20",
                "--chunk",
                "5",
                "--eval-every",
                "10",
                "--no-ntk",
                "--log",
                "csv",
                "--log-every",
                "5",
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        == 0
    )
    history = json.loads((out / "results.json").read_text())["runs"]["plain"]["history"]
    assert history["step"] == [5, 10, 15, 20]
    assert history["metric_step"] == [10, 20]  # --eval-every, not the chunk
    with open(out / "logs" / "plain.csv") as f:
        rows = [r for r in csv.DictReader(f) if r["name"] == "loss/seed1"]
    assert [int(r["step"]) for r in rows] == history["step"]
    assert [float(r["value"]) for r in rows] == [v[1] for v in history["loss"]]
    with pytest.raises(SystemExit) as e:
        main(["run", "regression1d", "--preset", "smoke", "--log", "csv,mlflow", "--out", str(tmp_path / "x")])
    assert e.value.code == 2
