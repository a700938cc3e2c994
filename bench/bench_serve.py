"""Benchmark of ``dkg serve``: concurrent lineage queries against a real endpoint on loopback.

    python bench/bench_serve.py                 # builds a cascade store (~40k triples) in a temporary folder
    python bench/bench_serve.py .dkg            # or serves an existing store folder
    python bench/bench_serve.py --clients 20 --seconds 30 --timeout 30
    python bench/bench_serve.py --direct        # the same load on the Oxigraph child, past dkg's front

It starts ``dkg serve`` (the real command) on a free loopback port, runs ``--clients`` threads, each with one
keep-alive HTTP connection, for ``--seconds``, each sending ``SELECT ?d WHERE { ?d dkg:implements+ <root> }``
by POST, and prints throughput, p50/p99 latency, errors, and the peak thread count of the Oxigraph child
(Oxigraph spawns one timer thread per query that lives ``--timeout`` seconds; the run stops early if the
count nears the machine's pid limit). With ``--direct`` the clients talk to the Oxigraph child on its private
port instead of dkg's filtering front, which measures what the front costs. It stops by itself and leaves no
process behind.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

DKG = "https://w3id.org/dkg/ontology#"
ID = "https://w3id.org/dkg/id/"
ROOT = ID + "doc/tw/2024/nghi-quyet/57"
PROVINCES, DISTRICTS, COMMUNES, TASKS = 63, 10, 3, 2
THREAD_CEILING = 20000  # stop before Oxigraph's timer threads approach a 32768 pid_max


def cascade_quads():
    """A central resolution implemented by provincial plans, district plans and commune letters, each document
    in its own named graph with a title, code, level, issuer and tasks, as ``dkg build`` shapes them."""
    import pyoxigraph as ox

    def n(iri):
        return ox.NamedNode(iri)

    rdf_type = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    quads = []

    def document(iri, cls, title, code, level, issuer, parent):
        g = n(ID + "graph/" + iri.removeprefix(ID))
        d = n(iri)
        quads.extend([
            ox.Quad(d, rdf_type, n(DKG + cls), g),
            ox.Quad(d, n(DKG + "title"), ox.Literal(title, language="vi"), g),
            ox.Quad(d, n(DKG + "code"), ox.Literal(code), g),
            ox.Quad(d, n(DKG + "level"), n(DKG + level), g),
            ox.Quad(d, n(DKG + "issuedBy"), n(ID + "org/" + issuer), g),
        ])
        if parent:
            quads.append(ox.Quad(d, n(DKG + "implements"), n(parent), g))
            quads.append(ox.Quad(d, n(DKG + "implements"), n(parent), n(DKG + "links")))
        for t in range(1, TASKS + 1):
            task = n(f"{iri}/task/{t}")
            quads.extend([ox.Quad(d, n(DKG + "hasTask"), task, g),
                          ox.Quad(task, n(DKG + "text"), ox.Literal(f"Nhiệm vụ {t} của {code}", language="vi"), g),
                          ox.Quad(task, n(DKG + "assignsTo"), n(ID + "org/" + issuer), g)])

    document(ROOT, "Resolution", "Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học, công nghệ", "57-NQ/TW",
             "central", "bo-chinh-tri", None)
    for p in range(PROVINCES):
        plan = f"{ID}doc/tinh-{p}/2024/ke-hoach/{100 + p}"
        document(plan, "Plan", f"Kế hoạch thực hiện Nghị quyết 57 của Tỉnh ủy {p}", f"{100 + p}-KH/TU", "province",
                 f"tinh-uy-{p}", ROOT)
        for d in range(DISTRICTS):
            dplan = f"{ID}doc/huyen-{p}-{d}/2024/ke-hoach/{10 + d}"
            document(dplan, "Plan", f"Kế hoạch của Huyện ủy {p}-{d}", f"{10 + d}-KH/HU", "district",
                     f"huyen-uy-{p}-{d}", plan)
            for c in range(COMMUNES):
                letter = f"{ID}doc/xa-{p}-{d}-{c}/2024/cong-van/{c + 1}"
                document(letter, "OfficialLetter", f"Công văn của Đảng ủy xã {p}-{d}-{c}", f"{c + 1}-CV/ĐU",
                         "commune", f"dang-uy-xa-{p}-{d}-{c}", dplan)
    return quads


def build_store(folder: Path) -> int:
    from graph.store import writing

    quads = cascade_quads()
    with writing(folder, fresh=True) as w:
        w.ox.bulk_extend(quads)
    return len(quads)


def start_dkg_serve(store: Path, timeout: int) -> tuple[subprocess.Popen, str, int]:
    from graph.serve import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", "import cli; cli.cli()", "serve", "--store", str(store),
                             "--bind", f"127.0.0.1:{port}", "--timeout", str(timeout)],
                            cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ready, _, _ = select.select([proc.stdout], [], [], 60)
    line = proc.stdout.readline().decode().strip() if ready else ""
    if not line.startswith("SPARQL endpoint:"):
        proc.kill()
        sys.exit(f"dkg serve did not start: {line or proc.stderr.read().decode()}")
    return proc, line, port


def child_of(pid: int) -> int | None:
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        return int(entry)
            except (OSError, ValueError, IndexError):
                pass
    return None


def bound_port(pid: int | None) -> int | None:
    """The port of the ``--bind`` argument on a process's command line (the Oxigraph child's private port)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().split(b"\0")
        return int(args[args.index(b"--bind") + 1].rsplit(b":", 1)[1])
    except (OSError, ValueError, IndexError, TypeError):
        return None


def threads_of(pid: int | None) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("Threads:"))
    except (OSError, StopIteration, TypeError):
        return 0


def client(port: int, body: bytes, stop: threading.Event, latencies: list, errors: list, rows: list):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}
    while not stop.is_set():
        started = time.perf_counter()
        try:
            conn.request("POST", "/query", body, headers)
            resp = conn.getresponse()
            data = resp.read()
            elapsed = time.perf_counter() - started
            if resp.status != 200 or not data.endswith(b"}}"):
                errors.append(f"{resp.status}: {data[-80:]!r}")
                continue
            latencies.append(elapsed)
            if not rows:
                rows.append(len(json.loads(data)["results"]["bindings"]))
        except (OSError, http.client.HTTPException) as e:
            errors.append(repr(e))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", nargs="?", help="a dkg store folder (default: build a cascade store)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--timeout", type=int, default=30, help="dkg serve --timeout")
    parser.add_argument("--root", default=ROOT, help="the document whose lineage is asked")
    parser.add_argument("--direct", action="store_true", help="load the Oxigraph child directly, not dkg's front")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        if args.store:
            store, built = Path(args.store), None
        else:
            store = Path(tmp) / ".dkg"
            started = time.perf_counter()
            built = build_store(store)
            print(f"store: {built} quads built in {time.perf_counter() - started:.1f} s")
        proc, line, port = start_dkg_serve(store, args.timeout)
        oxigraph = child_of(proc.pid)
        print(line)
        if args.direct:
            port = bound_port(oxigraph)
            print(f"direct: the Oxigraph child on port {port}, past the front")
        query = f"SELECT ?d WHERE {{ ?d <{DKG}implements>+ <{args.root}> }}"
        body = urllib.parse.urlencode({"query": query}).encode()
        stop = threading.Event()
        latencies: list[float] = []
        errors: list[str] = []
        rows: list[int] = []
        workers = [threading.Thread(target=client, args=(port, body, stop, latencies, errors, rows), daemon=True)
                   for _ in range(args.clients)]
        peak_threads = 0
        started = time.perf_counter()
        try:
            for w in workers:
                w.start()
            while time.perf_counter() - started < args.seconds:
                time.sleep(0.25)
                peak_threads = max(peak_threads, threads_of(oxigraph))
                if peak_threads > THREAD_CEILING:
                    print(f"stopping early: the server reached {peak_threads} threads")
                    break
        finally:
            stop.set()
            for w in workers:
                w.join(70)
            wall = time.perf_counter() - started
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            serve_errors = proc.stderr.read().decode().strip()
            proc.stdout.close()
            proc.stderr.close()

    done = len(latencies)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.python_implementation()} "
          f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f}")
    print(f"query: lineage of <{args.root}> ({rows[0] if rows else '?'} documents per answer)")
    print(f"clients: {args.clients} keep-alive, {wall:.1f} s")
    if done:
        q = statistics.quantiles(latencies, n=100)
        print(f"throughput: {done / wall:.0f} requests/s ({done} answered)")
        print(f"latency: p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"server threads: peak {peak_threads}")
    if serve_errors:
        print(f"dkg serve said: {serve_errors}")
    return 1 if errors or not done else 0


if __name__ == "__main__":
    sys.exit(main())
