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
from graph.lineage_index import DOCUMENT_LINKS, IndexWriter, LineageIndex, graph_entry
from graph.vocab import DKG_NS, PREFIXES

RDF = PREFIXES["rdf"]
RDFS_LABEL = PREFIXES["rdfs"] + "label"
X = "http://example.org/"


def _said(s: str, p: str, o: str, sentence: str, start: int) -> list:
    ev = f"{X}ev/{abs(hash((s, p, o))) % 10**9}"
    return [(ev, RDF + "subject", ("i", s, None)), (ev, RDF + "predicate", ("i", DKG_NS + p, None)),
            (ev, RDF + "object", ("i", o, None)), (ev, DKG_NS + "sentence", ("l", sentence, "vi")),
            (ev, DKG_NS + "start", ("t", str(start), PREFIXES["xsd"] + "integer"))]


def _document(name: str, tasks: dict[str, list[str]], implements: str | None = None, level: str = "district",
              also: tuple = (), links: tuple = ()):
    """The index entry of a document ``X/doc/name`` whose tasks (IRI -> organisations they go to) are given, which
    links to the tasks ``also`` without saying anything else of them, and to documents by ``links`` ((link, name
    of the document, sentence or None[, the task that links instead of the document]))."""
    doc = f"{X}doc/{name}"
    rows = [(doc, RDF + "type", ("i", DKG_NS + "Plan", None)), (doc, DKG_NS + "level", ("i", DKG_NS + level, None)),
            (doc, DKG_NS + "code", ("l", f"{name.upper()}-KH/HU", None)),
            (doc, DKG_NS + "date", ("t", "2022-05-01", PREFIXES["xsd"] + "date"))]
    if implements:
        rows += [(doc, DKG_NS + "implements", ("i", f"{X}doc/{implements}", None)),
                 *_said(doc, "implements", f"{X}doc/{implements}", f"Thực hiện văn bản {implements}", 10)]
    rows += [(doc, DKG_NS + "hasTask", ("i", task, None)) for task in also]
    for n, (link, target, sentence, *task) in enumerate(links):
        subject = task[0] if task else doc
        rows.append((subject, DKG_NS + link, ("i", f"{X}doc/{target}", None)))
        if sentence:
            rows += _said(subject, link, f"{X}doc/{target}", sentence, 20 + n)
    for n, (task, orgs) in enumerate(tasks.items()):
        rows += [(doc, DKG_NS + "hasTask", ("i", task, None)), (task, RDF + "type", ("i", DKG_NS + "Task", None)),
                 (task, DKG_NS + "taskLabel", ("l", str(n + 1), None)),
                 (task, DKG_NS + "text", ("l", f"Nhiệm vụ {n + 1} của {name}", "vi"))]
        for org in orgs:
            rows += [(task, DKG_NS + "assignsTo", ("i", f"{X}org/{org}", None)),
                     (f"{X}org/{org}", RDF + "type", ("i", DKG_NS + "Organisation", None)),
                     (f"{X}org/{org}", RDFS_LABEL, ("l", f"Ban {org}", "vi")),
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


def _answers(path, root: str, depth: int | None = None, follow=L.DEFAULT_RELATIONS) -> tuple[bytes | None, bytes]:
    """The answer copied from runs (None: not taken) and the answer made edge by edge, of a walk down."""
    relations = tuple(L._RANKED)
    ix = LineageIndex(path)
    root_id = ix.nids([root])[root]
    L._walk_down(ix, root_id, depth, follow, own=False)
    copied = ix.answer_down_json(root_id, head="{", relations=relations, properties=L._EVIDENCE_PROPERTIES)
    copied = b"".join(copied) if copied is not None else None
    L._walk_down(ix, root_id, depth, follow)
    made = b"".join(ix.answer_json(root_id, None, head="{", relations=relations,
                                   properties=L._EVIDENCE_PROPERTIES, evidence=True))
    return copied, made


def _written(tmp_path, steps) -> tuple:
    """The index written step by step (each step replacing the graphs it names), and one written at once with the
    graphs the last step left: what the walks read from both must be the same."""
    path, final = None, {}
    for i, entries in enumerate(steps):
        path = _write(tmp_path / f"ix{i}.lineage", entries, base=path, drop=[e[0] for e in entries])
        final.update((e[0], e) for e in entries)
    return path, _write(tmp_path / "at-once.lineage", list(final.values()))


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
B_ALONE = _document("b", {_t(17): ["z"]})  # no longer implements a
K = _document("k", {_t(30): ["k"]}, links=(("cites", "a", "Nhiệm vụ theo văn bản a", _t(30)),))  # a task cites a
M_PLAIN = _document("m", {_t(31): ["m"]})
M_OWNING = _document("m", {_t(31): ["m"]}, also=[_t(30)])  # k's task is m's too: m reaches a through it


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
    pytest.param([[A, B, C], [B_ALONE]], id="a link to a document goes"),
    pytest.param([[A, K, M_PLAIN], [M_OWNING]], id="a task linking to a document gets a second document"),
    pytest.param([[A, K, M_OWNING], [M_PLAIN]], id="a task linking to a document loses its second document"),
])
def test_a_walk_down_copied_from_runs_is_the_answer_made_edge_by_edge(tmp_path, steps):
    path, at_once = _written(tmp_path, steps)
    for root in [r for r in ("a", "b") if any(e[0] == f"{X}graph/{r}" for step in steps for e in step)]:
        copied, made = _answers(path, f"{X}doc/{root}")
        assert copied is not None, "the walk was answered from the runs"
        assert copied == made
        assert copied == _answers(at_once, f"{X}doc/{root}")[0]
    answer = json.loads(_answers(path, f"{X}doc/a")[0].decode())
    tasks = [n["id"] for n in answer["nodes"] if n["kind"] == "task"]
    assert tasks == sorted(tasks) and len(tasks) == len(set(tasks))  # every task once, in the answer's order
    assert any(e["relation"] == "assigns_to" and e["evidence"] for e in answer["edges"])


# Documents linked to documents in several ways at once: an answer shows one edge per pair, the strongest relation the
# walk follows, with the first sentence of the links behind it (an implements edge: dkg:implements or dkg:guides).
E = _document("e", {_t(20): ["x"]}, implements="a",
              links=(("guides", "a", "Theo hướng dẫn của văn bản a"), ("cites", "b", "Căn cứ văn bản b"),
                     ("amends", "b", "Sửa đổi văn bản b"), ("basedOn", "c", None)))
H = _document("h", {_t(22): ["z"]}, links=(("implements", "a", None), ("guides", "a", "Theo hướng dẫn của văn bản a")))
G = _document("g", {_t(21): ["y"]}, implements="e", links=(("cites", "a", "Trích văn bản a"),))
A_CITING = _document("a", {_t(1): ["x"], _t(3): ["x", "y"]}, level="province",
                     links=(("cites", "g", "Như văn bản g đã nêu"), ("partOf", "e", None)))


@pytest.mark.parametrize("depth", [None, 1, 2])
@pytest.mark.parametrize("follow", [L.DEFAULT_RELATIONS, ("implements",), ("cites",), ("cites", "amends"),
                                    ("based_on", "implements", "part_of")], ids=",".join)
@pytest.mark.parametrize("steps", [
    pytest.param([[A_CITING, B, C, E, G, H]], id="one write"),
    pytest.param([[A, B, C, E, H], [G], [A_CITING]], id="the root's links change last"),
    pytest.param([[A_CITING, B, C, E, G, H], [B_INTERLEAVED]], id="a target's place moves"),
])
def test_links_between_documents_copied_are_those_made_edge_by_edge(tmp_path, steps, follow, depth):
    path, at_once = _written(tmp_path, steps)
    for root in ("a", "b", "e"):
        copied, made = _answers(path, f"{X}doc/{root}", depth, follow)
        assert copied is not None, "the walk was answered from the runs"
        assert copied == made
        assert copied == _answers(at_once, f"{X}doc/{root}", depth, follow)[0]


def test_the_walk_and_the_index_rank_document_links_alike():
    assert all(L.RELATIONS[rel][0] == link for link, rel in DOCUMENT_LINKS)


def test_a_task_pointing_at_a_document_is_shown_implementing_it(tmp_path):
    """As the walk over the store (`graph.lineage`): a task's link up is an implements edge, whatever the link,
    backed by the sentences of implements and guides links only."""
    path = _write(tmp_path / "ix.lineage", [A, K])
    answer = json.loads(_answers(path, f"{X}doc/a")[0].decode())
    assert {"from": _t(30), "to": f"{X}doc/a", "relation": "implements", "evidence": None} in answer["edges"]
    assert {"from": f"{X}doc/k", "to": _t(30), "relation": "has_task", "evidence": None} in answer["edges"]


LONE_TASK = graph_entry(f"{X}graph/n", [(_t(40), RDF + "type", ("i", DKG_NS + "Task", None)),
                                        (_t(40), DKG_NS + "implements", ("i", f"{X}doc/a", None)),
                                        *_said(_t(40), "implements", f"{X}doc/a", "Thực hiện văn bản a", 5)])


@pytest.mark.parametrize("entries, root", [
    pytest.param([A, B], _t(1), id="the root is a task"),
    pytest.param([A, LONE_TASK], f"{X}doc/a", id="a task without its document implements the root"),
])
def test_a_walk_reaching_a_task_is_answered_edge_by_edge(tmp_path, entries, root):
    path = _write(tmp_path / "ix.lineage", entries)
    copied, made = _answers(path, root)
    assert copied is None, "not copied: a task reached has no runs of its own"
    answer = json.loads(made.decode())
    assert answer["nodes"][0]["id"] == root
    assert root != f"{X}doc/a" or {"from": _t(40), "to": root, "relation": "implements",
                                   "evidence": "Thực hiện văn bản a"} in answer["edges"]


def test_the_lines_file_stays_bounded_through_rewrites(tmp_path):
    """Each write appends the lines of what it touched and leaves the old ones; once they are more than half of the
    file it is written again without them, and the answers read from it do not change."""
    from graph.lineage_index import lines_path

    steps = [[A, B, C, F]] + [[A, B_INTERLEAVED], [A_SHORTER, B], [C, D]] * 3
    path, at_once = _written(tmp_path, steps)
    sizes = [lines_path(tmp_path / f"ix{i}.lineage").stat().st_size for i in range(len(steps))]
    assert any(later < earlier for earlier, later in zip(sizes, sizes[1:])), "the file was written again"
    assert sizes[-1] <= 2 * lines_path(at_once).stat().st_size
    for root in ("a", "b"):
        copied, made = _answers(path, f"{X}doc/{root}")
        assert copied == made == _answers(at_once, f"{X}doc/{root}")[0]
