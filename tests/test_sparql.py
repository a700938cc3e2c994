"""dkg sparql: every output format read back with a parser of that format, named queries with bound
parameters, malformed and hostile input; on the bundled corpus ingested into a real on-disk store."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

import cli
from graph.sparql import display_width, named_queries

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SR = "{http://www.w3.org/2005/sparql-results#}"


def run(store, *args):
    return CliRunner().invoke(cli.cli, ["sparql", *args, "--store", store])


def quad_count(store) -> int:
    from graph.store import open_read_only

    return len(open_read_only(store))


# ---- result formats, each read back by a parser of that format ---------------------------------------------------


def parse_json(text):
    data = json.loads(text)
    return data["head"]["vars"], [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def parse_xml(text):
    root = ET.fromstring(text)
    names = [v.get("name") for v in root.find(f"{SR}head").findall(f"{SR}variable")]
    rows = []
    for result in root.find(f"{SR}results").findall(f"{SR}result"):
        row = {}
        for b in result.findall(f"{SR}binding"):
            term = next(iter(b))
            row[b.get("name")] = term.text
        rows.append(row)
    return names, rows


def parse_csv(text):
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], [{k: v for k, v in zip(rows[0], r) if v != ""} for r in rows[1:]]


def parse_tsv(text):
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    names = [n.lstrip("?") for n in rows[0]]
    out = []
    for r in rows[1:]:
        row = {}
        for k, v in zip(names, r):
            if v == "":
                continue
            if v.startswith("<") and v.endswith(">"):
                v = v[1:-1]
            elif v.startswith('"'):
                v = v[1:v.rindex('"')]
            row[k] = v
        out.append(row)
    return names, out


def parse_table(text):
    lines = text.rstrip("\n").splitlines()
    return lines[0].split(), lines[2:-1]


PARSERS = {"json": parse_json, "xml": parse_xml, "csv": parse_csv, "tsv": parse_tsv}

SELECT_DOCS = "SELECT ?d ?code WHERE { ?d dkg:code ?code ; dkg:sourceFile ?f } ORDER BY ?code"


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_formats_parse_to_the_same_rows(corpus_store, fmt):
    result = run(corpus_store, SELECT_DOCS, "--format", fmt)
    assert result.exit_code == 0, result.output
    names, rows = PARSERS[fmt](result.output)
    assert names == ["d", "code"]
    assert [r["code"] for r in rows] == ["1123-CV/TU"]
    assert rows[0]["d"].startswith("https://w3id.org/dkg/id/doc/")


def test_table_format_is_aligned_and_keeps_vietnamese(corpus_store):
    result = run(corpus_store, "SELECT ?name ?level WHERE { ?o a dkg:Organisation ; rdfs:label ?name ; dkg:level ?level }"
                               " ORDER BY ?name")
    assert result.exit_code == 0, result.output
    lines = result.output.rstrip("\n").splitlines()
    assert lines[0].split() == ["name", "level"]
    assert "Đảng ủy Công an tỉnh" in result.output
    column = lines[0].index("level")
    start = display_width(lines[0][:column])
    for line in lines[2:-1]:
        cut = next(i for i in range(len(line)) if display_width(line[:i]) == start)
        assert line[cut - 2:cut] == "  " and line[cut] != " ", line
        assert line[cut:].startswith("dkg:"), line
    assert lines[-1].startswith(f"({len(lines) - 3} rows")


# fmt: off
ASK_CASES = [
    ("ASK { ?d dkg:code \"1123-CV/TU\" }", "true"),
    ("ASK { ?d dkg:code \"9999-CV/TU\" }", "false"),
]
# fmt: on


@pytest.mark.parametrize("query,answer", ASK_CASES)
@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "xml"])
def test_ask(corpus_store, query, answer, fmt):
    result = run(corpus_store, query, "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        assert json.loads(result.output)["boolean"] is (answer == "true")
    elif fmt == "xml":
        assert ET.fromstring(result.output).find(f"{SR}boolean").text == answer
    else:
        assert result.output.strip() == answer


CONSTRUCT = ("CONSTRUCT { ?d dkg:implements ?x . ?x dkg:code ?code } WHERE { ?d dkg:code \"1123-CV/TU\" ; "
             "dkg:implements ?x . ?x dkg:code ?code }")


@pytest.mark.parametrize("fmt,rdf_format", [("table", "turtle"), ("csv", "turtle"), ("json", "json-ld"),
                                             ("xml", "xml")])
@pytest.mark.parametrize("query", [CONSTRUCT, "DESCRIBE ?x WHERE { ?x dkg:code \"18/QĐ-TTg\" }"])
def test_construct_and_describe_give_rdf(corpus_store, query, fmt, rdf_format):
    import rdflib

    result = run(corpus_store, query, "--format", fmt)
    assert result.exit_code == 0, result.output
    g = rdflib.Graph().parse(data=result.output, format=rdf_format)
    codes = {str(o) for o in g.objects(None, rdflib.URIRef("https://w3id.org/dkg/ontology#code"))}
    assert "18/QĐ-TTg" in codes
    if rdf_format == "turtle":
        assert "@prefix dkg: <https://w3id.org/dkg/ontology#>" in result.output


# ---- named queries --------------------------------------------------------------------------------------------

# Every named query, run on the bundled corpus: parameters, and what the answer must contain.
# fmt: off
NAMED = {
    "lineage-down":             ({"doc": "12-NQ/TW"},  {"source": "data/corpus/huyen-uy-xay-dung-cong-an-xa-2022.txt"}),
    "lineage-up":               ({"doc": "1123-CV/TU"}, {"code": "343-QĐ/TW"}),
    "commune-tasks":            ({"doc": "12-NQ/TW"},  {"name": "Công an các xã, thị trấn"}),
    "citing":                   ({"doc": "343-QĐ/TW"}, {"code": "01-HD/BTCTW"}),
    "tasks-by-organisation":    ({"org": "Đảng ủy Công an tỉnh"}, {"code": "1123-CV/TU"}),
    "documents-without-number": ({},                  {"source": "data/corpus/huyen-uy-xay-dung-cong-an-xa-2022.txt"}),
    "unresolved-references":    ({},                  {"code": "18/QĐ-TTg"}),
    "documents":                ({},                  {"code": "1123-CV/TU"}),
}
# fmt: on


def test_every_named_query_is_tested_and_listed(corpus_store):
    assert set(named_queries()) == set(NAMED)
    result = run(corpus_store, "--list")
    assert result.exit_code == 0
    for q in named_queries().values():
        assert q.name in result.output and q.description
        for p in q.params:
            assert f"--param {p.name}=" in result.output


@pytest.mark.parametrize("name", sorted(NAMED))
@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_named_query(corpus_store, name, fmt):
    params, expected = NAMED[name]
    args = [name, "--format", fmt] + [a for k, v in params.items() for a in ("--param", f"{k}={v}")]
    result = run(corpus_store, *args)
    assert result.exit_code == 0, result.output
    names, rows = PARSERS[fmt](result.output)
    (column, value), = expected.items()
    assert column in names
    assert any(value in (r.get(column) or "") for r in rows), rows


def test_named_query_table(corpus_store):
    result = run(corpus_store, "commune-tasks", "--param", "doc=12-NQ/TW")
    assert result.exit_code == 0, result.output
    assert "Công an các xã, thị trấn" in result.output


# fmt: off
BAD_QUERIES = [
    # (arguments, text in the one-line error)
    (["SELECT ?x WHERE { ?x ?p }"],                           "malformed SPARQL"),
    (["DROP ALL"],                                            "malformed SPARQL"),
    (["INSERT DATA { <http://a> <http://b> <http://c> }"],    "malformed SPARQL"),
    (["no-such-query"],                                       "no named query 'no-such-query'"),
    (["lineage-down"],                                        "lineage-down needs --param doc="),
    (["lineage-down", "--param", "doc=12-NQ/TW", "--param", "x=1"], "has no parameter x"),
    (["lineage-down", "--param", 'doc=x" } ; DROP ALL ; #'],  "no document or organisation named"),
    (["-f", "/nonexistent/q.rq"],                             "cannot read"),
    ([],                                                      "give a query"),
]
# fmt: on


@pytest.mark.parametrize("args,message", BAD_QUERIES, ids=[" ".join(b[0])[:40] or "nothing" for b in BAD_QUERIES])
def test_bad_queries_are_one_line_errors_and_change_nothing(corpus_store, args, message):
    before = quad_count(corpus_store)
    result = run(corpus_store, *args)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.output
    assert quad_count(corpus_store) == before


def test_a_parameter_is_bound_by_the_engine_not_pasted(corpus_store):
    hostile = 'a" } ; DROP ALL ; # <x>'
    result = run(corpus_store, "SELECT ?v WHERE {}", "--param", f"v={hostile}", "--format", "json")
    assert result.exit_code == 0, result.output
    _names, rows = parse_json(result.output)
    assert rows == [{"v": hostile}]


@pytest.mark.parametrize("value,expected", [("<https://w3id.org/dkg/ontology#commune>", "https://w3id.org/dkg/ontology#commune"),
                                            ("dkg:commune", "https://w3id.org/dkg/ontology#commune")])
def test_iri_parameters(corpus_store, value, expected):
    result = run(corpus_store, "SELECT ?level (COUNT(?o) AS ?n) WHERE { ?o dkg:level ?level } GROUP BY ?level",
                 "--param", f"level={value}", "--format", "json")
    assert result.exit_code == 0, result.output
    _names, rows = parse_json(result.output)
    assert rows and rows[0]["level"] == expected and int(rows[0]["n"]) >= 2


def test_query_from_a_file(corpus_store, tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("# the documents with a text\n" + SELECT_DOCS, encoding="utf-8")
    result = run(corpus_store, "-f", str(path), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert parse_csv(result.output)[1][0]["code"] == "1123-CV/TU"


# ---- named queries on a generated cascade, against a reference computed from the store's indexes ---------------
#
# The named queries are written for speed (LATERAL joins, the dkg:links graph, one value per node), so their rows
# are checked here against the same question answered without SPARQL: breadth-first walks and look-ups on the
# store's indexes (`Store.subjects`, `Store.describe`), on a generated cascade with two roots that share a code.

DKG = "https://w3id.org/dkg/ontology#"
LINKS = DKG + "links"
ROLES = ("assignsTo", "leadBy", "cooperatesWith")


@pytest.fixture(scope="module")
def cascade(tmp_path_factory):
    from bench_scripts import generated_store, load

    gen = load("generate_cascade")
    _corpus, truth, store = generated_store(tmp_path_factory.mktemp("cascade"), seed=7, **gen.plan_fanout(150, roots=2))
    roots = sorted(r["d"] for r in store.select("SELECT DISTINCT ?d WHERE { ?d dkg:level dkg:central ; dkg:sourceFile ?f ;"
                                                  " dkg:identityKey ?k }"))
    assert len(roots) == 2 and len(truth["documents"]) > 100
    return store, roots


def _named(store, name: str, **params) -> list[dict]:
    import pyoxigraph as ox

    from graph.sparql import named_query

    return store.select(named_query(name).text, {k: ox.NamedNode(v) for k, v in params.items()})


def _values(store, node: str, prop: str, graph: str | None = None) -> set[str]:
    return {t.value for t in store.describe(node, graph).get(prop, [])}


def _carried_out(store, root: str) -> set[str]:
    """The root and every document that carries it out (what lineage-down walks, plus the root)."""
    import pyoxigraph as ox

    seen, frontier = {root}, [root]
    while frontier:
        node = ox.NamedNode(frontier.pop())
        found = [s for p in ("implements", "guides", "basedOn", "cites") for s in store.subjects(DKG + p, node, LINKS)]
        for p in ("implements", "guides"):
            for task in store.subjects(DKG + p, node, LINKS):
                found += store.subjects(DKG + "hasTask", ox.NamedNode(task), LINKS)
        for s in found:
            if s not in seen:
                seen.add(s)
                frontier.append(s)
    return seen


def _canonical(row: tuple) -> tuple:
    """A sort key for rows holding sets: a set's text depends on the order it was filled in (and on the hash
    seed), so sorting by ``str`` may order two equal lists differently."""
    return tuple(tuple(sorted(v)) if isinstance(v, frozenset) else v for v in row)


def _task_bodies(store, task: str) -> dict[str, set[str]]:
    """{organisation: its roles} for one task, from the links graph."""
    out: dict[str, set[str]] = {}
    for role in ROLES:
        for org in _values(store, task, DKG + role, LINKS):
            out.setdefault(org, set()).add(role)
    return out


def _check_task_row(store, row: dict, task_of: dict) -> None:
    """The attributes of a task row are values the store holds for that document and task."""
    assert row["label"] in task_of, row
    task = task_of[row["label"]]
    assert (row["code"] or None) in (_values(store, row["document"], DKG + "code") or {None}), row
    assert (row["task_text"] or None) in (_values(store, task, DKG + "text") or {None}), row


def test_commune_tasks_are_the_commune_bodies_of_the_lineage(cascade):
    store, roots = cascade
    for root in roots:
        expected, labels = [], {}
        for document in _carried_out(store, root):
            for task in _values(store, document, DKG + "hasTask", LINKS):
                for label in _values(store, task, DKG + "taskLabel"):
                    labels[(document, label)] = task
                for org, roles in _task_bodies(store, task).items():
                    if DKG + "commune" in _values(store, org, DKG + "level"):
                        expected.append((document, org, frozenset(roles)))
        rows = _named(store, "commune-tasks", doc=root)
        assert len(expected) > 50
        got = [(r["document"], r["organisation"], frozenset(r["roles"].split(", "))) for r in rows]
        assert sorted(got, key=_canonical) == sorted(expected, key=_canonical)
        for r in rows:
            assert r["doc"] == root and r["name"] in _values(store, r["organisation"], RDFS_LABEL), r
            _check_task_row(store, r, {label: t for (d, label), t in labels.items() if d == r["document"]})


def test_tasks_by_organisation_are_its_tasks_with_their_documents(cascade):
    import random

    import pyoxigraph as ox

    store, _roots = cascade
    orgs = sorted({r["o"] for r in store.select("SELECT DISTINCT ?o WHERE { GRAPH dkg:links { ?t dkg:assignsTo ?o } }")})
    busiest = max(orgs, key=lambda o: len(store.subjects(DKG + "assignsTo", ox.NamedNode(o), LINKS)))
    for org in [busiest] + random.Random(3).sample(orgs, 5):
        expected, tasks = [], {}
        for role in ROLES:
            for task in store.subjects(DKG + role, ox.NamedNode(org), LINKS):
                tasks[task] = tasks.get(task, set()) | {role}
        for task, roles in tasks.items():
            for document in store.subjects(DKG + "hasTask", ox.NamedNode(task), LINKS):
                expected.append((document, frozenset(roles)))
        rows = _named(store, "tasks-by-organisation", org=org)
        assert rows and sorted([(r["document"], frozenset(r["roles"].split(", "))) for r in rows], key=_canonical) == \
            sorted(expected, key=_canonical)
        for r in rows:
            task_of = {label: t for t in tasks for label in _values(store, t, DKG + "taskLabel")
                       if r["document"] in store.subjects(DKG + "hasTask", ox.NamedNode(t), LINKS)}
            _check_task_row(store, r, task_of)


@pytest.mark.parametrize("name", ["documents", "documents-without-number"])
def test_documents_are_the_documents_read_from_a_text(cascade, name):
    import pyoxigraph as ox

    store, _roots = cascade
    texts = {q.subject.value: q.object.value for q in store.ox.quads_for_pattern(None, ox.NamedNode(DKG + "sourceFile"), None)}
    documents = {d for d in texts if _values(store, d, DKG + "identityKey")}
    if name == "documents-without-number":
        documents = {d for d in documents if not _values(store, d, DKG + "number")}
        assert documents  # the generator loses some headers
    rows = _named(store, name)
    assert sorted(r["document"] for r in rows) == sorted(documents)
    if name == "documents":
        for r in rows:
            assert int(r["tasks"]) == len(_values(store, r["document"], DKG + "hasTask", LINKS)), r
    else:
        assert [r["source"] for r in rows] == sorted(texts[d] for d in documents)
