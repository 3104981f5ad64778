"""The engine's and the runner's bad inputs: a ValueError naming the parameter, when called."""

import jax
import jax.numpy as jnp
import pytest

from pinnrwf import runner
from pinnrwf.nn import MLP
from pinnrwf.problem import Option, Preset, check_problem
from pinnrwf.problems import get
from pinnrwf.train import SGD, AbstractObjective, Adam, TrainConfig, fit


class Tiny(AbstractObjective):
    def sample(self, key):
        return jax.random.uniform(key, (4, 1))

    def loss_terms(self, model, batch, step):
        return {"l": jnp.mean(jax.vmap(model)(batch) ** 2)}, {}


def init(key):
    return MLP(1, 1, 4, 1, key=key)


CASES = [
    ("TrainConfig steps 0", lambda: TrainConfig(steps=0), "steps must be ≥ 1"),
    ("TrainConfig steps float", lambda: TrainConfig(steps=10.0), "steps must be an integer"),
    ("TrainConfig steps bool", lambda: TrainConfig(steps=True), "steps must be an integer"),
    ("TrainConfig seeds 0", lambda: TrainConfig(steps=1, seeds=0), "seeds must be ≥ 1"),
    ("TrainConfig seed negative", lambda: TrainConfig(steps=1, seed=-1), "seed must be ≥ 0"),
    ("TrainConfig seed too large", lambda: TrainConfig(steps=1, seed=2**70), "seed must be ≤ 4294967295"),
    ("TrainConfig seed range", lambda: TrainConfig(steps=1, seed=2**32 - 1, seeds=2), "seed + seeds - 1 must be"),
    ("TrainConfig chunk 0", lambda: TrainConfig(steps=1, chunk_steps=0), "chunk_steps must be ≥ 1"),
    ("TrainConfig precision", lambda: TrainConfig(steps=1, precision="fp8"), "precision must be one of"),
    (
        "TrainConfig eval_every",
        lambda: TrainConfig(steps=10, chunk_steps=5, eval_every=7),
        "eval_every must be a positive multiple",
    ),
    (
        "TrainConfig checkpoint dir",
        lambda: TrainConfig(steps=10, chunk_steps=5, checkpoint_every=5),
        "checkpoint_every needs checkpoint_dir",
    ),
    ("Adam lr", lambda: Adam(learning_rate=0.0), "learning_rate must be > 0"),
    ("Adam lr nan", lambda: Adam(learning_rate=float("nan")), "learning_rate must be a finite number"),
    ("Adam decay_rate", lambda: Adam(decay_rate=2.0), "decay_rate must be in [0.0, 1.0]"),
    ("Adam decay_steps", lambda: Adam(decay_steps=0), "decay_steps must be ≥ 1"),
    ("Adam warmup", lambda: Adam(warmup_steps=-1), "warmup_steps must be ≥ 0"),
    ("SGD momentum", lambda: SGD(momentum=1.5), "momentum must be in [0.0, 1.0]"),
    ("SGD nesterov", lambda: SGD(nesterov=True), "nesterov=True needs a momentum"),
    (
        "fit objective",
        lambda: fit(init, object(), TrainConfig(steps=1)),
        "objective must be a pinnrwf.train.AbstractObjective",
    ),
    ("fit config", lambda: fit(init, Tiny(), {"steps": 1}), "config must be a pinnrwf.train.TrainConfig"),
    ("fit optimizer", lambda: fit(init, Tiny(), TrainConfig(steps=1), optimizer="adam"), "optimizer must be"),
    ("fit batches", lambda: fit(init, Tiny(), TrainConfig(steps=1), batches=[1, 2]), "batches must be None or"),
    (
        "fit init returns a function",
        lambda: fit(lambda key: lambda x: x, Tiny(), TrainConfig(steps=1)),
        "init_model must return the model",
    ),
    ("fit init not callable", lambda: fit("mlp", Tiny(), TrainConfig(steps=1)), "init_model must be a function"),
    ("Preset config", lambda: Preset({"a": 1}, TrainConfig(steps=1)), "Preset.config must be a dataclass"),
    (
        "Preset optimizer",
        lambda: Preset(get("regression1d").presets["smoke"].config, TrainConfig(steps=1), "adam"),
        "Preset.optimizer must be",
    ),
    (
        "run preset",
        lambda: runner.run(get("regression1d"), out_dir="/tmp/x-never", preset="nosuch"),
        "preset must be one of 'smoke', 'quick', 'paper'; got 'nosuch'",
    ),
    (
        "run parameterizations",
        lambda: runner.run(get("regression1d"), out_dir="/tmp/x-never", preset="smoke", parameterizations={}),
        "parameterizations must name at least one",
    ),
]


@pytest.mark.parametrize("what, call, message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_a_clear_value_error(what, call, message):
    with pytest.raises(ValueError) as e:
        call()
    assert message in str(e.value)


def test_a_problem_with_an_option_for_an_unknown_field_is_rejected():
    problem = get("regression1d")

    class Broken(type(problem)):
        options = (Option("nosuch", "x"),)

    with pytest.raises(ValueError, match="option --nosuch sets the unknown config field 'nosuch'"):
        check_problem(Broken())


def test_truncated_checkpoint_is_reported_as_truncated(tmp_path):
    cfg = TrainConfig(steps=4, chunk_steps=2, progress=False, checkpoint_dir=tmp_path, checkpoint_every=2)
    fit(init, Tiny(), TrainConfig(steps=2, chunk_steps=2, progress=False, checkpoint_dir=tmp_path, checkpoint_every=2))
    eqx_file = next(tmp_path.glob("checkpoint-*.eqx"))
    eqx_file.write_bytes(eqx_file.read_bytes()[:100])
    with pytest.raises(ValueError, match=r"is truncated or corrupt \(100 of the \d+ bytes"):
        fit(init, Tiny(), cfg, resume=True)
