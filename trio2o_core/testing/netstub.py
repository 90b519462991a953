"""A minimal ``network`` endpoint for clients that insist on one.

Tempest skips every class that creates a default network when the catalog
has no network service.  This stub answers only the housekeeping those
clients do: the version document, empty lists for every collection, 404
for single resources and 204 for deletes.  Nova pods keep their own fake
networking; nothing here is wired to them.
"""

from __future__ import annotations

import http.server
import json
import socketserver
import threading


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: dict | None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _discard_body(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)

    def do_GET(self) -> None:
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        host = self.headers.get("Host", "127.0.0.1")
        if not parts or parts == ["v2.0"]:
            self._send(200, {"versions": [{
                "id": "v2.0", "status": "CURRENT",
                "links": [{"rel": "self", "href": f"http://{host}/v2.0/"}],
            }]} if not parts else {"resources": []})
        elif parts[0] == "v2.0" and len(parts) == 2:
            name = parts[1].removesuffix(".json").replace("-", "_")
            self._send(200, {name: []})
        else:
            self._send(404, {"NeutronError": {
                "type": "NotFound", "message": "not found", "detail": ""}})

    def do_DELETE(self) -> None:
        self._discard_body()
        self._send(204, None)

    def do_POST(self) -> None:
        self._discard_body()
        self._send(404, {"NeutronError": {
            "type": "NotFound", "message": "not supported", "detail": ""}})

    do_PUT = do_POST


class NetworkStub:
    """The stub, listening on a free loopback port until :meth:`close`."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True,
                         name="network-stub").start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
