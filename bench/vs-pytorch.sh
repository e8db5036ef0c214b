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

run_dotnet() { OMP_NUM_THREADS=2 dotnet "$bench_dll" train "$model" "$batches" 10 128 2; }
run_pytorch() { OMP_NUM_THREADS=2 /usr/bin/python3 bench/pytorch/train_throughput.py "$model" "$batches" 10 128 2; }

lowest=""
for model in "${models[@]}"; do
  side_by_side "$model" "$rounds" "$batches batches"
  lowest=$(lower "$lowest" "$side_by_side_ratio")
done
echo "ratio=$lowest"
