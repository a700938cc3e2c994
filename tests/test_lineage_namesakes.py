"""Lineage stays exact when places share names: a generated cascade with namesake communes and districts.

bench/generate_cascade.py with a seed and fan-out chosen so that (asserted below) two communes of one name in
two districts issue plans with the same code in the same year, and district names recur across provinces: the
corpus where identity by the commune's name alone merged two texts into one document. Every text must be its own
document, every plan must implement its parent's own document (not a phantom of the parent's code scoped to the
wrong place), and the lineage of every root must be exactly the ground truth.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from bench_scripts import generated_store, load
from graph.lineage import lineage_graph
SEED = 33  # found by trying seeds: the first with a namesake commune pair sharing a code at this size


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    gen = load("generate_cascade")
    provinces = [p["name"] for p in gen.places()["provinces_pre2025"]][:24:4]
    out, truth, store = generated_store(tmp_path_factory.mktemp("namesakes"), seed=SEED, roots=2,
                                        provinces=provinces, districts_per_province=(5, 6),
                                        communes_per_district=(3, 4))
    by_file = {str((out / d["file"]).resolve()): d for d in truth["documents"]}
    iri_of: dict[str, str] = {}
    texts_of: dict[str, set] = defaultdict(set)
    for row in store.select("SELECT DISTINCT ?d ?f WHERE { ?d dkg:sourceFile ?f ; dkg:identityKey ?k }"):
        t = by_file.get(str(Path(row["f"]).resolve()))
        if t:
            iri_of[t["id"]] = row["d"]
            texts_of[row["d"]].add(t["id"])
    return {"truth": truth, "store": store, "by_file": by_file, "iri_of": iri_of, "texts_of": texts_of,
            "by_id": {d["id"]: d for d in truth["documents"]}, "descendants": gen.descendants}


def test_the_corpus_has_namesake_places(corpus):
    """Otherwise the tests below would prove nothing about namesakes."""
    communes, districts = defaultdict(set), defaultdict(set)
    for d in corpus["truth"]["documents"]:
        j = d["jurisdiction"]
        if d["level"] == "commune" and d["code"]:
            communes[(j["commune"], d["code"], d["type"], d["date"][:4])].add((j["province"], j["district"]))
        if d["level"] == "district":
            districts[j["district"]].add(j["province"])
    assert any(len(v) > 1 for v in communes.values()), "no namesake communes sharing a code"
    assert any(len(v) > 1 for v in districts.values()), "no district name shared by two provinces"


def test_every_text_is_its_own_document(corpus):
    merged = {i: sorted(t) for i, t in corpus["texts_of"].items() if len(t) > 1}
    assert not merged, merged
    assert len(corpus["iri_of"]) == len(corpus["truth"]["documents"])


def test_every_plan_implements_its_parents_own_document(corpus):
    import pyoxigraph as ox

    c = corpus
    wrong = []
    for d in c["truth"]["documents"]:
        parent = c["by_id"].get(d["parent"])
        if not parent or not parent["code"]:  # a parent whose number was lost cannot be cited by its code
            continue
        rows = c["store"].select("SELECT ?d ?x WHERE { ?d dkg:implements ?x }", {"d": ox.NamedNode(c["iri_of"][d["id"]])})
        if c["iri_of"][parent["id"]] not in {r["x"] for r in rows}:
            wrong.append(f"{d['file']} ({d['level']}) -> {sorted(r['x'] for r in rows)}, "
                         f"expected {c['iri_of'][parent['id']]}")
    assert not wrong, f"{len(wrong)} plans miss their parent:\n" + "\n".join(wrong[:8])


@pytest.mark.parametrize("relations", [("implements",), ("implements", "based_on", "cites")],
                         ids=["implements", "default"])
def test_every_root_lineage_is_exact(corpus, relations):
    c = corpus
    for root in c["truth"]["roots"]:
        G = lineage_graph(c["store"], c["iri_of"][root], relations=relations)
        got = set()
        for _n, d in G.nodes(data=True):
            t = c["by_file"].get(str(Path(d["source"]).resolve())) if d["kind"] == "document" and d.get("source") \
                else None
            if t:
                got.add(t["id"])
        got.discard(root)
        want = c["descendants"](c["truth"], root)
        assert want and got == want, (root, sorted(want - got)[:5], sorted(got - want)[:5])
