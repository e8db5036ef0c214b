"""Interchange of safetensors files between Mnist.Dsl.Training (SafeTensors, SaveWeights) and PyTorch.

argv: in.safetensors out.safetensors mode ...
  check <file written by Mnist.Dsl.Training> <file to write>
      Validates <file> as the reference safetensors library does (header, dtypes, contiguous offsets that
      cover the data exactly), compares its tensors bit for bit with the reference values defined below
      (which the C# test builds independently), and writes the same reference values to <file to write>
      with st.save. Outputs: problems (UTF-8 text, one problem a line, empty when all is well), metadata
      (UTF-8 JSON of the file's __metadata__).
  model "<model expression>" <weights file>
      Loads the weights into the PyTorch model with load_state_dict(strict=True) and runs it, in eval
      mode, on input x. Outputs: y, and state.* (the model's state dict after loading).
"""
import json
import struct
import sys

import torch

import st

ITEM_SIZES = {"F32": 4, "F64": 8, "F16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}


def reference():
    """The values both sides build from these formulas (the C# test mirrors them)."""
    special = [0.0, -0.0, float("inf"), float("-inf"), float("nan"), 1e-45, 3.4028234663852886e38, -1.1754943508222875e-38]
    f32 = torch.tensor(special + [i * 0.37 - 7.5 for i in range(52)], dtype=torch.float32).reshape(3, 4, 5)
    i64 = torch.tensor([0, 1, -1, 2**40 + 3, -(2**62) - 5, 2**63 - 1, -(2**63), 123456789012345, -42, 7, 2**53 + 1, -(2**33)],
                       dtype=torch.int64).reshape(2, 6)
    u8 = torch.tensor([(i * 37 + 11) % 256 for i in range(256)], dtype=torch.uint8)
    scalar = torch.tensor(2.5, dtype=torch.float32)
    empty = torch.zeros(0, 3, dtype=torch.float32)
    return {"f32": f32, "i64": i64, "u8": u8, "scalar": scalar, "empty": empty}


def validate(path):
    """The checks of the reference implementation's loader (safetensors' Rust crate)."""
    problems = []
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        return [f"header length {n} exceeds the file"], {}
    raw_header = data[8:8 + n]
    if not raw_header.startswith(b"{"):
        problems.append("the header does not start with '{'")
    header = json.loads(raw_header.decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        problems.append(f"__metadata__ is not a map of strings: {metadata}")
    body = len(data) - 8 - n
    end = 0
    for name, entry in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        if set(entry) != {"dtype", "shape", "data_offsets"}:
            problems.append(f"{name}: unexpected fields {sorted(entry)}")
        begin, stop = entry["data_offsets"]
        if begin != end:
            problems.append(f"{name}: starts at {begin}, not at the previous end {end}")
        numel = 1
        for d in entry["shape"]:
            numel *= d
        if stop - begin != numel * ITEM_SIZES[entry["dtype"]]:
            problems.append(f"{name}: {stop - begin} bytes for {entry['dtype']} {entry['shape']}")
        end = stop
    if end != body:
        problems.append(f"the tensors cover {end} bytes of a {body}-byte data section")
    return problems, metadata


def same_bits(a, b):
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype == torch.float32:
        return torch.equal(a.view(torch.int32), b.view(torch.int32))
    return torch.equal(a, b)


def check(path, write_path):
    problems, metadata = validate(path)
    loaded = st.load(path)
    expected = reference()
    for name, want in expected.items():
        got = loaded.get(name)
        if got is None:
            problems.append(f"{name}: missing")
        elif not same_bits(want, got):
            problems.append(f"{name}: {got.dtype} {list(got.shape)} {got.flatten()[:8].tolist()} differs from {want.dtype} {list(want.shape)} {want.flatten()[:8].tolist()}")
    problems += [f"{name}: unexpected" for name in loaded if name not in expected]
    st.save(expected, write_path, metadata={"writer": "python/st.py", "format": "pt"})
    return {"problems": text("\n".join(problems)), "metadata": text(json.dumps(metadata, sort_keys=True, ensure_ascii=False))}


def model(expression, path, x):
    module = eval(expression, {"torch": torch, "nn": torch.nn})
    module.load_state_dict(st.load(path), strict=True)
    module.eval()
    with torch.no_grad():
        out = {"y": module(x)}
    out.update({"state." + k: v for k, v in module.state_dict().items()})
    return out


def text(s):
    return torch.tensor(list(s.encode("utf-8")), dtype=torch.uint8)


inputs = st.load(sys.argv[1])
if sys.argv[3] == "check":
    result = check(sys.argv[4], sys.argv[5])
else:
    result = model(sys.argv[4], sys.argv[5], inputs["x"])
st.save(result, sys.argv[2])
