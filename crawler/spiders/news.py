"""`scrapy crawl news -a sources=sources.toml`: every feed, sitemap and start page of a list.

The operator's spider. The sources file has one `[[source]]` table per site:

    [[source]]
    name = "allAfrica"
    feeds = ["https://allafrica.com/tools/headlines/rdf/latest/headlines.rdf"]
    sitemaps = []          # sitemap URLs, or a site's robots.txt
    start = []             # home or section pages for a site crawl
    depth = 2              # link depth for start pages
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import Request

from crawler.spiders.base import DEFAULT_DEPTH, NewsSpider, sitemap_location


@dataclass
class Source:
    name: str
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    start: list[str] = field(default_factory=list)
    depth: int = DEFAULT_DEPTH


def read_sources(path: str) -> list[Source]:
    """Sources from a TOML file; raises ValueError naming the entry that is wrong."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    sources = []
    for number, entry in enumerate(data.get("source", []), start=1):
        unknown = set(entry) - {"name", "feeds", "sitemaps", "start", "depth"}
        if unknown:
            raise ValueError(f"{path}: source {number} has unknown keys {sorted(unknown)}")
        source = Source(
            name=str(entry.get("name") or f"source {number}"),
            feeds=list(entry.get("feeds", [])),
            sitemaps=list(entry.get("sitemaps", [])),
            start=list(entry.get("start", [])),
            depth=int(entry.get("depth", DEFAULT_DEPTH)),
        )
        if not (source.feeds or source.sitemaps or source.start):
            raise ValueError(f"{path}: source {source.name!r} lists no feeds, sitemaps or start")
        sources.append(source)
    if not sources:
        raise ValueError(f"{path}: no [[source]] tables")
    return sources


class NewsCrawlSpider(NewsSpider):
    name = "news"

    def __init__(self, sources: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if not sources:
            raise ValueError("the news spider needs -a sources=PATH (see sources.example.toml)")
        self.sources = read_sources(sources)

    def start_requests_from_args(self) -> Iterable[Request]:
        for source in self.sources:
            name = source.name
            yield from (self.feed_request(url, name) for url in source.feeds)
            yield from (
                self.sitemap_request(sitemap_location(url), name) for url in source.sitemaps
            )
            yield from (self.page_request(url, source.depth, name) for url in source.start)
