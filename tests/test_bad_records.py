"""Hand-edited records with mistakes: `dkg build` names the file, the line and the field, exits 1, and leaves
the good store as it was (same quads, same live database).

Each row edits the YAML text of a real record (the one ingest wrote for 1123-CV/TU) the way a person might.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from graph.records import read_record

pytest.importorskip("graph.parse.header", reason="the parser is needed for ingest")

PROJECT = Path(__file__).resolve().parent.parent
BAD = "zz-hand-edited.yaml"


def _dkg(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def good(tmp_path_factory, corpus_dir):
    root = tmp_path_factory.mktemp("records")
    store, records = root / "store", root / "records"
    result = _dkg("ingest", corpus_dir, "--store", store, "--records", records, "--jobs", "1")
    assert result.exit_code == 0, result.output
    record = next(records.glob("*1123*.yaml"))
    return {"store": store, "records": records, "text": record.read_text(encoding="utf-8")}


def _sub(pattern: str, replacement: str, marker: str | None = None, near: bool = False):
    """An edit: the first match of ``pattern`` (multiline regex) in the record text replaced. The message must
    give the line holding ``marker`` (default: the replacement's first line), or for YAML syntax errors
    (``near``) one of the three lines from there: the parser tells where it noticed."""
    def edit(text: str) -> tuple[str, str | None, bool]:
        new, n = re.subn(pattern, replacement, text, count=1, flags=re.M)
        assert n == 1, f"the record has no {pattern!r}"
        return new, marker if marker is not None else replacement.split("\n")[0], near
    return edit


def _whole(content: str, marker: str | None = None):
    return lambda text: (content, marker, False)


# fmt: off
ROWS = [  # (id, edit, expected words of the message)
    ("yaml-syntax",         _sub(r"^  subject: .*$", "  subject: [unclosed", near=True),  "invalid YAML"),
    ("yaml-tab-indent",     _sub(r"^  code: .*$", "\tcode: 1123-CV/TU", near=True),      "invalid YAML"),
    ("tasks-is-text",       _sub(r"^tasks:\n(?:.*\n)*?(?=^warnings:)", 'tasks: "x"\n'),   "tasks: must be a list, found text 'x'"),
    ("reference-no-id",     _sub(r"^references:\n", "references:\n- code: 12\n", "- code: 12"),
                                                                                        "references[0]: missing field 'id'"),
    ("date-13th-month",     _sub(r"^  date: .*$", "  date: '2026-13-45'"),              "document.date: '2026-13-45' is not a date"),
    ("date-unquoted-bad",   _sub(r"^  date: .*$", "  date: 2026-13-45"),                "document.date: '2026-13-45' is not a date"),
    ("date-words",          _sub(r"^  date: .*$", "  date: ngày 15 tháng 5 năm 2026"),  "is not a date (YYYY-MM-DD)"),
    ("number-unquoted",     _sub(r"^  number: .*$", "  number: 1123"),                  "document.number: must be text, found int 1123 (quote it: '1123')"),
    ("no-document-id",      _sub(r"^  id: .*\n", "", "  code: "),                      "document: missing field 'id'"),
    ("no-source",           _sub(r"^source: .*\n", "", "reviewed:"),                    "missing field 'source'"),
    ("relation-typo",       _sub(r"^  relation: .*$", "  relation: implement"),         "'implement' is not a relation"),
    ("level-in-vietnamese", _sub(r"^  level: province$", "  level: tỉnh"),              "document.level: 'tỉnh' is not a level"),
    ("offset-negative",     _sub(r"^  start: \d+$", "  start: -5"),                     "must be a whole number of 0 or more"),
    ("assignee-as-text",    _sub(r"^  assignees:\n(?:  - .*\n(?:    .*\n)*)+", "  assignees:\n  - Sở Tư pháp\n",
                                 "- Sở Tư pháp"),                                        "tasks[0].assignees[0]: must be a mapping"),
    ("task-without-label",  _sub(r"^- label: .*\n  text:", "- text:"),                  "tasks[0]: missing field 'label'"),
    ("mention-no-offsets",  _sub(r"^    start: \d+\n    end: \d+\n", "", "  - evidence: "),
                                                                                        "references[0].mentions[0]: missing field 'start'"),
    ("terminal-escape",     _sub(r"^  place: .*$", r'  place: "Bắc Ninh \\e]52;c;cm0gLXJmIH4K\\a"', '  place: "Bắc'),
                                                                                        "document.place: holds a control character ('\\x1b')"),
    ("not-a-mapping",       _whole("- source: x\n- document: y\n", "- source"),         "must be a mapping, found a list"),
    ("empty-file",          _whole(""),                                                 "must be a mapping, found nothing"),
    ("deep-nesting",        _whole("source: x\ndocument: {id: a}\nwarnings: " + "[" * 50_000 + "]" * 50_000),
                                                                                        "invalid YAML"),
]
# fmt: on


def _line_of(text: str, marker: str | None) -> int | None:
    if not marker:
        return None
    return next(i for i, line in enumerate(text.splitlines(), 1) if marker in line)


@pytest.mark.parametrize("name, edit, words", ROWS, ids=[r[0] for r in ROWS])
def test_build_names_file_line_and_field_and_keeps_the_store(good, tmp_path, name, edit, words):
    records = tmp_path / "records"
    shutil.copytree(good["records"], records)
    text, marker, near = edit(good["text"])
    (records / BAD).write_text(text, encoding="utf-8")
    before = _dkg("stats", "--store", good["store"], "--format", "json").stdout
    live = (good["store"] / "current").resolve()
    result = _dkg("build", "--store", good["store"], "--records", records, "--jobs", "1")
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    lines = [line.strip() for line in result.stderr.splitlines()]
    assert lines[0] == "Error: 1 malformed record(s), the store was not changed:", result.stderr
    line = _line_of(text, marker)
    got = re.match(rf"{re.escape(str(records / BAD))}:(?:(\d+):)? ", lines[1])
    assert got, lines[1]
    if line is None:
        assert got.group(1) is None, lines[1]
    else:
        assert got.group(1) and line <= int(got.group(1)) <= line + (2 if near else 0), (lines[1], line)
    assert words in lines[1], lines[1]
    assert len(lines) == 2 and "dkg bug" not in result.stderr
    assert _dkg("stats", "--store", good["store"], "--format", "json").stdout == before
    assert (good["store"] / "current").resolve() == live


def test_every_bad_record_is_listed_and_a_good_build_follows(good, tmp_path):
    records = tmp_path / "records"
    shutil.copytree(good["records"], records)
    (records / "a-bad.yaml").write_text('source: x\ndocument: {id: a}\ntasks: "x"\n', encoding="utf-8")
    (records / "b-bad.json").write_text(json.dumps({"source": "y", "document": {"id": "b", "date": "2026-02-30"}},
                                                   indent=1), encoding="utf-8")
    result = _dkg("build", "--store", good["store"], "--records", records, "--jobs", "1")
    assert result.exit_code == 1
    assert "2 malformed record(s)" in result.stderr
    assert f"{records / 'a-bad.yaml'}:3: tasks: must be a list" in result.stderr
    assert f"{records / 'b-bad.json'}:5: document.date: '2026-02-30' is not a date" in result.stderr
    for bad in ("a-bad.yaml", "b-bad.json"):
        (records / bad).unlink()
    assert _dkg("build", "--store", good["store"], "--records", records, "--jobs", "1").exit_code == 0


def test_an_unquoted_date_written_by_a_person_is_read_as_the_date(good, tmp_path):
    records = tmp_path / "records"
    shutil.copytree(good["records"], records)
    path = next(records.glob("*1123*.yaml"))
    text, _, _ = _sub(r"^  date: .*$", "  date: 2026-05-16")(good["text"])
    path.write_text(text, encoding="utf-8")
    assert read_record(path).document.date == "2026-05-16"
    store = tmp_path / "store"
    result = _dkg("build", "--store", store, "--records", records, "--jobs", "1")
    assert result.exit_code == 0, result.output
    card = json.loads(_dkg("show", "1123-CV/TU", "--store", store, "--format", "json").stdout)
    assert card["date"] == "2026-05-16"


def test_ingest_survives_a_deeply_nested_record_in_the_records_folder(good, tmp_path, corpus_dir):
    """Records edited by others are not trusted. ingest reads an existing record (is it hand-made?) with
    libyaml, which crashes the process (SIGSEGV) on "[[[[..." 50,000 deep; with worker processes the pool then
    waits forever for the dead worker. graph/load.py `_load_yaml` should use graph.records.record_loader."""
    records = tmp_path / "records"
    shutil.copytree(good["records"], records)
    target = next(records.glob("*1123*.yaml"))
    target.write_text("source: x\ndocument: {id: a}\nwarnings: " + "[" * 50_000 + "]" * 50_000, encoding="utf-8")
    done = subprocess.run([sys.executable, str(PROJECT / "cli.py"), "ingest", str(corpus_dir), "--store",
                           str(tmp_path / "store"), "--records", str(records), "--jobs", "1"],
                          capture_output=True, text=True, timeout=120, cwd=PROJECT)
    assert done.returncode in (0, 1), f"dkg ingest died with signal {-done.returncode}" if done.returncode < 0 else done
    assert "Traceback" not in done.stderr


def test_ingest_survives_an_alias_bomb_in_a_record_of_the_folder(good, tmp_path, corpus_dir):
    """A 600-byte record whose unknown key expands (YAML aliases) to 10^9 strings: read_record ignores the key,
    but ingest's is-it-hand-made check serialises the whole mapping (graph/load.py `checksum`: json.dumps),
    which takes minutes and gigabytes. Records edited by others are not trusted."""
    records = tmp_path / "records"
    shutil.copytree(good["records"], records)
    target = next(records.glob("*1123*.yaml"))
    lines = [line for line in target.read_text(encoding="utf-8").splitlines() if not line.startswith("checksum:")]
    lines += ["zz0: &zz0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"zz{i}: &zz{i} [" + ", ".join([f"*zz{i - 1}"] * 10) + "]" for i in range(1, 9)]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert read_record(target).document.code == "1123-CV/TU"  # the record itself reads at once
    # cwd: the project, so the text has the same source as the record (it is the file ingest looks at)
    try:
        done = subprocess.run([sys.executable, str(PROJECT / "cli.py"), "ingest", str(corpus_dir), "--store",
                               str(tmp_path / "store"), "--records", str(records), "--jobs", "1"],
                              capture_output=True, text=True, timeout=15, cwd=PROJECT)
    except subprocess.TimeoutExpired:
        pytest.fail("dkg ingest still runs 15 s after meeting a 600-byte alias bomb in the records folder")
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr[-300:]
