"""PyTorch twins of the benchmark stacks (bench/stacks/random-stacks.json), built from the same description the engine
bench reads: each layer a torch.nn module (or a torch.nn.functional call when Functional), in-channels and in-features
taken from the tensor that arrives (as tests/Mnist.Dsl.Properties.Tests/RuntimeStack.cs builds them for the parity
tests). The DSL's conventions: a pool's Stride 0 is the kernel size, a Linear after a [C, 1, 1] map gets it flattened,
LogSoftmax is over dimension 1.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "stacks", "random-stacks.json")


def _description():
    with open(FILE) as f:
        return json.load(f)


def names():
    return [s["name"] for s in _description()["stacks"]]


def _module(layer, x):
    kind, arriving = layer["kind"], x.shape[1]
    stride = lambda: layer["Stride"] or None  # noqa: E731 (0: the kernel size)
    if kind == "Conv2d":
        return nn.Conv2d(layer["InChannels"] or arriving, layer["OutChannels"], layer["KernelSize"], layer["Stride"], layer["Padding"],
                         groups=layer.get("Groups", 1), bias=layer["Bias"])
    if kind == "BatchNorm2d":
        return nn.BatchNorm2d(arriving, eps=layer["Eps"], momentum=layer["Momentum"])
    if kind == "BatchNorm1d":
        return nn.BatchNorm1d(arriving, eps=layer["Eps"], momentum=layer["Momentum"])
    if kind == "Linear":
        return nn.Linear(layer["InFeatures"] or arriving, layer["OutFeatures"], bias=layer["Bias"])
    if layer["Functional"]:
        return {
            "ReLU": lambda t, training: F.relu(t),
            "LeakyReLU": lambda t, training: F.leaky_relu(t, layer["NegativeSlope"]),
            "Tanh": lambda t, training: torch.tanh(t),
            "Dropout": lambda t, training: F.dropout(t, layer["P"], training=training),
            "Dropout2d": lambda t, training: F.dropout2d(t, layer["P"], training=training),
            "MaxPool2d": lambda t, training: F.max_pool2d(t, layer["KernelSize"], stride()),
            "AvgPool2d": lambda t, training: F.avg_pool2d(t, layer["KernelSize"], stride()),
            "GlobalAvgPool2d": lambda t, training: F.adaptive_avg_pool2d(t, 1),
            "Flatten": lambda t, training: t.flatten(1),
            "LogSoftmax": lambda t, training: F.log_softmax(t, 1),
        }[kind]
    return {
        "ReLU": lambda: nn.ReLU(),
        "LeakyReLU": lambda: nn.LeakyReLU(layer["NegativeSlope"]),
        "Tanh": lambda: nn.Tanh(),
        "Dropout": lambda: nn.Dropout(layer["P"]),
        "Dropout2d": lambda: nn.Dropout2d(layer["P"]),
        "MaxPool2d": lambda: nn.MaxPool2d(layer["KernelSize"], stride()),
        "AvgPool2d": lambda: nn.AvgPool2d(layer["KernelSize"], stride()),
        "GlobalAvgPool2d": lambda: nn.AdaptiveAvgPool2d(1),
        "Flatten": lambda: nn.Flatten(),
        "LogSoftmax": lambda: nn.LogSoftmax(1),
    }[kind]()


class Stack(nn.Module):
    """One stack; ends_in_log_softmax says which loss the engine uses (NLL on it, else cross-entropy on logits)."""

    def __init__(self, layers, input_shape):
        super().__init__()
        self.steps = []
        self.modules_ = nn.ModuleList()
        x = torch.zeros(2, *input_shape)
        with torch.no_grad():
            for layer in layers:
                flatten = layer["kind"] == "Linear" and x.dim() == 4
                if flatten:
                    x = x.flatten(1)
                step = _module(layer, x)
                if isinstance(step, nn.Module):
                    self.modules_.append(step)
                    step.eval()
                self.steps.append((flatten, step))
                x = step(x) if isinstance(step, nn.Module) else step(x, False)
        self.ends_in_log_softmax = layers[-1]["kind"] == "LogSoftmax"

    def forward(self, x):
        for flatten, step in self.steps:
            if flatten and x.dim() == 4:
                x = x.flatten(1)
            x = step(x) if isinstance(step, nn.Module) else step(x, self.training)
        return x.flatten(1) if x.dim() == 4 else x


def create(name):
    description = _description()
    for stack in description["stacks"]:
        if stack["name"] == name:
            return Stack(stack["layers"], description["input"])
    return None
