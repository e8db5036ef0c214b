#!/usr/bin/env bash
# Evaluation throughput of Mnist.Torch against PyTorch on the same libtorch (Debian's 1.13.1): eval mode,
# no_grad, one forward pass per batch, at batch 1 and at batch 1000, for the default network and seed 004's,
# 2 threads, .NET and PyTorch rounds alternating in one run so that machine noise hits both; medians.
# Last two lines: ratio_batch1=... and ratio_batch1000=... (.NET images/s ÷ PyTorch images/s, the lower of
# the two networks).
# usage: bench/eval-vs-pytorch.sh [rounds=3] [batches at batch 1=2000] [batches at batch 1000=20]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
rounds=${1:-3}
declare -A batches=([1]=${2:-2000} [1000]=${3:-20})
declare -A warmup=([1]=200 [1000]=3)
models=(default seed004)
build_bench

declare -A lowest=()
for size in 1 1000; do
  for model in "${models[@]}"; do
    dotnet_rates=(); torch_rates=()
    for ((r = 1; r <= rounds; r++)); do
      dotnet_rates+=("$(OMP_NUM_THREADS=2 dotnet "$bench_dll" eval "$model" "$size" "${batches[$size]}" "${warmup[$size]}" 2 | value)")
      torch_rates+=("$(OMP_NUM_THREADS=2 /usr/bin/python3 bench/pytorch/eval_throughput.py "$model" "$size" "${batches[$size]}" "${warmup[$size]}" 2 | value)")
      echo "round $r $model batch $size: .NET ${dotnet_rates[-1]} images/s, PyTorch ${torch_rates[-1]} images/s"
    done
    d=$(printf '%s\n' "${dotnet_rates[@]}" | median)
    t=$(printf '%s\n' "${torch_rates[@]}" | median)
    r=$(ratio "$d" "$t")
    echo "$model batch $size: .NET $d images/s, PyTorch $t images/s (medians of $rounds rounds of ${batches[$size]} batches), ratio $r"
    lowest[$size]=$(lower "${lowest[$size]:-}" "$r")
  done
done
echo "ratio_batch1=${lowest[1]}"
echo "ratio_batch1000=${lowest[1000]}"
