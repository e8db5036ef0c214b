#!/usr/bin/env bash
# Time to 99.4% test accuracy on real MNIST: our default network with our trainer's recipe (15 epochs, SGD
# momentum 0.9, one-cycle to lr 0.1, batch 128, rotation ±7°) against the best of the seeds' recipes run in
# PyTorch (Debian's python3-torch 1.13.1; seed 004's network, SGD lr 0.01 momentum 0.9, constant rate, no
# augmentation, batch 128, 19 epochs: bench/pytorch/time_to_accuracy.py); the .NET side is our trainer on
# TorchSharp 0.107 (libtorch 2.10). Same IDX files, same threads (2), one after the other in one run. Each side's time is the sum of its epochs' seconds (training and test pass) up to and
# including the first epoch at or above the target. Every epoch runs even after the target is reached.
# Last line: ratio=<PyTorch seconds ÷ .NET seconds> (above 1: .NET gets there sooner); "ratio>=x" when only
# .NET reaches the target (x uses all of PyTorch's epochs), "ratio<=x" when only PyTorch does, "ratio=none"
# when neither does.
#
# usage: bench/time-to-99.4.sh
# environment (for quick checks; the defaults are the full run, about 10-20 minutes per side on 2 quiet cores):
#   TARGET=99.4  DOTNET_EPOCHS=15  PYTORCH_EPOCHS=19  TRAIN_LIMIT=0 (all 60,000)  TEST_LIMIT=0 (all 10,000)
#   SEED=1  THREADS=2  PYTORCH_ARGS="" (more options for time_to_accuracy.py, e.g. another seed's recipe)
#   MNIST_DIR (the IDX files; default ~/.cache/mnist-dsl/mnist, filled by ./build.sh fetch-data)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
target=${TARGET:-99.4}
dotnet_epochs=${DOTNET_EPOCHS:-15}
pytorch_epochs=${PYTORCH_EPOCHS:-19}
train_limit=${TRAIN_LIMIT:-0}
test_limit=${TEST_LIMIT:-0}
seed=${SEED:-1}
threads=${THREADS:-2}
data=${MNIST_DIR:-$HOME/.cache/mnist-dsl/mnist}
[[ -s "$data/t10k-labels-idx1-ubyte" || -s "$data/t10k-labels-idx1-ubyte.gz" ]] ||
  { echo "time-to-99.4: no MNIST in $data: run ./build.sh fetch-data or set MNIST_DIR" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/time-to-99.4.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
trainer=$(build_dll src/Samples/Mnist.Train Mnist.Train)

echo ".NET: default network, $dotnet_epochs epochs, one-cycle to 0.1, rotation ±7° (train limit $train_limit, test limit $test_limit)"
OMP_NUM_THREADS=$threads dotnet "$trainer" train default --engine torch --epochs "$dotnet_epochs" --seed "$seed" --threads "$threads" \
  --train-limit "$train_limit" --test-limit "$test_limit" --data "$data" --output "$work/dotnet" >"$work/dotnet.log" 2>&1 ||
  { cat "$work/dotnet.log" >&2; exit 1; }
# metrics.csv: epoch,train_loss,train_accuracy,test_loss,test_accuracy,test_correct,test_count,learning_rate,seconds
awk -F, 'NR > 1 {total += $9; printf "epoch=%d test_accuracy=%.2f seconds=%.1f total_seconds=%.1f\n", $1, $5, $9, total}' "$work/dotnet/metrics.csv"
dotnet_seconds=$(awk -F, -v t="$target" 'NR > 1 {total += $9; if ($5 + 0 >= t) {printf "%.1f", total; exit}}' "$work/dotnet/metrics.csv")
dotnet_total=$(awk -F, 'NR > 1 {total += $9} END {printf "%.1f", total}' "$work/dotnet/metrics.csv")

echo "PyTorch: seed 004's recipe, $pytorch_epochs epochs ${PYTORCH_ARGS:+($PYTORCH_ARGS)}"
# shellcheck disable=SC2086 # PYTORCH_ARGS is a list of options
OMP_NUM_THREADS=$threads "$pytorch" bench/pytorch/time_to_accuracy.py --epochs "$pytorch_epochs" --seed "$seed" \
  --threads "$threads" --train-limit "$train_limit" --test-limit "$test_limit" --data "$data" --target "$target" \
  ${PYTORCH_ARGS:-} | tee "$work/pytorch.log"
pytorch_seconds=$(grep '^seconds_to_target=' "$work/pytorch.log" | sed 's/.*=//; s/^none$//')
pytorch_total=$(grep '^epoch=' "$work/pytorch.log" | tail -1 | sed 's/.*total_seconds=//')

outcome() { if [[ -n "$1" ]]; then echo "$1 s to $target%"; else echo "not reached in $2 epochs ($3 s in all)"; fi; }
echo ".NET: $(outcome "$dotnet_seconds" "$dotnet_epochs" "$dotnet_total")"
echo "PyTorch: $(outcome "$pytorch_seconds" "$pytorch_epochs" "$pytorch_total")"
if [[ -n "$dotnet_seconds" && -n "$pytorch_seconds" ]]; then
  awk -v p="$pytorch_seconds" -v d="$dotnet_seconds" 'BEGIN {printf "ratio=%.3f\n", p / d}'
elif [[ -n "$dotnet_seconds" ]]; then
  awk -v p="$pytorch_total" -v d="$dotnet_seconds" 'BEGIN {printf "ratio>=%.3f\n", p / d}'
elif [[ -n "$pytorch_seconds" ]]; then
  awk -v p="$pytorch_seconds" -v d="$dotnet_total" 'BEGIN {printf "ratio<=%.3f\n", p / d}'
else
  echo "ratio=none"
fi
