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
