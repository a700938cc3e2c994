"""The read-only SPARQL endpoint: Oxigraph's own server (``oxigraph serve-read-only``) run as a child process
over the live database of a store folder, with the default graph as the union of all named graphs, behind a
small filtering front (`graph.http_front`) that holds the user's address.

Oxigraph answers the SPARQL 1.1 Protocol (content negotiation for JSON, XML, CSV, TSV results and Turtle,
N-Triples, RDF/XML graphs) on a private loopback port. The front passes on only query requests it has
checked and rebuilt: it refuses ``SERVICE`` (the server would fetch any URL), caps the size of an answer,
gives up after the timeout, and refuses every write with 403. This module starts both, supervises the child,
and stops them with the parent:

- The child is served the database ``current`` points at when it starts (a snapshot: writers never modify
  a database once it is current, they build a new one and swap the link). A later build is seen after a
  restart. The store keeps only the current and the previous generation, so restart after a rebuild.
- The query timeout is dkg's, not Oxigraph's. Oxigraph's ``--timeout-s`` starts one timer thread per query
  that lives for the whole timeout, so under load (1,000 queries/s with a 30 s timeout) the server runs out
  of threads and aborts; and it only cancels cooperative operators (property paths), while joins, sorts and
  aggregates over a cross product run on, even after the client has gone. The front answers 504 when the
  timeout passes, and `RunawayWatch` watches the server's threads: one that computes without ever blocking
  for longer than the timeout (plus a grace) is a runaway, and the server is restarted (queries in flight
  are dropped; the front answers 503 meanwhile). The same happens when the server dies or its memory passes
  half of the machine's.
- The child gets SIGTERM when dkg stops (Ctrl-C, SIGTERM, SIGHUP) or dies (``PR_SET_PDEATHSIG``), so no
  server is left behind.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import http.client
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ServeError, StoreError

__all__ = ["DEFAULT_BIND", "DEFAULT_MAX_RESULT_MB", "Endpoint", "check_bind", "get", "oxigraph_binary", "serve",
           "writer_pid"]

DEFAULT_BIND = "127.0.0.1:7878"
DEFAULT_TIMEOUT = 30
DEFAULT_MAX_RESULT_MB = 100.0  # far above any lineage answer (a 10,000-document cascade is ~1.5 MB of JSON)
GRACE_SECONDS = 2.0  # a query may overrun the timeout by this much before the server is restarted
POLL_SECONDS = 0.5
READY_SECONDS = 30.0
COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


# ---- where and how ---------------------------------------------------------------------------------------------


def oxigraph_binary() -> str:
    """The path of the ``oxigraph`` executable installed by the ``oxigraph`` PyPI package.

    The copy beside the running interpreter comes first: it is the one this environment installed, while
    ``PATH`` may hold a version manager's shim or another version. Raises `ServeError` when none is found.
    """
    beside = Path(sys.executable).parent / "oxigraph"
    if os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    with contextlib.suppress(Exception):
        from importlib.metadata import distribution

        for f in distribution("oxigraph").files or ():
            if f.name == "oxigraph" and os.access(f.locate(), os.X_OK):
                return str(Path(f.locate()).resolve())
    raise ServeError("the oxigraph server is not installed: pip install 'oxigraph>=0.5,<0.6'")


def parse_bind(bind: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:7878`` for IPv6) -> (host, port); raises `ServeError` when malformed."""
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536 or not host:
        raise ServeError(f"--bind {bind!r}: expected HOST:PORT, e.g. {DEFAULT_BIND}")
    return host.strip("[]"), int(port)


def is_loopback(host: str) -> bool:
    """True when every address ``host`` names is a loopback address (127.0.0.0/8, ::1)."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback for info in infos)


def check_bind(bind: str, public: bool = False) -> tuple[str, int]:
    """Validate ``bind``: a non-loopback address needs ``public``. Returns (host, port)."""
    host, port = parse_bind(bind)
    if not public and not is_loopback(host):
        raise ServeError(f"--bind {bind} is not a loopback address: add --public to serve the store to the network")
    return host, port


def _address_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Rust's listener does
        s.bind((host, port))
        return True
    return False


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on now (the kernel's pick for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def writer_pid(store_path) -> int | None:
    """The pid of a dkg process writing the store now (holding ``<store>/lock``), else None."""
    from .store import LOCK

    try:
        fd = os.open(Path(store_path) / LOCK, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.EACCES):
                return None
            text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            return int(text) if text.isdigit() else -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def server_command(location, bind: str) -> list[str]:
    """The ``oxigraph serve-read-only`` command line for a database directory (no ``--timeout-s``: see the
    module docstring; no ``--cors``: the front answers CORS)."""
    return [oxigraph_binary(), "serve-read-only", "--location", str(location), "--bind", bind,
            "--union-default-graph"]


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM when the parent dies (Linux), even by SIGKILL."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


# ---- watching the server --------------------------------------------------------------------------------------


@dataclass
class _Track:
    since: float  # when the thread was last seen idle or blocking
    cpu: int  # its CPU ticks at the last tick
    switches: int  # its voluntary context switches then


@dataclass
class RunawayWatch:
    """Finds a server thread that has computed without blocking for ``limit`` seconds.

    A thread serving a client blocks between requests (waiting for the next one) and while the client reads,
    which counts a voluntary context switch; a query Oxigraph cannot cancel computes on with none. Only
    Linux's ``/proc`` is read; elsewhere the watch sees nothing.
    """

    pid: int
    limit: float
    tracks: dict = field(default_factory=dict)

    def _read(self, tid: str) -> tuple[int, int] | None:
        base = f"/proc/{self.pid}/task/{tid}"
        try:
            with open(f"{base}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            cpu = int(fields[11]) + int(fields[12])  # utime + stime
            with open(f"{base}/status", "rb") as f:
                for line in f:
                    if line.startswith(b"voluntary_ctxt_switches"):
                        return cpu, int(line.split()[1])
        except (OSError, IndexError, ValueError):
            return None
        return None

    def runaway(self, now: float | None = None) -> bool:
        """One look at the threads; True when one of them is a runaway."""
        now = time.monotonic() if now is None else now
        try:
            tids = os.listdir(f"/proc/{self.pid}/task")
        except OSError:
            return False
        seen = {}
        found = False
        for tid in tids:
            old = self.tracks.get(tid)
            if old is not None and not self._busy(tid, old):
                old.since = now
                seen[tid] = old
                continue
            state = self._read(tid)
            if state is None:
                continue
            cpu, switches = state
            if old is None or cpu == old.cpu or switches != old.switches:
                seen[tid] = _Track(now, cpu, switches)
            else:
                old.cpu = cpu
                seen[tid] = old
                found = found or now - old.since >= self.limit
        self.tracks = seen
        return found

    def _busy(self, tid: str, old: _Track) -> bool:
        # Reading stat alone is cheap; most threads (Oxigraph's per-query timers) sleep.
        try:
            with open(f"/proc/{self.pid}/task/{tid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            return int(fields[11]) + int(fields[12]) != old.cpu
        except (OSError, IndexError, ValueError):
            return False


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _memory_limit() -> int:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
    except (ValueError, OSError):
        return 0


# ---- the endpoint ---------------------------------------------------------------------------------------------


class Endpoint:
    """An ``oxigraph serve-read-only`` child process serving one database directory.

    >>> with Endpoint(location, "127.0.0.1", free_port(), timeout=30) as ep:  # doctest: +SKIP
    ...     ep.triples()
    """

    def __init__(self, location, host: str, port: int, timeout: int = DEFAULT_TIMEOUT):
        self.location = Path(location)
        self.host, self.port, self.timeout = host, port, timeout
        self.process: subprocess.Popen | None = None
        self.watch: RunawayWatch | None = None
        self.restarts = 0
        self._log = None

    @property
    def bind(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.bind}"

    @property
    def query_url(self) -> str:
        return f"{self.url}/query"

    def start(self, ready_within: float = READY_SECONDS) -> Endpoint:
        """Start the server and wait until it answers a query; raises `ServeError` when it cannot."""
        if not _address_free(self.host, self.port):
            raise ServeError(f"address {self.bind} is in use")
        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            server_command(self.location, self.bind),
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
            start_new_session=True,  # Ctrl-C reaches dkg, which stops the server in order
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        deadline = time.monotonic() + ready_within
        while True:
            if self.process.poll() is not None:
                raise ServeError(self._start_failure())
            with contextlib.suppress(OSError):
                status, _ = self.request("/query?" + urllib.parse.urlencode({"query": "ASK {}"}), timeout=2)
                if status == 200:
                    break
            if time.monotonic() > deadline:
                self.stop()
                raise ServeError(f"the SPARQL server did not answer on {self.bind} within {ready_within:.0f} s")
            time.sleep(0.05)
        self.watch = RunawayWatch(self.process.pid, self.timeout + GRACE_SECONDS)
        return self

    def _start_failure(self) -> str:
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace")
        if "in use" in text or "os error 98" in text:
            return f"address {self.bind} is in use"
        last = next((ln.strip() for ln in reversed(text.splitlines()) if ln.strip()), "")
        return f"the SPARQL server on {self.location} stopped at start: {last or 'no message'}"

    def request(self, path: str, accept: str | None = None, timeout: float | None = None) -> tuple[int, bytes]:
        """GET ``path`` on the server: (status, body)."""
        req = urllib.request.Request(self.url + path, headers={"Accept": accept} if accept else {})
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout + 10) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def triples(self) -> int:
        """The number of triples in the default graph (the union of all graphs)."""
        import json

        status, body = self.request("/query?" + urllib.parse.urlencode({"query": COUNT_QUERY}),
                                    accept="application/sparql-results+json")
        if status != 200:
            raise ServeError(f"the SPARQL server could not count its triples: {body[:200]!r}")
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])

    def trouble(self) -> str | None:
        """One supervision look: why the server must be restarted (it died, ran away, outgrew memory), or None."""
        if self.process is None:
            return None
        if self.process.poll() is not None:
            return f"the SPARQL server stopped (exit {self.process.returncode})"
        if self.watch is not None and self.watch.runaway():
            return f"a query ran past the {self.timeout} s timeout"
        if (limit := _memory_limit()) and _rss_bytes(self.process.pid) > limit:
            return f"the SPARQL server passed {limit >> 20} MiB of memory"
        return None

    def restart(self) -> None:
        self.stop()
        self.restarts += 1
        self.start()

    def stop(self, grace: float = 5.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``grace`` seconds) and reap it."""
        proc, self.process = self.process, None
        if proc is not None:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.terminate()
                try:
                    proc.wait(grace)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Endpoint:
        return self.start() if self.process is None else self

    def __exit__(self, *exc) -> None:
        self.stop()


# ---- the two modes of ``dkg serve`` ----------------------------------------------------------------------------


class _Stop(Exception):
    """Raised by the signal handlers: stop serving."""


def _raise_stop(signum, frame):
    raise _Stop(signal.Signals(signum).name)


def serve(store_path=".dkg", bind: str = DEFAULT_BIND, timeout: int = DEFAULT_TIMEOUT, cors: bool = False,
          public: bool = False, echo=print, warn=None, max_result_mb: float = DEFAULT_MAX_RESULT_MB) -> None:
    """Serve the store read-only until SIGINT, SIGTERM or SIGHUP; ``echo`` gets the endpoint line.

    Raises `StoreError` (no store) or `ServeError` (bad bind, address in use, server failed to start).
    """
    warn = warn or (lambda line: print(line, file=sys.stderr))
    host, port = check_bind(bind, public)
    location = _location(store_path, warn)
    if not is_loopback(host):
        warn(f"warning: serving on {bind}: anyone who can reach this machine can read the whole store")
    previous = {s: signal.signal(s, _raise_stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    front = endpoint = None
    try:
        front = _front(host, port, timeout, max_result_mb, cors, warn)
        endpoint = _child(location, timeout)
        front.target.port = endpoint.port
        front.start()
        echo(f"SPARQL endpoint: {_url(host, port)}/query (read-only, timeout {timeout} s, answers up to "
             f"{max_result_mb:g} MB, {endpoint.triples()} triples)")
        while True:
            time.sleep(POLL_SECONDS)
            reason = endpoint.trouble()
            if reason:
                warn(f"warning: {reason}: restarting the server (queries in flight are dropped)")
                endpoint.restart()
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        if front is not None:
            front.stop()
        if endpoint is not None:
            endpoint.stop()
        for s, handler in previous.items():
            signal.signal(s, handler)


def get(store_path, path: str, timeout: int = DEFAULT_TIMEOUT, accept: str | None = None,
        max_result_mb: float = DEFAULT_MAX_RESULT_MB) -> tuple[int, bytes]:
    """Start the server and its front on free loopback ports, GET ``path`` once through the front, stop both:
    (status, body)."""
    if not path.startswith("/"):
        raise ServeError(f"--get {path!r}: the path must start with '/', e.g. '/query?query=...'")
    warn = lambda line: print(line, file=sys.stderr)  # noqa: E731
    location = _location(store_path, warn)
    port = free_port()
    front = _front("127.0.0.1", port, timeout, max_result_mb, False, warn)
    try:
        with _child(location, timeout) as endpoint:
            front.target.port = endpoint.port
            front.start()
            req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Accept": accept} if accept else {})
            try:
                with urllib.request.urlopen(req, timeout=timeout + GRACE_SECONDS) as resp:
                    return resp.status, resp.read()
            except urllib.error.HTTPError as e:
                if e.code == 504:
                    raise ServeError(f"--get {path}: no answer within the {timeout} s timeout") from None
                return e.code, e.read()
            except TimeoutError:
                raise ServeError(f"--get {path}: no answer within the {timeout} s timeout") from None
            except (OSError, http.client.HTTPException) as e:
                raise ServeError(f"--get {path}: {e}") from None
    finally:
        front.stop()


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _front(host: str, port: int, timeout: int, max_result_mb: float, cors: bool, warn):
    """The front listening on the user's address (its child's port is set once the child runs)."""
    from .http_front import Front, Target

    public = _url(host, port).removeprefix("http://")
    target = Target("127.0.0.1", 0, timeout, int(max_result_mb * 1e6), cors, public, warn)
    try:
        return Front(host, port, target)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise ServeError(f"address {public} is in use") from None
        raise ServeError(f"cannot listen on {public}: {e.strerror or e}") from None


def _child(location, timeout: int, attempts: int = 3) -> Endpoint:
    """The Oxigraph child on a free private loopback port (another pick if a process took the port first)."""
    for attempt in range(1, attempts + 1):
        endpoint = Endpoint(location, "127.0.0.1", free_port(), timeout)
        try:
            return endpoint.start()
        except ServeError as e:
            if "in use" not in str(e) or attempt == attempts:
                raise


def _location(store_path, warn) -> Path:
    from .store import oxigraph_dir

    location = oxigraph_dir(store_path)  # StoreError "no store at ...: run 'dkg ingest' first"
    pid = writer_pid(store_path)
    if pid is not None:
        warn(f"note: {store_path} is being written by pid {pid}; serving the database current now "
             f"({location.name}); restart to see the new one")
    if not os.access(location, os.R_OK | os.X_OK):
        raise StoreError(f"cannot read the store at {location}")
    return location
