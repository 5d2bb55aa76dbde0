"""`scrapy crawl feeds -a feeds=F1,F2` or `-a file=PATH`: articles linked from RSS/RDF/Atom."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from scrapy import Request

from crawler.spiders.base import Arg, NewsSpider
from crawler.urllists import from_argument, from_file


class FeedsSpider(NewsSpider):
    name = "feeds"
    summary = "Articles linked from RSS 2.0, RSS 1.0/RDF and Atom feeds"

    def __init__(
        self,
        feeds: Annotated[str | None, Arg("F1,F2", "feed URLs, comma-separated")] = None,
        file: Annotated[
            str | None,
            Arg("PATH", "a file of feed URLs, one a line (blank lines and # comments skipped)"),
        ] = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.feed_urls = self.fetchable(
            from_argument("feeds", feeds) + from_file(file),
            "the feeds spider needs -a feeds=F1,F2 or -a file=PATH, listing at least one feed",
        )

    def start_requests_from_args(self) -> Iterable[Request | None]:
        return (self.feed_request(entry.target) for entry in self.feed_urls)
