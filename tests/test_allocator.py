"""dkg ingest and dkg build run with jemalloc where the system has it (graph/allocator.py): the command starts again
once, with the library preloaded, and does the same work; DKG_MALLOC=system keeps the system's allocator."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from graph.allocator import jemalloc_path, restart_plan

LIB = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"


@pytest.mark.parametrize("argv, environ, platform, restarted", [
    (["dkg", "ingest", "corpus"], {}, "linux", True),
    (["dkg", "build"], {"PATH": "/bin"}, "linux", True),
    (["dkg", "lineage", "12-NQ/TW"], {}, "linux", False),       # a short command: not worth a restart
    (["dkg", "--help"], {}, "linux", False),
    (["dkg"], {}, "linux", False),
    (["dkg", "ingest", "corpus"], {}, "darwin", False),          # LD_PRELOAD is Linux's
    (["dkg", "ingest", "corpus"], {"DKG_MALLOC": "system"}, "linux", False),
    (["dkg", "ingest", "corpus"], {"DKG_MALLOC": " System "}, "linux", False),
    (["dkg", "ingest", "corpus"], {"DKG_MALLOC_RESTARTED": "1"}, "linux", False),  # never twice
    (["dkg", "ingest", "corpus"], {"LD_PRELOAD": "/opt/libjemalloc.so"}, "linux", False),
])
def test_restart_only_for_long_writes_on_linux(argv, environ, platform, restarted):
    env = restart_plan(argv, environ, platform=platform, library=LIB)
    assert (env is not None) == restarted
    if restarted:
        assert env["LD_PRELOAD"] == LIB and env["DKG_MALLOC_RESTARTED"] == "1"
        assert {k: v for k, v in env.items() if k not in ("LD_PRELOAD", "DKG_MALLOC_RESTARTED")} == environ


def test_restart_keeps_what_was_preloaded():
    env = restart_plan(["dkg", "ingest", "x"], {"LD_PRELOAD": "/opt/libfoo.so"}, platform="linux", library=LIB)
    assert env["LD_PRELOAD"] == f"{LIB}:/opt/libfoo.so"


def test_no_restart_without_the_library(monkeypatch):
    monkeypatch.setattr("graph.allocator.jemalloc_path", lambda: None)
    assert restart_plan(["dkg", "ingest", "x"], {}, platform="linux") is None


# The command as the `dkg` program runs it (cli.main), reporting at its very end, in the process that did the work,
# whether jemalloc was mapped into it.
_PROGRAM = ("import sys, cli\n"
            "try:\n"
            "    cli.main()\n"
            "finally:\n"
            "    print('jemalloc mapped:', 'jemalloc' in open('/proc/self/maps').read(), file=sys.stderr)\n")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="LD_PRELOAD and /proc are Linux's")
@pytest.mark.parametrize("malloc", ["", "system"])
def test_ingest_runs_with_jemalloc_unless_told_not_to(tmp_path, project_dir, corpus_dir, malloc):
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "DKG_MALLOC_RESTARTED")}
    env["DKG_MALLOC"] = malloc
    p = subprocess.run([sys.executable, "-c", _PROGRAM, "ingest", str(corpus_dir), "--store", str(tmp_path / "s"),
                        "--records", str(tmp_path / "r"), "--jobs", "2"], capture_output=True, text=True,
                       cwd=project_dir, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "Ingested 2 document(s)" in p.stdout
    expected = bool(jemalloc_path()) and malloc != "system"
    assert p.stderr.strip().splitlines()[-1] == f"jemalloc mapped: {expected}"
    lineage = subprocess.run([sys.executable, "-c", "import cli; cli.main()", "lineage", "12-NQ/TW", "--format",
                              "json", "--store", str(tmp_path / "s")], capture_output=True, text=True,
                             cwd=project_dir, env=env, timeout=60)
    assert lineage.returncode == 0, lineage.stderr
    assert "118-KH/ĐUCA" in lineage.stdout and "huyen-uy-xay-dung-cong-an-xa-2022.txt" in lineage.stdout
