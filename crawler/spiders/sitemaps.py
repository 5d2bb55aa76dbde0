"""`scrapy crawl sitemaps -a sitemaps=S1,S2` or `-a sites=example.com`: sitemap articles.

A site given by name is read through its robots.txt `Sitemap:` lines; sitemap indexes
are followed; Google News fields become hints for the article's title and date.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy import Request

from crawler.spiders.base import NewsSpider, read_list, sitemap_location, split_arg


class SitemapsSpider(NewsSpider):
    name = "sitemaps"

    def __init__(
        self,
        sitemaps: str | None = None,
        sites: str | None = None,
        file: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        given = split_arg(sitemaps) + read_list(file)
        self.sitemap_urls: list[str] = given + [sitemap_location(s) for s in split_arg(sites)]
        if not self.sitemap_urls:
            raise ValueError(
                "the sitemaps spider needs -a sitemaps=URLS, -a sites=HOSTS or -a file="
            )

    def start_requests_from_args(self) -> Iterable[Request]:
        return (self.sitemap_request(url) for url in self.sitemap_urls)
