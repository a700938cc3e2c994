"""Faults during writes, with real processes: SIGKILL during `dkg ingest` and `dkg build` at random points, two
writers at once, and a full disk. The previous store stays whole and queryable, and the next run completes.

The kill harness is bench/kill_loop.py's (the benchmark runs it a hundred times; this runs it five times).
tests/test_store.py already kills `dkg build` at four fixed points and holds the lock from Python; this file
covers `dkg ingest`, random points, two real writers and the full disk.
"""
from __future__ import annotations

import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench_scripts import load

pytest.importorskip("graph.parse.header", reason="the parser is needed for ingest")

PROJECT = Path(__file__).resolve().parent.parent
KILLS = 5


kl = load("kill_loop")


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    return kl.prepare(tmp_path_factory.mktemp("kills"), documents=20, seed=2)


def test_sigkill_at_random_points_leaves_a_whole_store_and_the_next_run_completes(setup):
    rng = random.Random(8)
    stores = {c: kl._fresh_store(setup, f"victim-{c}") for c in ("ingest", "build")}
    landed = []
    for i in range(KILLS):
        command = ("ingest", "build")[i % 2]
        where, problem = kl.kill_once(setup, command, rng, stores[command])
        assert problem is None, f"kill {i + 1} of {command}, {where}: {problem}"
        landed.append(f"{command} {where}")
    assert any("during write" in w for w in landed) or any("before write" in w for w in landed), landed
    for command, store in stores.items():
        assert kl.complete_run(setup, command, store) is None


def test_a_second_writer_gets_a_clear_lock_error_and_changes_nothing(setup):
    store = kl._fresh_store(setup, "locked")
    before = kl.state(store)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from graph import store\n"
         f"with store.writing({str(store)!r}):\n    print('locked', flush=True); time.sleep(120)"],
        cwd=setup.work, env=setup.env, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        for args in (["ingest", setup.corpus, "--store", store, "--records", setup.work / "records-locked"],
                     ["build", "--store", store, "--records", setup.records]):
            done = kl.dkg(setup, *args, check=False)
            assert done.returncode == 1, done.stderr
            errors = [line for line in done.stderr.splitlines() if line.startswith("Error: ")]
            assert errors == [f"Error: store {store} is locked by another dkg process (pid {holder.pid})"], done.stderr
            assert "Traceback" not in done.stderr
        assert kl.state(store) == before
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()


def test_two_writers_at_once_never_mix_their_stores(setup):
    """Two real `dkg build` runs started together: each completes or stops at the lock with the clear error,
    and the store is one complete build."""
    store = kl._fresh_store(setup, "race")
    after = setup.states["build"][1]
    command = [*kl.CLI, "build", "--store", str(store), "--records", str(setup.records)]
    procs = [subprocess.Popen(command, cwd=setup.work, env=setup.env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert sorted(code for code, _ in results)[0] == 0, results
    for code, err in results:
        if code:
            assert "is locked by another dkg process" in err and err.count("\n") == 1, err
    got = kl.state(store)
    assert (got.quads, got.answer) == (after.quads, after.answer)


# ---- a full disk -----------------------------------------------------------------------------------------------


def _one_line_error(done, *words):
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, done.stderr
    assert "unexpected" not in errors[0] and "dkg bug" not in errors[0], f"not a clear error: {errors[0]}"
    assert any(w in errors[0] for w in words), errors[0]


@pytest.fixture()
def small_disk(tmp_path):
    """An 8 MB tmpfs (needs root and a kernel that lets this process mount)."""
    mount = shutil.which("mount")
    point = tmp_path / "disk"
    point.mkdir()
    if mount is None or os.geteuid() != 0:
        pytest.skip("a small tmpfs needs root and mount(8); the RLIMIT_FSIZE test covers the full disk")
    done = subprocess.run([mount, "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(point)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); the RLIMIT_FSIZE test covers the full disk")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def _fill(point: Path, leave_kb: int) -> Path:
    free_kb = shutil.disk_usage(point).free // 1024
    filler = point / "filler"
    with open(filler, "wb") as f:
        f.truncate(0)
        chunk = bytes(1024)
        for _ in range(max(0, free_kb - leave_kb)):
            f.write(chunk)
    return filler


@pytest.mark.parametrize("leave_kb", [40, 600])
def test_a_full_disk_fails_the_build_cleanly_and_keeps_the_store(setup, small_disk, leave_kb):
    store = small_disk / "store"
    shutil.copytree(setup.baseline, store, symlinks=True)
    records = small_disk / "records"
    shutil.copytree(setup.records, records)
    before = kl.state(store)
    dbs = sorted(p.name for p in store.glob("db-*"))
    filler = _fill(small_disk, leave_kb)
    _one_line_error(kl.dkg(setup, "build", "--store", store, "--records", records, check=False),
                    "No space left on device")
    _one_line_error(kl.dkg(setup, "ingest", setup.texts, "--store", store, "--records", records, check=False),
                    "No space left on device")
    assert kl.state(store) == before
    assert sorted(p.name for p in store.glob("db-*")) == dbs, "the failed write's database was not removed"
    filler.unlink()
    assert kl.dkg(setup, "build", "--store", store, "--records", records, check=False).returncode == 0
    assert kl.state(store).answer == setup.states["build"][1].answer


def _file_size_limit(limit: int):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # so a write past the limit fails with EFBIG, not a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.parametrize("command", ["build", "ingest"])
def test_a_write_past_the_file_size_limit_fails_cleanly_and_keeps_the_store(setup, command):
    """The same fault without mount rights: RLIMIT_FSIZE in the child makes every write past 40 KB fail (EFBIG),
    as a full disk fails the write in progress."""
    store = kl._fresh_store(setup, f"fsize-{command}")
    before = kl.state(store)
    args = (["build", "--store", store, "--records", setup.records] if command == "build"
            else ["ingest", setup.texts, "--store", store, "--records", setup.work / "records-fsize"])
    done = subprocess.run([*kl.CLI, *map(str, args)], cwd=setup.work, env=setup.env, capture_output=True, text=True,
                          preexec_fn=_file_size_limit(40 * 1024), timeout=300)
    _one_line_error(done, "File too large", "file too large")
    assert kl.state(store) == before
    assert len([p for p in store.glob("db-*") if p.is_dir()]) == 1
    databases = [p.name for p in store.glob("db-*") if p.is_dir()]
    assert [p.name for p in store.glob("db-*.lineage")] == [name + ".lineage" for name in databases]
    assert [p.name for p in store.glob("db-*.lines")] == [name + ".lineage.lines" for name in databases]


def test_a_killed_run_leaves_no_temporary_files(setup, tmp_path):
    """A SIGKILL cannot run clean-up code, so a temporary file must be unlinked as soon as it is open (its
    descriptor kept) or live inside the store folder, where the next write removes it. Today the build's record
    spool (graph/load.py `_Spool`, ``$TMPDIR/dkg-records-*.pickle``) stays behind after every killed run."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    store = kl._fresh_store(setup, "leak")
    proc = subprocess.Popen([*kl.CLI, "build", "--store", str(store), "--records", str(setup.records)],
                            cwd=setup.work, env={**setup.env, "TMPDIR": str(tmp)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        for _ in range(3000):  # until the run has made its temporary files (or has ended)
            if any(tmp.iterdir()) or proc.poll() is not None:
                break
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    time.sleep(0.5)  # worker processes see their parent gone
    assert sorted(p.name for p in tmp.iterdir()) == []


def test_a_worker_killed_mid_run_fails_the_run_instead_of_hanging(setup):
    """The kernel's OOM killer (a huge PDF) or a crash in a C library kills one worker process: the run must stop
    with a clear error naming what happened, not wait for ever (multiprocessing.Pool did) nor call it a dkg bug
    (BrokenProcessPool reaching the CLI's last-resort handler does)."""
    store = kl._fresh_store(setup, "worker")
    before = kl.state(store)
    proc = subprocess.Popen([*kl.CLI, "ingest", str(setup.texts), "--store", str(store), "--records",
                             str(setup.work / "records-worker"), "--jobs", "2"], cwd=setup.work, env=setup.env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    workers: list[int] = []
    try:
        for _ in range(2000):
            children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
            workers = [int(p) for p in children.read_text().split()] if children.exists() else []
            if workers or proc.poll() is not None:
                break
            time.sleep(0.005)
        if not workers:
            pytest.skip("the run ended before it started worker processes")
        os.kill(workers[0], signal.SIGKILL)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pytest.fail("dkg ingest still waits 15 s after one of its workers was killed")
        _one_line_error(subprocess.CompletedProcess(proc.args, proc.returncode, "", proc.stderr.read()), "worker")
        assert kl.state(store) == before
    finally:
        for pid in [proc.pid, *workers]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait()
        proc.stderr.close()
