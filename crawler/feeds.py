"""Feed reading: RSS 2.0, RSS 1.0/RDF and Atom entries as (link, title, date).

feedparser reads all three dialects and the broken variants found in the wild; it is
given the downloaded bytes and the response's Content-Type (whose charset it needs), so
it never fetches anything itself. A document that declares XML entities is refused
before feedparser sees it (see `crawler.responses.declares_entities`); bare `&` and `<`
and undeclared HTML entities are made well-formed first (`crawler.xmlstream`), so such
a feed is read by feedparser's strict parser. A feed with no entries is an empty feed,
not an error. A truncated feed gives the entries it completes: feedparser also reports
the one that was cut off (its link read, its date not yet), so of a feed that ends too
soon only the entries whose closing tag was read count.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.parsers.expat import errors
from xml.sax import SAXParseException

import feedparser
from feedparser.exceptions import ThingsNobodyCaresAboutButMe

from crawler.responses import declares_entities
from crawler.xmlstream import ClosedElements, lenient_references, local_name

ENTRY_ELEMENTS = {"item", "entry"}  # RSS 2.0 and RSS 1.0 items, Atom entries
FEED_ROOTS = {"rss", "feed", "RDF"}  # root elements of RSS 2.0, Atom and RSS 1.0 (rdf:RDF)
# What expat (feedparser's strict parser) says of a document that ends too soon.
CUT_SHORT = {
    errors.XML_ERROR_NO_ELEMENTS,
    errors.XML_ERROR_UNCLOSED_TOKEN,
    errors.XML_ERROR_UNCLOSED_CDATA_SECTION,
    errors.XML_ERROR_PARTIAL_CHAR,
}


@dataclass
class FeedEntry:
    url: str
    title: str | None
    published: str | None


class FeedError(ValueError):
    """The document is not a feed feedparser can read any entry from.

    `reason` names why, for the stats: `bad_feed`, or `xml_entities` for a document
    that declares entities (an XML bomb or an external-entity read).
    """

    def __init__(self, message: str, reason: str = "bad_feed"):
        super().__init__(message)
        self.reason = reason


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> list[FeedEntry]:
    """The feed's entries that link to a page, in feed order ([] for an empty feed)."""
    if declares_entities(body):
        raise FeedError("the feed declares XML entities; refused unexpanded", "xml_entities")
    body = lenient_references(_without_cut_character(body))
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False)
    # feedparser flags a missing or non-XML Content-Type, or a charset the bytes
    # contradict, as a problem too; those say nothing about the document itself.
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if isinstance(problem, ThingsNobodyCaresAboutButMe):
        problem = None
    entries = list(parsed.entries)
    if _cut_short(problem):
        entries = entries[: _closed_entries(body, len(entries))]
    found = [entry for entry in map(_entry, entries) if entry is not None]
    if not found and (problem is not None or not parsed.get("version")):
        raise FeedError(f"not a readable feed: {problem or 'no feed entries'}")
    return found


def _without_cut_character(body: bytes) -> bytes:
    """A UTF-8 body cut inside its last character, without that character's first bytes:
    feedparser, finding the bytes undecodable, would read the whole feed as windows-1252."""
    start = len(body) - 1
    while start >= max(0, len(body) - 4) and 0x80 <= body[start] <= 0xBF:
        start -= 1  # continuation bytes
    if start < max(0, len(body) - 4):
        return body
    lead = body[start]
    length = 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if lead >= 0xF0 else 1
    return body[:start] if len(body) - start < length else body


def _cut_short(problem: object) -> bool:
    """Whether the XML parser's first complaint is that the document ended too soon: it
    read well up to its end, so its closed entries are known. (A feed broken earlier is
    left to feedparser's own lenient reading.)"""
    return isinstance(problem, SAXParseException) and problem.getMessage() in CUT_SHORT


def _closed_entries(body: bytes, read: int) -> int:
    """How many of the `read` entries feedparser found end with their closing tag."""
    elements = ClosedElements(body, ENTRY_ELEMENTS | FEED_ROOTS)
    closed = sum(1 for element in elements if local_name(element.tag) in ENTRY_ELEMENTS)
    return read if elements.complete else closed


def _entry(raw: Any) -> FeedEntry | None:
    link = raw.get("link") or next(
        (link.get("href") for link in raw.get("links", []) if link.get("rel") == "alternate"),
        None,
    )
    if not link:
        return None
    struct = raw.get("published_parsed") or raw.get("updated_parsed")
    published = datetime.fromtimestamp(calendar.timegm(struct), UTC).isoformat() if struct else None
    return FeedEntry(url=link.strip(), title=raw.get("title"), published=published)
