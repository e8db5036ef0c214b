#!/usr/bin/env bash
# Chaos run of the trainer (docs/robustness.md): N short trainings on the generated engine, each killed at a random
# moment (odd runs SIGKILL, even runs SIGTERM), then resumed to the end (--resume; a run killed before its first
# checkpoint is started again into the same folder). Every finished run's metrics (all columns but seconds) and its
# last, best and checkpoint files must equal, bit for bit, those of one uninterrupted run; no folder may be left that
# neither --resume nor a new run can use. Last line: the counts.
# usage: bench/chaos.sh [N=30]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
n=${1:-30}
dll=$(build_dll src/Samples/Mnist.Train Mnist.Train)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
args=(train small --engine generated --epochs 3 --batch-size 32 --train-limit 1024 --test-limit 200 --threads 2)

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
same_as_reference() {
  local dir=$1 f
  diff -q <(cut -d, -f1-8 "$out/reference/metrics.csv") <(cut -d, -f1-8 "$dir/metrics.csv") >/dev/null || return 1
  for f in last.safetensors best.safetensors checkpoint.safetensors; do cmp -s "$out/reference/$f" "$dir/$f" || return 1; done
}

dotnet "$dll" "${args[@]}" --output "$out/reference" >"$out/reference.log" 2>&1
# The moment of each kill: after a random number (0 to 2) of finished epochs, a random time up to 1.2 epochs later
# (so startup, training, evaluation and the writes at an epoch's end are all hit, whatever the machine's load).
epoch_ms=$(awk '/^Epoch [0-9]+:/ {s = $NF == "s" ? $(NF-1) : s} END {printf "%d", s * 1000}' "$out/reference.log")
echo "uninterrupted run: last epoch ${epoch_ms} ms"
killed=0 termed=0 before_checkpoint=0 mid_epoch=0 at_boundary=0 finished_first=0 identical=0 different=0 unusable=0
for i in $(seq 1 "$n"); do
  dir="$out/run$i"
  signal=$(( i % 2 ? 9 : 15 ))
  epochs_first=$(( RANDOM % 3 ))
  delay=$(( (RANDOM * 32768 + RANDOM) % (epoch_ms * 12 / 10 + 1) ))
  dotnet "$dll" "${args[@]}" --output "$dir" >"$dir.log" 2>&1 &
  pid=$!
  while (( $(grep -c '^Test set' "$dir.log" || true) < epochs_first )) && kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
  sleep "$(awk -v d="$delay" 'BEGIN {print d / 1000}')"
  kill -"$signal" "$pid" 2>/dev/null || true
  rc=0; wait "$pid" || rc=$?
  if [[ $signal == 9 ]]; then killed=$((killed + 1)); else termed=$((termed + 1)); fi
  how="finished before the signal"
  if [[ $rc == 0 ]]; then
    finished_first=$((finished_first + 1))
  else
    if [[ -f "$dir/checkpoint.safetensors" ]]; then
      if grep -q "^Saved epoch" "$dir.log"; then mid_epoch=$((mid_epoch + 1)); how="resumed mid-epoch"
      else at_boundary=$((at_boundary + 1)); how="resumed at an epoch's end"; fi
      resume=(train --output "$dir" --resume)
    else
      before_checkpoint=$((before_checkpoint + 1)); how="started again (no checkpoint yet)"
      resume=("${args[@]}" --output "$dir")
    fi
    if ! dotnet "$dll" "${resume[@]}" >>"$dir.log" 2>&1; then
      unusable=$((unusable + 1)); echo "run $i: unusable after signal $signal ${delay} ms after epoch $epochs_first (exit $rc): $(tail -1 "$dir.log")"; continue
    fi
  fi
  if same_as_reference "$dir"; then identical=$((identical + 1)); else different=$((different + 1)); echo "run $i: DIFFERS ($how, signal $signal ${delay} ms after epoch $epochs_first)"; fi
  echo "run $i: signal $signal ${delay} ms after epoch $epochs_first, exit $rc, $how"
done
echo "chaos: N=$n (SIGKILL $killed, SIGTERM $termed); resumed mid-epoch $mid_epoch, resumed at an epoch's end $at_boundary, started again $before_checkpoint, finished before the signal $finished_first; identical to the uninterrupted run $identical, different $different, unusable $unusable"
[[ $different == 0 && $unusable == 0 ]]
