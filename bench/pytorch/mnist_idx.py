"""MNIST from the IDX files the .NET trainer reads, with numpy only (torchvision may not be installed).

Images come out as Mnist.Dsl.Training.Data.MnistDataset makes them (torchvision's ToTensor() then
Normalize((0.1307,), (0.3081,))): float32 [N, 1, 28, 28] computed as (byte / 255 - mean) / std; labels int64 [N].
"""
import gzip
import os

import numpy as np
import torch

MEAN, STD = 0.1307, 0.3081


def default_folder():
    """$MNIST_DIR when set, else ~/.cache/mnist-dsl/mnist, where ./build.sh fetch-data puts the files."""
    return os.environ.get("MNIST_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "mnist-dsl", "mnist")


def _read(folder, name):
    for candidate in (os.path.join(folder, name), os.path.join(folder, "MNIST", "raw", name)):
        for path, opener in ((candidate, open), (candidate + ".gz", gzip.open)):
            if os.path.isfile(path):
                with opener(path, "rb") as f:
                    data = f.read()
                magic, dims = int.from_bytes(data[0:4], "big"), data[3]
                if magic >> 8 != 0x08:
                    raise SystemExit(f"{path} is not an IDX file of unsigned bytes (magic {magic:#010x})")
                shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
                return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    raise SystemExit(f"{name} (raw or .gz) not found in {folder}: run ./build.sh fetch-data or set MNIST_DIR")


def load(folder, train, limit=0):
    """(images, labels) of the training or test set; the first `limit` samples when limit > 0."""
    prefix = "train" if train else "t10k"
    images = _read(folder, f"{prefix}-images-idx3-ubyte")
    labels = _read(folder, f"{prefix}-labels-idx1-ubyte")
    if limit > 0:
        images, labels = images[:limit], labels[:limit]
    x = torch.from_numpy(images.astype(np.float32)).div_(255).sub_(MEAN).div_(STD).unsqueeze(1)
    return x.contiguous(), torch.from_numpy(labels.astype(np.int64))
