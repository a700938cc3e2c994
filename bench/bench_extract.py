"""Extraction speed: documents per second for `graph.extract` over a folder (single process).

    python bench/bench_extract.py FOLDER [--repeat N]

Reads every .txt/.md file of FOLDER once (decoding is not timed), then times `graph.extract_text` over all of
them, ``--repeat`` times (default 3), and prints documents/s and KB/s of the best round.
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
    best = float("inf")
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        for source, text in texts:
            extract_text(text, source)
        best = min(best, time.perf_counter() - t0)
    print(f"{len(texts)} documents, {size_kb:.0f} KB: {len(texts) / best:.0f} documents/s, {size_kb / best:.0f} KB/s "
          f"(best of {args.repeat}, one process)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
