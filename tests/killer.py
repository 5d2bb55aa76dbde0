"""Failure injection for the kill tests: SIGKILL the crawl at an exact point.

`KILL_AFTER_RECORDS=N` kills the process right after the Nth record is committed to the
state, before the feed exporter has written it; `KILL_WHEN_CLOSING=True` kills it when
the spider closes, before or while the output files are renamed.
"""

from __future__ import annotations

import os
import signal
from typing import TYPE_CHECKING, Any

from scrapy import signals

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class KillAfterRecords:
    """An item pipeline placed after the store."""

    def __init__(self, limit: int):
        self.limit = limit
        self.count = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings.getint("KILL_AFTER_RECORDS"))

    async def process_item(self, item: Any) -> Any:
        self.count += 1
        if self.limit and self.count >= self.limit:
            _die()
        return item


class KillWhenClosing:
    """An extension: die on `spider_closed`."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls()
        if crawler.settings.getbool("KILL_WHEN_CLOSING"):
            crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self) -> None:
        _die()
