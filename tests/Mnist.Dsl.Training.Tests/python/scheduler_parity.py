"""Learning rates (and momenta) of a PyTorch learning-rate scheduler over a number of steps.

argv: in.safetensors out.safetensors "<optimizer expression of params>" "<scheduler expression of opt>" steps
The scheduler expression may be a list of schedulers chained on the same optimizer, stepped in order.
Inputs: metrics (float64, one per step; only ReduceLROnPlateau reads it).
Outputs: lr and momentum (float64): after construction, then after each step; the momentum is SGD's
momentum or Adam's beta1. If PyTorch raises, error (UTF-8 bytes of the message) and error_at (the step
that raised, -1 for the constructor), with the values up to that point.
"""
import sys

import torch
from torch.optim import lr_scheduler

import st

inputs = st.load(sys.argv[1])
steps = int(sys.argv[5])
metrics = inputs["metrics"].tolist() if "metrics" in inputs else None
params = [torch.nn.Parameter(torch.zeros(1))]
opt = eval(sys.argv[3], {"torch": torch, "params": params})


def momentum():
    group = opt.param_groups[0]
    return group["betas"][0] if "betas" in group else group["momentum"]


lrs, momenta = [], []
out = {}
step = -1
try:
    schedulers = eval(sys.argv[4], {"torch": torch, "lr_scheduler": lr_scheduler, "opt": opt})
    if not isinstance(schedulers, list):
        schedulers = [schedulers]
    lrs.append(opt.param_groups[0]["lr"])
    momenta.append(momentum())
    for step in range(steps):
        opt.step()  # no gradients: changes nothing, but keeps the scheduler from warning about the call order
        for scheduler in schedulers:
            if metrics is not None:
                scheduler.step(metrics[step])
            else:
                scheduler.step()
        lrs.append(opt.param_groups[0]["lr"])
        momenta.append(momentum())
except (ValueError, ZeroDivisionError) as e:
    out["error"] = torch.tensor(list(str(e).encode("utf-8")), dtype=torch.uint8)
    out["error_at"] = torch.tensor([step], dtype=torch.int64)
out["lr"] = torch.tensor(lrs, dtype=torch.float64)
out["momentum"] = torch.tensor(momenta, dtype=torch.float64)
st.save(out, sys.argv[2])
