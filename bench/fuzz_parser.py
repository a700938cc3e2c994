"""Mutation fuzzing of the parser: real texts cut, shuffled, sprinkled with random bytes, decomposed (NFD), mixed
with legacy encodings, made into huge lines or deep numbering, then parsed.

    python bench/fuzz_parser.py [--cases 10000] [--seed 0] [--limit-s 2.0] [--save DIR] [--real DIR]

A case passes when `graph.extract_text` returns a record that keeps the contract (see `record_problems`) or raises
a `graph.errors.DkgError`; any other exception, a broken record, or a parse slower than ``--limit-s`` seconds per
100 KB of text (pathological backtracking) is a failure. A case that runs past ten times its limit is stopped
(SIGALRM) and counted as a failure. Failing inputs are written to ``--save`` (default bench/out/fuzz-failures/)
so they can be replayed: ``python bench/fuzz_parser.py --replay FILE``.

Seeds: the bundled corpus (data/corpus) and, when present beside the checkout, the real texts of
../shared/corpus/real/raw (read in place, never copied). Prints the number of cases, failures by kind, the
slowest case (seconds, size, mutations) and the exit code is 1 when anything failed.

Library use (tests/test_fuzz.py)::

    fp = <this module>; rng = random.Random(1)
    names, text = fp.mutated(rng, fp.seed_texts())
    problems = fp.check_text(text)          # [] when the parser behaved
"""
from __future__ import annotations

import argparse
import datetime
import logging
import random
import re
import signal
import sys
import time
import traceback
import unicodedata
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

REAL_RAW = ROOT.parent / "shared" / "corpus" / "real" / "raw"
DEFAULT_SAVE = ROOT / "bench" / "out" / "fuzz-failures"
KB = 1024
LIMIT_PER_100KB = 2.0
MAX_CHARS = 400_000  # about 600 KB of UTF-8: past the 100 KB the time limit is stated for

# Legacy 8-bit spellings of a few letters (TCVN3 and VNI read as Latin-1; ../shared/reference §4): enough to make
# a line look like a pasted .VnTime or VNI-Times paragraph.
TCVN3 = str.maketrans({"ị": "Þ", "ế": "Õ", "ờ": "ê", "ủ": "ñ", "ư": "\xad", "â": "©", "đ": "®", "Đ": "§",
                       "ộ": "é", "ả": "¶", "ạ": "¹", "ệ": "Ö", "ơ": "¬", "ố": "è", "ụ": "ô"})
VNI = {"ị": "ò", "ế": "eá", "ờ": "ôø", "ủ": "uû", "ư": "ö", "â": "aâ", "đ": "ñ", "Đ": "Ñ", "ộ": "oä",
       "ả": "aû", "ạ": "aï", "ệ": "eä", "ơ": "ô", "ố": "oá", "ụ": "uï"}

# Fragments a directive is made of; spliced in at random they reach the parser's deeper branches.
FRAGMENTS = (
    "Nghị quyết số 12-NQ/TW ngày 16/3/2022 của Bộ Chính trị", "Căn cứ Quyết định số 18/QĐ-TTg",
    "Thực hiện Kế hoạch số 25-KH/TU", "Số: 1123-CV/TU", "Số 05/2023/NĐ-CP", "V/v triển khai", "Kính gửi:",
    "Nơi nhận:", "T/M BAN THƯỜNG VỤ", "KT. CHỦ TỊCH", "PHÓ BÍ THƯ", "TỈNH ỦY BẮC NINH", "ĐẢNG CỘNG SẢN VIỆT NAM",
    "Bắc Ninh, ngày 15 tháng 5 năm 2026", "ngày 32/13/2022", "ngày 29 tháng 2 năm 2023", "ngày 0/0/0",
    "năm 99999", "99999999999999999999-NQ/TW", "12-", "NQ/TW", "-CV/", "/-/", "QĐ-", "(1)", "a)", "IV.", "1.2.3.",
    "- Sở Tư pháp chủ trì, phối hợp với Sở Nội vụ", "Đảng ủy Công an tỉnh", "Ủy ban nhân dân các huyện",
    "giao Ban Tuyên giáo Tỉnh ủy", "các cơ quan, đơn vị", "**", "|", "#", "\\", "\f", "\u00a0", "\u200b", "\ufeff",
    "Ð", "ð", "\u0301", "“", "”", "…", ";", ".", ":",
)


# ---- mutators: (rng, text) -> text -----------------------------------------------------------------------------


def cut(rng, t):
    """A truncated download: the text stops anywhere, mid-word or mid-code."""
    return t[:rng.randrange(len(t) + 1)]


def cut_middle(rng, t):
    a = rng.randrange(len(t) + 1)
    return t[:a] + t[rng.randrange(a, len(t) + 1):]


def shuffle_lines(rng, t):
    lines = t.split("\n")
    rng.shuffle(lines)
    return "\n".join(lines)


def drop_lines(rng, t):
    return "\n".join(line for line in t.split("\n") if rng.random() > 0.3)


def random_bytes(rng, t):
    """Bytes flipped and inserted in the UTF-8, decoded back with replacement (a damaged file read leniently)."""
    data = bytearray(t.encode("utf-8"))
    for _ in range(rng.randrange(1, 60)):
        if data and rng.random() < 0.5:
            data[rng.randrange(len(data))] = rng.randrange(256)
        else:
            data.insert(rng.randrange(len(data) + 1), rng.randrange(256))
    return data.decode("utf-8", "replace")


def random_chars(rng, t):
    """Odd code points: controls, NUL, combining marks alone, zero-width and line/paragraph separators."""
    chars = list(t)
    pools = ((0, 0x20), (0x80, 0xA0), (0x300, 0x370), (0x1EA0, 0x1EFA), (0x2000, 0x2070), (0xFE00, 0xFFFF),
             (0x10000, 0x10400))
    for _ in range(rng.randrange(1, 60)):
        lo, hi = rng.choice(pools)
        chars.insert(rng.randrange(len(chars) + 1), chr(rng.randrange(lo, hi)))
    return "".join(chars)


def decompose(rng, t):
    return unicodedata.normalize(rng.choice(["NFD", "NFKD", "NFKC"]), t)


def mixed_encodings(rng, t):
    """Some lines as mojibake (UTF-8 read as Latin-1 or cp1252), some in TCVN3 or VNI spellings."""
    lines = t.split("\n")
    for i, line in enumerate(lines):
        roll = rng.random()
        if roll < 0.15:
            lines[i] = line.encode("utf-8").decode("latin-1")
        elif roll < 0.25:
            lines[i] = line.encode("utf-8").decode("cp1252", "replace")
        elif roll < 0.35:
            lines[i] = line.translate(TCVN3)
        elif roll < 0.45:
            lines[i] = "".join(VNI.get(c, c) for c in line)
    return "\n".join(lines)


def one_huge_line(rng, t):
    """No line breaks at all (a PDF converted without them), repeated up to 100 KB and more."""
    flat = t.replace("\n", rng.choice([" ", "", "\t"]))
    return flat * rng.randrange(1, max(2, 120 * KB // max(1, len(flat)) + 1))


def repeat_a_line(rng, t):
    lines = t.split("\n")
    i = rng.randrange(len(lines))
    lines[i] = (lines[i] or "Sở Tư pháp, ") * rng.randrange(20, 800)
    return "\n".join(lines)


def deep_numbering(rng, t):
    """Hundreds of items numbered 1.2.3.4... up to sixty levels deep, inserted anywhere."""
    depth = rng.randrange(2, 60)
    items = []
    for i in range(rng.randrange(5, 400)):
        label = ".".join(str(rng.randrange(1, 99)) for _ in range(rng.randrange(1, depth)))
        items.append(f"{label}{rng.choice(['.', ')', ''])} {rng.choice(FRAGMENTS)} thực hiện nhiệm vụ {i}")
    at = rng.randrange(len(t) + 1)
    return t[:at] + "\n" + "\n".join(items) + "\n" + t[at:]


def nested_bullets(rng, t):
    marks = ["-", "+", "•", "–", "a)", "(1)", "I.", "IV.", "1.", "-----", "***", "|", "#", "* * *"]
    lines = [rng.choice(marks) * rng.randrange(1, 30) + " " + rng.choice(FRAGMENTS) for _ in range(rng.randrange(5, 300))]
    at = rng.randrange(len(t) + 1)
    return t[:at] + "\n" + "\n".join(lines) + "\n" + t[at:]


def splice_fragments(rng, t):
    """Directive fragments (codes, dates, cue phrases, header lines, marks) spliced in at random places."""
    out = t
    for _ in range(rng.randrange(1, 80)):
        at = rng.randrange(len(out) + 1)
        out = out[:at] + rng.choice(["", " ", "\n"]) + rng.choice(FRAGMENTS) + rng.choice(["", " ", "\n"]) + out[at:]
    return out


def change_case(rng, t):
    return rng.choice([str.upper, str.lower, str.swapcase, str.title])(t)


def change_spaces(rng, t):
    return t.replace(" ", rng.choice(["", "\u00a0", "   ", "\t", "\u3000", " \n"]))


def change_newlines(rng, t):
    return t.replace("\n", rng.choice(["\r\n", "\r", "\n\n", "\n\n\n", "\u2028", "\x85", "\f", "\v"]))


def duplicate(rng, t):
    return (t + "\n") * rng.randrange(2, 10)


MUTATORS: dict[str, Callable[[random.Random, str], str]] = {f.__name__: f for f in (
    cut, cut_middle, shuffle_lines, drop_lines, random_bytes, random_chars, decompose, mixed_encodings,
    one_huge_line, repeat_a_line, deep_numbering, nested_bullets, splice_fragments, change_case, change_spaces,
    change_newlines, duplicate)}


def seed_texts(real: Path | None = REAL_RAW) -> list[str]:
    """The bundled corpus, plus the real texts beside the checkout when they are there."""
    paths = sorted((ROOT / "data" / "corpus").glob("*.txt"))
    if real is not None and Path(real).is_dir():
        paths += sorted(Path(real).glob("*.txt"))
    return [p.read_text(encoding="utf-8-sig") for p in paths]


def mutated(rng: random.Random, seeds: list[str], max_chars: int | None = MAX_CHARS) -> tuple[list[str], str]:
    """One to four mutations of one seed text, cut to ``max_chars`` after each (mutations multiply: a repeated
    line of a text made one huge line would reach gigabytes)."""
    text = rng.choice(seeds)
    names = []
    for _ in range(rng.randrange(1, 5)):
        name = rng.choice(list(MUTATORS))
        names.append(name)
        text = MUTATORS[name](rng, text)
        if max_chars is not None and len(text) > max_chars:
            text = text[:max_chars]
    return names, text


# ---- what a record must keep ----------------------------------------------------------------------------------


def record_problems(text: str, record) -> list[str]:
    """Contract checks on the record of ``text``: the normalised text maps back into the source in order; offsets
    lie inside the normalised text and point at their evidence, ISO dates, known levels and relations, task links to known references, a JSON/YAML round trip."""
    from graph.errors import RecordError
    from graph.normalize import normalize
    from graph.records import LEVELS, RELATIONS, Record, record_from_data, to_json

    norm = normalize(text)
    body, offsets = norm.text, norm.offsets
    problems: list[str] = []
    if len(offsets) != len(body):
        problems.append(f"offset map: {len(offsets)} offsets for {len(body)} characters")
    elif offsets and not (0 <= offsets[0] and offsets[-1] < len(text)
                          and all(a <= b for a, b in zip(offsets, offsets[1:]))):
        problems.append("offset map: not increasing inside the source text")

    def span(what, start, end, evidence):
        if not (0 <= start <= end <= len(body)):
            problems.append(f"{what}: span {start}-{end} outside the text (0-{len(body)})")
        elif evidence is not None and body[start:end] != evidence:
            problems.append(f"{what}: evidence is not text[{start}:{end}]")

    def iso(what, value):
        if value is not None:
            try:
                datetime.date.fromisoformat(value)
            except (TypeError, ValueError):
                problems.append(f"{what}: date {value!r} is not an ISO date")

    def level(what, value):
        if value is not None and value not in LEVELS:
            problems.append(f"{what}: level {value!r}")

    doc = record.document
    if not doc.id:
        problems.append("document without an id")
    iso("document", doc.date)
    level("document", doc.level)
    ids = set()
    for ref in record.references:
        ids.add(ref.id)
        span(f"reference {ref.code}", ref.start, ref.end, ref.evidence)
        for m in ref.mentions:
            span(f"mention of {ref.code}", m.start, m.end, m.evidence)
        iso(f"reference {ref.code}", ref.date)
        level(f"reference {ref.code}", ref.level)
        if ref.relation not in RELATIONS:
            problems.append(f"reference {ref.code}: relation {ref.relation!r}")
    for task in record.tasks:
        span(f"task {task.label}", task.start, task.end, task.text)
        for org in task.assignees + task.lead + task.cooperating:
            level(f"organisation {org.name}", org.level)
        problems += [f"task {task.label}: implements unknown {i}" for i in task.implements if i not in ids]
    for nested in record.nested_relations:
        span("nested relation", nested.start, nested.end, nested.evidence)
        if nested.relation not in RELATIONS:
            problems.append(f"nested relation {nested.relation!r}")
    data = record.to_dict()
    try:
        if Record.from_dict(data).to_dict() != data or record_from_data(data).to_dict() != data:
            problems.append("the record does not round-trip through to_dict/from_dict")
    except RecordError as e:  # what `dkg build` would say of the record file ingest writes
        problems.append(f"the record's own check refuses it: {e}")
    to_json(record)
    return problems


class Timeout(BaseException):
    """A case ran past its hard limit (BaseException: no ``except Exception`` in the parser can swallow it)."""


def _alarm(signum, frame):
    raise Timeout()


def time_limit(text: str, per_100kb: float = LIMIT_PER_100KB) -> float:
    """The time a text may take: ``per_100kb`` seconds per 100 KB of UTF-8, never less than ``per_100kb``."""
    return per_100kb * max(1.0, len(text.encode("utf-8", "surrogatepass")) / (100 * KB))


def parse_case(text: str, hard_limit: float | None = None) -> tuple[list[str], float]:
    """Parse ``text`` and write its record as YAML (what ``dkg ingest`` does per file), then check the record.
    Returns the problems ([] when the parser gave a sound record or a one-line DkgError) and the seconds the
    parse and the YAML took (the checks are not timed)."""
    from graph import extract_text
    from graph.errors import DkgError
    from graph.records import to_yaml

    old = None
    if hard_limit:
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, hard_limit)
    t0 = time.perf_counter()
    try:
        record = extract_text(text, source="fuzz.txt")
        to_yaml(record)
        took = time.perf_counter() - t0
        if hard_limit:
            signal.setitimer(signal.ITIMER_REAL, 0)
        return record_problems(text, record), took
    except DkgError as e:
        return ([] if "\n" not in str(e) else [f"DkgError of several lines: {str(e)[:80]!r}"]), time.perf_counter() - t0
    except Timeout:
        return [f"stopped after {hard_limit:.1f} s"], time.perf_counter() - t0
    except Exception as e:  # what the fuzzer is here to find
        where = traceback.extract_tb(e.__traceback__)[-1]
        return [f"{type(e).__name__} at {Path(where.filename).name}:{where.lineno}: {str(e)[:120]}"], \
            time.perf_counter() - t0
    finally:
        if hard_limit:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


def check_text(text: str) -> list[str]:
    """The problems of one case ([] when the parser behaved)."""
    return parse_case(text)[0]


def run(cases: int, seed: int, per_100kb: float, save: Path | None, real: Path | None, echo=print) -> dict:
    seeds = seed_texts(real)
    check_text(seeds[0])  # compile the patterns outside the timing
    failures: dict[str, list] = {}
    slowest = (0.0, 0, [], 0)
    started = time.monotonic()
    for i in range(cases):
        rng = random.Random(f"{seed}:{i}")
        names, text = mutated(rng, seeds)
        limit = time_limit(text, per_100kb)
        problems, took = parse_case(text, hard_limit=10 * limit)
        if took > limit and not problems:
            problems = [f"slow: {took:.2f} s for {len(text) / KB:.0f} KB (limit {limit:.1f} s)"]
        if took > slowest[0]:
            slowest = (took, i, names, len(text))
        if problems:
            key = re.sub(r"\d+", "N", problems[0])[:80]  # one kind per message shape
            failures.setdefault(key, []).append(i)
            if save is not None:
                save.mkdir(parents=True, exist_ok=True)
                (save / f"case-{seed}-{i}.txt").write_text(text, encoding="utf-8", errors="surrogatepass")
            echo(f"case {i} ({'+'.join(names)}, {len(text)} chars): {'; '.join(problems[:3])}")
        if (i + 1) % 1000 == 0:
            echo(f"... {i + 1} cases, {sum(map(len, failures.values()))} failures, "
                 f"{time.monotonic() - started:.0f} s", file=sys.stderr)
    return {"cases": cases, "failures": failures, "slowest": slowest, "seconds": time.monotonic() - started}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit-s", type=float, default=LIMIT_PER_100KB,
                    help="seconds a case may take per 100 KB of text (default %(default)s)")
    ap.add_argument("--save", type=Path, default=DEFAULT_SAVE, help="folder for failing inputs")
    ap.add_argument("--real", type=Path, default=REAL_RAW, help="extra seed texts (default: %(default)s if present)")
    ap.add_argument("--replay", type=Path, help="parse one saved case and print its problems")
    args = ap.parse_args(argv)
    logging.getLogger("graph").setLevel(logging.CRITICAL)  # the parser's per-text warnings are not the point
    if args.replay:
        text = args.replay.read_text(encoding="utf-8", errors="surrogatepass")
        problems = check_text(text)
        print("\n".join(problems) or "no problem")
        return 1 if problems else 0
    result = run(args.cases, args.seed, args.limit_s, args.save, args.real,
                 echo=lambda *a, **k: print(*a, **k, flush=True))
    took, index, names, size = result["slowest"]
    failed = sum(len(v) for v in result["failures"].values())
    print(f"cases: {result['cases']}")
    print(f"failures: {failed}" + (f" ({len(result['failures'])} kinds)" if failed else ""))
    for kind, cases in sorted(result["failures"].items(), key=lambda kv: -len(kv[1])):
        print(f"  {len(cases):5d}  {kind}  (first: case {cases[0]})")
    print(f"slowest case: {took:.3f} s (case {index}, {size / KB:.0f} KB, {'+'.join(names)})")
    print(f"total: {result['seconds']:.0f} s, {result['cases'] / max(result['seconds'], 1e-9):.1f} cases/s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
