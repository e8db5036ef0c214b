#!/usr/bin/env bash
# An exported network outside .NET: onnxruntime-node (ONNX Runtime's Node.js binding, CPU) classifies the 10,000 MNIST
# test images, read from the IDX files and normalised in JavaScript (bench/onnx-node.mjs), and must get exactly the
# accuracy the trainer's `eval` gives for the same weights. Both exports are run: BatchNorm folded into the convolution
# it follows (the default) and kept as BatchNormalization (--keep-batchnorm), each with ONNX Runtime's graph
# optimisations on (all) and off (disabled), in alternating rounds; the images/s are medians of the rounds.
# onnxruntime-node is installed into a temporary folder with --ignore-scripts (its install script fetches GPU
# binaries; the CPU ones ship in the package). Exit 1 when an accuracy differs from the trainer's.
# usage: [THREADS=2] [ORT_NODE_VERSION=1.30.0] bench/onnx-node.sh <model> <weights.safetensors> [rounds=5]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
[[ $# -ge 2 ]] || { echo "usage: bench/onnx-node.sh <model> <weights.safetensors> [rounds=5]" >&2; exit 2; }
model=$1
weights=$(readlink -f "$2")
rounds=${3:-5}
threads=${THREADS:-2}
version=${ORT_NODE_VERSION:-1.30.0}
data=${MNIST_DIR:-$HOME/.cache/mnist-dsl/mnist}
command -v node >/dev/null || { echo "bench: node is not installed (apt-get install nodejs npm)" >&2; exit 1; }

trainer=$(build_dll src/Samples/Mnist.Train Mnist.Train)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet "$trainer" export "$model" --weights "$weights" --onnx "$work/folded.onnx"
dotnet "$trainer" export "$model" --weights "$weights" --onnx "$work/kept.onnx" --keep-batchnorm
expected=$(dotnet "$trainer" eval "$model" --weights "$weights" --data "$data" --threads "$threads")
echo "trainer: $expected"
correct=$(sed -E 's|.*Accuracy: ([0-9]+)/.*|\1|' <<<"$expected")

(cd "$work" && npm install --silent --no-audit --no-fund --ignore-scripts "onnxruntime-node@$version" >/dev/null)
cp bench/onnx-node.mjs "$work/"
echo "onnxruntime-node $version, node $(node --version), $threads threads, $rounds rounds of 10,000 images"
out=$(node "$work/onnx-node.mjs" "$data" "$rounds" "$threads" "$work/folded.onnx" "$work/kept.onnx")
sed "s|$work/||g" <<<"$out"

status=0
while read -r line; do
  got=$(sed -E 's/.*correct=([0-9/]+) .*/\1/' <<<"$line")
  [[ "$got" == "$correct" ]] || { echo "bench: MISMATCH: onnxruntime-node got $got correct, the trainer $correct (${line%% *})" >&2; status=1; }
done <<<"$out"
rate() { grep "model=$work/$1 optimization=$2 " <<<"$out" | sed -E 's/.*images_per_s=//'; }
echo "folded / kept (images/s): optimisations on $(ratio "$(rate folded.onnx all)" "$(rate kept.onnx all)"), off $(ratio "$(rate folded.onnx disabled)" "$(rate kept.onnx disabled)")"
[[ $status -eq 0 ]] && echo "accuracy: onnxruntime-node $correct/10000, the trainer's eval $correct/10000: equal"
exit $status
