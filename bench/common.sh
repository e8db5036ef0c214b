# Shared by the bench/*.sh scripts (sourced): build Mnist.Bench once, read "key=value" output, take medians.

# Builds bench/Mnist.Bench (Release) and sets bench_dll to its path.
build_bench() {
  dotnet build bench/Mnist.Bench -c Release -v quiet -nologo >/dev/null
  bench_dll=$(find bench/Mnist.Bench/bin/Release -name Mnist.Bench.dll | head -1)
  [[ -n "$bench_dll" ]] || { echo "bench: Mnist.Bench.dll not found after the build" >&2; exit 1; }
}

# The median of numbers on stdin, one a line.
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# The value of the last "key=value" line on stdin.
value() { tail -1 | sed 's/.*=//'; }

# $1 / $2 to three decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }

# The lower of two numbers; an empty first argument counts as none.
lower() { if [[ -z "$1" ]] || awk -v a="$2" -v b="$1" 'BEGIN {exit !(a < b)}'; then echo "$2"; else echo "$1"; fi; }

# Alternates run_dotnet and run_pytorch (defined by the caller; each prints "key=value" lines ending in its
# images/s) for $2 rounds, so that machine noise hits both; prints each round and the medians under the label
# $1 ($3 says what a round is) and sets side_by_side_ratio to the .NET median over the PyTorch one.
side_by_side() {
  local label=$1 rounds=$2 round_size=$3 round d t
  local dotnet_rates=() torch_rates=()
  for ((round = 1; round <= rounds; round++)); do
    dotnet_rates+=("$(run_dotnet | value)")
    torch_rates+=("$(run_pytorch | value)")
    echo "round $round $label: .NET ${dotnet_rates[-1]} images/s, PyTorch ${torch_rates[-1]} images/s"
  done
  d=$(printf '%s\n' "${dotnet_rates[@]}" | median)
  t=$(printf '%s\n' "${torch_rates[@]}" | median)
  side_by_side_ratio=$(ratio "$d" "$t")
  echo "$label: .NET $d images/s, PyTorch $t images/s (medians of $rounds rounds of $round_size), ratio $side_by_side_ratio"
}
