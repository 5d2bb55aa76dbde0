"""A page's state calls off the event loop, when the state answers over the network.

A call to Redis holds the event loop for a round trip, and a collapse decision may wait
for another worker's. On `STATE_THREADS` threads the loop goes on downloading and
extracting meanwhile, and the round trips of several pages overlap (`RedisState` gives
each thread its own connection). SQLite answers from the page cache at once: its calls
stay on the loop, where its one connection lives.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, ParamSpec, TypeVar
from weakref import WeakKeyDictionary

from scrapy import signals

from crawler.state.per_crawler import state_for

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

P = ParamSpec("P")
T = TypeVar("T")


class StateThreads:
    """Runs state calls in a few threads, or in place when given none."""

    def __init__(self, threads: int = 0):
        self.pool: ThreadPoolExecutor | None = None
        if threads > 0:
            self.pool = ThreadPoolExecutor(threads, thread_name_prefix="newsfold-state")

    async def call(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        if self.pool is None:
            return function(*args, **kwargs)
        return await asyncio.wrap_future(self.pool.submit(function, *args, **kwargs))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)


_threads: WeakKeyDictionary[Crawler, StateThreads] = WeakKeyDictionary()


def state_threads_for(crawler: Crawler) -> StateThreads:
    """The crawler's one set of state threads, shared by its pipelines."""
    threads = _threads.get(crawler)
    if threads is None:
        count = crawler.settings.getint("STATE_THREADS") if state_for(crawler).concurrent else 0
        threads = _threads[crawler] = StateThreads(count)
        crawler.signals.connect(threads.close, signal=signals.spider_closed)
    return threads
