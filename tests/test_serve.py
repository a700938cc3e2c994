"""dkg serve: real ``dkg serve`` processes (each with its Oxigraph child) on free loopback ports, over a real
store folder written with `graph.store.writing`, queried with real clients and parsed with real parsers."""
from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import select
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from graph.serve import free_port

pytestmark = pytest.mark.server

PROJECT = Path(__file__).resolve().parent.parent
DKG = "https://w3id.org/dkg/ontology#"
ID = "https://w3id.org/dkg/id/"
EX = "http://example.org/noise/"
NQ12 = ID + "doc/tw/2024/nghi-quyet/12"
DOCS = {  # document IRI -> (named graph, title, what it implements)
    NQ12: (ID + "graph/doc/nq-12", "Nghị quyết số 12-NQ/TW về công tác cán bộ", None),
    ID + "doc/bac-ninh/2024/ke-hoach/45": (ID + "graph/doc/kh-45", "Kế hoạch thực hiện Nghị quyết 12", NQ12),
    ID + "doc/bac-ninh/2024/cong-van/1123": (ID + "graph/doc/cv-1123", "Công văn số 1123-CV/TU",
                                             ID + "doc/bac-ninh/2024/ke-hoach/45"),
}
CYCLE = 1500  # noise triples in a cycle: a cross product of four copies is ~5e12 rows
TITLES = sorted((doc, title) for doc, (_, title, _) in DOCS.items())
SELECT_TITLES = f"SELECT ?doc ?title WHERE {{ ?doc <{DKG}title> ?title }} ORDER BY ?doc"


def store_quads():
    import pyoxigraph as ox

    quads = []
    for doc, (graph, title, parent) in DOCS.items():
        g, d = ox.NamedNode(graph), ox.NamedNode(doc)
        quads.append(ox.Quad(d, ox.NamedNode(DKG + "title"), ox.Literal(title, language="vi"), g))
        if parent:
            quads.append(ox.Quad(d, ox.NamedNode(DKG + "implements"), ox.NamedNode(parent), g))
    noise = ox.NamedNode(EX + "graph")
    quads += [ox.Quad(ox.NamedNode(f"{EX}n{i}"), ox.NamedNode(EX + "next"), ox.NamedNode(f"{EX}n{(i + 1) % CYCLE}"),
                      noise) for i in range(CYCLE)]
    return quads


TOTAL = len(DOCS) * 2 - 1 + CYCLE


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    from graph.store import writing

    folder = tmp_path_factory.mktemp("serve") / ".dkg"
    with writing(folder, fresh=True) as w:
        w.ox.extend(store_quads())
    return folder


def dkg(*args, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import cli; cli.cli()", *args], cwd=PROJECT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def children(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (a /proc scan)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return found


def servers_of(store: Path) -> set[int]:
    """Pids of Oxigraph servers running on the store's database (a /proc scan of command lines)."""
    from graph.store import oxigraph_dir

    location = str(oxigraph_dir(store)).encode()
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    args = f.read().split(b"\0")
            except OSError:
                continue
            if b"serve-read-only" in args and location in args and alive(int(entry)):
                found.add(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return not alive(pid)


class Server:
    """A running ``dkg serve`` subprocess and its Oxigraph child."""

    def __init__(self, store: Path, *extra: str, timeout: int = 10):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/query"
        self.proc = dkg("serve", "--store", str(store), "--bind", f"127.0.0.1:{self.port}", "--timeout",
                        str(timeout), *extra)
        self.line = self._read_line(30)
        assert self.line.startswith(f"SPARQL endpoint: {self.url} (read-only, timeout {timeout} s, "), self.line
        self.child = children(self.proc.pid)[0]

    def _read_line(self, within: float) -> str:
        ready, _, _ = select.select([self.proc.stdout], [], [], within)
        if not ready:
            self.stop()
            pytest.fail("dkg serve printed nothing")
        line = self.proc.stdout.readline().decode()
        if not line:
            self.proc.wait(10)
            pytest.fail(f"dkg serve exited {self.proc.returncode}: {self.proc.stderr.read().decode()}")
        return line.strip()

    def post(self, path: str, data: dict, accept: str = "application/sparql-results+json", timeout: float = 20):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}",
                                     data=urllib.parse.urlencode(data).encode(), headers={"Accept": accept})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def count(self) -> int:
        status, body = self.post("/query", {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
        assert status == 200, body
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])

    def stop(self) -> str:
        """Stop dkg serve (SIGTERM) and return what it wrote on stderr."""
        if self.proc.stdout.closed:
            return self.stderr
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for pid in [getattr(self, "child", None)]:
            if pid and alive(pid):
                os.kill(pid, signal.SIGKILL)
        self.stderr = self.proc.stderr.read().decode()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.stderr


@pytest.fixture(scope="module")
def server(store):
    s = Server(store)
    try:
        yield s
    finally:
        s.stop()


# ---- answers in every format -------------------------------------------------------------------------------------


def parse_json(body: bytes):
    rows = json.loads(body)["results"]["bindings"]
    return [(r["doc"]["value"], r["title"]["value"]) for r in rows], [r["title"].get("xml:lang") for r in rows]


def parse_xml(body: bytes):
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    rows, langs = [], []
    for result in ET.fromstring(body).iterfind("r:results/r:result", ns):
        doc = result.find("r:binding[@name='doc']/r:uri", ns).text
        title = result.find("r:binding[@name='title']/r:literal", ns)
        rows.append((doc, title.text))
        langs.append(title.get("{http://www.w3.org/XML/1998/namespace}lang"))
    return rows, langs


def parse_csv(body: bytes):
    reader = csv.DictReader(io.StringIO(body.decode("utf-8")))
    return [(r["doc"], r["title"]) for r in reader], None


def parse_tsv(body: bytes):
    reader = csv.DictReader(io.StringIO(body.decode("utf-8")), delimiter="\t", quoting=csv.QUOTE_NONE)
    rows, langs = [], []
    for r in reader:  # TSV results write terms in Turtle syntax: <iri>, "text"@vi
        lexical, _, lang = r["?title"].rpartition("@")
        rows.append((r["?doc"].strip("<>"), lexical.strip('"')))
        langs.append(lang)
    return rows, langs


@pytest.mark.parametrize("fmt, parse, has_lang", [
    ("json", parse_json, True),
    ("xml", parse_xml, True),
    ("csv", parse_csv, False),
    ("tsv", parse_tsv, True),
])
def test_select_in_each_format(server, fmt, parse, has_lang):
    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper(server.url)
    client.setQuery(SELECT_TITLES)
    client.setReturnFormat(fmt)
    client.setMethod("POST")
    response = client.query().response
    body = response.read()
    rows, langs = parse(body)
    assert rows == TITLES
    if has_lang:
        assert langs == ["vi"] * len(TITLES)


def test_select_by_get_with_curl_style_accept(server):
    query = urllib.parse.urlencode({"query": SELECT_TITLES})
    req = urllib.request.Request(f"{server.url}?{query}", headers={"Accept": "text/csv"})
    with urllib.request.urlopen(req, timeout=20) as resp:
        assert resp.headers["Content-Type"].startswith("text/csv")
        assert parse_csv(resp.read())[0] == TITLES


def test_construct_as_turtle(server):
    import rdflib
    from rdflib.compare import isomorphic
    from SPARQLWrapper import TURTLE, SPARQLWrapper

    client = SPARQLWrapper(server.url)
    client.setQuery(f"CONSTRUCT {{ ?d <{DKG}implements> ?p }} WHERE {{ ?d <{DKG}implements> ?p }}")
    client.setReturnFormat(TURTLE)
    body = client.query().response.read()
    got = rdflib.Graph().parse(data=body.decode("utf-8"), format="turtle")
    expected = rdflib.Graph()
    for doc, (_, _, parent) in DOCS.items():
        if parent:
            expected.add((rdflib.URIRef(doc), rdflib.URIRef(DKG + "implements"), rdflib.URIRef(parent)))
    assert isomorphic(got, expected)


def test_default_graph_is_the_union_of_named_graphs(server):
    assert server.count() == TOTAL
    status, body = server.post("/query", {"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"})
    graphs = {r["g"]["value"] for r in json.loads(body)["results"]["bindings"]}
    assert graphs == {g for g, _, _ in DOCS.values()} | {EX + "graph"}
    # a lineage walk crosses graphs: the letter is in one graph, the plan it implements in another
    status, body = server.post("/query", {"query": f"SELECT ?d WHERE {{ ?d <{DKG}implements>+ <{NQ12}> }}"})
    assert {r["d"]["value"] for r in json.loads(body)["results"]["bindings"]} == {
        d for d in DOCS if d != NQ12}


def test_service_description_and_unknown_path(server):
    status, _ = server.post("/no-such-path", {"query": "ASK {}"})
    assert status == 404
    req = urllib.request.Request(server.url, headers={"Accept": "application/n-triples"})
    with urllib.request.urlopen(req, timeout=20) as resp:
        description = resp.read().decode()
    # the description names the address the client used, not the Oxigraph child's private port
    assert f"<http://www.w3.org/ns/sparql-service-description#endpoint> <{server.url}>" in description


# ---- the front: one query, rebuilt; the protocol forms --------------------------------------------------------------


def raw_request(server: Server, method: str, target: str, body: bytes | None = None, headers=None,
                chunked: bool = False) -> tuple[int, bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    try:
        conn.request(method, target, body, headers or {}, encode_chunked=chunked)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


GRAPH_OF_NQ12 = DOCS[NQ12][0]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_NAMED = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
JSON_ACCEPT = {"Accept": "application/sparql-results+json"}


@pytest.mark.parametrize("method, target, body, headers, chunked, expected", [
    ("GET", "/query?" + urllib.parse.urlencode({"query": COUNT}), None, JSON_ACCEPT, False, TOTAL),
    ("POST", "/query", urllib.parse.urlencode({"query": COUNT}).encode(),
     {"Content-Type": "application/x-www-form-urlencoded", **JSON_ACCEPT}, False, TOTAL),
    ("POST", "/query", COUNT.encode(), {"Content-Type": "application/sparql-query", **JSON_ACCEPT}, False, TOTAL),
    ("POST", "/query", COUNT.encode(), {"Content-Type": "application/sparql-query; charset=UTF-8", **JSON_ACCEPT},
     True, TOTAL),
    ("GET", "/query?" + urllib.parse.urlencode({"query": COUNT, "default-graph-uri": GRAPH_OF_NQ12}), None,
     JSON_ACCEPT, False, 1),
    ("POST", "/query?" + urllib.parse.urlencode({"named-graph-uri": GRAPH_OF_NQ12}), COUNT_NAMED.encode(),
     {"Content-Type": "application/sparql-query", **JSON_ACCEPT}, False, 1),
    ("POST", "/query", urllib.parse.urlencode({"query": COUNT_NAMED, "named-graph-uri": GRAPH_OF_NQ12}).encode(),
     {"Content-Type": "application/x-www-form-urlencoded", **JSON_ACCEPT}, False, 1),
], ids=["get", "form", "direct", "direct-chunked", "default-graph-uri", "named-graph-uri", "form-named-graph-uri"])
def test_query_forms_of_the_protocol(server, method, target, body, headers, chunked, expected):
    status, answer = raw_request(server, method, target, body, headers, chunked)
    assert status == 200, answer
    assert int(json.loads(answer)["results"]["bindings"][0]["n"]["value"]) == expected


REFUSALS = [
    ("GET", "/query?query=ASK%7B%7D&query=ASK%7B%7D", None, {}, 400, "2 query parameters: send exactly one"),
    ("POST", "/query?query=ASK%7B%7D", b"query=ASK%7B%7D", {"Content-Type": "application/x-www-form-urlencoded"},
     400, "a query both in the URL and in the body: send it once"),
    ("POST", "/query?query=ASK%7B%7D", b"ASK {}", {"Content-Type": "application/sparql-query"},
     400, "a query both in the URL and in the body: send it once"),
    ("POST", "/query", b"query=ASK%7B%7D&query=ASK%7B%7D", {"Content-Type": "application/x-www-form-urlencoded"},
     400, "2 query parameters: send exactly one"),
    ("POST", "/query", b"ASK {}", {"Content-Type": "text/plain"}, 415, "POST /query needs Content-Type"),
    ("POST", "/query", b"ASK {}", {"Content-Type": "application/sparql-query; charset=latin-1"}, 415,
     "charset latin-1 is not supported"),
    ("POST", "/query", b"ASK { ?s ?p \"\xff\" }", {"Content-Type": "application/sparql-query"}, 400,
     "the query is not UTF-8"),
    ("GET", "/query?query=%FF", None, {}, 400, "the URL is not UTF-8 once %-decoded"),
    ("GET", "/query?default-graph-uri=http%3A%2F%2Fe%2Fg", None, {}, 400, "no query"),
    ("POST", "/query", b"x" * (256 * 1024 + 1), {"Content-Type": "application/sparql-query"}, 413,
     "the request body is larger than 256 KB"),
    ("PUT", "/query", b"ASK {}", {"Content-Type": "application/sparql-query"}, 405, "PUT /query: use GET or POST"),
    ("GET", "/update?update=CLEAR%20ALL", None, {}, 403, "The server is read-only"),
]


@pytest.mark.parametrize("method, target, body, headers, status, message", REFUSALS,
                         ids=[f"{case[0]}-{case[4]}-{case[5][:30]}" for case in REFUSALS])
def test_ambiguous_or_malformed_requests_are_refused(server, method, target, body, headers, status, message):
    got, answer = raw_request(server, method, target, body, headers)
    assert got == status
    assert answer.decode().startswith(message) and answer.count(b"\n") == 1, answer
    assert server.count() == TOTAL


def test_graph_store_reads_and_head_go_through_the_front(server):
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/store?" + urllib.parse.urlencode(
            {"graph": GRAPH_OF_NQ12}), timeout=20) as resp:
        assert resp.read().decode().count(" .\n") == 1  # the title of 12-NQ/TW, in N-Triples
    status, body = raw_request(server, "HEAD", "/")
    assert (status, body) == (200, b"")


@pytest.mark.parametrize("args", [
    ("lineage", "12-NQ/TW", "--up", "--evidence"),
    ("lineage", "12-NQ/TW", "--format", "json"),
    ("sparql", "commune-tasks", "--param", "doc=12-NQ/TW", "--format", "csv"),  # LATERAL, which rdflib refuses
    ("show", "12-NQ/TW"),
])
def test_dkg_reads_through_dkg_serve_as_from_the_store(corpus_store, args):
    """dkg's own remote reader (--endpoint) sends its queries through the front and gets the embedded answers."""
    s = Server(corpus_store)
    try:
        through = run_dkg(*args, "--endpoint", s.url)
    finally:
        assert s.stop() == ""
    embedded = run_dkg(*args, "--store", str(corpus_store))
    assert through.returncode == embedded.returncode == 0, through.stderr
    assert through.stdout == embedded.stdout


# ---- the result-size limit ---------------------------------------------------------------------------------------

ALL_TRIPLES = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"  # ~250 KB of JSON
PAIRS = f"SELECT ?a ?b WHERE {{ ?a <{EX}next> ?x . ?b <{EX}next> ?y }} LIMIT 6000"  # ~700 KB, past HOLD_BYTES


def test_an_answer_past_a_small_limit_is_refused_before_its_first_byte(store):
    s = Server(store, "--max-result-mb", "0.1")
    try:
        status, body = s.post("/query", {"query": ALL_TRIPLES})
        assert (status, body) == (507, b"the answer is larger than the 0.1 MB limit (dkg serve --max-result-mb): "
                                       b"add LIMIT or ask for less\n")
        status, body = s.post("/query", {"query": SELECT_TITLES})
        assert status == 200 and parse_json(body)[0] == TITLES
    finally:
        assert s.stop() == ""


def test_a_streamed_answer_past_the_limit_is_cut_not_truncated(store):
    import http.client

    s = Server(store, "--max-result-mb", "0.4")
    try:
        status, body = s.post("/query", {"query": ALL_TRIPLES})  # under the limit: whole
        assert status == 200 and len(json.loads(body)["results"]["bindings"]) == TOTAL
        req = urllib.request.Request(s.url, data=urllib.parse.urlencode({"query": PAIRS}).encode(),
                                     headers={"Accept": "application/sparql-results+json"})
        received = bytearray()
        with pytest.raises((http.client.IncompleteRead, ConnectionError)):
            with urllib.request.urlopen(req, timeout=20) as resp:
                assert resp.status == 200 and resp.headers["Transfer-Encoding"] == "chunked"
                while piece := resp.read1(65536):
                    received += piece
        assert len(received) <= 400_000  # what arrived before the reset (a reset may also discard some of it)
        assert s.count() == TOTAL
    finally:
        err = s.stop()
    assert err.startswith("warning: an answer passed the 0.4 MB limit (--max-result-mb): cut after ")
    assert err.count("\n") == 1


# ---- read-only -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path, data, expected", [
    ("/update", {"update": f"INSERT DATA {{ <{EX}a> <{EX}b> <{EX}c> }}"}, 403),
    ("/update", {"update": "CLEAR ALL"}, 403),
    ("/query", {"query": f"INSERT DATA {{ <{EX}a> <{EX}b> <{EX}c> }}"}, 400),
    ("/query", {"query": "DROP ALL"}, 400),
])
def test_updates_are_refused(server, store, path, data, expected):
    status, _ = server.post(path, data)
    assert status == expected
    assert server.count() == TOTAL
    import pyoxigraph as ox

    from graph.store import oxigraph_dir

    assert len(ox.Store.read_only(str(oxigraph_dir(store)))) == TOTAL


@pytest.mark.parametrize("method", ["PUT", "DELETE", "POST"])
def test_graph_store_writes_are_refused(server, method):
    req = urllib.request.Request(f"http://127.0.0.1:{server.port}/store?default", method=method,
                                 data=f"<{EX}a> <{EX}b> <{EX}c> .".encode(),
                                 headers={"Content-Type": "application/n-triples"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=20)
    assert e.value.code == 403
    assert server.count() == TOTAL


# ---- runaway queries -----------------------------------------------------------------------------------------------


@pytest.fixture
def fast_server(store):
    s = Server(store, timeout=1)
    try:
        yield s
    finally:
        s.stop()


CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SORTED_CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?f ?c LIMIT 3"
CYCLE_PATH = f"SELECT ?x ?y WHERE {{ ?x <{EX}next>+ ?y }}"


@pytest.mark.parametrize("query", [CROSS, SORTED_CROSS, CYCLE_PATH], ids=["cross", "sorted-cross", "cycle-path"])
def test_runaway_query_is_stopped_and_the_server_answers_the_next(fast_server, query):
    started = time.monotonic()
    try:
        status, body = fast_server.post("/query", {"query": query}, timeout=30)
    except (ConnectionError, urllib.error.URLError, http_errors()) as e:
        status, body = None, repr(e).encode()
    elapsed = time.monotonic() - started
    assert elapsed < 8, f"took {elapsed:.1f} s"
    # Never a complete answer: 504 from the front once the timeout has passed, 503 if the server was restarted
    # first, or a streamed answer cut short (no final chunk).
    if status is not None:
        assert status in (503, 504), (status, body[:200])
        assert body.decode().count("\n") == 1
    assert count_when_back(fast_server) == TOTAL


def http_errors():
    import http.client

    return http.client.HTTPException


def count_when_back(server: Server, within: float = 10) -> int:
    """The triple count, once the server answers again (a restart takes well under a second; the front answers
    503 meanwhile)."""
    deadline = time.monotonic() + within
    while True:
        try:
            status, body = server.post("/query", {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
            if status != 503:
                assert status == 200, body
                return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
        except (ConnectionError, urllib.error.URLError, http_errors()):
            pass
        assert time.monotonic() < deadline, "the server did not come back"
        time.sleep(0.2)


def test_a_runaway_is_reported_on_stderr_and_the_old_server_is_gone(fast_server):
    old_child = fast_server.child
    started = time.monotonic()
    assert fast_server.post("/query", {"query": CROSS}, timeout=30) == (
        504, b"no answer within the 1 s timeout (dkg serve --timeout)\n")
    assert 1 <= time.monotonic() - started < 4
    assert wait_gone(old_child, 5)  # the front gave up; the watch still stops the query that computes on
    assert count_when_back(fast_server) == TOTAL
    assert fast_server.child not in children(fast_server.proc.pid)
    assert fast_server.stop() == ("warning: a query ran past the 1 s timeout: "
                                  "restarting the server (queries in flight are dropped)\n")


# ---- stopping --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_signal_stops_dkg_serve_and_its_child(store, sig):
    s = Server(store)
    try:
        assert alive(s.child)
        s.proc.send_signal(sig)
        assert s.proc.wait(15) == 0
        assert wait_gone(s.child, 5)
        assert children(s.proc.pid) == []
    finally:
        s.stop()


def test_killed_parent_takes_its_child_along(store):
    s = Server(store)
    try:
        s.proc.kill()  # SIGKILL: no handler runs; the child learns through PR_SET_PDEATHSIG
        s.proc.wait(10)
        assert wait_gone(s.child, 5)
    finally:
        s.stop()


# ---- refusing to start ------------------------------------------------------------------------------------------


def run_dkg(*args, within: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import cli; cli.cli()", *args], cwd=PROJECT,
                          capture_output=True, text=True, timeout=within)


def test_missing_store_is_one_line(tmp_path):
    result = run_dkg("serve", "--store", str(tmp_path / ".dkg"))
    assert result.returncode == 1
    assert result.stderr == f"Error: no store at {tmp_path / '.dkg'}: run 'dkg ingest' first\n"
    assert result.stdout == ""


@pytest.mark.parametrize("bind", ["0.0.0.0:7878", "192.0.2.10:7878", "[::]:7878"])
def test_public_bind_needs_public(store, bind):
    result = run_dkg("serve", "--store", str(store), "--bind", bind)
    assert result.returncode == 1
    assert result.stderr == (f"Error: --bind {bind} is not a loopback address: add --public to serve the store "
                             "to the network\n")


@pytest.mark.parametrize("bind", ["7878", "127.0.0.1:", "127.0.0.1:99999", ":7878"])
def test_malformed_bind(store, bind):
    result = run_dkg("serve", "--store", str(store), "--bind", bind)
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: --bind {bind!r}: expected HOST:PORT")


def test_address_in_use(server, store):
    result = run_dkg("serve", "--store", str(store), "--bind", f"127.0.0.1:{server.port}")
    assert result.returncode == 1
    assert result.stderr == f"Error: address 127.0.0.1:{server.port} is in use\n"


def test_store_being_written_is_served_as_it_was(store):
    fd = os.open(store / "lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what a writer holds
        os.pwrite(fd, b"4242", 0)
        s = Server(store)
        try:
            assert s.count() == TOTAL
        finally:
            err = s.stop()
    finally:
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    assert err.startswith(f"note: {store} is being written by pid 4242; serving the database current now")
    result = run_dkg("serve", "--store", str(store), "--get", "/query?query=ASK%7B%7D")
    assert result.returncode == 0 and result.stderr == ""


def test_writer_note_with_get(store):
    fd = os.open(store / "lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.pwrite(fd, b"4242", 0)
        result = run_dkg("serve", "--store", str(store), "--get", "/query?query=ASK%7B%7D")
    finally:
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    assert result.returncode == 0
    assert result.stderr.startswith(f"note: {store} is being written by pid 4242; serving the database current now")


# ---- one-shot --get ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path, code", [
    ("/query?" + urllib.parse.urlencode({"query": SELECT_TITLES}), 0),
    ("/query?" + urllib.parse.urlencode({"query": "SELECT WHERE"}), 1),
    ("/nowhere", 1),
])
def test_get_prints_the_body_and_exits_by_status(store, path, code):
    before = servers_of(store)
    result = run_dkg("serve", "--store", str(store), "--get", path)
    assert result.returncode == code, result.stderr
    if code == 0:
        assert parse_json(result.stdout.encode())[0] == TITLES
        assert "Nghị quyết số 12-NQ/TW" in result.stdout
    assert servers_of(store) == before


def test_get_runaway_is_one_line(store):
    before = servers_of(store)
    result = run_dkg("serve", "--store", str(store), "--timeout", "1", "--get",
                     "/query?" + urllib.parse.urlencode({"query": CROSS}))
    assert result.returncode == 1
    path = "/query?" + urllib.parse.urlencode({"query": CROSS})
    assert result.stderr == f"Error: --get {path}: no answer within the 1 s timeout\n"
    assert servers_of(store) == before


def test_get_sees_the_new_generation_after_a_rebuild(tmp_path):
    import pyoxigraph as ox

    from graph.store import writing

    folder = tmp_path / ".dkg"
    with writing(folder, fresh=True) as w:
        w.ox.extend(store_quads()[:2])
    s = Server(folder)
    try:
        assert s.count() == 2
        with writing(folder) as w:  # an ingest: copy-on-write, then swap
            w.ox.add(ox.Quad(ox.NamedNode(EX + "x"), ox.NamedNode(EX + "y"), ox.Literal("mới", language="vi"),
                             ox.NamedNode(EX + "g")))
        assert s.count() == 2  # the running server keeps its snapshot
    finally:
        s.stop()
    result = run_dkg("serve", "--store", str(folder), "--get",
                     "/query?" + urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}))
    assert json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"] == "3"


@pytest.mark.parametrize("cors", [False, True])
def test_cors_header_only_with_cors(store, server, cors):
    s = Server(store, "--cors") if cors else server
    try:
        req = urllib.request.Request(f"{s.url}?query=ASK%7B%7D", headers={"Origin": "https://yasgui.triply.cc"})
        with urllib.request.urlopen(req, timeout=20) as resp:
            assert resp.headers.get("Access-Control-Allow-Origin") == ("*" if cors else None)
        preflight = urllib.request.Request(s.url, method="OPTIONS", headers={
            "Origin": "https://yasgui.triply.cc", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        if cors:
            with urllib.request.urlopen(preflight, timeout=20) as resp:
                assert resp.status == 204
                assert resp.headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
                assert resp.headers["Access-Control-Allow-Headers"] == "content-type"
        else:
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(preflight, timeout=20)
            assert e.value.code == 405
    finally:
        if cors:
            s.stop()


def test_builtin_query_page_is_offline(server):
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/", timeout=20) as resp:
        page = resp.read().decode()
    import re

    assert re.findall(r'(?:src|href)="(https?:[^"]*)"', page) == []
    for asset in re.findall(r'(?:src|href)="\.?(/[^"]*)"', page):  # the page's scripts and styles, by the front
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{asset}", timeout=20) as resp:
            assert resp.status == 200 and resp.read()
