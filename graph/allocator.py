"""The memory allocator of the long writes (``dkg ingest``, ``dkg build``): jemalloc where the system has it.

An ingest spends about 8 % of its CPU time in glibc's malloc and free: Oxigraph's bulk loader builds, sorts and drops
millions of small keys, and the workers make and drop each record's strings. With jemalloc the 9,759-text ingest took
8-17 % less CPU (three pairs run alternately on this project's 2-core machine); at 100,391 texts about 1 % less, and
90 MB less peak memory.

An allocator is chosen when a program starts, so the command starts again once, before it has read anything: the
same process (``exec``: same id, arguments, open files) with jemalloc preloaded. Only on Linux, only where
libjemalloc is installed (Debian and Ubuntu: ``apt-get install libjemalloc2``); ``DKG_MALLOC=system`` keeps the
system's allocator. Anything else dkg does is unchanged.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping

COMMANDS = ("ingest", "build")  # the commands worth a restart (seconds to hours of allocation-heavy work)
_MARK = "DKG_MALLOC_RESTARTED"  # set in the restarted program: never a second restart, whatever happened
_LIBRARY = "libjemalloc.so.2"


def jemalloc_path() -> str | None:
    """Where the system's jemalloc library is, or None."""
    import sysconfig

    arch = sysconfig.get_config_var("MULTIARCH")
    folders = ([f"/usr/lib/{arch}", f"/lib/{arch}"] if arch else []) + ["/usr/lib64", "/usr/lib", "/usr/local/lib"]
    for folder in folders:
        path = os.path.join(folder, _LIBRARY)
        if os.path.isfile(path):
            return path
    return None


def restart_plan(argv: list[str], environ: Mapping[str, str], platform: str = sys.platform,
                 library: str | None = None) -> dict | None:
    """The environment to start the command ``argv`` (``dkg`` and its arguments) again with, jemalloc preloaded; None
    when it stays as it is: not Linux, not a long write, ``DKG_MALLOC=system``, already restarted or preloaded, or no
    jemalloc (``library`` is where it is; looked for when None)."""
    if platform != "linux" or len(argv) < 2 or argv[1] not in COMMANDS:
        return None
    if environ.get("DKG_MALLOC", "").strip().lower() == "system" or _MARK in environ:
        return None
    preloaded = environ.get("LD_PRELOAD", "")
    if "jemalloc" in preloaded:
        return None
    library = library or jemalloc_path()
    if library is None:
        return None
    env = dict(environ)
    env["LD_PRELOAD"] = f"{library}:{preloaded}" if preloaded else library
    env[_MARK] = "1"
    return env


def restart_with_jemalloc() -> None:
    """Start this command again with jemalloc (see `restart_plan`) and never return, or return and go on as it is."""
    env = restart_plan(sys.argv, os.environ)
    if env is None:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)
    except OSError:
        return  # the interpreter cannot be started again (removed, no permission): the system's allocator will do
