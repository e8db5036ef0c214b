"""The orders of consecutive epochs as PyTorch draws them: one torch.randperm per epoch after manual_seed.

argv: in.safetensors out.safetensors seed n epochs
Output: epoch0, epoch1, ... (int64 [n]).
"""
import sys

import torch

import st

seed, n, epochs = (int(a) for a in sys.argv[3:6])
torch.manual_seed(seed)
st.save({f"epoch{e}": torch.randperm(n) for e in range(epochs)}, sys.argv[2])
