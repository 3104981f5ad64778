#!/usr/bin/env bash
# pinnrwf vs DeepXDE 1.15 on the diffusion–reaction DeepONet step (rwf_paper App. L.1: batches of
# 10 000 (function, point) pairs, branch and trunk 5 hidden layers x 64 tanh, Adam), measured back to
# back on this CPU: the two alternate, ROUNDS rounds (timings on a shared machine spread by tens of %).
#   DXDE_PYTHON=/work/venv-dxde/bin/python bash benchmarks/peers/deeponet_back_to_back.sh
# pinnrwf side: `pinnrwf run dr --preset paper` (real data in data/, see README "Datasets"), Plain and
# RWF, one seed, with its default per-function branch evaluation (the branch runs once per training
# function and is gathered for the 10 000 pairs: the same loss), and Plain with `--branch-evaluation
# per-row` (the branch once per pair, as DeepXDE computes it); steps/s excludes the first (compiling) chunk. DeepXDE side: dde.data.Triple with the
# same shapes (docstring of benchmarks/peers/deepxde_deeponet.py). Each round also times the Darcy step
# (`pinnrwf run darcy --preset paper`, Plain and RWF; DARCY=0 skips it). Summary: $OUT/summary.{json,md}.
set -euo pipefail
out=${OUT:-benchmarks/results/deepxde-deeponet/$(python -m pinnrwf.benchmarks.index --device-slug)/paper}
rounds=${ROUNDS:-3}
steps=${STEPS:-400}   # pinnrwf: 4 chunks of 100, the first one (compile) untimed
dxde_steps=${DXDE_STEPS:-100}   # DeepXDE: 3 repetitions of this many steps after 20 warm-up steps
mkdir -p "$out"
for round in $(seq 1 "$rounds"); do
  mkdir -p "$out/round$round"
  echo "pinnrwf $(cut -d' ' -f1-3 /proc/loadavg)" > "$out/round$round/loadavg.txt"  # 1, 5, 15 min load averages
  pinnrwf run dr --preset paper --param plain,rwf --seeds 1 --steps "$steps" --chunk 100 --no-progress \
    --out "$out/round$round/pinnrwf" | grep '^| '
  # like for like with DeepXDE: the branch evaluated once per (function, point) row, as DeepXDE's Triple
  pinnrwf run dr --preset paper --param plain --seeds 1 --steps "$steps" --chunk 100 --no-progress \
    --branch-evaluation per-row --out "$out/round$round/pinnrwf_per_row" | grep '^| '
  echo "deepxde $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/round$round/loadavg.txt"
  DDE_BACKEND=pytorch "${DXDE_PYTHON:?set DXDE_PYTHON}" benchmarks/peers/deepxde_deeponet.py --steps "$dxde_steps" \
    --out "$out/round$round/deepxde.json" | tail -1 | cut -c1-200
  if [ "${DARCY:-1}" = 1 ]; then
    pinnrwf run darcy --preset paper --param plain,rwf --seeds 1 --steps "$steps" --chunk 100 --no-progress \
      --out "$out/round$round/pinnrwf_darcy" | grep '^| '
  fi
  # the timing runs' trained models and figures are not kept (results.json and table.md are)
  rm -rf "$out/round$round"/pinnrwf*/models "$out/round$round"/pinnrwf*/*.png
done
"${PYTHON:-python3}" - "$out" "$rounds" <<'EOF'
import json, statistics, sys
from pathlib import Path
out, rounds = Path(sys.argv[1]), int(sys.argv[2])
rows = []
for r in range(1, rounds + 1):
    p = json.loads((out / f"round{r}" / "pinnrwf" / "results.json").read_text())["runs"]
    d = json.loads((out / f"round{r}" / "deepxde.json").read_text())
    load = dict(line.split(" ", 1) for line in (out / f"round{r}" / "loadavg.txt").read_text().splitlines())
    rows.append({"round": r, "pinnrwf_plain": p["plain"]["steps_per_second"],
                 "pinnrwf_rwf": p["rwf"]["steps_per_second"], "deepxde": d["median_steps_per_second"],
                 "pinnrwf_plain_per_row": json.loads((out / f"round{r}" / "pinnrwf_per_row" / "results.json")
                                                     .read_text())["runs"]["plain"]["steps_per_second"],
                 "load_pinnrwf": float(load["pinnrwf"].split()[0]), "load_deepxde": float(load["deepxde"].split()[0])})
    darcy = out / f"round{r}" / "pinnrwf_darcy" / "results.json"
    if darcy.exists():
        p = json.loads(darcy.read_text())["runs"]
        rows[-1] |= {"darcy_plain": p["plain"]["steps_per_second"], "darcy_rwf": p["rwf"]["steps_per_second"]}
keys = [k for k in rows[0] if k != "round" and not k.startswith("load")]
med = {k: statistics.median(x[k] for x in rows) for k in keys}
summary = {"rounds": rows, "median": med, "speedup_plain_vs_deepxde": med["pinnrwf_plain"] / med["deepxde"],
           "speedup_plain_per_row_vs_deepxde": med["pinnrwf_plain_per_row"] / med["deepxde"],
           "rwf_over_plain": med["pinnrwf_rwf"] / med["pinnrwf_plain"]}
if "darcy_plain" in med:
    summary["darcy_rwf_over_plain"] = med["darcy_rwf"] / med["darcy_plain"]
(out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
lines = ["| round | pinnrwf Plain (steps/s) | pinnrwf RWF (steps/s) | pinnrwf Plain, per-row branch (steps/s) "
         "| DeepXDE 1.15 Plain (steps/s) | pinnrwf / DeepXDE | per-row / DeepXDE "
         "| load avg at start (pinnrwf / DeepXDE) |", "|---|---|---|---|---|---|---|---|"]
lines += [f"| {x['round']} | {x['pinnrwf_plain']:.2f} | {x['pinnrwf_rwf']:.2f} | {x['pinnrwf_plain_per_row']:.2f} | "
          f"{x['deepxde']:.2f} | {x['pinnrwf_plain'] / x['deepxde']:.2f}x | "
          f"{x['pinnrwf_plain_per_row'] / x['deepxde']:.2f}x | {x['load_pinnrwf']:.2f} / {x['load_deepxde']:.2f} |"
          for x in rows]
lines += [f"| median | {med['pinnrwf_plain']:.2f} | {med['pinnrwf_rwf']:.2f} | {med['pinnrwf_plain_per_row']:.2f} | "
          f"{med['deepxde']:.2f} | {summary['speedup_plain_vs_deepxde']:.2f}x | "
          f"{summary['speedup_plain_per_row_vs_deepxde']:.2f}x | |", "",
          f"RWF / Plain (pinnrwf, medians): {summary['rwf_over_plain']:.3f}"]
if "darcy_plain" in med:
    lines += ["", "| round | Darcy Plain (steps/s) | Darcy RWF (steps/s) | RWF / Plain |", "|---|---|---|---|"]
    lines += [f"| {x['round']} | {x['darcy_plain']:.2f} | {x['darcy_rwf']:.2f} | "
              f"{x['darcy_rwf'] / x['darcy_plain']:.3f} |" for x in rows]
    lines += [f"| median | {med['darcy_plain']:.2f} | {med['darcy_rwf']:.2f} | "
              f"{summary['darcy_rwf_over_plain']:.3f} |"]
(out / "summary.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
