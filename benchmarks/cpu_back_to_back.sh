#!/usr/bin/env bash
# pinnrwf's engine vs DeepXDE on the same advection step, measured back to back on this CPU
# (timings spread ±25 % between runs, so the two alternate, three rounds each).
#   DXDE_PYTHON=/path/to/venv-with-deepxde/bin/python bash benchmarks/cpu_back_to_back.sh
# DeepXDE's environment: see the docstring of benchmarks/deepxde_advection.py.
set -euo pipefail
out=${OUT:-benchmarks/results/cpu_back_to_back}
mkdir -p "$out"
for round in 1 2 3; do
  pinnrwf bench engine --seeds 1 --steps 300 --chunk 100 --out "$out/round$round" | grep '^| '
  DDE_BACKEND=pytorch "${DXDE_PYTHON:?set DXDE_PYTHON}" benchmarks/deepxde_advection.py --steps 300 \
    --out "$out/round$round/deepxde.json" | tail -1
done
