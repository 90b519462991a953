"""An HTTP pass-through proxy on loopback that can be told to misbehave.

A :class:`FaultProxy` owns one or more listening ports ("routes"), each
forwarding to one upstream base URL.  All routes of a proxy share its fault
mode, so one proxy can stand in front of every endpoint of a pod:

* :meth:`FaultProxy.refuse` closes the listening sockets (clients get
  "connection refused") and drops requests on open connections;
* :meth:`FaultProxy.delay` holds every request for some seconds, then
  forwards it;
* :meth:`FaultProxy.fail` answers every request with an HTTP error;
* :meth:`FaultProxy.lose` forwards every request but loses the answer:
  the connection is dropped, or a gateway error (502/504) is sent
  instead;
* :meth:`FaultProxy.hold` holds requests (of some methods) until
  :meth:`FaultProxy.release`, either before they reach the upstream or
  after it answered (the answer held); released, they are forwarded (or
  their answer sent) or dropped, so a test can stop the client
  meanwhile: the upstream then never sees the request, acts after the
  client is gone, or acted with nobody told;
* :meth:`FaultProxy.clear` goes back to plain forwarding.

The ``Host`` header is passed through unchanged, so links the upstream
builds from it point back at the proxy.
"""

from __future__ import annotations

import http.client
import http.server
import json
import socketserver
import threading
import time
import urllib.parse
from collections.abc import Iterable

_HOP_BY_HOP = frozenset((
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
    "te", "trailer", "transfer-encoding", "upgrade",
))


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Route:
    """One listening port of a :class:`FaultProxy`."""

    def __init__(self, proxy: FaultProxy, upstream: str | None) -> None:
        self._proxy = proxy
        self.upstream = upstream
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.port = self._listen(0)

    @property
    def url(self) -> str:
        """Base URL clients use (``http://127.0.0.1:PORT``)."""
        return f"http://127.0.0.1:{self.port}"

    def set_upstream(self, upstream: str) -> None:
        """Forward to ``upstream`` (a base URL) from now on."""
        self.upstream = upstream

    def _listen(self, port: int) -> int:
        with self._lock:
            handler = type("Handler", (_Handler,), {"route": self})
            self._server = _Server(("127.0.0.1", port), handler)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                name=f"faultproxy-{self._server.server_address[1]}",
                daemon=True)
            self._thread.start()
            return self._server.server_address[1]

    def _close(self) -> None:
        with self._lock:
            if self._server is not None:
                self._server.shutdown()
                self._server.server_close()
                self._server = None

    def _reopen(self) -> None:
        if self._server is None:
            self._listen(self.port)


class _Hold:
    """One :meth:`FaultProxy.hold`: which requests, where, and how
    the held ones end."""

    def __init__(self, methods: frozenset[str] | None,
                 answer: bool) -> None:
        self.methods = methods
        self.answer = answer
        self.forward = False
        self.gate = threading.Event()
        self.count = 0
        self.changed = threading.Condition()

    def applies(self, method: str) -> bool:
        return self.methods is None or method in self.methods

    def wait(self) -> bool:
        """Hold the calling request until released; return whether to
        forward it (or send its answer)."""
        with self.changed:
            self.count += 1
            self.changed.notify_all()
        self.gate.wait()
        return self.forward


class FaultProxy:
    """A set of pass-through routes sharing one fault mode."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.routes: list[Route] = []
        #: (method, path) of every request received, in order.
        self.history: list[tuple[str, str]] = []
        self._mode = "pass"
        self._delay = 0.0
        self._status = 503
        self._hold: _Hold | None = None
        self._lock = threading.Lock()

    def add_route(self, upstream: str | None = None) -> Route:
        """Open a new listening port forwarding to ``upstream``.

        The upstream may be set later with :meth:`Route.set_upstream`;
        until then requests get 502.
        """
        route = Route(self, upstream)
        self.routes.append(route)
        return route

    @property
    def mode(self) -> str:
        """``pass``, ``refuse``, ``delay``, ``fail``, ``lose`` or
        ``hold``."""
        return self._mode

    def refuse(self) -> None:
        """Refuse new connections and drop requests on open ones."""
        with self._lock:
            self._mode = "refuse"
        for route in self.routes:
            route._close()

    def delay(self, seconds: float) -> None:
        """Hold each request ``seconds`` before forwarding it."""
        self._set("delay", delay=seconds)

    def fail(self, status: int = 503) -> None:
        """Answer every request with ``status`` and a JSON fault body."""
        self._set("fail", status=status)

    def lose(self, status: int | None = None) -> None:
        """Forward each request, then drop the connection instead of the
        upstream's answer (``status``: answer it with that error)."""
        self._set("lose", status=status or 0)

    def hold(self, methods: Iterable[str] | None = None,
             answer: bool = False) -> None:
        """Hold each request (only those of ``methods`` if given; the
        others pass) until :meth:`release`: before forwarding it, or,
        with ``answer``, once the upstream answered, the answer held."""
        hold = _Hold(frozenset(methods) if methods is not None else None,
                     answer)
        with self._lock:
            self._hold = hold
        self._set("hold")

    def wait_held(self, count: int = 1, timeout: float = 60.0) -> None:
        """Return once ``count`` requests are held.

        :raises TimeoutError: fewer were held within ``timeout`` s.
        """
        hold = self._hold
        if hold is None:
            raise RuntimeError(f"{self.name} holds nothing")
        with hold.changed:
            if not hold.changed.wait_for(lambda: hold.count >= count,
                                         timeout):
                raise TimeoutError(f"{self.name} held {hold.count} "
                                   f"requests, not {count}")

    def release(self, forward: bool = True) -> None:
        """End :meth:`hold`: the held requests are forwarded (their
        answers sent) or, if not ``forward``, their connections dropped;
        new requests pass."""
        with self._lock:
            hold, self._hold = self._hold, None
        self._set("pass")
        if hold is not None:
            hold.forward = forward
            hold.gate.set()

    def clear(self) -> None:
        """Forward every request unchanged again (held ones are
        dropped)."""
        if self._hold is not None:
            self.release(forward=False)
        self._set("pass")

    def close(self) -> None:
        """Stop listening for good."""
        for route in self.routes:
            route._close()

    def _set(self, mode: str, delay: float = 0.0, status: int = 503) -> None:
        with self._lock:
            self._mode, self._delay, self._status = mode, delay, status
        for route in self.routes:
            route._reopen()

    def _record(self, method: str, path: str
                ) -> tuple[str, float, int, _Hold | None]:
        with self._lock:
            self.history.append((method, path))
            hold = self._hold
            if hold is not None and not hold.applies(method):
                return "pass", 0.0, self._status, None
            return self._mode, self._delay, self._status, hold


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    route: Route

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        proxy = self.route._proxy
        mode, delay, status, hold = proxy._record(self.command, self.path)
        body = self._read_body()
        if mode == "hold" and hold is not None and not hold.answer:
            if not hold.wait():
                self.close_connection = True
                return
        if mode == "refuse":
            self.close_connection = True
            return
        if mode == "fail":
            self._reply(status, {"fault": {
                "code": status, "message": f"injected by {proxy.name}"}})
            return
        if mode == "delay":
            time.sleep(delay)
        upstream = self.route.upstream
        if upstream is None:
            self._reply(502, {"fault": {"code": 502,
                                        "message": "no upstream yet"}})
            return
        held = hold if mode == "hold" and hold is not None else None
        try:
            self._forward(upstream, body,
                          lose=status if mode == "lose" else None,
                          hold=held)
        except OSError:
            # the client went away (a test may kill it while held)
            self.close_connection = True

    def _forward(self, upstream: str, body: bytes,
                 lose: int | None = None,
                 hold: _Hold | None = None) -> None:
        target = urllib.parse.urlsplit(upstream)
        conn = http.client.HTTPConnection(target.hostname, target.port,
                                          timeout=300)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in _HOP_BY_HOP}
        if body or self.command in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = str(len(body))
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
        except OSError as exc:
            conn.close()
            self._reply(502, {"fault": {"code": 502, "message": str(exc)}})
            return
        if hold is not None and hold.answer:
            data = resp.read()
            conn.close()
            if not hold.wait():
                self.close_connection = True
                return
            self.send_response(resp.status, resp.reason)
            for key, value in resp.getheaders():
                if key.lower() not in _HOP_BY_HOP | {"content-length"}:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        if lose is not None:
            resp.read()
            conn.close()
            if lose:
                self._reply(lose, {"fault": {"code": lose,
                                             "message": "answer lost"}})
            else:
                self.close_connection = True
            return
        try:
            self.send_response(resp.status, resp.reason)
            for key, value in resp.getheaders():
                if key.lower() not in _HOP_BY_HOP | {"content-length"}:
                    self.send_header(key, value)
            no_body = (self.command == "HEAD"
                       or resp.status in (204, 304) or resp.status < 200)
            length = resp.getheader("Content-Length")
            if no_body:
                if length is not None:
                    self.send_header("Content-Length", length)
                self.end_headers()
            elif length is not None:
                self.send_header("Content-Length", length)
                self.end_headers()
                while chunk := resp.read(65536):
                    self.wfile.write(chunk)
            else:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                while chunk := resp.read(65536):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
        finally:
            conn.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle
    do_HEAD = do_OPTIONS = _handle
