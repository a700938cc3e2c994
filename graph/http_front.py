"""The HTTP front of ``dkg serve``: it takes the user's address, checks each request, and passes a request it
builds itself to the Oxigraph child on a private loopback port.

Why a front: Oxigraph's server runs ``SERVICE <url>`` (the server fetches any URL it can reach) and has no
limit on the size of an answer; neither has a switch. The front:

- accepts the SPARQL 1.1 Protocol query forms (``GET /query?query=``, ``POST`` form-encoded, ``POST
  application/sparql-query``) with ``default-graph-uri`` / ``named-graph-uri``, and exactly one query text: a
  request with two ``query`` parameters, or a body and a ``query`` parameter, is refused, so the text that
  was checked is the text that runs (no parser differential);
- refuses a query that holds SERVICE (`graph.sparql_guard`) with 400 and one line;
- forwards a fresh ``POST /query`` (``application/sparql-query``, UTF-8) with the client's ``Accept`` header,
  never the client's request line or body, over a keep-alive connection of its own;
- streams the answer back and counts its bytes. An answer that ends within the first ``HOLD_BYTES`` is sent
  whole with ``Content-Length``; one that passes the limit by then gets 507 and nothing else. A longer answer
  is streamed chunked, and when it passes the limit the connection is reset without the final chunk, so the
  client sees an error instead of a short document that looks complete;
- answers 504 when the child has not answered within the timeout (nothing sent yet), and 503 while the
  child restarts;
- refuses writes (``/update`` and ``PUT``/``POST``/``DELETE /store``) with 403, as Oxigraph does; serves the
  query page (``/``) and Graph Store reads (``GET /store``) through the same limits; anything else is 404.
"""
from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from .sparql_guard import find_service

__all__ = ["Front", "HOLD_BYTES", "MAX_REQUEST_BYTES"]

HOLD_BYTES = 256 * 1024  # an answer that ends within this many bytes is sent with Content-Length
HOLD_SECONDS = 1.0  # ... or that many seconds after the child's first byte, after which it is streamed
PIECE = 64 * 1024
MAX_REQUEST_BYTES = 256 * 1024  # a query, form-encoded or not: dkg's own reads are under 50 KB, and the guard
# reads a hostile 256 KB query in at most 0.25 s of CPU
IDLE_SECONDS = 60  # a client connection with no request (or that reads nothing) for that long is closed
STATIC_PATHS = frozenset({"/", "/yasgui.min.css", "/yasgui.min.js", "/logo.svg"})  # Oxigraph's query page
GRAPH_PARAMS = ("default-graph-uri", "named-graph-uri", "union-default-graph")
STORE_PARAMS = ("default", "graph", "union")
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"


class Refusal(Exception):
    """A request the front answers itself: HTTP status and a one-line message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass
class Target:
    """Where the child listens and what the front enforces; ``port`` changes when the child is restarted."""

    host: str
    port: int
    timeout: float
    max_result_bytes: int
    cors: bool = False
    public_host: str = "127.0.0.1:7878"  # sent as Host, so the service description names the front
    warn: Callable[[str], None] = print


@dataclass
class QueryRequest:
    query: str | None  # None: the service description (GET /query with no parameter)
    graph_params: list


def read_query_request(method: str, url_query: str, content_type: str | None, body: bytes | None) -> QueryRequest:
    """The one query text and the dataset parameters of a SPARQL 1.1 Protocol query request.

    Raises `Refusal` (400 malformed or ambiguous, 415 unknown body type).
    """
    url_params = _params(url_query, "the URL")
    queries = [v for k, v in url_params if k == "query"]
    graph_params = [(k, v) for k, v in url_params if k in GRAPH_PARAMS]
    if method == "POST":
        media = (content_type or "").split(";")[0].strip().lower()
        if media == FORM:
            form = _params(_utf8(body or b"", "the form"), "the form")
            if queries and any(k == "query" for k, _ in form):
                raise Refusal(400, "a query both in the URL and in the body: send it once")
            queries += [v for k, v in form if k == "query"]
            graph_params += [(k, v) for k, v in form if k in GRAPH_PARAMS]
        elif media == SPARQL_QUERY:
            charset = _charset(content_type)
            if charset not in ("utf-8", "utf8", "us-ascii", "ascii"):
                raise Refusal(415, f"charset {charset} is not supported: send UTF-8")
            if queries:
                raise Refusal(400, "a query both in the URL and in the body: send it once")
            queries = [_utf8(body or b"", "the query")]
        else:
            raise Refusal(415, f"POST /query needs Content-Type {FORM} or {SPARQL_QUERY}, not {media or 'none'}")
    if len(queries) > 1:
        raise Refusal(400, f"{len(queries)} query parameters: send exactly one")
    if not queries:
        if method == "GET" and not url_params:
            return QueryRequest(None, [])
        raise Refusal(400, "no query: send query=... (SPARQL 1.1 Protocol)")
    return QueryRequest(queries[0], graph_params)


def _params(text: str, where: str) -> list:
    try:
        return urllib.parse.parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict",
                                      max_num_fields=1000)
    except UnicodeDecodeError:
        raise Refusal(400, f"{where} is not UTF-8 once %-decoded") from None
    except ValueError:
        raise Refusal(400, f"{where} has too many parameters") from None


def _utf8(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, f"{where} is not UTF-8") from None


def _charset(content_type: str | None) -> str:
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return "utf-8"


# ---- HTTP/1.1 in a few lines: the hot path does without the email parser -------------------------------------------


class Headers:
    """Request or response headers: names lower-cased, repeated names kept in order."""

    def __init__(self, pairs: list):
        self.pairs = pairs

    def get(self, name: str, default=None):
        name = name.lower()
        return next((value for key, value in self.pairs if key == name), default)

    def get_all(self, name: str) -> list:
        name = name.lower()
        return [value for key, value in self.pairs if key == name]


def read_headers(rfile, limit: int = 100) -> Headers | None:
    """Header lines up to the blank line; None when they are malformed (a folded line, no colon, too many)."""
    pairs = []
    while True:
        line = rfile.readline(65537)
        if line in (b"\r\n", b"\n", b""):
            return Headers(pairs)
        if len(pairs) >= limit or len(line) > 65536 or line[:1] in (b" ", b"\t") or b":" not in line:
            return None
        name, _, value = line.decode("iso-8859-1").partition(":")
        if name != name.strip():
            return None  # 'Content-Length : 5' is a smuggling classic
        pairs.append((name.lower(), value.strip()))


class ChildConnection:
    """One keep-alive connection to the Oxigraph child. A request is one write; the answer's status line and
    headers are read by `read_headers`, its body by `ChildAnswer`."""

    def __init__(self, host: str, port: int, timeout: float):
        self.sock = socket.create_connection((host, port), timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile = self.sock.makefile("rb", buffering=PIECE)

    def request(self, method: str, path: str, headers: dict, body: bytes | None) -> ChildAnswer:
        head = [f"{method} {path} HTTP/1.1"] + [f"{name}: {value}" for name, value in headers.items()]
        if body is not None:
            head.append(f"Content-Length: {len(body)}")
        self.sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (body or b""))
        status_line = self.rfile.readline(1000)
        if not status_line:
            raise ConnectionResetError("the child closed the connection")
        parts = status_line.split(None, 2)
        answer_headers = read_headers(self.rfile)
        if len(parts) < 2 or not parts[1].isdigit() or answer_headers is None:
            raise ConnectionError(f"a malformed answer from the child: {status_line[:80]!r}")
        return ChildAnswer(self, int(parts[1]), answer_headers, method == "HEAD")

    def settimeout(self, seconds: float) -> None:
        self.sock.settimeout(seconds)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.rfile.close()
            self.sock.close()


class ChildAnswer:
    """The body of one answer, read piece by piece (Content-Length or chunked)."""

    def __init__(self, connection: ChildConnection, status: int, headers: Headers, head_only: bool):
        self.connection, self.status, self.headers = connection, status, headers
        self.chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        length = headers.get("content-length")
        self.length = int(length) if length and length.isdigit() and not self.chunked else None
        self.left = 0 if head_only or status in (204, 304) else self.length
        self.done = self.left == 0
        self.reusable = headers.get("connection", "").lower() != "close"

    def read_piece(self, most: int = PIECE) -> bytes:
        """Up to ``most`` bytes of the body, b"" at its end; raises ConnectionError when it stops short."""
        if self.done:
            return b""
        rfile = self.connection.rfile
        if self.chunked:
            if not self.left:
                line = rfile.readline(100)
                try:
                    self.left = int(line.split(b";")[0], 16)
                except ValueError:
                    raise ConnectionError("the child's answer stopped short") from None
                if self.left == 0:
                    read_headers(rfile)  # trailers, then the answer is whole
                    self.done = True
                    return b""
            piece = rfile.read1(min(most, self.left))
            if not piece:
                raise ConnectionError("the child's answer stopped short")
            self.left -= len(piece)
            if not self.left and rfile.readline(3) not in (b"\r\n", b"\n"):
                raise ConnectionError("the child's answer stopped short")
            return piece
        piece = rfile.read1(most if self.left is None else min(most, self.left))
        if self.left is None:  # no length: the end of the connection is the end of the answer
            self.done = not piece
            self.reusable = False
            return piece
        if not piece:
            raise ConnectionError("the child's answer stopped short")
        self.left -= len(piece)
        self.done = self.left == 0
        return piece

# ---- the server -------------------------------------------------------------------------------------------------


class Front(ThreadingHTTPServer):
    """The front's listening socket and its request threads (one per client connection)."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, host: str, port: int, target: Target):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.target = target
        super().__init__((host, port), Handler)

    def start(self) -> Front:
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2}, name="dkg-front",
                                       daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if getattr(self, "thread", None) is not None:
            self.shutdown()  # waits for serve_forever, so only once it was started
            self.thread = None
        self.server_close()

    def handle_error(self, request, client_address) -> None:
        import sys

        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):
            self.target.warn(f"warning: a request from {client_address[0]} failed: {error!r}")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS
    upstream: ChildConnection | None = None

    # -- plumbing --

    def setup(self) -> None:
        super().setup()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def finish(self) -> None:
        self._drop_upstream()
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format, *args) -> None:  # one line per request would drown the terminal
        pass

    def parse_request(self) -> bool:
        """The request line and headers (BaseHTTPRequestHandler's, without the email parser: the front's
        hot path). Folded or duplicated framing headers are refused: the front never guesses a body's end."""
        self.command, self.request_version, self.close_connection = None, "HTTP/0.9", True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = self.requestline.split()
        if len(words) != 3 or words[2] not in ("HTTP/1.0", "HTTP/1.1"):
            self.request_version = "HTTP/1.0"
            self.send_error(400 if len(words) != 3 or not words[2].startswith("HTTP/1.") else 505)
            return False
        self.command, self.path, self.request_version = words
        if self.path.startswith("//"):
            self.path = "/" + self.path.lstrip("/")
        self.headers = read_headers(self.rfile)
        if self.headers is None:
            self.send_error(400, "malformed or too many headers")
            return False
        if len(self.headers.get_all("content-length")) > 1 or (
                self.headers.get("content-length") and self.headers.get("transfer-encoding")):
            self.send_error(400, "ambiguous request framing (Content-Length with Transfer-Encoding, or twice)")
            return False
        connection = self.headers.get("connection", "").lower()
        self.close_connection = (connection == "close" if self.request_version == "HTTP/1.1"
                                 else connection != "keep-alive")
        if self.request_version == "HTTP/1.1" and self.headers.get("expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return True

    @property
    def target(self) -> Target:
        return self.server.target

    def _headers(self, status: int, content_type: str | None, length: int | None, extra=()) -> bytes:
        lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        lines.append(f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked")
        if self.target.cors:
            lines.append("Access-Control-Allow-Origin: *")
        if self.close_connection:
            lines.append("Connection: close")
        lines.extend(extra)
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _answer(self, status: int, content_type: str | None, body: bytes, extra=()) -> None:
        head = self._headers(status, content_type, len(body), extra)
        self.wfile.write(head if self.command == "HEAD" else head + body)

    def _refuse(self, refusal: Refusal, extra=()) -> None:
        extra = tuple(extra) + (("Retry-After: 1",) if refusal.status == 503 else ())
        self._answer(refusal.status, "text/plain; charset=utf-8", (str(refusal) + "\n").encode("utf-8"), extra)

    def _body(self) -> bytes | None:
        """The request body (Content-Length or chunked), at most MAX_REQUEST_BYTES; None when there is none."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._chunked_body()
        length = self.headers.get("Content-Length")
        if length is None:
            return None
        if not length.strip().isdigit():
            self.close_connection = True
            raise Refusal(400, "malformed Content-Length")
        size = int(length)
        if size > MAX_REQUEST_BYTES:
            if size <= 8 * MAX_REQUEST_BYTES:  # read it away, so that the client is done sending and reads the 413
                while size > 0:
                    size -= len(self.rfile.read(min(size, PIECE)) or b"\0" * size)
            else:
                self.close_connection = True
            raise Refusal(413, f"the request body is larger than {MAX_REQUEST_BYTES >> 10} KB")
        return self.rfile.read(size)

    def _chunked_body(self) -> bytes:
        body = bytearray()
        while True:
            line = self.rfile.readline(100)
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                raise Refusal(400, "malformed chunked body") from None
            if size == 0:
                while self.rfile.readline(1000) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return bytes(body)
            if len(body) + size > MAX_REQUEST_BYTES:
                self.close_connection = True
                raise Refusal(413, f"the request body is larger than {MAX_REQUEST_BYTES >> 10} KB")
            body += self.rfile.read(size)
            self.rfile.readline(10)

    # -- routing --

    def do_GET(self) -> None:
        self._route()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def do_OPTIONS(self) -> None:
        if self.target.cors:
            requested = self.headers.get("Access-Control-Request-Headers", "")
            allowed = "".join(c for c in requested if c.isalnum() or c in "-_, ") or "Content-Type, Accept"
            self._answer(204, None, b"", ("Access-Control-Allow-Methods: GET, POST, OPTIONS",
                                           f"Access-Control-Allow-Headers: {allowed}"))
        else:
            self._refuse(Refusal(405, "OPTIONS is answered only with --cors"))

    def _route(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        try:
            body = self._body()
            if url.path == "/query":
                if self.command not in ("GET", "POST"):
                    raise Refusal(405, f"{self.command} /query: use GET or POST")
                self._query(url.query, body)
            elif url.path == "/update":
                raise Refusal(403, "The server is read-only")
            elif url.path == "/store":
                if self.command not in ("GET", "HEAD"):
                    raise Refusal(403, "The server is read-only")
                params = [(k, v) for k, v in _params(url.query, "the URL") if k in STORE_PARAMS]
                self._forward(self.command, "/store" + ("?" + urllib.parse.urlencode(params) if params else ""))
            elif url.path in STATIC_PATHS:
                if self.command not in ("GET", "HEAD"):
                    raise Refusal(405, f"{self.command} {url.path}: use GET")
                self._forward(self.command, url.path)
            else:
                raise Refusal(404, f"{url.path} is not served here: the endpoint is /query")
        except Refusal as refusal:
            self._refuse(refusal)

    def _query(self, url_query: str, body: bytes | None) -> None:
        request = read_query_request(self.command, url_query, self.headers.get("Content-Type"), body)
        if request.query is None:
            self._forward("GET", "/query")
            return
        call = find_service(request.query)
        if call is not None:
            raise Refusal(400, f"refused: the query calls SERVICE ({call}); this endpoint does not send "
                               "requests to other servers")
        target = "/query" + ("?" + urllib.parse.urlencode(request.graph_params) if request.graph_params else "")
        self._forward("POST", target, request.query.encode("utf-8"))

    # -- the child --

    def _forward(self, method: str, path: str, query: bytes | None = None) -> None:
        headers = {"Host": self.target.public_host}
        accept = ", ".join(self.headers.get_all("Accept"))
        if accept:
            if len(accept) > 2000 or not accept.isprintable() or not accept.isascii():
                raise Refusal(400, "malformed Accept header")
            headers["Accept"] = accept
        if query is not None:
            headers["Content-Type"] = SPARQL_QUERY
        deadline = time.monotonic() + self.target.timeout
        answer = self._send_upstream(method, path, query, headers, deadline)
        try:
            self._relay(answer, deadline)
        finally:
            if not (answer.done and answer.reusable):  # cut short, or the child closes it
                self._drop_upstream()

    def _send_upstream(self, method, path, body, headers, deadline) -> ChildAnswer:
        for attempt in (1, 2):
            reused = self.upstream is not None
            try:
                if not reused:
                    self.upstream = ChildConnection(self.target.host, self.target.port, self.target.timeout)
                self.upstream.settimeout(max(0.01, deadline - time.monotonic()))
                return self.upstream.request(method, path, headers, body)
            except TimeoutError:
                self._drop_upstream()
                raise self._too_slow() from None
            except OSError:
                # a keep-alive connection the child closed (or a child restarting): once more on a new one
                self._drop_upstream()
                if not reused or attempt == 2:
                    raise Refusal(503, "the SPARQL server is restarting: try again in a second") from None
        raise AssertionError("unreachable")

    def _too_slow(self) -> Refusal:
        return Refusal(504, f"no answer within the {self.target.timeout:g} s timeout (dkg serve --timeout)")

    def _drop_upstream(self) -> None:
        if self.upstream is not None:
            self.upstream.close()
            self.upstream = None

    def _relay(self, answer: ChildAnswer, deadline: float) -> None:
        """Send the child's answer on: whole when it is short, chunked and counted when it is long."""
        limit = self.target.max_result_bytes
        content_type = answer.headers.get("content-type")
        if self.command == "HEAD":
            self.wfile.write(self._headers(answer.status, content_type, answer.length or 0))
            return
        if answer.length is not None and answer.length > limit and answer.status == 200:
            raise self._too_large()
        held, size = [], 0
        hold_until = time.monotonic() + HOLD_SECONDS
        try:
            while size <= HOLD_BYTES and time.monotonic() < hold_until:
                self.upstream.settimeout(max(0.01, deadline - time.monotonic()))
                piece = answer.read_piece()
                if not piece:
                    self._answer(answer.status, content_type, b"".join(held))
                    return
                held.append(piece)
                size += len(piece)
                if size > limit:
                    raise self._too_large()
        except TimeoutError:
            raise self._too_slow() from None
        except OSError:
            raise Refusal(503, "the SPARQL server stopped while answering (it was restarted): try again") from None
        self._stream(answer, held, size, content_type)

    def _too_large(self) -> Refusal:
        mb = self.target.max_result_bytes / 1e6
        return Refusal(507, f"the answer is larger than the {mb:g} MB limit (dkg serve --max-result-mb): "
                            "add LIMIT or ask for less")

    def _stream(self, answer: ChildAnswer, held: list, size: int, content_type) -> None:
        chunked = self.request_version != "HTTP/1.0"
        if not chunked:
            self.close_connection = True
        self.wfile.write(self._headers(answer.status, content_type, None) if chunked
                         else self._headers_unframed(answer.status, content_type))
        for piece in held:
            self._write_piece(piece, chunked)
        self.upstream.settimeout(self.target.timeout)
        limit = self.target.max_result_bytes
        while True:
            try:
                piece = answer.read_piece()
            except OSError as e:
                reason = (f"the SPARQL server sent nothing for {self.target.timeout:g} s"
                          if isinstance(e, TimeoutError) else "the SPARQL server stopped while answering")
                self._cut(f"{reason} after {size:,} bytes")
                return
            if not piece:
                break
            size += len(piece)
            if size > limit:
                self._cut(f"an answer passed the {limit / 1e6:g} MB limit (--max-result-mb): cut after "
                          f"{size - len(piece):,} bytes")
                return
            self._write_piece(piece, chunked)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _headers_unframed(self, status: int, content_type) -> bytes:
        """Headers for an HTTP/1.0 client: no chunked encoding, the end of the answer is the end of the
        connection (a cut is a reset, not a clean close)."""
        lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", "Connection: close"]
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        if self.target.cors:
            lines.append("Access-Control-Allow-Origin: *")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _write_piece(self, piece: bytes, chunked: bool) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)

    def _cut(self, reason: str) -> None:
        """End a streamed answer as an error: no final chunk, and a reset rather than a clean close."""
        self.target.warn(f"warning: {reason}; the client got an error")
        self.close_connection = True
        self._drop_upstream()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
