"""The extraction stage: each fetched page's `Document`, by `extract_document` (the
extraction library's entry point, `pipelines.extraction.document`), in worker processes.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem

from crawler.items import Page
from crawler.stats import BODY_CHANGE, DROPPED, EXTRACT_PAGES, PUBLISHED_SOURCE, TEXT_SOURCE
from pipelines.extraction import document

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

PARENT_CHECK_SECONDS = 1.0  # how often a worker process checks that the crawl is alive


class Unparseable(DropItem):
    """`document.Unparseable` as the stage drops it, with its message, `reason` and
    `detail`: Scrapy counts drops by the exception's class name
    (`item_dropped_reasons_count/Unparseable`), the manifest by its `reason`."""

    reason = document.Unparseable.reason

    def __init__(self, refused: document.Unparseable):
        super().__init__(str(refused), log_level="INFO")
        self.detail = refused.detail


def exit_with(crawl_pid: int) -> None:
    """Worker initializer: leave when the crawl process is gone.

    A crawl killed with SIGKILL cannot stop its pool; its workers (children of the
    forkserver, which they keep alive) would wait for work for ever.
    """

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            try:
                os.kill(crawl_pid, 0)
            except ProcessLookupError:
                os._exit(0)

    threading.Thread(target=watch, name="newsfold-exit-with-crawl", daemon=True).start()


class ExtractPipeline:
    """Turns each fetched `Page` into a `Document`; counts pages that yield no text.

    Extraction is most of a page's CPU time. With `EXTRACT_WORKERS` > 0 it runs in that
    many worker processes (default: one per core), so the event loop goes on downloading,
    cleaning and collapsing meanwhile and every core works; 0 extracts in the crawl's own
    process. Both give the same documents (`extract_document` is a pure function).
    """

    def __init__(self, stats: StatsCollector, workers: int):
        self.stats = stats
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        workers = crawler.settings.get("EXTRACT_WORKERS")
        count = (os.cpu_count() or 1) if workers in (None, "", "auto") else int(workers)
        return cls(crawler.stats, count)

    def open_spider(self) -> None:
        if self.workers > 0:
            # forkserver: workers start from a clean process, not a copy of the crawler's
            # threads and sockets, with the extraction modules imported once.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            self.pool = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=exit_with, initargs=(os.getpid(),)
            )

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        if self.pool is None:
            result = document.extract_or_refuse(item)
        else:
            result = await asyncio.wrap_future(self.pool.submit(document.extract_or_refuse, item))
        if isinstance(result, str):
            self.stats.inc_value(DROPPED + Unparseable.reason)
            raise Unparseable(document.Unparseable(result, item.url))
        item.doc = result
        self.stats.inc_value(EXTRACT_PAGES)
        if item.doc.published_source:
            self.stats.inc_value(PUBLISHED_SOURCE + item.doc.published_source)
        if item.doc.text_source:
            self.stats.inc_value(TEXT_SOURCE + item.doc.text_source)
        for change in item.doc.changes:
            self.stats.inc_value(BODY_CHANGE + change)
        return item
