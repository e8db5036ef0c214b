"""Training steps of a small model with a PyTorch optimizer (and optionally a learning-rate scheduler).

argv: in.safetensors out.safetensors "<model expression>" "<optimizer expression of params>" "<scheduler expression of opt, or empty>"
Inputs: state.* (the model's initial state dict), x (steps x batch x ...), y (steps x batch, class indices).
Each step: zero_grad, cross-entropy loss of batch k, backward, optimizer step, scheduler step.
Outputs: loss (float64, per step), lr (float64, the rate each step used) and step{k}.{name} (every
parameter after step k).
"""
import sys

import torch
import torch.nn.functional as F

import st

inputs = st.load(sys.argv[1])
model = eval(sys.argv[3], {"torch": torch, "nn": torch.nn})
model.load_state_dict({k[len("state."):]: v for k, v in inputs.items() if k.startswith("state.")})
opt = eval(sys.argv[4], {"torch": torch, "params": model.parameters()})
scheduler = eval(sys.argv[5], {"torch": torch, "lr_scheduler": torch.optim.lr_scheduler, "opt": opt}) if sys.argv[5] else None

x, y = inputs["x"], inputs["y"]
losses, rates = [], []
out = {}
for k in range(x.shape[0]):
    opt.zero_grad()
    loss = F.cross_entropy(model(x[k]), y[k])
    loss.backward()
    rates.append(opt.param_groups[0]["lr"])
    opt.step()
    if scheduler is not None:
        scheduler.step()
    losses.append(loss.item())
    for name, p in model.named_parameters():
        out[f"step{k}.{name}"] = p.detach().clone()
out["loss"] = torch.tensor(losses, dtype=torch.float64)
out["lr"] = torch.tensor(rates, dtype=torch.float64)
st.save(out, sys.argv[2])
