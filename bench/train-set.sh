#!/usr/bin/env bash
# Training speed on a benchmark set the engine was not tuned on: the generated engine against PyTorch, side by side in
# one run, on the seed networks (the samples' registry names) and on the random MNIST-scale stacks of
# bench/stacks/random-stacks.json (drawn once, seed 22, by the property tests' valid-stack generator,
# tests/Shared/ValidStacks.cs; tests/Mnist.Dsl.Properties.Tests/BenchmarkStacksTests.cs keeps the file equal to that
# draw). Both sides read that one description: the engine bench composes each stack with TrainerBlueprint.For (the
# lowering the generator writes trainers from), bench/pytorch/stacks.py builds its PyTorch twin.
#   generated   bench/Mnist.Dsl.Engine.Bench (a sample's generated trainer, or a stack composed at run time)
#   PyTorch     Debian's python3-torch 1.13.1 (/usr/bin/python3), bench/pytorch/train_throughput.py
# The loop of bench/train-engines.sh: a pool of 50 random batches, batch 128, SGD lr 0.01 momentum 0.9, NLL loss on a
# LogSoftmax at the end (else cross-entropy on logits, as the engine does), 10 warm-up batches and 2 s, then <batches> timed and 1 s,
# on <threads> threads. The two sides alternate, their order rotating per round; the figures are medians of <rounds>.
# Per network: images/s of each side, their ratio (generated / PyTorch), and the units the lowering picked (a
# general unit where no fused one fits). Last lines: the minimum ratio and "ratio_min=<it>".
# ENGINE_DLL=<path to Mnist.Dsl.Engine.Bench.dll> times that build instead of building this tree's (before/after runs);
# NETWORKS="random3 random7" times only those. BEFORE_DLL=<another build's dll> times it too, as a third engine in
# the same rotation ("before": its rate and ratio are printed after the others), so a change is measured side by side.
# usage: bench/train-set.sh [batches=50] [rounds=3] [threads=2]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
batches=${1:-50}
rounds=${2:-3}
threads=${3:-2}
batch=128
warmup=10
seeds=(default small seed004 fast seed002 seed001-1 seed001-2)
mapfile -t stacks < <(sed -n 's/.*"name": "\(random[0-9]*\)".*/\1/p' bench/stacks/random-stacks.json)
networks=("${seeds[@]}" "${stacks[@]}")
[[ -z "${NETWORKS:-}" ]] || read -r -a networks <<<"$NETWORKS"
engines=(generated PyTorch)
[[ -z "${BEFORE_DLL:-}" ]] || engines+=(before)

engine_dll=${ENGINE_DLL:-$(build_dll bench/Mnist.Dsl.Engine.Bench Mnist.Dsl.Engine.Bench)}

run_generated() { dotnet "$engine_dll" "$batches" "$warmup" "$batch" "$threads" "$1"; }
run_before() { dotnet "$BEFORE_DLL" "$batches" "$warmup" "$batch" "$threads" "$1"; }
run_PyTorch() { OMP_NUM_THREADS=$threads "$pytorch" bench/pytorch/train_throughput.py "$1" "$batches" "$warmup" "$batch" "$threads"; }
key() { sed -n "s/^$1=//p"; }

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "processor: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs"
echo "load before: $(uptime | sed 's/.*load average: //')"
echo "--- training, batch $batch, $threads threads, $batches batches per run, $rounds rounds (images/s)"
declare -A rates units
for ((round = 1; round <= rounds; round++)); do
  for network in "${networks[@]}"; do
    line="round $round $network:"
    for ((i = 0; i < ${#engines[@]}; i++)); do
      engine=${engines[(i + round - 1) % ${#engines[@]}]}
      out=$(run_"$engine" "$network")
      rates[$network,$engine]+=" $(echo "$out" | value)"
      [[ $engine != generated ]] || units[$network]=$(echo "$out" | key units)
      line+=" $engine $(echo "$out" | value)"
    done
    echo "$line"
  done
done

echo "--- medians of $rounds rounds"
if [[ -n "${BEFORE_DLL:-}" ]]; then
  printf '%-10s %12s %12s %7s %12s %7s\n' network generated PyTorch ratio before ratio
  for network in "${networks[@]}"; do
    g=$(printf '%s\n' ${rates[$network,generated]} | median)
    p=$(printf '%s\n' ${rates[$network,PyTorch]} | median)
    b=$(printf '%s\n' ${rates[$network,before]} | median)
    printf '%-10s %12.1f %12.1f %7s %12.1f %7s\n' "$network" "$g" "$p" "$(ratio "$g" "$p")" "$b" "$(ratio "$b" "$p")"
  done
fi
printf '%-10s %12s %12s %7s  %s\n' network generated PyTorch ratio "units (+: fused)"
minimum="" worst=""
for network in "${networks[@]}"; do
  g=$(printf '%s\n' ${rates[$network,generated]} | median)
  p=$(printf '%s\n' ${rates[$network,PyTorch]} | median)
  r=$(ratio "$g" "$p")
  printf '%-10s %12.1f %12.1f %7s  %s\n' "$network" "$g" "$p" "$r" "${units[$network]}"
  if [[ -z "$minimum" ]] || awk -v a="$r" -v b="$minimum" 'BEGIN {exit !(a < b)}'; then minimum=$r worst=$network; fi
done
echo "load after: $(uptime | sed 's/.*load average: //')"
echo "minimum: $worst $minimum"
echo "ratio_min=$minimum"
