#!/usr/bin/env bash
# An exported network in ONNX Runtime's C# API (Microsoft.ML.OnnxRuntime 1.32.0) and ML.NET 6.0 (ApplyOnnxModel) on the
# 10,000 MNIST test images (bench/onnx-dotnet.cs, built in a temporary project); each accuracy must be exactly the
# trainer's `eval` accuracy for the same weights. Exit 1 when one differs.
# usage: bench/onnx-dotnet.sh <model> <weights.safetensors>
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
[[ $# -eq 2 ]] || { echo "usage: bench/onnx-dotnet.sh <model> <weights.safetensors>" >&2; exit 2; }
model=$1
weights=$(readlink -f "$2")
data=${MNIST_DIR:-$HOME/.cache/mnist-dsl/mnist}
[[ -f "$data/t10k-images-idx3-ubyte" ]] || { echo "bench: the raw t10k IDX files are not in $data (./build.sh fetch-data)" >&2; exit 1; }

trainer=$(build_dll src/Samples/Mnist.Train Mnist.Train)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet "$trainer" export "$model" --weights "$weights" --onnx "$work/model.onnx"
expected=$(dotnet "$trainer" eval "$model" --weights "$weights" --data "$data")
echo "trainer: $expected"
correct=$(sed -E 's|.*Accuracy: ([0-9]+)/.*|\1|' <<<"$expected")

cat >"$work/usage.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.ML.OnnxRuntime" Version="1.32.0" />
    <PackageReference Include="Microsoft.ML" Version="6.0.0" />
    <PackageReference Include="Microsoft.ML.OnnxTransformer" Version="6.0.0" />
  </ItemGroup>
</Project>
XML
cp bench/onnx-dotnet.cs "$work/Program.cs"
out=$(dotnet run --project "$work" -c Release -- "$work/model.onnx" "$data" | sed "s|$work/||g")
echo "$out"
status=0
while read -r line; do
  got=$(sed -E 's|.*: ([0-9]+)/10000 correct|\1|' <<<"$line")
  [[ "$got" == "$correct" ]] || { echo "bench: MISMATCH: $line, the trainer $correct/10000" >&2; status=1; }
done < <(grep "correct$" <<<"$out")
[[ $status -eq 0 ]] && echo "accuracy: ONNX Runtime (C#) and ML.NET $correct/10000, the trainer's eval $correct/10000: equal"
exit $status
