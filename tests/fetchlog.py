"""A test extension: each worker appends every URL it downloaded to `FETCH_LOG`.

The two-worker tests count fetches across processes from these files: a page fetched
twice, by one worker or by both, shows up twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler


class FetchLog:
    def __init__(self, path: str):
        self.file = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = crawler.settings.get("FETCH_LOG")
        if not path:
            raise NotConfigured("FETCH_LOG not set")
        log = cls(path)
        crawler.signals.connect(log.response_received, signal=signals.response_received)
        crawler.signals.connect(log.spider_closed, signal=signals.spider_closed)
        return log

    def response_received(self, response: Response, request: Request) -> None:
        self.file.write(response.url + "\n")

    def spider_closed(self) -> None:
        self.file.close()
