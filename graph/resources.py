"""Where dkg finds its bundled data (``data/``) and ontology (``ontology/``)."""
from __future__ import annotations

import functools
import sys
from pathlib import Path


@functools.cache
def project_root() -> Path:
    """The folder holding ``data/`` and ``ontology/``: the source tree, or ``share/dkg`` of an install."""
    here = Path(__file__).resolve().parent.parent
    if (here / "data").is_dir() and (here / "ontology").is_dir():
        return here
    installed = Path(sys.prefix) / "share" / "dkg"
    if installed.is_dir():
        return installed
    return here


def data_path(*parts: str) -> Path:
    return project_root().joinpath("data", *parts)


def ontology_path(*parts: str) -> Path:
    return project_root().joinpath("ontology", *parts)
