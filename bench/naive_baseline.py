"""The naive way, as a user without dkg would write it: rdflib parses the exported Turtle into an in-memory graph,
and rdflib's SPARQL walks the lineage with a property path (implements | guides | basedOn | cites, or a task that
implements), then collects the tasks of every document found and who they go to.

    python bench/naive_baseline.py EXPORT.ttl ROOT_IRI [--runs 3]

``EXPORT.ttl`` is ``dkg export --format ttl`` of a store; ``ROOT_IRI`` the document whose lineage is asked for.
Prints one JSON object: parse seconds, query seconds (first run, and best of ``--runs``), the documents found
(with their source files, to check against the ground truth), triples parsed, and the peak memory of this process.
``bench/run_benchmarks.py`` runs it in a child process with a time limit.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time

LINEAGE = """
PREFIX dkg: <https://w3id.org/dkg/ontology#>
SELECT DISTINCT ?doc ?source WHERE {
  ?doc (dkg:implements|dkg:guides|dkg:basedOn|dkg:cites|(dkg:hasTask/(dkg:implements|dkg:guides)))+ ?root .
  FILTER NOT EXISTS { ?doc a dkg:Task }
  OPTIONAL { ?doc dkg:sourceFile ?source }
}"""

TASKS = """
PREFIX dkg: <https://w3id.org/dkg/ontology#>
SELECT ?doc ?task ?org WHERE {
  ?doc (dkg:implements|dkg:guides|dkg:basedOn|dkg:cites|(dkg:hasTask/(dkg:implements|dkg:guides)))* ?root .
  ?doc dkg:hasTask ?task .
  OPTIONAL { ?task dkg:assignsTo|dkg:leadBy|dkg:cooperatesWith ?org }
}"""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("turtle")
    ap.add_argument("root")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    import rdflib

    g = rdflib.Graph()
    g.parse(args.turtle, format="turtle")
    parse_s = time.perf_counter() - t0
    root = rdflib.URIRef(args.root)
    times, docs, tasks = [], {}, 0
    for _ in range(max(1, args.runs)):
        t = time.perf_counter()
        docs = {str(r.doc): (str(r.source) if r.source is not None else None)
                for r in g.query(LINEAGE, initBindings={"root": root})}
        tasks = len(list(g.query(TASKS, initBindings={"root": root})))
        times.append(time.perf_counter() - t)
    print(json.dumps({"parse_s": parse_s, "query_first_s": times[0], "query_best_s": min(times),
                      "triples": len(g), "documents": len(docs), "task_rows": tasks,
                      "sources": sorted(s for s in docs.values() if s), "peak_rss_mb": peak_rss_mb()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
