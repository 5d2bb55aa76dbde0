"""`scrapy crawl urls -a file=PATH` or `-a urls=U1,U2`: fetch and extract given articles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy import Request

from crawler.spiders.base import NewsSpider, read_list, split_arg


class UrlsSpider(NewsSpider):
    name = "urls"

    def __init__(self, file: str | None = None, urls: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.article_urls: list[str] = read_list(file) + split_arg(urls)
        if not self.article_urls:
            raise ValueError("the urls spider needs -a file=PATH or -a urls=U1,U2")

    def start_requests_from_args(self) -> Iterable[Request]:
        return (self.article_request(url) for url in self.article_urls)
