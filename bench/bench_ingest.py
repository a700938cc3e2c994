"""Ingest and build speed, and store size, for the bundled corpus and for any folder of texts.

    python bench/bench_ingest.py                       # the bundled corpus (data/corpus)
    python bench/bench_ingest.py FOLDER [FOLDER ...]   # your folders
    python bench/bench_ingest.py --generate 1000       # a synthetic cascade of 1,000 texts (bench/generate_cascade.py)

For each folder, in a fresh temporary store: ``ingest`` (extract + records + load, one atomic swap), ``ingest``
again (must leave the quad count unchanged), ``build`` from the records folder, and a cold ``show`` of one
document (open the store, resolve a name, make the card). Prints seconds, documents/s, quads and sizes on disk.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph import load, store  # noqa: E402
from graph.card import card  # noqa: E402
from graph.names import resolve_name  # noqa: E402


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def bench(folder: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="dkg-bench-") as tmp:
        st, rec = Path(tmp) / "store", Path(tmp) / "records"
        t0 = time.perf_counter()
        report = load.ingest([folder], st, rec)
        t_ingest = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = load.ingest([folder], st, rec)
        t_again = time.perf_counter() - t0
        t0 = time.perf_counter()
        built = load.build(st, rec)
        t_build = time.perf_counter() - t0
        some = next((r for r in rec.glob("*.yaml")), None)
        t_show = float("nan")
        if some is not None:
            from graph.records import read_record

            name = read_record(some).document.code
            if name:
                t0 = time.perf_counter()
                s = store.open_read_only(st)
                try:
                    card(s, resolve_name(s, name))
                except Exception as e:  # an ambiguous synthetic code is still a timed look-up
                    print(f"  (show {name}: {e})")
                t_show = time.perf_counter() - t0
                del s
        db = store.oxigraph_dir(st)
        print(f"{folder}: {report.files} files, {report.documents} documents, {len(report.failures)} failures")
        print(f"  ingest         {t_ingest:8.2f} s   {report.documents / t_ingest:8.1f} documents/s   {report.triples} quads")
        print(f"  ingest again   {t_again:8.2f} s   quads {'unchanged' if again.triples == report.triples else 'CHANGED: ' + str(again.triples)}")
        print(f"  build          {t_build:8.2f} s   {built.documents / t_build:8.1f} documents/s   {built.triples} quads")
        print(f"  show (cold)    {t_show * 1000:8.1f} ms")
        print(f"  store size     {_mb(_size(db))} (live database), {_mb(_size(st))} (store folder)")
        print(f"  records size   {_mb(_size(rec))} ({len(list(rec.glob('*.yaml')))} files)")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="*", type=Path)
    ap.add_argument("--generate", type=int, default=0, help="also bench a synthetic cascade of N texts")
    args = ap.parse_args(argv)
    folders = args.folders or [ROOT / "data" / "corpus"]
    for folder in folders:
        if not folder.exists():
            print(f"Error: {folder}: no such folder", file=sys.stderr)
            return 1
        bench(folder)
    if args.generate:
        sys.path.insert(0, str(ROOT / "bench"))
        from generate_cascade import generate, plan_fanout

        with tempfile.TemporaryDirectory(prefix="dkg-cascade-") as tmp:
            generate(tmp, seed=1, **plan_fanout(args.generate))
            bench(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
