#!/usr/bin/env bash
# The < 4,000-parameter search (issue 25; docs/fastest.md, "The 4k network"): trains the candidates declared in
# bench/Mnist.SmallSearch on the plain-C# engine, one thread each, at most JOBS (default 2) at a time, and prints the
# results table.
#
#   bench/small-search.sh list                    the candidates' parameter counts and receptive fields (no training)
#   bench/small-search.sh run FOLDER SPECS...     train each spec not yet done into FOLDER/<label>
#   bench/small-search.sh table FOLDER            one markdown row per run: parameters, best, last 3, command
#
# A spec is "label:network:options", e.g. "e7-b64-s1:e7:--no-augment --batch-size 64 --ema 0.995 --seed 1"; every
# run gets --epochs 15 --threads 1 unless its options say otherwise (the later option wins). A run whose
# metrics.csv has all its epochs is skipped, so a cut-off search continues where it stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

jobs_at_once=${JOBS:-2}
export MNIST_DIR=${MNIST_DIR:-$HOME/.cache/mnist-dsl/mnist}

# Builds the candidates and prints the path of a private copy of the build: a later build (new candidates) while runs
# are going must not overwrite the assemblies they have mapped. (Not `dotnet build -o`: it puts Mnist.Dsl's
# netstandard2.0 and net8.0 builds in one folder, and the wrong one wins.)
search_dll() {
  local dll copy
  dll=$(build_dll bench/Mnist.SmallSearch Mnist.SmallSearch)
  copy=$(mktemp -d "${TMPDIR:-/tmp}/small-search.XXXXXX")
  cp -r "$(dirname "$dll")/." "$copy/"
  echo "$copy/Mnist.SmallSearch.dll"
}

# Epochs a spec's options ask for (the last --epochs given, else 15).
epochs_of() { awk '{e=15; for (i=1;i<NF;i++) if ($i=="--epochs") e=$(i+1); print e}' <<<"$1"; }

# Rows in FOLDER/label/metrics.csv (0 when absent).
epochs_done() { [[ -f "$1/metrics.csv" ]] && echo $(($(wc -l <"$1/metrics.csv") - 1)) || echo 0; }

run_one() {
  local dll=$1 folder=$2 spec=$3
  local label=${spec%%:*} rest=${spec#*:}
  local network=${rest%%:*} options=${rest#*:}
  local out=$folder/$label epochs
  epochs=$(epochs_of "$options")
  if [[ $(epochs_done "$out") -ge $epochs ]]; then echo "small-search: $label done already, skipped"; return; fi
  rm -rf "$out"
  # shellcheck disable=SC2086 # options are words by design
  if nice -n 5 dotnet "$dll" train "$network" --epochs 15 --threads 1 $options --output "$out" >"$out.log" 2>&1; then
    mv "$out.log" "$out/stdout.txt"
    # What the results keep of a run, as the earlier screens did: command, settings, summary, metrics, plot, stdout
    # (report.html repeats metrics and plot at 70 KB).
    find "$out" -maxdepth 1 \( -name '*.safetensors' -o -name run.lock -o -name data.json -o -name report.html \) -delete
    echo "small-search: $label: $(row "$out")"
  else
    echo "small-search: $label failed (see $out.log)" >&2
  fi
}

# "best | last 3" of a run folder's metrics.csv.
row() {
  awk -F, 'NR>1 {a[++n]=$5} END {b=0; for (i=1;i<=n;i++) if (a[i]>b) b=a[i];
    printf "%.2f | %.2f, %.2f, %.2f", b, a[n-2], a[n-1], a[n]}' "$1/metrics.csv"
}

# Whether each of the last 3 epochs is >= 99.40.
held() { awk -F, 'NR>1 {a[++n]=$5} END {exit !(a[n-2]>=99.4 && a[n-1]>=99.4 && a[n]>=99.4)}' "$1/metrics.csv"; }

case "${1:-}" in
  list)
    dll=$(search_dll)
    dotnet "$dll" list
    rm -rf "$(dirname "$dll")" ;;
  run)
    [[ $# -ge 3 ]] || { echo "usage: bench/small-search.sh run FOLDER 'label:network:options'..." >&2; exit 2; }
    folder=$2; shift 2
    mkdir -p "$folder"
    dll=$(search_dll)
    for spec in "$@"; do
      while [[ $(jobs -rp | wc -l) -ge $jobs_at_once ]]; do wait -n || true; done
      run_one "$dll" "$folder" "$spec" &
    done
    wait
    rm -rf "$(dirname "$dll")" ;;
  table)
    [[ $# -eq 2 ]] || { echo "usage: bench/small-search.sh table FOLDER" >&2; exit 2; }
    dll=$(search_dll)
    counts=$(dotnet "$dll" list)
    echo "| Run | Network | Parameters | Best | Last 3 | Held | Command |"
    echo "|---|---|---|---|---|---|---|"
    for out in "$2"/*/; do
      out=${out%/}
      [[ -f "$out/metrics.csv" && -f "$out/command.txt" ]] || continue
      command=$(sed -E 's/^[^ ]+ //; s/ \(data: .*//; s/ --output [^ ]+//' <(head -1 "$out/command.txt")) # a resumed run adds a line
      [[ $(epochs_done "$out") -ge $(epochs_of "$command") ]] || continue # still running, or cut off
      network=$(awk '{print $3}' <<<"$command")
      parameters=$(awk -v n="$network" '$1==n {print $2}' <<<"$counts")
      mark=no; held "$out" && mark=yes
      echo "| $(basename "$out") | $network | $parameters | $(row "$out") | $mark | \`$command\` |"
    done
    rm -rf "$(dirname "$dll")" ;;
  *)
    echo "usage: bench/small-search.sh list | run FOLDER SPECS... | table FOLDER" >&2; exit 2 ;;
esac
