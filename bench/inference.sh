#!/usr/bin/env bash
# Eval-mode inference, side by side: the generated inference class (plain C#, <Network>Inference) against the
# TorchSharp module it is generated next to (libtorch 2.10, channels-last and malloc tuning as in vs-pytorch.sh;
# both in one .NET process, alternating call by call)
# and against PyTorch (Debian's python3-torch 1.13.1), same network, same random weights layout, 2 threads.
# Batch 1: median latency of single-image calls (µs). Batch N: images/s over whole batches (median).
# Rounds alternate .NET and PyTorch so that machine noise hits both; each figure is the median over rounds.
# About a minute with the defaults on 2 quiet cores.
# Last line: speedup=<TorchSharp batch-1 latency ÷ generated batch-1 latency> for the default network.
# usage: [THREADS=2] bench/inference.sh [single-image calls=2000] [batches=10] [rounds=3] [batch-size=1000] [models="default"]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
singles=${1:-2000}
batches=${2:-10}
rounds=${3:-3}
batch=${4:-1000}
read -r -a models <<<"${5:-default}"
threads=${THREADS:-2}
build_bench

key() { grep "^$1=" | tail -1 | sed 's/.*=//'; }

printf '| network | generated batch 1 (µs) | TorchSharp batch 1 (µs) | PyTorch batch 1 (µs) | generated batch %s (images/s) | TorchSharp batch %s (images/s) | PyTorch batch %s (images/s) |\n' "$batch" "$batch" "$batch"
printf '|---|---:|---:|---:|---:|---:|---:|\n'
speedup=""
for model in "${models[@]}"; do
  g1=(); t1=(); p1=(); gn=(); tn=(); pn=()
  for ((r = 1; r <= rounds; r++)); do
    out=$(OMP_NUM_THREADS=$threads dotnet "$bench_dll" infer "$model" "$singles" "$batches" "$batch" "$threads")
    py=$(OMP_NUM_THREADS=$threads "$pytorch" bench/pytorch/inference.py "$model" "$singles" "$batches" "$batch" "$threads")
    g1+=("$(key generated_batch1_us <<<"$out")"); t1+=("$(key torchsharp_batch1_us <<<"$out")"); p1+=("$(key pytorch_batch1_us <<<"$py")")
    gn+=("$(key "generated_batch${batch}_images_per_s" <<<"$out")"); tn+=("$(key "torchsharp_batch${batch}_images_per_s" <<<"$out")")
    pn+=("$(key "pytorch_batch${batch}_images_per_s" <<<"$py")")
    echo "round $r $model: batch 1 generated ${g1[-1]} µs, TorchSharp ${t1[-1]} µs, PyTorch ${p1[-1]} µs; batch $batch generated ${gn[-1]}/s, TorchSharp ${tn[-1]}/s, PyTorch ${pn[-1]}/s" >&2
  done
  m() { printf '%s\n' "$@" | median; }
  G1=$(m "${g1[@]}"); T1=$(m "${t1[@]}"); P1=$(m "${p1[@]}"); GN=$(m "${gn[@]}"); TN=$(m "${tn[@]}"); PN=$(m "${pn[@]}")
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$model" "$G1" "$T1" "$P1" "$GN" "$TN" "$PN"
  ratio=$(awk -v t="$T1" -v g="$G1" 'BEGIN {printf "%.1f", t / g}')
  throughput=$(awk -v g="$GN" -v t="$TN" 'BEGIN {printf "%.2f", g / t}')
  echo "$model: batch 1 generated is ${ratio}x faster than TorchSharp; batch $batch generated/TorchSharp throughput ${throughput}x (medians of $rounds rounds)"
  if [[ "$model" == default ]]; then speedup=$ratio; fi
done
[[ -n "$speedup" ]] || { echo "speedup needs the default network among the models" >&2; exit 1; }
echo "speedup=$speedup"
