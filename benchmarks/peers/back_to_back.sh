#!/usr/bin/env bash
# pinnrwf's engine vs DeepXDE on the same PINN step, measured back to back on this CPU
# (timings spread ±25 % between runs, so the two alternate, A B A B, ROUNDS rounds).
#   DXDE_PYTHON=/path/to/venv-with-deepxde/bin/python bash benchmarks/peers/back_to_back.sh
#   PART=advection | ns | all (default all): which comparison to run.
# DeepXDE's environment: see the docstring of benchmarks/peers/deepxde_advection.py.
#
# Advection part: `pinnrwf bench engine` vs benchmarks/peers/deepxde_advection.py -> $OUT (default
#   benchmarks/results/deepxde-advection/<device>/default).
# NS part (lid-driven cavity, problems/ldc.py): benchmarks/peers/pinnrwf_cavity.py vs
#   benchmarks/peers/deepxde_cavity.py -> $NS_OUT (default benchmarks/results/deepxde-cavity/<device>/<NS_POINTS>): per round
#   round<k>/{pinnrwf,deepxde,load}.json, then README.md + summary.json (ratios, median).
#   NS_POINTS=paper|quick (1024+256 or 512+128 points), NS_THREADS (default 1: one compute thread
#   per process for both libraries; on a shared, oversubscribed CPU torch's default two-thread pool
#   ran ~40x slower), NS_PINNRWF_STEPS/NS_CHUNK, NS_DXDE_STEPS/NS_DXDE_WARMUP/NS_DXDE_REPS,
#   PINNRWF_PYTHON (default: python), ROUND_FIRST (default 1: number the rounds from here, so more
#   rounds can be added to a folder; the summary reads every complete round folder).
set -euo pipefail
part=${PART:-all}
case "$part" in all|advection|ns) ;; *) echo "PART must be all, advection or ns, got '$part'" >&2; exit 2 ;; esac
rounds=${ROUNDS:-3}

if [[ $part == all || $part == advection ]]; then
  out=${OUT:-benchmarks/results/deepxde-advection/$(python -m pinnrwf.benchmarks.index --device-slug)/default}
  mkdir -p "$out"
  for round in $(seq 1 "$rounds"); do
    pinnrwf bench engine --seeds 1 --steps 300 --chunk 100 --out "$out/round$round" | grep '^| '
    DDE_BACKEND=pytorch "${DXDE_PYTHON:?set DXDE_PYTHON}" benchmarks/peers/deepxde_advection.py --steps 300 \
      --out "$out/round$round/deepxde.json" | tail -1
  done
fi

if [[ $part == all || $part == ns ]]; then
  ns_out=${NS_OUT:-benchmarks/results/deepxde-cavity/$(python -m pinnrwf.benchmarks.index --device-slug)/${NS_POINTS:-paper}}
  points=${NS_POINTS:-paper}
  threads=${NS_THREADS:-1}
  py=${PINNRWF_PYTHON:-python}
  dxde=${DXDE_PYTHON:?set DXDE_PYTHON}
  load1() { cut -d' ' -f1 /proc/loadavg; }
  mkdir -p "$ns_out"
  first=${ROUND_FIRST:-1}
  for round in $(seq "$first" $((first + rounds - 1))); do
    d="$ns_out/round$round"
    mkdir -p "$d"
    l0=$(load1)
    XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=$threads ${XLA_FLAGS:-}" \
      "$py" benchmarks/peers/pinnrwf_cavity.py --points "$points" --steps "${NS_PINNRWF_STEPS:-120}" \
      --chunk "${NS_CHUNK:-30}" --out "$d/pinnrwf.json" | tail -1
    l1=$(load1)
    DDE_BACKEND=pytorch "$dxde" benchmarks/peers/deepxde_cavity.py --points "$points" --threads "$threads" \
      --warmup "${NS_DXDE_WARMUP:-3}" --steps "${NS_DXDE_STEPS:-10}" --reps "${NS_DXDE_REPS:-3}" \
      --out "$d/deepxde.json" | tail -1
    l2=$(load1)
    printf '{"before_pinnrwf": %s, "before_deepxde": %s, "after": %s}\n' "$l0" "$l1" "$l2" > "$d/load.json"
  done
  "$py" benchmarks/peers/summary.py "$ns_out" \
    --command "PART=ns NS_POINTS=$points NS_THREADS=$threads ROUNDS=$rounds ROUND_FIRST=$first NS_PINNRWF_STEPS=${NS_PINNRWF_STEPS:-120} NS_CHUNK=${NS_CHUNK:-30} NS_DXDE_WARMUP=${NS_DXDE_WARMUP:-3} NS_DXDE_STEPS=${NS_DXDE_STEPS:-10} NS_DXDE_REPS=${NS_DXDE_REPS:-3} bash benchmarks/peers/back_to_back.sh"
fi
