// ONNX Runtime for Node.js (onnxruntime-node, CPU) on exported models: the MNIST test set read from its IDX files
// here (no .NET), normalised as the trainer normalises it, classified by each model; prints the accuracy and the
// images/s of each model (median of the rounds). Run by bench/onnx-node.sh, which installs onnxruntime-node.
// usage: node onnx-node.mjs <mnist folder> <rounds> <threads> <model.onnx>...
import { readFileSync, existsSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import ort from "onnxruntime-node";

const [folder, roundsText, threadsText, ...models] = process.argv.slice(2);
const rounds = Number(roundsText), threads = Number(threadsText);

// An IDX file, raw or gzipped: magic 0x00000803 (images) or 0x00000801 (labels), big-endian sizes, then bytes.
function idx(name, magic) {
  const path = [join(folder, name), join(folder, name + ".gz")].find(existsSync);
  if (!path) throw new Error(`${name} is not in ${folder}: run ./build.sh fetch-data, or set MNIST_DIR`);
  let bytes = readFileSync(path);
  if (path.endsWith(".gz")) bytes = gunzipSync(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== magic) throw new Error(`${path}: magic ${view.getUint32(0).toString(16)}, expected ${magic.toString(16)}`);
  const dims = Array.from({ length: magic & 0xff }, (_, i) => view.getUint32(4 + 4 * i));
  const start = 4 + 4 * dims.length;
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== start + count) throw new Error(`${path}: ${bytes.length} bytes, expected ${start + count}`);
  return { dims, data: bytes.subarray(start) };
}

const images = idx("t10k-images-idx3-ubyte", 0x803);
const labels = idx("t10k-labels-idx1-ubyte", 0x801);
const [count, height, width] = images.dims;
if (labels.dims[0] !== count) throw new Error(`${count} images but ${labels.dims[0]} labels`);

// (pixel / 255 - 0.1307) / 0.3081, each step rounded to float32 as the trainer (and torchvision) computes it.
const f = Math.fround, mean = f(0.1307), std = f(0.3081);
const pixels = new Float32Array(images.data.length);
for (let i = 0; i < pixels.length; i++) pixels[i] = f(f(f(images.data[i] / 255) - mean) / std);

const batch = 1000;
async function evaluate(session) {
  let correct = 0;
  const started = process.hrtime.bigint();
  for (let first = 0; first < count; first += batch) {
    const n = Math.min(batch, count - first);
    const input = new ort.Tensor("float32", pixels.subarray(first * height * width, (first + n) * height * width), [n, 1, height, width]);
    const result = await session.run({ [session.inputNames[0]]: input });
    const scores = result[session.outputNames[0]].data;
    const classes = scores.length / n;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (scores[i * classes + c] > scores[i * classes + best]) best = c;
      if (best === labels.data[first + i]) correct++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { correct, rate: count / seconds };
}

const median = (values) => { const s = [...values].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

for (const optimization of ["all", "disabled"]) {
  const sessions = [];
  for (const model of models)
    sessions.push(await ort.InferenceSession.create(model, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: optimization, executionProviders: ["cpu"] }));
  const rates = models.map(() => []);
  const corrects = models.map(() => new Set());
  // Rounds alternate the models, so that the machine's noise hits each alike.
  for (let round = 0; round < rounds; round++)
    for (let m = 0; m < models.length; m++) {
      const { correct, rate } = await evaluate(sessions[m]);
      rates[m].push(rate);
      corrects[m].add(correct);
    }
  for (let m = 0; m < models.length; m++) {
    const correct = [...corrects[m]];
    console.log(`model=${models[m]} optimization=${optimization} correct=${correct.join("/")} count=${count} accuracy=${(100 * correct[0] / count).toFixed(2)} rounds=${rates[m].map((r) => r.toFixed(0)).join(",")} images_per_s=${median(rates[m]).toFixed(0)}`);
  }
}
