"""Discovery: from a site's page to the feeds and sitemaps that list its articles.

Pure logic, free of Scrapy: the spiders fetch (`crawler.spiders.discovering`), this
module says what to fetch and what a fetched candidate is worth. Candidates come from
the feeds a page declares (`<link rel="alternate">`), feed-looking anchors, the
`Sitemap:` lines of robots.txt, then a bounded list of common paths (those trafilatura's
feeds.py and sitemaps.py guess, and the news-sitemap names news sites use). Only links
of the page's own site count (`crawler.urls.site_of`): a feed on another host is a
syndication partner's, not the site's. A fetched candidate is read with the crawl's own
readers (`crawler.feeds`, `crawler.sitemaps`), and it is kept only when a share of a
sample of its entries are article pages (`crawler.pagekind`). Google News sitemaps rank
first (dated and titled, the freshest list), then feeds, then general sitemaps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.feeds import FeedError, parse_feed
from crawler.sitemaps import (
    SITEMAP_MAX_BYTES,
    SitemapError,
    gunzip,
    http_url,
    parse_sitemap,
    robots_sitemaps,
)
from crawler.urls import canonical_url, site_of

# `type` values of <link rel="alternate"> that name a feed (trafilatura's FEED_TYPES,
# without text/plain and text/xml, which name anything).
FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/json",
    "application/x-atom+xml",
    "application/x.atom+xml",
    "text/rss+xml",
    "text/atom+xml",
    "text/rdf+xml",
}
# An anchor's path or query that looks like a feed (after trafilatura's
# LINK_VALIDATION_RE, without its bare word "rss", which a story's slug can hold).
FEED_PATH = re.compile(r"\.(?:atom|rdf|rss)$|(?:^|/)(?:feed|rss|atom)(?:\.xml)?/?$", re.I)
FEED_QUERY = re.compile(r"(?:^|&)feed=(?:atom|rdf|rss|rss2)\b", re.I)
COMMENT_FEED = re.compile(r"\bcomments?\b", re.I)  # a comments feed lists no articles
# Common paths, news sitemaps first: probed in this order until DISCOVERY_MAX_PROBES.
COMMON_PATHS = (
    "/news-sitemap.xml",
    "/sitemap-news.xml",
    "/sitemap_news.xml",
    "/feed",
    "/rss",
    "/rss.xml",
    "/feed.xml",
    "/atom.xml",
    "/index.xml",
    "/sitemap.xml",
    "/sitemap_index.xml",
    "/sitemap.xml.gz",
)
# How a candidate was found, in the order they are probed.
ORIGINS = ("declared", "anchor", "robots", "common")
# What a candidate turned out to be, best first (`rank`); "start" is the page discovery
# began from, crawled as a start page when the site lists its articles nowhere else.
KINDS = ("news_sitemap", "feed", "sitemap", "start")
GZIP_MAGIC = b"\x1f\x8b"
HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)


@dataclass(frozen=True)
class Candidate:
    url: str
    origin: str  # one of ORIGINS
    parent: str | None = None  # the sitemap index that listed it


@dataclass
class Refusal:
    """A link discovery met and did not use, with the stat reason it is counted under."""

    url: str
    reason: str
    detail: str


@dataclass
class Reading:
    """A fetched candidate read: what it is, its entries, or why it is no use."""

    url: str
    kind: str | None = None  # one of KINDS, "sitemap_index", or None when refused
    entries: list[str] = field(default_factory=list)  # article URLs of the site
    newest: str | None = None
    children: list[str] = field(default_factory=list)  # an index's sitemaps
    problem: Refusal | None = None


def declared_and_anchor_links(
    body: bytes | str, page_url: str
) -> tuple[list[Candidate], list[Refusal]]:
    """The feeds a page declares and the feed-looking links among its anchors, of its
    own site, in page order; a feed link of another site is refused (`off_site_link`)."""
    selector = Selector(text=body.decode("utf-8", "replace") if isinstance(body, bytes) else body)
    base = selector.xpath("//base/@href").get() or page_url
    found: list[Candidate] = []
    refused: list[Refusal] = []
    declared = [
        link.attrib.get("href", "")
        for link in selector.xpath("//link[@href]")
        if "alternate" in link.attrib.get("rel", "").lower().split()
        and link.attrib.get("type", "").split(";")[0].strip().lower() in FEED_TYPES
    ]
    anchors = [href for href in selector.xpath("//a/@href").getall() if _feed_looking(href)]
    for origin, hrefs in (("declared", declared), ("anchor", anchors)):
        for href in hrefs:
            url = http_url(href, urljoin(page_url, base))
            if url is None or COMMENT_FEED.search(url):
                continue
            if site_of(url) != site_of(page_url):
                refused.append(
                    Refusal(url, "off_site_link", f"a feed of another site, on {page_url}")
                )
                continue
            found.append(Candidate(url, origin))
    return found, refused


def _feed_looking(href: str) -> bool:
    try:
        parts = urlsplit(href.strip())
    except ValueError:
        return False
    return bool(FEED_PATH.search(parts.path) or FEED_QUERY.search(parts.query))


def robots_candidates(text: str, robots_url: str) -> list[Candidate]:
    """The sitemaps a site's robots.txt lists, of its own site."""
    urls, _ = robots_sitemaps(text, robots_url)
    return [Candidate(url, "robots") for url in urls if site_of(url) == site_of(robots_url)]


def common_candidates(home: str) -> list[Candidate]:
    parts = urlsplit(home)
    return [Candidate(f"{parts.scheme}://{parts.netloc}{path}", "common") for path in COMMON_PATHS]


def plan(candidates: list[Candidate], limit: int) -> list[Candidate]:
    """Each URL once, by origin (declared, anchor, robots, common), at most `limit`."""
    ordered = sorted(candidates, key=lambda candidate: ORIGINS.index(candidate.origin))
    seen: set[str] = set()
    chosen = []
    for candidate in ordered:
        key = canonical_url(candidate.url)
        if key not in seen:
            seen.add(key)
            chosen.append(candidate)
    return chosen[:limit]


def read_candidate(body: bytes, url: str, content_type: str | None = None) -> Reading:
    """What a fetched candidate is: a feed or sitemap read by the crawl's own readers,
    with the entries of the candidate's site; or the reason it is no use."""
    if body[:2] == GZIP_MAGIC:  # /sitemap.xml.gz, sent without Content-Encoding
        try:
            body, _ = gunzip(body, SITEMAP_MAX_BYTES)
        except SitemapError as error:
            return Reading(url, problem=Refusal(url, "not_feed_or_sitemap", str(error)))
    if HTML_START.match(body[:2048]):
        return Reading(
            url, problem=Refusal(url, "feed_is_html", "an HTML page, not a feed or sitemap")
        )
    try:
        sitemap = parse_sitemap(body)
    except SitemapError as error:
        sitemap_problem: str | None = str(error)
        sitemap = None
    else:
        sitemap_problem = None
    if sitemap is not None and sitemap.kind == "sitemapindex":
        children = [entry.loc for entry in sitemap.entries]
        own = [child for child in children if site_of(child) == site_of(url)]
        return Reading(url, "sitemap_index", children=own)
    if sitemap is not None and sitemap.kind in {"urlset", "text"}:
        news = [entry for entry in sitemap.entries if entry.news_published]
        dates = [entry.news_published or entry.lastmod for entry in sitemap.entries]
        reading = Reading(
            url, "news_sitemap" if news else "sitemap", [entry.loc for entry in sitemap.entries]
        )
        return _own_entries(reading, dates)
    try:
        entries = parse_feed(body, url, content_type)
    except FeedError as error:
        detail = f"neither a feed ({error}) nor a sitemap ({sitemap_problem or 'a feed root'})"
        return Reading(url, problem=Refusal(url, "not_feed_or_sitemap", detail))
    reading = Reading(url, "feed", [entry.url for entry in entries])
    return _own_entries(reading, [entry.published for entry in entries])


def _own_entries(reading: Reading, dates: list[str | None]) -> Reading:
    """Only the entries of the candidate's own site count; one that lists only other
    sites' pages is refused (`off_site_entries`)."""
    own = [(url, date) for url, date in zip(reading.entries, dates, strict=True)
           if site_of(url) == site_of(reading.url)]  # fmt: skip
    if reading.entries and not own:
        return Reading(
            reading.url,
            problem=Refusal(reading.url, "off_site_entries", "every entry is on another site"),
        )
    reading.entries = [url for url, _ in own]
    known = [date for _, date in own if date]
    reading.newest = max(known) if known else None
    return reading


def index_loop(child: str, ancestors: list[str]) -> bool:
    """Whether a sitemap index lists itself or one of the indexes that led to it."""
    return canonical_url(child) in {canonical_url(url) for url in ancestors}


def rank(kind: str) -> int:
    return KINDS.index(kind)


def sample(entries: list[str], size: int) -> list[str]:
    """The first `size` distinct entries: the newest in a feed, the first listed in a
    sitemap (spread would cost a request each and judge the same rule)."""
    return list(dict.fromkeys(entries))[:size]


@dataclass
class Found:
    """A candidate judged: what it is, what it lists, and how many sampled pages of it
    are articles."""

    url: str
    kind: str  # one of KINDS
    entries: int
    newest: str | None
    articles: int  # sampled entries that are article pages
    sampled: int

    @property
    def share(self) -> float:
        return self.articles / self.sampled if self.sampled else 0.0

    def describe(self) -> str:
        newest = f", newest {self.newest}" if self.newest else ""
        listed = "links" if self.kind == "start" else "entries"
        return (
            f"{self.kind.replace('_', ' ')}: {self.entries} {listed}{newest}, "
            f"{self.articles}/{self.sampled} sampled pages are articles"
        )


def choose(found: list[Found], min_share: float) -> list[Found]:
    """The candidates a source should list: the news sitemaps and feeds whose sampled
    entries are articles; failing those, general sitemaps (a whole archive, heavier to
    read each run); failing those, the start page."""
    good = [item for item in found if item.sampled and item.share >= min_share]
    for kinds in (("news_sitemap", "feed"), ("sitemap",), ("start",)):
        chosen = [item for item in good if item.kind in kinds]
        if chosen:
            return sorted(chosen, key=lambda item: rank(item.kind))
    return []
