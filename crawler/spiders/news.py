"""`scrapy crawl news -a sources=sources.toml`: every feed, sitemap and start page of a list.

The operator's spider; the sources file (one `[[source]]` table per site) is read and
checked by `crawler.sources`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from scrapy import Request

from crawler.config import ConfigError
from crawler.sources import read_sources
from crawler.spiders.base import Arg, NewsSpider, sitemap_location


class NewsCrawlSpider(NewsSpider):
    name = "news"
    summary = "Everything a sources file lists: each site's feeds, sitemaps and start pages"

    def __init__(
        self,
        sources: Annotated[
            str | None,
            Arg(
                "PATH",
                "a sources file (TOML), one [[source]] per site: name, feeds, "
                "sitemaps, start, depth (see sources.example.toml)",
            ),
        ] = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if not sources:
            raise ConfigError("the news spider needs -a sources=PATH (see sources.example.toml)")
        self.sources = read_sources(sources)
        for source in self.sources:
            source.sitemaps = [entry.located(sitemap_location) for entry in source.sitemaps]
        listed = [entry for source in self.sources for entry in source.entries()]
        self.fetchable(listed, f"-a sources={sources} lists no URL")
        if any(source.start for source in self.sources):
            self.input_total = "none"  # start pages lead to pages nobody listed

    def start_requests_from_args(self) -> Iterable[Request | None]:
        for source in self.sources:
            name = source.name
            for entry in source.feeds:
                if entry.problem is None:  # the others are counted as the crawl starts
                    yield self.feed_request(entry.target, name)
            for entry in source.sitemaps:
                if entry.problem is None:
                    yield self.sitemap_request(entry.target, name)
            for entry in source.start:
                if entry.problem is None:
                    yield self.page_request(entry.target, source.depth, name)
