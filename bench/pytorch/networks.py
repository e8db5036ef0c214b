"""The sample networks in PyTorch, by the trainer's command-line names (their [Network(Name = ...)]).

There is one PyTorch definition per network, in tests/python/sample_networks.py, where the tests check it
layer for layer and number for number against the DSL declaration; the benchmarks load that file by path
instead of keeping a second copy that could drift from it.
"""
import importlib.util
import os

_NETWORKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "python", "sample_networks.py")
_spec = importlib.util.spec_from_file_location("sample_networks", _NETWORKS)
sample_networks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sample_networks)

MODELS = sample_networks.BY_REGISTRY_NAME


def _stack(name):
    """A benchmark stack's twin (bench/pytorch/stacks.py), or None."""
    import stacks
    return stacks.create(name)


def create(name):
    """A new network by the trainer's name (or a benchmark stack's, bench/stacks); an unknown name is an error that lists the known ones.

    PYTORCH_LAYOUT=channels_last puts it in channels-last memory order (the .NET side's default, DOTNET_LAYOUT);
    unset or "contiguous" keeps PyTorch's default order, as the seeds' notebooks train.
    """
    model = MODELS[name]() if name in MODELS else _stack(name)
    if model is None:
        import stacks
        raise SystemExit(f"unknown model '{name}'; known: {', '.join(list(MODELS) + stacks.names())}")
    layout = os.environ.get("PYTORCH_LAYOUT") or "contiguous"
    if layout == "channels_last":
        import torch
        model = model.to(memory_format=torch.channels_last)
    elif layout != "contiguous":
        raise SystemExit(f"PYTORCH_LAYOUT={layout}: use channels_last or contiguous")
    return model
