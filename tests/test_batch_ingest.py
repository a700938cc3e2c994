"""`dkg ingest FOLDER` over a folder of good texts and hostile files: each bad file gets one line naming it, the
batch goes on, the good documents reach the store, the failures are listed at the end, and the exit code is 1.

The hostile files come from tests/fixtures_files.py (the readers' own table); this file checks the batch, not
the reader's wording of each problem (tests/test_readers.py does that).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import fixtures_files as ff
from cli import cli

pytest.importorskip("graph.parse.header", reason="the parser is needed for ingest")

# fmt: off
HOSTILE = [  # (builder, a word of the problem the line must give)
    (ff.empty,                   "empty file"),
    (ff.random_binary,           "not a text file"),
    (ff.nul_bytes,               "NUL bytes"),
    (ff.pdf_scanned,             "no text layer"),
    (ff.pdf_encrypted,           "encrypted PDF"),
    (ff.pdf_truncated,           "damaged PDF"),
    (ff.docx_zip_bomb,           "zip bomb"),
    (ff.tcvn3_file,              "TCVN3"),
    (ff.vni_file,                "VNI"),
    (ff.too_large_for_env_limit, "too large"),
]
# fmt: on
LIMIT_MB = "1"  # DKG_MAX_INPUT_MB for the batch: the 2 MB text is over it, the good texts are far under


def _dkg(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env={"DKG_MAX_INPUT_MB": LIMIT_MB, **(env or {})})


def _stats(store) -> dict:
    result = _dkg("stats", "--store", store, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _place(builder, folder: Path, scratch: Path) -> Path:
    """Build one hostile file in a scratch folder (builders leave helper files behind) and move it in."""
    work = scratch / builder.__name__
    work.mkdir()
    built = builder(work)
    target = folder / f"{builder.__name__}{built.suffix}"
    shutil.move(str(built), target)
    return target


@pytest.fixture(scope="module")
def batch(tmp_path_factory, corpus_dir):
    root = tmp_path_factory.mktemp("batch")
    texts, scratch = root / "texts", root / "scratch"
    texts.mkdir()
    scratch.mkdir()
    good = [Path(shutil.copy(p, texts / p.name)) for p in sorted(corpus_dir.glob("*.txt"))]
    nested = texts / "năm 2022" / "tháng 3"
    nested.mkdir(parents=True)
    bad = {_place(builder, texts if i % 2 else nested, scratch): problem for i, (builder, problem) in enumerate(HOSTILE)}
    store, records = root / "store", root / "records"
    result = _dkg("ingest", texts, "--store", store, "--records", records)
    return {"texts": texts, "good": good, "bad": bad, "store": store, "records": records, "result": result}


def test_the_batch_fails_with_exit_code_1_and_no_traceback(batch):
    result = batch["result"]
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception  # not an escaped exception
    assert "Traceback" not in result.output


@pytest.mark.parametrize("index", range(len(HOSTILE)), ids=[b.__name__ for b, _ in HOSTILE])
def test_each_bad_file_gets_one_line_naming_it(batch, index):
    path, problem = list(batch["bad"].items())[index]
    lines = [line for line in batch["result"].stderr.splitlines() if line.startswith(f"Error: {path}: ")]
    assert len(lines) == 1, batch["result"].stderr
    assert problem in lines[0]


def test_the_failures_are_listed_at_the_end(batch):
    lines = batch["result"].stderr.splitlines()
    head = f"{len(batch['bad'])} file(s) failed:"
    assert head in lines, batch["result"].stderr
    listed = lines[lines.index(head) + 1:]
    assert sorted(line.strip() for line in listed) == sorted(str(p) for p in batch["bad"])


def test_the_good_documents_are_in_the_store(batch):
    assert "Ingested 2 document(s)" in batch["result"].stdout
    assert _stats(batch["store"])["documents with text"] == 2
    for name in ("1123-CV/TU", "nghị quyết 12-NQ/ĐUCA"):
        assert _dkg("show", name, "--store", batch["store"]).exit_code == 0, name
    assert len(list(batch["records"].glob("*.yaml"))) == 2


def test_a_batch_of_only_bad_files_leaves_the_store_as_it_was(batch, tmp_path):
    before = _stats(batch["store"])
    only_bad = tmp_path / "bad"
    only_bad.mkdir()
    for path in batch["bad"]:
        shutil.copy(path, only_bad / path.name)
    result = _dkg("ingest", only_bad, "--store", batch["store"], "--records", batch["records"])
    assert result.exit_code == 1
    assert result.stderr.count("Error: ") == len(batch["bad"])
    assert _stats(batch["store"]) == before


def test_a_symlink_loop_inside_the_folder_is_reported_not_skipped(tmp_path, corpus_dir):
    """A symlink loop is a bad file like the others: one line naming it (graph.load.find_inputs drops it today:
    ``Path.is_file()`` is False for a loop, so the batch says nothing about it)."""
    texts = tmp_path / "texts"
    texts.mkdir()
    shutil.copy(corpus_dir / "1123-CV-TU-bac-ninh-2026.txt", texts)
    loop = ff.symlink_loop(texts)  # a.txt -> b.txt -> a.txt
    (texts / "here").symlink_to(texts)  # a directory loop must not make the walk endless either
    result = _dkg("ingest", texts, "--store", tmp_path / "store", "--records", tmp_path / "records")
    assert "Ingested 1 document(s)" in result.stdout
    assert result.exit_code == 1, "a file that could not be read makes the batch fail"
    assert [line for line in result.stderr.splitlines() if line.startswith(f"Error: {loop}: ")], result.stderr
