"""How long a big lineage page takes to make and to open.

Makes a lineage of N documents (default 10,000, each with tasks and organisations), renders it with grouping
(at most --max-nodes drawn), writes it, opens it from file:// in headless Chromium with the network off, and
measures the time until vis-network has drawn it (``window.dkgGraph.ready``, set on the first afterDrawing).
Target: open < 5 s.

    python bench/bench_view.py [--documents 10000] [--max-nodes 1500] [--runs 3] [--out bench/out]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from visualize.html import render_lineage_html  # noqa: E402
from visualize.testing import chromium_missing, headless_chromium, make_cascade, wait_until_drawn  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", type=int, default=10_000)
    ap.add_argument("--max-nodes", type=int, default=1500)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default="bench/out")
    args = ap.parse_args()

    t0 = time.perf_counter()
    lineage = make_cascade(args.documents)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    html = render_lineage_html(lineage, max_nodes=args.max_nodes)
    t_render = time.perf_counter() - t0
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    page = out / f"lineage-{args.documents}.html"
    page.write_text(html, encoding="utf-8")
    size = page.stat().st_size
    print(f"lineage: {args.documents} documents, {len(lineage['nodes'])} nodes, {len(lineage['edges'])} edges")
    print(f"generate: {t_gen:.2f} s   render (group + layout + HTML): {t_render:.2f} s")
    print(f"page: {page} {size / 1e6:.2f} MB")

    why = chromium_missing()
    if why:
        print(f"open: skipped ({why})")
        return 0
    opens, drawn = [], 0
    with tempfile.TemporaryDirectory() as profile:
        driver = headless_chromium(profile)
        try:
            for _ in range(args.runs):
                driver.get("about:blank")
                t0 = time.perf_counter()
                driver.get(page.as_uri())
                wait_until_drawn(driver, timeout=120)
                opens.append(time.perf_counter() - t0)
                drawn = driver.execute_script("return dkgGraph.nodes.length")
                alerts = driver.execute_script("return window.__dkgAlerts")
                assert alerts == [], alerts
        finally:
            driver.quit()
    print(f"open in headless Chromium until drawn: median {statistics.median(opens):.2f} s"
          f" (runs: {', '.join(f'{t:.2f}' for t in opens)}); nodes drawn: {drawn} (max {args.max_nodes})")
    print("target < 5 s:", "OK" if statistics.median(opens) < 5 else "MISSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
