"""`scrapy crawl site -a start=URL[,URL] [-a depth=2]`: crawl a site from its home page.

Links are followed within the start page's site up to `depth` links away; only pages
that look like articles (metadata, URL shape, text density) go to extraction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy import Request

from crawler.spiders.base import DEFAULT_DEPTH, NewsSpider, read_list, split_arg


class SiteSpider(NewsSpider):
    name = "site"

    def __init__(
        self,
        start: str | None = None,
        file: str | None = None,
        depth: int | str = DEFAULT_DEPTH,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.start_urls: list[str] = split_arg(start) + read_list(file)
        self.depth = int(depth)
        if not self.start_urls:
            raise ValueError("the site spider needs -a start=URL[,URL] or -a file=PATH")

    def start_requests_from_args(self) -> Iterable[Request]:
        return (self.page_request(url, self.depth) for url in self.start_urls)
