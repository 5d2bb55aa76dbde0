"""One progress line every `PROGRESS_INTERVAL` seconds (30), and one when the spider closes.

Scrapy's LogStats said "Crawled 296 pages" once a minute and nothing an operator of a
news crawl asks: how many articles and copies so far, what was dropped and why, how
many requests are still queued, and, when the input lists its URLs (a URL list, feeds,
sitemaps), how far along the run is and when it will end. The add-on turns LogStats off
(`LOGSTATS_INTERVAL=0`) and this line replaces it. The figures are those of the
manifest (`crawler.runstats`); the last line is logged before the manifest is written,
with the same counts.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import redis
from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from crawler.frontier import frontier_url
from crawler.runstats import InputTotal, pages_seen, progress_line
from crawler.stats import INPUT_DONE

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.utils.asyncio import AsyncioLoopingCall
    from twisted.internet.task import LoopingCall

logger = logging.getLogger(__name__)


class Progress:
    def __init__(self, crawler: Crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.task: AsyncioLoopingCall | LoopingCall | None = None
        self.input_total: InputTotal = "none"
        self.unit = "URLs"  # what the input lists (the spider's `input_unit`)
        self.started = self.last = time.monotonic()
        self.last_pages = self.last_done = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL")
        if not interval:
            raise NotConfigured
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        # A worker of a distributed crawl fetches some of the URLs it lists and others'
        # URLs too: its own share of the run is not known.
        if frontier_url(self.crawler.settings) is None:
            self.input_total = getattr(spider, "input_total", "none")
            self.unit = getattr(spider, "input_unit", self.unit)
        self.started = self.last = time.monotonic()
        self.task = create_looping_call(self.log_progress)
        self.task.start(self.interval, now=False)

    def log_progress(self) -> None:
        """A line with the pace of the last interval (pages, and listed URLs done)."""
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        now = time.monotonic()
        seconds = max(now - self.last, 1e-9)
        pages, done = pages_seen(stats), stats.get(INPUT_DONE, 0)
        pace = (pages - self.last_pages) / seconds
        done_pace = (done - self.last_done) / seconds
        self.last, self.last_pages, self.last_done = now, pages, done
        line = progress_line(stats, pace, self._queued(), self.input_total, done_pace, self.unit)
        logger.info("progress: %s", line)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """The final line: the pace of the whole run, no ETA; what the input listed is
        all known now."""
        if self.task is not None and self.task.running:
            self.task.stop()
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        seconds = max(time.monotonic() - self.started, 1e-9)
        pace = pages_seen(stats) / seconds
        known: InputTotal = "fixed" if self.input_total != "none" else "none"
        line = progress_line(stats, pace, self._queued(), known, unit=self.unit)
        logger.info("progress: %s", line)

    def _queued(self) -> int | None:
        """Requests not yet fetched: in the scheduler's queue (memory, disk or the shared
        frontier) and in the downloader (waiting for their site's delay, or on the way);
        Scrapy moves requests from the one to the other as soon as it can."""
        engine = self.crawler.engine
        scheduler = engine.scheduler if engine is not None else None
        if engine is None or scheduler is None:
            return None
        try:
            queued = len(scheduler)  # type: ignore[arg-type]
        except (TypeError, OSError, redis.RedisError):  # no length; a queue out of reach
            return None
        return queued + len(engine.downloader.active)
