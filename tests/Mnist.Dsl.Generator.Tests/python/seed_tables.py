"""The sample networks of src/Samples/Mnist.Models written in PyTorch, and their torchsummary tables.

SeedTablesMatchPyTorchTests runs this with Debian's /usr/bin/python3 (python3-torch 1.13) and compares each
table with the one Mnist.Dsl computes at compile time. The tables are made the way torchsummary makes them
(torchsummary itself is not installed here): a forward hook on every leaf module, one row per call in forward
order named ClassName-index, the output shape with the batch as -1, the weight and bias element counts, the
totals, and the four MB lines. Layers the DSL declares Functional = true are plain function calls here, so,
as in the seed notebooks, they have no rows.

Usage: python3 seed_tables.py NAME...   prints a JSON object {NAME: table}.
"""

import json
import sys

import numpy as np
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


class _ConvStack(nn.Module):
    """Conv(3x3, no bias) -> ReLU -> BatchNorm -> Dropout(0.05) blocks; 'M' is MaxPool2d(2) then a 1x1 squeeze."""

    def __init__(self, plan):
        super().__init__()
        layers, cin = [], 1
        for i, step in enumerate(plan):
            if isinstance(step, tuple):  # ("M", squeeze channels)
                layers += [nn.MaxPool2d(2), nn.Conv2d(cin, step[1], 1, bias=False)]
                cin = step[1]
                continue
            last = i == len(plan) - 1
            layers += [nn.Conv2d(cin, step, 3, bias=False), nn.ReLU(), nn.BatchNorm2d(step)] + ([] if last else [nn.Dropout(0.05)])
            cin = step
        self.layers = nn.ModuleList(layers)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, 10)
        self.log_softmax = nn.LogSoftmax(dim=1)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.log_softmax(self.fc(torch.flatten(self.gap(x), 1)))


class DefaultNet(_ConvStack):
    """The default network: 16, 24, pool + 1x1 to 12, 16, 24, 32, GAP, Linear."""

    def __init__(self):
        super().__init__([16, 24, ("M", 12), 16, 24, 32])


class SmallNet(_ConvStack):
    """The small network: 10, 10, 16, pool + 1x1 to 10, 10, 16, 16, GAP, Linear."""

    def __init__(self):
        super().__init__([10, 10, 16, ("M", 10), 10, 16, 16])


def summary_table(model, input_size):
    """torchsummary.summary's table for a (C, H, W) input, returned instead of printed."""
    rows = []

    def hook(module, inputs, output):
        name = "%s-%i" % (type(module).__name__, len(rows) + 1)
        shape = [-1] + list(output.size())[1:]
        params = 0
        if hasattr(module, "weight") and hasattr(module.weight, "size"):
            params += int(torch.prod(torch.LongTensor(list(module.weight.size()))))
        if hasattr(module, "bias") and hasattr(module.bias, "size"):
            params += int(torch.prod(torch.LongTensor(list(module.bias.size()))))
        rows.append((name, shape, params))

    # torchsummary hooks every module but containers and the model itself; here: the leaves.
    handles = [m.register_forward_hook(hook) for m in model.modules() if len(list(m.children())) == 0]
    model.eval()
    with torch.no_grad():
        model(torch.rand(2, *input_size))  # torchsummary's batch of two
    for handle in handles:
        handle.remove()

    lines = ["-" * 64, "{:>20}  {:>25} {:>15}".format("Layer (type)", "Output Shape", "Param #"), "=" * 64]
    total_params = 0
    total_output = 0
    for name, shape, params in rows:
        lines.append("{:>20}  {:>25} {:>15}".format(name, str(shape), "{0:,}".format(params)))
        total_params += params
        total_output += np.prod(shape)  # negative: the batch is -1, hence the abs below, as in torchsummary
    trainable_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert trainable_params == total_params, (trainable_params, total_params)

    total_input_size = abs(np.prod(input_size) * -1 * 4. / (1024 ** 2.))
    total_output_size = abs(2. * total_output * 4. / (1024 ** 2.))
    total_params_size = abs(total_params * 4. / (1024 ** 2.))
    total_size = total_params_size + total_output_size + total_input_size

    lines.append("=" * 64)
    lines.append("Total params: {0:,}".format(total_params))
    lines.append("Trainable params: {0:,}".format(trainable_params))
    lines.append("Non-trainable params: {0:,}".format(total_params - trainable_params))
    lines.append("-" * 64)
    lines.append("Input size (MB): %0.2f" % total_input_size)
    lines.append("Forward/backward pass size (MB): %0.2f" % total_output_size)
    lines.append("Params size (MB): %0.2f" % total_params_size)
    lines.append("Estimated Total Size (MB): %0.2f" % total_size)
    lines.append("-" * 64)
    return "\n".join(lines)


MODELS = {cls.__name__: cls for cls in (Seed001Model1, Seed001Model2, Seed002Net, Seed004Net, DefaultNet, SmallNet)}

if __name__ == "__main__":
    torch.manual_seed(0)
    torch.set_num_threads(1)
    names = sys.argv[1:] or sorted(MODELS)
    print(json.dumps({name: summary_table(MODELS[name](), (1, 28, 28)) for name in names}))
