"""Training images per second in PyTorch: the same loop as bench/Mnist.Bench/TrainThroughput.cs.

usage: train_throughput.py <model> [batches] [warmup] [batch_size] [threads]
"""
import sys
import time

import torch
import torch.nn.functional as F

import networks


def main():
    model_name = sys.argv[1]
    batches, warmup, batch_size, threads = (int(a) for a in (sys.argv[2:] + ["100", "10", "128", "2"][len(sys.argv) - 2:]))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    pool = 50
    images = torch.randn(pool * batch_size, 1, 28, 28)
    labels = torch.randint(10, (pool * batch_size,))
    model = networks.create(model_name)
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    # The engine's loss: NLL on a LogSoftmax at the end (every sample network), else cross-entropy on logits.
    loss_of = F.nll_loss if getattr(model, "ends_in_log_softmax", True) else F.cross_entropy

    def step(i):
        start = i % pool * batch_size
        x = images.narrow(0, start, batch_size)
        y = labels.narrow(0, start, batch_size)
        optimizer.zero_grad(set_to_none=True)
        loss = loss_of(model(x), y)
        loss.backward()
        optimizer.step()

    for i in range(warmup):
        step(i)
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(batches):
        step(warmup + i)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    # CPU time (all threads, OpenMP's spinning included): on a shared machine wall time also measures the neighbours.
    print(f"images_per_cpu_second={batches * batch_size / cpu:.1f}")
    print(f"images_per_second={batches * batch_size / elapsed:.1f}")


if __name__ == "__main__":
    main()
