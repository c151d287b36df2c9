"""A provider API of our own for the tests: an HTTP server on 127.0.0.1 in a thread that records
every request (method, path, query, headers, raw body, parsed JSON) and answers what the test
queued (default: 200 with ``{}``). GET requests for a path in ``files`` answer its bytes."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class ProviderStub:
    server: ThreadingHTTPServer
    requests: list[Recorded] = field(default_factory=list)
    answers: list[tuple[int, Any]] = field(default_factory=list)
    files: dict[str, tuple[int, bytes, str]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, status: int, body: Any) -> None:
        """Queue one answer for the next POST (FIFO)."""
        self.answers.append((status, body))

    def serve_file(
        self,
        path: str,
        content: bytes,
        status: int = 200,
        content_type: str = "application/octet-stream",
    ) -> str:
        self.files[path] = (status, content, content_type)
        return self.url + path

    @property
    def posts(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST"]


def start_stub() -> ProviderStub:
    holder: dict[str, ProviderStub] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _record(self) -> Recorded:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            recorded = Recorded(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            holder["stub"].requests.append(recorded)
            return recorded

        def _send(self, status: int, payload: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:
            self._record()
            stub = holder["stub"]
            status, body = stub.answers.pop(0) if stub.answers else (200, {})
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            self._send(status, raw, "application/json")

        def do_GET(self) -> None:
            recorded = self._record()
            status, content, kind = holder["stub"].files.get(
                recorded.path, (404, b"not found", "text/plain")
            )
            self._send(status, content, kind)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub = ProviderStub(server=server)
    holder["stub"] = stub
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return stub


def closed_port_url() -> str:
    """An address where nothing listens (a provider that is down)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"
