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
def test_the_endpoint_does_not_call_out_for_a_service_clause(corpus_store, tmp_path):
    """A shared endpoint's users are not trusted: SPARQL 1.1 federation (SERVICE <url>) makes the server fetch any
    URL it can reach (server-side request forgery: cloud metadata, internal hosts). Oxigraph's server does it;
    dkg serve's front refuses the query before Oxigraph sees it."""
    listener = _Listener()
    try:
        query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
        done = subprocess.run([sys.executable, str(PROJECT / "cli.py"), "serve", "--store", str(corpus_store),
                               "--get", "/query?" + urllib.parse.urlencode({"query": query})],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert listener.hits == [], f"the endpoint fetched {listener.url} for a user's query (exit {done.returncode})"
        assert done.returncode == 1
        assert done.stdout.startswith("refused: the query calls SERVICE (line 1, column 18)"), done.stdout
    finally:
        listener.close()


# ---- the SERVICE guard: a lexer, checked against Oxigraph itself ---------------------------------------------------
# Each case: a query ({url} is where a call would go, {base} its folder) and what is true of it.
#   attack:  the guard refuses it, and Oxigraph's server, asked directly, does call {url}
#   refused: the guard refuses it, though Oxigraph would not call out (the guard leans towards refusing)
#   allowed: the guard lets it through, and Oxigraph, asked directly, does not call out
# fmt: off
GUARD_CASES = [
    (r"SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }", "attack"),
    (r"select * where { service <{url}> { ?s ?p ?o } }", "attack"),
    (r"SELECT * WHERE { SeRvIcE SILENT <{url}> { ?s ?p ?o } }", "attack"),
    (r"SELECT*WHERE{SERVICE<{url}>{?s?p?o}}", "attack"),
    (r"SELECT * WHERE { { ?s ?p ?o }SERVICE <{url}> { ?a ?b ?c } }", "attack"),
    (r"SELECT * WHERE { ?s ?p ?o.SERVICE <{url}> { ?a ?b ?c } }", "attack"),
    (r"SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <{url}> { ?s ?q ?r } } }", "attack"),
    (r"SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE <{url}> { ?s ?q ?r } } }", "attack"),
    (r"SELECT * WHERE { { SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } } } }", "attack"),
    (r"SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <{url}> { ?s ?p ?o } } }", "attack"),
    (r"SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{url}> { ?s ?q ?r } } }", "attack"),
    ("SELECT * WHERE { # a comment ends at the line's end\n SERVICE <{url}> { ?s ?p ?o } }", "attack"),
    ("SELECT * WHERE { # and at CR\r SERVICE <{url}> { ?s ?p ?o } }", "attack"),
    (r'SELECT * WHERE { ?s ?p ?o FILTER(?o != "#") SERVICE <{url}> { ?a ?b ?c } }', "attack"),
    (r'SELECT * WHERE { ?s ?p ?o FILTER(?o != "\"#") SERVICE <{url}> { ?a ?b ?c } }', "attack"),
    (r"SELECT * WHERE { ?s ?p ?o FILTER(?o != '''a'' ''') SERVICE <{url}> { ?a ?b ?c } }", "attack"),
    (r"SELECT * WHERE { ?s ?p ?o FILTER(?o != <http://e/#>) SERVICE <{url}> { ?a ?b ?c } }", "attack"),
    (r"SELECT * WHERE { ?s ?p ?o FILTER(1<2) SERVICE <{url}> { ?a ?b ?c } }", "attack"),
    # '<' as less-than: a lexer reads <2)SERVICE?x#> as an IRI, Oxigraph as a filter, a call and a comment
    ("PREFIX in: <{base}> SELECT * WHERE { ?s ?p ?o FILTER(1<2)SERVICEin:internal#>\n{ ?a ?b ?c } }", "attack"),
    (r"PREFIX ex: <http://e/> SELECT * WHERE { ?s ?p ex:.SERVICE <{url}> { ?a ?b ?c } }", "attack"),
    (r'SELECT * WHERE { ?s ?p "x"@en.SERVICE <{url}> { ?a ?b ?c } }', "attack"),
    (r"SELECT * WHERE { ?s ?p 1.SERVICE <{url}> { ?a ?b ?c } }", "attack"),
    (r"PREFIX in: <{base}> SELECT * WHERE { SERVICEin:internal { ?a ?b ?c } }", "attack"),
    (r"PREFIX ex: <http://e/> SELECT * WHERE { ?s ?p ex:a\' . SERVICE <{url}> { ?a ?b ?c } } # '", "attack"),
    (r"SELECT * WHERE { ?s ?p ?o FILTER(?o != <http://e/\u0061>) SERVICE <{url}> { ?a ?b ?c } }", "attack"),
    (r"SELECT * WHERE { \u0053ERVICE <{url}> { ?s ?p ?o } }", "refused"),  # the spec decodes it, Oxigraph 0.5 not
    (r'SELECT * WHERE { ?s ?p "\u0022 SERVICE <{url}> { } " }', "refused"),
    (r"SELECT * WHERE { ?s ?p ?o } # \u000A SERVICE <{url}> { }", "refused"),
    (r"PREFIX service: <http://e/> SELECT * WHERE { ?s service:p ?o }", "refused"),
    (r"SELECT * WHERE { ?s ?p ?o FILTER(?o = <http://e/(x)service#y>) }", "refused"),
    (r'SELECT * WHERE { ?s ?p "x"@en.service }', "refused"),
    (r"SELECT * WHERE { ?s ?p ?o } LIMIT 1 xservice", "refused"),
    (r"SELECT ?service WHERE { ?service ?p ?o } LIMIT 1", "allowed"),
    (r"SELECT $service WHERE { $service ?p ?o } LIMIT 1", "allowed"),
    (r"PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:service ?o }", "allowed"),
    (r"PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:a.service ?o }", "allowed"),
    (r"PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:service\.x ?o }", "allowed"),
    (r"PREFIX ex: <http://e/> SELECT * WHERE { ?s ?p ex:a\'b } # SERVICE <{url}> { }", "allowed"),
    (r'SELECT * WHERE { ?s ?p "SERVICE <{url}> { }" }', "allowed"),
    (r"SELECT * WHERE { ?s ?p 'SERVICE <{url}> { }' }", "allowed"),
    ("SELECT * WHERE { ?s ?p '''it's\nSERVICE <{url}> { }''' }", "allowed"),
    (r'SELECT * WHERE { ?s ?p """""SERVICE <{url}> { }""" }', "allowed"),
    (r"SELECT * WHERE { ?s ?p ?o } # SERVICE <{url}> { ?s ?p ?o }", "allowed"),
    (r"SELECT * WHERE { ?s <http://e/service> ?o }", "allowed"),
    (r"SELECT * WHERE { ?s a <http://www.w3.org/ns/sparql-service-description#Service> }", "allowed"),
    (r"SELECT * WHERE { ?s ?p ?o FILTER(?o = <http://e/a)b#service>) }", "allowed"),
    (r'SELECT * WHERE { ?s ?p "x"@en-service }', "allowed"),
    (r"SELECT * WHERE { ?s ?p _:service }", "allowed"),
    (r"SELECT * WHERE { ?s ?p ?o FILTER(?o < ?service) }", "allowed"),
    (r'SELECT * WHERE { ?s ?p ?o FILTER(CONTAINS(LCASE(STR(?o)), "service")) }', "allowed"),
    (r"SELECT * WHERE { ?s ?p ?o LATERAL { SELECT ?x WHERE { ?s ?q ?x } LIMIT 1 } } LIMIT 3", "allowed"),
]
# fmt: on
GUARD_URL = "http://127.0.0.1:9/internal"


def _case(query: str, url: str) -> str:
    return query.replace("{url}", url).replace("{base}", url.rsplit("/", 1)[0] + "/")


@pytest.mark.parametrize("query, verdict", GUARD_CASES)
def test_guard_finds_service_where_oxigraph_would_run_it(query, verdict):
    from graph.sparql_guard import find_service

    found = find_service(_case(query, GUARD_URL))
    assert (found is not None) == (verdict != "allowed"), found


@pytest.mark.parametrize("query, line, column, decoded", [
    ("SELECT * WHERE {\n  SERVICE <http://x/> { } }", 2, 3, False),
    (r"SELECT * WHERE { \u0053ERVICE <http://x/> { } }", 1, 18, True),
    (r"ASK { \\u0053ERVICE }", 1, 8, True),  # '\\u' decoded as the spec says, not as a pair
])
def test_guard_says_where(query, line, column, decoded):
    from graph.sparql_guard import ServiceCall, find_service

    assert find_service(query) == ServiceCall(line, column, decoded)


@pytest.mark.parametrize("path", sorted((PROJECT / "ontology" / "queries").glob("*.rq")), ids=lambda p: p.stem)
def test_guard_lets_dkg_s_own_named_queries_through(path):
    from graph.sparql_guard import find_service

    assert find_service(path.read_text(encoding="utf-8")) is None


@pytest.fixture(scope="module")
def guard_store(tmp_path_factory) -> Path:
    """A store where each odd term an attack puts before SERVICE (ex:, "x"@en, 1, ex:a\\') is an object, so
    that the pattern matches and Oxigraph goes on to the call."""
    import pyoxigraph as ox

    from graph.store import writing

    folder = tmp_path_factory.mktemp("guard") / ".dkg"
    s, p, g = ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.NamedNode("http://e/g")
    objects = [ox.NamedNode("http://e/"), ox.NamedNode("http://e/a'"), ox.Literal("x", language="en"), ox.Literal(1)]
    with writing(folder, fresh=True) as w:
        w.ox.extend(ox.Quad(s, p, o, g) for o in objects)
    return folder


@pytest.fixture(scope="module")
def oxigraph_direct(guard_store):
    """Oxigraph's read-only server, without dkg's front: what the guard protects."""
    from graph.serve import Endpoint, free_port
    from graph.store import oxigraph_dir

    with Endpoint(oxigraph_dir(guard_store), "127.0.0.1", free_port(), timeout=30) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def dkg_serve(guard_store):
    """A real ``dkg serve`` on the same store; yields its query URL."""
    from graph.serve import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, str(PROJECT / "cli.py"), "serve", "--store", str(guard_store), "--bind",
                             f"127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = proc.stdout.readline().decode()
        assert line.startswith("SPARQL endpoint:"), line or proc.stderr.read().decode()
        yield f"http://127.0.0.1:{port}/query"
    finally:
        proc.terminate()
        proc.wait(15)
        proc.stdout.close()
        proc.stderr.close()


def _post(url: str, query: str) -> tuple[int, str]:
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, data=urllib.parse.urlencode({"query": query}).encode(),
                                 headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


@pytest.mark.server
@pytest.mark.parametrize("query, verdict", GUARD_CASES)
def test_guard_cases_against_oxigraph_and_dkg_serve(oxigraph_direct, dkg_serve, query, verdict):
    """Each case is a fact about Oxigraph (an attack calls out, an allowed query does not), and dkg serve refuses
    exactly the attacks and the refused cases, with no request reaching the listener."""
    listener = _Listener()
    try:
        text = _case(query, listener.url)
        _post(oxigraph_direct.query_url, text)
        called = bool(listener.hits)
        assert called == (verdict == "attack"), f"Oxigraph itself called out: {called} ({listener.hits})"
        listener.hits.clear()
        status, body = _post(dkg_serve, text)
        assert listener.hits == []
        refused = status == 400 and body.startswith("refused: the query calls SERVICE")
        assert refused == (verdict != "allowed"), (status, body[:200])
        if refused:
            assert body.count("\n") == 1
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
