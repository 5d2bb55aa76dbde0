"""WARC out: every response the crawl fetches, with its request, to `WARC_DIR`.

Placed nearest the downloader (880), it sees each response as received: redirects and
retried errors before their middlewares act, and the body still in its Content-Encoding
(HttpCompressionMiddleware, at 590, decodes it later), so the archive holds the bytes the
site sent. The record's place goes into the request's meta (`WARC`), from which the
spider copies it to the page's record. A response that cannot be written stops the run
like a failed feed write (exit code 8) and is not processed, so its page is fetched again
by the next run (`crawler.warc_writer`, `crawler.runs` for the repair of its file).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import deferred_from_coro

from crawler.feedstorage import CLOSE_REASON
from crawler.items import WarcPlace
from crawler.request_meta import WARC
from crawler.runs import Run, describe, publish, run_for
from crawler.stats import (
    OUTPUT_FAILED,
    WARC_WRITTEN_BYTES,
    WARC_WRITTEN_FILES,
    WARC_WRITTEN_RECORDS,
)
from crawler.warc_writer import Exchange, WarcFiles

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Headers, Response

logger = logging.getLogger(__name__)

# Settings that say how the archive was fetched, named in each file's warcinfo record.
INFO_SETTINGS = (
    "USER_AGENT",
    "ROBOTSTXT_OBEY",
    "DOWNLOAD_DELAY",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DOWNLOAD_MAXSIZE",
    "WARC_MAX_SIZE",
)


def newsfold_version() -> str:
    try:
        return version("newsfold")
    except PackageNotFoundError:
        return "unknown"


class WarcOutMiddleware:
    def __init__(self, crawler: Crawler, files: WarcFiles, run: Run):
        self.crawler = crawler
        self.files = files
        self.run = run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        folder = settings.get("WARC_DIR")
        if not folder:
            raise NotConfigured  # with a message, Scrapy would warn on every crawl
        run = run_for(crawler)
        spider = crawler.spidercls.name if crawler.spidercls else ""
        info = {
            "software": f"newsfold {newsfold_version()}",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
            "warc-format/warc-1.1/",
            "isPartOf": f"newsfold run {run.id}, spider {spider}",
            **{name: str(settings.get(name)) for name in INFO_SETTINGS},
        }
        files = WarcFiles(
            Path(folder),
            f"newsfold-{run.id}",
            settings.getint("WARC_MAX_SIZE"),
            info,
            register=lambda final: run.add_file(str(final), kind="warc"),
            publish=publish,
        )
        middleware = cls(crawler, files, run)
        run.closers.append(middleware.close)
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request) -> None:
        # A redirect's request carries its 3xx's meta: its own response has its own place.
        request.meta.pop(WARC, None)

    def process_response(self, request: Request, response: Response) -> Response:
        exchange = Exchange(
            url=response.url,
            method=request.method,
            request_headers=_pairs(request.headers),
            request_body=request.body,
            status=response.status,
            response_headers=_pairs(response.headers),
            body=response.body,
            date=datetime.now(UTC),
            protocol=_protocol(response.protocol),
            ip_address=str(response.ip_address) if response.ip_address else None,
        )
        started = len(self.files.files)
        try:
            written = self.files.write(exchange)
        except OSError as error:
            self.failed(error)
            raise IgnoreRequest(f"{response.url} not written to the WARC") from error
        assert self.crawler.stats is not None
        stats = self.crawler.stats
        stats.inc_value(WARC_WRITTEN_RECORDS, 2)
        stats.inc_value(WARC_WRITTEN_BYTES, written.size)
        if len(self.files.files) > started:
            stats.inc_value(WARC_WRITTEN_FILES)
        request.meta[WARC] = WarcPlace(str(written.path), written.offset)
        return response

    def close(self) -> None:
        try:
            self.files.close()
        except OSError as error:
            self.failed(error)

    def failed(self, error: OSError) -> None:
        """Say once which file failed and why, and stop the run (exit code 8)."""
        path = self.files.files[-1] if self.files.files else Path(self.files.folder)
        if not self.run.output_failed(path, error):
            return
        logger.error(
            "Cannot write the WARC file %s (%s): stopping. Responses not written are not "
            "processed; the next run fetches their pages again.",
            path,
            describe(error),
        )
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(OUTPUT_FAILED)
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=CLOSE_REASON))


def _pairs(headers: Headers) -> list[tuple[str, str]]:
    """Headers as (name, value) pairs, one per value, in the order received."""
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


def _protocol(protocol: str | None) -> str:
    """Scrapy says "HTTP/1.1" or "h2"; a status line says HTTP/1.1 or HTTP/2."""
    if not protocol:
        return "HTTP/1.1"
    return "HTTP/2" if protocol.lower() == "h2" else protocol
