"""SPARQL for analysts: named queries, bound parameters, the W3C result formats and an aligned text table.

Named queries are the files ``ontology/queries/*.rq``. Each opens with a comment block::

    # lineage-down: every document that carries out a document, directly or through others ...
    #   (continued description lines are indented)
    # param: doc document  the root document (code or name, resolved with graph.names)

A parameter line gives the variable (without ``?``), its kind and what it means. Kinds: ``document`` and
``organisation`` (a name as users write it, resolved to an IRI with `graph.names.resolve_name`), ``iri``,
``text`` (a plain literal), ``integer``. Values are bound by the engine (pyoxigraph ``substitutions``), never
pasted into query text; pyoxigraph binds only projected variables, so every named query projects its
parameters.

Queries run with dkg's prefixes predeclared (``dkg: eli: org: prov: skos: dcterms: rdfs: rdf: xsd: owl:``) and
with the default graph as the union of the named graphs.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import QueryError

__all__ = ["NamedQuery", "Param", "named_queries", "named_query", "bind", "run", "format_result", "FORMATS",
           "PARAM_KINDS"]

FORMATS = ("table", "csv", "tsv", "json", "xml")
PARAM_KINDS = ("document", "organisation", "iri", "text", "integer")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_HEAD = re.compile(r"^#\s*([a-z][a-z0-9-]*)\s*:\s*(.+)$")
_PARAM = re.compile(r"^#\s*param\s*:\s*([A-Za-z_][A-Za-z0-9_]*)\s+(\S+)\s+(.+)$")
CELL_WIDTH = 60


@dataclass(frozen=True)
class Param:
    """A parameter of a named query: the variable it binds, its kind, and what it means."""

    name: str
    kind: str
    description: str


@dataclass(frozen=True)
class NamedQuery:
    """A query of ``ontology/queries``: its name (the file stem), description, parameters and text."""

    name: str
    description: str
    params: tuple[Param, ...] = field(default_factory=tuple)
    text: str = ""
    path: str = ""


def _queries_dir() -> Path:
    from .resources import ontology_path

    return ontology_path("queries")


def parse_named_query(path: Path) -> NamedQuery:
    """Read one ``.rq`` file and its leading comment block. Raises `QueryError` naming the file when the block
    lacks the ``# name: description`` line or a parameter line is malformed."""
    text = path.read_text(encoding="utf-8")
    name = path.stem
    description: list[str] = []
    params: list[Param] = []
    in_head = True
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        head = _HEAD.match(line)
        if line.lstrip("# ").startswith("param"):
            m = _PARAM.match(line)
            if not m or m.group(2) not in PARAM_KINDS:
                raise QueryError(f"{path}: malformed parameter line {line.strip()!r} "
                                 f"(expected '# param: NAME KIND description', KIND one of {', '.join(PARAM_KINDS)})")
            params.append(Param(m.group(1), m.group(2), m.group(3).strip()))
            in_head = False
        elif head and head.group(1) == name and not description:
            description.append(head.group(2).strip())
        elif in_head and description and line.startswith("#  "):
            description.append(line.lstrip("# ").strip())
        else:
            in_head = False
    if not description:
        raise QueryError(f"{path}: the query must open with '# {name}: what it answers'")
    return NamedQuery(name, " ".join(description), tuple(params), text, str(path))


@functools.cache
def named_queries() -> dict[str, NamedQuery]:
    """Every named query, by name (sorted)."""
    return {p.stem: parse_named_query(p) for p in sorted(_queries_dir().glob("*.rq"))}


def named_query(name: str) -> NamedQuery:
    """The named query ``name``; `QueryError` lists the known names when there is none."""
    queries = named_queries()
    if name not in queries:
        raise QueryError(f"no named query {name!r} (known: {', '.join(queries)}; see 'dkg sparql --list')")
    return queries[name]


def looks_like_name(text: str) -> bool:
    """Whether a QUERY argument is a query's name rather than SPARQL text."""
    return bool(_NAME.match(text.strip()))


def _iri(value: str):
    import pyoxigraph as ox

    from .vocab import PREFIXES

    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    else:
        prefix, _, local = value.partition(":")
        if prefix in PREFIXES and not local.startswith("//"):
            value = PREFIXES[prefix] + local
    try:
        return ox.NamedNode(value)
    except ValueError as e:
        raise QueryError(f"{value!r} is not an IRI: {e}") from None


def _value(store, kind: str, value: str):
    import pyoxigraph as ox

    if kind in ("document", "organisation"):
        from .names import resolve_name

        value = value.strip()
        if value.startswith("<") and value.endswith(">"):
            value = value[1:-1]
        return ox.NamedNode(resolve_name(store, value))
    if kind == "iri":
        return _iri(value)
    if kind == "integer":
        try:
            return ox.Literal(str(int(value)), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
        except ValueError:
            raise QueryError(f"{value!r} is not an integer") from None
    return ox.Literal(value)


def bind(store, query: NamedQuery | None, params: dict[str, str]) -> dict:
    """The substitutions for ``params`` (``{name: value as typed}``).

    For a named query each value is read as its parameter's kind (a document name is resolved to its IRI);
    every parameter must be given and no other. For a query given as text, ``<iri>`` and ``prefix:local``
    (a known prefix) are IRIs and anything else is a plain literal.
    """
    if query is None:
        import pyoxigraph as ox

        out = {}
        for name, value in params.items():
            v = value.strip()
            is_iri = (v.startswith("<") and v.endswith(">")) or _prefixed(v)
            out[name] = _iri(v) if is_iri else ox.Literal(value)
        return out
    known = {p.name: p for p in query.params}
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise QueryError(f"{query.name} has no parameter {', '.join(unknown)} "
                         f"(parameters: {', '.join(known) or 'none'})")
    missing = [p for p in query.params if p.name not in params]
    if missing:
        p = missing[0]
        raise QueryError(f"{query.name} needs --param {p.name}=... ({p.description})")
    return {name: _value(store, known[name].kind, value) for name, value in params.items()}


def _prefixed(value: str) -> bool:
    from .vocab import PREFIXES

    prefix, sep, local = value.partition(":")
    return bool(sep) and prefix in PREFIXES and not local.startswith("//") and " " not in value


def run(store, query_text: str, substitutions: dict | None = None):
    """Run a query (SELECT, ASK, CONSTRUCT, DESCRIBE) on ``store``; malformed text raises `QueryError` with
    pyoxigraph's one-line message (``malformed SPARQL: error at 1:25: expected ...``)."""
    try:
        return store.query(query_text, substitutions or None)
    except QueryError as e:
        raise QueryError(_short_message(str(e), query_text)) from None


def _short_message(message: str, query_text: str) -> str:
    """One line: the parser's message with its list of expected tokens cut short, and the text where it
    stopped (``error at 1:31`` -> ``near '}'``)."""
    message = " ".join(message.split())
    where = re.search(r"error at (\d+):(\d+)", message)
    expected = re.search(r"expected one of (.*)$", message)
    if expected and len(expected.group(1)) > 80:
        cut = expected.group(1)[:80]
        message = message[:expected.start()] + "expected one of " + cut[:cut.rfind(", ")] + ", …"
    if where:
        lines = query_text.splitlines() or [""]
        line_no, col = int(where.group(1)), int(where.group(2))
        if 1 <= line_no <= len(lines):
            near = lines[line_no - 1][max(col - 1, 0):max(col - 1, 0) + 20].strip()
            if near:
                message += f" (near {near!r})"
    return message


# ---- output -------------------------------------------------------------------------------------------------


def format_result(result, fmt: str = "table") -> bytes:
    """Serialise a query result.

    SELECT: the W3C SPARQL results formats (``json``, ``xml``, ``csv``, ``tsv``) or ``table`` (aligned text).
    ASK: ``true``/``false`` (``json`` and ``xml`` in their W3C form). CONSTRUCT and DESCRIBE: Turtle (``json``
    gives JSON-LD, ``xml`` RDF/XML).
    """
    import pyoxigraph as ox

    from .vocab import PREFIXES

    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if isinstance(result, ox.QueryTriples):
        rdf = {"json": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML}.get(fmt, ox.RdfFormat.TURTLE)
        options = {"prefixes": PREFIXES} if rdf is ox.RdfFormat.TURTLE else {}
        return ox.serialize(list(result), format=rdf, **options)
    if isinstance(result, ox.QueryBoolean):
        if fmt in ("json", "xml"):
            return result.serialize(format=_W3C(fmt))
        return (b"true" if bool(result) else b"false") + b"\n"
    if fmt == "table":
        return table(result).encode("utf-8")
    return result.serialize(format=_W3C(fmt))


def _W3C(fmt: str):
    import pyoxigraph as ox

    return {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
            "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}[fmt]


def display_width(text: str) -> int:
    """Terminal columns of ``text``: wide (CJK) characters take two, combining marks none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _fit(text: str, width: int) -> str:
    text = " ".join(text.split())
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _cell(term) -> str:
    import pyoxigraph as ox

    from . import iri as iri_mod
    from .vocab import PREFIXES

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        value = term.value
        base = iri_mod.base()
        if value.startswith(base):
            return "id:" + value[len(base):]
        for prefix, ns in PREFIXES.items():
            if value.startswith(ns) and len(value) > len(ns):
                return f"{prefix}:{value[len(ns):]}"
        return f"<{value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def table(solutions, max_width: int = CELL_WIDTH) -> str:
    """SELECT solutions as an aligned text table (Vietnamese text intact; long cells cut with "…"). IRIs are
    shortened with the known prefixes, and instance IRIs with ``id:`` (the instance base, noted below)."""
    from . import iri as iri_mod

    names = [v.value for v in solutions.variables]
    rows = [[_fit(_cell(row[n]), max_width) for n in names] for row in solutions]
    widths = [max([display_width(n)] + [display_width(r[i]) for r in rows]) for i, n in enumerate(names)]
    lines = ["  ".join(_pad(n, w) for n, w in zip(names, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths)).rstrip() for r in rows]
    note = f"({len(rows)} row{'s' if len(rows) != 1 else ''}"
    if any("id:" in c for r in rows for c in r):
        note += f"; id: = {iri_mod.base()}"
    lines.append(note + ")")
    return "\n".join(lines) + "\n"


def list_text() -> str:
    """The named queries, their descriptions and parameters, for ``dkg sparql --list``."""
    out = []
    for q in named_queries().values():
        out.append(q.name)
        out.append(f"    {q.description}")
        for p in q.params:
            out.append(f"    --param {p.name}=...  ({p.kind}) {p.description}")
    return "\n".join(out)
