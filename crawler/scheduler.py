"""The scheduler of a distributed crawl: scrapy-redis's queue and filter, shared by workers.

With `FRONTIER_URL` (or a `STATE_URL`) of `redis://`, every worker process takes its
requests from one priority queue and checks them against one request filter, those of
scrapy-redis 0.9.1 (used with `SCHEDULER_PERSIST=True`, its sorted-set priority queue,
no blocking pop, and neither its stats collector nor its pipeline: the setup that works
with this Scrapy). What newsfold adds (`crawler.frontier`): the keys belong to a
generation that the run's workers agree on, a request is popped and marked held by the
worker in one step, and a worker leaves when the frontier has been empty (nothing
queued, nobody holding a request) for `FRONTIER_IDLE_EXIT` seconds, or at once when it
is the last worker and nothing is queued, so cron can start N workers and all of them
finish. Every worker yields the spider's start requests; the shared filter lets each
through once.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from scrapy import Request, Spider, signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall

from crawler.frontier import Frontier, frontier_url
from crawler.redisconn import redacted, redis_client
from crawler.request_meta import LOCAL
from crawler.stats import ARTICLE_REQUESTS, DEQUEUED_REDIS, ENQUEUED_REDIS, FRONTIER_ARTICLES

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 1.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class FrontierQueue(PriorityQueue):
    """scrapy-redis's priority queue, pushing and popping through the frontier's scripts."""

    def __init__(self, frontier: Frontier, spider: Spider):
        super().__init__(frontier.server, spider, frontier.key("requests"))
        self.frontier = frontier

    def add(self, request: Request, fingerprint: str | None) -> bool:
        """Queue the request unless the filter has its fingerprint (None: unfiltered)."""
        return self.frontier.push(self._encode_request(request), request.priority, fingerprint)

    def push(self, request: Request) -> None:
        self.add(request, None)

    def pop(self, timeout: int = 0) -> Request | None:
        data = self.frontier.pop()
        return self._decode_request(data) if data else None


class FrontierScheduler(Scheduler):
    """scrapy-redis's Scheduler on a generation of the shared frontier, with idle exit."""

    def __init__(self, crawler: Crawler, frontier: Frontier, idle_exit: float, url: str):
        super().__init__(frontier.server, persist=True, idle_before_close=0)
        self.crawler = crawler
        self.frontier = frontier
        self.idle_exit = idle_exit
        self.url = url
        self.stats = crawler.stats
        self._empty_since: float | None = None
        # Requests marked LOCAL: this worker's own, never shared (see crawler.request_meta).
        self.local: deque[Request] = deque()
        self._reported = 0
        self._beat: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        url = frontier_url(settings)
        if url is None:
            raise ValueError("FrontierScheduler needs FRONTIER_URL or STATE_URL of redis://")
        assert crawler.spidercls is not None
        name = settings.get("FRONTIER_NAME") or crawler.spidercls.name
        frontier = Frontier(redis_client(url, settings), name)
        scheduler = cls(crawler, frontier, settings.getfloat("FRONTIER_IDLE_EXIT"), url)
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        generation = self.frontier.join()
        self.queue = FrontierQueue(self.frontier, spider)
        self.df = RFPDupeFilter(
            self.server,
            key=self.frontier.key("dupefilter"),
            debug=self.crawler.settings.getbool("DUPEFILTER_DEBUG"),
        )
        logger.info(
            "Worker %s joined frontier %s%s at %s (%d requests queued)",
            self.frontier.worker,
            self.frontier.prefix,
            generation,
            redacted(self.url),
            len(self.queue),
        )
        self._beat = LoopingCall(self._tick)
        self._beat.start(HEARTBEAT_SECONDS, now=False)

    def close(self, reason: str) -> None:
        if self._beat is not None and self._beat.running:
            self._beat.stop()
        try:
            last = self.frontier.leave()
        except UNREACHABLE:
            return
        logger.info(
            "Worker %s left frontier generation %s%s",
            self.frontier.worker,
            self.frontier.generation,
            " (the last one: its queue and filter are deleted)" if last else "",
        )

    def enqueue_request(self, request: Request) -> bool:
        # scrapy-redis's own, without the spider argument Scrapy 2.19 deprecates, and with
        # filter and queue in one step
        if request.meta.get(LOCAL):
            self.local.append(request)
            return True
        fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
        try:
            if not self.queue.add(request, fingerprint):
                self.df.log(request, self.spider)
                return False
        except UNREACHABLE:  # the outage extension is stopping the crawl
            return False
        assert self.stats is not None
        self.stats.inc_value(ENQUEUED_REDIS)
        return True

    def next_request(self) -> Request | None:
        if self.local:
            return self.local.popleft()
        try:
            request = self.queue.pop()
        except UNREACHABLE:
            return None
        if request is not None:
            assert self.stats is not None
            self.stats.inc_value(DEQUEUED_REDIS)
            self._empty_since = None
        return request

    def __len__(self) -> int:
        return len(self.local) + len(self.queue)

    def has_pending_requests(self) -> bool:
        if self.local:
            return True
        try:
            return bool(super().has_pending_requests())
        except UNREACHABLE:
            return False

    def _tick(self) -> None:
        """Heartbeat; an idle worker also looks at the shared queue (Scrapy's own look
        comes every 5 s), so work another worker queued is taken up within a second."""
        try:
            self.frontier.heartbeat()
        except UNREACHABLE:
            return
        if not self.frontier.busy:
            slot: Any = getattr(self.crawler.engine, "_slot", None)
            if slot is not None:
                slot.nextcall.schedule()

    def spider_idle(self, spider: Spider) -> None:
        """Keep the worker open until the shared frontier has been empty long enough."""
        assert self.stats is not None
        found = self.stats.get_value(ARTICLE_REQUESTS, 0)
        try:
            if self.frontier.busy:
                self.frontier.heartbeat(busy=False)
            # Before the frontier can look empty, the run's count of article requests
            # includes this worker's: a worker that only took others' requests has not
            # "found nothing" (exit code 5) when the run found articles.
            total = self.frontier.add_found(found - self._reported)
            self._reported = found
            status = self.frontier.status()
        except UNREACHABLE:
            return  # the outage extension is stopping the crawl
        self.stats.set_value(FRONTIER_ARTICLES, total)
        if not status.empty:
            self._empty_since = None
            raise DontCloseSpider
        if status.others:
            now = time.monotonic()
            if self._empty_since is None:
                self._empty_since = now
            if now - self._empty_since < self.idle_exit:
                raise DontCloseSpider
            logger.info(
                "Frontier empty for %g s (FRONTIER_IDLE_EXIT): worker %s leaves",
                self.idle_exit,
                self.frontier.worker,
            )
        else:
            logger.info(
                "Frontier empty and no other worker: worker %s leaves", self.frontier.worker
            )
