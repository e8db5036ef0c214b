"""Training images per second in PyTorch: the same loop as bench/Mnist.Bench/TrainThroughput.cs.

usage: train_throughput.py <model> [batches] [warmup] [batch_size] [threads]
"""
import sys
import time

import torch
import torch.nn.functional as F

import networks

WARMUP_SECONDS = 2
TIMED_SECONDS = 1


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

    # The engine bench's floors in time (bench/Mnist.Dsl.Engine.Bench, MinimumSeconds): at least `warmup` batches and
    # 2 s of warm-up, at least `batches` batches and 1 s timed, so both sides are measured at their steady rate.
    warmed, warming = 0, time.perf_counter()
    while warmed < warmup or time.perf_counter() - warming < WARMUP_SECONDS:
        step(warmed)
        warmed += 1
    timed, start, cpu = 0, time.perf_counter(), time.process_time()
    while timed < batches or time.perf_counter() - start < TIMED_SECONDS:
        step(warmed + timed)
        timed += 1
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    # CPU time (all threads, OpenMP's spinning included): on a shared machine wall time also measures the neighbours.
    print(f"timed_batches={timed}")
    print(f"images_per_cpu_second={timed * batch_size / cpu:.1f}")
    print(f"images_per_second={timed * batch_size / elapsed:.1f}")


if __name__ == "__main__":
    main()
