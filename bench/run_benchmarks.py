"""The benchmark suite in one command: generated cascades of 1,000, 10,000 and 100,000 documents, dkg measured as a
user runs it (each command a new process), the naive rdflib way measured beside it, and BENCHMARKS.md written.

    python bench/run_benchmarks.py [--sizes 1000,10000,100000] [--runs 3] [--out BENCHMARKS.md]
                                   [--work /tmp/dkg-bench] [--jobs N] [--naive-limit 10000] [--naive-timeout 1200]

Corpora (bench/generate_cascade.py, with their ground truth) are generated once into the work folder and reused.
The largest size is made of two corpora: the cascade of the smaller size (one root, ``12-NQ/TW`` of 2022) and a
filler of several roots whose catalogue is moved ten years back (namesakes such as ``12-NQ/TW`` of 2012), so the
lineage measured at the largest size is a 10,000-document cascade inside a 100,000-document store.

Per size: extraction speed on one core (documents per CPU second and per wall second, in this process, on up to
2,000 texts); ``dkg ingest --jobs N`` (wall time, documents/s, quads/s, peak memory of the process tree sampled
from /proc and the largest process's VmHWM, store size on disk counting hard links once); ``dkg build``; cold
``dkg lineage ROOT --format json`` (new process, median of --runs) and warm (in process, median), with the
document set compared with the ground truth; every named SPARQL query (``dkg sparql NAME --param ...``); ``dkg
view ROOT`` (time, page size); and the naive baseline (bench/naive_baseline.py on ``dkg export --format ttl``)
when the size is at most --naive-limit (rdflib needs about 1 KB of memory per triple). ``dkg --help`` start-up is
measured once. Big artefacts stay in the work folder: delete it when done.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "bench"))
# `dkg` as its console script runs it: cli imported as a module (its bytecode cached, not compiled at each start)
CLI = [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(PROJECT)!r}); sys.argv[0] = 'dkg'; "
       "from cli import main; main()"]

from generate_cascade import descendants, generate, load_ground_truth, plan_fanout  # noqa: E402

TARGETS = {
    "extract_docs_per_cpu_s": 300,
    "ingest_100k_s": 600,
    "ingest_peak_mb": 2048,
    "cold_lineage_s": 1.0,
    "lineage_vs_naive": 50,
    "help_s": 0.3,
}


# ---- measuring ----------------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return out


def _pss_kb(pid: int) -> int:
    """Proportional set size: pages shared by forked workers counted once overall (RSS would count them in each)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return _rss_kb(pid)


def _rss_kb(pid: int, key: str = "VmRSS") -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory(threading.Thread):
    """Samples the memory of a process and all its descendants every second: the peak of the sum of their PSS
    (shared pages split between the processes sharing them), and the largest VmHWM seen (one process's own peak
    resident set). Reading a large process's PSS takes tens of milliseconds of a core: five times a second, the
    sampling took about a tenth of this 2-core machine from the ingest it measured."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_sum_kb, self.peak_one_kb, self.done = pid, 0, 0, False

    def run(self):
        while not self.done:
            tree, stack = [], [self.pid]
            while stack:
                p = stack.pop()
                tree.append(p)
                stack.extend(_children(p))
            self.peak_sum_kb = max(self.peak_sum_kb, sum(_pss_kb(p) for p in tree))
            self.peak_one_kb = max([self.peak_one_kb] + [_rss_kb(p, "VmHWM") for p in tree])
            time.sleep(1.0)


def run_cli(args, timeout=None, memory=False, cwd=None) -> dict:
    """Run ``dkg ARGS`` as a new process; wall seconds, exit code, memory peaks (MB) when asked."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.Popen(CLI + [str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=cwd or PROJECT)
    sampler = TreeMemory(proc.pid) if memory else None
    if sampler:
        sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return {"s": time.perf_counter() - t, "rc": None, "out": out, "err": err, "timeout": True}
    finally:
        if sampler:
            sampler.done = True
            sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the process and its workers, once waited for
    res = {"s": time.perf_counter() - t, "rc": proc.returncode, "out": out, "err": err,
           "cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)}
    if sampler:
        res["peak_tree_mb"] = sampler.peak_sum_kb / 1024
        res["peak_process_mb"] = sampler.peak_one_kb / 1024
    if proc.returncode != 0:
        print(f"  ! dkg {' '.join(map(str, args))[:120]} -> exit {proc.returncode}: "
              f"{err.decode('utf-8', 'replace').strip().splitlines()[-1:]}", flush=True)
    return res


def disk_size(path: Path) -> int:
    seen, total = set(), 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                st = os.lstat(os.path.join(root, f))
            except OSError:
                continue
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_blocks * 512
    return total


def median(xs):
    return statistics.median(xs) if xs else float("nan")


# ---- corpora ------------------------------------------------------------------------------------------------


def corpus(folder: Path, documents: int, roots: int = 1, start_year=None, seed: int = 1) -> dict:
    if not (folder / "ground_truth.json").is_file():
        shutil.rmtree(folder, ignore_errors=True)
        t = time.perf_counter()
        s = generate(folder, seed=seed, start_year=start_year, **plan_fanout(documents, "pre2025", roots))
        print(f"generated {s['documents']:,} documents in {time.perf_counter() - t:.0f} s -> {folder}", flush=True)
    return load_ground_truth(folder)


def corpora(work: Path, sizes: list[int]) -> dict[int, list[tuple[Path, dict]]]:
    """size -> [(folder, ground truth)]; the first folder holds the measured root's cascade."""
    out = {}
    for i, n in enumerate(sizes):
        if i > 0 and n == sizes[-1] and n >= 5 * sizes[i - 1]:  # the largest: the next smaller cascade + filler
            base = sizes[i - 1]
            filler = n - base
            roots = max(2, min(9, round(filler / base)))
            out[n] = out[base][:1] + [(work / f"corpus-{filler}-filler",
                                       corpus(work / f"corpus-{filler}-filler", filler, roots, 2012, seed=2))]
        else:
            out[n] = [(work / f"corpus-{n}", corpus(work / f"corpus-{n}", n))]
    return out


# ---- one size -----------------------------------------------------------------------------------------------


def extract_speed(folders, limit: int = 2000) -> dict:
    import logging

    from graph import extract_text

    files = sorted(f for folder in folders for f in folder.rglob("*.txt"))
    files = files[:: max(1, len(files) // limit)][:limit]
    texts = [(str(p), p.read_text(encoding="utf-8-sig")) for p in files]
    logging.getLogger("graph").setLevel(logging.ERROR)
    extract_text(texts[0][1], texts[0][0])
    cpu, wall = time.process_time(), time.perf_counter()
    for source, text in texts:
        extract_text(text, source)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    kb = sum(len(t.encode("utf-8")) for _s, t in texts) / len(texts) / 1024
    return {"documents": len(texts), "kb_per_doc": kb, "per_cpu_s": len(texts) / cpu, "per_wall_s": len(texts) / wall}


def root_iri(store: Path, folder: Path, gt: dict) -> str:
    from graph.store import open_read_only

    root = next(d for d in gt["documents"] if d["id"] == gt["roots"][0])
    want = str((folder / root["file"]).resolve())
    st = open_read_only(store)
    # the document read from that file (its named graph states the file too)
    for row in st.select("SELECT ?d ?f WHERE { ?d dkg:sourceFile ?f ; dkg:identityKey ?k }"):
        if str(Path(row["f"]).resolve()) == want:
            return row["d"]
    raise SystemExit(f"root {root['file']} not found in {store}")


def exactness(sources, folder: Path, gt: dict) -> dict:
    want = {str((folder / d["file"]).resolve()) for d in gt["documents"] if d["id"] in descendants(gt, gt["roots"][0])}
    got = {str(Path(PROJECT, s).resolve()) if not os.path.isabs(s) else str(Path(s).resolve()) for s in sources}
    root = next(d for d in gt["documents"] if d["id"] == gt["roots"][0])
    got.discard(str((folder / root["file"]).resolve()))
    return {"expected": len(want), "found": len(got & want), "missing": len(want - got), "extra": len(got - want),
            "exact": got == want}


def warm_lineage(store: Path, root: str, runs: int) -> float:
    from graph.lineage import lineage
    from graph.store import open_read_only

    st = open_read_only(store)
    lineage(st, root, evidence=True)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        lineage(st, root, evidence=True)
        times.append(time.perf_counter() - t)
    return median(times)


def named_queries(store: Path, root: str, runs: int, timeout: float) -> list[dict]:
    from graph.sparql import named_queries as all_queries
    from graph.store import open_read_only

    st = open_read_only(store)
    # an organisation by IRI: local names ("Ban Thường vụ Đảng ủy xã") recur in every commune, so a name is ambiguous
    org = st.select("SELECT ?n WHERE { ?n a dkg:Organisation } LIMIT 1")
    out = []
    queries = all_queries()
    for q in (queries.values() if isinstance(queries, dict) else queries):
        params = []
        for p in q.params:
            value = root if p.kind == "document" else (org[0]["n"] if org else "Ban Thường vụ Tỉnh ủy")
            params += ["--param", f"{p.name}={value}"]
        times, rows, timed_out = [], None, False
        for _ in range(runs):
            r = run_cli(["sparql", q.name, *params, "--format", "csv", "--store", store], timeout=timeout)
            if r.get("timeout"):
                timed_out = True
                break
            times.append(r["s"])
            rows = max(0, r["out"].count(b"\n") - 1) if r["rc"] == 0 else None
        out.append({"name": q.name, "s": median(times), "rows": rows, "timeout": timed_out})
    return out


def naive(store: Path, work: Path, root: str, folder: Path, gt: dict, runs: int, timeout: float) -> dict:
    ttl = work / f"{store.name}.ttl"
    e = run_cli(["export", "--format", "ttl", "-o", ttl, "--store", store], timeout=timeout, memory=True)
    if e.get("timeout") or e["rc"] != 0:
        return {"skipped": "dkg export --format ttl " + ("timed out" if e.get("timeout") else "failed")}
    t = time.perf_counter()
    try:
        p = subprocess.run([sys.executable, str(PROJECT / "bench" / "naive_baseline.py"), str(ttl), root, "--runs",
                            str(runs)], capture_output=True, timeout=timeout, cwd=PROJECT)
    except subprocess.TimeoutExpired:
        return {"skipped": f"rdflib did not finish within {timeout:.0f} s", "export_s": e["s"]}
    finally:
        ttl.unlink(missing_ok=True)
    if p.returncode != 0:
        return {"skipped": "naive baseline failed: " + p.stderr.decode("utf-8", "replace")[-200:]}
    res = json.loads(p.stdout)
    res["wall_s"] = time.perf_counter() - t
    res["export_s"] = e["s"]
    res["exactness"] = exactness(res.pop("sources"), folder, gt)
    return res


def bench_size(n: int, parts, work: Path, runs: int, jobs: int, naive_limit: int, naive_timeout: float,
               ingest_runs: int, full_limit: int) -> dict:
    folders = [f for f, _gt in parts]
    folder, gt = parts[0]
    documents = sum(len(g["documents"]) for _f, g in parts)
    print(f"== {documents:,} documents ({', '.join(f.name for f in folders)})", flush=True)
    res = {"size": n, "documents": documents, "corpora": [f.name for f in folders],
           "text_mb": sum(disk_size(f) for f in folders) / 1e6}
    res["extract"] = extract_speed(folders)
    print(f"  extract {res['extract']['per_cpu_s']:.0f} documents per CPU second", flush=True)
    store, records = work / f"store-{n}", work / f"records-{n}"
    ingests = []
    for i in range(ingest_runs):
        shutil.rmtree(store, ignore_errors=True)
        shutil.rmtree(records, ignore_errors=True)
        r = run_cli(["ingest", *folders, "--store", store, "--records", records, "--jobs", jobs], memory=True)
        quads = None
        for line in r["out"].decode("utf-8", "replace").splitlines():
            if "quads in the store" in line:
                quads = int(line.rsplit(";", 1)[1].split()[0])
        ingests.append({"s": r["s"], "cpu_s": r.get("cpu_s"), "rc": r["rc"], "quads": quads,
                        "peak_tree_mb": r["peak_tree_mb"],
                        "peak_process_mb": r["peak_process_mb"]})
        print(f"  ingest {r['s']:.1f} s ({r.get('cpu_s', 0):.0f} CPU-s), {quads} quads, peak {r['peak_tree_mb']:.0f} MB"
              " (tree)", flush=True)
    res["ingest"] = {"runs": ingests, "s": median([x["s"] for x in ingests]), "quads": ingests[-1]["quads"],
                     "cpu_s": median([x["cpu_s"] for x in ingests]),
                     "peak_tree_mb": max(x["peak_tree_mb"] for x in ingests),
                     "peak_process_mb": max(x["peak_process_mb"] for x in ingests)}
    res["store_mb"] = disk_size(store) / 1e6
    res["records_mb"] = disk_size(records) / 1e6
    if n <= full_limit:
        again = run_cli(["ingest", *folders, "--store", store, "--records", records, "--jobs", jobs], memory=True)
        res["reingest"] = {"s": again["s"], "peak_tree_mb": again["peak_tree_mb"],
                           "same_quads": f"{res['ingest']['quads']} quads in the store" in again["out"].decode()}
        print(f"  re-ingest {again['s']:.1f} s", flush=True)
        b = run_cli(["build", "--store", store, "--records", records, "--jobs", jobs], memory=True)
        res["build"] = {"s": b["s"], "peak_tree_mb": b["peak_tree_mb"]}
        print(f"  build {b['s']:.1f} s", flush=True)
    big = n > full_limit
    runs_here = 1 if big else runs
    root = root_iri(store, folder, gt)
    res["root"] = root
    cold, data = [], None
    for _ in range(runs_here):
        r = run_cli(["lineage", root, "--format", "json", "--store", store], timeout=1800)
        res.setdefault("lineage_cpu_s", []).append(r.get("cpu_s"))
        if r.get("timeout"):
            cold.append(float("inf"))
            break
        cold.append(r["s"])
        if r["rc"] == 0:
            data = json.loads(r["out"])
    res["lineage"] = {"cold_s": median(cold), "cold_runs": cold, "warm_s": warm_lineage(store, root, runs_here)}
    if data:
        sources = [nd["source"] for nd in data["nodes"] if nd["kind"] == "document" and nd.get("source")]
        res["lineage"].update(nodes=len(data["nodes"]), edges=len(data["edges"]),
                              exactness=exactness(sources, folder, gt))
    print(f"  lineage cold {res['lineage']['cold_s']:.2f} s, warm {res['lineage']['warm_s']:.2f} s, "
          f"{res['lineage'].get('exactness')}", flush=True)
    res["sparql"] = named_queries(store, root, runs_here, timeout=300)
    page = work / f"view-{n}.html"
    v = [run_cli(["view", root, "-o", page, "--store", store], timeout=1800) for _ in range(runs_here)]
    res["view"] = {"s": median([x["s"] for x in v]), "page_mb": page.stat().st_size / 1e6 if page.exists() else None}
    page.unlink(missing_ok=True)
    # a few texts read again into the whole store: what adding or correcting a text costs at this size
    two = sorted(folder.rglob("*.txt"))[:2]
    a = [run_cli(["ingest", *two, "--store", store, "--records", records, "--jobs", jobs]) for _ in range(runs_here)]
    res["two_texts"] = {"s": median([x["s"] for x in a]),
                        "same_quads": all(f"{res['ingest']['quads']} quads in the store" in x["out"].decode()
                                          for x in a)}
    print(f"  two texts again {res['two_texts']['s']:.1f} s", flush=True)
    if n <= naive_limit:
        print("  naive baseline (rdflib) ...", flush=True)
        res["naive"] = naive(store, work, root, folder, gt, runs, naive_timeout)
        print(f"  naive {res['naive']}"[:200], flush=True)
    return res


# ---- the report ---------------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    ram = "?"
    try:
        ram = f"{int(next(line.split()[1] for line in open('/proc/meminfo') if line.startswith('MemTotal'))) / 2**20:.1f} GB"
    except (OSError, StopIteration):
        pass
    from importlib.metadata import version

    libs = {}
    for lib in ("pyoxigraph", "rdflib", "networkx", "click", "PyYAML", "pyvis"):
        try:
            libs[lib] = version(lib)
        except Exception:
            libs[lib] = "?"
    return {"cpu": cpu, "cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)), "ram": ram,
            "python": platform.python_version(), "os": platform.platform(), "libraries": libs,
            "load_before": os.getloadavg(), "loop_before_s": cpu_speed()}


def cpu_speed() -> float:
    """Seconds of CPU for a fixed pure-Python loop (best of 3): the same machine name can be a slower or a busier
    host from one day to the next, and this says how fast the one measured was."""
    best = float("inf")
    for _ in range(3):
        c = time.process_time()
        total = 0
        for i in range(5_000_000):
            total += i
        best = min(best, time.process_time() - c)
    return best


def byte_compile() -> None:
    """Write the project's bytecode, as pip does when it installs a package: a machine with
    PYTHONDONTWRITEBYTECODE set (this one) otherwise compiles every module again in every new process."""
    import compileall

    for folder in ("graph", "visualize"):
        compileall.compile_dir(PROJECT / folder, quiet=1)
    compileall.compile_file(PROJECT / "cli.py", quiet=1)


def startup(runs: int) -> float:
    return median([run_cli(["--help"])["s"] for _ in range(max(5, runs))])


def _ok(good: bool) -> str:
    return "met" if good else "**missed**"


def report(m: dict, help_s: float, results: list[dict], args) -> str:
    L = []
    w = L.append
    w("# dkg benchmarks\n")
    w(f"Generated by `python bench/run_benchmarks.py --sizes {args.sizes} --runs {args.runs}` on "
      f"{time.strftime('%Y-%m-%d %H:%M')}. Every dkg figure is a command run as a user runs it (a new process), "
      "unless it says *in process*. Medians of the runs given.\n")
    w("## Machine\n")
    w(f"- CPU: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable); RAM {m['ram']}")
    w(f"- {m['os']}, Python {m['python']}; " + ", ".join(f"{k} {v}" for k, v in m["libraries"].items()))
    w(f"- Load average when the run started: {', '.join(f'{x:.1f}' for x in m['load_before'])}; when it ended: "
      f"{', '.join(f'{x:.1f}' for x in m['load_after'])}. The machine is shared: a load above the number of cores "
      "means other processes took part of the CPU during the measurements (wall-clock figures are then pessimistic;"
      " the per-CPU-second extraction figure is not affected).")
    w(f"- Speed of this host: a fixed pure-Python loop (5,000,000 additions) took {m['loop_before_s']:.2f} CPU-s"
      f" when the run started and {m['loop_after_s']:.2f} CPU-s when it ended (lower is faster; one core's speed,"
      " comparable across runs where the CPU's name is not, but blind to how two busy cores slow each other).")
    w("- Every command runs as a new process, as its console script runs it, with the project's bytecode written "
      "first (as pip writes it when it installs; this machine sets PYTHONDONTWRITEBYTECODE).\n")
    w("## Targets\n")
    w("| target | figure | |")
    w("|---|---|---|")
    by = {r["size"]: r for r in results}
    ex = min(r["extract"]["per_cpu_s"] for r in results)
    w(f"| extract ≥ 300 documents/s per core | {ex:.0f} documents per CPU second (lowest of the sizes) | "
      f"{_ok(ex >= TARGETS['extract_docs_per_cpu_s'])} |")
    big = by.get(max(by))
    w(f"| ingest of {big['documents']:,} documents < 10 min, peak memory < 2 GB | {big['ingest']['s']:.0f} s; peak "
      f"{big['ingest']['peak_tree_mb']:.0f} MB all processes together, {big['ingest']['peak_process_mb']:.0f} MB the "
      f"largest process | {_ok(big['ingest']['s'] < 600)} / {_ok(big['ingest']['peak_tree_mb'] < 2048)} |")
    lin = big["lineage"]
    w(f"| cold `dkg lineage` of the {lin.get('exactness', {}).get('expected', 0) + 1:,}-document cascade in the "
      f"{big['documents']:,}-document store < 1 s | {lin['cold_s']:.2f} s ({lin.get('nodes', 0):,} nodes, "
      f"{lin.get('edges', 0):,} edges with evidence) | {_ok(lin['cold_s'] < 1)} |")
    with_naive = [r for r in results if r.get("naive") and "parse_s" in r["naive"]]
    if with_naive:
        r = with_naive[-1]
        nv = r["naive"]["parse_s"] + r["naive"]["query_first_s"]
        ratio = nv / r["lineage"]["cold_s"]
        w(f"| cold lineage ≥ 50× faster than naive rdflib (same store) | {ratio:.1f}× at {r['documents']:,} "
          f"documents (naive {nv:.1f} s, dkg {r['lineage']['cold_s']:.2f} s) | {_ok(ratio >= 50)} |")
    w(f"| `dkg --help` < 0.3 s | {help_s:.2f} s | {_ok(help_s < 0.3)} |")
    exact = all(r["lineage"].get("exactness", {}).get("exact") for r in results)
    w(f"| lineage = ground truth at every size | " + ", ".join(
        f"{r['documents']:,}: {'exact' if r['lineage'].get('exactness', {}).get('exact') else r['lineage'].get('exactness')}"
        for r in results) + f" | {_ok(exact)} |\n")
    w("## Ingest and store\n")
    w("| documents | text | extract, 1 core | ingest (jobs) | CPU time of the ingest | documents/s | quads | quads/s |"
      " peak memory (tree / largest) | store on disk | records | re-ingest (time, peak tree) | build |"
      " two texts again |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        i = r["ingest"]
        q = i["quads"] or 0
        w(f"| {r['documents']:,} | {r['text_mb']:.0f} MB | {r['extract']['per_cpu_s']:.0f}/CPU-s "
          f"({r['extract']['per_wall_s']:.0f}/s wall, {r['extract']['kb_per_doc']:.1f} KB each) | "
          f"{i['s']:.1f} s ({args.jobs}) | {i['cpu_s']:.0f} CPU-s | {r['documents'] / i['s']:.0f} | {q:,} | {q / i['s']:,.0f} | "
          f"{i['peak_tree_mb']:.0f} / {i['peak_process_mb']:.0f} MB | {r['store_mb']:.0f} MB "
          f"({r['store_mb'] * 1e6 / max(q, 1):.0f} B/quad) | {r['records_mb']:.0f} MB | " + (
              f"{r['reingest']['s']:.1f} s, {r['reingest']['peak_tree_mb']:.0f} MB"
              f"{'' if r['reingest']['same_quads'] else ' (quad count changed!)'} | "
              f"{r['build']['s']:.1f} s |" if "reingest" in r else "not run | not run |") + (
              f" {r['two_texts']['s']:.1f} s"
              f"{'' if r['two_texts']['same_quads'] else ' (quad count changed!)'} |" if "two_texts" in r else " |"))
    w("\nIngest runs per size: " + "; ".join(f"{r['documents']:,}: " + ", ".join(f"{x['s']:.1f} s" for x in
                                                                                r["ingest"]["runs"])
                                           for r in results) + ".\n")
    w("## Lineage, SPARQL, view\n")
    w("| documents | lineage nodes / edges | cold `dkg lineage ROOT --format json` | warm (in process) | "
      "documents vs ground truth | `dkg view ROOT` | page |")
    w("|---|---|---|---|---|---|---|")
    for r in results:
        lin = r["lineage"]
        e = lin.get("exactness", {})
        w(f"| {r['documents']:,} | {lin.get('nodes', 0):,} / {lin.get('edges', 0):,} | {lin['cold_s']:.2f} s | "
          f"{lin['warm_s']:.2f} s | {e.get('found', 0):,} of {e.get('expected', 0):,}, {e.get('missing')} missing, "
          f"{e.get('extra')} extra | {r['view']['s']:.2f} s | {r['view']['page_mb'] or 0:.1f} MB |")
    w("\nNamed SPARQL queries (`dkg sparql NAME --param ... --format csv`, a new process each; document parameters "
      "are the lineage root):\n")
    names = [q["name"] for q in results[0]["sparql"]]
    w("| query | " + " | ".join(f"{r['documents']:,} docs" for r in results) + " |")
    w("|---|" + "---|" * len(results))
    for name in names:
        cells = []
        for r in results:
            q = next(x for x in r["sparql"] if x["name"] == name)
            cells.append("timed out" if q["timeout"] else f"{q['s']:.2f} s ({q['rows'] if q['rows'] is not None else 'error'} rows)")
        w(f"| {name} | " + " | ".join(cells) + " |")
    w("\n## The naive way (rdflib)\n")
    w("`dkg export --format ttl`, then `bench/naive_baseline.py`: rdflib parses the Turtle into an in-memory graph and "
      "its SPARQL walks the lineage with a property path (implements | guides | basedOn | cites, or a task that "
      "implements), then lists the tasks of the documents found and who they go to.\n")
    w("| documents | triples | parse | first query | best query | naive total | dkg cold | ratio (cold) | "
      "ratio (warm queries) | naive memory | documents vs ground truth |")
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        nv = r.get("naive")
        if not nv:
            w(f"| {r['documents']:,} | not run: above --naive-limit {args.naive_limit:,} (rdflib holds about 1 KB per "
              "triple in memory; the export alone would not fit) | | | | | | | | | |")
            continue
        if "parse_s" not in nv:
            w(f"| {r['documents']:,} | {nv['skipped']} | | | | | | | | | |")
            continue
        total = nv["parse_s"] + nv["query_first_s"]
        e = nv["exactness"]
        w(f"| {r['documents']:,} | {nv['triples']:,} | {nv['parse_s']:.1f} s | {nv['query_first_s']:.2f} s | "
          f"{nv['query_best_s']:.2f} s | {total:.1f} s | {r['lineage']['cold_s']:.2f} s | "
          f"{total / r['lineage']['cold_s']:.1f}× | {nv['query_best_s'] / r['lineage']['warm_s']:.1f}× | "
          f"{nv['peak_rss_mb']:.0f} MB | {e['found']:,} of {e['expected']:,} |")
    w("")
    w("## Notes\n")
    w(f"- `dkg --help` start-up: {help_s:.3f} s (median of several runs).")
    w(f"- Above {args.full_limit:,} documents: one ingest, no re-ingest or build, one run of each lineage, SPARQL "
      "query and view (each takes minutes there); below, ingests and timings are medians of the runs given.")
    w("- Two texts again: the first two texts of the corpus (in path order) ingested again into the whole store, as a "
      "user adds or corrects a text: a new generation where their graphs are replaced. A write of fewer texts than a "
      "quarter of the store ends without a full compaction of the database (`graph.store._settle_during`).")
    for r in results:
        if len(r["corpora"]) > 1:
            w(f"- {r['documents']:,} documents: corpora {', '.join(r['corpora'])}; the lineage measured is that of the "
              f"first one's root ({r['root']}), a cascade of {r['lineage'].get('exactness', {}).get('expected', 0) + 1:,}"
              " documents; the others are namesake cascades ten years earlier.")
    w("- Peak memory: the memory of `dkg ingest` and all its worker processes, summed (PSS: pages the forked workers"
      " share counted once) and sampled every second from /proc (tree), and the largest VmHWM of any one of them "
      "(largest).")
    w("- Store size: the store folder (`current` and the previous generation kept for open readers), hard links "
      "counted once, blocks actually allocated.")
    return "\n".join(L) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=str(PROJECT / "BENCHMARKS.md"))
    ap.add_argument("--work", default="/tmp/dkg-bench")
    ap.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--naive-limit", type=int, default=10000)
    ap.add_argument("--naive-timeout", type=float, default=1200)
    ap.add_argument("--ingest-runs", type=int, default=None,
                    help="ingests per size (default: --runs up to --full-limit documents, 1 above)")
    ap.add_argument("--json", default=None, help="also write the raw figures here")
    ap.add_argument("--only", default=None, help="measure only these of --sizes (comma-separated)")
    ap.add_argument("--merge", default=None, help="a --json file of an earlier run whose sizes are added to the report")
    ap.add_argument("--full-limit", type=int, default=10000,
                    help="above this size: no re-ingest and build, one run of SPARQL, view and warm lineage")
    args = ap.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(work).free
    need = sum(s * 12_000 + s * 220_000 for s in sizes)  # text + records + store, about
    if free < need:
        print(f"warning: {free / 1e9:.0f} GB free in {work}, about {need / 1e9:.0f} GB needed", file=sys.stderr)
    m = machine()
    byte_compile()
    help_s = startup(args.runs)
    print(f"dkg --help: {help_s:.3f} s", flush=True)
    results = []

    def save():
        if args.json:
            Path(args.json).write_text(json.dumps({"machine": m, "help_s": help_s, "results": results}, indent=1))

    only = {int(x) for x in args.only.split(",")} if args.only else None
    for n, parts in corpora(work, sizes).items():
        if only and n not in only:
            continue
        runs = args.ingest_runs or (args.runs if n <= args.full_limit else 1)
        results.append(bench_size(n, parts, work, args.runs, args.jobs, args.naive_limit, args.naive_timeout, runs,
                                  args.full_limit))
        save()  # after each size: a long run that dies keeps what it measured
    m["load_after"], m["loop_after_s"] = os.getloadavg(), cpu_speed()
    save()
    if args.merge:
        earlier = json.loads(Path(args.merge).read_text())
        done = {r["size"] for r in results}
        results = sorted([r for r in earlier["results"] if r["size"] not in done] + results, key=lambda r: r["size"])
    Path(args.out).write_text(report(m, help_s, results, args), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
