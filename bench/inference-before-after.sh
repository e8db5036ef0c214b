#!/usr/bin/env bash
# The generated inference class in Release, before and after, in one process: DefaultNet's class as the generator
# wrote it at revision $BEFORE (its verified snapshot, which the snapshot test holds equal to the generator's output
# there) against the one it writes now (this clone's snapshot), both compiled into one Release program that
# references this clone's Mnist.Dsl (net8.0, Release). Rounds alternate old and new; the medians and ratios are in
# thread CPU time (the machine is shared). First line: how many of the 20,000 outputs are equal.
# usage: BEFORE=<revision> bench/inference-before-after.sh [rounds=15]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-15}
[[ -n "${BEFORE:-}" ]] || { echo "bench: set BEFORE to the revision to compare with (e.g. BEFORE=18ffd5f)" >&2; exit 1; }
snapshot=tests/Mnist.Dsl.Generator.Tests/Snapshots/DefaultNet.Inference.verified.cs
work=$(mktemp -d -t mnist-dsl-inference-before-after-XXXXXX)
trap 'rm -rf "$work"' EXIT
quietly() { local log=$work/log; if ! "$@" >"$log" 2>&1; then cat "$log" >&2; echo "bench: failed: $*" >&2; exit 1; fi; }
quietly dotnet build src/Dsl/Mnist.Dsl.csproj -c Release -f net8.0
git show "$BEFORE:$snapshot" | sed 's/DefaultNetInference/OldNet/g' >"$work/Old.cs"
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
dotnet "$work/out/Compare.dll" "$rounds"
