"""`scrapy crawl urls -a file=PATH` or `-a urls=U1,U2`: fetch and extract given articles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from scrapy import Request

from crawler.spiders.base import Arg, NewsSpider
from crawler.stats import INPUT_TOTAL
from crawler.urllists import from_argument, from_file


class UrlsSpider(NewsSpider):
    name = "urls"
    summary = "The given article URLs"
    input_total = "fixed"

    def __init__(
        self,
        file: Annotated[
            str | None,
            Arg("PATH", "a file of article URLs, one a line (blank lines and # comments skipped)"),
        ] = None,
        urls: Annotated[str | None, Arg("U1,U2", "article URLs, comma-separated")] = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.article_urls = self.fetchable(
            from_file(file) + from_argument("urls", urls),
            "the urls spider needs -a file=PATH or -a urls=U1,U2, listing at least one URL",
        )

    def start_requests_from_args(self) -> Iterable[Request | None]:
        # The whole list counts at once: Scrapy draws start requests as it needs them.
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(INPUT_TOTAL, len(self.article_urls))
        return (self.article_request(entry.target, listed=False) for entry in self.article_urls)
