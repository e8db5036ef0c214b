"""The torchsummary tables of the sample networks' PyTorch twins (python/sample_networks.py).

SeedTablesMatchPyTorchTests runs this with Debian's /usr/bin/python3 (python3-torch 1.13) from the test's
output folder, where sample_networks.py (kept once, in tests/python, and linked into the projects that use
it) sits next to it, and compares each table with the one Mnist.Dsl computes at compile time. The tables are
made the way torchsummary makes them (torchsummary itself is not installed here): a forward hook on every
leaf module, one row per call in forward order named ClassName-index, the output shape with the batch as -1,
the weight and bias element counts, the totals, and the four MB lines. Layers the DSL declares
Functional = true are plain function calls there, so, as in the seed notebooks, they have no rows.

Usage: python3 seed_tables.py NAME...   prints a JSON object {NAME: table}.
"""

import json
import sys

import numpy as np
import torch

from sample_networks import MODELS


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


if __name__ == "__main__":
    torch.manual_seed(0)
    torch.set_num_threads(1)
    names = sys.argv[1:] or sorted(MODELS)
    print(json.dumps({name: summary_table(MODELS[name](), (1, 28, 28)) for name in names}))
