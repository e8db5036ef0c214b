"""The sample networks run by PyTorch with the weights the .NET models hold, for SamplesMatchPyTorchTests.

argv: in.safetensors out.safetensors weights-folder
In:  "input" [N, 1, 28, 28] float32 and "labels" [N] int64, shared by every network, and for each network NAME
     the weights file weights-folder/NAME.safetensors that the .NET model wrote with SaveWeights (its state dict
     under the generated keys: conv1.weight, bn1.running_mean, ...).
Out: for each network NAME, named with the generated keys so the test compares like with like:
     NAME/logits            eval-mode output (log-probabilities) on the input
     NAME/output            train-mode output, every dropout at p = 0, BatchNorm on batch statistics
     NAME/loss              [1] nll_loss of that output for the labels
     NAME/grad/<key>        the gradient of every parameter after loss.backward()
     NAME/after/<key>       every buffer after that step (BatchNorm running_mean, running_var, num_batches_tracked)
     NAME/stepped_logits    eval-mode output after an SGD step (lr STEP_LR) on those gradients
     and the file weights-folder/NAME.pytorch.safetensors: the twin's state dict after that step, under the
     generated keys, for the .NET model to load with LoadWeights and compute NAME/stepped_logits from.

The PyTorch twins (sample_networks.py) name their modules as PyTorch code does (layers.0, blocks.3, fc), the
generated ones conv1, bn1, fc1: the two are paired module by module in forward order, and each pair must agree
on kind, state names and shapes. Anything that does not fit stops the run with a message naming it.
"""
import os
import re
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

import st
from sample_networks import MODELS

# What kind of PyTorch module each generated name prefix (conv1 -> conv) stands for.
KINDS = {"conv": (nn.Conv2d,), "bn": (nn.BatchNorm1d, nn.BatchNorm2d), "fc": (nn.Linear,)}


# Large enough to move every weight visibly, so that loading the stepped weights is not loading the old ones.
STEP_LR = 0.1


class MappingError(Exception):
    pass


def stateful_modules(model):
    """(name, module) of every module that holds parameters or buffers itself, in registration order."""
    return [(name, m) for name, m in model.named_modules()
            if any(True for _ in m.parameters(recurse=False)) or any(True for _ in m.buffers(recurse=False))]


def generated_modules(keys):
    """[(prefix, [leaf names])] of the generated keys, modules in order of first appearance: conv1.weight, conv1.bias
    -> (conv1, [weight, bias]). TorchSharp's state_dict lists every parameter and then every buffer (bn1.weight comes
    before conv2.weight, bn1.running_mean after fc1.bias), where PyTorch's goes module by module; a module's first
    key is a parameter in both, so first appearance is forward order for either."""
    modules = {}
    for key in keys:
        if "." not in key:
            raise MappingError("generated key %r has no module prefix" % key)
        prefix, leaf = key.rsplit(".", 1)
        modules.setdefault(prefix, []).append(leaf)
    return list(modules.items())


def map_keys(name, model, state):
    """{generated key: PyTorch key} for the whole state dict, checked pair by pair."""
    ours = stateful_modules(model)
    theirs = generated_modules(list(state))
    if len(ours) != len(theirs):
        raise MappingError("%s: the generated model has %d modules with state (%s) but the PyTorch twin has %d (%s)" % (
            name, len(theirs), ", ".join(p for p, _ in theirs), len(ours), ", ".join(n for n, _ in ours)))
    mapping = {}
    own_state = model.state_dict()
    for (prefix, leaves), (torch_name, module) in zip(theirs, ours):
        kind = re.sub(r"\d+$", "", prefix)
        if kind not in KINDS:
            raise MappingError("%s: generated module %s has a prefix (%s) this script does not know; add it to KINDS" % (name, prefix, kind))
        if not isinstance(module, KINDS[kind]):
            raise MappingError("%s: generated module %s pairs with %s, a %s, not a %s" % (
                name, prefix, torch_name, type(module).__name__, " or ".join(k.__name__ for k in KINDS[kind])))
        torch_leaves = [k for k in module.state_dict()]
        if sorted(leaves) != sorted(torch_leaves):
            raise MappingError("%s: generated module %s has %s but its twin %s has %s" % (
                name, prefix, leaves, torch_name, torch_leaves))
        for leaf in leaves:
            key, torch_key = prefix + "." + leaf, torch_name + "." + leaf
            given, expected = state[key], own_state[torch_key]
            if given.shape != expected.shape or given.dtype != expected.dtype:
                raise MappingError("%s: %s is %s %s but its twin %s is %s %s" % (
                    name, key, list(given.shape), given.dtype, torch_key, list(expected.shape), expected.dtype))
            mapping[key] = torch_key
    return mapping


def run(name, state, x, labels, folder):
    model = MODELS[name]()
    mapping = map_keys(name, model, state)
    # strict: any key of the twin the mapping did not fill is an error, too.
    model.load_state_dict({mapping[k]: v for k, v in state.items()}, strict=True)
    out = {}

    model.eval()
    with torch.no_grad():
        out[name + "/logits"] = model(x)

    model.train()
    dropouts = [m for m in model.modules() if isinstance(m, nn.Dropout)]
    for m in dropouts:
        m.p = 0.0
    output = model(x)
    loss = F.nll_loss(output, labels)
    loss.backward()
    out[name + "/output"] = output.detach()
    out[name + "/loss"] = loss.detach().reshape(1)

    reverse = {v: k for k, v in mapping.items()}
    for torch_key, p in model.named_parameters():
        if p.grad is None:
            raise MappingError("%s: parameter %s (%s) has no gradient after backward" % (name, reverse[torch_key], torch_key))
        out[name + "/grad/" + reverse[torch_key]] = p.grad
    for torch_key, b in model.named_buffers():
        out[name + "/after/" + reverse[torch_key]] = b.clone()

    torch.optim.SGD(model.parameters(), lr=STEP_LR).step()
    model.eval()
    with torch.no_grad():
        out[name + "/stepped_logits"] = model(x)
    st.save({key: model.state_dict()[torch_key] for key, torch_key in mapping.items()},
            os.path.join(folder, name + ".pytorch.safetensors"), {"format": "pt"})
    return out


def main(source, target, folder):
    torch.set_num_threads(1)
    tensors = st.load(source)
    x, labels = tensors.pop("input"), tensors.pop("labels")
    if tensors:
        raise MappingError("unexpected tensors in %s: %s (weights come in weights files)" % (source, ", ".join(sorted(tensors))))
    names = sorted(f[:-len(".safetensors")] for f in os.listdir(folder) if f.endswith(".safetensors"))
    unknown = sorted(set(names) - set(MODELS))
    if unknown:
        raise MappingError("no PyTorch twin in sample_networks.py for %s" % ", ".join(unknown))
    out = {}
    for name in names:
        out.update(run(name, st.load(os.path.join(folder, name + ".safetensors")), x, labels, folder))
    st.save(out, target)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
