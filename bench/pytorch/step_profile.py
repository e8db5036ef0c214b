"""Where a PyTorch training step's time goes: the same phases as bench/Mnist.Bench/StepProfile.cs.

Phases: batch (narrow views, or index_select copies with "index_select"), zero_grad (set_to_none=True, as
train_throughput.py does), forward, loss, backward, optimizer (torch.optim.SGD lr 0.01 momentum 0.9; PyTorch 1.13
takes its per-parameter loop unless "foreach" is given), and "scope" (always 0 here: Python frees tensors by
reference counting, which the other phases already pay for). Prints "<phase>_us=" (wall) and "<phase>_cpu_us="
(the main thread's CPU time, the figure to compare on a loaded machine, with one thread) per step, then total_us and
images_per_second.

usage: step_profile.py <model> [batches=50] [warmup=10] [batch_size=128] [threads=2] [variant=sgd]
"""
import sys
import time

import torch
import torch.nn.functional as F

import networks

PHASES = ("batch", "zero_grad", "forward", "loss", "backward", "optimizer", "scope")


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__.strip().splitlines()[-1])
    model_name = sys.argv[1]
    batches, warmup, batch_size, threads = (int(a) for a in (sys.argv[2:6] + ["50", "10", "128", "2"][len(sys.argv[2:6]):]))
    variant = set((sys.argv[6] if len(sys.argv) > 6 else "sgd").split(","))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    pool = 50
    images = torch.randn(pool * batch_size, 1, 28, 28)
    labels = torch.randint(10, (pool * batch_size,))
    order = torch.randperm(pool * batch_size)
    model = networks.create(model_name)
    model.train()
    if "channels_last" in variant:
        model = model.to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, foreach="foreach" in variant)
    totals = [0.0] * len(PHASES)
    cpu = [0] * len(PHASES)
    clock = time.perf_counter
    cpu_clock = time.thread_time_ns

    def step(i):
        c0 = cpu_clock()
        t0 = clock()
        start = i % pool * batch_size
        if "index_select" in variant:
            index = order.narrow(0, start, batch_size)
            x, y = images.index_select(0, index), labels.index_select(0, index)
        else:
            x, y = images.narrow(0, start, batch_size), labels.narrow(0, start, batch_size)
        t1 = clock()
        c1 = cpu_clock()
        optimizer.zero_grad(set_to_none=True)
        t2 = clock()
        c2 = cpu_clock()
        output = model(x)
        t3 = clock()
        c3 = cpu_clock()
        loss = F.nll_loss(output, y)
        t4 = clock()
        c4 = cpu_clock()
        loss.backward()
        t5 = clock()
        c5 = cpu_clock()
        optimizer.step()
        t6 = clock()
        c6 = cpu_clock()
        for p, (a, b) in enumerate(((t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5), (t5, t6), (t6, t6))):
            totals[p] += b - a
        for p, (a, b) in enumerate(((c0, c1), (c1, c2), (c2, c3), (c3, c4), (c4, c5), (c5, c6), (c6, c6))):
            cpu[p] += b - a

    for i in range(warmup):
        step(i)
    totals[:] = [0.0] * len(PHASES)
    cpu[:] = [0] * len(PHASES)
    start = clock()
    for i in range(batches):
        step(warmup + i)
    elapsed = clock() - start
    for name, total, used in zip(PHASES, totals, cpu):
        print(f"{name}_us={total * 1e6 / batches:.1f} {name}_cpu_us={used / 1e3 / batches:.1f}")
    print(f"total_us={elapsed * 1e6 / batches:.1f}")
    print(f"images_per_second={batches * batch_size / elapsed:.1f}")


if __name__ == "__main__":
    main()
