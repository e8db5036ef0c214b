#!/usr/bin/env bash
# Training throughput of Mnist.Torch against PyTorch on the same libtorch (Debian's 1.13.1), same network,
# same loop, same number of batches of 128, 2 threads, measured side by side in one run (alternating
# .NET and PyTorch rounds so that machine noise hits both), for seed 004's network and the default network.
# Last line: ratio=<.NET images/s ÷ PyTorch images/s>, the lower of the two networks.
# usage: bench/vs-pytorch.sh [batches=100] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
batches=${1:-100}
rounds=${2:-3}
models=(seed004 default)
build_bench

lowest=""
for model in "${models[@]}"; do
  dotnet_rates=(); torch_rates=()
  for ((r = 1; r <= rounds; r++)); do
    dotnet_rates+=("$(OMP_NUM_THREADS=2 dotnet "$bench_dll" train "$model" "$batches" 10 128 2 | value)")
    torch_rates+=("$(OMP_NUM_THREADS=2 /usr/bin/python3 bench/pytorch/train_throughput.py "$model" "$batches" 10 128 2 | value)")
    echo "round $r $model: .NET ${dotnet_rates[-1]} images/s, PyTorch ${torch_rates[-1]} images/s"
  done
  d=$(printf '%s\n' "${dotnet_rates[@]}" | median)
  t=$(printf '%s\n' "${torch_rates[@]}" | median)
  r=$(ratio "$d" "$t")
  echo "$model: .NET $d images/s, PyTorch $t images/s (medians of $rounds rounds of $batches batches), ratio $r"
  lowest=$(lower "$lowest" "$r")
done
echo "ratio=$lowest"
