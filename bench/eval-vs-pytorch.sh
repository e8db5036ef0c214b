#!/usr/bin/env bash
# Evaluation throughput of TorchSharp (0.107, libtorch 2.10, with MallocTuning and ChannelsLast; see
# vs-pytorch.sh for DOTNET_LAYOUT, PYTORCH_LAYOUT, MNIST_DSL_MALLOC_TUNING) against PyTorch (Debian's
# python3-torch 1.13.1): eval mode, no_grad, one forward pass per batch, at batch 1 and at batch 1000, for the
# default network and seed 004's, 2 threads, TorchSharp and PyTorch rounds alternating in one run so that
# machine noise hits both; medians. A few minutes with the defaults on 2 quiet cores.
# Last two lines: ratio_batch1=... and ratio_batch1000=... (TorchSharp images/s ÷ PyTorch images/s, the lower
# of the two networks).
# usage: bench/eval-vs-pytorch.sh [rounds=3] [batches at batch 1=2000] [batches at batch 1000=20]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
rounds=${1:-3}
declare -A batches=([1]=${2:-2000} [1000]=${3:-20})
declare -A warmup=([1]=200 [1000]=3)
models=(default seed004)
build_bench

run_dotnet() { OMP_NUM_THREADS=2 dotnet "$bench_dll" eval "$model" "$size" "${batches[$size]}" "${warmup[$size]}" 2; }
run_pytorch() { OMP_NUM_THREADS=2 "$pytorch" bench/pytorch/eval_throughput.py "$model" "$size" "${batches[$size]}" "${warmup[$size]}" 2; }

declare -A lowest=()
for size in 1 1000; do
  for model in "${models[@]}"; do
    side_by_side "$model batch $size" "$rounds" "${batches[$size]} batches"
    lowest[$size]=$(lower "${lowest[$size]:-}" "$side_by_side_ratio")
  done
done
echo "ratio_batch1=${lowest[1]}"
echo "ratio_batch1000=${lowest[1000]}"
