#!/usr/bin/env bash
# Training throughput of TorchSharp (0.107, libtorch 2.10; our generated module with Mnist.Dsl.Training's
# MallocTuning and ChannelsLast, as our trainer runs it) against PyTorch (Debian's python3-torch 1.13.1, the seeds'
# recipe as written: default memory order, glibc's defaults), same network, same loop (SGD momentum 0.9,
# NLL loss, batches of 128 cut from one preloaded tensor), same number of batches, 2 threads, measured side by
# side in one run (alternating TorchSharp and PyTorch rounds so that machine noise hits both), for seed 004's
# network and the default network. About 3 minutes with the defaults on 2 quiet cores.
# Same memory order on both sides: DOTNET_LAYOUT=contiguous or PYTORCH_LAYOUT=channels_last; glibc's defaults on
# the .NET side: MNIST_DSL_MALLOC_TUNING=0.
# Last line: ratio=<TorchSharp images/s ÷ PyTorch images/s>, the lower of the two networks.
# usage: bench/vs-pytorch.sh [batches=100] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
batches=${1:-100}
rounds=${2:-3}
models=(seed004 default)
build_bench

run_dotnet() { OMP_NUM_THREADS=2 dotnet "$bench_dll" train "$model" "$batches" 10 128 2; }
run_pytorch() { OMP_NUM_THREADS=2 "$pytorch" bench/pytorch/train_throughput.py "$model" "$batches" 10 128 2; }

lowest=""
for model in "${models[@]}"; do
  side_by_side "$model" "$rounds" "$batches batches"
  lowest=$(lower "$lowest" "$side_by_side_ratio")
done
echo "ratio=$lowest"
