#!/usr/bin/env bash
# Training speed of the three engines side by side in one run, for the default, small, seed004 and fast networks:
#   generated   the generator's trainer on the plain-C# engine (src/Engine), bench/Mnist.Dsl.Engine.Bench
#   TorchSharp  the generated module on TorchSharp 0.107 / libtorch 2.10 (channels-last weights and MallocTuning, as
#               our TorchSharp trainer runs it), bench/Mnist.Bench's `train` (the loop of bench/vs-pytorch.sh)
#   PyTorch     Debian's python3-torch 1.13.1 (/usr/bin/python3), bench/pytorch/train_throughput.py
# The same loop on all three: a pool of 50 random batches (standard normal images, uniform labels), batch 128,
# SGD lr 0.01 momentum 0.9, NLL loss, 10 warm-up batches and 2 s, then <batches> timed ones and 1 s, on <threads> threads
# (OMP_NUM_THREADS and set_num_threads for the torch sides). Each round runs every network on every engine, the
# engine order rotating from round to round, so that machine noise hits all of them; the figures are medians.
# Each images/s figure is also given as
#   GFLOP/s     images/s x forward multiply-adds per image (compile time: the generated Summary.MultiplyAdds, which
#               the engine bench prints as forward_macs_per_image) x 3 (forward, input gradient, weight gradient)
#               x 2 FLOP;
#   % of peak   of the measured FMA throughput of this machine on <threads> threads: `Mnist.Dsl.Engine.Bench peak`
#               (12 independent FMA chains per thread at the trainer's vector width, Vector512 where accelerated,
#               else Vector256 with FMA; best of 5 passes of 0.2 s), run before and after the rounds, the higher
#               counts. It is what this machine does, not a data-sheet number: Zen 4 executes a 512-bit FMA as two
#               256-bit halves, so there it equals the 256-bit figure.
# and per CPU-second of the process (all its threads, spinning included): on a shared machine the steadier figure.
# The per-convolution kernel table of the engine is no longer printed here: run
# `dotnet bench/Mnist.Dsl.Engine.Bench/bin/Release/net10.0/Mnist.Dsl.Engine.Bench.dll kernels 32` for it.
# Run it on a quiet machine: with the defaults, 45 training runs of a few seconds each.
# Last line: ratio=<generated images/s / PyTorch images/s, default network>.
# usage: bench/train-engines.sh [batches=100] [rounds=5] [threads=2]   (also: ./build.sh bench engines [...])
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
batches=${1:-100}
rounds=${2:-5}
threads=${3:-2}
batch=128
warmup=10
networks=(default small seed004 fast)
engines=(generated TorchSharp PyTorch)

engine_dll=$(build_dll bench/Mnist.Dsl.Engine.Bench Mnist.Dsl.Engine.Bench)
build_bench

run_generated() { dotnet "$engine_dll" "$batches" "$warmup" "$batch" "$threads" "$1"; }
run_TorchSharp() { OMP_NUM_THREADS=$threads dotnet "$bench_dll" train "$1" "$batches" "$warmup" "$batch" "$threads"; }
run_PyTorch() { OMP_NUM_THREADS=$threads "$pytorch" bench/pytorch/train_throughput.py "$1" "$batches" "$warmup" "$batch" "$threads"; }
key() { sed -n "s/^$1=//p"; }

# Runs the FMA peak micro-kernel into $peak_out and prints it under the label $1.
measure_peak() {
  peak_out=$(dotnet "$engine_dll" peak "$threads" 1)
  echo "FMA peak $1, $threads threads, $(echo "$peak_out" | key simd)-bit: $(echo "$peak_out" | key peak_gflops) GFLOP/s" \
    "(passes: $(echo "$peak_out" | key passes_gflops))"
}

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "processor: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs"
echo "load before: $(uptime | sed 's/.*load average: //')"
measure_peak before
peak_before=$(echo "$peak_out" | key peak_gflops)

echo "--- training, batch $batch, $threads threads, $batches batches per run, $rounds rounds (images/s, per CPU-second in brackets)"
declare -A rates cpus macs
for ((round = 1; round <= rounds; round++)); do
  for network in "${networks[@]}"; do
    line="round $round $network:"
    for ((i = 0; i < ${#engines[@]}; i++)); do
      engine=${engines[(i + round - 1) % ${#engines[@]}]}
      out=$(run_"$engine" "$network")
      rates[$network,$engine]+=" $(echo "$out" | value)"
      cpus[$network,$engine]+=" $(echo "$out" | key images_per_cpu_second)"
      [[ $engine != generated ]] || macs[$network]=$(echo "$out" | key forward_macs_per_image)
      line+=" $engine $(echo "$out" | value) ($(echo "$out" | key images_per_cpu_second))"
    done
    echo "$line"
  done
done

measure_peak after
peak=$(printf '%s\n' "$peak_before" "$(echo "$peak_out" | key peak_gflops)" | sort -g | tail -1)
simd=$(echo "$peak_out" | key simd)

med() { printf '%s\n' $1 | median; }
echo "--- medians of $rounds rounds; GFLOP/s = images/s x forward multiply-adds x 3 x 2; peak = $peak GFLOP/s ($simd-bit FMA, $threads threads, measured)"
printf '%-8s %-10s %12s %8s %7s %12s\n' network engine images/s GFLOP/s %peak images/CPU-s
declare -A result
for network in "${networks[@]}"; do
  for engine in "${engines[@]}"; do
    r=$(med "${rates[$network,$engine]}")
    c=$(med "${cpus[$network,$engine]}")
    result[$network,$engine]=$r result[$network,$engine,cpu]=$c
    awk -v n="$network" -v e="$engine" -v r="$r" -v c="$c" -v m="${macs[$network]}" -v p="$peak" 'BEGIN {
      g = r * m * 3 * 2 / 1e9
      printf "%-8s %-10s %12.1f %8.1f %6.1f%% %12.1f\n", n, e, r, g, 100 * g / p, c }'
  done
done
for network in "${networks[@]}"; do
  g=${result[$network,generated]} t=${result[$network,TorchSharp]} p=${result[$network,PyTorch]}
  echo "$network: ${macs[$network]} forward multiply-adds per image; generated / PyTorch $(ratio "$g" "$p")" \
    "(per CPU-second $(ratio "${result[$network,generated,cpu]}" "${result[$network,PyTorch,cpu]}")), generated / TorchSharp $(ratio "$g" "$t")"
done
echo "load after: $(uptime | sed 's/.*load average: //')"
echo "ratio=$(ratio "${result[default,generated]}" "${result[default,PyTorch]}")"
