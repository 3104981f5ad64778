"""The vision tables benchmark: every table names registered problems whose configs have the
fields it sets, and a smoke table runs, writes JSON + Markdown, and reads finished cells back."""

import dataclasses
import json

import pytest

from pinnrwf.benchmarks._common import result_dir
from pinnrwf.benchmarks.tables.vision_tables import TABLES
from pinnrwf.cli import main
from pinnrwf.problems import registry
from pinnrwf.vision import MAPPINGS


@pytest.mark.parametrize("name", sorted(TABLES))
def test_tables_match_the_problems_they_run(name):
    table, known = TABLES[name], registry()
    assert set(table.rows) <= set(MAPPINGS)
    for block in table.blocks:
        problem = known[block.problem]
        assert table.metric in problem.metrics
        for preset in ("smoke", "quick", "paper"):
            fields = {f.name for f in dataclasses.fields(problem.presets[preset].config)}
            assert {"mapping", *dict(block.changes)} <= fields
            if table.instance_field:
                assert table.instance_field in fields
        # the block's changes and every row make a valid config
        for row in table.rows:
            dataclasses.replace(problem.presets["smoke"].config, mapping=row, **dict(block.changes))


def test_smoke_table_writes_results_and_reads_finished_cells_back(tmp_path, capsys):
    argv = ["bench", "table8", "--preset", "smoke", "--rows", "gauss", "--param", "plain,rwf", "--out", str(tmp_path)]
    assert main(argv) == 0
    out = result_dir(tmp_path, "table8", "smoke")
    res = json.loads((out / "table8_smoke_cpu.json").read_text())
    cell = res["cells"]["Natural"]["gauss"]
    assert set(cell) == {"plain", "rwf"} and all(len(c["values"]) == 1 for c in cell.values())
    assert res["paper"]["Natural"]["gauss"]["rwf"] == [28.08, 4.34]
    assert (out / "table8_smoke_figures" / "natural").is_dir()
    md = (out / "table8_smoke_cpu.md").read_text()
    assert "| Gaussian (paper) | 27.35 ± 4.05 | 28.08 ± 4.34 |" in md
    capsys.readouterr()
    assert main(argv) == 0
    assert "read back natural_gauss_0.json" in capsys.readouterr().out
    again = json.loads((out / "table8_smoke_cpu.json").read_text())
    assert again["cells"]["Natural"]["gauss"]["plain"]["values"] == cell["plain"]["values"]
    assert res["figures"] and set(again["figures"]) == set(res["figures"])  # read back, the figures still listed
    # different settings do not reuse the cell
    assert main(argv + ["--steps", "3"]) == 0
    assert "read back" not in capsys.readouterr().out


def _fails(argv, capsys) -> str:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    return err


def test_bad_table_arguments_are_one_line_errors(tmp_path, capsys):
    err = _fails(["bench", "table8", "--preset", "smoke", "--rows", "fourier", "--out", str(tmp_path)], capsys)
    assert "--rows must be a comma list of none, posenc, gauss" in err
    err = _fails(["bench", "table11", "--preset", "smoke", "--instances", "2", "--out", str(tmp_path)], capsys)
    assert "--instances applies to the image and CT tables" in err


@pytest.mark.slow  # seven small networks compiled: ≈ 15 s
def test_siren_sweep_runs_the_study_and_draws_psnr_against_omega0(tmp_path):
    from pinnrwf.vision import siren_study

    argv = ["bench", "siren", "--preset", "smoke", "--blocks", "Shepp", "--steps", "2", "--out", str(tmp_path)]
    assert main(argv) == 0
    out = result_dir(tmp_path, "siren", "smoke")
    res = json.loads((out / "siren_smoke_cpu.json").read_text())
    assert res["rows"] == ["none"] and list(res["cells"]) == ["Shepp"]
    cell = res["cells"]["Shepp"]["none"]
    assert list(cell) == list(siren_study()) and all(len(c["values"]) == 1 for c in cell.values())
    md = (out / "siren_smoke_cpu.md").read_text()
    assert "| input mapping | plain | siren(omega0=1) |" in md
    assert (out / "siren_smoke_cpu.png").stat().st_size > 10_000
    assert str(out / "siren_smoke_cpu.png") in res["figures"]


def test_siren_sweep_refuses_param(tmp_path, capsys):
    err = _fails(["bench", "siren", "--preset", "smoke", "--param", "rwf", "--out", str(tmp_path)], capsys)
    assert "--param does not apply to siren: the siren study sets the networks" in err
