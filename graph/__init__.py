"""dkg's library: text -> record -> triples -> store -> query. ``cli.py`` calls only what is exported here
and in the stage modules; nothing heavy is imported until it is used."""
from __future__ import annotations

from .errors import DkgError

__all__ = ["extract", "extract_text", "DkgError"]


def extract(path, source: str | None = None):
    """Read one file (.txt .md .pdf .docx) and return its `graph.records.Record`.

    Raises `graph.errors.InputError` when the file is not readable directive text.
    """
    from .readers import read_text

    return extract_text(read_text(path), source=source if source is not None else str(path))


def extract_text(text: str, source: str = "<text>"):
    """Parse a directive text (already decoded) into a `graph.records.Record`."""
    from .parse import parse

    return parse(text, source=source)
