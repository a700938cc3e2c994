"""Remote mode (``--endpoint``): the serialiser and VALUES binding on their own, then the same CLI scenario on
the embedded store and on a real Oxigraph server (read-write), whose answers must be equal."""
from __future__ import annotations

import base64
import http.server
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner

from cli import cli
from graph.errors import QueryError, StoreError
from graph.remote import Endpoint, bind_values, iri_text, literal_text, query_form, term_text

pytest.importorskip("graph.parse.header", reason="the parser (issue 2) is needed for ingest")

HOSTILE = ['x" } ; DROP ALL ; #', "x' } ; DROP ALL ; #", 'a\\" } DROP ALL #', "\\u0022 } ; DROP ALL ; #",
           '"""', "'''", "line\nbreak\r\n\ttab", "back\\slash\\", "Nghị quyết 12-NQ/TW", "\\", "", "}\n#"]


# ---- the serialiser: every value comes back as it went in, and never leaves its literal ---------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_literal_round_trips_through_the_sparql_parser(value):
    import pyoxigraph as ox

    rows = list(ox.Store().query(f"SELECT ?x WHERE {{ BIND({literal_text(value)} AS ?x) }}"))
    assert len(rows) == 1 and rows[0]["x"] == ox.Literal(value)


@pytest.mark.parametrize("value, language, datatype", [
    ("Hà Nội", "vi", None), ("12", None, "http://www.w3.org/2001/XMLSchema#integer"),
    ("2026-05-15", None, "http://www.w3.org/2001/XMLSchema#date"), ('x" } DROP ALL', "en", None),
])
def test_typed_and_tagged_literals_round_trip(value, language, datatype):
    import pyoxigraph as ox

    term = ox.Literal(value, language=language) if language else ox.Literal(value, datatype=ox.NamedNode(datatype))
    rows = list(ox.Store().query(f"SELECT ?x WHERE {{ BIND({term_text(term)} AS ?x) }}"))
    assert rows[0]["x"] == term


@pytest.mark.parametrize("value", ["http://x/a>} DROP ALL #", "http://x/a b", "http://x/\"", "no-scheme", "http://x/{",
                                   "http://x/\\u003e", "", "http://x/\n"])
def test_iris_outside_the_grammar_are_refused(value):
    with pytest.raises(QueryError):
        iri_text(value)


@pytest.mark.parametrize("tag", ["vi} DROP", "vi\n", "", "-x"])
def test_bad_language_tags_are_refused(tag):
    with pytest.raises(QueryError):
        literal_text("x", language=tag or "-")


def test_blank_nodes_only_in_data():
    import pyoxigraph as ox

    with pytest.raises(QueryError):
        term_text(ox.BlankNode("b1"))
    assert term_text(ox.BlankNode("b1"), blank_ok=True) == "_:b1"


@pytest.mark.parametrize("text, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"), ("prefix a: <http://x/> ask { ?s ?p ?o }", "ASK"),
    ("# SELECT\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"), ("DESCRIBE <http://x/>", "DESCRIBE"),
    ("DROP ALL", None), ('INSERT DATA { <http://x/> <http://x/> "SELECT" }', None),
    ('PREFIX s: <http://x/select> DELETE WHERE { ?s ?p ?o }', None),
])
def test_query_form(text, form):
    assert query_form(text) == form


# ---- VALUES binding gives what pyoxigraph's substitutions give ------------------------------------------------

BIND_CASES = [
    ("SELECT ?s ?o WHERE { ?s <http://x/p> ?o }", {"s": "http://x/a"}),
    ("SELECT ?o WHERE { ?s <http://x/p> ?o }", {"o": "one"}),
    ("SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s", {"s": "http://x/b"}),
    ("SELECT ?s ?o { ?s <http://x/p> ?o OPTIONAL { ?o <http://x/q> ?z } }", {"s": "http://x/a"}),
    ("SELECT ?s ?x WHERE { { SELECT ?s (COUNT(?o) AS ?x) WHERE { ?s ?p ?o } GROUP BY ?s } }", {"s": "http://x/a"}),
    ("SELECT ?s ?o WHERE { ?s <http://x/p> ?o } ORDER BY ?o LIMIT 5", {"s": "http://x/a", "o": "two"}),
    ("SELECT ?s WHERE { ?s <http://x/p> \"{ ?s }\" } # { ?s }", {"s": "http://x/c"}),
    ("SELECT ?s ?o WHERE { ?s <http://x/p> ?o }", {"o": 'x" } ; DROP ALL ; #'}),
    ("ASK { ?s <http://x/p> ?o }", {"o": "one"}),
    ("ASK { ?s <http://x/p> ?o }", {"o": "nothing"}),
    ("CONSTRUCT { ?s <http://x/r> ?o } WHERE { ?s <http://x/p> ?o }", {"s": "http://x/a"}),
    ("CONSTRUCT WHERE { ?s <http://x/p> ?o }", {"o": "two"}),
]


@pytest.fixture(scope="module")
def small_store():
    import pyoxigraph as ox

    store = ox.Store()
    x = "http://x/"
    for s, o in (("a", "one"), ("a", "two"), ("b", "one"), ("c", "{ ?s }"), ("d", 'x" } ; DROP ALL ; #')):
        store.add(ox.Quad(ox.NamedNode(x + s), ox.NamedNode(x + "p"), ox.Literal(o), ox.DefaultGraph()))
    return store


def _term(value):
    import pyoxigraph as ox

    return ox.NamedNode(value) if value.startswith("http://") else ox.Literal(value)


def _answer(result):
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QueryTriples):
        return sorted(map(str, result))
    # GROUP_CONCAT joins in no set order (SPARQL leaves it open): its parts are compared as a set
    return sorted(tuple(", ".join(sorted(row[v].value.split(", "))) if v.value == "roles" else str(row[v])
                        for v in result.variables) for row in result)


@pytest.mark.parametrize("text, params", BIND_CASES)
def test_values_binding_equals_substitution(small_store, text, params):
    import pyoxigraph as ox

    terms = {k: _term(v) for k, v in params.items()}
    expected = _answer(small_store.query(text, substitutions={ox.Variable(k): t for k, t in terms.items()}))
    bound = bind_values(text, {k: term_text(t) for k, t in terms.items()})
    assert _answer(small_store.query(bound)) == expected, bound


def test_named_queries_bind_like_substitutions(embedded):
    """Every named query with its parameter, on the corpus store: VALUES text and substitutions agree."""
    import pyoxigraph as ox

    from graph.sparql import bind, named_queries
    from graph.store import open_read_only

    store = open_read_only(embedded)
    values = {"document": "12-NQ/TW", "organisation": "Đảng ủy Công an tỉnh"}
    checked = 0
    for q in named_queries().values():
        params = {p.name: values[p.kind] for p in q.params if p.kind in values}
        if len(params) != len(q.params):
            continue
        subs = bind(store, q, params)
        expected = _answer(store.query(q.text, subs))
        bound = bind_values(q.text, {k: term_text(v) for k, v in subs.items()})
        assert _answer(store.query(bound, None)) == expected, q.name
        checked += 1
        assert ox  # pyoxigraph terms came back from bind
    assert checked >= 4


def test_bad_variable_names_are_refused():
    with pytest.raises(QueryError):
        bind_values("SELECT ?x {}", {"x } DROP ALL": "<http://x/>"})


# ---- endpoint URLs and environment ------------------------------------------------------------------------------

URL_CASES = [
    ("http://127.0.0.1:7878/query", {}, ("http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update",
                                         "http://127.0.0.1:7878/store")),
    ("http://127.0.0.1:7878", {}, ("http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update",
                                   "http://127.0.0.1:7878/store")),
    ("http://h:3030/ds/sparql", {"DKG_UPDATE_ENDPOINT": "http://h:3030/ds/update", "DKG_STORE_ENDPOINT": "http://h:3030/ds/data"},
     ("http://h:3030/ds/sparql", "http://h:3030/ds/update", "http://h:3030/ds/data")),
    ("https://h/sparql", {}, ("https://h/sparql", "https://h/sparql", None)),
    ("http://u:secret@h:7878/query", {}, ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store")),
]


@pytest.mark.parametrize("url, env, urls", URL_CASES)
def test_urls_derive_from_the_query_url(url, env, urls):
    e = Endpoint.from_url(url, environ=env)
    assert (e.query_url, e.update_url, e.store_url) == urls
    assert "secret" not in repr(e)


@pytest.mark.parametrize("url, env", [
    ("ftp://h/query", {}), ("not a url", {}), ("http:///query", {}),
    ("http://h/query", {"DKG_WRITE_PROTOCOL": "carrier-pigeon"}),
    ("http://h/sparql", {"DKG_WRITE_PROTOCOL": "graph-store"}),
    ("http://h/query", {"DKG_ENDPOINT_TIMEOUT": "soon"}),
])
def test_bad_endpoint_settings_are_one_line(url, env):
    with pytest.raises(StoreError) as e:
        Endpoint.from_url(url, environ=env)
    assert "\n" not in str(e.value)


# ---- against a real server --------------------------------------------------------------------------------------


def run(*args, env=None, ok=True):
    result = CliRunner().invoke(cli, [str(a) for a in args], env=env)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def _free_port() -> int:
    from graph.serve import free_port

    return free_port()


def _wait_ready(url: str, within: float = 20) -> None:
    deadline = time.monotonic() + within
    while True:
        try:
            with urllib.request.urlopen(url + "?query=" + urllib.parse.quote("ASK {}"), timeout=2):
                return
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    """A read-write Oxigraph server on a free loopback port; yields its query URL."""
    from graph.serve import oxigraph_binary

    folder = tmp_path_factory.mktemp("oxigraph-server")
    port = _free_port()
    proc = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(folder / "db"), "--bind",
                             f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    try:
        _wait_ready(url)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory, corpus_dir):
    store = tmp_path_factory.mktemp("embedded") / "store"
    run("ingest", corpus_dir, "--store", store, "--records", store.parent / "records")
    return store


@pytest.fixture(scope="module")
def remote(oxigraph_server, corpus_dir, tmp_path_factory):
    records = tmp_path_factory.mktemp("remote-records")
    run("ingest", corpus_dir, "--endpoint", oxigraph_server, "--records", records)
    return oxigraph_server


def _count(url: str) -> int:
    from graph.remote import connect

    return len(connect(url))


def _normal(output: str):
    """Answers compared without their order (a server may list equal rows or triples in another order)."""
    if output.startswith("@prefix"):
        import pyoxigraph as ox

        return sorted(map(str, ox.parse(output.encode("utf-8"), format=ox.RdfFormat.TURTLE)))
    try:
        data = json.loads(output)
    except ValueError:
        return output
    return _sorted(data)


def _sorted(value):
    if isinstance(value, dict):
        return {k: _sorted(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


SCENARIO = [
    ("show", "1123-CV/TU", "--format", "json"),
    ("show", "1123-CV/TU"),
    ("show", "Đảng ủy Công an tỉnh", "--format", "json"),
    ("stats", "--format", "json"),
    ("lineage", "12-NQ/TW", "--format", "json"),
    ("lineage", "12-NQ/TW", "--level", "commune"),
    ("lineage", "1123-CV/TU", "--up"),
    ("lineage", "Nghị quyết 12-NQ/TW", "--format", "csv"),
    ("lineage", "nghi quyet 12"),  # ambiguous: the same candidates, exit code 2
    ("sparql", "documents", "--format", "json"),
    ("sparql", "lineage-down", "--param", "doc=12-NQ/TW", "--format", "json"),
    ("sparql", "lineage-up", "--param", "doc=1123-CV/TU", "--format", "json"),
    ("sparql", "citing", "--param", "doc=343-QĐ/TW", "--format", "json"),
    ("sparql", "commune-tasks", "--param", "doc=12-NQ/TW", "--format", "json"),
    ("sparql", "unresolved-references", "--format", "csv"),
    ("sparql", "SELECT ?d ?code WHERE { ?d dkg:code ?code } ORDER BY ?code", "--format", "table"),
    ("sparql", "ASK { ?d dkg:code ?c }", "--param", "c=12-NQ/TW", "--format", "json"),
    ("sparql", "CONSTRUCT { ?d dkg:code ?c } WHERE { ?d dkg:code ?c }"),
    ("export", "--format", "nt"),
    ("export", "--format", "nq"),
    ("export", "--format", "csv"),
    ("validate",),
]


@pytest.mark.server
@pytest.mark.parametrize("args", SCENARIO, ids=lambda a: " ".join(a)[:50])
def test_same_answers_as_the_embedded_store(embedded, remote, args):
    here = run(*args, "--store", embedded, ok=False)
    there = run(*args, "--endpoint", remote, ok=False)
    assert here.exit_code in (0, 2) and "Traceback" not in here.output
    assert (there.exit_code, _normal(there.output)) == (here.exit_code, _normal(here.output))


@pytest.mark.server
def test_view_page_is_the_same(embedded, remote, tmp_path):
    run("view", "12-NQ/TW", "--store", embedded, "-o", tmp_path / "here.html")
    run("view", "12-NQ/TW", "--endpoint", remote, "-o", tmp_path / "there.html")
    assert (tmp_path / "there.html").read_bytes() == (tmp_path / "here.html").read_bytes()


@pytest.mark.server
def test_endpoint_from_the_environment(embedded, remote):
    there = run("stats", "--format", "json", env={"DKG_ENDPOINT": remote})
    assert json.loads(there.output) == json.loads(run("stats", "--format", "json", "--store", embedded).output)


@pytest.mark.server
def test_ingest_again_changes_nothing(remote, corpus_dir, tmp_path):
    before = _count(remote)
    result = run("ingest", corpus_dir, "--endpoint", remote, "--records", tmp_path / "records")
    assert f"{before} quads in the store" in result.output
    assert _count(remote) == before


HOSTILE_ARGS = [
    ("show", 'x" } ; DROP ALL ; #'),
    ("show", 'http://x/"} DROP ALL #'),
    ("lineage", "12-NQ/TW\" } ; DROP ALL ; #"),
    ("sparql", "DROP ALL"),
    ("sparql", "CLEAR ALL ; INSERT DATA { <http://x/> <http://x/> 1 }"),
    ("sparql", "SELECT ?o WHERE { ?s ?p ?o } LIMIT 1", "--param", 'o=x" } ; DROP ALL ; #'),
    ("sparql", "SELECT ?o WHERE { ?s ?p ?o } LIMIT 1", "--param", "o=<http://x/> } DROP ALL #"),
    ("sparql", "citing", "--param", 'doc=x" } ; DROP ALL ; #'),
    ("sparql", "SELECT * WHERE { ?s ?p"),
]


@pytest.mark.server
@pytest.mark.parametrize("args", HOSTILE_ARGS, ids=lambda a: " ".join(a)[:40])
def test_hostile_names_and_params_change_nothing(remote, args):
    before = _count(remote)
    result = run(*args, "--endpoint", remote, ok=False)
    assert "Traceback" not in result.output
    if result.exit_code:
        assert result.output.count("\n") <= 2 and "Error:" in result.output
    assert _count(remote) == before


@pytest.mark.server
def test_build_replaces_graphs_and_drops_those_no_record_has(remote, embedded, tmp_path):
    from graph.remote import connect

    records = embedded.parent / "records"
    stray = "http://example.org/stray-graph"
    with connect(remote, write=True) as w:
        w._update(f"INSERT DATA {{ GRAPH <{stray}> {{ <http://x/s> <http://x/p> \"stray\" }} }}")
    assert stray in connect(remote).named_graphs()
    run("build", "--endpoint", remote, "--records", records)
    run("build", "--store", tmp_path / "built", "--records", records)
    assert stray not in connect(remote).named_graphs()
    nq = ("export", "--format", "nq")
    assert run(*nq, "--endpoint", remote).output == run(*nq, "--store", tmp_path / "built").output


@pytest.mark.server
def test_graph_store_protocol_writes_the_same(embedded, tmp_path, corpus_dir):
    from graph.serve import oxigraph_binary

    port = _free_port()
    proc = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(tmp_path / "db"), "--bind",
                             f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    try:
        _wait_ready(url)
        env = {"DKG_WRITE_PROTOCOL": "graph-store"}
        run("ingest", corpus_dir, "--endpoint", url, "--records", tmp_path / "records", env=env)
        nq = ("export", "--format", "nq")
        assert run(*nq, "--endpoint", url).output == run(*nq, "--store", embedded).output
        run("ingest", corpus_dir, "--endpoint", url, "--records", tmp_path / "records", env=env)
        run("build", "--endpoint", url, "--records", tmp_path / "records", env=env)
        assert run(*nq, "--endpoint", url).output == run(*nq, "--store", embedded).output
    finally:
        proc.terminate()
        proc.wait(10)


# ---- credentials ------------------------------------------------------------------------------------------------

SECRET = "s3cr3t-Pa55word"


class _AuthProxy(http.server.BaseHTTPRequestHandler):
    """A reverse proxy that wants HTTP basic auth (as an nginx in front of a triplestore would) and, like a
    careless server, echoes the Authorization header it got in its 401 body."""

    upstream = ""
    expected = ""

    def _forward(self):
        auth = self.headers.get("Authorization", "")
        if auth != self.expected:
            body = f"bad credentials: {auth} {base64.b64decode(auth.split()[-1] + '==').decode('latin-1') if auth else ''}"
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="dkg"')
            self.end_headers()
            self.wfile.write(body.encode("utf-8", "replace"))
            return
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
        req = urllib.request.Request(self.upstream + self.path, data=data, method=self.command, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, ctype, body = r.status, r.headers.get("Content-Type", ""), r.read()
        except urllib.error.HTTPError as e:
            status, ctype, body = e.code, e.headers.get("Content-Type", ""), e.read()
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _forward

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def auth_proxy(remote):
    parts = urllib.parse.urlsplit(remote)
    handler = type("Proxy", (_AuthProxy,), {
        "upstream": f"{parts.scheme}://{parts.netloc}",
        "expected": "Basic " + base64.b64encode(f"analyst:{SECRET}".encode()).decode()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/query"
    server.shutdown()


@pytest.mark.server
def test_credentials_from_the_environment_work(auth_proxy, remote):
    env = {"DKG_ENDPOINT_USER": "analyst", "DKG_ENDPOINT_PASSWORD": SECRET}
    assert run("stats", "--endpoint", auth_proxy, env=env).output == run("stats", "--endpoint", remote).output


@pytest.mark.server
@pytest.mark.parametrize("url, env, message", [
    ("{proxy}", {"DKG_ENDPOINT_USER": "analyst", "DKG_ENDPOINT_PASSWORD": SECRET + "x"}, "HTTP 401 unauthorized"),
    ("{proxy}", {"DKG_ENDPOINT_TOKEN": SECRET}, "HTTP 401 unauthorized"),
    ("http://analyst:{secret}@127.0.0.1:{closed}/query", {}, "connection refused"),
    ("http://127.0.0.1:{closed}/query", {"DKG_ENDPOINT_USER": "analyst", "DKG_ENDPOINT_PASSWORD": SECRET},
     "connection refused"),
])
def test_credentials_never_appear_in_errors(auth_proxy, url, env, message):
    url = url.format(proxy=auth_proxy, secret=SECRET, closed=_free_port())
    for args in (("stats",), ("show", "12-NQ/TW"), ("sparql", "ASK {}")):
        result = run(*args, "--endpoint", url, env=env, ok=False)
        assert result.exit_code == 1
        assert result.output.startswith("Error: endpoint http://127.0.0.1:") and message in result.output
        assert result.output.count("\n") == 1
        assert SECRET not in result.output and base64.b64encode(f"analyst:{SECRET}".encode()).decode() not in \
            result.output
        assert "analyst:" not in result.output


@pytest.mark.server
def test_no_answer_within_the_timeout_is_one_line():
    import socket

    with socket.socket() as listener:  # accepts, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/query"
        result = run("stats", "--endpoint", url, env={"DKG_ENDPOINT_TIMEOUT": "0.5"}, ok=False)
    assert result.exit_code == 1 and "no answer within 0.5 s" in result.output
    assert os.environ.get("DKG_ENDPOINT_PASSWORD") is None or os.environ["DKG_ENDPOINT_PASSWORD"] not in result.output


@pytest.mark.server
def test_writes_larger_than_one_request_give_the_same_store(remote, embedded, corpus_dir, tmp_path, monkeypatch):
    """A build or an ingest of more than `CHUNK` quads goes in several requests (here CHUNK is made small)."""
    import graph.remote

    monkeypatch.setattr(graph.remote, "CHUNK", 97)
    records = embedded.parent / "records"
    nq = ("export", "--format", "nq")
    run("build", "--endpoint", remote, "--records", records)
    assert run(*nq, "--endpoint", remote).output == run(*nq, "--store", embedded).output
    run("ingest", corpus_dir, "--endpoint", remote, "--records", tmp_path / "records")
    assert run(*nq, "--endpoint", remote).output == run(*nq, "--store", embedded).output
