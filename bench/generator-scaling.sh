#!/usr/bin/env bash
# Build-time cost of the generator and the analyzer for 1, 10 and 100 distinct valid [Network] declarations
# (bench/Mnist.Bench/GeneratorTiming.cs: an in-memory compilation, a new compilation and generator driver each
# round, medians of the timed rounds after warm-up ones). Ends with how the cost per declaration changes from
# 10 to 100 declarations: about 1 is linear growth, below 1 better than linear.
# usage: bench/generator-scaling.sh [rounds=10] [warmup=3]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
rounds=${1:-10}
warmup=${2:-3}
build_bench

out=$(dotnet "$bench_dll" generator 1,10,100 "$rounds" "$warmup")
echo "$out"
field() { grep "^declarations=$1 " <<<"$out" | tr ' ' '\n' | grep "^$2=" | sed 's/.*=//'; }
for part in generator analyzer analysis_wall; do
  echo "${part}_per_declaration_100_vs_10=$(ratio "$(field 100 "${part}_ms_per_declaration")" "$(field 10 "${part}_ms_per_declaration")")"
done
