"""The embedded store: atomic builds that survive SIGKILL, one writer at a time, read-only readers."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from records_factory import bac_ninh_1123, district_letter

from graph import store
from graph.errors import StoreError
from graph.load import record_text
from graph.rdf import record_to_quads

PROJECT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, str(PROJECT / "cli.py")]


def _small_quads():
    return [q for r in (bac_ninh_1123(), district_letter()) for q in record_to_quads(r).quads]


def _count(path) -> int:
    s = store.open_read_only(path)
    n = len(s)
    del s
    return n


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no store at .*run 'dkg ingest' first"):
        store.oxigraph_dir(tmp_path / "nothing")
    with pytest.raises(StoreError, match="no store at"):
        store.open_read_only(tmp_path / "nothing")


def test_build_then_read_only_query_with_bound_parameters(tmp_path):
    path = tmp_path / "st"
    n = store.build(path, _small_quads())
    assert n > 0 and _count(path) == n
    assert store.oxigraph_dir(path).name.startswith("db-")
    assert (path / "current").is_symlink()
    s = store.open_read_only(path)
    rows = s.select("SELECT ?d ?code WHERE { ?d dkg:code ?code }", {"code": "1123-CV/TU"})
    assert [r["d"] for r in rows] == ["https://w3id.org/dkg/id/doc/bac-ninh/2026/cong-van/1123-cv-tu"]
    hostile = 'x" } ; DROP ALL ; #'
    assert s.select("SELECT ?d ?code WHERE { ?d dkg:code ?code }", {"code": hostile}) == []
    assert len(s) == n


def test_replacing_graphs_is_idempotent_and_keeps_links_in_step(tmp_path):
    path = tmp_path / "st"
    graphs = {g.graph: g.quads for g in (record_to_quads(bac_ninh_1123()), record_to_quads(district_letter()))}
    with store.writing(path) as w:
        w.replace_graphs(graphs)
    first = _count(path)
    for _ in range(2):
        with store.writing(path) as w:
            w.replace_graphs(graphs)
        assert _count(path) == first
    built = tmp_path / "built"
    store.build(built, [q for quads in graphs.values() for q in quads])
    assert _count(built) == first  # incremental writes and a full build agree
    # drop one text: its links and tasks leave dkg:links too
    with store.writing(path) as w:
        w.replace_graphs({}, drop_sources=["data/corpus/huyen-uy-xay-dung-cong-an-xa-2022.txt"])
    s = store.open_read_only(path)
    left = s.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH dkg:links { ?t dkg:leadBy ?o } }")
    assert int(left[0]["n"]) == 1  # only 1123-CV/TU task 3 has a lead now


def test_a_failed_write_leaves_the_store_as_it_was(tmp_path):
    path = tmp_path / "st"
    store.build(path, _small_quads())
    before, live = _count(path), store.oxigraph_dir(path)
    with pytest.raises(RuntimeError):
        with store.writing(path) as w:
            w.replace_graphs({"https://example.org/g": []}, drop_sources=["data/corpus/1123-CV-TU-bac-ninh-2026.txt"])
            raise RuntimeError("boom")
    assert store.oxigraph_dir(path) == live and _count(path) == before
    assert sorted(p.name for p in path.iterdir() if p.name.startswith("db-")) == \
        [live.name, live.name + ".lineage", live.name + ".lineage.lines"]


@pytest.fixture(scope="module")
def big_records(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("records")
    for i in range(120):
        r = bac_ninh_1123(source=f"synthetic/{i}.txt")
        r.document.number, r.document.code = str(5000 + i), f"{5000 + i}-CV/TU"
        (folder / f"r{i}.yaml").write_text(record_text(r), encoding="utf-8")
    return folder


def _build_cmd(path, records):
    return CLI + ["build", "--store", str(path), "--records", str(records)]


def test_sigkill_during_build_leaves_the_previous_store_whole(tmp_path, big_records):
    path = tmp_path / "st"
    store.build(path, _small_quads())
    good = _count(path)
    t0 = time.monotonic()
    subprocess.run(_build_cmd(tmp_path / "timing", big_records), check=True, capture_output=True, cwd=PROJECT)
    full = time.monotonic() - t0
    for fraction in (0.2, 0.5, 0.8, 0.95):
        proc = subprocess.Popen(_build_cmd(path, big_records), cwd=PROJECT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(full * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert _count(path) in (good, _count(tmp_path / "timing")), f"store broken after kill at {fraction:.0%}"
        s = store.open_read_only(path)
        assert s.select("SELECT ?d ?c WHERE { ?d dkg:code ?c }", {"c": "18/QĐ-TTg"})
        good = len(s)  # a kill after the swap legitimately leaves the new store
        del s
    # the next successful write removes what the killed builds left behind
    store.build(path, _small_quads())
    left = sorted(p.name for p in path.iterdir() if p.name.startswith("db-") and p.is_dir())
    assert len(left) <= 2 and store.oxigraph_dir(path).name in left
    # each database keeps its lineage index beside it, and no index outlives its database
    assert sorted(p.name for p in path.glob("db-*.lineage")) == [name + ".lineage" for name in left]
    assert sorted(p.name for p in path.glob("db-*.lines")) == [name + ".lineage.lines" for name in left]
    assert not [p for p in path.iterdir() if p.name.startswith(".current-")]


def test_second_writer_gets_a_clear_lock_error(tmp_path):
    path = tmp_path / "st"
    store.build(path, _small_quads())
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from graph import store\n"
         f"with store.writing({str(path)!r}):\n    print('locked', flush=True); time.sleep(60)"],
        cwd=PROJECT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreError, match=rf"store .* is locked by another dkg process \(pid {holder.pid}\)"):
            with store.writing(path):
                pass
        result = subprocess.run(_build_cmd(path, tmp_path), cwd=PROJECT, capture_output=True, text=True)
        assert result.returncode == 1
        assert result.stderr.strip().splitlines()[-1].startswith("Error: ")
        # readers never need the lock
        assert _count(path) > 0
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with store.writing(path) as w:  # a dead writer's lock is gone with it
        w.replace_graphs({})


def test_only_writes_of_a_large_share_of_the_store_end_with_a_full_compaction(tmp_path, monkeypatch):
    """A full compaction rewrites the whole database: a first ingest, a build and a re-ingest of most texts end
    with one (queries are faster after it), an ingest of a few texts into a larger store does not. Each write
    still leaves a store that counts and answers what it holds."""
    from bench_scripts import load
    from graph.load import build, ingest

    corpus = tmp_path / "corpus"
    gen = load("generate_cascade")
    gen.generate(corpus, seed=3, **gen.plan_fanout(24))
    texts = sorted(corpus.rglob("*.txt"))
    compacted = []
    real = store._settle_during
    monkeypatch.setattr(store, "_settle_during",
                        lambda db, work, compact: compacted.append(compact) or real(db, work, compact))
    st, records = tmp_path / "st", tmp_path / "rec"
    steps = [  # (texts ingested, a full compaction at the end)
        (texts[:8], True),    # into an empty store
        (texts[8:], True),    # twice as many as the store held
        (texts[:2], False),   # two texts re-read in a store of 24 or more
        (texts[2:3], False),  # one text
        (texts, True),        # all of them again
    ]
    for i, (part, expected) in enumerate(steps):
        report = ingest(part, st, records, jobs=1)
        assert not report.failures
        assert compacted[-1] is expected, f"step {i}"
        assert report.triples == _count(st) > 0  # every quad is in a named graph
    build(tmp_path / "built", records, jobs=1)
    assert compacted[-1] is True
    assert _count(tmp_path / "built") == _count(st)

