"""`scrapy crawl sitemaps -a sitemaps=S1,S2` or `-a sites=example.com`: sitemap articles.

A site given by name is read through its robots.txt `Sitemap:` lines; sitemap indexes
are followed; Google News fields become hints for the article's title and date.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from scrapy import Request

from crawler.spiders.base import Arg, NewsSpider, sitemap_location
from crawler.urllists import from_argument, from_file


class SitemapsSpider(NewsSpider):
    name = "sitemaps"
    summary = "Articles listed in sitemaps, given by URL or found through a site's robots.txt"

    def __init__(
        self,
        sitemaps: Annotated[
            str | None, Arg("S1,S2", "sitemap or sitemap-index URLs, comma-separated")
        ] = None,
        sites: Annotated[
            str | None,
            Arg(
                "HOST1,HOST2",
                "sites (example.com or https://example.com), comma-separated, "
                "read through the Sitemap: lines of their robots.txt",
            ),
        ] = None,
        file: Annotated[
            str | None,
            Arg("PATH", "a file of sitemap URLs, one a line (blank lines and # comments skipped)"),
        ] = None,
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
