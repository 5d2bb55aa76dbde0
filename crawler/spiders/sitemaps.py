"""`scrapy crawl sitemaps -a sitemaps=S1,S2` or `-a sites=example.com`: sitemap articles.

A site given by name is read through its robots.txt `Sitemap:` lines; sitemap indexes
are followed; Google News fields become hints for the article's title and date.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy import Request

from crawler.spiders.base import NewsSpider, sitemap_location
from crawler.urllists import from_argument, from_file


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
        sites_listed = [entry.located(sitemap_location) for entry in from_argument("sites", sites)]
        self.sitemap_urls = self.fetchable(
            from_argument("sitemaps", sitemaps) + from_file(file) + sites_listed,
            "the sitemaps spider needs -a sitemaps=URLS, -a sites=HOSTS or -a file=PATH, "
            "listing at least one",
        )

    def start_requests_from_args(self) -> Iterable[Request | None]:
        return (self.sitemap_request(entry.target) for entry in self.sitemap_urls)
