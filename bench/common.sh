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
