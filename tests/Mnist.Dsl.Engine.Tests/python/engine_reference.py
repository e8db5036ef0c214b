"""PyTorch's answers for the engine's tests: every case of a JSON request, one process (importing torch dominates).

usage: engine_reference.py <request.json> <response.json>
A case is {"kind": ..., inputs as flat float lists with their shapes}; the answer is flat float lists again.
"""
import json
import copy
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


def t(case, name, shape_key=None):
    return torch.tensor(case[name], dtype=torch.float32).reshape(case[shape_key or name + "_shape"])


def flat(x):
    return x.detach().reshape(-1).tolist()


def conv(c):
    x = t(c, "x").requires_grad_()
    w = t(c, "w").requires_grad_()
    b = t(c, "b").requires_grad_() if c["bias"] else None
    y = F.conv2d(x, w, b, stride=c["stride"], padding=c["padding"], groups=c.get("groups", 1))
    y.backward(t(c, "dy", "y_shape"))
    r = {"y": flat(y), "dx": flat(x.grad), "dw": flat(w.grad)}
    if b is not None:
        r["db"] = flat(b.grad)
    return r


def batchnorm(c):
    x = t(c, "x").requires_grad_()
    n = x.shape[1]
    m = (nn.BatchNorm2d if x.dim() == 4 else nn.BatchNorm1d)(n, momentum=c["momentum"])
    with torch.no_grad():
        m.weight.copy_(torch.tensor(c["gamma"]))
        m.bias.copy_(torch.tensor(c["beta"]))
        m.running_mean.copy_(torch.tensor(c["running_mean"]))
        m.running_var.copy_(torch.tensor(c["running_var"]))
        m.num_batches_tracked.fill_(c["tracked"])
    m.train()
    y = m(x)
    y.backward(t(c, "dy", "x_shape"))
    m.eval()
    with torch.no_grad():
        e = m(x)
    return {"y": flat(y), "dx": flat(x.grad), "dgamma": flat(m.weight.grad), "dbeta": flat(m.bias.grad),
            "running_mean": flat(m.running_mean), "running_var": flat(m.running_var),
            "tracked": [float(m.num_batches_tracked.item())], "eval": flat(e)}


def pool(c):
    x = t(c, "x").requires_grad_()
    if c["op"] == "max":
        y = F.max_pool2d(x, c["kernel"], c["stride"])
    elif c["op"] == "avg":
        y = F.avg_pool2d(x, c["kernel"], c["stride"])
    else:
        y = F.adaptive_avg_pool2d(x, 1)
    y.backward(t(c, "dy", "y_shape"))
    return {"y": flat(y), "dx": flat(x.grad)}


def linear(c):
    x = t(c, "x").requires_grad_()
    w = t(c, "w").requires_grad_()
    b = t(c, "b").requires_grad_() if c["bias"] else None
    y = F.linear(x, w, b)
    y.backward(t(c, "dy", "y_shape"))
    r = {"y": flat(y), "dx": flat(x.grad), "dw": flat(w.grad)}
    if b is not None:
        r["db"] = flat(b.grad)
    return r


def relu(c):
    x = t(c, "x").requires_grad_()
    y = F.relu(x)
    y.backward(t(c, "dy", "x_shape"))
    return {"y": flat(y), "dx": flat(x.grad)}


def leaky_relu(c):
    x = t(c, "x").requires_grad_()
    y = F.leaky_relu(x, c["slope"])
    y.backward(t(c, "dy", "x_shape"))
    return {"y": flat(y), "dx": flat(x.grad)}


def tanh(c):
    x = t(c, "x").requires_grad_()
    y = torch.tanh(x)
    y.backward(t(c, "dy", "x_shape"))
    return {"y": flat(y), "dx": flat(x.grad)}


def loss(c):
    x = t(c, "x").requires_grad_()
    labels = torch.tensor(c["labels"], dtype=torch.long)
    if c["op"] == "cross_entropy":
        out = F.cross_entropy(x, labels)
        r = {}
    else:
        logp = F.log_softmax(x, dim=1)
        logp.retain_grad()
        out = F.nll_loss(logp, labels)
        r = {"logp": flat(logp)}
    out.backward()
    r.update({"loss": [out.item()], "dx": flat(x.grad)})
    if "logp" in r:
        r["dlogp"] = flat(logp.grad)
    return r


def optimizer(c):
    p = torch.tensor(c["p"], requires_grad=True)
    target = torch.tensor(c["target"])
    scale = torch.tensor(c["scale"])
    if c["op"] == "sgd":
        opt = torch.optim.SGD([p], lr=c["lr"], momentum=c["momentum"], nesterov=c["nesterov"], weight_decay=c["wd"])
    else:
        opt = torch.optim.Adam([p], lr=c["lr"], betas=(c["beta1"], c["beta2"]), eps=c["eps"], weight_decay=c["wd"])
    trajectory = []
    for _ in range(c["steps"]):
        opt.zero_grad()
        (scale * (p - target) ** 2).sum().backward()
        opt.step()
        trajectory += flat(p)
    return {"trajectory": trajectory}


def schedule(c):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=c["lr"], momentum=0.9)
    op = c["op"]
    if op == "step":
        s = torch.optim.lr_scheduler.StepLR(opt, step_size=c["step_size"], gamma=c["gamma"])
    elif op == "onecycle":
        s = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=c["lr"], total_steps=c["total"], pct_start=c.get("pct_start", 0.3))
    else:
        s = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=c["factor"], patience=c["patience"],
                                                       threshold=1e-4)
    lrs, momenta = [], []
    for i in range(c["steps"]):
        lrs.append(opt.param_groups[0]["lr"])
        momenta.append(opt.param_groups[0]["momentum"])
        opt.step()
        s.step(c["metrics"][i]) if op == "plateau" else s.step()
    return {"lr": lrs, "momentum": momenta}


def generated_to_torch(network, model, keys):
    """{generated key: twin's key}: the generated modules (conv1, bn1, fc1: prefixes in order of first appearance) paired
    in forward order with the twin's modules that hold state, kind and leaves checked pair by pair."""
    prefixes = []
    for key in keys:
        prefix = key.rsplit(".", 1)[0]
        if prefix not in prefixes:
            prefixes.append(prefix)
    ours = [(name, m) for name, m in model.named_modules()
            if any(True for _ in m.parameters(recurse=False)) or any(True for _ in m.buffers(recurse=False))]
    if len(ours) != len(prefixes):
        raise ValueError("%s: the trainer has modules %s, the twin %s" % (network, prefixes, [n for n, _ in ours]))
    kinds = {"conv": nn.Conv2d, "bn": (nn.BatchNorm1d, nn.BatchNorm2d), "fc": nn.Linear}
    mapping = {}
    for prefix, (name, module) in zip(prefixes, ours):
        kind = prefix.rstrip("0123456789")
        if not isinstance(module, kinds[kind]):
            raise ValueError("%s: %s pairs with the twin's %s, a %s" % (network, prefix, name, type(module).__name__))
        for key in keys:
            if key.rsplit(".", 1)[0] == prefix:
                mapping[key] = name + "." + key.rsplit(".", 1)[1]
    return mapping


def sample_net(c):
    """A sample network's twin from the trainer's state (generated keys), dropout at p = 0, c["steps"] optimizer steps:
    loss, log-probabilities and gradients of the first, the state after the last, the evaluation output."""
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    import sample_networks
    torch.manual_seed(0)
    network = c["network"]
    model = sample_networks.BY_REGISTRY_NAME[network]()
    mapping = generated_to_torch(network, model, c["keys"])
    own = model.state_dict()
    with torch.no_grad():
        for key, torch_key in mapping.items():
            own[torch_key].copy_(torch.tensor(c["state"][key]).reshape(own[torch_key].shape))
        for name, buffer in model.named_buffers():
            if name.endswith("num_batches_tracked"):
                buffer.fill_(c["tracked"])
    for module in model.modules():
        if isinstance(module, (nn.Dropout, nn.Dropout2d)):
            module.p = 0.0
    model.train()
    if c["optimizer"] == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
    elif c["optimizer"] == "nesterov":
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    x = t(c, "x")
    labels = torch.tensor(c["labels"], dtype=torch.long)
    reverse = {v: k for k, v in mapping.items()}
    r = {}
    if c["optimizer"] == "adam":
        # Adam turns last-bit differences into moves of ~lr, so its check uses the exact answer too: the same two
        # steps in float64 (gradients of both, as float32).
        exact = copy.deepcopy(model).double()
        exact_opt = torch.optim.Adam(exact.parameters(), lr=0.01)
        for step in range(2):
            exact_opt.zero_grad()
            F.nll_loss(exact(x.double()), labels).backward()
            for name, p in exact.named_parameters():
                r[("grad64:" if step == 0 else "grad2_64:") + reverse[name]] = flat(p.grad.float())
            exact_opt.step()
    for step in range(c["steps"]):
        opt.zero_grad()
        out = model(x)
        loss = F.nll_loss(out, labels)
        loss.backward()
        if step == 0:
            r["logp"] = flat(out)
            r["loss"] = [loss.item()]
            for name, p in model.named_parameters():
                r["grad:" + reverse[name]] = flat(p.grad)
        if step == 1:
            for name, p in model.named_parameters():
                r["grad2:" + reverse[name]] = flat(p.grad)
        opt.step()
    for name, value in model.state_dict().items():
        if name.endswith("num_batches_tracked"):
            r["tracked"] = [float(value.item())]
        else:
            r["state:" + reverse[name]] = flat(value.float())
    model.eval()
    with torch.no_grad():
        r["eval"] = flat(model(x))
    return r


HANDLERS = {"conv": conv, "batchnorm": batchnorm, "pool": pool, "linear": linear, "relu": relu, "leaky_relu": leaky_relu, "tanh": tanh, "loss": loss,
            "optimizer": optimizer, "schedule": schedule, "sample_net": sample_net}


def main():
    torch.set_num_threads(1)
    request = json.load(open(sys.argv[1]))
    response = {name: HANDLERS[case["kind"]](case) for name, case in request.items()}
    json.dump(response, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
