"""The store pipeline writes each record once, also when state calls run in threads."""

from __future__ import annotations

import asyncio

import pytest
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.items import Article, Document, Page
from crawler.offload import StateThreads
from pipelines.store import StorePipeline, Unchanged


def page(url: str) -> Page:
    item = Page(url=url, body=b"", encoding="utf-8", fetched_at="2026-11-28T10:00:00+00:00")
    item.doc = Document(text="The council met on Tuesday. " * 20, title="Council meets")
    item.id, item.canonical_url, item.site = "a1", "http://x.test/a", "x.test"
    return item


async def through(pipeline: StorePipeline, item: Page) -> object:
    """The item through the pipeline, then as Scrapy goes on: scraped, or dropped."""
    try:
        result = await pipeline.process_item(item)
    except Unchanged as dropped:
        await pipeline.written(item)
        return dropped
    await pipeline.written(result)
    return result


def test_two_pages_of_one_id_at_once_are_written_once(store):
    """One article reached twice at once (two feed links redirecting to it): the second
    finds the first's row, even with the writes on threads (Redis), and is skipped."""
    stats = MemoryStatsCollector(get_crawler())
    threads = StateThreads(4 if store.concurrent else 0)
    pipeline = StorePipeline(store, stats, "run-1", threads=threads)

    async def both() -> list[object]:
        pages = [page("http://x.test/a"), page("http://x.test/a")]
        pages[0].requested = ["http://x.test/a?ref=feed"]
        return await asyncio.gather(*(through(pipeline, p) for p in pages))

    results = asyncio.run(both())
    threads.close()
    assert sorted(type(result).__name__ for result in results) == ["Article", "Unchanged"]
    assert any(isinstance(result, Article) for result in results)
    assert any(isinstance(result, Unchanged) for result in results)
    assert stats.get_value("newsfold/articles") == 1
    assert stats.get_value("newsfold/skipped/unchanged") == 1
    assert store.seen("http://x.test/a?ref=feed") is not None


@pytest.mark.parametrize("threads", [0, 2])
def test_a_record_is_committed_before_it_is_returned(store, threads):
    stats = MemoryStatsCollector(get_crawler())
    pipeline = StorePipeline(
        store, stats, "run-1", threads=StateThreads(threads if store.concurrent else 0)
    )
    record = asyncio.run(through(pipeline, page("http://x.test/a")))
    pipeline.threads.close()
    assert isinstance(record, Article) and record.revision == 1 and record.cluster_id == "a1"
    written = store.document("a1")
    assert written is not None and written["run"] == "run-1" and written["revision"] == 1
