"""The coordinate network shared by the vision tasks and the SIREN ω0 study (rwf_paper Fig. 11, 16)."""

from __future__ import annotations

import dataclasses
import json

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf.cli import main
from pinnrwf.nn import MLP, RWF, FourierFeatures, Identity, Plain, SirenScale, siren
from pinnrwf.problems import get
from pinnrwf.vision import (
    SIREN_OMEGAS,
    RadianceField,
    SigmoidOutput,
    coordinate_embedding,
    coordinate_network,
    siren_omegas,
    siren_study,
)


def _leaves_equal(a, b) -> bool:
    la, lb = (
        jax.tree_util.tree_leaves(eqx.filter(a, eqx.is_array)),
        jax.tree_util.tree_leaves(eqx.filter(b, eqx.is_array)),
    )
    return len(la) == len(lb) and all(np.array_equal(x, y) for x, y in zip(la, lb))


@pytest.mark.parametrize("head", [None, SigmoidOutput, RadianceField])
@pytest.mark.parametrize("parameterization", [Plain(), RWF(1.0, 0.1)], ids=["plain", "rwf"])
def test_builder_is_the_relu_mlp_of_table3_with_the_head(head, parameterization):
    embedding = coordinate_embedding("gauss", 3, scale=10.0, num_features=8, key=jax.random.PRNGKey(3))
    key = jax.random.PRNGKey(0)
    built = coordinate_network(4, 16, 2, parameterization, embedding, mapping="gauss", head=head)(key)
    direct = MLP(3, 4, 16, 2, parameterization, activation="relu", embedding=embedding, key=key)
    if head is not None:
        assert isinstance(built, head)
        direct = head(direct)
    assert _leaves_equal(built, direct)  # the same weights as building the MLP by hand
    x = jnp.linspace(0.0, 1.0, 15).reshape(5, 3)
    out, ref = jax.vmap(built)(x), jax.vmap(direct)(x)
    for o, r in zip(jax.tree_util.tree_leaves(out), jax.tree_util.tree_leaves(ref)):
        np.testing.assert_array_equal(o, r)


def test_a_siren_scale_selects_siren_on_the_raw_coordinates():
    embedding = coordinate_embedding("none", 2, scale=1.0)
    key = jax.random.PRNGKey(1)
    net = coordinate_network(1, 16, 3, SirenScale(30.0), embedding, mapping="none", head=SigmoidOutput)(key)
    assert isinstance(net, SigmoidOutput) and isinstance(net.network.embedding, Identity)
    assert net.network.activations[0].fn is jnp.sin
    assert _leaves_equal(net.network, siren(2, 1, 16, 3, omega0=30.0, embedding=embedding, key=key))
    gauss = coordinate_embedding("gauss", 2, scale=4.0, num_features=8, key=key)
    with pytest.raises(ValueError, match="--study siren with --mapping none, got --mapping gauss"):
        coordinate_network(1, 16, 3, SirenScale(30.0), gauss, mapping="gauss")
    with pytest.raises(ValueError, match="mapping must be one of"):
        coordinate_network(1, 16, 3, Plain(), gauss, mapping="fourier")


def test_siren_study_lists_the_papers_omegas_and_the_plain_baseline():
    study = siren_study()
    assert study["plain"] == Plain()
    assert [p.omega0 for n, p in study.items() if n != "plain"] == list(SIREN_OMEGAS) == [1, 5, 10, 30, 50, 100]
    assert siren_omegas({"plain": None, "siren(omega0=5)": None, "rwf": None}) == {"siren(omega0=5)": 5.0}


def test_every_vision_task_builds_its_network_with_the_builder():
    """CT (Fig. 16 needs its SIREN), images, occupancy and NeRF all accept a SirenScale with no mapping
    and reject it with a Fourier mapping, because they share the builder."""
    for name in ("ct", "image-natural", "occupancy", "nerf"):
        problem = get(name)
        smoke = problem.presets["smoke"].config
        none = dataclasses.replace(smoke, mapping="none")
        net = problem.init_model(none, SirenScale(10.0))(jax.random.PRNGKey(0))
        assert any(
            getattr(a, "fn", None) is jnp.sin
            for a in jax.tree_util.tree_leaves(net, is_leaf=lambda n: hasattr(n, "fn"))
        ), name
        gauss = dataclasses.replace(smoke, mapping="gauss")
        with pytest.raises(ValueError, match="--mapping none"):
            problem.init_model(gauss, SirenScale(10.0))
        relu = problem.init_model(gauss, Plain())(jax.random.PRNGKey(0))
        assert any(
            isinstance(e, FourierFeatures)
            for e in jax.tree_util.tree_leaves(relu, is_leaf=lambda n: isinstance(n, FourierFeatures))
        ), name


@pytest.mark.slow  # seven small networks compiled: ≈ 15 s
def test_ct_siren_study_through_the_cli_adds_the_omega0_figure(tmp_path):
    argv = [
        "run",
        "ct",
        "--preset",
        "smoke",
        "--study",
        "siren",
        "--mapping",
        "none",
        "--steps",
        "4",
        "--chunk",
        "2",
        "--out",
        str(tmp_path),
        "--no-progress",
    ]
    assert main(argv) == 0
    res = json.loads((tmp_path / "results.json").read_text())
    assert list(res["runs"]) == list(siren_study())
    assert res["report"]["siren_omega0"]["siren(omega0=100)"] == 100.0
    assert (tmp_path / "ct_siren.png").stat().st_size > 10_000
    for run in res["runs"].values():
        assert np.isfinite(run["final_metrics"]["psnr"]).all()


def test_ct_siren_study_with_a_mapping_is_one_line_error_before_any_training(tmp_path, capsys):
    argv = [
        "run",
        "ct",
        "--preset",
        "smoke",
        "--study",
        "siren",
        "--mapping",
        "gauss",
        "--steps",
        "2",
        "--chunk",
        "2",
        "--out",
        str(tmp_path),
        "--no-progress",
    ]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and "--mapping none" in err[0] and "Traceback" not in err[0]
    assert "training" not in captured.out  # refused before the plain baseline trains
