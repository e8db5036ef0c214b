#!/usr/bin/env bash
# Training throughput of the plain-C# engine (src/Engine, the generated DefaultNet trainer) against PyTorch 1.13
# (Debian's /usr/bin/python3) on the default network: batch 128, 2 threads, the same loop (random images, SGD lr 0.01
# momentum 0.9), alternating rounds so that machine noise hits both. Also each convolution's GFLOP/s and the GFLOP/s
# of a whole training step (3 x the forward multiply-adds, 2 FLOP each).
# Last line: ratio=<engine images/s / PyTorch images/s, default network>.
# usage: bench/train-engines.sh [batches=100] [rounds=5] [threads=2]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
batches=${1:-100}
rounds=${2:-5}
threads=${3:-2}

dotnet build bench/Mnist.Dsl.Engine.Bench -c Release -v quiet -nologo >/dev/null
engine_dll=bench/Mnist.Dsl.Engine.Bench/bin/Release/net10.0/Mnist.Dsl.Engine.Bench.dll
[[ -f "$engine_dll" ]] || { echo "train-engines: $engine_dll not found after the build" >&2; exit 1; }

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "processor: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs"
echo "load before: $(uptime | sed 's/.*load average: //')"
echo "--- engine convolutions, 1 thread, best of 5 passes"
dotnet "$engine_dll" kernels 32

macs=$(dotnet "$engine_dll" 1 1 128 1 | sed -n 's/^forward_macs_per_image=//p')
echo "--- training, batch 128, $threads threads, $batches batches per round (engine, then PyTorch, alternating)"
engine_rates=() torch_rates=() engine_cpu=() torch_cpus=()
for ((round = 1; round <= rounds; round++)); do
  out=$(dotnet "$engine_dll" "$batches" 10 128 "$threads")
  engine_rates+=("$(echo "$out" | value)")
  cpu=$(echo "$out" | sed -n 's/^images_per_cpu_second=//p')
  out=$(OMP_NUM_THREADS=$threads /usr/bin/python3 bench/pytorch/train_throughput.py default "$batches" 10 128 "$threads")
  torch_rates+=("$(echo "$out" | value)")
  torch_cpu=$(echo "$out" | sed -n 's/^images_per_cpu_second=//p')
  engine_cpu+=("$cpu") torch_cpus+=("$torch_cpu")
  echo "round $round: engine ${engine_rates[-1]} images/s ($cpu per CPU-second), PyTorch ${torch_rates[-1]} images/s ($torch_cpu per CPU-second)"
done
ec=$(printf '%s\n' "${engine_cpu[@]}" | median)
tc=$(printf '%s\n' "${torch_cpus[@]}" | median)
e=$(printf '%s\n' "${engine_rates[@]}" | median)
t=$(printf '%s\n' "${torch_rates[@]}" | median)
gflops() { awk -v r="$1" -v m="$macs" 'BEGIN {printf "%.1f", r * m * 3 * 2 / 1e9}'; }
echo "engine:  $e images/s, $(gflops "$e") GFLOP/s (median of $rounds)"
echo "PyTorch: $t images/s, $(gflops "$t") GFLOP/s (median of $rounds)"
# Per CPU-second: what a step costs, whatever else ran (a loaded machine starves OpenMP's spinning threads far more than ours).
echo "per CPU-second: engine $ec images, PyTorch $tc images, ratio $(ratio "$ec" "$tc")"
echo "forward multiply-adds per image: $macs (training ~3x, 2 FLOP each)"
echo "load after: $(uptime | sed 's/.*load average: //')"
echo "ratio=$(ratio "$e" "$t")"
