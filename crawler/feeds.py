"""Feed reading: RSS 2.0, RSS 1.0/RDF and Atom entries as (link, title, date).

feedparser reads all three dialects and the broken variants found in the wild; it is
given the downloaded bytes only, so it never fetches anything itself. A document that
declares XML entities is refused before feedparser sees it (see
`crawler.responses.declares_entities`); a truncated feed gives the entries it completes.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser

from crawler.responses import declares_entities


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


def parse_feed(body: bytes, url: str) -> list[FeedEntry]:
    """The feed's entries that link to a page, in feed order."""
    if declares_entities(body):
        raise FeedError("the feed declares XML entities; refused unexpanded", "xml_entities")
    parsed = feedparser.parse(
        body,
        response_headers={"content-location": url},
        sanitize_html=False,
    )
    entries = [_entry(raw) for raw in parsed.entries]
    found = [entry for entry in entries if entry is not None]
    if not found and (parsed.get("bozo") or not parsed.get("version")):
        reason = parsed.get("bozo_exception") or "no feed entries"
        raise FeedError(f"not a readable feed: {reason}")
    return found


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
