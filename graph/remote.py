"""The store on a SPARQL 1.1 server: Oxigraph server, Fuseki, GraphDB, Virtuoso, Neptune (``--endpoint URL``).

Only standard protocols are spoken, with the standard library's ``urllib``:

- reads: the SPARQL 1.1 Protocol (``POST`` of ``query=`` to the query URL, ``Accept:
  application/sparql-results+json`` for SELECT/ASK, ``application/n-triples`` for CONSTRUCT/DESCRIBE);
- writes: SPARQL 1.1 Update (``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { ... } }``), or, with
  ``DKG_WRITE_PROTOCOL=graph-store``, the Graph Store HTTP Protocol (``PUT store?graph=<g>`` with an
  N-Triples body, ``DELETE store?graph=<g>``).

`Endpoint.from_url` derives the three URLs from the query URL (``--endpoint`` or ``$DKG_ENDPOINT``): a URL that
ends in ``/query`` (Oxigraph server) has ``/update`` and ``/store`` beside it; any other URL takes updates itself
(Virtuoso's ``/sparql``, Fuseki's dataset URL) and has no graph store. ``$DKG_UPDATE_ENDPOINT`` and
``$DKG_STORE_ENDPOINT`` override them. Credentials come from the environment only (``$DKG_ENDPOINT_USER`` and
``$DKG_ENDPOINT_PASSWORD`` for HTTP basic auth, or ``$DKG_ENDPOINT_TOKEN`` for a bearer token; user:password in
the URL works too) and are never printed: URLs are echoed without their userinfo, and any credential a server
echoes back is masked.

`RemoteStore` answers the read interface of `graph.store.Store` (``query``, ``select``, ``describe``,
``subjects``, ``named_graphs``, ``quads``, ``len``) with the same terms, so every command works unchanged.
Bound parameters become SPARQL 1.1 ``VALUES`` blocks written by `bind_values`, from terms serialised by
`term_text`: IRIs are checked against the IRIREF production, literals escaped per the grammar, so a value can
never close its literal (``x" } ; DROP ALL ; #`` stays one string).

The default graph must be the union of the named graphs (dkg keeps every text in its own graph). Oxigraph
server does that per request with the ``union-default-graph`` parameter, which dkg sends; other servers ignore
it and are configured instead (Fuseki: ``tdb2:unionDefaultGraph true``; GraphDB and Virtuoso: their default).
``DKG_UNION_DEFAULT_GRAPH=server`` stops sending the parameter.

`RemoteWriter` replaces graphs like `graph.store.Writer` and keeps the derived graphs (``dkg:links``, status) up
to date with `graph.rdf.derived_quads`, the function an embedded build uses. What is atomic remotely: one Update
request (Oxigraph, Fuseki and GraphDB apply a request in one transaction). An ingest that fits in one request
(`CHUNK` quads: a few hundred texts) is one request, its derived changes included; a larger one, or a build, is
a sequence of requests, each replacing whole graphs, and a build then drops the graphs it did not write. A
failed build can leave a mix of old and new graphs: run it again. There is no writer lock on a server.
"""
from __future__ import annotations

import base64
import json
import os
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from .errors import QueryError, StoreError

__all__ = ["Endpoint", "RemoteStore", "RemoteWriter", "connect", "term_text", "iri_text", "literal_text",
           "bind_values", "query_form", "CHUNK"]

CHUNK = 20_000  # quads per Update request (a few MB of text)
BATCH = 400  # IRIs per VALUES list in a read
DEFAULT_TIMEOUT = 60.0
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
WRITE_PROTOCOLS = ("update", "graph-store")

# ---- serialising terms ---------------------------------------------------------------------------------------

# IRIREF of the SPARQL grammar (no space, control, <>"{}|^`\), with a scheme: IRIs here are absolute.
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|^`\\]*$")
_LANG = re.compile(r"^[A-Za-z]+(?:-[A-Za-z0-9]+)*$")
_BNODE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r\t\b\f]')


def iri_text(value: str) -> str:
    """``<value>`` for a query, after checking ``value`` is an absolute IRI the grammar accepts.

    >>> iri_text("https://w3id.org/dkg/id/doc/x")
    '<https://w3id.org/dkg/id/doc/x>'
    """
    if not isinstance(value, str) or not _IRI.fullmatch(value):
        raise QueryError(f"{_shorten(value)!r} is not an IRI")
    return f"<{value}>"


def literal_text(value: str, language: str | None = None, datatype: str | None = None) -> str:
    """A SPARQL literal: the string escaped per the grammar (ECHAR), then ``@lang`` or ``^^<datatype>``.

    >>> literal_text('x" } ; DROP ALL ; #')
    '"x\\\\" } ; DROP ALL ; #"'
    >>> literal_text("Hà Nội", language="vi")
    '"Hà Nội"@vi'
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError(f"{_shorten(value)!r} is not valid text (undecodable bytes)") from None
    text = '"' + _NEEDS_ESCAPE.sub(lambda m: _ECHAR[m.group(0)], value) + '"'
    if language:
        if not _LANG.fullmatch(language):
            raise QueryError(f"{_shorten(language)!r} is not a language tag")
        return f"{text}@{language}"
    if datatype and datatype not in (XSD_STRING, RDF_LANG_STRING):
        return f"{text}^^{iri_text(datatype)}"
    return text


def term_text(term, *, blank_ok: bool = False) -> str:
    """A pyoxigraph term (or a plain ``str``, read as a plain literal) in SPARQL syntax. Blank nodes are only
    allowed in data (``blank_ok``): a query cannot name one."""
    import pyoxigraph as ox

    if isinstance(term, str):
        return literal_text(term)
    if isinstance(term, ox.NamedNode):
        return iri_text(term.value)
    if isinstance(term, ox.Literal):
        return literal_text(term.value, term.language, term.datatype.value)
    if isinstance(term, ox.BlankNode) and blank_ok and _BNODE.fullmatch(term.value):
        return f"_:{term.value}"
    raise QueryError(f"cannot put {_shorten(str(term))!r} into a query")


def _shorten(value, limit: int = 60) -> str:
    value = str(value)
    return value if len(value) <= limit else value[:limit] + "…"


# ---- reading query text: its form, where VALUES go -----------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^\x00-\x20<>"{}|^`\\]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<pname>[A-Za-z_\u00C0-\uFFFF][\w.\-]*:[\w.\-:%]*|:[\w.\-:%]*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>\S)
""", re.VERBOSE | re.DOTALL)
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, offset) of every token but comments and white space."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind != "comment":
            out.append((kind, m.group(0), m.start()))
    return out


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE (the first query keyword), else None (e.g. an update).

    >>> query_form("PREFIX x: <http://x/> # SELECT\\nASK { ?s ?p ?o }")
    'ASK'
    """
    for kind, tok, _pos in _tokens(text):
        if kind == "word" and tok.upper() in _FORMS:
            return tok.upper()
        if kind == "word" and tok.upper() in ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE",
                                               "COPY", "WITH"):
            return None
    return None


def _values_block(names: list[str], terms: dict[str, str]) -> str:
    if len(names) == 1:
        return f" VALUES ?{names[0]} {{ {terms[names[0]]} }}"
    return f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(terms[n] for n in names)}) }}"


def bind_values(text: str, bindings: dict[str, str]) -> str:
    """``text`` with each variable of ``bindings`` (``{name: term in SPARQL syntax}``, see `term_text`) bound by
    a ``VALUES`` block, as pyoxigraph's substitutions bind them in the embedded store.

    The block opens the query's WHERE group, and the WHERE group of every sub-select that projects the variable,
    so the server joins it first (index look-ups, not a scan of the graph). A query with no WHERE group gets a
    trailing ``VALUES`` clause. The terms are inserted as whole tokens outside any string, IRI or comment.

    >>> bind_values("SELECT ?d WHERE { ?d ?p ?o }", {"d": "<http://x/a>"})
    'SELECT ?d WHERE { VALUES ?d { <http://x/a> } ?d ?p ?o }'
    """
    if not bindings:
        return text
    for name in bindings:
        if not _VARIABLE.fullmatch(name):
            raise QueryError(f"{_shorten(name)!r} is not a variable name")
    names = list(bindings)
    toks = _tokens(text)
    close_of: dict[int, int] = {}
    stack: list[int] = []
    for i, (kind, tok, _pos) in enumerate(toks):
        if kind == "punct" and tok == "{":
            stack.append(i)
        elif kind == "punct" and tok == "}" and stack:
            close_of[stack.pop()] = i
    inserts: list[tuple[int, str]] = []

    def open_group(i: int, wanted: list[str]) -> None:
        if not wanted:
            return
        block = _values_block(wanted, bindings)
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if nxt is not None and nxt[0] == "word" and nxt[1].upper() == "SELECT" and i in close_of:
            # '{ SELECT ... }' is a group that holds only a sub-select: wrap it to put VALUES beside it
            inserts.append((toks[i][2] + 1, block + " { "))
            inserts.append((toks[close_of[i]][2], " } "))
        else:
            inserts.append((toks[i][2] + 1, block))

    pending: list[tuple[list[str], bool]] = []  # (variables, is the main query) waiting for a WHERE '{'
    main_seen = main_found = False
    i = 0
    while i < len(toks):
        kind, tok, _pos = toks[i]
        word = tok.upper() if kind == "word" else None
        if word in _FORMS:
            is_main, main_seen = not main_seen, True
            wanted = names if is_main or word != "SELECT" else _projected(toks, i + 1, names)
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if word == "CONSTRUCT" and nxt is not None and nxt[1] == "{" and (i + 1) in close_of:
                i = close_of[i + 1]  # skip the template: the WHERE group comes after it
            elif word == "CONSTRUCT":
                break  # 'CONSTRUCT WHERE { template }' holds triples only: a trailing VALUES clause binds it
            pending.append((wanted, is_main))
        elif kind == "punct" and tok == "{" and pending:
            wanted, is_main = pending.pop()
            main_found = main_found or is_main
            open_group(i, wanted)
        i += 1
    if not main_found:
        return text.rstrip() + "\n" + _values_block(names, bindings).strip()
    out = text
    for pos, piece in sorted(inserts, key=lambda p: p[0], reverse=True):
        out = out[:pos] + piece + out[pos:]
    return out


def _projected(toks, j: int, names: list[str]) -> list[str]:
    """The variables of ``names`` a sub-select projects (its tokens from ``j`` to its WHERE group); ``*``
    projects them all, ``(... AS ?x)`` does not count (the sub-select makes ?x)."""
    found, depth = [], 0
    while j < len(toks) and toks[j][1] != "{" and not (toks[j][0] == "word" and toks[j][1].upper() == "WHERE"):
        kind, tok, _pos = toks[j]
        if kind == "punct" and tok in "()":
            depth += 1 if tok == "(" else -1
        elif kind == "punct" and tok == "*" and depth == 0:
            return list(names)
        elif kind == "var" and tok[1:] in names and not (toks[j - 1][0] == "word" and toks[j - 1][1].upper() == "AS"):
            found.append(tok[1:])
        j += 1
    return list(dict.fromkeys(found))


def _with_prefixes(text: str) -> str:
    """dkg's prefixes declared ahead of ``text``, except those it declares itself (the embedded store
    predeclares them the same way)."""
    from .vocab import PREFIXES

    declared = {m.group(1) for m in re.finditer(r"(?i)\bPREFIX\s+([A-Za-z][\w.\-]*)?\s*:", text)}
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items() if p not in declared)
    return head + text


# ---- the endpoint and HTTP -----------------------------------------------------------------------------------


def _public(url: str | None) -> str:
    """``url`` without user:password, for messages."""
    if not url:
        return str(url)
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@dataclass(frozen=True)
class Endpoint:
    """Where and how to reach a SPARQL 1.1 server. ``repr`` shows no credential."""

    query_url: str
    update_url: str
    store_url: str | None = None
    user: str | None = None
    password: str | None = None
    token: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    union_parameter: bool = True
    write_protocol: str = "update"

    def __repr__(self) -> str:
        return f"Endpoint({self.query_url!r})"

    @classmethod
    def from_url(cls, url: str, environ=None) -> Endpoint:
        """The endpoint of the query URL ``url`` (see the module docstring for the other URLs and variables).

        >>> e = Endpoint.from_url("http://127.0.0.1:7878", environ={})
        >>> e.query_url, e.update_url, e.store_url
        ('http://127.0.0.1:7878/query', 'http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
        """
        env = os.environ if environ is None else environ
        url = (url or "").strip()
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise StoreError(f"endpoint {_public(url)!r}: expected the http:// or https:// URL of a SPARQL service")
        user, password = parts.username, parts.password
        query_url = _public(url)
        if parts.path in ("", "/"):
            query_url = query_url.rstrip("/") + "/query"
        if query_url.endswith("/query"):
            base = query_url[:-len("/query")]
            update_url, store_url = base + "/update", base + "/store"
        else:
            update_url, store_url = query_url, None
        update_url = env.get("DKG_UPDATE_ENDPOINT") or update_url
        store_url = env.get("DKG_STORE_ENDPOINT") or store_url
        for name, value in (("DKG_UPDATE_ENDPOINT", update_url), ("DKG_STORE_ENDPOINT", store_url)):
            if value and urllib.parse.urlsplit(value).scheme not in ("http", "https"):
                raise StoreError(f"${name} {_public(value)!r}: expected an http:// or https:// URL")
        try:
            timeout = float(env.get("DKG_ENDPOINT_TIMEOUT") or DEFAULT_TIMEOUT)
        except ValueError:
            raise StoreError(f"$DKG_ENDPOINT_TIMEOUT {env.get('DKG_ENDPOINT_TIMEOUT')!r}: expected seconds") from None
        protocol = (env.get("DKG_WRITE_PROTOCOL") or "update").strip()
        if protocol not in WRITE_PROTOCOLS:
            raise StoreError(f"$DKG_WRITE_PROTOCOL {protocol!r}: expected one of {', '.join(WRITE_PROTOCOLS)}")
        if protocol == "graph-store" and not store_url:
            raise StoreError("$DKG_WRITE_PROTOCOL graph-store needs $DKG_STORE_ENDPOINT (the Graph Store URL)")
        union = (env.get("DKG_UNION_DEFAULT_GRAPH") or "parameter").strip()
        if union not in ("parameter", "server"):
            raise StoreError(f"$DKG_UNION_DEFAULT_GRAPH {union!r}: expected 'parameter' or 'server'")
        return cls(query_url, _public(update_url), _public(store_url) if store_url else None,
                   env.get("DKG_ENDPOINT_USER") or user, env.get("DKG_ENDPOINT_PASSWORD") or password,
                   env.get("DKG_ENDPOINT_TOKEN") or None, timeout, union == "parameter", protocol)

    def _secrets(self) -> list[str]:
        return [s for s in (self.password, self.token, urllib.parse.quote(self.password or "", safe=""))
                if s and len(s) >= 3]

    def scrub(self, text: str) -> str:
        """``text`` with any credential masked (a server may echo a request back in its error)."""
        for secret in self._secrets():
            text = text.replace(secret, "***")
        return text

    def _headers(self) -> dict[str, str]:
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        if self.user is not None or self.password is not None:
            pair = f"{self.user or ''}:{self.password or ''}".encode("utf-8")
            return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        return {}

    def request(self, method: str, url: str, body: bytes | None = None, headers: dict | None = None,
                error=StoreError, missing_ok: bool = False) -> tuple[str, bytes]:
        """One HTTP request; returns (content type, body). Any failure raises ``error`` (or `StoreError` for
        the network) with one line: ``endpoint URL: connection refused``, ``endpoint URL: HTTP 401 unauthorized``.
        A 404 with ``missing_ok`` returns ("", b"")."""
        req = urllib.request.Request(url, data=body, method=method, headers={**self._headers(), **(headers or {})})
        where = f"endpoint {_public(url.split('?', 1)[0])}"
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as response:
                return response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as e:
            if e.code == 404 and missing_ok:
                return "", b""
            detail = _http_detail(e)
            cls = error if e.code in (400, 422) else StoreError
            raise cls(self.scrub(f"{where}: HTTP {e.code} {detail}")) from None
        except urllib.error.URLError as e:
            raise StoreError(self.scrub(f"{where}: {_network_problem(e.reason, self.timeout)}")) from None
        except (TimeoutError, socket.timeout):
            raise StoreError(f"{where}: no answer within {self.timeout:g} s (DKG_ENDPOINT_TIMEOUT)") from None
        except (ConnectionError, OSError) as e:
            raise StoreError(self.scrub(f"{where}: {_network_problem(e, self.timeout)}")) from None


_REASONS = {401: "unauthorized (check DKG_ENDPOINT_USER/DKG_ENDPOINT_PASSWORD or DKG_ENDPOINT_TOKEN)",
            403: "forbidden (a read-only endpoint refuses writes)", 404: "not found (check the URL)",
            405: "method not allowed (check the URL)", 413: "request too large"}


def _http_detail(e: urllib.error.HTTPError) -> str:
    if e.code in _REASONS:
        return _REASONS[e.code]
    try:
        text = e.read(2000).decode("utf-8", "replace")
    except Exception:  # the body is a courtesy; the status says enough
        text = ""
    line = " ".join(text.split())[:200]
    return f"{(e.reason or '').lower()}: {line}" if line else str(e.reason or "").lower()


def _network_problem(reason, timeout: float) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"no answer within {timeout:g} s (DKG_ENDPOINT_TIMEOUT)"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    if isinstance(reason, ConnectionResetError):
        return "connection reset by the server"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason)


# ---- reading ---------------------------------------------------------------------------------------------------


class RemoteStore:
    """The read interface of `graph.store.Store` over a SPARQL 1.1 query service."""

    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint
        self.folder = None

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint.query_url!r})"

    def query(self, text: str, substitutions: dict | None = None, **options):
        """Run a query like `graph.store.Store.query`: pyoxigraph's QuerySolutions, QueryBoolean or QueryTriples.
        ``substitutions`` ({variable: pyoxigraph term or str}) are bound with ``VALUES`` (`bind_values`)."""
        import pyoxigraph as ox

        bindings = {k.lstrip("?$"): term_text(v) for k, v in (substitutions or {}).items()}
        form = query_form(text)
        sent = _with_prefixes(bind_values(text, bindings))
        fields = [("query", sent)]
        if self.endpoint.union_parameter and options.get("use_default_graph_as_union", True):
            fields.append(("union-default-graph", ""))
        accept = N_TRIPLES if form in ("CONSTRUCT", "DESCRIBE") else RESULTS_JSON
        try:
            ctype, body = self.endpoint.request(
                "POST", self.endpoint.query_url, urllib.parse.urlencode(fields).encode("utf-8"),
                {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}, error=QueryError)
        except QueryError as e:
            raise _local_reason(text) or e from None
        media = ctype.split(";")[0].strip().lower()
        try:
            rdf = ox.RdfFormat.from_media_type(media) if media else None
            if rdf is not None and form in ("CONSTRUCT", "DESCRIBE", None):
                return _as_query_triples(ox.parse(body, format=rdf))
            results = ox.QueryResultsFormat.from_media_type(media) if media else None
            return ox.parse_query_results(body, format=results or ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as e:
            raise StoreError(f"endpoint {self.endpoint.query_url}: unreadable answer ({media or 'no type'}): "
                             f"{_shorten(e, 120)}") from None

    def select(self, text: str, substitutions: dict | None = None, **options) -> list[dict]:
        """A SELECT query as a list of {variable: term value (str)} rows; unbound variables are None."""
        result = self.query(text, substitutions, **options)
        names = [v.value for v in result.variables]
        return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]

    def _rows(self, text: str) -> list:
        """The solutions of a SELECT as pyoxigraph QuerySolution rows (terms, not strings)."""
        return list(self.query(text))

    def __len__(self) -> int:
        return int(self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"])

    def describe(self, node: str, graph: str | None = None) -> dict[str, list]:
        """{predicate IRI: [distinct objects (pyoxigraph terms)]} of one node, across all named graphs (or one)."""
        where = iri_text(graph) if graph else "?g"
        out: dict[str, dict] = {}
        for row in self._rows(f"SELECT DISTINCT ?p ?o WHERE {{ GRAPH {where} {{ {iri_text(node)} ?p ?o }} }}"):
            out.setdefault(row["p"].value, {})[row["o"]] = None
        return {p: list(objs) for p, objs in out.items()}

    def subjects(self, predicate: str, obj, graph: str | None = None) -> list[str]:
        """Distinct IRI subjects of (?, predicate, obj) — obj a pyoxigraph term — across all graphs (or one)."""
        where = iri_text(graph) if graph else "?g"
        rows = self.select(f"SELECT DISTINCT ?s WHERE {{ GRAPH {where} {{ ?s {iri_text(predicate)} "
                           f"{term_text(obj)} }} FILTER(isIRI(?s)) }}")
        return [r["s"] for r in rows]

    def named_graphs(self) -> list[str]:
        return [r["g"] for r in self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")]

    def quads(self) -> list:
        """Every quad of the named graphs (pyoxigraph Quads), for exports."""
        import pyoxigraph as ox

        return [ox.Quad(r["s"], r["p"], r["o"], r["g"])
                for r in self._rows("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")]

    def corpus_keys(self) -> list[str]:
        """The identity keys of the documents whose text was read (they resolve year-less citations)."""
        from .store import Store

        return Store.corpus_keys(self)


def _as_query_triples(triples):
    """Parsed triples as pyoxigraph ``QueryTriples`` (what an embedded CONSTRUCT returns), by a CONSTRUCT over an
    in-memory store holding them."""
    import pyoxigraph as ox

    memory = ox.Store()
    memory.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    return memory.query("CONSTRUCT WHERE { ?s ?p ?o }")


def _local_reason(text: str) -> QueryError | None:
    """The embedded engine's one-line message for a query the server refused, when it is malformed for
    pyoxigraph too (same wording as without --endpoint; line numbers of the text as typed)."""
    import pyoxigraph as ox

    from .vocab import PREFIXES

    try:
        ox.Store().query(text, prefixes=PREFIXES)
    except SyntaxError as e:
        return QueryError(f"malformed SPARQL: {e}")
    except Exception:  # valid for pyoxigraph: the server's own reason stands
        return None
    return None


def _batches(items, size: int = BATCH):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]


# ---- writing ---------------------------------------------------------------------------------------------------


class RemoteWriter(RemoteStore):
    """Writes to a SPARQL 1.1 server with the semantics of `graph.store.Writer`; a context manager.

    ``fresh`` (a build): graphs present on the server but not written in the block are dropped when the block
    ends without an exception."""

    def __init__(self, endpoint: Endpoint, fresh: bool = False):
        super().__init__(endpoint)
        self.fresh = fresh
        self.written: set[str] = set()

    def __enter__(self) -> RemoteWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None and self.fresh:
            stale = [g for g in self.named_graphs() if g not in self.written]
            self._send([(f"DROP SILENT GRAPH {iri_text(g)}", 1) for g in stale] if self._updates else [],
                       drop=stale)

    @property
    def _updates(self) -> bool:
        return self.endpoint.write_protocol == "update"

    # -- the two writes of graph.store.Writer --

    def bulk_load(self, quads) -> None:
        """Replace the graphs of ``quads`` (a build), and the derived graphs by those computed from them."""
        from .rdf import derived_quads

        quads = list(quads)
        by_graph = _by_graph(quads)
        by_graph.update(_by_graph(derived_quads(quads)))
        from . import iri

        for g in (iri.links_graph(), iri.status_graph()):
            by_graph.setdefault(g, [])
        self._replace(by_graph)

    def replace_graphs(self, quads_by_graph: dict, drop_sources=()) -> None:
        """Replace named graphs by new content; also drop the graphs read from any of ``drop_sources``. The
        derived graphs are updated for the subjects that changed, in the last request (the only one when the
        ingest fits in `CHUNK` quads)."""
        import pyoxigraph as ox

        from . import iri
        from .rdf import derived_quads
        from .store import derivation_predicates
        from .vocab import DKG_NS

        old = set(quads_by_graph) | self._graphs_of_sources(drop_sources)
        touched: set[str] = set()
        for batch in _batches(sorted(old)):
            values = " ".join(map(iri_text, batch))
            rows = self.select(f"SELECT DISTINCT ?s WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} "
                               "FILTER(isIRI(?s)) }")
            touched.update(r["s"] for r in rows)
        new_quads = [q for quads in quads_by_graph.values() for q in quads]
        touched.update(q.subject.value for q in new_quads if isinstance(q.subject, ox.NamedNode))
        touched.update(q.object.value for q in new_quads
                       if q.predicate.value == DKG_NS + "hasTask" and isinstance(q.object, ox.NamedNode))
        derived_graphs = {iri.links_graph(), iri.status_graph()}
        wanted = derivation_predicates()
        kept, before = [], set()
        for batch in _batches(sorted(touched)):
            values = " ".join(map(iri_text, batch))
            for row in self._rows(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"):
                if row["p"].value not in wanted:
                    continue
                quad = ox.Quad(row["s"], row["p"], row["o"], row["g"])
                if row["g"].value in derived_graphs:
                    before.add(quad)
                elif row["g"].value not in old:
                    kept.append(quad)
        after = set(derived_quads(kept + [q for q in new_quads if q.predicate.value in wanted]))
        by_graph = {g: list(quads_by_graph.get(g, ())) for g in old}
        self._replace(by_graph, remove=sorted(before - after, key=str), add=sorted(after - before, key=str))

    def load_nquads(self, chunks, drop_sources=None) -> None:
        """Load records given as N-Quads text (``bytes`` chunks, as `graph.load` makes them): a build
        (`bulk_load`) when ``drop_sources`` is None, else an ingest (`replace_graphs`). Quads of the derived graphs
        in the chunks are left out: this writer derives them itself from the whole of each subject's facts."""
        import pyoxigraph as ox

        from . import iri

        derived = {iri.links_graph(), iri.status_graph()}
        quads = [q for chunk in chunks for q in ox.parse(chunk, format=ox.RdfFormat.N_QUADS)
                 if q.graph_name.value not in derived]
        if drop_sources is None:
            self.bulk_load(quads)
        else:
            self.replace_graphs(_by_graph(quads), drop_sources)

    # -- requests --

    def _graphs_of_sources(self, sources) -> set[str]:
        from .vocab import DKG_NS

        out: set[str] = set()
        for src in dict.fromkeys(sources):
            rows = self.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g {iri_text(DKG_NS + 'sourceFile')} "
                               f"{literal_text(src)} }} }}")
            out.update(r["g"] for r in rows)
        return out

    def _replace(self, by_graph: dict, remove=(), add=()) -> None:
        """Make each graph of ``by_graph`` hold exactly its quads (an empty list drops it), then delete
        ``remove`` and insert ``add`` (derived quads)."""
        self.written.update(g for g, quads in by_graph.items() if quads)
        if not self._updates:
            self._put_graphs(by_graph)
            self._patch_graphs(remove, add)
            return
        ops: list[tuple[str, int]] = []
        for g in sorted(by_graph):
            quads = by_graph[g]
            ops.append((f"DROP SILENT GRAPH {iri_text(g)}", 1))
            for part in _chunks(quads, CHUNK):
                ops.append((f"INSERT DATA {{ GRAPH {iri_text(g)} {{\n{_triples_text(part)}\n}} }}", len(part)))
        for verb, quads in (("DELETE", remove), ("INSERT", add)):
            for part in _chunks(list(quads), CHUNK):
                ops.append((f"{verb} DATA {{\n{_quads_text(part)}\n}}", len(part)))
        self._send(ops)

    def _send(self, ops: list[tuple[str, int]], drop=()) -> None:
        """Send Update operations packed into requests of at most `CHUNK` quads (with the Graph Store Protocol,
        ``drop`` lists graphs to delete instead)."""
        if not self._updates:
            for g in drop:
                self.endpoint.request("DELETE", _graph_url(self.endpoint.store_url, g), missing_ok=True)
            return
        request: list[str] = []
        size = 0
        for text, n in ops:
            if request and size + n > CHUNK:
                self._update(" ;\n".join(request))
                request, size = [], 0
            request.append(text)
            size += n
        if request:
            self._update(" ;\n".join(request))

    def _update(self, text: str) -> None:
        self.endpoint.request("POST", self.endpoint.update_url, text.encode("utf-8"),
                              {"Content-Type": "application/sparql-update; charset=utf-8"})

    def _put_graphs(self, by_graph: dict) -> None:
        for g in sorted(by_graph):
            quads = by_graph[g]
            url = _graph_url(self.endpoint.store_url, g)
            if not quads:
                self.endpoint.request("DELETE", url, missing_ok=True)
                continue
            for i, part in enumerate(_chunks(quads, CHUNK)):
                self.endpoint.request("PUT" if i == 0 else "POST", url, (_triples_text(part) + "\n").encode("utf-8"),
                                      {"Content-Type": f"{N_TRIPLES}; charset=utf-8"})

    def _patch_graphs(self, remove, add) -> None:
        """Graph Store Protocol has no triple-level delete: read each changed derived graph, change it, put it."""
        import pyoxigraph as ox

        changed = {q.graph_name.value for q in (*remove, *add)}
        for g in sorted(changed):
            url = _graph_url(self.endpoint.store_url, g)
            ctype, body = self.endpoint.request("GET", url, headers={"Accept": N_TRIPLES}, missing_ok=True)
            fmt = ox.RdfFormat.from_media_type(ctype.split(";")[0].strip()) if ctype else None
            node = ox.NamedNode(g)
            current = {ox.Quad(t.subject, t.predicate, t.object, node)
                       for t in (ox.parse(body, format=fmt or ox.RdfFormat.N_TRIPLES) if body else ())}
            current -= {q for q in remove if q.graph_name == node}
            current |= {q for q in add if q.graph_name == node}
            self._put_graphs({g: sorted(current, key=str)})


def _graph_url(store_url: str, graph: str) -> str:
    iri_text(graph)
    return f"{store_url}{'&' if '?' in store_url else '?'}graph={urllib.parse.quote(graph, safe='')}"


def _by_graph(quads) -> dict[str, list]:
    out: dict[str, list] = {}
    for q in quads:
        out.setdefault(q.graph_name.value, []).append(q)
    return out


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _triples_text(quads) -> str:
    return "\n".join(f"{term_text(q.subject, blank_ok=True)} {term_text(q.predicate)} "
                     f"{term_text(q.object, blank_ok=True)} ." for q in quads)


def _quads_text(quads) -> str:
    return "\n".join(f"GRAPH {term_text(g)} {{\n{_triples_text(part)}\n}}"
                     for g, part in ((g, [q for q in quads if q.graph_name == g])
                                     for g in dict.fromkeys(q.graph_name for q in quads)))


def connect(url: str, write: bool = False, fresh: bool = False, environ=None):
    """The server whose query URL is ``url``: a `RemoteStore`, or with ``write`` a `RemoteWriter` (a context
    manager, like `graph.store.writing`)."""
    endpoint = Endpoint.from_url(url, environ)
    return RemoteWriter(endpoint, fresh=fresh) if write else RemoteStore(endpoint)
