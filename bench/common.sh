# Shared by the bench/*.sh scripts (sourced): build a project once, read "key=value" output, take medians.
# The .NET side is TorchSharp 0.107 with its own libtorch 2.10; the PyTorch side is Debian's python3-torch 1.13.1
# at /usr/bin/python3 (not whatever python3 is first on PATH).

pytorch=/usr/bin/python3

# Builds project folder $1 (Release) quietly, showing the build's output only when it fails, and prints the path of
# its $2.dll.
build_dll() {
  local log
  log=$(mktemp)
  if ! dotnet build "$1" -c Release -v quiet -nologo >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "bench: building $1 failed" >&2
    exit 1
  fi
  rm -f "$log"
  local dll
  dll=$(find "$1/bin/Release" -name "$2.dll" | head -1)
  [[ -n "$dll" ]] || { echo "bench: $2.dll not found after building $1" >&2; exit 1; }
  echo "$dll"
}

# Builds bench/Mnist.Bench and sets bench_dll to its path.
build_bench() { bench_dll=$(build_dll bench/Mnist.Bench Mnist.Bench); }

# The median of numbers on stdin, one a line.
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# The value of the last "key=value" line on stdin.
value() { tail -1 | sed 's/.*=//'; }

# $1 / $2 to three decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }

# The lower of two numbers; an empty first argument counts as none.
lower() { if [[ -z "$1" ]] || awk -v a="$2" -v b="$1" 'BEGIN {exit !(a < b)}'; then echo "$2"; else echo "$1"; fi; }

# Alternates run_dotnet (TorchSharp) and run_pytorch (defined by the caller; each prints "key=value" lines ending
# in its images/s) for $2 rounds, so that machine noise hits both; prints each round and the medians under the
# label $1 ($3 says what a round is) and sets side_by_side_ratio to the TorchSharp median over the PyTorch one.
side_by_side() {
  local label=$1 rounds=$2 round_size=$3 round d t
  local dotnet_rates=() torch_rates=()
  for ((round = 1; round <= rounds; round++)); do
    dotnet_rates+=("$(run_dotnet | value)")
    torch_rates+=("$(run_pytorch | value)")
    echo "round $round $label: TorchSharp ${dotnet_rates[-1]} images/s, PyTorch ${torch_rates[-1]} images/s"
  done
  d=$(printf '%s\n' "${dotnet_rates[@]}" | median)
  t=$(printf '%s\n' "${torch_rates[@]}" | median)
  side_by_side_ratio=$(ratio "$d" "$t")
  echo "$label: TorchSharp $d images/s, PyTorch $t images/s (medians of $rounds rounds of $round_size), ratio $side_by_side_ratio"
}
