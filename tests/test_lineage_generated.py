"""The lineage of a generated cascade is EXACT against its ground truth.

bench/generate_cascade.py writes ~300 Party plans (two central roots, each cascading through provinces, districts
and communes, with small codes such as ``25-KH/ĐU`` recurring in many places) and the ground truth of who
implements whom. The texts go through the real pipeline (reader, parser, resolver, rdf, store); the lineage of
each root must hold every document below it in the ground truth and nothing else: no namesake from another
province or another cascade. When it does not, the message names the texts and what the store holds for them,
so the failing stage can be told apart (parser: the reference is missing or wrong; resolver: it points at a
document of another jurisdiction or at a phantom).
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench_scripts import generated_store, load
from graph.lineage import lineage_graph


@pytest.fixture(scope="module")
def cascade(tmp_path_factory):
    gen = load("generate_cascade")
    out, truth, store = generated_store(tmp_path_factory.mktemp("cascade"), seed=3, **gen.plan_fanout(300, roots=2))
    by_file = {str((out / d["file"]).resolve()): d for d in truth["documents"]}

    def truth_of(source):
        return by_file.get(str(Path(source).resolve())) if source else None

    iri_of = {}
    for row in store.select("SELECT ?d ?f WHERE { ?d dkg:sourceFile ?f ; dkg:identityKey ?k }"):
        t = truth_of(row["f"])
        if t:
            iri_of[t["id"]] = row["d"]
    return {"truth": truth, "store": store, "truth_of": truth_of, "iri_of": iri_of, "descendants": gen.descendants,
            "by_id": {d["id"]: d for d in truth["documents"]}}


def _explain(c, ids, what) -> str:
    """What the store holds for the texts of ``ids``: their own identity and the documents they implement."""
    import pyoxigraph as ox

    lines = [f"{len(ids)} {what}:"]
    for i in sorted(ids)[:8]:
        d = c["by_id"][i]
        parent = c["by_id"].get(d["parent"]) or {}
        iri = c["iri_of"].get(i)
        links = c["store"].select("SELECT ?x ?key WHERE { ?d dkg:implements ?x . OPTIONAL { ?x dkg:identityKey ?key } }",
                                  {"d": ox.NamedNode(iri)}) if iri else []
        lines.append(f"  {d['file']} ({d['code']}, {d['level']}, {d['jurisdiction']}) expected to implement "
                     f"{parent.get('code')} of {parent.get('jurisdiction')} <{c['iri_of'].get(parent.get('id'))}>;"
                     f" store: {iri or 'NOT INGESTED'} implements {[r['key'] for r in links]}")
    return "\n".join(lines)


@pytest.mark.parametrize("relations", [("implements",), ("implements", "based_on", "cites")],
                         ids=["implements", "default"])
@pytest.mark.parametrize("which", [0, 1])
def test_root_lineage_is_exact(cascade, which, relations):
    c = cascade
    root = c["truth"]["roots"][which]
    G = lineage_graph(c["store"], c["iri_of"][root], relations=relations)
    got = set()
    for _n, d in G.nodes(data=True):
        t = c["truth_of"](d.get("source")) if d["kind"] == "document" else None
        if t:
            got.add(t["id"])
    got.discard(root)
    want = c["descendants"](c["truth"], root)
    assert want, "the generator gave the root no descendants"
    missing, extra = want - got, got - want
    assert not missing and not extra, "\n".join(filter(None, [
        missing and _explain(c, missing, "documents below the root missing from its lineage"),
        extra and _explain(c, extra, "documents in the lineage that are not below the root")]))


def test_every_text_is_its_own_document(cascade):
    """Two texts merged into one IRI would make the lineage lose one of them (namesake communes did at 10,000)."""
    c = cascade
    iris = [c["iri_of"].get(d["id"]) for d in c["truth"]["documents"]]
    merged = {i for i in iris if i and iris.count(i) > 1}
    assert None not in iris and not merged, (iris.count(None), sorted(merged)[:5])


def test_the_corpus_has_colliding_codes_outside_each_lineage(cascade):
    """Otherwise exactness would prove nothing about identity: namesakes must exist across provinces."""
    c = cascade
    codes = Counter((d["code"], d["level"]) for d in c["truth"]["documents"] if d["code"])
    for root in c["truth"]["roots"]:
        below = c["descendants"](c["truth"], root)
        shared = {c["by_id"][i]["code"] for i in below} & {d["code"] for d in c["truth"]["documents"]
                                                           if d["id"] not in below and d["id"] != root}
        assert shared, f"no code of {root}'s lineage recurs outside it"
    assert max(codes.values()) >= 3


def test_level_commune_keeps_every_commune_plan(cascade):
    c = cascade
    root = c["truth"]["roots"][0]
    G = lineage_graph(c["store"], c["iri_of"][root], level="commune")
    kept = {c["truth_of"](d.get("source"))["id"] for _n, d in G.nodes(data=True)
            if d["kind"] == "document" and c["truth_of"](d.get("source"))}
    communes = {i for i in c["descendants"](c["truth"], root) if c["by_id"][i]["level"] == "commune"}
    assert communes and communes <= kept, _explain(c, communes - kept, "commune plans dropped by --level commune")
    assert all(d.get("level") == "commune" for _n, d in G.nodes(data=True) if d["kind"] in ("task", "organisation"))
