"""Accuracy on the six real texts with gold annotations (../shared/corpus/real/), through bench/evaluate.py:
numbered-reference F1 >= 0.9 and assignee F1 >= 0.8, overall and shown per file on failure."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "evaluate.py"


@pytest.fixture(scope="module")
def scores(real_dir):
    spec = importlib.util.spec_from_file_location("dkg_evaluate", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    per_file, total = module.evaluate(real_dir / "raw", real_dir / "gold")
    return module, per_file, total


def test_numbered_reference_f1(scores):
    module, per_file, total = scores
    assert total.refs.f1 >= 0.9, "\n".join(module._line(s) for s in [*per_file, total])


def test_assignee_f1(scores):
    module, per_file, total = scores
    assert total.assignees.f1 >= 0.8, "\n".join(module._line(s) for s in [*per_file, total])


def test_every_gold_file_was_scored(scores, real_dir):
    _, per_file, _ = scores
    assert len(per_file) == len(list((real_dir / "gold").glob("*.yaml"))) > 0


@pytest.mark.parametrize("a,b,same", [
    ("Đảng uỷ Chính phủ", "Đảng ủy Chính phủ", True),
    ("Các tỉnh ủy, thành ủy", "Các tỉnh ủy, thành ủy, đảng ủy trực thuộc Trung ương", True),
    ("Sở", "Sở Tư pháp", False),
    ("Sở Tư pháp", "Sở Nội vụ", False),
])
def test_name_matching_rule(scores, a, b, same):
    module, _, _ = scores
    assert module.names_match(a, b) is same
