"""Storage: each page becomes one output record, remembered in the state store.

The record (an `Article`, or a `Copy` pointing at the kept article) is what the feed
exports write; its summary row in the state lets later runs and the cluster export see
every place a story appeared. The row, the run that wrote it and the page's seen URLs
are committed together, so a run killed before the record reached its file can be
repaired (`crawler.runs`). A page fetched again (a revisit, or after its seen mark
expired) whose record would be the same is not written twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem

from crawler.ages import age_setting
from crawler.items import Article, Copy, Document, Page
from crawler.offload import StateThreads, state_threads_for
from crawler.runs import run_for
from crawler.state import StateStore, state_for

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


def to_record(page: Page) -> Article | Copy:
    """The output record for a cleaned (and possibly collapsed) page."""
    doc = page.doc or Document()
    assert page.id and page.canonical_url and page.site, "store needs a cleaned page"
    if page.match is not None:
        return Copy(
            id=page.id,
            url=page.url,
            site=page.site,
            title=doc.title,
            published=doc.published,
            fetched_at=page.fetched_at,
            duplicate_of=page.match.duplicate_of,
            similarity=page.match.similarity,
            containment=page.match.containment,
            method=page.match.method,
        )
    return Article(
        id=page.id,
        url=page.url,
        canonical_url=page.canonical_url,
        site=page.site,
        title=doc.title,
        authors=doc.authors,
        published=doc.published,
        published_source=doc.published_source,
        modified=doc.modified,
        modified_source=doc.modified_source,
        language=doc.language,
        site_name=doc.site_name,
        description=doc.description,
        tags=doc.tags,
        text=doc.text,
        credits=[asdict(credit) for credit in doc.credits],
        fetched_at=page.fetched_at,
    )


def digest(record: Article | Copy) -> str:
    """What a record says, fetch time aside: equal digests mean nothing new to write."""
    content = {k: v for k, v in asdict(record).items() if k != "fetched_at"}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:32]


class Unchanged(DropItem):
    """A page written before, by this or an earlier run, that says nothing new."""

    reason = "unchanged"

    def __init__(self, url: str):
        super().__init__(f"already written, unchanged: {url}", log_level="DEBUG")


class StorePipeline:
    """Emits the output record and keeps its summary row in the state store.

    On a state that answers over the network the row is written off the event loop
    (`crawler.offload`); two pages of one id are never written at once, so the second
    still finds the first's row and is not written twice.
    """

    def __init__(
        self,
        store: StateStore,
        stats: StatsCollector,
        run: str,
        seen_ttl: float | None = None,
        threads: StateThreads | None = None,
    ):
        self.store = store
        self.stats = stats
        self.run = run
        self.seen_ttl = seen_ttl  # seen marks expire after SEEN_EXPIRE_AFTER
        self.threads = threads or StateThreads()
        self.writing: dict[str, asyncio.Future[None]] = {}  # record id -> its write, done

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        expire = age_setting("SEEN_EXPIRE_AFTER", crawler.settings.get("SEEN_EXPIRE_AFTER"))
        ttl = expire.total_seconds() if expire else None
        return cls(
            state_for(crawler), crawler.stats, run_for(crawler).id, ttl, state_threads_for(crawler)
        )

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        record = to_record(item)
        kind = "copy" if isinstance(record, Copy) else "article"
        doc = item.doc or Document()
        row = {
            **asdict(record),
            "kind": kind,
            "canonical_url": item.canonical_url,
            "site_name": doc.site_name,
            "text": doc.text if kind == "article" else None,
            "credits": json.dumps([asdict(credit) for credit in doc.credits]),
            "digest": digest(record),
            "run": self.run,
        }
        urls = [url for url in [*item.requested, record.url, item.canonical_url or ""] if url]
        while (earlier := self.writing.get(record.id)) is not None:
            await earlier
        self.writing[record.id] = done = asyncio.get_running_loop().create_future()
        try:
            written = await self.threads.call(self._write, row, list(dict.fromkeys(urls)))
        finally:
            del self.writing[record.id]
            done.set_result(None)
        if not written:
            self.stats.inc_value("newsfold/skipped/unchanged")
            raise Unchanged(item.url)
        self.stats.inc_value("newsfold/copies" if kind == "copy" else "newsfold/articles")
        return record

    def _write(self, row: dict[str, Any], urls: list[str]) -> bool:
        """Record the row and mark its URLs seen, in one transaction; False when the row
        is already there, unchanged."""
        with self.store.transaction():
            written = self.store.document(row["id"])
            if written is not None and written["digest"] == row["digest"]:
                return False
            self.store.record(row)
            now = time.time()
            for url in urls:
                self.store.mark_seen(url, row["id"], self.run, now, ttl=self.seen_ttl)
        return True
