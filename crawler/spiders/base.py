"""The callbacks every newsfold spider shares: feeds, sitemaps, site pages, articles.

Spiders differ only in where they start; whatever the route, an article page ends in
`parse_article`, which yields a `Page` for the pipelines. Input problems (a feed that is
not a feed, a page that is not HTML) are counted in the stats under
`newsfold/skipped/<reason>` and logged, and the crawl goes on.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.gz import gunzip, gzip_magic_number

from crawler.feeds import FeedError, parse_feed
from crawler.items import Hints, Page
from crawler.pagekind import looks_like_article
from crawler.sitemaps import SitemapError, parse_sitemap
from crawler.urls import canonical_url, site_of

DEFAULT_DEPTH = 2


def split_arg(value: str | None) -> list[str]:
    """A comma-separated spider argument as a list."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def read_list(path: str | None) -> list[str]:
    """Lines of a list file, without blank lines and `#` comments."""
    if not path:
        return []
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def parse_since(value: str | None, now: datetime | None = None) -> datetime | None:
    """`-a since=`: an age ("90m", "12h", "2d", "1w") or an ISO date or date-time."""
    if not value:
        return None
    now = now or datetime.now(UTC)
    age = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", value.lower())
    if age:
        unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[age[2]]
        return now - timedelta(**{unit: int(age[1])})
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as error:
        raise ValueError(
            f"since={value!r}: use an age such as 2d or 12h, or an ISO date"
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class NewsSpider(Spider):
    """Base spider: shared parsing; subclasses define `start()` from their arguments.

    `-a since=2d` (or an ISO date) skips feed and news-sitemap entries dated before it.
    """

    def __init__(self, since: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.since = parse_since(since)

    def too_old(self, published: str | None, url: str) -> bool:
        """Whether a feed or sitemap entry is dated before `since` (counted, then skipped)."""
        if self.since is None or not published:
            return False
        try:  # feed dates are ISO already; news sitemaps use W3C (ISO) dates
            moment = datetime.fromisoformat(published.strip().replace("Z", "+00:00"))
        except ValueError:
            return False
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if moment >= self.since:
            return False
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("newsfold/skipped/older_than_since")
        self.logger.debug("Skipped %s: published %s, before since", url, published)
        return True

    def skip(self, reason: str, url: str, detail: str = "") -> None:
        """Count and log an input that yields nothing, without stopping the crawl."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newsfold/skipped/{reason}")
        self.logger.warning("Skipped %s (%s)%s", url, reason, f": {detail}" if detail else "")

    def article_request(self, url: str, hints: Hints | None = None) -> Request:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("newsfold/requests/article")
        return Request(
            canonical_url(url),
            callback=self.parse_article,
            cb_kwargs={"hints": hints or Hints()},
        )

    def feed_request(self, url: str) -> Request:
        return Request(url, callback=self.parse_feed)

    def sitemap_request(self, url: str) -> Request:
        return Request(url, callback=self.parse_sitemap)

    def page_request(self, url: str, depth: int) -> Request:
        return Request(url, callback=self.parse_page, cb_kwargs={"depth": depth})

    def parse_article(self, response: Response, hints: Hints | None = None) -> Iterator[Page]:
        if not isinstance(response, HtmlResponse):
            content_type = response.headers.get("Content-Type") or b""
            self.skip("not_html", response.url, content_type.decode("latin-1"))
            return
        yield Page(
            url=response.url,
            body=response.body,
            encoding=response.encoding,
            fetched_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
            status=response.status,
            hints=hints or Hints(),
        )

    def parse_feed(self, response: Response) -> Iterator[Request]:
        try:
            entries = parse_feed(response.body, response.url)
        except FeedError as error:
            self.skip("bad_feed", response.url, str(error))
            return
        for entry in entries:
            if self.too_old(entry.published, entry.url):
                continue
            hints = Hints(
                title=entry.title,
                published=entry.published,
                published_source="feed" if entry.published else None,
                source_url=response.url,
            )
            yield self.article_request(urljoin(response.url, entry.url), hints)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        if urlsplit(response.url).path.endswith("/robots.txt"):
            yield from self._robots_sitemaps(response)
            return
        body = response.body
        if gzip_magic_number(response):
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except (OSError, ValueError) as error:
                self.skip("bad_sitemap", response.url, f"gzip: {error}")
                return
        try:
            sitemap = parse_sitemap(body)
        except SitemapError as error:
            self.skip("bad_sitemap", response.url, str(error))
            return
        for entry in sitemap.entries:
            url = urljoin(response.url, entry.loc)
            if sitemap.kind == "sitemapindex":
                yield self.sitemap_request(url)
                continue
            if self.too_old(entry.news_published, url):
                continue
            hints = Hints(
                title=entry.news_title,
                published=entry.news_published,
                published_source="sitemap" if entry.news_published else None,
                source_url=response.url,
            )
            yield self.article_request(url, hints)

    def _robots_sitemaps(self, response: Response) -> Iterator[Request]:
        text = (
            response.text
            if isinstance(response, TextResponse)
            else response.body.decode("utf-8", "replace")
        )
        found = [
            line.split(":", 1)[1].strip()
            for line in text.splitlines()
            if line.lower().startswith("sitemap:") and ":" in line
        ]
        if not found:
            self.skip("no_sitemap", response.url, "robots.txt lists no Sitemap")
        for url in found:
            yield self.sitemap_request(urljoin(response.url, url))

    def parse_page(self, response: Response, depth: int = DEFAULT_DEPTH) -> Iterator[Any]:
        """A page met on a site crawl: an article goes to extraction, links are followed."""
        if not isinstance(response, HtmlResponse):
            self.skip("not_html", response.url)
            return
        if looks_like_article(response.url, response.selector):
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("newsfold/requests/article")
            yield from self.parse_article(response)
        else:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("newsfold/site/not_article_like")
        if depth > 0:
            for link in self._site_links(response):
                yield self.page_request(link, depth - 1)

    def _site_links(self, response: HtmlResponse) -> Iterable[str]:
        extractor = LinkExtractor(allow_domains=[urlsplit(response.url).hostname or ""])
        site = site_of(response.url)
        for link in extractor.extract_links(response):
            if site_of(link.url) == site:
                yield canonical_url(link.url)

    async def start(self) -> AsyncIterator[Any]:
        for request in self.start_requests_from_args():
            yield request

    def start_requests_from_args(self) -> Iterable[Request]:
        """The first requests, from the spider's arguments (each subclass says which)."""
        raise NotImplementedError


def sitemap_location(site_or_url: str) -> str:
    """A site's robots.txt, where it lists its sitemaps, or the sitemap URL as given."""
    if "://" not in site_or_url:
        site_or_url = f"https://{site_or_url}"
    parts = urlsplit(site_or_url)
    if parts.path in {"", "/"}:
        return f"{parts.scheme}://{parts.netloc}/robots.txt"
    return site_or_url
