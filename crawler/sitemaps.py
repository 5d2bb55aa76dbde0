"""Sitemap reading: XML urlsets and indexes with their Google News fields, text sitemaps,
feeds listed as sitemaps, and the `Sitemap:` lines of robots.txt.

Scrapy's `Sitemap` flattens each entry to its direct children and so loses
`news:publication_date` and `news:title`, the best date evidence a news site offers.
This reader keeps them, and refuses entities and network access while parsing (the
spider refuses a sitemap that declares entities before it gets here). An entry counts
only once its closing tag has been read (`crawler.xmlstream`): of a sitemap cut off
anywhere, only the entries it completes are kept, so a URL cut in half, or an entry
without the date and title that followed, is never used; broken XML is read as far as
it goes and never raises anything but `SitemapError`.
"""

from __future__ import annotations

import codecs
import re
import struct
import zlib
from dataclasses import dataclass, field
from gzip import GzipFile
from io import BytesIO
from urllib.parse import urljoin

from lxml import etree

from crawler.feeds import FEED_ROOTS
from crawler.urls import url_problem
from crawler.xmlstream import ClosedElements, local_name, text_of

# The sitemap protocol's limits on one file (sitemaps.org): 50 MB (52,428,800 bytes)
# uncompressed, and 50,000 URLs.
SITEMAP_MAX_BYTES = 50 * 1024 * 1024
SITEMAP_MAX_URLS = 50_000

ENTRY_ELEMENT = {"urlset": "url", "sitemapindex": "sitemap"}  # root element: its entries
# The elements read: roots (a feed's root to recognise it) and entries.
READ_ELEMENTS = {*ENTRY_ELEMENT, *ENTRY_ELEMENT.values(), *FEED_ROOTS}
# robots.txt keys naming a sitemap, matched as Google's parser does: any key starting so,
# in any case ("Sitemap", "sitemaps", "Site-map").
ROBOTS_SITEMAP_KEYS = ("sitemap", "site-map")
LINE_BREAK = re.compile(r"\r\n|\r|\n")
SHOWN_CHARS = 200  # of an unusable line, in the log
GUNZIP_CHUNK = 64 * 1024


@dataclass
class SitemapEntry:
    loc: str
    lastmod: str | None = None
    news_title: str | None = None
    news_published: str | None = None


@dataclass
class Sitemap:
    # "sitemapindex", "urlset", "text" (a URL a line) or "feed" (to be read by
    # crawler.feeds: a feed given where a sitemap was expected; it has no entries here)
    kind: str
    entries: list[SitemapEntry] = field(default_factory=list)
    truncated: bool = False  # ends before its root element is closed: cut off, or broken
    bad_lines: list[tuple[int, str]] = field(default_factory=list)  # text: (number, line)

    @property
    def over_url_limit(self) -> bool:
        """More entries than the protocol allows in one file (all are read all the same)."""
        return len(self.entries) > SITEMAP_MAX_URLS


class SitemapError(ValueError):
    """The document is not a sitemap that can be read.

    `reason` names why, for the stats: `bad_sitemap`, or `too_large` for a gzipped
    sitemap that decompresses past its limit (a decompression bomb).
    """

    def __init__(self, message: str, reason: str = "bad_sitemap"):
        super().__init__(message)
        self.reason = reason


def sitemap_size_limit(download_maxsize: int) -> int:
    """Bytes a sitemap may have, decompressed: the protocol's 50 MB, or DOWNLOAD_MAXSIZE
    when that is larger; 0 (no limit) when DOWNLOAD_MAXSIZE is 0, as in Scrapy."""
    return 0 if download_maxsize <= 0 else max(download_maxsize, SITEMAP_MAX_BYTES)


def gunzip(body: bytes, max_size: int) -> tuple[bytes, bool]:
    """A gzipped sitemap decompressed, and whether its gzip stream was whole.

    Decompresses up to `max_size` bytes (0: no limit) and raises `SitemapError` with
    reason `too_large` past it, without ever holding more. A stream that stops early
    gives what it holds, so that its complete entries are still read.
    """
    stream = GzipFile(fileobj=BytesIO(body))
    out = BytesIO()
    while True:
        try:
            chunk = stream.read1(GUNZIP_CHUNK)
        except (OSError, EOFError, struct.error, zlib.error) as error:
            if out.tell():
                return out.getvalue(), False
            raise SitemapError(f"unreadable gzip: {error}") from error
        if not chunk:
            return out.getvalue(), True
        if max_size and out.tell() + len(chunk) > max_size:
            raise SitemapError(f"decompresses to more than {max_size:,} bytes", reason="too_large")
        out.write(chunk)


def parse_sitemap(body: bytes, cut: bool = False) -> Sitemap:
    """Entries of a sitemap index, urlset or text sitemap, with news fields where present.

    A feed is recognised by its root element and returned as kind "feed", unread.
    `cut` says the body is known to end early (a gzip stream that stopped): XML shows
    where it ends by itself, but of a text sitemap the last line then counts only when a
    line break ends it.
    """
    if not body.strip():
        raise SitemapError("empty sitemap document")
    if _is_text(body):
        return _text_sitemap(body, cut)
    return _xml_sitemap(body)


def _is_text(body: bytes) -> bool:
    """A text sitemap (UTF-8, as the protocol says) rather than XML in any encoding."""
    head = body[:1024].removeprefix(codecs.BOM_UTF8).lstrip()
    return not head.startswith((b"<", codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b"\x00"))


def _text_sitemap(body: bytes, cut: bool) -> Sitemap:
    """One URL a line; a line that is no absolute http(s) URL is kept aside, numbered."""
    sitemap = Sitemap("text", truncated=cut)
    text = body.decode("utf-8", errors="replace").removeprefix("\ufeff")
    lines = LINE_BREAK.split(text)
    if cut:
        lines.pop()  # what follows the last line break: whole, or cut anywhere
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            continue
        if _token_url(line):
            sitemap.entries.append(SitemapEntry(loc=line))
        else:
            sitemap.bad_lines.append((number, line[:SHOWN_CHARS]))
    if not sitemap.entries:
        raise SitemapError(
            f"not a sitemap: none of its {len(sitemap.bad_lines)} lines is an http(s) URL"
        )
    return sitemap


def _xml_sitemap(body: bytes) -> Sitemap:
    elements = ClosedElements(body, READ_ELEMENTS)
    sitemap: Sitemap | None = None
    for element in elements:
        sitemap = sitemap or _sitemap_for(elements.root)
        if sitemap.kind == "feed":
            return sitemap
        if element is elements.root_element:
            continue
        if local_name(element.tag) == ENTRY_ELEMENT[sitemap.kind]:
            entry = _entry(element)
            if entry is not None:
                sitemap.entries.append(entry)
            elements.release(element)
    if sitemap is None:  # not one element was closed
        if elements.root is None:
            raise SitemapError("unreadable sitemap XML: no element")
        sitemap = _sitemap_for(elements.root)
    if sitemap.kind != "feed":
        sitemap.truncated = not elements.complete
        if sitemap.truncated and not sitemap.entries:
            raise SitemapError("truncated sitemap: not one complete entry")
    return sitemap


def _sitemap_for(root: str | None) -> Sitemap:
    if root in ENTRY_ELEMENT:
        return Sitemap(root)
    if root in FEED_ROOTS:
        return Sitemap("feed")
    raise SitemapError(f"not a sitemap: root element <{root}>")


def _entry(element: etree._Element) -> SitemapEntry | None:
    """A closed <url> or <sitemap>: its first <loc>, <lastmod> and Google News fields."""
    fields: dict[str, str | None] = {}
    for child in element:
        name = local_name(child.tag)
        if name in {"loc", "lastmod"}:
            fields.setdefault(name, text_of(child))
        elif name == "news":  # news:news, whatever namespace URI the site wrote
            for news in child:
                news_name = local_name(news.tag)
                if news_name in {"title", "publication_date"}:
                    fields.setdefault(news_name, text_of(news))
    loc = fields.get("loc")
    if not loc:
        return None
    return SitemapEntry(
        loc=loc,
        lastmod=fields.get("lastmod"),
        news_title=fields.get("title"),
        news_published=fields.get("publication_date"),
    )


def http_url(value: str, base: str = "") -> str | None:
    """`value` as an absolute http(s) URL with a host (resolved against `base` when it is
    relative), or None: what a request can be made of without Scrapy refusing it."""
    try:
        url = urljoin(base, value.strip())
    except ValueError:  # a malformed [IPv6] host
        return None
    return url if url_problem(url) is None else None


def _token_url(value: str, base: str = "") -> str | None:
    """A URL standing alone on a line (text sitemap, robots.txt): no whitespace in it."""
    return None if any(char.isspace() for char in value) else http_url(value, base)


def robots_sitemaps(text: str, robots_url: str) -> tuple[list[str], list[tuple[int, str]]]:
    """The sitemap URLs a robots.txt lists, in order and once each, and its sitemap lines
    that name no usable URL, as (line number, value).

    Lines are read as Google's robots.txt parser and protego read them: a byte order
    mark, leading whitespace and `#` comments are ignored, keys in any case, `Sitemap`,
    `Sitemaps` or `Site-map`, and a space in place of a forgotten colon. A relative URL
    is taken relative to the robots.txt, as Scrapy's SitemapSpider does.
    """
    found: list[str] = []
    bad: list[tuple[int, str]] = []
    for number, line in enumerate(LINE_BREAK.split(text.removeprefix("\ufeff")), start=1):
        key, value = _directive(line)
        if not key.lower().startswith(ROBOTS_SITEMAP_KEYS) or not value:
            continue
        url = _token_url(value, robots_url)
        if url is None:
            bad.append((number, value[:SHOWN_CHARS]))
        else:
            found.append(url)
    return list(dict.fromkeys(found)), bad


def _directive(line: str) -> tuple[str, str]:
    """A robots.txt line as (key, value): `key: value`, or `key value` without the colon."""
    line = line.partition("#")[0].strip()
    key, colon, value = line.partition(":")
    if colon and not any(char.isspace() for char in key.strip()):
        return key.strip(), value.strip()
    words = line.split()
    if len(words) == 2:
        return words[0], words[1]
    return "", ""
