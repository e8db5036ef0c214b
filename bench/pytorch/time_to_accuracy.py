"""Seconds until the test accuracy first reaches a target, for a seed's recipe in PyTorch on real MNIST.

The loop is the one the seeds' notebooks run and src/Samples/Mnist.Train/Trainer.cs mirrors: shuffled batches,
SGD with momentum, NLL loss, an optional StepLR, and after every epoch a test pass in eval mode under no_grad
(batches of 1,000). An epoch's seconds cover its training and its test pass, as the .NET trainer's metrics.csv
does. Prints one line per epoch, then "seconds_to_target=<s>" (the sum up to and including the first epoch at
or above the target) or "seconds_to_target=none" when no epoch reaches it.

The defaults are seed 004's recipe, as the README's seeds table reads it: its network, SGD lr 0.01 momentum
0.9, constant rate, no augmentation, batch 128, 19 epochs.
"""
import argparse
import time

import torch
import torch.nn.functional as F

import mnist_idx
import networks


def arguments():
    p = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    p.add_argument("--model", default="seed004", choices=sorted(networks.MODELS))
    p.add_argument("--epochs", type=int, default=19)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--step-size", type=int, default=0, help="StepLR step in epochs (x0.1); 0: constant rate")
    p.add_argument("--target", type=float, default=99.4, help="test accuracy in percent")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--train-limit", type=int, default=0, help="first N training images only (0: all 60,000)")
    p.add_argument("--test-limit", type=int, default=0, help="first N test images only (0: all 10,000)")
    p.add_argument("--data", default=mnist_idx.default_folder())
    return p.parse_args()


def evaluate(model, images, labels):
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(labels), 1000):
            output = model(images[start:start + 1000])
            correct += int(output.argmax(1).eq(labels[start:start + 1000]).sum())
    return 100.0 * correct / len(labels)


def main():
    a = arguments()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train_x, train_y = mnist_idx.load(a.data, train=True, limit=a.train_limit)
    test_x, test_y = mnist_idx.load(a.data, train=False, limit=a.test_limit)
    model = networks.create(a.model)
    optimizer = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum)
    schedule = torch.optim.lr_scheduler.StepLR(optimizer, a.step_size, gamma=0.1) if a.step_size > 0 else None

    total = 0.0
    reached = None
    for epoch in range(1, a.epochs + 1):
        start = time.perf_counter()
        model.train()
        for batch in torch.randperm(len(train_y)).split(a.batch_size):
            optimizer.zero_grad(set_to_none=True)
            loss = F.nll_loss(model(train_x[batch]), train_y[batch])
            loss.backward()
            optimizer.step()
        if schedule is not None:
            schedule.step()
        accuracy = evaluate(model, test_x, test_y)
        seconds = time.perf_counter() - start
        total += seconds
        print(f"epoch={epoch} test_accuracy={accuracy:.2f} seconds={seconds:.1f} total_seconds={total:.1f}", flush=True)
        if reached is None and accuracy >= a.target:
            reached = (epoch, total)
    if reached is None:
        print(f"not reached: no epoch of {a.epochs} at {a.target}% ({total:.1f} s in all)")
        print("seconds_to_target=none")
    else:
        print(f"reached {a.target}% after epoch {reached[0]} of {a.epochs}")
        print(f"seconds_to_target={reached[1]:.1f}")


if __name__ == "__main__":
    main()
