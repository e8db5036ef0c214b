"""A loss and its gradient with respect to the input, computed by PyTorch.

argv: in.safetensors out.safetensors "<python expression of x and t>"
Inputs: x (the loss input), t (the target), and optionally w (class weights).
"""
import sys

import torch

import st

inputs = st.load(sys.argv[1])
x = inputs["x"].clone().requires_grad_()
scope = {"torch": torch, "F": torch.nn.functional, "x": x, "t": inputs["t"], "w": inputs.get("w")}
loss = eval(sys.argv[3], scope)
loss.backward()
st.save({"loss": loss.detach().reshape(-1), "x.grad": x.grad}, sys.argv[2])
