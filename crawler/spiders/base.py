"""The callbacks every newsfold spider shares: feeds, sitemaps, site pages, articles.

Spiders differ only in where they start; whatever the route, an article page ends in
`parse_article`, which yields a `Page` for the pipelines. Input problems (a feed that is
not a feed, a page that is not HTML, binary or a bot challenge) are counted in the stats
under `newsfold/skipped/<reason>` and logged, failed requests (every request's errback is
`on_error`) under `newsfold/errors/<reason>`, and the crawl goes on.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, get_args
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gzip_magic_number
from twisted.python.failure import Failure

from crawler.ages import parse_age
from crawler.config import ConfigError, did_you_mean
from crawler.feeds import FeedError, parse_feed
from crawler.items import Hints, Page
from crawler.pagekind import looks_like_article
from crawler.request_meta import ARTICLE, SOURCE, article_done, source_of, warc_place
from crawler.responses import (
    Charset,
    bot_challenge,
    choose_encoding,
    declares_entities,
    failure_reason,
    is_binary,
    is_empty,
)
from crawler.runstats import InputTotal
from crawler.signals import page_refused
from crawler.sitemaps import (
    SITEMAP_MAX_URLS,
    Sitemap,
    SitemapError,
    gunzip,
    http_url,
    parse_sitemap,
    robots_sitemaps,
    sitemap_size_limit,
)
from crawler.sources import DEFAULT_DEPTH
from crawler.stats import (
    ARTICLE_REQUESTS,
    CHARSET_CORRECTED,
    CHARSET_DETECTED,
    ERRORS,
    INPUT_TOTAL,
    SITE_NOT_ARTICLE_LIKE,
    SITEMAPS,
    SKIPPED,
    SKIPPED_OLDER_THAN_SINCE,
)
from crawler.urllists import Listed, usable
from crawler.urls import canonical_url, site_of, url_problem

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler


def parse_since(value: str | None, now: datetime | None = None) -> datetime | None:
    """`-a since=`: an age ("90m", "12h", "2d", "1w") or an ISO date or date-time."""
    if not value:
        return None
    age = parse_age(value)
    if age is not None:
        return (now or datetime.now(UTC)) - age
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"-a since={value!r}: use an age such as 90m, 12h, 2d or 1w, or an ISO date "
            "such as 2024-03-01"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Arg:
    """What a spider's `-a` argument means, declared on its `__init__` parameter
    (`feeds: Annotated[str | None, Arg("F1,F2", "...")] = None`): the parameter is
    both what the spider parses and what `crawl SPIDER --help` shows, so the two cannot
    drift apart. `value` is how the value is written (PATH, U1,U2, N)."""

    value: str
    help: str


@dataclass(frozen=True)
class Argument:
    """One `-a` argument of a spider, for its help and its checks."""

    name: str
    value: str
    help: str  # empty when the parameter has no `Arg` (tests/crawler/test_cli.py refuses that)
    default: Any = None


class NewsSpider(Spider):
    """Base spider: shared parsing; subclasses define `start()` from their arguments.

    The arguments a spider takes are the parameters of its `__init__` and its bases';
    any other is refused, since Scrapy would quietly keep it as an attribute and the run
    would go on without the argument the operator meant.
    """

    # Feeds and sitemaps list the run's work as they are read (see InputTotal).
    input_total: InputTotal = "growing"
    input_unit: ClassVar[str] = "URLs"  # what that work is counted in, for the progress line
    summary: ClassVar[str] = ""  # one line for `newsfold --help`

    def __init__(
        self,
        since: Annotated[
            str | None,
            Arg(
                "AGE|DATE",
                "skip feed and news-sitemap entries dated before it: an age (90m, 12h, 2d, "
                "1w) or an ISO date or date-time (2024-03-01)",
            ),
        ] = None,
        **kwargs: Any,
    ):
        self.check_argument_names(kwargs)
        super().__init__()
        self.since = parse_since(since)
        # Listed URLs that cannot be fetched: counted and logged when the crawl starts.
        self.unusable: list[Listed] = []

    @classmethod
    def check_argument_names(cls, given: Iterable[str]) -> None:
        """ConfigError naming the first argument this spider does not take, and the valid ones."""
        valid = [argument.name for argument in cls.arguments()]
        unknown = sorted(set(given) - set(valid))
        if unknown:
            raise ConfigError(
                f"-a {unknown[0]}: the {cls.name} spider takes no such argument"
                f"{did_you_mean(unknown[0], valid)}; it takes "
                + ", ".join(f"-a {name}=" for name in valid)
            )

    @classmethod
    def arguments(cls) -> list[Argument]:
        """The `-a` arguments this spider takes: its `__init__` parameters and its bases'."""
        found: dict[str, Argument] = {}
        for klass in cls.__mro__:
            if not issubclass(klass, NewsSpider):
                break
            signature = inspect.signature(klass.__init__, eval_str=True)
            for parameter in signature.parameters.values():
                if parameter.name in found or parameter.name == "self":
                    continue
                if parameter.kind not in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
                    continue
                declared = [
                    meta for meta in get_args(parameter.annotation)[1:] if isinstance(meta, Arg)
                ]
                arg = declared[0] if declared else Arg("VALUE", "")
                default = None if parameter.default is parameter.empty else parameter.default
                found[parameter.name] = Argument(parameter.name, arg.value, arg.help, default)
        return list(found.values())

    def fetchable(self, entries: Iterable[Listed], needs: str) -> list[Listed]:
        """The entries of a URL list that can be fetched; the others are kept to be counted.

        ConfigError (the run does not start) when none can: see `crawler.urllists.usable`.
        """
        good, bad = usable(entries, needs)
        self.unusable.extend(bad)
        return good

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
        self.crawler.stats.inc_value(SKIPPED_OLDER_THAN_SINCE)
        self.logger.debug("Skipped %s: published %s, before since", url, published)
        return True

    def skip(self, reason: str, url: str, detail: str = "", source: str | None = None) -> None:
        """Count and log an input that yields nothing, without stopping the crawl."""
        self._refused("skipped", reason, url, detail, source)

    def error(self, reason: str, url: str, detail: str = "", source: str | None = None) -> None:
        """Count and log a request that failed (HTTP error, timeout, refused connection)."""
        self._refused("error", reason, url, detail, source)

    def _refused(self, kind: str, reason: str, url: str, detail: str, source: str | None) -> None:
        assert self.crawler.stats is not None
        group = SKIPPED if kind == "skipped" else ERRORS
        self.crawler.stats.inc_value(group + reason)
        self.logger.warning(
            "%s %s (%s)%s", kind.capitalize(), url, reason, f": {detail}" if detail else ""
        )
        self.crawler.signals.send_catch_log(
            page_refused, kind=kind, reason=reason, url=url, source=source
        )

    def usable_url(self, url: str, source: str | None = None) -> bool:
        """Whether a request can be built for `url`; if not, it is counted as `bad_url`.

        A link from a feed, sitemap or page can be anything (`javascript:`, `mailto:`,
        garbage): it is skipped with its reason, and the rest of the response is read.
        """
        problem = url_problem(url)
        if problem is None:
            return True
        self.skip("bad_url", url, problem, source)
        return False

    def article_request(
        self, url: str, hints: Hints | None = None, source: str | None = None, listed: bool = True
    ) -> Request | None:
        """A request for an article page (None for a URL that cannot be fetched, counted).

        `SeenUrlsMiddleware` skips pages already done. The URL counts in the input's total
        unless it was `listed` already (a URL list counts all its lines at start).
        """
        if not self.usable_url(url, source):
            return None
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(ARTICLE_REQUESTS)
        if listed:
            self.crawler.stats.inc_value(INPUT_TOTAL)
        url = canonical_url(url)
        return Request(
            url,
            callback=self.parse_article,
            errback=self.on_error,
            cb_kwargs={"hints": hints or Hints()},
            meta={SOURCE: source or url, ARTICLE: True},
        )

    def feed_request(self, url: str, source: str | None = None) -> Request | None:
        if not self.usable_url(url, source):
            return None
        return Request(
            url, callback=self.parse_feed, errback=self.on_error, meta={SOURCE: source or url}
        )

    def sitemap_request(self, url: str, source: str | None = None) -> Request:
        """A request for a sitemap (or for the robots.txt that lists a site's sitemaps).

        A sitemap may be as large as the protocol allows (50 MB) however it comes, plain,
        gzipped or with `Content-Encoding: gzip` (which Scrapy's HttpCompressionMiddleware
        decodes within the request's `download_maxsize`); DOWNLOAD_MAXSIZE bounds the rest.
        """
        meta: dict[str, Any] = {SOURCE: source or url}
        if not _is_robots(url):
            meta["download_maxsize"] = self._sitemap_max_bytes()
        return Request(url, callback=self.parse_sitemap, errback=self.on_error, meta=meta)

    def _sitemap_max_bytes(self) -> int:
        return sitemap_size_limit(self.settings.getint("DOWNLOAD_MAXSIZE"))

    def page_request(self, url: str, depth: int, source: str | None = None) -> Request | None:
        if not self.usable_url(url, source):
            return None
        return Request(
            url,
            callback=self.parse_page,
            errback=self.on_error,
            cb_kwargs={"depth": depth},
            meta={SOURCE: source or url},
        )

    def parse_article(self, response: Response, hints: Hints | None = None) -> Iterator[Page]:
        article_done(self.crawler, response.meta)
        charset = self._readable(response)
        if charset is not None:
            yield self._page(response, charset, hints)

    def _readable(self, response: Response) -> Charset | None:
        """The page's real encoding, or None when the page is refused (counted and logged).

        Empty, non-HTML and binary bodies and bot challenges are refused here, before any
        parser sees them; a charset declaration the bytes prove wrong is overridden.
        """
        source = source_of(response)
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        if is_empty(response.body):
            self.skip("empty_body", response.url, f"HTTP {response.status}, no content", source)
            return None
        if not isinstance(response, HtmlResponse):
            self.skip("not_html", response.url, content_type, source)
            return None
        charset = choose_encoding(content_type, response.body)
        if is_binary(response.body, charset.encoding):
            self.skip("binary_body", response.url, content_type, source)
            return None
        marker = bot_challenge(response.body, charset.encoding)
        if marker:
            self.skip("bot_challenge", response.url, marker, source)
            return None
        assert self.crawler.stats is not None
        if charset.corrected:
            self.crawler.stats.inc_value(CHARSET_CORRECTED)
            self.logger.info(
                "Decoded %s as %s, not as declared %s (chosen by: %s)",
                response.url,
                charset.encoding,
                charset.declared,
                charset.source,
            )
        elif charset.source == "detected":
            self.crawler.stats.inc_value(CHARSET_DETECTED)
        return charset

    def _page(self, response: Response, charset: Charset, hints: Hints | None) -> Page:
        return Page(
            url=response.url,
            body=response.body,
            encoding=charset.encoding,
            fetched_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
            status=response.status,
            hints=hints or Hints(),
            warc=warc_place(response.meta),
        )

    def parse_feed(self, response: Response) -> Iterator[Request | None]:
        yield from self._feed_requests(response, response.body, _content_type(response))

    def _feed_requests(
        self, response: Response, body: bytes, content_type: str | None
    ) -> Iterator[Request | None]:
        """Article requests for a feed's entries, with the feed's title and date as hints."""
        try:
            entries = parse_feed(body, response.url, content_type)
        except FeedError as error:
            self.skip(error.reason, response.url, str(error), source_of(response))
            return
        if not entries:
            self.logger.debug("Feed %s has no entries", response.url)
        for entry in entries:
            url = http_url(entry.url, response.url)
            if url is None:
                self._bad_url(response, entry.url)
                continue
            if self.too_old(entry.published, url):
                continue
            hints = Hints(
                title=entry.title,
                published=entry.published,
                published_source="feed" if entry.published else None,
                source_url=response.url,
            )
            yield self.article_request(url, hints, source_of(response))

    def parse_sitemap(self, response: Response) -> Iterator[Request | None]:
        """A sitemap index, urlset or text sitemap (plain or gzipped), a feed listed as a
        sitemap, or a robots.txt and its `Sitemap:` lines."""
        if _is_robots(response.url):
            yield from self._robots_sitemaps(response)
            return
        source = source_of(response)
        body, cut, content_type = response.body, False, _content_type(response)
        try:
            if gzip_magic_number(response):  # a .gz file; Content-Encoding is decoded already
                body, whole = gunzip(body, self._sitemap_max_bytes())
                cut, content_type = not whole, None
            if declares_entities(body):  # the parsers would not expand them; refused all the same
                raise SitemapError("entities declared", reason="xml_entities")
            sitemap = parse_sitemap(body, cut)
        except SitemapError as error:
            self.skip(error.reason, response.url, str(error), source)
            return
        if sitemap.kind == "feed":
            self.logger.info("Sitemap %s is a feed: read as a feed", response.url)
            yield from self._feed_requests(response, body, content_type)
            return
        self._sitemap_notes(response, sitemap)
        for entry in sitemap.entries:
            url = http_url(entry.loc, response.url)
            if url is None:
                self._bad_url(response, entry.loc)
                continue
            if sitemap.kind == "sitemapindex":
                yield self.sitemap_request(url, source)
                continue
            if self.too_old(entry.news_published, url):
                continue
            hints = Hints(
                title=entry.news_title,
                published=entry.news_published,
                published_source="sitemap" if entry.news_published else None,
                source_url=response.url,
            )
            yield self.article_request(url, hints, source)

    def _sitemap_notes(self, response: Response, sitemap: Sitemap) -> None:
        """Count and log what a readable sitemap lacked: its end, lines that are no URL,
        and the protocol's limit on entries (all of them are read all the same)."""
        assert self.crawler.stats is not None
        notes: list[tuple[str, str]] = []
        if sitemap.truncated:
            notes.append(("truncated", "ends before its root is closed: read its %d whole entries"))
        if sitemap.over_url_limit:
            limit = f"{SITEMAP_MAX_URLS:,}"
            notes.append(("over_url_limit", f"lists %d URLs, more than the protocol's {limit}"))
        for stat, note in notes:
            self.crawler.stats.inc_value(SITEMAPS + stat)
            self.logger.warning(f"Sitemap %s {note}", response.url, len(sitemap.entries))
        self._bad_lines(response, sitemap.bad_lines)
        if not sitemap.entries:
            self.logger.debug("Sitemap %s has no entries", response.url)

    def _bad_lines(self, response: Response, lines: list[tuple[int, str]]) -> None:
        """Each line of a text sitemap or robots.txt that should name a URL and does not."""
        for number, value in lines:
            self._bad_url(response, value, f"line {number}: ")

    def _bad_url(self, response: Response, value: str, where: str = "") -> None:
        """A feed or sitemap entry (or line) whose URL no request can be made of."""
        problem = url_problem(value) or "not an http(s) URL"
        self.skip("bad_url", response.url, f"{where}{value!r}: {problem}", source_of(response))

    def _robots_sitemaps(self, response: Response) -> Iterator[Request | None]:
        text = (
            response.text
            if isinstance(response, TextResponse)
            else response.body.decode("utf-8", "replace")
        )
        found, bad = robots_sitemaps(text, response.url)
        if not found:
            unusable = "; ".join(f"line {number}: {value!r}" for number, value in bad)
            detail = f"no usable Sitemap line ({unusable})" if bad else "no Sitemap line"
            self.skip("no_sitemap", response.url, detail, source_of(response))
            return
        self._bad_lines(response, bad)
        for url in found:
            yield self.sitemap_request(url, source_of(response))

    def parse_page(self, response: Response, depth: int = DEFAULT_DEPTH) -> Iterator[Any]:
        """A page met on a site crawl: an article goes to extraction, links are followed."""
        charset = self._readable(response)
        if charset is None:
            return
        assert isinstance(response, HtmlResponse)  # _readable refuses anything else
        if charset.encoding != response.encoding:  # links and markers read in the real charset
            response = response.replace(encoding=charset.encoding)
        assert self.crawler.stats is not None
        if looks_like_article(response.url, response.selector):
            self.crawler.stats.inc_value(ARTICLE_REQUESTS)
            yield self._page(response, charset, None)
        else:
            self.crawler.stats.inc_value(SITE_NOT_ARTICLE_LIKE)
        if depth > 0:
            for link in self._site_links(response):
                request = self.page_request(link, depth - 1, source_of(response))
                if request is not None:
                    yield request

    def on_error(self, failure: Failure) -> None:
        """Every request's errback: a request that gave no page is counted under its reason.

        HTTP error statuses, timeouts, DNS and connection failures are errors; requests
        refused on purpose (robots.txt, private addresses, redirect loops, bodies over
        DOWNLOAD_MAXSIZE, bot challenges served with an error status) are skipped.
        """
        request: Request = failure.request  # type: ignore[attr-defined]
        article_done(self.crawler, request.meta)
        error = failure.value
        assert error is not None
        kind, reason = failure_reason(error)
        detail = str(error) or type(error).__name__
        if reason == "too_large" and not str(error):
            detail = "download cancelled at DOWNLOAD_MAXSIZE"
        if isinstance(error, HttpError):
            detail = f"HTTP {error.response.status}"
            body = error.response.body
            content_type = (error.response.headers.get("Content-Type") or b"").decode("latin-1")
            marker = bot_challenge(body, choose_encoding(content_type, body).encoding)
            if marker:
                kind, reason, detail = "skipped", "bot_challenge", f"{detail}, {marker}"
        source = request.meta.get(SOURCE)
        url = (request.meta.get("redirect_urls") or [request.url])[0]  # as the source gave it
        if url != request.url:
            detail = f"{detail} (redirected to {request.url})"
        if reason == "private_network" and isinstance(error, IgnoreRequest):
            # PrivateNetworkMiddleware has counted and logged it; tell the per-source counts.
            self.crawler.signals.send_catch_log(
                page_refused, kind=kind, reason=reason, url=url, source=source
            )
            return
        if kind == "skipped":
            self.skip(reason, url, detail, source)
        else:
            self.error(reason, url, detail, source)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_dropped, signal=signals.request_dropped)
        return spider

    def on_dropped(self, request: Request) -> None:
        """A redirect back to a URL of its own chain: the duplicate filter drops it silently
        (no errback runs), so the loop is counted here; so is a URL listed twice."""
        article_done(self.crawler, request.meta)
        chain = request.meta.get("redirect_urls", [])
        if canonical_url(request.url) in {canonical_url(url) for url in chain}:
            self.skip(
                "redirect_loop",
                chain[0],
                f"redirected back to {request.url} after {len(chain)} redirects",
                request.meta.get(SOURCE),
            )

    def _site_links(self, response: HtmlResponse) -> Iterable[str]:
        extractor = LinkExtractor(allow_domains=[urlsplit(response.url).hostname or ""])
        site = site_of(response.url)
        for link in extractor.extract_links(response):
            if url_problem(link.url) is None and site_of(link.url) == site:
                yield canonical_url(link.url)

    async def start(self) -> AsyncIterator[Any]:
        for entry in self.unusable:
            source = entry.source or entry.text
            self.skip("bad_url", entry.text, f"{entry.where}: {entry.problem}", source)
        for request in self.start_requests_from_args():
            if request is not None:
                yield request

    def start_requests_from_args(self) -> Iterable[Request | None]:
        """The first requests, from the spider's arguments (each subclass says which)."""
        raise NotImplementedError


def _is_robots(url: str) -> bool:
    return urlsplit(url).path.endswith("/robots.txt")


def _content_type(response: Response) -> str | None:
    """The response's Content-Type header, which feedparser needs for the charset."""
    value = response.headers.get("Content-Type")
    return value.decode("latin-1") if value else None


def sitemap_location(site_or_url: str) -> str:
    """A site's robots.txt, where it lists its sitemaps, or the sitemap URL as given."""
    if "://" not in site_or_url:
        site_or_url = f"https://{site_or_url}"
    try:
        parts = urlsplit(site_or_url)
    except ValueError:  # "[::1": left for `url_problem` to explain
        return site_or_url
    if parts.path in {"", "/"}:
        return f"{parts.scheme}://{parts.netloc}/robots.txt"
    return site_or_url
