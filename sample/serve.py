"""Serve the sample sites (or any folder of sites) over HTTP on loopback.

Each site is a folder named for its host: `ROOT/africawire.test/stories/x.html` answers
`http://africawire.test/stories/x.html`. The server is reached either as an HTTP proxy
(`http_proxy=http://127.0.0.1:PORT`, so pages keep their real-looking host names) or
directly as `http://127.0.0.1:PORT/HOST/path`. It binds port 0 unless told otherwise and
prints its address as the first line on stdout, so that a test or the demo can start it
as a subprocess and read where it listens.
"""

from __future__ import annotations

import argparse
import mimetypes
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".rdf": "application/rdf+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
}


class SitesHandler(BaseHTTPRequestHandler):
    root: Path
    server_version = "newsfold-sample/1"
    protocol_version = "HTTP/1.1"  # keep-alive, as news sites serve: a connection per page
    # would cost both ends a thread and a handshake per page

    def do_GET(self) -> None:
        path = self._resolve()
        if path is None or not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", TYPES.get(path.suffix) or _guess(path))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _resolve(self) -> Path | None:
        parts = urlsplit(self.path)
        host = (parts.hostname or self.headers.get("Host", "").split(":")[0]).lower()
        path = unquote(parts.path)
        if not (self.root / host).is_dir():
            # Direct access: http://127.0.0.1:PORT/HOST/path
            host, _, rest = path.lstrip("/").partition("/")
            path = "/" + rest
        target = (self.root / host / path.lstrip("/")).resolve()
        if path.endswith("/") or target.is_dir():
            target = target / "index.html"
        root = self.root.resolve()
        return target if target.is_relative_to(root) else None

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the crawler's log says what was fetched."""


def _guess(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


class SitesServer(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5. A crawler opening dozens of connections
    # at once overflows it; the kernel drops the extra handshakes and the client retries
    # them 1, 3, 7, 15... seconds later, so a crawl stalls for tens of seconds at a time.
    request_queue_size = 1024


def serve(root: Path, bind: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    handler = type("Handler", (SitesHandler,), {"root": root})
    return SitesServer((bind, port), handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).parent / "sites")
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = serve(args.root, args.bind, args.port)
    host, port = server.server_address[:2]
    print(f"http://{host!s}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
