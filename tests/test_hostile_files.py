"""Hostile input: every bad file gives one line on stderr and exit code 1 from `dkg extract`, never a traceback;
bombs and huge files are refused without being inflated or read; random damage to real files raises only
InputError."""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fixtures_files as ff
from graph.errors import InputError
from graph.readers import read_text

PROJECT = Path(__file__).resolve().parent.parent


def _shown(path: Path) -> str:
    return str(path).replace("\n", "\\n")


def _run_cli(args, env=None):
    from cli import cli

    return CliRunner().invoke(cli, args, env={"DKG_MAX_INPUT_MB": None, **(env or {})})


@pytest.mark.parametrize("case", ff.case_params(ff.ERROR_CASES))
def test_cli_reports_a_bad_file_in_one_line(case, tmp_path):
    path = case.build(tmp_path)
    result = _run_cli(["extract", str(path)], case.env)
    assert isinstance(result.exception, SystemExit), result.exception  # not an escaped exception
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"Error: {_shown(path)}: ")
    assert case.error in result.stderr


def test_cli_goes_on_after_a_bad_file_and_still_fails(tmp_path):
    bad, worse = ff.vni_file(tmp_path), ff.missing(tmp_path)
    result = _run_cli(["extract", str(bad), str(worse), "--format", "json"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"Error: {bad}: {_problem(bad)}", f"Error: {worse}: no such file"]


def _problem(path: Path) -> str:
    with pytest.raises(InputError) as raised:
        read_text(path)
    return raised.value.problem


def _dkg() -> list[str]:
    exe = shutil.which("dkg")
    return [exe] if exe else [sys.executable, str(PROJECT / "cli.py")]


def _subprocess_env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DKG_MAX_INPUT_MB"}
    env.update(extra, PYTHONPATH=str(PROJECT))
    return env


@pytest.mark.parametrize("build, problem", [(ff.newline_in_name, "not a text file"),
                                            (ff.tcvn3_file, "legacy TCVN3 (ABC) encoding"),
                                            (ff.docx_zip_bomb, "zip bomb")], ids=lambda x: getattr(x, "__name__", ""))
def test_the_real_command_prints_one_line_and_no_traceback(build, problem, tmp_path):
    path = build(tmp_path)
    done = subprocess.run([*_dkg(), "extract", str(path)], capture_output=True, text=True, timeout=60,
                          env=_subprocess_env(), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(f"Error: {_shown(path)}: ")
    assert problem in done.stderr


def test_permission_denied(tmp_path):
    folder = Path(tempfile.mkdtemp(prefix="dkg-perm-"))
    try:
        folder.chmod(0o755)
        path = folder / "locked.txt"
        path.write_text(ff.BODY, encoding="utf-8")
        path.chmod(0o000)
        command = [*_dkg(), "extract", str(path)]
        if os.geteuid() == 0:  # root reads anything; drop its capabilities so the kernel really refuses
            if not shutil.which("setpriv"):
                pytest.skip("running as root without setpriv (util-linux): cannot make a file unreadable")
            command = ["setpriv", "--inh-caps=-all", "--bounding-set=-all", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=_subprocess_env(),
                              cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        assert done.stderr == f"Error: {path}: permission denied\n"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("build, problem", [(ff.docx_zip_bomb, "zip bomb"), (ff.docx_lying_sizes, "zip bomb"),
                                            (ff.huge_sparse, "too large")], ids=lambda x: getattr(x, "__name__", ""))
def test_bombs_and_huge_files_are_refused_without_being_read(build, problem, tmp_path, monkeypatch):
    monkeypatch.delenv("DKG_MAX_INPUT_MB", raising=False)
    path = build(tmp_path)
    read_text(ff.utf8(tmp_path))  # load the reader's tables first: only the refusal itself is measured
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match=problem):
            read_text(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * ff.MB  # the bomb inflates to 300 MB, the sparse file is 60 MB


# ---- random damage to real files -----------------------------------------------------------------------------


@functools.cache
def _seeds() -> dict[str, bytes]:
    from fpdf import FPDF

    folder = Path(tempfile.mkdtemp(prefix="dkg-seeds-"))
    try:
        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.multi_cell(0, 8, "Nghi quyet so 12-NQ/TW ngay 16/3/2022 cua Bo Chinh tri")
        pdf.output(str(folder / "seed.pdf"))
        return {"pdf": (folder / "seed.pdf").read_bytes(),
                "docx": ff.docx_with_header_table(folder).read_bytes(),
                "utf8": ff.BODY.encode("utf-8"),
                "utf16": ff.BODY.encode("utf-16"),
                "cp1258": ff.windows_1258_bytes(ff.BODY),
                "tcvn3": ff.legacy_bytes(ff.BODY, ff.TCVN3)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(["pdf", "docx", "utf8", "utf16", "cp1258", "tcvn3"]),
       edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=12),
       keep=st.one_of(st.none(), st.floats(0, 1)),
       suffix=st.sampled_from([".txt", ".pdf", ".docx", ".md", ""]))
def test_damaged_files_raise_only_input_error(seed, edits, keep, suffix):
    data = bytearray(_seeds()[seed])
    for position, value in edits:
        data[position % len(data)] = value
    if keep is not None:
        data = data[: int(len(data) * keep)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"damaged{suffix}"
        path.write_bytes(bytes(data))
        try:
            text = read_text(path)
        except InputError as e:
            assert "\n" not in str(e) and str(e).startswith(f"{path}: ")
        else:
            assert isinstance(text, str) and text.strip()


# ---- good files through the command (needs the parser, graph/parse) ------------------------------------------


@pytest.mark.parametrize("build", [ff.pdf_with_text, ff.docx_with_header_table, ff.windows_1258],
                         ids=lambda b: b.__name__)
def test_cli_extracts_a_good_file(build, tmp_path):
    path = build(tmp_path)
    result = _run_cli(["extract", str(path), "--format", "json"])
    assert result.exit_code == 0, result.stderr or result.exception
    assert str(path) in result.stdout
    assert result.stderr == ""
