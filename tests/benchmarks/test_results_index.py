"""The committed results: a <benchmark>/<device>/<preset> tree, listed by a generated INDEX.md that
cannot drift from it; every registered benchmark answers --help."""

import pytest

from pinnrwf.benchmarks import BENCHMARKS
from pinnrwf.benchmarks._common import device_slug, result_dir
from pinnrwf.benchmarks.index import INDEX_NAME, RESULTS, leaves, misplaced, render
from pinnrwf.cli import main


def test_committed_results_follow_benchmark_device_preset():
    assert RESULTS.is_dir() and leaves(RESULTS)
    assert misplaced(RESULTS) == []  # no file above <benchmark>/<device>/<preset>/
    for leaf in leaves(RESULTS):
        benchmark, device, preset = leaf.relative_to(RESULTS).parts
        assert any(leaf.rglob("*.json")), f"{leaf} holds no JSON with its provenance"
        assert device.startswith(("cpu-", "gpu-", "tpu-")), device
        assert all(part == part.lower() and "_" not in part for part in (benchmark, device, preset)), leaf


def test_committed_index_is_what_the_script_generates():
    assert (RESULTS / INDEX_NAME).read_text() == render(RESULTS), (
        "benchmarks/results/INDEX.md is out of date: run python -m pinnrwf.benchmarks.index"
    )


def test_index_rows_read_provenance_and_check_the_depth(tmp_path, capsys):
    leaf = result_dir(tmp_path, "engine", "quick", device="cpu-test-2c")
    leaf.mkdir(parents=True)
    (leaf / "results.json").write_text(
        '{"date": "2030-01-02T03:04:05+00:00", "commit": "0123456789abcdef", '
        '"command": "pinnrwf bench engine --steps 2"}'
    )
    assert main(["bench", "index", "--results", str(tmp_path)]) == 0
    text = (tmp_path / INDEX_NAME).read_text()
    assert "| [engine/cpu-test-2c/quick](engine/cpu-test-2c/quick/) | 2030-01-02 | 0123456 | " in text
    assert main(["bench", "index", "--results", str(tmp_path), "--check"]) == 0
    (tmp_path / "engine" / "stray.json").write_text("{}")
    with pytest.raises(SystemExit):
        main(["bench", "index", "--results", str(tmp_path)])
    assert "engine/stray.json" in capsys.readouterr().err


def test_device_slug():
    assert device_slug({"platform": "cpu", "cpu": "AMD EPYC"}, 2) == "cpu-epyc-2c"
    assert device_slug({"platform": "cpu", "cpu": "Intel(R) Xeon(R) Processor"}, 2) == "cpu-xeon-2c"
    assert device_slug({"platform": "gpu", "device_kind": "NVIDIA H100 80GB HBM3"}) == "gpu-h100"
    assert device_slug().startswith("cpu-")


@pytest.mark.parametrize("name", sorted(BENCHMARKS))
def test_every_registered_benchmark_has_help(name, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["bench", name, "--help"])
    assert exc.value.code == 0 and "--" in capsys.readouterr().out
