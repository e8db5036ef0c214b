"""PyTorch's cost per libtorch call from Python: the same loop as bench/Mnist.Bench/CallOverhead.cs.

usage: call_overhead.py [calls=200000] [threads=2]
"""
import sys
import time

import torch
import torch.nn.functional as F


def main():
    calls, threads = (int(a) for a in (sys.argv[1:] + ["200000", "2"][len(sys.argv) - 1:]))
    torch.set_num_threads(threads)
    x = torch.ones(1)
    per_scope = 25

    def run(count):
        for _ in range(0, count, per_scope):
            for _ in range(per_scope):
                F.relu(x)

    with torch.no_grad():
        run(calls // 10)
        start = time.perf_counter()
        run(calls)
        elapsed = time.perf_counter() - start
    print(f"nanoseconds_per_call={elapsed * 1e9 / calls:.0f}")


if __name__ == "__main__":
    main()
