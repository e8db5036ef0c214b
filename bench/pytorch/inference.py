"""Eval-mode inference in PyTorch: batch-1 latency and batch throughput, as bench/Mnist.Bench's infer mode measures.

usage: inference.py <model> [single-image calls] [batches] [batch_size] [threads]
The networks are the PyTorch twins of the sample networks (bench/pytorch/networks.py, which loads tests/python/sample_networks.py).
"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from networks import create  # noqa: E402



def median(values):
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def main():
    model_name = sys.argv[1]
    singles, batches, batch_size, threads = (int(a) for a in (sys.argv[2:] + ["2000", "10", "1000", "2"][len(sys.argv) - 2:]))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = create(model_name)
    model.eval()
    images = torch.randn(batch_size, 1, 28, 28)
    one = images[:1]
    with torch.no_grad():
        def single():
            start = time.perf_counter()
            model(one).argmax(1).item()
            return (time.perf_counter() - start) * 1e6

        def batch():
            start = time.perf_counter()
            model(images).numpy()
            return time.perf_counter() - start

        for _ in range(max(50, singles // 10)):
            single()
        latency = median([single() for _ in range(singles)])
        batch(), batch()
        throughput = batch_size / median([batch() for _ in range(batches)])
    print(f"pytorch_batch1_us={latency:.1f}")
    print(f"pytorch_batch{batch_size}_images_per_s={throughput:.1f}")


if __name__ == "__main__":
    main()
