"""SIGKILL loop: kill `dkg ingest` and `dkg build` (real processes) at random points, again and again, and check
after every kill that the store is the previous one, whole and queryable, or the complete new one, never a mix;
then that the next run completes.

    python bench/kill_loop.py [--kills 100] [--documents 40] [--seed 0] [--work DIR] [--keep]

Each round starts `dkg ingest` (texts of a generated cascade corpus on top of a store of the bundled corpus) or
`dkg build` (the records of both), and kills it either at a random time within its measured duration or a
random moment after its new database folder appears (so kills land in the write and the swap, not only in the
parsing before). After the kill the store must answer exactly as before the run (same quad count, same digest of
every quad) or exactly as a completed run does (same count, same answers). Prints the kills survived, where they
landed, and the failures; exit code 1 if any.

Library use (tests/test_faults.py): ``setup = prepare(work, documents=30)``, ``kill_once(setup, "ingest", rng)``.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CLI = [sys.executable, str(ROOT / "cli.py")]
ANSWER_QUERY = "SELECT DISTINCT ?code WHERE { ?d dkg:sourceFile ?f ; dkg:code ?code } ORDER BY ?code"


@dataclass(frozen=True)
class State:
    """What a reader sees in a store: its quad count, a digest of its quads, and one answer."""

    quads: int
    digest: str
    answer: tuple


@dataclass
class Setup:
    work: Path
    corpus: Path                 # texts of the baseline store
    texts: Path                  # texts the killed ingest reads
    records: Path                # records of both (what the killed build reads)
    env: dict
    states: dict = field(default_factory=dict)     # command -> (state before, state after a completed run)
    seconds: dict = field(default_factory=dict)    # command -> duration of a completed run
    baseline: Path | None = None                   # a store folder to copy before each round


def dkg(setup: Setup, *args, check=True, timeout=600) -> subprocess.CompletedProcess:
    done = subprocess.run([*CLI, *map(str, args)], cwd=setup.work, env=setup.env, capture_output=True, text=True,
                          timeout=timeout)
    if check and done.returncode != 0:
        raise RuntimeError(f"dkg {' '.join(map(str, args))} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return done


def state(store_path: Path) -> State:
    """Open the store read-only in this process and read what a user would."""
    from graph import store

    s = store.open_read_only(store_path)
    try:
        quads = sorted(str(q) for q in s.ox)
        answer = tuple(r["code"] for r in s.select(ANSWER_QUERY))
        _check_lineage_index(s)
        return State(len(quads), hashlib.sha256("\n".join(quads).encode()).hexdigest(), answer)
    finally:
        del s


def _check_lineage_index(s) -> None:
    """The lineage index beside the live database answers as SPARQL on that database does (a kill never leaves
    an index of another generation, or a half-written one, in use)."""
    from graph import lineage as L
    from graph.lineage_index import LineageIndex

    index = LineageIndex.of_store(s)
    assert index is not None, "the live database has no lineage index"
    roots = [r["d"] for r in s.select("SELECT DISTINCT ?d WHERE { GRAPH dkg:links { ?x dkg:implements ?d } } "
                                      "ORDER BY ?d LIMIT 3")]
    for root in roots:
        edges = L._index_edges(index, root, direction="down", depth=None, relations=L.DEFAULT_RELATIONS)
        assert edges == L.select_edges(s, root), f"the lineage index disagrees with the database on {root}"


def prepare(work: Path, documents: int = 40, seed: int = 0) -> Setup:
    """A generated cascade corpus, the bundled corpus, and a baseline store of the bundled corpus; measures a
    completed ingest and build so kills can be placed in their duration."""
    sys.path.insert(0, str(ROOT / "bench"))
    from generate_cascade import generate, plan_fanout

    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DKG_MAX_INPUT_MB": "50"}
    setup = Setup(work=work, corpus=work / "corpus", texts=work / "texts", records=work / "records-all", env=env)
    shutil.copytree(ROOT / "data" / "corpus", setup.corpus, dirs_exist_ok=True)
    if not setup.texts.is_dir():
        generate(setup.texts, seed=seed, **plan_fanout(documents, "pre2025", 1))
    base_records = work / "records-base"
    dkg(setup, "ingest", setup.corpus, "--store", "baseline", "--records", base_records)
    setup.baseline = work / "baseline"
    # the records a build reads: the baseline's and the generated texts'
    shutil.copytree(base_records, setup.records, dirs_exist_ok=True)
    t0 = time.monotonic()
    _fresh_store(setup, "reference")
    dkg(setup, "ingest", setup.texts, "--store", "reference", "--records", setup.records)
    setup.seconds["ingest"] = time.monotonic() - t0
    before = state(setup.baseline)
    setup.states["ingest"] = (before, state(work / "reference"))
    _fresh_store(setup, "reference")
    t0 = time.monotonic()
    dkg(setup, "build", "--store", "reference", "--records", setup.records)
    setup.seconds["build"] = time.monotonic() - t0
    setup.states["build"] = (before, state(work / "reference"))
    return setup


def _fresh_store(setup: Setup, name: str) -> Path:
    """A copy of the baseline store folder (symlinks kept), as the store a round starts from."""
    target = setup.work / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(setup.baseline, target, symlinks=True)
    (target / "lock").unlink(missing_ok=True)
    return target


def _command(setup: Setup, command: str, store: Path) -> list:
    if command == "ingest":
        return ["ingest", setup.texts, "--store", store, "--records", setup.work / "records-round"]
    return ["build", "--store", store, "--records", setup.records]


def kill_once(setup: Setup, command: str, rng: random.Random, store: Path | None = None) -> tuple[str, str | None]:
    """Start ``command``, SIGKILL it at a random point, check the store. Returns (where the kill landed,
    problem or None). ``store`` defaults to a fresh copy of the baseline; the rounds of one store may follow each
    other (a kill after the swap leaves the new store, which the next round starts from)."""
    store = store or _fresh_store(setup, "victim")
    before_state, after_state = setup.states[command]
    start_state = state(store)
    if start_state not in (before_state,) and start_state.answer != after_state.answer:
        return "start", f"the store to kill in is neither the baseline nor a completed run: {start_state.quads} quads"
    old_dbs = {p.name for p in store.glob("db-*")}
    args = [str(a) for a in _command(setup, command, store)]
    proc = subprocess.Popen([*CLI, *args], cwd=setup.work, env=setup.env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    on_write = rng.random() < 0.5
    writing = False
    try:
        if on_write:  # wait for the new database folder, then a little more
            deadline = time.monotonic() + 4 * setup.seconds[command] + 10
            while proc.poll() is None and time.monotonic() < deadline:
                if {p.name for p in store.glob("db-*")} - old_dbs:
                    writing = True
                    break
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.25))
        else:
            time.sleep(rng.uniform(0.05, 1.05) * setup.seconds[command])
            writing = bool({p.name for p in store.glob("db-*")} - old_dbs)
        finished = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    where = "after exit" if finished else ("during write" if writing else "before write")
    try:
        got = state(store)
    except Exception as e:  # the very thing this loop looks for: a store that no longer opens
        return where, f"the store does not open after the kill: {type(e).__name__}: {e}"
    if got == start_state:
        return where + " (store as before the run)", None
    if got.quads == after_state.quads and got.answer == after_state.answer:
        return where + " (the completed run's store)", None
    return where, (f"mixed store after a kill {where}: {got.quads} quads, expected {before_state.quads} (before) or "
                   f"{after_state.quads} (after)")


def complete_run(setup: Setup, command: str, store: Path) -> str | None:
    """The next run after kills completes and gives the completed state; old databases are cleaned up."""
    done = dkg(setup, *_command(setup, command, store), check=False)
    if done.returncode != 0:
        return f"the run after the kills failed ({done.returncode}): {done.stderr.strip()[-300:]}"
    got, after = state(store), setup.states[command][1]
    if got.quads != after.quads or got.answer != after.answer:
        return f"the run after the kills gave {got.quads} quads, a completed run {after.quads}"
    left = [p.name for p in store.glob("db-*") if p.is_dir()]
    if len(left) > 2:
        return f"{len(left)} database folders left behind after a successful run: {left}"
    orphans = [p.name for p in store.glob("db-*.lineage") if p.name.removesuffix(".lineage") not in left]
    if orphans:
        return f"lineage index files without their database left behind: {orphans}"
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--documents", type=int, default=40, help="size of the generated corpus (default 40)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--work", type=Path, default=None, help="work folder (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="dkg-kill-"))
    rng = random.Random(args.seed)
    try:
        setup = prepare(work, args.documents, args.seed)
        print(f"corpus: {args.documents} generated documents on a store of the bundled corpus; a completed ingest "
              f"takes {setup.seconds['ingest']:.1f} s, a build {setup.seconds['build']:.1f} s", flush=True)
        survived, failures, landed = 0, [], {}
        stores = {c: _fresh_store(setup, f"victim-{c}") for c in ("ingest", "build")}
        for i in range(args.kills):
            command = "ingest" if i % 2 == 0 else "build"
            where, problem = kill_once(setup, command, rng, stores[command])
            landed[f"{command} {where}"] = landed.get(f"{command} {where}", 0) + 1
            if problem:
                failures.append(f"kill {i + 1} ({command}, {where}): {problem}")
                print(failures[-1], flush=True)
                stores[command] = _fresh_store(setup, f"victim-{command}")
            else:
                survived += 1
            if (i + 1) % 10 == 0:
                print(f"... {i + 1} kills, {survived} survived", file=sys.stderr, flush=True)
        for command, store in stores.items():
            problem = complete_run(setup, command, store)
            if problem:
                failures.append(f"{command}: {problem}")
                print(failures[-1])
        print(f"kills: {args.kills}")
        print(f"survived: {survived}")
        for key in sorted(landed):
            print(f"  {landed[key]:4d}  {key}")
        print(f"next runs completed: {'yes' if not any(f.startswith(('ingest:', 'build:')) for f in failures) else 'no'}")
        print(f"failures: {len(failures)}")
        return 1 if failures else 0
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
