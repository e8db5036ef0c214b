#!/usr/bin/env bash
# A/B: hand-composed vs generated DefaultNet trainer, alternating rounds; images per CPU-second and per second.
dll=bench/Mnist.Dsl.Engine.Bench/bin/Release/net10.0/Mnist.Dsl.Engine.Bench.dll
threads=${1:-2}; batches=${2:-40}; rounds=${3:-4}
echo "load before: $(uptime | sed 's/.*load average: //')"
for ((r = 1; r <= rounds; r++)); do
  for who in hand generated; do
    out=$(MNIST_ENGINE_TRAINER=$who dotnet $dll $batches 10 128 $threads default)
    echo "round $r $who cpu=$(echo "$out" | sed -n 's/^images_per_cpu_second=//p') wall=$(echo "$out" | sed -n 's/^images_per_second=//p') alloc=$(echo "$out" | sed -n 's/^allocated_bytes_per_step=//p')"
  done
done
echo "load after: $(uptime | sed 's/.*load average: //')"
