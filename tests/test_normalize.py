"""Normalisation cases from tests/cases/normalize.yaml: tone placement, Ð, wraps inside codes and dates, markdown,
paragraph structure; and the offset map back to the source."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from graph.normalize import STEPS, fold_tone, match_key, normalize, strip_diacritics

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "normalize.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES["normalize"], ids=[c["id"] for c in CASES["normalize"]])
def test_normalize(case):
    assert normalize(case["text"]).text == case["expect"], case["text"]


@pytest.mark.parametrize("case", CASES["normalize"], ids=[c["id"] for c in CASES["normalize"]])
def test_offsets_point_back_to_the_source(case):
    n = normalize(case["text"])
    assert len(n.offsets) == len(n.text)
    for i, ch in enumerate(n.text):
        if ch.isalnum() and ch not in "ĐđÐð":
            src = n.source[n.offsets[i]]
            assert strip_diacritics(src).lower() == strip_diacritics(ch).lower() or not src.isalnum(), (case["text"], i)


@pytest.mark.parametrize("old,new", CASES["fold"])
def test_tone_placement_folds_to_one_form(old, new):
    assert fold_tone(old) == fold_tone(new)
    assert match_key(old) == match_key(new)


@pytest.mark.parametrize("word", CASES["fold_unchanged"])
def test_closed_syllables_keep_their_tone(word):
    assert fold_tone(word) == word


@pytest.mark.parametrize("text,expect", CASES["strip"])
def test_strip_diacritics(text, expect):
    assert strip_diacritics(text) == expect


def test_steps_are_a_named_registry():
    assert {"nfc", "eth", "markdown", "unwrap", "tone_marks"} <= set(STEPS)
    assert normalize("Ðảng\nuỷ", steps=["eth"]).text == "Đảng\nuỷ"
    with pytest.raises(ValueError, match="unknown normalisation step"):
        normalize("x", steps=["nope"])


def test_to_source_maps_a_code_back():
    source = "Nghị quyết số 12-\n\nNQ/TW của Bộ Chính trị"
    n = normalize(source)
    start = n.text.index("12-NQ/TW")
    s, e = n.to_source(start, start + len("12-NQ/TW"))
    assert source[s:e] == "12-\n\nNQ/TW"
