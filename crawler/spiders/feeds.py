"""`scrapy crawl feeds -a feeds=F1,F2` or `-a file=PATH`: articles linked from RSS/RDF/Atom."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy import Request

from crawler.spiders.base import NewsSpider, read_list, split_arg


class FeedsSpider(NewsSpider):
    name = "feeds"

    def __init__(self, feeds: str | None = None, file: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.feed_urls: list[str] = split_arg(feeds) + read_list(file)
        if not self.feed_urls:
            raise ValueError("the feeds spider needs -a feeds=F1,F2 or -a file=PATH")

    def start_requests_from_args(self) -> Iterable[Request]:
        return (self.feed_request(url) for url in self.feed_urls)
