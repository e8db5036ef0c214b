"""Evaluation images per second in PyTorch: the same loop as bench/Mnist.Bench/EvalThroughput.cs.

Eval mode under torch.no_grad(), one forward pass per batch cut from one preloaded tensor of 1,000 images
(or one batch, when larger), timed after warm-up batches.

usage: eval_throughput.py <model> <batch_size> [batches=1000] [warmup=100] [threads=2]
"""
import sys
import time

import torch

import networks


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__.strip().splitlines()[-1])
    model_name = sys.argv[1]
    batch_size, batches, warmup, threads = (int(a) for a in (sys.argv[2:] + ["1", "1000", "100", "2"][len(sys.argv) - 2:]))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    pool = max(1, 1000 // batch_size)
    images = torch.randn(pool * batch_size, 1, 28, 28)
    model = networks.create(model_name)
    model.eval()

    def step(i):
        model(images.narrow(0, i % pool * batch_size, batch_size))

    with torch.no_grad():
        for i in range(warmup):
            step(i)
        start = time.perf_counter()
        for i in range(batches):
            step(warmup + i)
        elapsed = time.perf_counter() - start
    print(f"images_per_second={batches * batch_size / elapsed:.1f}")


if __name__ == "__main__":
    main()
