"""The record YAML writer (graph/yaml_writer.py) writes what PyYAML's libyaml emitter writes, byte for byte, or
leaves the record to PyYAML; records written by ingest stay what they were (their checksums, people's diffs)."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from bench_scripts import load
from graph import extract
from graph.records import yaml_text
from graph.yaml_writer import block_yaml

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"


def pyyaml(data, width=None) -> str:
    return yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, width=width)


def placed(value) -> dict:
    """``value`` in every place a record puts a scalar: a key's value at three depths, a list item, a list item's
    key, after long and short keys."""
    return {"k": value, "a_long_key_name": value, "list": [value, {"a": value, "bb": [value]}],
            "m": {"x": value, "deeper": {"y": value}}, "tail": [1, True, False, None, {}, []]}


LONG = ("Kế hoạch triển khai thực hiện Nghị quyết số 12-NQ/TW của Bộ Chính trị về đẩy mạnh xây dựng lực lượng Công "
        "an nhân dân thật sự trong sạch, vững mạnh, chính quy, tinh nhuệ, hiện đại")

WRITTEN = [  # (scalar, why it is worth checking): the writer writes these itself
    ("Ban Thường vụ Tỉnh ủy", "plain Vietnamese"),
    ("12", "reads back as a number: quoted"),
    ("2022-03-16", "reads back as a date: quoted"),
    ("true", "reads back as a boolean: quoted"),
    ("null", "reads back as null: quoted"),
    ("~", "reads back as null: quoted"),
    ("", "empty: quoted"),
    ("1.5", "a float"),
    ("0x1F", "a hexadecimal number"),
    ("12-NQ/TW", "a document code, plain"),
    ("- Nắm chắc tình hình", "a bullet: a leading '- ' is an indicator"),
    ("-5 độ", "a leading '-' not followed by a space is not"),
    ("như sau:", "a final ':'"),
    ("Điều 1: phạm vi", "': ' inside"),
    ("http://x.vn/a", "':' not followed by a space"),
    ("số #3 và # 4", "' #' is a comment"),
    ("số#3", "'#' inside a word is not"),
    ("? hỏi", "a leading '? '"),
    ("--- ba gạch", "a document marker"),
    ("... ba chấm", "a document end marker"),
    (" đầu", "a leading space"),
    ("cuối ", "a trailing space"),
    ("[1]", "a flow indicator first"),
    ("a [1] {2}", "flow indicators inside are fine in block style"),
    ("'trích'", "quotes: doubled, single-quoted"),
    ("Đảng ủy xã Nghi Phước's", "a quote inside"),
    ("dòng một\ndòng hai", "a line break: single-quoted, the break doubled"),
    ("a\n\n\nb", "a run of breaks"),
    ("\nđầu dòng", "a leading break"),
    ("cuối dòng\n", "a trailing break"),
    ("'a'\nb 'c'", "quotes and breaks"),
    ("Hai  dấu cách", "two spaces"),
    ("\u00a0khoảng trắng cứng", "a no-break space first (printable, not a space)"),
    (LONG, "folded past the width"),
    (LONG + ":", "folded, single-quoted"),
    (LONG.replace(" ", "  ", 3), "folded where single spaces are"),
    ("'" + LONG.replace("Bộ", "Bộ'") + "'", "folded with quotes taking two columns"),
    (LONG.replace(", ", ",\n"), "folded between breaks"),
    ("x" * 200, "too long to fold, no space"),
]

LEFT_TO_PYYAML = [
    ("a\tb", "a tab: double-quoted"),
    ("a \nb", "a space before a break: double-quoted"),
    ("a\n b", "a space after a break: double-quoted"),
    ("a\rb", "a carriage return"),
    ("a\x85b", "a next-line character"),
    ("a\u2028b", "a line separator"),
    ("\ufeffBOM", "a byte-order mark"),
    ("😀 emoji", "outside the Basic Multilingual Plane"),
    ("a\x00b", "a control character"),
]


@pytest.mark.parametrize("width", [20, 80, 120])
@pytest.mark.parametrize("value,why", WRITTEN, ids=[w for _v, w in WRITTEN])
def test_a_scalar_is_written_as_libyaml_writes_it(value, why, width):
    data = placed(value)
    assert block_yaml(data, width) == pyyaml(data, width)


@pytest.mark.parametrize("value,why", LEFT_TO_PYYAML, ids=[w for _v, w in LEFT_TO_PYYAML])
def test_what_the_writer_leaves_to_pyyaml_is_still_written_as_pyyaml_writes_it(value, why):
    data = placed(value)
    assert block_yaml(data, 120) is None
    assert yaml_text(data, width=120) == pyyaml(data, 120)
    assert yaml.safe_load(yaml_text(data, width=120)) == data


@pytest.mark.parametrize("data", [
    {"key with: colon": 1}, {"true": 1}, {"12": "a"}, {"k" * 130: 1}, {"khóa": 1}, {1: "a"}, {"l": [[1, 2]]},
    {"l": [("t", 1)]}, {"f": 1.5}, {"": 1},
], ids=["colon key", "boolean key", "number key", "long key", "non-ASCII key", "int key", "list in list",
        "tuple in list", "float", "empty key"])
def test_keys_and_values_it_does_not_know_are_left_to_pyyaml(data):
    assert block_yaml(data, 120) is None


@pytest.mark.parametrize("data", [{}, {"a": {}}, {"a": []}, {"a": [{}]}, {"a": [[]]}, {"a": {"b": {"c": [1]}}}],
                         ids=["empty", "empty mapping", "empty list", "empty mapping in list",
                              "empty list in list", "nested"])
def test_shapes(data):
    assert block_yaml(data, 80) == pyyaml(data, 80)


def test_generated_scalars():
    # characters chosen for what they do in YAML; half of them short, half long enough to fold
    rng = random.Random(7)
    alphabet = list("\n\n'   abệĐ:#-?1.x,~[") + ["\u00a0", "\u3000", "hoạch ", "cd "]
    written = 0
    for _ in range(4000):
        n = rng.randint(0, 10) if rng.random() < 0.5 else rng.randint(20, 150)
        value = "".join(rng.choice(alphabet) for _ in range(n))
        width = rng.choice([20, 40, 80, 120])
        data = placed(value)
        got = block_yaml(data, width)
        if got is not None:
            written += 1
            assert got == pyyaml(data, width), (value, width)
    assert written > 1500  # most are the writer's own, not left to PyYAML


def test_the_records_of_real_and_generated_texts(real_dir, corpus_dir, tmp_path):
    texts = sorted(real_dir.rglob("*.txt")) + sorted(corpus_dir.rglob("*.txt"))
    load("generate_cascade").generate(tmp_path / "cascade", era="pre2025",
                                      provinces=["Bắc Ninh", "Cà Mau", "Thái Bình"], districts_per_province=(2, 3),
                                      communes_per_district=(3, 4), roots=1, seed=3, wrap_fraction=0.3,
                                      ubnd_fraction=0.5, letter_fraction=0.3)
    texts += sorted((tmp_path / "cascade").rglob("*.txt"))
    assert len(texts) > 30
    for text in texts:
        data = extract(text, source=str(text)).to_dict()
        assert block_yaml(data, 120) == pyyaml(data, 120), text
