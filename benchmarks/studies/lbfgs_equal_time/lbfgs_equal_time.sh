#!/bin/bash
# The measurements of README.md here: for each problem and parameterization, Adam alone for N
# steps, then Adam for N' = N/2 steps + L-BFGS until the run has used the same CPU time.
# Usage: bash benchmarks/studies/lbfgs_equal_time/lbfgs_equal_time.sh LANE (from the repository root); the lanes were run concurrently (every
# process is single-threaded and its clock is its own CPU time), then `lbfgs_equal_time.sh report`.
set -e
export XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
M="nice -n 10 python benchmarks/studies/lbfgs_equal_time/lbfgs_equal_time.py run"
R=benchmarks/results/lbfgs-equal-time/$(python -m pinnrwf.benchmarks.index --device-slug)/default/runs
mkdir -p $R
lane() {  # problem param N N' [extra hybrid arguments]
    $M $1 $2 adam $3 --out $R/$1_$2.jsonl
    $M $1 $2 hybrid $4 --budget-from $R/$1_$2.jsonl --out $R/$1_$2.jsonl "${@:5}"
}
case "$1" in
  heat-plain) lane heat plain 2000 1000 ;;
  heat-rwf) lane heat rwf 2000 1000 ;;
  # Helmholtz: the quick preset's 5000 steps cost ~25 CPU s, half of it compilation; 12 000 instead
  helmholtz-plain) lane helmholtz plain 12000 6000
    # larger fixed sets: 4 and 16 training batches (512 / 2048 residual + 2048 / 8192 boundary points)
    for b in 16 4; do
      $M helmholtz plain hybrid 6000 --lbfgs-batches $b --budget-from $R/helmholtz_plain.jsonl \
          --out $R/helmholtz_plain.jsonl
    done ;;
  helmholtz-rwf) lane helmholtz rwf 12000 6000 ;;
  # the cavity at a reduced budget: 800 steps, the Re curriculum 100 → 500 → 1000 at steps 200, 400
  ldc-plain) lane ldc plain 800 400 ;;
  ldc-rwf) lane ldc rwf 800 400 ;;
  report) python benchmarks/studies/lbfgs_equal_time/lbfgs_equal_time.py report $R/*.jsonl ;;
esac
