"""The lineage index (graph/lineage_index.py) answers exactly as SPARQL on the database beside it.

Every write of the embedded store leaves a ``db-X.lineage`` SQLite file beside the database ``db-X``; `dkg lineage`
reads it instead of asking the store node by node. These tests walk the same lineages both ways on a generated
cascade (the index, and SPARQL on a copy of the store without its index) and compare the whole answer: nodes with
every attribute, edges with their relation and evidence. Then they check the index follows the store through
incremental ingests, re-ingests, builds and stores written before the index existed.
"""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from bench_scripts import generated_store, load
from graph import lineage as L
from graph.lineage_index import LineageIndex, index_path, lines_path
from graph.load import build, ingest
from graph.store import open_read_only, oxigraph_dir


def _without_index(store_dir: Path, to: Path) -> Path:
    shutil.copytree(store_dir, to, symlinks=True)
    index_path(oxigraph_dir(to)).unlink()
    return to


def _both(with_index: Path, without_index: Path, root: str, **options) -> tuple[dict, dict]:
    a, b = open_read_only(with_index), open_read_only(without_index)
    assert LineageIndex.of_store(a) is not None and LineageIndex.of_store(b) is None
    return L.lineage_dict(a, root, **options), L.to_dict(L.lineage_graph(b, root, **options))


@pytest.fixture(scope="module")
def cascade(tmp_path_factory):
    folder = tmp_path_factory.mktemp("index")
    gen = load("generate_cascade")
    corpus, truth, store = generated_store(folder, seed=5, **gen.plan_fanout(150, roots=2))
    plain = _without_index(folder / "store", folder / "plain")
    iri_of = {str(Path(r["f"]).resolve()): r["d"] for r in store.select("SELECT ?d ?f WHERE { ?d dkg:sourceFile ?f ; dkg:identityKey ?k }")}
    roots = sorted(iri_of[str((corpus / d["file"]).resolve())] for d in truth["documents"] if not d["parent"])
    rng = random.Random(1)
    documents = sorted(set(iri_of.values()))
    tasks = sorted({r["t"] for r in store.select("SELECT ?t WHERE { ?t a dkg:Task }")})
    return {"folder": folder, "corpus": corpus, "store": folder / "store", "plain": plain, "roots": roots,
            "sample": roots + rng.sample(documents, 8), "tasks": rng.sample(tasks, 4)}


OPTIONS = [
    pytest.param({"direction": "down"}, id="down"),
    pytest.param({"direction": "down", "evidence": True}, id="down-evidence"),
    pytest.param({"direction": "down", "depth": 1}, id="down-depth-1"),
    pytest.param({"direction": "down", "relations": ("implements",), "evidence": True}, id="down-implements"),
    pytest.param({"direction": "down", "relations": ("cites",)}, id="down-cites"),
    pytest.param({"direction": "up", "evidence": True}, id="up-evidence"),
    pytest.param({"direction": "up", "depth": 2}, id="up-depth-2"),
]


@pytest.mark.parametrize("options", OPTIONS)
def test_the_json_written_from_the_index_is_the_answer(cascade, options):
    """`dkg lineage --format json` on an indexed store is joined and written by SQLite from precomputed node
    JSON: it must parse to the very answer `lineage` gives."""
    import json

    store, plain = open_read_only(cascade["store"]), open_read_only(cascade["plain"])
    for root in cascade["sample"][:5] + cascade["tasks"][:2]:
        if root in cascade["tasks"] and options["direction"] == "down":
            continue
        text = b"".join(L.lineage_json(store, root, **options)).decode()
        assert json.loads(text) == L.lineage(store, root, **options)
        assert text == b"".join(L.lineage_json(plain, root, **options)).decode(), "the same text without index"


def test_names_resolve_from_the_index_as_from_the_store(cascade):
    """Names are looked up in the index's merged facts (one look-up, however many texts cite a document): the
    candidates are those the store's own facts give, for every way of writing a name."""
    from graph.names import candidates

    store, plain = open_read_only(cascade["store"]), open_read_only(cascade["plain"])
    names = []
    for r in store.select("SELECT DISTINCT ?c ?n ?d WHERE { ?x dkg:code ?c ; dkg:number ?n ; dkg:date ?d }")[:12]:
        names += [r["c"], r["c"].lower(), f"{r['c']} {r['d'][:4]}", r["n"], f"Kế hoạch {r['n']}", f"ke hoach {r['n']}"]
    assert names
    found = 0
    for name in names:
        got, expected = candidates(store, name), candidates(plain, name)
        assert [c.iri for c in got] == [c.iri for c in expected], name
        assert [(c.code, c.type, c.date) for c in got] == [(c.code, c.type, c.date) for c in expected], name
        found += bool(got)
    assert found >= len(names) // 2


def test_the_corpus_keys_come_from_the_index_as_from_the_store(cascade):
    """An ingest reads the identity keys of the texts already stored (year-less citations resolve against them)
    from the index: the same keys SPARQL finds in the store."""
    store, plain = open_read_only(cascade["store"]), open_read_only(cascade["plain"])
    assert LineageIndex.of_store(store) is not None and LineageIndex.of_store(plain) is None
    keys = store.corpus_keys()
    assert len(keys) == len(set(keys)) > 100
    assert sorted(keys) == sorted(plain.corpus_keys())


@pytest.mark.parametrize("options", OPTIONS)
def test_the_index_answers_as_sparql_does(cascade, options):
    assert len(cascade["roots"]) == 2
    for root in cascade["sample"]:
        got, expected = _both(cascade["store"], cascade["plain"], root, **options)
        assert got == expected, f"{root}: the index and SPARQL disagree"
    biggest = L.lineage_dict(open_read_only(cascade["store"]), cascade["roots"][0])
    assert len(biggest["nodes"]) > 100  # the comparison above covered a real cascade, not an empty answer


def test_a_task_goes_up_through_the_index_as_through_sparql(cascade):
    for task in cascade["tasks"]:
        got, expected = _both(cascade["store"], cascade["plain"], task, direction="up", evidence=True)
        assert got == expected
        assert any(e["relation"] == "has_task" for e in got["edges"])


def test_a_level_filter_reads_the_index_too(cascade):
    store, plain = open_read_only(cascade["store"]), open_read_only(cascade["plain"])
    root = cascade["roots"][0]
    got = L.lineage(store, root, level="commune", evidence=True)
    assert got == L.lineage(plain, root, level="commune", evidence=True)
    assert got["nodes"] and all(n["level"] in ("central", "province", "district", "commune") for n in got["nodes"]
                                if n["kind"] != "organisation")


def _texts(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*.txt"))


@pytest.mark.parametrize("flush_every", [pytest.param(None, id="default"), pytest.param(1, id="flush-every-graph")])
def test_the_index_follows_incremental_ingests_and_matches_a_build(cascade, tmp_path, monkeypatch, flush_every):
    """Half the texts, then the other half, then one text edited and one re-read: after each write the index
    answers as SPARQL on that database; at the end it answers as the index of a fresh build of the same records.
    Also with the store's write buffers flushed between the graphs a re-ingest removes (as it does every
    `graph.bulk.DROP_FLUSH_EVERY` graphs)."""
    if flush_every is not None:
        monkeypatch.setattr("graph.bulk.DROP_FLUSH_EVERY", flush_every)
    texts = _texts(cascade["corpus"])
    store, records = tmp_path / "st", tmp_path / "rec"
    ingest(texts[: len(texts) // 2], store, records, jobs=1)
    ingest(texts[len(texts) // 2:], store, records, jobs=1)
    edited = tmp_path / "edited.txt"
    edited.write_text(texts[3].read_text(encoding="utf-8").replace("Thực hiện", "Căn cứ", 1), encoding="utf-8")
    ingest([edited, texts[7]], store, records, jobs=1)
    plain = _without_index(store, tmp_path / "plain")
    assert sorted(open_read_only(store).corpus_keys()) == sorted(open_read_only(plain).corpus_keys())
    built = tmp_path / "built"
    assert not build(built, records, jobs=1).failures
    for root in cascade["roots"]:
        got, expected = _both(store, plain, root, evidence=True)
        assert got == expected
        assert got == L.lineage_dict(open_read_only(built), root, evidence=True)
        text = b"".join(L.lineage_json(open_read_only(store), root, evidence=True))  # from precomputed lines
        assert text == b"".join(L.lineage_json(open_read_only(plain), root, evidence=True))
        assert text == b"".join(L.lineage_json(open_read_only(built), root, evidence=True))


def test_a_store_written_before_the_index_gets_one_at_its_next_write(cascade, tmp_path):
    store = tmp_path / "old"
    shutil.copytree(cascade["plain"], store, symlinks=True)  # a store as an older dkg left it: no index
    root = cascade["roots"][1]
    before = L.lineage_dict(open_read_only(store), root, evidence=True)
    assert LineageIndex.of_store(open_read_only(store)) is None
    ingest([_texts(cascade["corpus"])[0]], store, tmp_path / "rec", jobs=1)
    reopened = open_read_only(store)
    assert LineageIndex.of_store(reopened) is not None
    assert L.lineage_dict(reopened, root, evidence=True) == before


def test_an_index_of_another_version_is_not_read(cascade, tmp_path):
    import sqlite3

    store = tmp_path / "st"
    shutil.copytree(cascade["store"], store, symlinks=True)
    path = index_path(oxigraph_dir(store))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '0' WHERE key = 'version'")
    assert LineageIndex.of_store(open_read_only(store)) is None
    root = cascade["roots"][0]
    assert L.lineage_dict(open_read_only(store), root) == L.lineage_dict(open_read_only(cascade["store"]), root)


@pytest.mark.parametrize("cut", [1, 1000])
def test_a_lines_file_cut_short_is_not_read(cascade, tmp_path, cut):
    """The answers' text is copied by offset: from a lines file shorter than the index says (a disk that filled, a
    copy cut short) it would be wrong, so the lineage is answered by SPARQL, with the same text."""
    store = tmp_path / "st"
    shutil.copytree(cascade["store"], store, symlinks=True)
    lines = lines_path(index_path(oxigraph_dir(store)))
    data = lines.read_bytes()
    lines.write_bytes(data[:-cut])
    assert LineageIndex.of_store(open_read_only(store)) is None
    for root in cascade["roots"]:  # (between them, every document: every line is read)
        assert b"".join(L.lineage_json(open_read_only(store), root, evidence=True)) == \
            b"".join(L.lineage_json(open_read_only(cascade["store"]), root, evidence=True))
    _next_ingest_builds_a_fresh_index(cascade, store, tmp_path)


@pytest.mark.parametrize("version, lines", [
    ("6", False),  # the last schema before the lines file: its answers' text in SQLite, no lines file
    ("4", True),
    (None, False),  # this schema, its lines file lost
])
def test_a_write_over_an_index_of_another_version_builds_a_fresh_one(cascade, tmp_path, version, lines):
    """An index an older dkg wrote (another schema: here without a table this one has), or one without its lines
    file, is not copied by the next ingest, which would write rows the old tables cannot take or leave the old
    version mark: a fresh index is built from the database, and read again."""
    import sqlite3

    store = tmp_path / "st"
    shutil.copytree(cascade["store"], store, symlinks=True)
    path = index_path(oxigraph_dir(store))
    with sqlite3.connect(path) as db:
        if version is not None:
            db.execute("UPDATE meta SET value = ? WHERE key = 'version'", (version,))
            db.execute("DROP TABLE task_run")
    if not lines:
        lines_path(path).unlink()
    assert LineageIndex.of_store(open_read_only(store)) is None
    _next_ingest_builds_a_fresh_index(cascade, store, tmp_path)


def _next_ingest_builds_a_fresh_index(cascade, store, tmp_path):
    """An ingest into ``store`` (whose index is not read) leaves an index that is read, and gives every root's
    lineage as the store without an index does."""
    report = ingest([_texts(cascade["corpus"])[0]], store, tmp_path / "rec", jobs=1)
    assert not report.failures
    reopened = open_read_only(store)
    assert LineageIndex.of_store(reopened) is not None
    for root in cascade["roots"]:
        assert b"".join(L.lineage_json(reopened, root, evidence=True)) == \
            b"".join(L.lineage_json(open_read_only(cascade["plain"]), root, evidence=True))
