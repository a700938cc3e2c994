"""The scripts of bench/ as modules for the tests (bench/ is a folder of scripts, not a package), and a generated
cascade ingested by the real pipeline."""
from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


@functools.cache
def load(name: str):
    """bench/<name>.py as a module (loaded once)."""
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


def generated_store(folder: Path, **generate_options):
    """Generate a cascade into ``folder/corpus`` with bench/generate_cascade.py, ingest it into ``folder/store``
    and return (corpus folder, its ground truth, the store opened read-only)."""
    from graph.load import ingest
    from graph.store import open_read_only

    gen = load("generate_cascade")
    out = folder / "corpus"
    gen.generate(out, **generate_options)
    report = ingest([out], folder / "store", folder / "records")
    assert not report.failures, report.failures[:5]
    return out, gen.load_ground_truth(out), open_read_only(folder / "store")
