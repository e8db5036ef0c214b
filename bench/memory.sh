#!/usr/bin/env bash
# Resident memory of the trainer over full epochs: VmRSS read from /proc at the end of each epoch (when the
# trainer prints its "Test set:" line), and the peak (VmHWM). Last line: growth=<% by which the largest RSS at the
# end of a later epoch exceeds the RSS at the end of the first>, which should stay under 5%: glibc's heap (which
# Mnist.Dsl.Training's MallocTuning keeps from shrinking between steps) and the GC settle during the first epoch,
# and a leak of TorchSharp tensors (a step's tensors outside a dispose scope) shows as growth after it.
# The trainer with the TorchSharp backend (src/Samples/Mnist.Train.Torch, --engine torch) takes: train <model> --epochs N --output DIR [options].
# usage: bench/memory.sh [model=default] [epochs=3] [extra trainer options...]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
model=${1:-default}
epochs=${2:-3}
shift $(($# < 2 ? $# : 2))
dll=$(build_dll src/Samples/Mnist.Train.Torch Mnist.Train.Torch)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$pytorch" - "$dll" "$model" "$epochs" "$out/run" "$@" <<'PY'
import subprocess, sys

dll, model, epochs, run, *extra = sys.argv[1:]
trainer = subprocess.Popen(["dotnet", dll, "train", model, "--engine", "torch", "--epochs", epochs, "--output", run, *extra],
                           stdout=subprocess.PIPE, text=True)

def status(field):
    with open(f"/proc/{trainer.pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))

rss = []
for line in trainer.stdout:
    if line.startswith("Test set:"):
        rss.append(status("VmRSS"))
        print(f"epoch {len(rss)}: RSS {rss[-1] / 1024:.1f} MiB, peak {status('VmHWM') / 1024:.1f} MiB ({line.strip()})", flush=True)
if trainer.wait() != 0 or len(rss) < 2:
    sys.exit(f"the trainer exited with {trainer.returncode} after {len(rss)} epochs")
print(f"growth={100 * (max(rss[1:]) - rss[0]) / rss[0]:.2f}")
PY
