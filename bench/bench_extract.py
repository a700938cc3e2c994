"""Extraction speed: documents per second for `graph.extract` over a folder (single process).

    python bench/bench_extract.py FOLDER [--repeat N]

Reads every .txt/.md file of FOLDER once (decoding is not timed), then times `graph.extract_text` over all of
them, ``--repeat`` times (default 3), and prints documents and KB per CPU-second of the best round (CPU time of
this process, so other processes on a shared machine do not lower the figure) and, beside it, per wall second,
and the first round alone (no text seen before).
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from graph import extract_text  # noqa: E402


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"Error: {folder}: not a folder", file=sys.stderr)
        return 1
    texts = [(str(p), p.read_text(encoding="utf-8-sig")) for p in sorted(folder.rglob("*"))
             if p.suffix in (".txt", ".md") and p.is_file()]
    if not texts:
        print(f"Error: {folder}: no .txt or .md files", file=sys.stderr)
        return 1
    logging.getLogger("graph").setLevel(logging.ERROR)  # per-document warnings are not what is measured
    extract_text(texts[0][1], texts[0][0])  # compile the patterns outside the timing
    size_kb = sum(len(t.encode("utf-8")) for _, t in texts) / 1024
    best_cpu = best_wall = first_cpu = float("inf")
    for round_ in range(max(1, args.repeat)):
        c0, t0 = time.process_time(), time.perf_counter()
        for source, text in texts:
            extract_text(text, source)
        cpu = time.process_time() - c0
        first_cpu = cpu if round_ == 0 else first_cpu
        best_cpu = min(best_cpu, cpu)
        best_wall = min(best_wall, time.perf_counter() - t0)
    # The first round sees every text for the first time; later rounds find the names and sentences of the same
    # texts in the parser's caches, so on a small folder the best round flatters (a real corpus repeats names
    # across documents, not whole documents).
    print(f"{len(texts)} documents, {size_kb:.0f} KB ({size_kb / len(texts):.1f} KB each): "
          f"{len(texts) / best_cpu:.0f} documents/CPU-s, {size_kb / best_cpu:.0f} KB/CPU-s "
          f"({len(texts) / best_wall:.0f} documents/s wall; best of {args.repeat}, one process); "
          f"first round {len(texts) / first_cpu:.0f} documents/CPU-s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
