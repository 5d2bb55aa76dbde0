"""Storage: the records of each page, and of the pages whose story it changed.

A page's record is its own fields (kept whole in the state by the collapse) in its place
in its story now: the story's `Article`, with its text, or a `Copy` pointing at it. When
a page changes a story (a new article, two stories joined), the collapse names the pages
whose records changed; they are written again here with the same `id` and a higher
`revision`, the story's article first, through Scrapy's item path
(`Scraper.start_itemproc_async`), so that feed exports, their `item_classes` filters and
the run's manifest see them like any record. The last record of an id (the highest
revision) says where the page stands.

Each record is committed to the state (with its run, and its page's seen URLs) before it
goes to the output file, and leaves the state's outbox in that same step. A run killed in
between is repaired by the next (`crawler.runs`), which puts the records missing from its
output back in the outbox; every run starts by writing what the outbox holds. So a record
is written even when its page is never fetched again, and never twice. A page fetched
again whose record would be the same is not written again.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DropItem

from crawler.ages import age_setting
from crawler.items import Article, Copy, Page, build_record, page_fields
from crawler.offload import StateThreads, state_threads_for
from crawler.runs import run_for
from crawler.state import StateStore
from crawler.state.per_crawler import state_for
from crawler.state.records import Emission, PageEntry
from crawler.stats import (
    ARTICLES,
    COPIES,
    REWRITTEN_ARTICLES,
    REWRITTEN_COPIES,
    SKIPPED_UNCHANGED,
)

if TYPE_CHECKING:
    from typing import Self

    from scrapy.core.scraper import Scraper
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class Unchanged(DropItem):
    """A page written before, by this or an earlier run, that says nothing new."""

    reason = "unchanged"

    def __init__(self, url: str):
        super().__init__(f"already written, unchanged: {url}", log_level="DEBUG")


class StorePipeline:
    """Commits and emits each page's record, and those of the pages its story changed.

    Records of one id are committed and written one at a time, in revision order: each
    id's commit waits until its previous record has reached the feed exports. On a state
    that answers over the network the commits run off the event loop (`crawler.offload`).
    """

    def __init__(
        self,
        store: StateStore,
        stats: StatsCollector,
        run: str,
        seen_ttl: float | None = None,
        threads: StateThreads | None = None,
        crawler: Crawler | None = None,
    ):
        self.store = store
        self.stats = stats
        self.run = run
        self.seen_ttl = seen_ttl  # seen marks expire after SEEN_EXPIRE_AFTER
        self.threads = threads or StateThreads()
        self.crawler = crawler
        self.writing: dict[str, asyncio.Future[None]] = {}  # record id -> done writing it
        # A page's own record, on its way to the feeds: its id, and the records to write
        # once it is there (the rest of what its decision changed).
        self.in_flight: dict[int, tuple[str, list[str]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        expire = age_setting("SEEN_EXPIRE_AFTER", crawler.settings.get("SEEN_EXPIRE_AFTER"))
        ttl = expire.total_seconds() if expire else None
        pipeline = cls(
            state_for(crawler),
            crawler.stats,
            run_for(crawler).id,
            ttl,
            state_threads_for(crawler),
            crawler,
        )
        connect = crawler.signals.connect
        connect(pipeline.drain, signal=signals.engine_started)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            connect(pipeline.written, signal=signal)
        return pipeline

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        assert item.id is not None
        fields = page_fields(item)
        changed = item.changed or [item.id]
        if changed[0] != item.id:  # the story's article goes first
            await self.rewrite(changed[0])
        rest = [doc for doc in changed[1:] if doc != item.id]
        urls = list(dict.fromkeys(u for u in [*item.requested, item.url, item.canonical_url] if u))
        # Without the collapse (DEDUP_ENABLED off) the page's fields are kept here.
        entry = None if item.changed else PageEntry.of(item.id, fields, 0, "")
        await self.hold(item.id)
        try:
            emission = await self.threads.call(self._commit, item.id, entry, urls, True)
        except BaseException:
            self.release(item.id)
            raise
        if emission is None:
            self.release(item.id)
            for doc in rest:
                await self.rewrite(doc)
            self.stats.inc_value(SKIPPED_UNCHANGED)
            raise Unchanged(item.url)
        record = build_record(fields, emission.placement)
        self.in_flight[id(record)] = (item.id, rest)
        self.stats.inc_value(self.stats_of(record)[0])
        return record

    async def written(self, item: Any) -> None:
        """A page's own record reached the feeds (or was dropped or failed after this
        pipeline): its id is free, and the records its decision changed follow it."""
        found = self.in_flight.pop(id(item), None)
        if found is None:
            return
        doc, rest = found
        self.release(doc)
        for other in rest:
            await self.rewrite(other)

    async def drain(self) -> None:
        """Write what the outbox holds from before this run (a killed run's records), or
        from runs of other workers that are no longer running."""
        running = await self.threads.call(self.store.runs, "running")
        others = [run["id"] for run in running if run["id"] != self.run]
        docs = await self.threads.call(self.store.outbox, others)
        relation = {}
        for doc in docs:
            member = await self.threads.call(self.store.member, doc)
            relation[doc] = member.relation if member is not None else "article"
        for doc in sorted(docs, key=lambda d: relation[d] != "article"):
            await self.rewrite(doc, again=False)

    async def rewrite(self, doc: str, again: bool = True) -> None:
        """Write a page's record again, from the state, if it changed since it was written.

        A page not written yet is left to its own fetch (`again`), which writes its record
        as it stands then; only the outbox, after a run died, writes first records.
        """
        await self.hold(doc)
        try:
            emission = await self.threads.call(self._commit, doc, None, [], False, again)
            if emission is None or emission.fields is None:
                return
            record = build_record(emission.fields, emission.placement)
            self.stats.inc_value(self.stats_of(record)[1])
            await self.scraper().start_itemproc_async(record, response=None)
        finally:
            self.release(doc)

    def _commit(
        self, doc: str, entry: PageEntry | None, urls: list[str], own: bool, again: bool = False
    ) -> Emission | None:
        """The record's state, its run and its URLs seen, in one transaction."""
        with self.store.transaction():
            return self.store.emit(
                doc, self.run, entry, urls, time.time(), self.seen_ttl, own, again
            )

    async def hold(self, doc: str) -> None:
        """Wait until no record of `doc` is being committed or written, then hold it."""
        while (earlier := self.writing.get(doc)) is not None:
            await earlier
        self.writing[doc] = asyncio.get_running_loop().create_future()

    def release(self, doc: str) -> None:
        done = self.writing.pop(doc, None)
        if done is not None:
            done.set_result(None)

    def scraper(self) -> Scraper:
        assert self.crawler is not None and self.crawler.engine is not None
        return self.crawler.engine.scraper

    @staticmethod
    def stats_of(record: Article | Copy) -> tuple[str, str]:
        """The stats a record counts under: written, and written again."""
        if isinstance(record, Copy):
            return COPIES, REWRITTEN_COPIES
        return ARTICLES, REWRITTEN_ARTICLES
