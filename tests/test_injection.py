"""Hostile names, parameters and queries never change the store and never run what they smuggle in.

tests/test_sparql.py, test_lineage.py and test_graph_cli.py each try one injection string on their command; this
file runs the whole table over every command that takes a name or a parameter, and checks the store quad by
quad afterwards. It also checks that a query cannot make the endpoint call out (SPARQL SERVICE).
"""
from __future__ import annotations

import hashlib
import http.server
import json
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli

pytest.importorskip("graph.parse.header", reason="the parser is needed for ingest")

PROJECT = Path(__file__).resolve().parent.parent

# fmt: off
INJECTIONS = [
    'x" } ; DROP ALL ; #',
    "<http://x> . } INSERT DATA {",
    "'; DELETE WHERE {?s ?p ?o} #",
    '12-NQ/TW" } ; CLEAR ALL ; #',                       # a real code first: the look-up must not be fooled
    "https://w3id.org/dkg/id/x> } INSERT DATA { <a> <b> <c> } #",
    "<https://w3id.org/dkg/id/x> } ; DROP ALL",
    "12-NQ/TW\n} ; DROP ALL ; #",
    "nghị quyết 12 \" ) . FILTER(true) } #",
    "\x00\x1b[2J",
]
COMMANDS = [  # how each command takes the hostile text
    lambda s: ["show", s],
    lambda s: ["show", s, "--format", "json"],
    lambda s: ["lineage", s],
    lambda s: ["lineage", s, "--up", "--format", "json"],
    lambda s: ["sparql", "lineage-down", "--param", f"doc={s}"],
    lambda s: ["sparql", "tasks-by-organisation", "--param", f"org={s}"],
]
UPDATES = ["DROP ALL", "CLEAR ALL", "DELETE WHERE { ?s ?p ?o }", "INSERT DATA { <http://a> <http://b> <http://c> }",
           "LOAD <http://127.0.0.1:1/x.ttl>", "SELECT * WHERE { ?s ?p ?o } ; DROP ALL"]
# fmt: on


def _dkg(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _digest(store: Path) -> tuple[int, str]:
    from graph import store as store_mod

    s = store_mod.open_read_only(store)
    try:
        quads = sorted(str(q) for q in s.ox)
        return len(quads), hashlib.sha256("\n".join(quads).encode()).hexdigest()
    finally:
        del s


def _named_query_parameters() -> set[str]:
    from graph.sparql import named_queries

    return {(q.name, p.name) for q in named_queries().values() for p in q.params}


def test_the_commands_use_the_named_queries_they_say():
    assert {("lineage-down", "doc"), ("tasks-by-organisation", "org")} <= _named_query_parameters()


@pytest.mark.parametrize("command", range(len(COMMANDS)), ids=["show", "show-json", "lineage", "lineage-up",
                                                                 "sparql-doc", "sparql-org"])
def test_hostile_names_are_unknown_or_clean_errors_and_change_nothing(corpus_store, command):
    before = _digest(corpus_store)
    for hostile in INJECTIONS:
        result = _dkg(*COMMANDS[command](hostile), "--store", corpus_store)
        shown = repr(hostile[:40])
        assert isinstance(result.exception, SystemExit) or result.exception is None, (shown, result.exception)
        if result.exit_code == 0:  # a name that still means a real document ("12-NQ/TW\n} ...": the code first)
            assert "12-NQ/TW" in hostile, (shown, result.output[:200])
            continue
        assert result.exit_code in (1, 2), (shown, result.exit_code)
        first = result.stderr.splitlines()[0]
        assert first.startswith("Error: "), (shown, result.stderr)
        assert "dkg bug" not in first and "unexpected" not in first, (shown, first)
        if result.exit_code == 1:
            assert result.stderr.count("\n") == 1, (shown, result.stderr)
    assert _digest(corpus_store) == before


@pytest.mark.parametrize("args", [["show"], ["lineage"], ["sparql", "lineage-down", "--param"]],
                         ids=["show", "lineage", "sparql"])
def test_a_name_with_a_5000_digit_number_is_a_clean_error(corpus_store, args):
    """graph/names.py reads the number with int(), which refuses more than 4,300 digits (ValueError): today
    "unexpected ValueError ... (a dkg bug)"."""
    name = "9" * 5000 + "-NQ/TW"
    result = _dkg(*args, f"doc={name}" if args[0] == "sparql" else name, "--store", corpus_store)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no document"), result.stderr[:200]


@pytest.mark.parametrize("update", UPDATES)
def test_update_text_given_as_a_query_is_refused(corpus_store, update):
    before = _digest(corpus_store)
    result = _dkg("sparql", update, "--store", corpus_store)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert _digest(corpus_store) == before


@pytest.mark.parametrize("hostile", INJECTIONS[:4])
def test_a_bound_parameter_stays_a_literal(corpus_store, hostile):
    result = _dkg("sparql", "SELECT ?d ?c WHERE { ?d dkg:code ?c }", "--param", f"c={hostile}", "--format", "json",
                  "--store", corpus_store)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"]["bindings"] == []


class _Listener:
    """A local HTTP server that records every request made to it (where a SERVICE call would go)."""

    def __init__(self):
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append(self.path)
                self.send_response(404)
                self.end_headers()

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/internal"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.server
@pytest.mark.xfail(strict=True, reason="known gap (SECURITY.md): Oxigraph's server runs SERVICE clauses and has no "
                   "switch to refuse them; deploy dkg serve without outbound network until dkg refuses SERVICE")
def test_the_endpoint_does_not_call_out_for_a_service_clause(corpus_store, tmp_path):
    """A shared endpoint's users are not trusted: SPARQL 1.1 federation (SERVICE <url>) makes the server fetch any
    URL it can reach (server-side request forgery: cloud metadata, internal hosts). Oxigraph's server does it;
    SECURITY.md tells how to deploy without outbound network until dkg serve refuses SERVICE."""
    listener = _Listener()
    try:
        query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
        done = subprocess.run([sys.executable, str(PROJECT / "cli.py"), "serve", "--store", str(corpus_store),
                               "--get", "/query?" + urllib.parse.urlencode({"query": query})],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert listener.hits == [], f"the endpoint fetched {listener.url} for a user's query (exit {done.returncode})"
    finally:
        listener.close()


def test_terminal_escapes_in_a_text_never_reach_the_terminal(tmp_path, corpus_dir):
    """A text can carry terminal control sequences (OSC 52 writes the clipboard, SGR 8 hides what follows);
    normalisation turns control characters into spaces, so records, the store and `dkg show` never hold them."""
    letter = (corpus_dir / "1123-CV-TU-bac-ninh-2026.txt").read_text(encoding="utf-8")
    at = letter.index("\n1. ") + 4
    escapes = "\x1b]52;c;cm0gLXJmIH4K\x07\x1b[8m"
    (tmp_path / "cv.txt").write_text(letter[:at] + escapes + letter[at:], encoding="utf-8")
    store, records = tmp_path / "store", tmp_path / "records"
    assert _dkg("ingest", tmp_path / "cv.txt", "--store", store, "--records", records, "--jobs", "1").exit_code == 0
    for args in (["show", "1123-CV/TU"], ["lineage", "1123-CV/TU", "--up", "--evidence"], ["export", "--format", "nt"]):
        out = _dkg(*args, "--store", store).stdout
        assert "\x1b" not in out and "\x07" not in out, args
    assert "]52;c;cm0gLXJmIH4K" in _dkg("show", "1123-CV/TU", "--store", store).stdout  # shown, harmless
    assert not any("\x1b" in p.read_text(encoding="utf-8") for p in records.glob("*.yaml"))
