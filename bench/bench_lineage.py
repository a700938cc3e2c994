"""How long a lineage takes as the corpus grows: the same lineage in a small corpus and in one 50 times larger.

Corpora come from bench/generate_cascade.py:

- ``small``: the cascade of 12-NQ/TW (16/3/2022) over some provinces, about 200 documents;
- ``filler``: the cascade of a namesake, 12-NQ/TW of 16/3/2021 (same code, another year), over every province,
  about 9,800 documents whose plan codes (``25-KH/TU``, ``05-KH/ĐU`` ...) recur in the small corpus.

The ``small`` store holds the small corpus; the ``large`` store holds both (about 10,000 documents). The lineage of
the 2022 resolution is the same in both, so its time should not grow with the store. Printed: ingest times, cold
``dkg lineage ROOT --format json`` as a new process, warm in-process calls (small and large in turns, best of each) for both
selection strategies (frontier by frontier with VALUES, or one property path), and exactness of the 2022 lineage
(small and large) and of the 9,800-document namesake lineage against the ground truth.

    python bench/bench_lineage.py [--work /tmp/dkg-bench-lineage] [--small 200] [--factor 50]

Generated corpora and stores are kept in the work folder and reused by the next run.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "bench"))

from generate_cascade import descendants, generate, load_ground_truth, plan_fanout  # noqa: E402


def corpus(folder: Path, documents: int, start_year: int, seed: int) -> dict:
    if not (folder / "ground_truth.json").is_file():
        kwargs = plan_fanout(documents, "pre2025", 1)
        t = time.perf_counter()
        summary = generate(folder, seed=seed, start_year=start_year, **kwargs)
        print(f"generated {summary['documents']:,} documents in {time.perf_counter() - t:.1f} s -> {folder}")
    return load_ground_truth(folder)


def store(folder: Path, inputs: list[Path]) -> Path:
    from graph.load import ingest

    path = folder / "store"
    if not (path / "current").exists():
        t = time.perf_counter()
        report = ingest(inputs, path, folder / "records")
        print(f"ingested {report.documents:,} documents ({report.triples:,} quads) in {time.perf_counter() - t:.1f} s"
              f" -> {path}; {len(report.failures)} failures")
    return path


def iris(store_path: Path, truths: list[tuple[Path, dict]]) -> dict:
    """Ground-truth id -> document IRI, matched by source file."""
    from graph.store import open_read_only

    by_file = {}
    for out, gt in truths:
        for d in gt["documents"]:
            by_file[str((out / d["file"]).resolve())] = d["id"] + "@" + str(out)
    st = open_read_only(store_path)
    found = {}
    for row in st.select("SELECT ?d ?f WHERE { ?d dkg:sourceFile ?f ; dkg:identityKey ?k }"):
        key = by_file.get(str(Path(row["f"]).resolve()))
        if key:
            found[key] = (row["d"], row["f"])
    return found


def exactness(store_path: Path, out: Path, gt: dict, id_map: dict, truths) -> str:
    from graph.lineage import lineage_graph
    from graph.store import open_read_only

    root = gt["roots"][0]
    file_to_key = {str(Path(f).resolve()): k for k, (_iri, f) in id_map.items()}
    G = lineage_graph(open_read_only(store_path), id_map[f"{root}@{out}"][0], relations=("implements",))
    got = {file_to_key.get(str(Path(d["source"]).resolve())) for _n, d in G.nodes(data=True)
           if d["kind"] == "document" and d.get("source")} - {None, f"{root}@{out}"}
    want = {f"{i}@{out}" for i in descendants(gt, root)}
    missing, extra = want - got, got - want
    verdict = "EXACT" if not missing and not extra else "NOT EXACT"
    return f"{verdict}: {len(got):,} of {len(want):,} documents, {len(missing)} missing, {len(extra)} extra"


def cold(store_path: Path, root: str, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, str(PROJECT / "cli.py"), "lineage", root, "--format", "json", "--store",
                        str(store_path)], check=True, stdout=subprocess.DEVNULL, cwd=PROJECT)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def warm(store_path: Path, root: str, strategy: str, runs: int = 5) -> tuple[float, int, int]:
    from graph.lineage import lineage_graph, to_dict
    from graph.store import open_read_only

    st = open_read_only(store_path)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        data = to_dict(lineage_graph(st, root, strategy=strategy))
        times.append(time.perf_counter() - t)
    docs = sum(n["kind"] == "document" for n in data["nodes"])
    return min(times), docs, len(data["nodes"])  # the machine is shared: the best run is the least disturbed


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", default="/tmp/dkg-bench-lineage", help="folder for corpora and stores (reused)")
    ap.add_argument("--small", type=int, default=200, help="documents in the small corpus")
    ap.add_argument("--factor", type=int, default=50, help="the large corpus is this many times the small one")
    args = ap.parse_args(argv)
    work = Path(args.work)
    small_out, filler_out = work / "corpus-small", work / "corpus-filler"
    small_gt = corpus(small_out, args.small, 2022, seed=1)
    filler_gt = corpus(filler_out, args.small * (args.factor - 1), 2021, seed=2)
    small_store = store(work / "small", [small_out])
    large_store = store(work / "large", [small_out, filler_out])
    truths = [(small_out, small_gt), (filler_out, filler_gt)]
    small_ids, large_ids = iris(small_store, truths[:1]), iris(large_store, truths)
    root_key = f"{small_gt['roots'][0]}@{small_out}"
    print()
    print(f"lineage of 12-NQ/TW (16/3/2022): {small_ids[root_key][0]}")
    # small and large are measured in turns and the best run of each is kept: the machine is shared, and a
    # burst of other work must not be mistaken for growth with the corpus
    stores = (("small", small_store, small_ids, len(small_gt["documents"])),
              ("large", large_store, large_ids, len(small_gt["documents"]) + len(filler_gt["documents"])))
    best: dict = {}
    for _turn in range(3):
        for label, path, ids, _docs in stores:
            root = ids[root_key][0]
            c = cold(path, root, runs=1)
            wf, ndocs, nnodes = warm(path, root, "frontier", runs=2)
            wp, _d, _n = warm(path, root, "path", runs=2)
            old = best.get(label)
            best[label] = (min(c, old[0]) if old else c, min(wf, old[1]) if old else wf,
                           min(wp, old[2]) if old else wp, ndocs, nnodes)
    for label, path, ids, docs in stores:
        c, wf, wp, ndocs, nnodes = best[label]
        print(f"  {label:5}  store {docs:>6,} documents | lineage {ndocs:,} documents, {nnodes:,} nodes | "
              f"cold {c * 1000:6.0f} ms | warm frontier {wf * 1000:6.1f} ms | warm path {wp * 1000:6.1f} ms")
        print(f"         {exactness(path, small_out, small_gt, ids, truths)}")
    (sc, sf, sp, _a, _b), (lc, lf, lp, _c, _d) = best["small"], best["large"]
    ratio = stores[1][3] / stores[0][3]
    print(f"  corpus x{ratio:.0f}: cold x{lc / sc:.2f}, warm frontier x{lf / sf:.2f}, warm path x{lp / sp:.2f}")
    print()
    root = large_ids[f"{filler_gt['roots'][0]}@{filler_out}"][0]
    print(f"lineage of the namesake 12-NQ/TW (16/3/2021), {len(filler_gt['documents']):,} documents: {root}")
    c = cold(large_store, root, runs=1)
    wf, ndocs, nnodes = warm(large_store, root, "frontier", runs=1)
    wp, _d, _n = warm(large_store, root, "path", runs=1)
    print(f"  large  lineage {ndocs:,} documents, {nnodes:,} nodes | cold {c:.2f} s | warm frontier {wf:.2f} s | "
          f"warm path {wp:.2f} s")
    print(f"         {exactness(large_store, filler_out, filler_gt, large_ids, truths)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
