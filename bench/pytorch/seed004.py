"""Seed 004's network in PyTorch, layer for layer as src/Samples/Mnist.Models/Seed004Net.cs."""
import torch.nn as nn


def seed004():
    def block(cin, cout, k, pad=0, momentum=0.1):
        return [nn.Conv2d(cin, cout, k, padding=pad, bias=False), nn.ReLU(), nn.BatchNorm2d(cout, momentum=momentum), nn.Dropout(0.1)]

    layers = nn.Sequential(
        *block(1, 12, 3), *block(12, 24, 3),
        nn.Conv2d(24, 12, 1, bias=False), nn.MaxPool2d(2),
        *block(12, 20, 3, momentum=0.2), *block(20, 32, 3, pad=1, momentum=0.2),
        nn.Conv2d(32, 16, 1, bias=False), nn.MaxPool2d(2),
        *block(16, 16, 3, pad=1, momentum=0.2), *block(16, 32, 3, pad=1, momentum=0.2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10), nn.LogSoftmax(dim=1))

    class Seed004Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = layers

        def forward(self, x):
            return self.layers(x)

    return Seed004Net()
