"""`scrapy crawl discover -a home=URL`: a site's feeds and sitemaps found from its home page.

The crawl `scrapy add-source` runs (`crawler.commands.add_source`); run by itself it logs
what it chose. It fetches candidates and a sample of their entries, never the articles
themselves, so it writes no records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated, Any

from scrapy import Request

from crawler.config import ConfigError
from crawler.spiders.base import Arg
from crawler.spiders.discovering import DiscoveringSpider, SiteDiscovery
from crawler.urllists import Listed
from crawler.urls import site_of


class DiscoverSpider(DiscoveringSpider):
    name = "discover"
    summary = "A site's feeds and sitemaps, found from its home page (what add-source runs)"
    input_total = "none"
    # It writes no records: no run manifest, summary or progress lines.
    custom_settings = {  # noqa: RUF012 - Scrapy declares it an instance attribute
        "EXTENSIONS": {
            "crawler.extensions.manifest.RunManifest": None,
            "crawler.extensions.run_summary.RunSummary": None,
            "crawler.extensions.progress.Progress": None,
        }
    }

    def __init__(
        self,
        home: Annotated[str | None, Arg("URL", "the site's home page, or any page of it")] = None,
        source: Annotated[str | None, Arg("NAME", "the source's name (default: the site)")] = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if not home:
            raise ConfigError("the discover spider needs -a home=URL")
        self.home = self.fetchable([Listed(home.strip(), "-a home")], "-a home is no URL")[0]
        self.source = source or site_of(self.home.target)
        self.result: SiteDiscovery | None = None

    def start_requests_from_args(self) -> Iterable[Request | None]:
        yield self.discovery_request(self.source, self.home.target)

    def discovered(self, site: SiteDiscovery) -> Iterator[Request | None]:
        self.result = site
        return iter(())
