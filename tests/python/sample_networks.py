"""The sample networks of src/Samples/Mnist.Models written by hand in PyTorch: one definition per network.

Two kinds of tests use them, so they live here and are linked into each test project's python/ folder:
Mnist.Dsl.Generator.Tests (seed_tables.py: the torchsummary table of each, made with forward hooks) and
Mnist.Models.Tests (model_parity.py: logits, loss, gradients and BatchNorm running statistics for the same
weights). Layers the DSL declares Functional = true are plain function calls here, as in the seed notebooks.
Module attribute names follow PyTorch habits, not the generated state-dict keys; model_parity.py maps them.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Seed001Model1(nn.Module):
    """Seed 001, model 1: F.relu and the flattening view are functional."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.bn1 = nn.BatchNorm2d(32)
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(32, 32, 3)
        self.bn2 = nn.BatchNorm2d(32)
        self.pool2 = nn.MaxPool2d(2)
        self.conv3 = nn.Conv2d(32, 16, 3)
        self.bn3 = nn.BatchNorm2d(16)
        self.drop1 = nn.Dropout(0.1)
        self.fc1 = nn.Linear(16 * 3 * 3, 20)
        self.bn4 = nn.BatchNorm1d(20)
        self.drop2 = nn.Dropout(0.1)
        self.fc2 = nn.Linear(20, 10)

    def forward(self, x):
        x = self.pool1(F.relu(self.bn1(self.conv1(x))))
        x = self.pool2(F.relu(self.bn2(self.conv2(x))))
        x = self.drop1(F.relu(self.bn3(self.conv3(x))))
        x = x.view(-1, 16 * 3 * 3)
        x = self.drop2(F.relu(self.bn4(self.fc1(x))))
        return F.log_softmax(self.fc2(x), dim=1)


class Seed001Model2(nn.Module):
    """Seed 001, model 2: convolutions only; the last one leaves a 10x1x1 map."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3)
        self.bn2 = nn.BatchNorm2d(32)
        self.pool1 = nn.MaxPool2d(2)
        self.conv3 = nn.Conv2d(32, 10, 3)
        self.bn3 = nn.BatchNorm2d(10)
        self.drop1 = nn.Dropout(0.1)
        self.pool2 = nn.MaxPool2d(2)
        self.conv4 = nn.Conv2d(10, 10, 3)
        self.drop2 = nn.Dropout(0.1)
        self.conv5 = nn.Conv2d(10, 10, 3)

    def forward(self, x):
        x = self.bn1(F.relu(self.conv1(x)))
        x = self.pool1(self.bn2(F.relu(self.conv2(x))))
        x = self.pool2(self.drop1(self.bn3(F.relu(self.conv3(x)))))
        x = self.drop2(F.relu(self.conv4(x)))
        x = self.conv5(x)
        return F.log_softmax(x.view(-1, 10), dim=1)


class Seed002Net(nn.Module):
    """Seed 002: five padded 3x3 convolutions (4, 8, 16, 24, 32 channels), two poolings, GAP, one Linear."""

    def __init__(self):
        super().__init__()
        layers = []
        channels = [1, 4, 8, 16, 24, 32]
        for i in range(5):
            layers += [nn.Conv2d(channels[i], channels[i + 1], 3, padding=1), nn.ReLU(), nn.BatchNorm2d(channels[i + 1])]
            if i in (1, 3):
                layers += [nn.MaxPool2d(2), nn.Dropout(0.1)]
        # A plain list of modules called in turn (not nn.Sequential, which torchsummary would also skip).
        self.blocks = nn.ModuleList(layers)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, 10)
        self.log_softmax = nn.LogSoftmax(dim=1)

    def forward(self, x):
        for layer in self.blocks:
            x = layer(x)
        x = self.gap(x)
        x = torch.flatten(x, 1)
        return self.log_softmax(self.fc(x))


class Seed004Net(nn.Module):
    """Seed 004: Conv-ReLU-BN-Dropout blocks without biases, 1x1 transitions with pooling, GAP, one Linear."""

    def __init__(self):
        super().__init__()

        def block(cin, cout, padding=0, momentum=0.1):
            return [nn.Conv2d(cin, cout, 3, padding=padding, bias=False), nn.ReLU(),
                    nn.BatchNorm2d(cout, momentum=momentum), nn.Dropout(0.1)]

        def transition(cin, cout):
            return [nn.Conv2d(cin, cout, 1, bias=False), nn.MaxPool2d(2)]

        self.layers = nn.ModuleList(
            block(1, 12) + block(12, 24) + transition(24, 12)
            + block(12, 20, momentum=0.2) + block(20, 32, padding=1, momentum=0.2) + transition(32, 16)
            + block(16, 16, padding=1, momentum=0.2) + block(16, 32, padding=1, momentum=0.2))
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, 10)
        self.log_softmax = nn.LogSoftmax(dim=1)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        x = self.gap(x).view(-1, 32)
        return self.log_softmax(self.fc(x))


class _BlockStack(nn.Module):
    """A list of layers, then GAP -> Linear(10) -> LogSoftmax: the head the default, small and fast networks share."""

    def __init__(self, layers, cin):
        super().__init__()
        self.layers = nn.ModuleList(layers)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, 10)
        self.log_softmax = nn.LogSoftmax(dim=1)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.log_softmax(self.fc(torch.flatten(self.gap(x), 1)))


class _ConvStack(_BlockStack):
    """Conv(3x3, no bias) -> ReLU -> BatchNorm -> Dropout(0.05) blocks; 'M' is MaxPool2d(2) then a 1x1 squeeze."""

    def __init__(self, plan):
        layers, cin = [], 1
        for i, step in enumerate(plan):
            if isinstance(step, tuple):  # ("M", squeeze channels)
                layers += [nn.MaxPool2d(2), nn.Conv2d(cin, step[1], 1, bias=False)]
                cin = step[1]
                continue
            last = i == len(plan) - 1
            layers += [nn.Conv2d(cin, step, 3, bias=False), nn.ReLU(), nn.BatchNorm2d(step)] + ([] if last else [nn.Dropout(0.05)])
            cin = step
        super().__init__(layers, cin)


class DefaultNet(_ConvStack):
    """The default network: 16, 24, pool + 1x1 to 12, 16, 24, 32, GAP, Linear."""

    def __init__(self):
        super().__init__([16, 24, ("M", 12), 16, 24, 32])


class SmallNet(_ConvStack):
    """The small network: 10, 10, 16, pool + 1x1 to 10, 10, 16, 16, GAP, Linear."""

    def __init__(self):
        super().__init__([10, 10, 16, ("M", 10), 10, 16, 16])


class _PooledStack(_BlockStack):
    """The fast network (found by bench/pytorch/fastest_search.py): Conv(3x3, no bias) -> ReLU -> BatchNorm ->
    Dropout(0.05) blocks, "M" a bare MaxPool2d(2), (channels, padding) a padded block; no Dropout after the last conv."""

    def __init__(self, plan):
        layers, cin = [], 1
        convs = [i for i, step in enumerate(plan) if step != "M"]
        for i, step in enumerate(plan):
            if step == "M":
                layers.append(nn.MaxPool2d(2))
                continue
            cout, padding = step if isinstance(step, tuple) else (step, 0)
            layers += [nn.Conv2d(cin, cout, 3, padding=padding, bias=False), nn.ReLU(), nn.BatchNorm2d(cout)]
            if i != convs[-1]:
                layers.append(nn.Dropout(0.05))
            cin = cout
        super().__init__(layers, cin)


class FastNet(_PooledStack):
    """The fast network (< 20k): 8, pool, 16, 24, pool, 24 (padded), 32, GAP, Linear (fastest_search plan a7 with a padded 24)."""

    def __init__(self):
        super().__init__([8, "M", 16, 24, "M", (24, 1), 32])


class TinyNet(_BlockStack):
    """The tiny network (< 4,000): conv 10, then depthwise-separable blocks (3x3 depthwise with groups = channels
    straight into a 1x1 pointwise conv, then ReLU, BatchNorm, Dropout(0.05)): 16, pool, 24, 24, 24 (padded), 24; no
    Dropout after the last; GAP, Linear."""

    def __init__(self):
        layers = [nn.Conv2d(1, 10, 3, bias=False), nn.ReLU(), nn.BatchNorm2d(10), nn.Dropout(0.05)]
        cin = 10
        plan = [16, "M", 24, 24, (24, 1), 24]
        for i, step in enumerate(plan):
            if step == "M":
                layers.append(nn.MaxPool2d(2))
                continue
            cout, padding = step if isinstance(step, tuple) else (step, 0)
            layers += [nn.Conv2d(cin, cin, 3, padding=padding, groups=cin, bias=False), nn.Conv2d(cin, cout, 1, bias=False),
                       nn.ReLU(), nn.BatchNorm2d(cout)]
            if i != len(plan) - 1:
                layers.append(nn.Dropout(0.05))
            cin = cout
        super().__init__(layers, cin)


MODELS = {cls.__name__: cls for cls in (Seed001Model1, Seed001Model2, Seed002Net, Seed004Net, DefaultNet, SmallNet, FastNet, TinyNet)}

# Each twin by its network's registry name ([Network(Name = ...)] in src/Samples/Mnist.Models): the names the trainer,
# the benchmarks and the scripts use. Mnist.Models.Tests (PyTorchTwinsTests) checks that these are exactly the
# networks of Mnist.Models' generated registry, so a network added there without its twin fails a test.
BY_REGISTRY_NAME = {
    "default": DefaultNet,
    "small": SmallNet,
    "seed004": Seed004Net,
    "seed002": Seed002Net,
    "seed001-1": Seed001Model1,
    "seed001-2": Seed001Model2,
    "fast": FastNet,
    "tiny": TinyNet,
}
