"""The sample networks in PyTorch, by the trainer's command-line names (src/Samples/Mnist.Train/ModelCatalog.cs).

There is one PyTorch definition per network, in tests/Mnist.Dsl.Generator.Tests/python/seed_tables.py, where
SeedTablesMatchPyTorchTests checks it layer for layer against the DSL declaration; the benchmarks load that
file by path instead of keeping a second copy that could drift from it.
"""
import importlib.util
import os

_TABLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "Mnist.Dsl.Generator.Tests",
                       "python", "seed_tables.py")
_spec = importlib.util.spec_from_file_location("seed_tables", _TABLES)
seed_tables = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(seed_tables)

MODELS = {
    "default": seed_tables.DefaultNet,
    "small": seed_tables.SmallNet,
    "seed004": seed_tables.Seed004Net,
    "seed002": seed_tables.Seed002Net,
    "seed001-1": seed_tables.Seed001Model1,
    "seed001-2": seed_tables.Seed001Model2,
}


def create(name):
    """A new network by the trainer's name; an unknown name is an error that lists the known ones."""
    if name not in MODELS:
        raise SystemExit(f"unknown model '{name}'; known: {', '.join(MODELS)}")
    return MODELS[name]()
