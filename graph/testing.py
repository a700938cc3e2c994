"""Factories and helpers for table-driven tests of the parser (as eyecite's ``test_factories``).

Expected facts are written as partial dictionaries: only the keys given are checked, so a test row says exactly
what it is about. ``reference(code="18/QĐ-TTg", relation="implements")`` builds such a row.
"""
from __future__ import annotations

from typing import Any

from .normalize import match_key
from .records import Record

__all__ = ["reference", "task", "document", "organisation", "differences", "find_reference", "names_match"]


def _row(**facts: Any) -> dict:
    return {k: v for k, v in facts.items() if v is not ...}


def reference(code: str, **facts: Any) -> dict:
    """An expected reference: ``reference("12-NQ/TW", type="Nghị quyết", relation="implements")``."""
    return _row(code=code, **facts)


def task(label: str, **facts: Any) -> dict:
    return _row(label=label, **facts)


def document(**facts: Any) -> dict:
    return _row(**facts)


def organisation(name: str, level: str | None = ...) -> dict:  # type: ignore[assignment]
    return _row(name=name, level=level)


def names_match(a: str, b: str) -> bool:
    """Names equal once case, diacritics, tone placement and punctuation are ignored."""
    return match_key(a) == match_key(b)


def differences(actual: Any, expected: Any, path: str = "") -> list[str]:
    """Where ``actual`` departs from the partial ``expected`` (dict keys not given are not checked; lists of
    dicts must contain a matching item for each expected item, in any order)."""
    out: list[str] = []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected a mapping, got {actual!r}"]
        for k, v in expected.items():
            out += differences(actual.get(k), v, f"{path}.{k}" if path else k)
    elif isinstance(expected, list) and expected and isinstance(expected[0], dict):
        if not isinstance(actual, list):
            return [f"{path}: expected a list, got {actual!r}"]
        for i, item in enumerate(expected):
            if not any(not differences(a, item) for a in actual):
                out.append(f"{path}[{i}]: no item matches {item!r} in {actual!r}")
    elif actual != expected:
        out.append(f"{path}: expected {expected!r}, got {actual!r}")
    return out


def find_reference(record: Record, code: str):
    return next((r for r in record.references if r.code == code), None)
