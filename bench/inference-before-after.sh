#!/usr/bin/env bash
# The generated inference class in Release, before and after, in one process: DefaultNet's class as the generator
# wrote it at revision $BEFORE (its verified snapshot, which the snapshot test holds equal to the generator's output
# there) against the one it writes now (this clone's snapshot), both compiled into one Release program that
# references this clone's Mnist.Dsl (net8.0, Release). Rounds alternate old and new; the medians and ratios are in
# thread CPU time (the machine is shared). First line: how many of the 20,000 outputs are equal.
# With WIDTHS (e.g. WIDTHS="256 512"): this clone's class at each vector width of the inference kernels
# (MNIST_INFERENCE_SIMD), one process per width and round, the widths alternating within each round; with BEFORE too,
# one more process per round runs the same class on the kernels of Mnist.Dsl at $BEFORE (its net8.0 build swapped in),
# whatever width they chose. A table of medians over the rounds (thread CPU time, after one warm-up pass per process).
# usage: BEFORE=<revision> bench/inference-before-after.sh [rounds=15]
#        WIDTHS="256 512" [BEFORE=<revision>] bench/inference-before-after.sh [rounds=5]
set -euo pipefail
cd "$(dirname "$0")/.."
widths=${WIDTHS:-}
rounds=${1:-$([[ -n "$widths" ]] && echo 5 || echo 15)}
[[ -n "${BEFORE:-}" || -n "$widths" ]] || { echo "bench: set BEFORE to the revision to compare with (e.g. BEFORE=18ffd5f), or WIDTHS" >&2; exit 1; }
snapshot=tests/Mnist.Dsl.Generator.Tests/Snapshots/DefaultNet.Inference.verified.cs
work=$(mktemp -d -t mnist-dsl-inference-before-after-XXXXXX)
trap 'rm -rf "$work"' EXIT
quietly() { local log=$work/log; if ! "$@" >"$log" 2>&1; then cat "$log" >&2; echo "bench: failed: $*" >&2; exit 1; fi; }
quietly dotnet build src/Dsl/Mnist.Dsl.csproj -c Release -f net8.0
if [[ -n "$widths" ]]; then sed 's/DefaultNetInference/OldNet/g' "$snapshot" >"$work/Old.cs"
else git show "$BEFORE:$snapshot" | sed 's/DefaultNetInference/OldNet/g' >"$work/Old.cs"; fi
sed 's/DefaultNetInference/NewNet/g' "$snapshot" >"$work/New.cs"
cp bench/inference-before-after/Program.cs "$work/"
cat >"$work/Compare.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <Reference Include="Mnist.Dsl" HintPath="$PWD/src/Dsl/bin/Release/net8.0/Mnist.Dsl.dll" />
    <None Include="New.cs" CopyToOutputDirectory="PreserveNewest" />
  </ItemGroup>
</Project>
XML
quietly dotnet build "$work" -c Release -o "$work/out" --disable-build-servers
if [[ -z "$widths" ]]; then dotnet "$work/out/Compare.dll" "$rounds"; exit 0; fi

configs=()
for w in $widths; do configs+=("$w"); done
if [[ -n "${BEFORE:-}" ]]; then
  mkdir -p "$work/before"
  git archive "$BEFORE" | tar -x -C "$work/before"
  quietly dotnet build "$work/before/src/Dsl/Mnist.Dsl.csproj" -c Release -f net8.0
  cp -r "$work/out" "$work/out-before"
  cp "$work/before/src/Dsl/bin/Release/net8.0/Mnist.Dsl.dll" "$work/out-before/"
  configs+=("before")
fi
declare -A batch single
for ((r = 1; r <= rounds; r++)); do
  for c in "${configs[@]}"; do
    if [[ "$c" == before ]]; then out=$(dotnet "$work/out-before/Compare.dll" 3 single)
    else out=$(MNIST_INFERENCE_SIMD=$c dotnet "$work/out/Compare.dll" 3 single); fi
    b=$(grep '^batch_images_per_s=' <<<"$out" | sed 's/.*=//'); s1=$(grep '^batch1_us=' <<<"$out" | sed 's/.*=//')
    batch[$c]+="$b "; single[$c]+="$s1 "
    echo "round $r $c: batch 2000 $b images/s, batch 1 $s1 µs" >&2
  done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
first=${configs[0]}
B0=$(median <<<"${batch[$first]}"); S0=$(median <<<"${single[$first]}")
printf '| kernels | batch 2000 (images/s) | batch 1 (µs) | throughput ÷ %s | batch-1 time ÷ %s |\n|---|---:|---:|---:|---:|\n' "$first" "$first"
for c in "${configs[@]}"; do
  B=$(median <<<"${batch[$c]}"); S=$(median <<<"${single[$c]}")
  label=$([[ "$c" == before ]] && echo "Mnist.Dsl at $BEFORE" || echo "$c-bit")
  printf '| %s | %s | %s | %.3f | %.3f |\n' "$label" "$B" "$S" "$(awk -v a="$B" -v b="$B0" 'BEGIN {print a / b}')" "$(awk -v a="$S" -v b="$S0" 'BEGIN {print a / b}')"
done
echo "medians of $rounds rounds"
