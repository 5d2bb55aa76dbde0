"""A scripted loopback server and a real engine, shared by the downloader middleware tests."""

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

# status, headers, body
Reply = tuple[int, dict[str, str], str | bytes]


class ScriptedServer:
    """A loopback HTTP server that plays a list of replies per path (the last one repeats)
    and notes when each request arrived, so tests can measure the crawler's pace."""

    def __init__(self, script: dict[str, list[Reply]]):
        self.script = {path: list(replies) for path, replies in script.items()}
        self.hits: list[tuple[str, float]] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, headers, body = server.reply(self.path)
                data = body.encode("utf-8") if isinstance(body, str) else body
                self.send_response(status)
                headers = {"Content-Type": "text/html; charset=utf-8", **headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def reply(self, path: str) -> Reply:
        with self.lock:
            self.hits.append((path, time.monotonic()))
            replies = self.script.get(path)
            if not replies:
                return 404, {}, "not found"
            return replies.pop(0) if len(replies) > 1 else replies[0]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def times(self, path: str) -> list[float]:
        with self.lock:
            return [at for hit, at in self.hits if hit == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[dict[str, list[Reply]]], ScriptedServer]]:
    servers: list[ScriptedServer] = []

    def start(script: dict[str, list[Reply]]) -> ScriptedServer:
        servers.append(ScriptedServer(script))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def with_engine(settings: dict[str, Any], check: Callable[[Crawler], Awaitable[None]]) -> None:
    """Run `check` on a crawler with a real engine and downloader, in a running event loop."""

    async def main() -> None:
        crawler = get_crawler(settings_dict=settings)
        crawler.spider = crawler._create_spider()
        crawler.engine = crawler._create_engine()
        try:
            await check(crawler)
        finally:
            crawler.engine.downloader.close()
            await crawler.signals.send_catch_log_async(signals.engine_stopped)

    asyncio.run(main())
