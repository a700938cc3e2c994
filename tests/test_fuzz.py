"""Fuzzing the parser (short run; bench/fuzz_parser.py runs 10,000 cases): mutated real texts and texts made of
directive fragments either give a record that keeps the contract or raise a one-line DkgError, nothing else.

The mutators, the record checks and the seeds are bench/fuzz_parser.py's, so the test and the benchmark judge a
case the same way. Hypothesis runs derandomised: the same examples on every run and machine.
"""
from __future__ import annotations

import json
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench_scripts import load

from graph import extract_text
from graph.parse.references import MAX_EVIDENCE_CHARS, MAX_MENTIONS
from graph.records import to_json

HANG_SECONDS = 30.0  # a guard against a hang (catastrophic backtracking), not a speed target: bench/ measures speed
MAX_CHARS = 20_000   # keeps the short run short; the benchmark goes to 400,000


fp = load("fuzz_parser")
SEEDS = fp.seed_texts()
FUZZ = settings(derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _problems(text: str) -> list[str]:
    return fp.parse_case(text, hard_limit=HANG_SECONDS)[0]


@settings(FUZZ, max_examples=150)
@given(seed=st.integers(0, len(SEEDS) - 1), mutations=st.lists(st.sampled_from(sorted(fp.MUTATORS)), min_size=1,
                                                                 max_size=4),
       rng_seed=st.integers(0, 2**32))
def test_mutated_real_texts_give_sound_records_or_dkg_errors(seed, mutations, rng_seed):
    rng = random.Random(rng_seed)
    text = SEEDS[seed]
    for name in mutations:
        text = fp.MUTATORS[name](rng, text)[:MAX_CHARS]
    assert _problems(text) == [], f"{'+'.join(mutations)} (rng {rng_seed}) on seed {seed}"


PIECE = st.one_of(st.sampled_from(fp.FRAGMENTS), st.sampled_from(["\n", " ", ", ", "\n\n", "\r\n"]),
                  st.text(max_size=12), st.text(alphabet="0123456789-/.()IVXabđĐNQTWCVKH ", max_size=12))


@settings(FUZZ, max_examples=300)
@given(pieces=st.lists(PIECE, max_size=120))
def test_texts_made_of_directive_fragments_give_sound_records_or_dkg_errors(pieces):
    text = "".join(pieces)
    assert _problems(text) == [], repr(text[:300])


@settings(FUZZ, max_examples=60)
@given(text=st.text(max_size=3000))
def test_arbitrary_unicode_gives_a_sound_record_or_a_dkg_error(text):
    assert _problems(text) == [], repr(text[:300])


# ---- what the fuzzer found, kept as rows ------------------------------------------------------------------------

_CITE = "thực hiện Nghị quyết số {n}-NQ/TW ngày 16/3/2022 của Bộ Chính trị và "


def _one_unpunctuated_line(codes: int, distinct: int = 40) -> str:
    """A converted PDF without full stops: one 'sentence' of tens of KB naming many documents."""
    head = "TỈNH ỦY BẮC NINH\nSố 5-KH/TU\nKẾ HOẠCH\n"
    return head + "".join(_CITE.format(n=10 + i % distinct) for i in range(codes))


def _same_code_twice_in_a_sentence() -> str:
    return ("TỈNH ỦY BẮC NINH\nSố 5-KH/TU\nKẾ HOẠCH\n"
            "Thực hiện Nghị quyết số 12-NQ/TW ngày 16/3/2022 của Bộ Chính trị, quán triệt Nghị quyết số 12-NQ/TW "
            "đến cán bộ, đảng viên.\n")


def _task_ending_in_a_control_space() -> str:
    return ("TỈNH ỦY BẮC NINH\nSố 5-KH/TU\nKẾ HOẠCH\nthực hiện Nghị quyết số 12-NQ/TW\n"
            "1. Sở Tư pháp chủ trì thực hiện nhiệm vụ tuyên truyền.\x1f\n"
            "2. Công an tỉnh bảo đảm an ninh, trật tự.\x0b\u2028\n")


# fmt: off
FOUND = [  # (id, text builder, check on the record, what went wrong before the fix)
    ("evidence-window", lambda: _one_unpunctuated_line(400),
     lambda rec, text: (max(len(m.evidence) for r in rec.references for m in r.mentions) <= MAX_EVIDENCE_CHARS
                        and max(len(n.evidence) for n in rec.nested_relations) <= MAX_EVIDENCE_CHARS
                        and len(to_json(rec)) < 20 * len(text)),
     "a 34 KB line with 355 mentions made a 9.8 MB record (a whole-line sentence per mention); YAML took 6 s"),
    ("mentions-capped", lambda: _one_unpunctuated_line(600, distinct=5),
     lambda rec, text: max(len(r.mentions) for r in rec.references) == MAX_MENTIONS,
     "every mention of a document kept its own evidence, without bound"),
    ("one-mention-per-sentence", _same_code_twice_in_a_sentence,
     lambda rec, text: [len(r.mentions) for r in rec.references if r.code == "12-NQ/TW"] == [1],
     "a document named twice in one sentence had the same evidence twice"),
    ("task-span-after-strip", _task_ending_in_a_control_space,
     lambda rec, text: [t.text[-1] for t in rec.tasks] == [".", "."],
     "str.strip() took \\x1f, \\v, \\u2028 off a task's text but not off its span: text[start:end] != text"),
]
# fmt: on


@pytest.mark.parametrize("name, build, check, before", FOUND, ids=[f[0] for f in FOUND])
def test_found_by_fuzzing(name, build, check, before):
    text = build()
    assert _problems(text) == []
    record = extract_text(text, source="fuzz.txt")
    assert record.references, "the cited documents are still found"
    assert check(record, text), before
    for ref in record.references:  # the window still shows the code it is evidence for
        assert all(ref.code in m.evidence for m in ref.mentions if ref.code), ref.code


# ---- the benchmark script itself --------------------------------------------------------------------------------


def test_fuzz_script_reports_cases_failures_and_the_slowest_case(tmp_path, capsys):
    assert fp.main(["--cases", "15", "--seed", "3", "--save", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^cases: 15$", out, re.M)
    assert re.search(r"^failures: 0$", out, re.M)
    assert re.search(r"^slowest case: \d+\.\d{3} s \(case \d+, \d+ KB, [a-z_+]+\)$", out, re.M)
    assert not list(tmp_path.iterdir())


def _shift_a_reference(record):
    record.references[0].start += 1


def _impossible_date(record):
    record.document.date = "2026-13-45"


def _unknown_level(record):
    record.tasks[0].assignees[0].level = "national"


@pytest.mark.parametrize("damage, problem", [(_shift_a_reference, "evidence is not text["),
                                             (_impossible_date, "is not an ISO date"),
                                             (_unknown_level, "level 'national'")], ids=lambda x: getattr(x, "__name__", x))
def test_the_record_checks_can_fail(damage, problem):
    record = extract_text(SEEDS[0], source="x.txt")
    assert fp.record_problems(SEEDS[0], record) == []
    damage(record)
    assert any(problem in p for p in fp.record_problems(SEEDS[0], record))


def test_a_saved_failure_can_be_replayed(tmp_path, capsys):
    case = tmp_path / "case.txt"
    case.write_text(json.dumps("Số 12-NQ/TW")[1:-1], encoding="utf-8")
    assert fp.main(["--replay", str(case)]) == 0
    assert capsys.readouterr().out.strip() == "no problem"
