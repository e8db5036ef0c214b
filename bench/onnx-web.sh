#!/usr/bin/env bash
# An exported network in a browser: headless Chromium loads bench/onnx-web.html from a server on 127.0.0.1, which runs
# the model with onnxruntime-web (WebAssembly, one thread) on the 10,000 MNIST test images fetched and normalised in
# the page; the accuracy it shows must be exactly the trainer's `eval` accuracy for the same weights. onnxruntime-web
# is installed into a temporary folder (npm --ignore-scripts). Needs Debian's chromium. Exit 1 when they differ.
# usage: [ORT_WEB_VERSION=1.30.0] bench/onnx-web.sh <model> <weights.safetensors>
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
[[ $# -eq 2 ]] || { echo "usage: bench/onnx-web.sh <model> <weights.safetensors>" >&2; exit 2; }
model=$1
weights=$(readlink -f "$2")
version=${ORT_WEB_VERSION:-1.30.0}
data=${MNIST_DIR:-$HOME/.cache/mnist-dsl/mnist}
command -v chromium >/dev/null || { echo "bench: chromium is not installed (apt-get install chromium)" >&2; exit 1; }

trainer=$(build_dll src/Samples/Mnist.Train Mnist.Train)
work=$(mktemp -d)
server=""
trap '[[ -n "$server" ]] && kill "$server"; rm -rf "$work"' EXIT

dotnet "$trainer" export "$model" --weights "$weights" --onnx "$work/model.onnx"
expected=$(dotnet "$trainer" eval "$model" --weights "$weights" --data "$data")
echo "trainer: $expected"
correct=$(sed -E 's|.*Accuracy: ([0-9]+)/.*|\1|' <<<"$expected")

(cd "$work" && npm install --silent --no-audit --no-fund --ignore-scripts "onnxruntime-web@$version" >/dev/null)
cp "$work"/node_modules/onnxruntime-web/dist/ort.min.js "$work"/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.* "$work/"
cp bench/onnx-web.html "$work/index.html"
for f in t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  if [[ -f "$data/$f" ]]; then cp "$data/$f" "$work/"; else gunzip -c "$data/$f.gz" >"$work/$f"; fi
done
port=$((20000 + RANDOM % 20000))
/usr/bin/python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work" >/dev/null 2>&1 &
server=$!
sleep 1
result=$(timeout 300 chromium --headless --no-sandbox --disable-gpu --virtual-time-budget=240000 --dump-dom "http://127.0.0.1:$port/index.html" 2>/dev/null \
  | sed -n 's|.*<pre id="result">\(.*\)</pre>.*|\1|p')
echo "chromium $(chromium --version 2>/dev/null | awk '{print $2}'), onnxruntime-web $version: $result"
got=$(sed -E 's|onnxruntime-web: ([0-9]+)/.*|\1|' <<<"$result")
[[ "$got" == "$correct" ]] || { echo "bench: MISMATCH: the browser got '$result', the trainer $correct/10000" >&2; exit 1; }
echo "accuracy: onnxruntime-web in Chromium $correct/10000, the trainer's eval $correct/10000: equal"
