"""Search for the fastest MNIST network + recipe that holds >= 99.4% test accuracy in each of its last 3 epochs.

Networks are given as compact plans in the DSL's layer vocabulary, so every candidate can be declared as an
attributed class in src/Samples/Mnist.Models (Conv2d without bias -> ReLU -> BatchNorm2d -> Dropout blocks,
MaxPool2d, 1x1 squeezes, GlobalAvgPool2d, Linear(10), LogSoftmax). Plan tokens, comma-separated:

  c16      3x3 conv to 16 channels, no padding, then ReLU, BatchNorm2d, Dropout(p) (no Dropout after the last conv)
  c16p1    the same with padding 1;  c16s2  stride 2;  c16k5  a 5x5 kernel (p and s combine: c16p1s2)
  x10      1x1 conv to 10 channels, nothing after it (the repo's "transition" squeeze)
  y10      1x1 conv to 10 channels followed by ReLU, BatchNorm2d, Dropout(p)
  M        MaxPool2d(2)
  G        GlobalAvgPool2d, then Linear(10) and LogSoftmax (always last)

The training loop is the repo trainer's (src/Training/Cli/TorchTrainer.cs and EngineTrainer.cs): shuffled
batches, SGD momentum 0.9, NLL loss on log-softmax, PyTorch's OneCycleLR stepped per batch (its defaults: 30%
warm-up, cosine, div 25, final div 1e4, momentum cycled 0.85-0.95), rotation +-7 degrees per image with bilinear
affine_grid/grid_sample and normalised-black fill (src/Training/Data/Augmentation.cs), and after every epoch a test
pass over the test images (all 10,000 unless --test-limit) in eval mode (batches of 1,000). An epoch's seconds
include its test pass.

Options the repo's trainer lacks are marked (NOT IN TRAINER) in --help: label smoothing, weight decay, dropout
override. The one-cycle warm-up fraction and the EMA of the weights are the trainer's --warmup and --ema.

--network NAME (repeatable) trains, with the same loop, a sample network's PyTorch twin by the trainer's registry
name (fast, default, small, ...: bench/pytorch/networks.py); bench/time-to-99.4.sh runs it with --drop-last against
the trainer's generated engine, which trains whole batches only.

Every run appends one row per epoch to --csv: plan (or network name), recipe, seed, epoch, test accuracy, seconds,
images/s, params, MACs (0 for a twin) and the load average when the run started (this machine's 2 cores are shared).
"""
import argparse
import copy
import csv
import math
import os
import re
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist_idx  # noqa: E402
import networks  # noqa: E402


# ----------------------------------------------------------------------------------------------------------------
# Networks from plans

TOKEN = re.compile(r"^([cxy])(\d+)((?:[kps]\d+)*)$")


def parse_plan(plan):
    steps = []
    for tok in plan.split(","):
        tok = tok.strip()
        if tok in ("M", "G"):
            steps.append((tok,))
            continue
        m = TOKEN.match(tok)
        if not m:
            raise SystemExit(f"bad plan token '{tok}' in {plan}")
        kind, ch, opts = m.group(1), int(m.group(2)), dict((o[0], int(o[1:])) for o in re.findall(r"[kps]\d+", m.group(3)))
        k = 1 if kind in "xy" else opts.get("k", 3)
        steps.append((kind, ch, k, opts.get("p", 0), opts.get("s", 1)))
    if steps[-1] != ("G",):
        raise SystemExit("a plan ends with G (GlobalAvgPool2d, Linear(10), LogSoftmax)")
    return steps


class PlanNet(nn.Module):
    """Sequential network from a plan; layer order as the DSL declares it (conv, ReLU, BN, Dropout)."""

    def __init__(self, plan, dropout=0.05):
        super().__init__()
        steps = parse_plan(plan)
        last_conv = max(i for i, s in enumerate(steps) if s[0] in "cy")
        layers, cin, size = [], 1, 28
        self.params = 0
        self.macs = 0
        self.rows = []
        for i, s in enumerate(steps):
            if s[0] == "M":
                layers.append(nn.MaxPool2d(2))
                size //= 2
                self.rows.append(f"MaxPool2d -> {cin}x{size}x{size}")
            elif s[0] == "G":
                layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10), nn.LogSoftmax(dim=1)]
                self.params += cin * 10 + 10
                self.macs += cin * 10
                self.rows.append(f"GAP {cin}x{size}x{size} -> Linear({cin}, 10)")
            else:
                kind, cout, k, p, st = s
                layers.append(nn.Conv2d(cin, cout, k, stride=st, padding=p, bias=False))
                size = (size + 2 * p - k) // st + 1
                self.params += cin * cout * k * k
                self.macs += cin * cout * k * k * size * size
                row = f"Conv2d({cin}, {cout}, {k}, s={st}, p={p}) -> {cout}x{size}x{size}"
                if kind in "cy":
                    layers += [nn.ReLU(), nn.BatchNorm2d(cout)]
                    self.params += 2 * cout
                    if i != last_conv and dropout > 0:
                        layers.append(nn.Dropout(dropout))
                    row += " ReLU BN" + (" Dropout" if i != last_conv and dropout > 0 else "")
                self.rows.append(row)
                cin = cout
            if size < 1:
                raise SystemExit(f"plan {plan}: the map shrinks below 1x1")
        self.net = nn.Sequential(*layers)
        actual = sum(p.numel() for p in self.parameters())
        assert actual == self.params, (actual, self.params)

    def forward(self, x):
        return self.net(x)


def cost(plan):
    net = PlanNet(plan)
    return net.params, net.macs


# ----------------------------------------------------------------------------------------------------------------
# Training

NORMALIZED_BLACK = -mnist_idx.MEAN / mnist_idx.STD


def rotate(images, degrees, generator=None):
    """Each image rotated by its own uniform draw on [-degrees, degrees], as src/Training/Data/Augmentation.cs does."""
    n, _, h, w = images.shape
    angles = (torch.rand(n, dtype=torch.float64) * 2 - 1) * degrees
    rad = angles * (math.pi / 180)
    cos, sin = rad.cos(), rad.sin()
    zero = torch.zeros(n, dtype=torch.float64)
    theta = torch.stack([cos, sin * (-h / w), zero, sin * (w / h), cos, zero], 1).reshape(n, 2, 3).to(images.dtype)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images - NORMALIZED_BLACK, grid, mode="bilinear", padding_mode="zeros", align_corners=False).add_(NORMALIZED_BLACK)


def evaluate(model, images, labels):
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(labels), 1000):
            correct += int(model(images[start:start + 1000]).argmax(1).eq(labels[start:start + 1000]).sum())
    return 100.0 * correct / len(labels)


class Ema:
    """Exponential moving average of parameters; BatchNorm buffers copied from the live model (the trainer's WeightAverage)."""

    def __init__(self, model, decay):
        self.decay = decay
        self.updates = 0
        self.model = copy.deepcopy(model)
        for p in self.model.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, model):
        # Warm-up (timm's / TF's): early on the average would be mostly the initial weights, which do not match the
        # live BatchNorm statistics copied below; the first runs (b4_ep8_ema_s1.log) tested 9.8% after epoch 1 so.
        self.updates += 1
        decay = min(self.decay, (1 + self.updates) / (10 + self.updates))
        for e, p in zip(self.model.parameters(), model.parameters()):
            e.mul_(decay).add_(p, alpha=1 - decay)
        for e, b in zip(self.model.buffers(), model.buffers()):
            e.copy_(b)


def load_avg():
    try:
        with open("/proc/loadavg") as f:
            return f.read().split()[0]
    except OSError:
        return ""


def train(a, plan, seed, data, writer, label, csv_file=None, network=None):
    """Trains PlanNet(plan), or the twin of the sample network named `network` (then `plan` is just its name)."""
    train_x, train_y, test_x, test_y = data
    torch.manual_seed(seed)
    model = networks.create(network) if network else PlanNet(plan, dropout=a.dropout)
    params = sum(p.numel() for p in model.parameters())
    macs = getattr(model, "macs", 0)
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=0.9, weight_decay=a.weight_decay)
    batches_per_epoch = len(train_y) // a.batch_size if a.drop_last else math.ceil(len(train_y) / a.batch_size)
    if batches_per_epoch == 0:
        raise SystemExit(f"--batch-size {a.batch_size} is more than the {len(train_y)} training images (with --drop-last)")
    sched = None
    if a.schedule == "onecycle":
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, a.lr, epochs=a.epochs, steps_per_epoch=batches_per_epoch,
                                                    pct_start=a.pct_start, div_factor=a.div_factor)
    ema = Ema(model, a.ema) if a.ema > 0 else None
    load = load_avg()
    total = 0.0
    accs = []
    print(f"# {label} seed={seed} plan={plan} params={params} macs={macs} load={load} recipe: {recipe_text(a)}", flush=True)
    step, total_steps = 0, a.epochs * batches_per_epoch
    for epoch in range(1, a.epochs + 1):
        start = time.perf_counter()
        model.train()
        trained = 0
        for batch in torch.randperm(len(train_y)).split(a.batch_size)[:batches_per_epoch]:
            trained += len(batch)
            x = train_x[batch]
            if a.rotate > 0:
                x = rotate(x, a.rotate)
            opt.zero_grad(set_to_none=True)
            out = model(x)
            y = train_y[batch]
            loss = F.nll_loss(out, y)
            if a.label_smoothing > 0:
                loss = (1 - a.label_smoothing) * loss - a.label_smoothing * out.mean(1).mean()
            loss.backward()
            opt.step()
            step += 1
            if sched is not None and step < total_steps:
                sched.step()
            if ema is not None:
                ema.update(model)
        train_seconds = time.perf_counter() - start
        acc = evaluate(ema.model if ema is not None else model, test_x, test_y)
        seconds = time.perf_counter() - start
        total += seconds
        accs.append(acc)
        print(f"{label} seed={seed} epoch={epoch} acc={acc:.2f} s={seconds:.1f} total={total:.1f} "
              f"img/s={trained / train_seconds:.0f} lr={opt.param_groups[0]['lr']:.4f}", flush=True)
        writer.writerow([label, plan, recipe_text(a), seed, epoch, f"{acc:.2f}", f"{seconds:.2f}", f"{train_seconds:.2f}",
                         f"{total:.2f}", f"{trained / train_seconds:.0f}", params, macs, load, a.threads,
                         len(train_y), time.strftime("%Y-%m-%dT%H:%M:%S")])
        if csv_file is not None:
            csv_file.flush()  # a run stopped half-way keeps its epochs
    last3 = accs[-3:]
    ok = all(x >= 99.4 for x in last3) and len(train_y) == 60000
    print(f"RESULT {label} seed={seed} params={params} macs={macs} epochs={a.epochs} "
          f"last3={','.join(f'{x:.2f}' for x in last3)} best={max(accs):.2f} total_s={total:.1f} "
          f"{'HOLDS' if ok else 'fails'} load={load}", flush=True)
    return accs, total


def recipe_text(a):
    return (f"ep={a.epochs} bs={a.batch_size} lr={a.lr} sched={a.schedule} pct={a.pct_start} div={a.div_factor} rot={a.rotate} "
            f"ls={a.label_smoothing} ema={a.ema} wd={a.weight_decay} do={a.dropout}" + (" drop-last" if a.drop_last else ""))


def main():
    p = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("plans", nargs="*", help="network plans (see below), or NAME=plan to label them")
    p.add_argument("--network", action="append", default=[], metavar="NAME",
                   help=f"train this sample network's PyTorch twin (repeatable; {', '.join(networks.MODELS)})")
    p.add_argument("--cost-only", action="store_true", help="print parameters and multiply-adds, train nothing")
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.1, help="peak learning rate")
    p.add_argument("--schedule", choices=["onecycle", "none"], default="onecycle")
    p.add_argument("--pct-start", type=float, default=0.3, help="one-cycle warm-up fraction (the trainer's --warmup)")
    p.add_argument("--div-factor", type=float, default=25.0, help="one-cycle initial lr = peak / this (trainer: 25 fixed)")
    p.add_argument("--rotate", type=float, default=7.0, help="rotation degrees (trainer: 7 or 0 with --no-augment)")
    p.add_argument("--label-smoothing", type=float, default=0.0, help="(NOT IN TRAINER)")
    p.add_argument("--ema", type=float, default=0.0, help="EMA decay per batch, 0 off; test uses the EMA weights (the trainer's --ema, generated engine)")
    p.add_argument("--weight-decay", type=float, default=0.0, help="(NOT IN TRAINER)")
    p.add_argument("--dropout", type=float, default=0.05, help="plans only: dropout after each conv block but the last (a DSL choice)")
    p.add_argument("--drop-last", action="store_true", help="drop each epoch's last partial batch (the trainer's generated engine does)")
    p.add_argument("--seeds", default="1", help="comma-separated seeds")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--train-limit", type=int, default=0)
    p.add_argument("--test-limit", type=int, default=0, help="first N test images only (0: all 10,000)")
    p.add_argument("--csv", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "results", "fastest", "runs.csv"))
    p.add_argument("--data", default=mnist_idx.default_folder())
    a = p.parse_args()

    named = []
    for item in a.plans:
        label, _, plan = item.rpartition("=")
        named.append((label or plan, plan))
    if a.network and a.dropout != 0.05:
        raise SystemExit("--dropout applies to plans only: a twin has its network's dropout")
    if a.cost_only:
        rows = sorted(((cost(plan), label, plan) for label, plan in named), key=lambda r: r[0][1])
        for (params, macs), label, plan in rows:
            print(f"{label:14s} params={params:6d} macs={macs:8d}  {plan}")
        return

    torch.set_num_threads(a.threads)
    train_x, train_y = mnist_idx.load(a.data, train=True, limit=a.train_limit)
    test_x, test_y = mnist_idx.load(a.data, train=False, limit=a.test_limit)
    os.makedirs(os.path.dirname(os.path.abspath(a.csv)), exist_ok=True)
    new = not os.path.exists(a.csv)
    with open(a.csv, "a", newline="") as f:
        w = csv.writer(f)
        if new:
            w.writerow(["label", "plan", "recipe", "seed", "epoch", "test_accuracy", "seconds", "train_seconds", "total_seconds",
                        "images_per_s", "params", "macs", "load1", "threads", "train_images", "finished"])
        for label, plan, network in [(label, plan, None) for label, plan in named] + [(n, n, n) for n in a.network]:
            for seed in (int(s) for s in a.seeds.split(",")):
                train(a, plan, seed, (train_x, train_y, test_x, test_y), w, label, f, network)


if __name__ == "__main__":
    main()
