"""`scrapy crawl feeds -a feeds=F1,F2` or `-a file=PATH`: articles linked from RSS/RDF/Atom."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy import Request

from crawler.spiders.base import NewsSpider
from crawler.urllists import from_argument, from_file


class FeedsSpider(NewsSpider):
    name = "feeds"

    def __init__(self, feeds: str | None = None, file: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.feed_urls = self.fetchable(
            from_argument("feeds", feeds) + from_file(file),
            "the feeds spider needs -a feeds=F1,F2 or -a file=PATH, listing at least one feed",
        )

    def start_requests_from_args(self) -> Iterable[Request | None]:
        return (self.feed_request(entry.target) for entry in self.feed_urls)
