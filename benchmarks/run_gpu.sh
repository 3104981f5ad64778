#!/usr/bin/env bash
# The full-size runs that need a GPU (none was lent to the session that wrote this; see README
# "Benchmarks"). Run from the repository root on a CUDA machine with jax[cuda] installed:
#   bash benchmarks/run_gpu.sh
# Each writes JSON + Markdown into benchmarks/results/ naming the device, command, commit and date.
set -euo pipefail
export PYTHONUNBUFFERED=1
pinnrwf bench engine --precision highest                 # targets: >= 3000 steps/s (1 seed), >= 6000 seed-steps/s (10 seeds), RWF within 5 %
pinnrwf bench table12 --preset paper                     # advection, 3 strategies x 4 parameterizations x 10 seeds x 2e5 steps
pinnrwf bench table13 --preset paper                     # cavity, 2 architectures x 4 parameterizations x 10 seeds x 1e5 steps
pinnrwf run regression1d --preset paper --param all --out benchmarks/results/regression1d_paper
