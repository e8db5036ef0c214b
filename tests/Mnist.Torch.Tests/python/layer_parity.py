"""Forward outputs, input and parameter gradients, and buffers of one layer, computed by PyTorch.

argv: in.safetensors out.safetensors "<python expression building the module>" train|eval seed
Inputs: x, g (gradient of the output), state.* (the module's state dict). The loss is sum(y * g).
"""
import sys

import torch

import st

inputs = st.load(sys.argv[1])
module = eval(sys.argv[3], {"torch": torch, "nn": torch.nn, "F": torch.nn.functional})
module.train(sys.argv[4] == "train")
state = {k[len("state."):]: v for k, v in inputs.items() if k.startswith("state.")}
if state:
    module.load_state_dict(state)
x = inputs["x"].clone().requires_grad_(inputs["x"].is_floating_point())
torch.manual_seed(int(sys.argv[5]))
y = module(x) if not isinstance(module, tuple) else module[0](x, *module[1:])
out = {"y": y.detach().clone()}
if y.requires_grad:
    (y * inputs["g"]).sum().backward()
    out["x.grad"] = x.grad
    for name, p in module.named_parameters():
        out["grad." + name] = p.grad
for name, b in module.named_buffers():
    out["buffer." + name] = b
st.save(out, sys.argv[2])
