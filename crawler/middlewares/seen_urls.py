"""Incremental runs: article pages already processed are not fetched again.

A run from cron fetches its feeds, sitemaps and start pages every time, but an article
page only once: when a page is written or dropped, its URL (as requested, and as
redirected to) is marked seen in the state store. Requests for seen URLs are removed
before they are scheduled and counted as `newsfold/skipped/seen`, unless the page was
seen longer ago than `REVISIT_AFTER`. Marks older than `SEEN_EXPIRE_AFTER` are deleted
when a run starts, so the store does not grow without bound; a page fetched again after
that is recognised by its record and not written twice (`pipelines.store`).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from crawler.ages import age_setting
from crawler.items import Page
from crawler.request_meta import SOURCE, article_done
from crawler.runs import run_for
from crawler.signals import page_refused
from crawler.state.per_crawler import state_for
from crawler.state.seen import SeenMarks
from crawler.stats import SKIPPED_SEEN
from crawler.urls import canonical_url

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


def requested_urls(response: Response) -> list[str]:
    """The URLs a response answers: as first requested, through redirects, and final."""
    urls = [*response.meta.get("redirect_urls", []), response.url]
    return list(dict.fromkeys(canonical_url(url) for url in urls))


class SeenUrlsMiddleware(BaseSpiderMiddleware):
    def __init__(self, crawler: Crawler, store: SeenMarks):
        super().__init__(crawler)
        self.store = store
        self.run = run_for(crawler).id
        settings = crawler.settings
        revisit = age_setting("REVISIT_AFTER", settings.get("REVISIT_AFTER"))
        self.revisit = revisit.total_seconds() if revisit else None
        expire = age_setting("SEEN_EXPIRE_AFTER", settings.get("SEEN_EXPIRE_AFTER"))
        self.expire = expire.total_seconds() if expire else None
        if expire is not None:
            with store.transaction():
                expired = store.expire_seen(time.time() - expire.total_seconds())
            if expired:
                logger.info("Forgot %d seen URLs older than %s", expired, expire)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler, state_for(crawler))
        crawler.signals.connect(middleware.item_dropped, signal=signals.item_dropped)
        return middleware

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if request.dont_filter:
            return request
        seen = self.store.seen(canonical_url(request.url))
        if seen is None or seen[1] == self.run:  # within a run, the dupefilter decides
            return request
        if self.revisit is not None and time.time() - seen[0] >= self.revisit:
            return request
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(SKIPPED_SEEN)
        article_done(self.crawler, request.meta)
        self.crawler.signals.send_catch_log(
            page_refused,
            kind="skipped",
            reason="seen",
            url=request.url,
            source=request.meta.get(SOURCE),
        )
        return None

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        if isinstance(item, Page) and response is not None:
            item.requested = requested_urls(response)
        return item

    def item_dropped(self, item: Any, response: Response | None, exception: Exception) -> None:
        """A dropped page is done too: the next run need not fetch it again."""
        if not isinstance(item, Page) or response is None:
            return
        now = time.time()
        with self.store.transaction():
            for url in requested_urls(response):
                self.store.mark_seen(url, None, self.run, now, ttl=self.expire)
