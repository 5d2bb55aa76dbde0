"""`scrapy crawl site -a start=URL[,URL] [-a depth=2]`: crawl a site from its home page.

Links are followed within the start page's site up to `depth` links away; only pages
that look like articles (metadata, URL shape, text density) go to extraction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from scrapy import Request

from crawler.config import ConfigError, whole_number
from crawler.sources import DEFAULT_DEPTH
from crawler.spiders.base import Arg, NewsSpider
from crawler.urllists import from_argument, from_file


class SiteSpider(NewsSpider):
    name = "site"
    summary = "A site crawled from its home or section pages, its article-like pages kept"
    input_total = "none"

    def __init__(
        self,
        start: Annotated[
            str | None, Arg("U1,U2", "home or section pages to start from, comma-separated")
        ] = None,
        file: Annotated[
            str | None,
            Arg("PATH", "a file of start pages, one a line (blank lines and # comments skipped)"),
        ] = None,
        depth: Annotated[
            int | str, Arg("N", "how many links away from a start page to follow, within its site")
        ] = DEFAULT_DEPTH,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        parsed = whole_number(depth)
        if parsed is None or parsed < 0:
            raise ConfigError(
                f"-a depth={depth!r}: use a whole number >= 0, the links to follow from the "
                f"start pages (default {DEFAULT_DEPTH})"
            )
        self.depth = parsed
        self.start_pages = self.fetchable(
            from_argument("start", start) + from_file(file),
            "the site spider needs -a start=URL[,URL] or -a file=PATH, listing at least one page",
        )

    def start_requests_from_args(self) -> Iterable[Request | None]:
        return (self.page_request(entry.target, self.depth) for entry in self.start_pages)
