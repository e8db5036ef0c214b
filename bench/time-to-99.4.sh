#!/usr/bin/env bash
# Time to 99.4% test accuracy on real MNIST, one network and one recipe on both sides: ours is the trainer
# (src/Samples/Mnist.Train) on its generated plain-C# engine; PyTorch (Debian's python3-torch 1.13.1) trains the
# same network's twin (tests/python/sample_networks.py, by the trainer's registry name) with the trainer's loop
# (bench/pytorch/fastest_search.py --network): SGD momentum 0.9, OneCycleLR per batch to the peak lr (PyTorch's
# defaults otherwise), rotation ±7° per image, NLL loss, the last partial batch dropped (the generated engine
# trains whole batches only), a test pass in eval mode after every epoch. Same IDX files, same seed, same threads
# (THREADS; OMP_NUM_THREADS and torch.set_num_threads on the PyTorch side), one side after the other.
# Every epoch runs even after the target is reached. An epoch's seconds include its test pass on both sides
# (metrics.csv's "seconds" column: the clock runs from the epoch's first batch to the end of its evaluation; the
# generated engine evaluates in batches of BATCH, PyTorch in batches of 1,000); checkpoint and weight writes are
# outside it. The weights' initialisation, batch order and rotations come from each side's own random generator,
# so the accuracies differ epoch by epoch.
#
# Output: date, processor and load average; per side one line per epoch (test accuracy, its seconds, the
# cumulative seconds), then a summary: seconds to the first epoch at or above TARGET ("none" when no epoch gets
# there), seconds for the whole run, the last 3 epochs' accuracies and whether all 3 are at or above TARGET.
# Last line: ratio=<PyTorch whole-run seconds ÷ ours> (above 1: ours is faster).
#
# usage: bench/time-to-99.4.sh   (or ./build.sh bench time-to-99.4, which fetches MNIST first)
# recipe (both sides; the defaults are the trainer's, see src/Training/Cli/TrainOptions.cs):
#   NETWORK=fast (a registry name: fast, small, default, ...)  EPOCHS=8  BATCH=128  LR=0.1 (one-cycle peak)
#   WARMUP=0.2 (one-cycle's pct_start)  EMA=0.995 (decay of the weight average the tests use; 0: none)
# environment (for quick checks, e.g. TRAIN_LIMIT=2048 TEST_LIMIT=1000 EPOCHS=2; the defaults are the full run):
#   TARGET=99.4  TRAIN_LIMIT=0 (all 60,000)  TEST_LIMIT=0 (all 10,000)  SEED=1  THREADS=2
#   MNIST_DIR (the IDX files; default ~/.cache/mnist-dsl/mnist, filled by ./build.sh fetch-data)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
network=${NETWORK:-fast}
# The defaults are `./build.sh run`'s recipe (build.sh's RUN_DEFAULT).
epochs=${EPOCHS:-8}
batch=${BATCH:-128}
lr=${LR:-0.1}
warmup=${WARMUP:-0.2}
ema=${EMA:-0.995}
target=${TARGET:-99.4}
train_limit=${TRAIN_LIMIT:-0}
test_limit=${TEST_LIMIT:-0}
seed=${SEED:-1}
threads=${THREADS:-2}
data=${MNIST_DIR:-$HOME/.cache/mnist-dsl/mnist}
[[ -s "$data/t10k-labels-idx1-ubyte" || -s "$data/t10k-labels-idx1-ubyte.gz" ]] ||
  { echo "time-to-99.4: no MNIST in $data: run ./build.sh fetch-data or set MNIST_DIR" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/time-to-99.4.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
trainer=$(build_dll src/Samples/Mnist.Train Mnist.Train)

# Prints "epoch accuracy seconds" lines (file $1) as the report's epoch lines, then the summary under label $2, and
# sets total_seconds to the whole run's seconds.
report() {
  awk -v t="$target" -v side="$2" '
    { total += $3; acc[NR] = $2
      printf "%s epoch=%d test_accuracy=%.2f seconds=%.1f total_seconds=%.1f\n", side, $1, $2, $3, total
      if (reached == "" && $2 + 0 >= t) reached = sprintf("%.1f (epoch %d)", total, $1) }
    END {
      last = ""; ok = NR >= 3 ? "yes" : "no"
      for (i = (NR > 3 ? NR - 2 : 1); i <= NR; i++) { last = last (last == "" ? "" : ",") sprintf("%.2f", acc[i]); if (acc[i] + 0 < t) ok = "no" }
      printf "%s: seconds_to_%s=%s whole_run_seconds=%.1f last3=%s last3_all_at_target=%s\n", side, t, (reached == "" ? "none" : reached), total, last, ok
    }' "$1"
  total_seconds=$(awk '{ total += $3 } END { printf "%.3f", total }' "$1")
}

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "processor: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs"
echo "load at start: $(uptime | sed 's/.*load average: //')"
echo "recipe: network $network, $epochs epochs, batch $batch, SGD momentum 0.9, one-cycle to $lr (warm-up $warmup), weight average $ema, rotation ±7°, seed $seed, $threads threads (train limit $train_limit, test limit $test_limit)"

echo "--- ours: the trainer, --engine generated"
OMP_NUM_THREADS=$threads dotnet "$trainer" train "$network" --engine generated --epochs "$epochs" --batch-size "$batch" --lr "$lr" \
  --optimizer sgd --schedule onecycle --warmup "$warmup" --ema "$ema" --seed "$seed" --threads "$threads" --train-limit "$train_limit" --test-limit "$test_limit" \
  --data "$data" --output "$work/ours" >"$work/ours.log" 2>&1 || { cat "$work/ours.log" >&2; exit 1; }
# metrics.csv: epoch,train_loss,train_accuracy,test_loss,test_accuracy,test_correct,test_count,learning_rate,seconds
[[ $(head -1 "$work/ours/metrics.csv") == *,test_accuracy,*,seconds ]] || { echo "time-to-99.4: unexpected metrics.csv header" >&2; exit 1; }
awk -F, 'NR > 1 { print $1, $5, $9 }' "$work/ours/metrics.csv" >"$work/ours.txt"
report "$work/ours.txt" ours
ours_total=$total_seconds

echo "--- PyTorch: the $network twin, the trainer's loop (bench/pytorch/fastest_search.py)"
OMP_NUM_THREADS=$threads "$pytorch" bench/pytorch/fastest_search.py --network "$network" --epochs "$epochs" --batch-size "$batch" \
  --lr "$lr" --schedule onecycle --pct-start "$warmup" --ema "$ema" --rotate 7 --drop-last --seeds "$seed" --threads "$threads" --train-limit "$train_limit" \
  --test-limit "$test_limit" --data "$data" --csv "$work/pytorch.csv" >"$work/pytorch.log" 2>&1 || { cat "$work/pytorch.log" >&2; exit 1; }
"$pytorch" -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1])): print(r["epoch"], r["test_accuracy"], r["seconds"])' "$work/pytorch.csv" >"$work/pytorch.txt"
report "$work/pytorch.txt" pytorch
pytorch_total=$total_seconds

echo "load at end: $(uptime | sed 's/.*load average: //')"
echo "ratio=$(ratio "$pytorch_total" "$ours_total")"
