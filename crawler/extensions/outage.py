"""Stop a crawl whose state or frontier server stayed unreachable, with its own exit code.

A backend on a server says so (`crawler.state.base.Reach`: the outage its clients share,
and how to ask the server for an answer); so does the shared frontier. Their clients
retry through an outage for a while (`REDIS_RETRY_FOR` for Redis, `crawler.redisconn`).
When they give up, this extension closes the spider, records
`newsfold/state_unreachable` (so `scrapy crawl` exits with code 7) and says what it
means: records already written stay written; a page whose record was not committed is
not marked seen, so the next run fetches it again.

At start, before the crawl's engine exists, it asks the frontier's server, then the
state's, for an answer: one that stays away for the retry window then is a failed start,
one line and exit code 3, not a crawl that stops. A crawl with nothing on a server (a
SQLite state, Scrapy's own scheduler) goes without this extension.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import reactor

from crawler.frontier import frontier_reach
from crawler.state.base import Outage, Reach, StateError
from crawler.state.factory import state_reach
from crawler.stats import STATE_UNREACHABLE

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

REASON = "redis_unreachable"  # the close reason (manifest, stats); its name predates other backends


class ServerOutage:
    """Stops the crawl when the clients of its state's or frontier's server give up."""

    def __init__(self, crawler: Crawler, outages: list[Outage]):
        self.crawler = crawler
        self.outage = outages[0]  # the one that gave up, once one has
        self.stopping = False
        self.started = False
        for outage in outages:
            outage.on_give_up(self.gave_up)
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        try:
            state = state_reach(settings.get("STATE_URL") or "", settings)
        except StateError:
            state = None  # opening the state says what is wrong with its URL
        reaches: list[Reach] = [
            reach for reach in (frontier_reach(settings), state) if reach is not None
        ]
        if not reaches:
            raise NotConfigured  # quietly: nothing of the run is on a server
        for reach in reaches:
            reach.probe()
        outages: list[Outage] = []
        for reach in reaches:  # clients of one kind of server share one outage
            if not any(reach.outage is known for known in outages):
                outages.append(reach.outage)
        return cls(crawler, outages)

    def engine_started(self) -> None:
        self.started = True

    def gave_up(self, outage: Outage) -> None:
        """Called where a command to the server gave up, maybe deep in a pipeline: stop soon.

        Before the engine has started there is nothing to stop: the command that gave up
        fails the start, and the crawl command reports it (exit code 3).
        """
        if not self.started:
            return
        self.outage = outage
        assert self.crawler.stats is not None
        self.crawler.stats.set_value(STATE_UNREACHABLE, 1)
        reactor.callFromThread(self.stop)

    def stop(self) -> None:
        if self.stopping:
            return
        self.stopping = True
        outage = self.outage
        logger.error(
            "Stopping: %s at %s was unreachable for more than %s=%g s. "
            "Records written so far are kept; pages not yet written are not marked seen "
            "and will be fetched by the next run.",
            outage.server,
            outage.url,
            outage.setting,
            outage.retry_for,
        )
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=REASON))
