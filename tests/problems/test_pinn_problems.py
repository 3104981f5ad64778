"""The advection and lid-driven cavity problems (rwf_paper App. K) on the residual DSL."""

import dataclasses
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf import pde
from pinnrwf.cli import main
from pinnrwf.config import choices
from pinnrwf.nn import RWF, Plain
from pinnrwf.problems import advection, ldc
from pinnrwf.train import Adam, TrainConfig, fit

SMALL_ADV = advection.AdvectionConfig(width=32, depth=2, n_residual=256, n_initial=64, eval_nx=32, eval_nt=11)


def exact_advection(z):
    return jnp.array([jnp.sin(z[0] - 50.0 * z[1])])


@pytest.mark.parametrize("strategy", choices(advection.AdvectionConfig, "strategy"))
def test_advection_losses_vanish_on_the_exact_solution(strategy):
    cfg = dataclasses.replace(SMALL_ADV, strategy=strategy)
    obj = advection.Advection().objective(cfg, TrainConfig(steps=200))
    terms, diag = obj.loss_terms(exact_advection, obj.sample(jax.random.PRNGKey(0)), jnp.int32(100))
    assert set(terms) == {"ic", "r"}
    assert float(terms["ic"]) < 1e-9 and float(terms["r"]) < 1e-6
    assert float(obj.metrics(exact_advection)["rel_l2"]) < 1e-5
    if strategy == "causal":
        assert float(diag["causal_min_weight"]) == pytest.approx(1.0)
    if strategy == "curriculum":
        assert float(diag["param_c"]) == pytest.approx(50.0)


def test_advection_curriculum_ramps_c_and_causal_weights_fall():
    cfg = dataclasses.replace(SMALL_ADV, strategy="curriculum")
    obj = advection.Advection().objective(cfg, TrainConfig(steps=200))  # c ramps over the first half: 100 steps
    cs = [float(obj.parameters(jnp.int32(s))["c"]) for s in (0, 50, 100, 1000)]
    np.testing.assert_allclose(cs, [10.0, 30.0, 50.0, 50.0], rtol=1e-5)
    causal = advection.Advection().objective(dataclasses.replace(SMALL_ADV, strategy="causal"), TrainConfig(steps=1))
    # a slightly wrong solution whose residual grows with t: later chunks are down-weighted
    wrong = lambda z: exact_advection(z) + 0.01 * z[1] * jnp.sin(z[0])  # noqa: E731
    _, diag = causal.loss_terms(wrong, causal.sample(jax.random.PRNGKey(1)), jnp.int32(0))
    assert 0.0 < float(diag["causal_min_weight"]) < 0.999


def test_short_advection_run_lowers_the_loss():
    # c = 2 so that 300 CPU steps make clear progress (c = 50 needs the paper's 2e5 steps)
    obj = advection.Advection().objective(dataclasses.replace(SMALL_ADV, c=2.0), TrainConfig(steps=1))
    cfg = TrainConfig(steps=300, chunk_steps=50, progress=False)
    r = fit(advection.Advection().init_model(SMALL_ADV, RWF()), obj, cfg, optimizer=Adam(learning_rate=1e-3))
    losses = np.asarray(r.history["loss"])[:, 0]
    assert losses[-1] < 0.4 * losses[0]
    errors = np.asarray(r.history["metrics"]["rel_l2"])[:, 0]
    assert errors[-1] < errors[0]


def test_advection_cli(tmp_path, capsys):
    assert (
        main(
            [
                "run",
                "advection",
                "--param",
                "rwf",
                "--strategy",
                "causal",
                "--steps",
                "20",
                "--chunk",
                "10",
                "--grad-norm-every",
                "10",
                "--out",
                str(tmp_path),
                "--no-progress",
            ]
        )
        == 0
    )
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["problem"] == "advection" and res["problem_config"]["strategy"] == "causal"
    assert "causal_min_weight" in res["runs"]["rwf"]["history"]["diagnostics"]
    assert "GradNormWeighting(update_every=10" in res["train_config"]["loss_weighting"]
    assert (tmp_path / "advection.png").exists()


@pytest.fixture(scope="module")
def cavity_reference(tmp_path_factory):
    from pinnrwf.datasets.generate import CavityConfig, generate

    path = tmp_path_factory.mktemp("ldc") / "ldc_re100_n16.h5"
    generate(CavityConfig(re=(100.0,), n=16), path, n_samples=1, progress=False)
    return path


SMALL_LDC = ldc.CavityConfig(
    re=100.0,
    width=16,
    depth=2,
    n_residual=64,
    n_boundary=32,
    reference_n=16,
    eval_stride=1,
    curriculum_values=(50.0, 100.0),
    curriculum_boundaries=(10,),
)


def small_ldc(reference):
    return dataclasses.replace(SMALL_LDC, reference=reference)


def test_cavity_objective_terms_reference_and_curriculum(cavity_reference):
    config = small_ldc(cavity_reference)
    obj = ldc.Cavity().objective(config, TrainConfig(steps=1))
    model = ldc.Cavity().init_model(config, Plain())(jax.random.PRNGKey(0))
    terms, diag = obj.loss_terms(model, obj.sample(jax.random.PRNGKey(0)), jnp.int32(0))
    assert set(terms) == {"b_u", "b_v", "r_u", "r_v", "r_c"}
    assert float(diag["param_Re"]) == 50.0
    assert float(obj.parameters(jnp.int32(10))["Re"]) == 100.0
    # the reference itself scores zero error
    points, values, shape = ldc.evaluation_data(config)
    u = values[:, 0].reshape(shape)
    assert u.shape == (17, 17) and np.allclose(u[:, -1][1:-1], 1.0)
    lookup = {tuple(np.round(p, 6)): val for p, val in zip(points, values)}
    ref_model = lambda z: jnp.asarray(np.r_[lookup[tuple(np.round(np.asarray(z), 6))], 0.0])  # noqa: E731
    errs = [float(jnp.linalg.norm(jnp.asarray(ref_model(p)[:2]) - values[i])) for i, p in enumerate(points[:5])]
    assert max(errs) == 0.0


def test_cavity_boundary_loss_vanishes_on_the_lid_profile(cavity_reference):
    obj = ldc.Cavity().objective(small_ldc(cavity_reference), TrainConfig(steps=1))
    lid = lambda z: jnp.array([jnp.where(z[1] >= 1.0, 1.0, 0.0), 0.0, 0.0])  # noqa: E731
    terms, _ = obj.loss_terms(lid, obj.sample(jax.random.PRNGKey(2)), jnp.int32(0))
    assert float(terms["b_u"]) == 0.0 and float(terms["b_v"]) == 0.0


def test_cavity_rejects_causal_and_wrong_reference(cavity_reference):
    with pytest.raises(ValueError, match="strategy must be one of"):
        dataclasses.replace(SMALL_LDC, strategy="causal")
    with pytest.raises(ValueError, match=r"has no sample with re = 1000.0 \(it has re = \[100.0\]\)"):
        ldc.evaluation_data(dataclasses.replace(small_ldc(cavity_reference), re=1000.0, curriculum_values=(1000.0,)))


def test_cavity_missing_reference_is_an_error_naming_the_generate_command(tmp_path, capsys):
    """No silent side effect: a missing reference is an error that prints the command to make it;
    --generate-reference solves it in memory and writes nothing outside --out."""
    missing = tmp_path / "nope.h5"
    argv = [
        "run",
        "ldc",
        "--preset",
        "quick",
        "--steps",
        "2",
        "--param",
        "plain",
        "--reference",
        str(missing),
        "--out",
        str(tmp_path / "run"),
        "--no-progress",
    ]
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "pinnrwf generate ldc --re 1000 --n 128 --out " + str(missing) in err and "Traceback" not in err
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(argv + ["--generate-reference"]) == 0  # unless asked to solve it (in memory)
    assert not missing.exists() and sorted(p.name for p in tmp_path.iterdir()) == before


def test_cavity_cli_modified_mlp(tmp_path, cavity_reference, monkeypatch):
    problem = ldc.Cavity()
    quick = problem.presets["quick"]
    monkeypatch.setattr(
        ldc.Cavity, "presets", {**problem.presets, "quick": dataclasses.replace(quick, config=SMALL_LDC)}
    )
    assert (
        main(
            [
                "run",
                "ldc",
                "--param",
                "rwf",
                "--arch",
                "modified",
                "--strategy",
                "regular",
                "--steps",
                "10",
                "--chunk",
                "5",
                "--reference",
                str(cavity_reference),
                "--out",
                str(tmp_path),
                "--no-progress",
            ]
        )
        == 0
    )
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["problem_config"]["architecture"] == "modified"
    assert set(res["runs"]["rwf"]["final_metrics"]) == {"rel_l2", "rel_l2_u", "rel_l2_v", "rel_l2_speed"}
    assert (tmp_path / "ldc.png").exists()
    with pytest.raises(SystemExit) as e:
        main(["run", "ldc", "--strategy", "causal", "--steps", "10", "--out", str(tmp_path)])
    assert e.value.code == 2


def test_cavity_cli_trains_at_another_reynolds_number(tmp_path, cavity_reference, monkeypatch, capsys):
    """--re sets the Reynolds number of the residual and of the reference; with the default
    curriculum (ending at 1000) it is a one-line error that names the way out."""
    problem = ldc.Cavity()
    quick = problem.presets["quick"]
    small = dataclasses.replace(SMALL_LDC, re=1000.0, curriculum_values=(100.0, 1000.0), curriculum_boundaries=(5,))
    monkeypatch.setattr(ldc.Cavity, "presets", {**problem.presets, "quick": dataclasses.replace(quick, config=small)})
    assert (
        main(
            [
                "run",
                "ldc",
                "--re",
                "100",
                "--strategy",
                "regular",
                "--param",
                "plain",
                "--steps",
                "4",
                "--chunk",
                "2",
                "--reference",
                str(cavity_reference),
                "--out",
                str(tmp_path / "ok"),
                "--no-progress",
            ]
        )
        == 0
    )
    res = json.loads((tmp_path / "ok" / "results.json").read_text())
    assert res["problem_config"]["re"] == 100.0 and res["problem_config"]["strategy"] == "regular"
    with pytest.raises(SystemExit) as e:
        main(
            [
                "run",
                "ldc",
                "--re",
                "100",
                "--steps",
                "4",
                "--reference",
                str(cavity_reference),
                "--out",
                str(tmp_path / "bad"),
                "--no-progress",
            ]
        )
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "curriculum_values must end at re=100" in err and "regular" in err and "Traceback" not in err


def test_cavity_lid_corner_gap_leaves_the_top_of_the_side_walls_unsampled():
    key = jax.random.PRNGKey(0)
    domain = pde.Domain({"x": (0.0, 1.0), "y": (0.0, 1.0)})
    full = domain.boundary(258)
    gap = (
        ldc.Cavity()
        .objective(
            dataclasses.replace(SMALL_LDC, n_boundary=258, lid_corner_gap=0.05, generate_reference=True),
            TrainConfig(steps=1),
        )
        .terms["b"]
        .sampler
    )
    a, b = np.asarray(full.sample(key)), np.asarray(gap.sample(key))
    assert a.shape == b.shape == (258, 2)
    side_a, side_b = a[np.isin(a[:, 0], [0.0, 1.0]) & (a[:, 1] < 1.0)], b[(b[:, 0] == 0.0) | (b[:, 0] == 1.0)]
    assert side_a[:, 1].max() > 0.95 and side_b[:, 1].max() <= 0.95  # the strip under the lid is left out
    assert np.sum(b[:, 1] == 1.0) == np.sum(a[:, 1] == 1.0) == 64  # the lid keeps its points
    with pytest.raises(ValueError, match="lid_corner_gap must be < 1"):
        dataclasses.replace(SMALL_LDC, lid_corner_gap=1.0)


def test_an_option_added_later_keeps_old_checkpoints_resumable_at_its_default():
    """lid_corner_gap came after paper-length cavity checkpoints existed: at its default it is not
    part of the fingerprint (those checkpoints resume); any other value is."""
    from pinnrwf.runner import fingerprint_config, jsonable

    base = jsonable(SMALL_LDC)
    later = ("lid_corner_gap", "fourier_scale", "fourier_features")
    assert fingerprint_config(SMALL_LDC) == {k: v for k, v in base.items() if k not in later}
    assert fingerprint_config(dataclasses.replace(SMALL_LDC, lid_corner_gap=0.01))["lid_corner_gap"] == 0.01
    assert fingerprint_config(dataclasses.replace(SMALL_LDC, re=200.0, curriculum_values=(200.0,)))["re"] == 200.0


def test_cavity_resume_refuses_a_changed_corner_gap(tmp_path, cavity_reference, monkeypatch, capsys):
    problem = ldc.Cavity()
    quick = problem.presets["quick"]
    monkeypatch.setattr(
        ldc.Cavity, "presets", {**problem.presets, "quick": dataclasses.replace(quick, config=SMALL_LDC)}
    )
    argv = [
        "run",
        "ldc",
        "--param",
        "plain",
        "--strategy",
        "regular",
        "--steps",
        "4",
        "--chunk",
        "2",
        "--checkpoint-every",
        "2",
        "--reference",
        str(cavity_reference),
        "--out",
        str(tmp_path),
        "--no-progress",
    ]
    assert main(argv) == 0
    assert main(argv[:7] + ["6"] + argv[8:]) == 0  # same options: resumes and goes on
    with pytest.raises(SystemExit):
        main(argv[:7] + ["8"] + argv[8:] + ["--lid-corner-gap", "0.01"])
    assert "fingerprint mismatch" in capsys.readouterr().err


def test_cavity_fourier_features_are_drawn_per_member_without_changing_the_network_draw():
    key = jax.random.PRNGKey(3)
    plain = ldc.Cavity().init_model(SMALL_LDC, Plain())(key)
    featured_config = dataclasses.replace(SMALL_LDC, fourier_scale=1.5, fourier_features=8)
    featured = ldc.Cavity().init_model(featured_config, Plain())(key)
    assert plain.embedding is None or type(plain.embedding).__name__ == "Identity"
    assert featured.embedding.b.shape == (8, 2)
    # the hidden layers after the first are drawn from the same key as without features
    np.testing.assert_array_equal(plain.layers[1].weight.w, featured.layers[1].weight.w)
    members = jax.vmap(ldc.Cavity().init_model(featured_config, Plain()))(jax.random.split(key, 2))
    assert not np.array_equal(members.embedding.b[0], members.embedding.b[1])
    from pinnrwf.config import fingerprint_config

    assert "fourier_scale" not in fingerprint_config(SMALL_LDC)  # old checkpoints still resume
    assert fingerprint_config(featured_config)["fourier_scale"] == 1.5
