"""Stop a crawl whose Redis stayed unreachable, with its own exit code.

The Redis clients retry through an outage for `REDIS_RETRY_FOR` seconds
(`crawler.redisconn`). When they give up, this extension closes the spider, records
`newsfold/state_unreachable` (so `scrapy crawl` exits with code 7) and says what it
means: records already written stay written; a page whose record was not committed is
not marked seen, so the next run fetches it again.

At start, before the crawl's engine exists, it asks the frontier's Redis for an answer
(the state's is asked when the state is opened): a Redis that stays away for
`REDIS_RETRY_FOR` then is a failed start, one line and exit code 3, not a crawl that
stops.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import redis
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import reactor

from crawler.config import ConfigError
from crawler.frontier import frontier_url
from crawler.redisconn import Outage, process_outage, redacted, redis_client
from crawler.stats import STATE_UNREACHABLE

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

REASON = "redis_unreachable"


class RedisOutage:
    def __init__(self, crawler: Crawler, outage: Outage):
        self.crawler = crawler
        self.outage = outage
        self.stopping = False
        self.started = False
        outage.on_give_up(self.gave_up)
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        state = settings.get("STATE_URL") or ""
        frontier = frontier_url(settings)
        if frontier is None and not state.startswith(("redis", "unix")):
            raise NotConfigured  # quietly: nothing of the run is in Redis
        outage = process_outage(settings.getfloat("REDIS_RETRY_FOR"))
        if frontier is not None:
            try:
                redis_client(frontier, settings).ping()
            except redis.RedisError as error:
                raise ConfigError(
                    f"the frontier's Redis at {redacted(frontier)} is unreachable "
                    f"(waited REDIS_RETRY_FOR={outage.retry_for:g} s: {error}); "
                    "check FRONTIER_URL or STATE_URL"
                ) from error
        return cls(crawler, outage)

    def engine_started(self) -> None:
        self.started = True

    def gave_up(self, outage: Outage) -> None:
        """Called where a Redis command gave up, maybe deep in a pipeline: stop soon.

        Before the engine has started there is nothing to stop: the command that gave up
        fails the start, and the crawl command reports it (exit code 3).
        """
        if not self.started:
            return
        assert self.crawler.stats is not None
        self.crawler.stats.set_value(STATE_UNREACHABLE, 1)
        reactor.callFromThread(self.stop)

    def stop(self) -> None:
        if self.stopping:
            return
        self.stopping = True
        logger.error(
            "Stopping: Redis at %s was unreachable for more than REDIS_RETRY_FOR=%g s. "
            "Records written so far are kept; pages not yet written are not marked seen "
            "and will be fetched by the next run.",
            redacted(self.outage.url),
            self.outage.retry_for,
        )
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=REASON))
