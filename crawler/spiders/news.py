"""`scrapy crawl news -a sources=sources.toml`: every feed, sitemap and start page of a list.

The operator's spider; the sources file (one `[[source]]` table per site) is read and
checked by `crawler.sources`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Annotated, Any

from scrapy import Request

from crawler.ages import parse_age
from crawler.config import ConfigError
from crawler.sources import Source, read_sources
from crawler.spiders.base import Arg, sitemap_location
from crawler.spiders.discovering import DiscoveringSpider, SiteDiscovery
from crawler.state.per_crawler import state_for
from crawler.stats import DISCOVERY_CACHED
from crawler.urls import site_of


class NewsCrawlSpider(DiscoveringSpider):
    name = "news"
    summary = "Everything a sources file lists: each site's feeds, sitemaps and start pages"

    def __init__(
        self,
        sources: Annotated[
            str | None,
            Arg(
                "PATH",
                "a sources file (TOML), one [[source]] per site: name, feeds, "
                "sitemaps, start, depth, or only home to discover them (see sources.example.toml)",
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
        if any(source.start or source.home for source in self.sources):
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
            if source.home is not None and source.home.problem is None:
                yield from self._home_requests(source)

    def _home_requests(self, source: Source) -> Iterator[Request | None]:
        """A `home =` source: what discovery found within DISCOVERY_TTL, else discovery."""
        assert source.home is not None and self.crawler.stats is not None
        home = source.home.target
        kept = state_for(self.crawler).discovered(site_of(home))
        ttl = parse_age(self.settings.get("DISCOVERY_TTL") or "")
        if kept is not None and ttl is not None and time.time() - kept[0] < ttl.total_seconds():
            self.crawler.stats.inc_value(DISCOVERY_CACHED)
            self.logger.info("Using %s's discovery of %s", source.name, time.ctime(kept[0]))
            yield from self._found_requests(source.name, kept[1], source.depth)
        else:
            yield self.discovery_request(source.name, home)

    def discovered(self, site: SiteDiscovery) -> Iterator[Request | None]:
        found: dict[str, list[str]] = {"feeds": [], "sitemaps": [], "start": []}
        for item in site.chosen:
            found[{"feed": "feeds", "start": "start"}.get(item.kind, "sitemaps")].append(item.url)
        if site.chosen:  # a site that offered nothing is probed again next run
            state_for(self.crawler).keep_discovered(site_of(site.home), found, time.time())
        source = next(source for source in self.sources if source.name == site.name)
        yield from self._found_requests(site.name, found, source.depth)

    def _found_requests(
        self, name: str, found: dict[str, list[str]], depth: int
    ) -> Iterator[Request | None]:
        for url in found.get("feeds", []):
            yield self.feed_request(url, name)
        for url in found.get("sitemaps", []):
            yield self.sitemap_request(url, name)
        for url in found.get("start", []):
            yield self.page_request(url, depth, name)
