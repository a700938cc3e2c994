"""Shared fixtures. The real texts are read from ../shared/ (never copied into the project)."""
from __future__ import annotations

from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "data" / "corpus"
SHARED = PROJECT.parent / "shared"
REAL = SHARED / "corpus" / "real"


@pytest.fixture(scope="session")
def project_dir() -> Path:
    return PROJECT


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not REAL.is_dir():
        pytest.skip("../shared/corpus/real is not beside the checkout")
    return REAL


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory, corpus_dir) -> Path:
    """A store holding the bundled corpus, ingested by the real pipeline; one per test module, so a module that
    checks the store is left unchanged never sees another module's doing."""
    from graph.load import ingest

    folder = tmp_path_factory.mktemp("corpus-store")
    report = ingest([corpus_dir], folder / "store", folder / "records", jobs=1)
    assert not report.failures, report.failures
    return folder / "store"
