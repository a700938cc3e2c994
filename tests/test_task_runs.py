"""The lineage index's task runs (graph/lineage_index.py) keep a walk down's answer exact when tasks of several
documents interleave in an answer's order, when a task has two documents, and through incremental writes.

A walk down copies each reached document's tasks as runs of consecutive places in the answer. These tests write
small indexes by hand, with task IRIs chosen so that one document's tasks sit between another's, and compare the
copied answer byte for byte with the answer made edge by edge (`LineageIndex.answer_json`).
"""
from __future__ import annotations

import json

import pytest

from graph import lineage as L
from graph.lineage_index import IndexWriter, LineageIndex, graph_entry
from graph.vocab import DKG_NS, PREFIXES

RDF = PREFIXES["rdf"]
X = "http://example.org/"


def _said(s: str, p: str, o: str, sentence: str, start: int) -> list:
    ev = f"{X}ev/{abs(hash((s, p, o))) % 10**9}"
    return [(ev, RDF + "subject", ("i", s, None)), (ev, RDF + "predicate", ("i", DKG_NS + p, None)),
            (ev, RDF + "object", ("i", o, None)), (ev, DKG_NS + "sentence", ("l", sentence, "vi")),
            (ev, DKG_NS + "start", ("t", str(start), PREFIXES["xsd"] + "integer"))]


def _document(name: str, tasks: dict[str, list[str]], implements: str | None = None, level: str = "district",
              also: tuple = ()):
    """The index entry of a document ``X/doc/name`` whose tasks (IRI -> organisations they go to) are given, and
    which links to the tasks ``also`` without saying anything else of them."""
    doc = f"{X}doc/{name}"
    rows = [(doc, RDF + "type", ("i", DKG_NS + "Plan", None)), (doc, DKG_NS + "level", ("i", DKG_NS + level, None)),
            (doc, DKG_NS + "code", ("l", f"{name.upper()}-KH/HU", None)),
            (doc, DKG_NS + "date", ("t", "2022-05-01", PREFIXES["xsd"] + "date"))]
    if implements:
        rows += [(doc, DKG_NS + "implements", ("i", f"{X}doc/{implements}", None)),
                 *_said(doc, "implements", f"{X}doc/{implements}", f"Thực hiện văn bản {implements}", 10)]
    rows += [(doc, DKG_NS + "hasTask", ("i", task, None)) for task in also]
    for n, (task, orgs) in enumerate(tasks.items()):
        rows += [(doc, DKG_NS + "hasTask", ("i", task, None)), (task, RDF + "type", ("i", DKG_NS + "Task", None)),
                 (task, DKG_NS + "taskLabel", ("l", str(n + 1), None)),
                 (task, DKG_NS + "text", ("l", f"Nhiệm vụ {n + 1} của {name}", "vi"))]
        for org in orgs:
            rows += [(task, DKG_NS + "assignsTo", ("i", f"{X}org/{org}", None)),
                     (f"{X}org/{org}", RDF + "type", ("i", DKG_NS + "Organisation", None)),
                     (f"{X}org/{org}", DKG_NS + "name", ("l", f"Ban {org}", "vi")),
                     (f"{X}org/{org}", DKG_NS + "level", ("i", DKG_NS + "commune", None)),
                     *_said(task, "assignsTo", f"{X}org/{org}", f"Giao Ban {org} thực hiện ({name})", 100 + n)]
    return graph_entry(f"{X}graph/{name}", rows)


def _write(path, entries, base=None, drop=()):
    writer = IndexWriter(path, base)
    writer.drop(drop)
    for entry in entries:
        writer.add(entry)
    writer.finish()
    return path


def _answers(path, root: str) -> tuple[bytes | None, bytes]:
    """The answer copied from runs (None: not taken) and the answer made edge by edge, of a walk down."""
    relations = tuple(L._RANKED)
    ix = LineageIndex(path)
    root_id = ix.nids([root])[root]
    L._walk_down(ix, root_id, None, L.DEFAULT_RELATIONS, own=False)
    copied = ix.answer_down_json(root_id, head="{", relations=relations, properties=L._EVIDENCE_PROPERTIES)
    copied = b"".join(copied) if copied is not None else None
    L._walk_down(ix, root_id, None, L.DEFAULT_RELATIONS)
    made = b"".join(ix.answer_json(root_id, None, head="{", relations=relations,
                                   properties=L._EVIDENCE_PROPERTIES, evidence=True))
    return copied, made


def _t(n: int) -> str:
    return f"{X}task/{n:02d}"


A = _document("a", {_t(1): ["x"], _t(3): ["x", "y"], _t(5): ["y"]}, level="province")
A_SHORTER = _document("a", {_t(1): ["x"], _t(5): ["y"]}, level="province")
B = _document("b", {_t(17): ["z"], _t(18): ["u"]}, implements="a")
B_INTERLEAVED = _document("b", {_t(2): ["z"], _t(4): ["x"]}, implements="a")
B_SHARING = _document("b", {_t(17): ["z"], _t(18): ["u"], _t(5): ["y"]}, implements="a")  # 05 is also a's task
B_LINKING = _document("b", {_t(17): ["z"], _t(18): ["u"]}, implements="a", also=[_t(5)])
F = _document("f", {_t(10): ["f"], _t(11): ["f"]})  # between a's tasks and b's
C = _document("c", {_t(6): ["w"], _t(0): ["x"]}, implements="b")
D = _document("d", {_t(2): ["v"]}, implements="b")  # its task sits between a's first two


@pytest.mark.parametrize("steps", [
    pytest.param([[A, B_INTERLEAVED, C]], id="interleaved, one write"),
    pytest.param([[A], [B_INTERLEAVED], [C]], id="interleaved, one at a time"),
    pytest.param([[A, B, F], [D]], id="a task lands inside a run"),
    pytest.param([[A, B_SHARING, F], [D]], id="a task lands inside a run with a task of two documents"),
    pytest.param([[A, B_SHARING, C]], id="a task of two documents"),
    pytest.param([[A, B, F], [B_SHARING], [C]], id="a task becomes shared"),
    pytest.param([[A, B_SHARING, C, F], [B]], id="a task stops being shared"),
    pytest.param([[A, B_LINKING, F], [B]], id="a link to a task stops being shared"),
    pytest.param([[A, B_INTERLEAVED, C], [A_SHORTER]], id="a task leaves a run"),
])
def test_a_walk_down_copied_from_runs_is_the_answer_made_edge_by_edge(tmp_path, steps):
    path = None
    for i, entries in enumerate(steps):
        path = _write(tmp_path / f"ix{i}.lineage", entries, base=path, drop=[e[0] for e in entries])
    for root in ("a", "b"):
        copied, made = _answers(path, f"{X}doc/{root}")
        assert copied is not None, "the walk was answered from the runs"
        assert copied == made
    answer = json.loads(_answers(path, f"{X}doc/a")[0].decode())
    tasks = [n["id"] for n in answer["nodes"] if n["kind"] == "task"]
    assert tasks == sorted(tasks) and len(tasks) == len(set(tasks))  # every task once, in the answer's order
    assert any(e["relation"] == "assigns_to" and e["evidence"] for e in answer["edges"])
