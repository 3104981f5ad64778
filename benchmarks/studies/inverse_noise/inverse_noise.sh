#!/usr/bin/env bash
# Inverse problems, quick presets on the CPU: Plain vs RWF, 3 seeds (one vmapped
# ensemble), observation noise 0 / 1 / 5 %. One run per (problem, noise, parameterization) so that
# no command exceeds 10 minutes on a shared 2-core machine; inverse_summary.py merges them into
# inverse_cpu.md / inverse_cpu.json. Usage: bash benchmarks/studies/inverse_noise/inverse_noise.sh [problem ...]
set -euo pipefail
cd "$(dirname "$0")/.."
HERE=benchmarks/results/inverse-noise/$(python -m pinnrwf.benchmarks.index --device-slug)/quick
PROBLEMS=("${@:-burgers-inverse heat-inverse}")
for problem in ${PROBLEMS[@]}; do
  for noise in 0 0.01 0.05; do
    for param in plain rwf; do
      out="$HERE/runs/${problem}_noise${noise}_${param}"
      mkdir -p "$out"
      load_before=$(cut -d' ' -f1-3 /proc/loadavg)
      /usr/bin/time -f "%e %U %S" -o "$out/time.txt" \
        nice -n 10 pinnrwf run "$problem" --preset quick --noise "$noise" --param "$param" --no-progress --out "$out" \
        > "$out/log.txt" 2>&1
      echo "$load_before $(cut -d' ' -f1-3 /proc/loadavg)" > "$out/loadavg.txt"
      echo "$problem noise=$noise $param: $(cat "$out/time.txt") (wall user sys, s)"
    done
  done
done
python benchmarks/studies/inverse_noise/inverse_summary.py
