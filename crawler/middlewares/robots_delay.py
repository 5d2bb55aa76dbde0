"""Obey the `Crawl-delay` a site's robots.txt asks for.

Scrapy's `RobotsTxtMiddleware` only uses robots.txt to allow or forbid URLs. When it has
parsed a site's robots.txt (the `robots_parsed` signal), this middleware reads the
Crawl-delay for our user agent (or `*`), caps it at `ROBOTS_MAX_CRAWL_DELAY` so a hostile
value cannot stall the crawl, and makes it the least delay of the site's download slot.

AutoThrottle rewrites `slot.delay` from the latency of every response (on
`response_downloaded`, between the download and the slot picking its next request), and
on a fast site it lowers it towards `DOWNLOAD_DELAY`, below the Crawl-delay. Extensions
are built before the engine, so AutoThrottle's handler is connected, and runs, before
ours: ours puts the floor back before the slot schedules anything. `process_request`
checks it again before each request joins the slot, and the slot's `DOWNLOAD_SLOTS` entry
makes a slot recreated after being idle start from it. The slot's jitter
(`DOWNLOAD_DELAY_JITTER`) is narrowed so that the randomised delay never dips below the
floor either. Sites with a Crawl-delay are counted under `newsfold/politeness/crawl_delay`
(those whose value was capped also under `newsfold/politeness/crawl_delay_capped`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.defaults import DEFAULTS
from crawler.stats import CRAWL_DELAY, CRAWL_DELAY_CAPPED

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.core.downloader import Downloader, Slot
    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)


def bounded_jitter(delay: float, floor: float, jitter: float) -> float:
    """The largest jitter, up to `jitter`, with which `delay` never randomises below `floor`.

    The downloader waits `delay * (1 ± jitter)`; at `delay == floor` that leaves no room.
    """
    if delay <= 0:
        return jitter
    return max(0.0, min(jitter, 1.0 - floor / delay))


class CrawlDelayMiddleware:
    def __init__(self, crawler: Crawler, max_delay: float):
        self.crawler = crawler
        self.max_delay = max_delay
        settings = crawler.settings
        self.robots_useragent: str | None = settings.get("ROBOTSTXT_USER_AGENT")
        self.default_useragent: str = settings.get("USER_AGENT")
        self.default_jitter = settings.getfloat("DOWNLOAD_DELAY_JITTER")
        self.floors: dict[str, float] = {}  # download slot key -> least delay
        self.jitters: dict[str, float] = {}  # the slot's jitter before we narrowed it
        crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(self._response_downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        max_delay = settings.getfloat("ROBOTS_MAX_CRAWL_DELAY", DEFAULTS["ROBOTS_MAX_CRAWL_DELAY"])
        if max_delay <= 0:
            raise NotConfigured
        return cls(crawler, max_delay)

    @property
    def downloader(self) -> Downloader:
        # Not in __init__: middlewares are built while the engine builds its downloader.
        return self.crawler.engine.downloader

    def process_request(self, request: Request) -> None:
        key = self.downloader.get_slot_key(request)
        if key in self.floors:
            self._hold_floor(key)

    def _robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        useragent = self.robots_useragent or request.headers.get(
            b"User-Agent", self.default_useragent
        )
        assert useragent is not None
        asked = robotparser.crawl_delay(useragent)
        if not asked or asked <= 0:
            return
        delay = min(float(asked), self.max_delay)
        downloader = self.downloader
        key = downloader.get_slot_key(request)
        floor = self.floors[key] = max(delay, self.floors.get(key, 0.0))
        configured = downloader.per_slot_settings.get(key, {})
        slot = downloader.slots.get(key)
        jitter = self.jitters.setdefault(
            key,
            slot.jitter
            if slot is not None
            else float(configured.get("jitter", self.default_jitter)),
        )
        # A slot idle for a minute is dropped, and made anew from these (DOWNLOAD_SLOTS).
        start = max(float(configured.get("delay", 0.0)), floor)
        downloader.per_slot_settings[key] = {
            **configured,
            "delay": start,
            "jitter": bounded_jitter(start, floor, jitter),
        }
        self._hold_floor(key)
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(CRAWL_DELAY)
        if asked > self.max_delay:
            stats.inc_value(CRAWL_DELAY_CAPPED)
            logger.info(
                "robots.txt of %s asks for a Crawl-delay of %gs; waiting %gs "
                "(ROBOTS_MAX_CRAWL_DELAY)",
                key,
                asked,
                delay,
            )
        else:
            logger.info("Obeying robots.txt Crawl-delay of %gs for %s", delay, key)

    def _response_downloaded(self, request: Request) -> None:
        key = request.meta.get(self.downloader.DOWNLOAD_SLOT)
        if key in self.floors:
            self._hold_floor(key)

    def _hold_floor(self, key: str) -> None:
        """Raise the slot's delay to the floor, and narrow its jitter to stay above it."""
        slot: Slot | None = self.downloader.slots.get(key)
        if slot is None:
            return
        floor = self.floors[key]
        slot.delay = max(slot.delay, floor)
        slot.jitter = bounded_jitter(slot.delay, floor, self.jitters[key])
