#!/usr/bin/env bash
# Where a training step's time goes, TorchSharp against PyTorch: bench/Mnist.Bench's step profile and
# bench/pytorch/step_profile.py time the same phases (batch, zero_grad, forward, loss, backward, optimizer,
# disposing the step's scope) in alternating rounds. The figures are the main thread's CPU time per step (µs,
# medians over rounds), which a loaded machine disturbs far less than wall time, so the default is 1 thread.
# VARIANT picks what the .NET side runs (comma-separated): sgd (TorchSharp's SGD) plus "none" (gradients set to
# none instead of zeroed), "index_select" (batches gathered as a shuffled epoch does) and "channels_last";
# PYTORCH_VARIANT the same for PyTorch, plus "foreach" (torch.optim.SGD(foreach=True)). MNIST_DSL_MALLOC_TUNING=0 turns off the .NET
# side's malloc tuning. Last line: cpu_ratio=<PyTorch CPU µs per step ÷ TorchSharp's> (above 1: TorchSharp
# needs less).
# usage: [THREADS=1] [VARIANT=sgd] [PYTORCH_VARIANT=sgd] bench/profile-step.sh [model=default] [batches=30] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
model=${1:-default}
batches=${2:-30}
rounds=${3:-3}
threads=${THREADS:-1}
phases=(batch zero_grad forward loss backward optimizer scope)
build_bench

key() { grep -o "\b$1=[^ ]*" | tail -1 | sed 's/.*=//'; }
declare -A net=() py=()
for ((r = 1; r <= rounds; r++)); do
  n=$(OMP_NUM_THREADS=$threads dotnet "$bench_dll" profile "$model" "$batches" 5 128 "$threads" "${VARIANT:-sgd}")
  p=$(OMP_NUM_THREADS=$threads "$pytorch" bench/pytorch/step_profile.py "$model" "$batches" 5 128 "$threads" "${PYTORCH_VARIANT:-sgd}")
  for phase in "${phases[@]}"; do
    net[$phase]+="$(key "${phase}_cpu_us" <<<"$n") "
    py[$phase]+="$(key "${phase}_cpu_us" <<<"$p") "
  done
  echo "round $r: TorchSharp $(key images_per_second <<<"$n") images/s ($(key managed_bytes_per_step <<<"$n") managed bytes a step, malloc tuning $(key malloc_tuning <<<"$n")), PyTorch $(key images_per_second <<<"$p") images/s (wall)"
done
printf '| phase (CPU µs per step, median of %s) | TorchSharp | PyTorch |\n|---|---:|---:|\n' "$rounds"
net_sum=0 py_sum=0
for phase in "${phases[@]}"; do
  a=$(tr ' ' '\n' <<<"${net[$phase]}" | grep . | median)
  b=$(tr ' ' '\n' <<<"${py[$phase]}" | grep . | median)
  printf '| %s | %s | %s |\n' "$phase" "$a" "$b"
  net_sum=$(awk -v s="$net_sum" -v a="$a" 'BEGIN {print s + a}')
  py_sum=$(awk -v s="$py_sum" -v b="$b" 'BEGIN {print s + b}')
done
printf '| all | %s | %s |\n' "$net_sum" "$py_sum"
echo "cpu_ratio=$(ratio "$py_sum" "$net_sum")"
