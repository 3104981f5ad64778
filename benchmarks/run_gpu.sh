#!/usr/bin/env bash
# The full-size runs that need a GPU (none was lent to the session that wrote this; see README
# "Benchmarks"). Run from the repository root on a CUDA machine with jax[cuda] installed:
#   bash benchmarks/run_gpu.sh
# Each writes JSON + Markdown into benchmarks/results/<benchmark>/<device>/<preset>/ naming the device, command,
# commit and date; afterwards `python -m pinnrwf.benchmarks.index` rewrites benchmarks/results/INDEX.md.
set -euo pipefail
export PYTHONUNBUFFERED=1
device=$(python -m pinnrwf.benchmarks.index --device-slug)   # e.g. gpu-h100: the results tree's device folder
pinnrwf bench engine --precision highest --out benchmarks/results                 # targets: >= 3000 steps/s (1 seed), >= 6000 seed-steps/s (10 seeds), RWF within 5 %
pinnrwf bench table12 --preset paper --out benchmarks/results                     # advection, 3 strategies x 4 parameterizations x 10 seeds x 2e5 steps
# the cavity reference (a training run never writes it; ≈ 1.5 min on a CPU)
[ -f data/ldc_re1000_n512.h5 ] || pinnrwf generate ldc --re 1000 --n 512 --out data/ldc_re1000_n512.h5
pinnrwf bench table13 --preset paper --out benchmarks/results                     # cavity, 2 architectures x 4 parameterizations x 10 seeds x 1e5 steps
pinnrwf run regression1d --preset paper --param all --out "benchmarks/results/regression1d/$device/paper"
# Table 14 (operator learning): the Burgers PI-DeepONet needs only its test set on disk (≈ 1 min on a CPU; the
# training initial conditions are sampled, never solved); DR and Darcy read their own data (see their problems).
[ -f data/burgers_test.h5 ] || pinnrwf generate burgers --n-samples 100 --seed 1 --out data/burgers_test.h5
pinnrwf bench table14 --preset paper --out benchmarks/results                     # DR, Darcy, Burgers: 5 parameterizations (incl. WC-row) x 10 seeds
# Vision (Tables 8–11, the Lego row of Table 1): real data from ../shared/data (DATA_DIR overrides).
data_dir=${DATA_DIR:-../shared/data}
pinnrwf bench table8 --preset paper --data-dir "$data_dir" --out benchmarks/results # 16 images x 3 mappings x 5 param., 512², 2000 steps
pinnrwf bench table9 --preset paper --data-dir "$data_dir" --out benchmarks/results # Text, 16 regenerated images
pinnrwf bench table10 --preset paper --data-dir "$data_dir" --out benchmarks/results# Shepp + ATLAS stand-in, 20 images each
pinnrwf bench table11 --preset paper --data-dir "$data_dir" --out benchmarks/results# Dragon, Armadillo: 10^4 steps, batch 8192
pinnrwf bench nerf --preset paper --data-dir "$data_dir" --out benchmarks/results   # Lego 400², 10 seeds x 5·10^4 steps (WC-row = E-NeRF)
pinnrwf bench siren --preset paper --data-dir "$data_dir" --out benchmarks/results  # Fig. 11 and 16: SIREN x 6 omega0 + plain MLP, 16/20 images
pinnrwf bench param-speed --problems dr,darcy,burgers-operator,image-natural,ct,occupancy,nerf --preset paper --out benchmarks/results
