"""The state dict of a module freshly built after torch.manual_seed(seed): PyTorch's default initialisation.

argv: in.safetensors (unused) out.safetensors "<python expression building the module>" seed
"""
import sys

import torch

import st

torch.manual_seed(int(sys.argv[4]))
module = eval(sys.argv[3], {"torch": torch, "nn": torch.nn})
st.save({k: v.detach().clone() for k, v in module.state_dict().items()}, sys.argv[2])
