"""Names a user types never reach a query as text, never crash: one line, exit code 1, the store unchanged."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

import cli

HOSTILE_NAMES = [
    'x" } ; DROP ALL ; #',
    'http://x/"}DROP',
    "http://x/a b",
    "<http://x> . } INSERT DATA {",
    "'; DELETE WHERE {?s ?p ?o} #",
    "\x00\x1b[31m",
]


@pytest.mark.parametrize("command", [["show"], ["lineage"], ["lineage", "--up"], ["view", "-o", "/dev/null"]])
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_name_is_an_unknown_name(corpus_store, command, name):
    before = CliRunner().invoke(cli.cli, ["stats", "--store", str(corpus_store)]).output
    result = CliRunner().invoke(cli.cli, [*command, name, "--store", str(corpus_store)])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    assert CliRunner().invoke(cli.cli, ["stats", "--store", str(corpus_store)]).output == before


@pytest.mark.parametrize("command", [["show"], ["lineage", "--up"]])
def test_escape_sequences_in_a_file_name_never_reach_the_terminal(tmp_path, corpus_dir, command):
    texts = tmp_path / "texts"
    texts.mkdir()
    evil = texts / "cong-van-\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[2J.txt"
    evil.write_bytes((corpus_dir / "1123-CV-TU-bac-ninh-2026.txt").read_bytes())
    store = str(tmp_path / "store")
    ingested = CliRunner().invoke(cli.cli, ["ingest", str(texts), "--store", store, "--records", str(tmp_path / "r")])
    assert ingested.exit_code == 0, ingested.output
    result = CliRunner().invoke(cli.cli, [*command, "1123-CV/TU", "--store", store])
    assert result.exit_code == 0, result.output
    assert "cong-van-" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
