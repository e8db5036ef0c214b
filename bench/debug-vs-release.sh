#!/usr/bin/env bash
# A user's project in Debug against the same project in Release, side by side: the template's network (MyNet) in a
# project outside the repository that references the Mnist.Dsl and Mnist.Dsl.Training packages packed from this clone
# (Release, as packages always are) into a folder feed, built once with -c Debug and once with -c Release. Only the
# code generated into the user's assembly (the inference class, the engine trainer's composition) differs between
# the two. Measured per round, Release and Debug alternating so that machine noise hits both:
#   inference class, batch 1: µs per Classify call; batch 1000: images/s of PredictBatch; both on one thread, in
#     that thread's CPU time (the machine is shared: wall time counts the waits for a core; the round lines show it);
#   eval: seconds of the user's `eval` (MnistTrainer.Run, the 10,000 test images through the inference class);
#   trainer: images/s of the generated engine trainer's steps (128 images, 2 threads);
#   train: seconds of the user's `train` for 1 epoch of 2,048 images (--test-limit 1000);
#   these three also in the process's CPU time (all threads), less disturbed by other jobs than wall time.
# The weights evaluated come from one short Release epoch (accuracy does not matter here: both builds print theirs).
# Medians over the rounds, and Debug's time over Release's for each (the issue's bound: 1.5x).
# With BEFORE=<git revision>, that revision is packed too (from `git archive`) and its Release build runs in the same
# rounds: the inference class's batch 1 and batch 1000 before and after, as ratios.
# Packing and building take a few minutes before the first round; the rounds about 30 s each.
# usage: [MNIST_DIR=...] [BEFORE=<revision>] bench/debug-vs-release.sh [rounds=3] [batch-1 calls=2000] [trainer steps=20]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
rounds=${1:-3}
singles=${2:-2000}
steps=${3:-20}
data=${MNIST_DIR:-$HOME/.cache/mnist-dsl/mnist}
[[ -f "$data/t10k-images-idx3-ubyte" || -f "$data/t10k-images-idx3-ubyte.gz" ]] ||
  { echo "bench: no MNIST in $data; run ./build.sh fetch-data (or set MNIST_DIR)" >&2; exit 1; }
data=$(readlink -f "$data")
repo=$PWD
work=$(mktemp -d -t mnist-dsl-debug-vs-release-XXXXXX)
trap 'rm -rf "$work"' EXIT

quietly() {
  local log=$work/log
  if ! "$@" >"$log" 2>&1; then cat "$log" >&2; echo "bench: failed: $*" >&2; exit 1; fi
}

# Packs Mnist.Dsl and Mnist.Dsl.Training from the clone at $1 into the feed $2.
pack() {
  quietly dotnet pack "$1/src/Package" -c Release -o "$2" --disable-build-servers
  quietly dotnet pack "$1/src/Training" -c Release -o "$2" --disable-build-servers
}

# Writes the user's project in $1 restoring from feed $2 into a package folder of its own, $1.packages (the packages
# are all version 0.1.0; outside the project, whose default globs would compile the .cs files packages carry), then
# builds it in each configuration named after $2 into $1.<configuration>.
app() {
  local folder=$1 feed=$2
  shift 2
  mkdir -p "$folder"
  cp "$repo"/templates/Mnist.Dsl.Templates/content/*/MyNet.cs bench/debug-vs-release/Program.cs bench/Mnist.Bench/ThreadCpuClock.cs "$folder"/
  cat >"$folder/MyNets.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <MnistDslParameterBudget>20000</MnistDslParameterBudget>
    <RestorePackagesPath>$folder.packages</RestorePackagesPath>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Mnist.Dsl" Version="0.1.0" />
    <PackageReference Include="Mnist.Dsl.Training" Version="0.1.0" />
  </ItemGroup>
</Project>
XML
  cat >"$folder/nuget.config" <<XML
<configuration>
  <packageSources><clear /><add key="local" value="$feed" /></packageSources>
  <fallbackPackageFolders><clear /><add key="machine" value="${NUGET_PACKAGES:-$HOME/.nuget/packages}" /></fallbackPackageFolders>
</configuration>
XML
  local configuration
  for configuration in "$@"; do
    quietly dotnet build "$folder" -c "$configuration" -o "$folder.$configuration" --disable-build-servers
  done
}

echo "packing this clone's packages and building the user's project in Debug and Release..." >&2
pack "$repo" "$work/feed"
app "$work/after" "$work/feed" Debug Release
configs=(Release Debug)
if [[ -n "${BEFORE:-}" ]]; then
  echo "packing $BEFORE and building the user's project against it in Release..." >&2
  mkdir -p "$work/before-src"
  git archive "$BEFORE" | tar -x -C "$work/before-src"
  pack "$work/before-src" "$work/before-feed"
  app "$work/before" "$work/before-feed" Release
  configs+=(Before)
fi
dll() { case $1 in Before) echo "$work/before.Release/MyNets.dll" ;; *) echo "$work/after.$1/MyNets.dll" ;; esac; }
key() { grep "^$1=" | tail -1 | sed 's/.*=//'; }

# Weights to evaluate: one short epoch in Release.
(cd "$work" && quietly dotnet "$(dll Release)" train "$data" "$work/run")
weights=$work/run/best.safetensors

declare -A b1 bn ev st tr evc stc trc
for ((r = 1; r <= rounds; r++)); do
  for c in "${configs[@]}"; do
    out=$(cd "$work" && dotnet "$(dll "$c")" infer "$data" "$weights" "$singles")
    b1[$c]+=" $(key batch1_cpu_us <<<"$out")"; bn[$c]+=" $(key batch1000_cpu_images_per_s <<<"$out")"
    line="round $r $c: batch 1 $(key batch1_cpu_us <<<"$out") µs CPU ($(key batch1_wall_us <<<"$out") wall), batch 1000 $(key batch1000_cpu_images_per_s <<<"$out") images/s CPU ($(key batch1000_wall_images_per_s <<<"$out") wall; $(key batch1_correct <<<"$out") right)"
    if [[ $c != Before ]]; then
      out=$(cd "$work" && dotnet "$(dll "$c")" eval "$data" "$weights")
      e=$(key eval_s <<<"$out"); ec=$(key eval_s_cpu <<<"$out")
      out=$(cd "$work" && dotnet "$(dll "$c")" steps "$data" "$steps")
      s=$(key train_images_per_s <<<"$out"); sc=$(key train_cpu_ms_per_step <<<"$out")
      out=$(cd "$work" && dotnet "$(dll "$c")" train "$data" "$work/run-$c-$r")
      t=$(key train_s <<<"$out"); tc=$(key train_s_cpu <<<"$out")
      ev[$c]+=" $e"; st[$c]+=" $s"; tr[$c]+=" $t"; evc[$c]+=" $ec"; stc[$c]+=" $sc"; trc[$c]+=" $tc"
      line+=", eval $e s ($ec s CPU), trainer $s images/s ($sc ms CPU a step), train $t s ($tc s CPU)"
    fi
    echo "$line" >&2
  done
done

m() { tr ' ' '\n' <<<"$1" | grep . | median; }
printf '| build | inference batch 1 (µs CPU) | inference batch 1000 (images/s of CPU) | eval (s; s CPU) | trainer (images/s; ms CPU a step) | train 1 epoch of 2,048 (s; s CPU) |\n'
printf '|---|---:|---:|---:|---:|---:|\n'
for c in "${configs[@]}"; do
  if [[ $c == Before ]]; then
    printf '| Release at %s | %s | %s | | | |\n' "$BEFORE" "$(m "${b1[$c]}")" "$(m "${bn[$c]}")"
  else
    printf '| %s | %s | %s | %s; %s | %s; %s | %s; %s |\n' "$c" "$(m "${b1[$c]}")" "$(m "${bn[$c]}")" "$(m "${ev[$c]}")" "$(m "${evc[$c]}")" \
      "$(m "${st[$c]}")" "$(m "${stc[$c]}")" "$(m "${tr[$c]}")" "$(m "${trc[$c]}")"
  fi
done
echo "Debug / Release (time ratios, medians of $rounds rounds; the bound is 1.5):"
echo "debug_ratio_inference_batch1=$(ratio "$(m "${b1[Debug]}")" "$(m "${b1[Release]}")")"
echo "debug_ratio_inference_batch1000=$(ratio "$(m "${bn[Release]}")" "$(m "${bn[Debug]}")")"
echo "debug_ratio_eval=$(ratio "$(m "${ev[Debug]}")" "$(m "${ev[Release]}")")"
echo "debug_ratio_trainer=$(ratio "$(m "${st[Release]}")" "$(m "${st[Debug]}")")"
echo "debug_ratio_train=$(ratio "$(m "${tr[Debug]}")" "$(m "${tr[Release]}")")"
echo "the same in CPU time (eval, trainer, train: all the process's threads):"
echo "debug_ratio_eval_cpu=$(ratio "$(m "${evc[Debug]}")" "$(m "${evc[Release]}")")"
echo "debug_ratio_trainer_cpu=$(ratio "$(m "${stc[Debug]}")" "$(m "${stc[Release]}")")"
echo "debug_ratio_train_cpu=$(ratio "$(m "${trc[Debug]}")" "$(m "${trc[Release]}")")"
if [[ -n "${BEFORE:-}" ]]; then
  echo "Release now / Release at $BEFORE (time ratios; below 1 is faster now):"
  echo "release_ratio_inference_batch1=$(ratio "$(m "${b1[Release]}")" "$(m "${b1[Before]}")")"
  echo "release_ratio_inference_batch1000=$(ratio "$(m "${bn[Before]}")" "$(m "${bn[Release]}")")"
fi
