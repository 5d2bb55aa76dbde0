"""Items: what a spider fetched (`Page`) and the two records newsfold writes.

Spiders yield `Page`; the pipelines fill in `Page.doc` and the collapse decision, and the
store pipeline turns each page into exactly one `Article` or `Copy`, the only items that
reach the feed exports. Keeping the output records free of working fields means the feed
exporters write them as they are, with no field lists to keep in sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Hints:
    """What a feed or sitemap said about an article before it was fetched."""

    title: str | None = None
    published: str | None = None
    published_source: str | None = None  # "feed" or "sitemap"
    source_url: str | None = None


@dataclass
class Credit:
    """A syndication credit line found in (and removed from) the article text."""

    raw: str
    publisher: str | None = None
    author: str | None = None
    original_url: str | None = None


@dataclass
class Document:
    """The article as extraction and cleaning see it."""

    text: str = ""
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    published_source: str | None = None
    modified: str | None = None
    modified_source: str | None = None
    language: str | None = None
    site_name: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    canonical_url: str | None = None
    credits: list[Credit] = field(default_factory=list)
    page_type: str | None = None  # og:type / JSON-LD @type, used to spot non-articles
    linked_fraction: float = 0.0  # share of the text that is also link text (listings)
    links: dict[str, str] = field(default_factory=dict)  # block text -> its first link
    template_blocks: int = 0  # site template blocks removed from the text
    blocks: list[int] = field(default_factory=list)  # keys counted towards the site template
    changes: list[str] = field(default_factory=list)  # what extraction corrected, for stats
    text_source: str | None = None  # "trafilatura" or "json-ld"


@dataclass
class Match:
    """The collapse decision for a page that copies an indexed article."""

    duplicate_of: str
    similarity: float
    containment: float
    method: str  # "jaccard" or "containment"


@dataclass
class Page:
    """A fetched page on its way through the pipelines (never exported)."""

    url: str
    body: bytes
    encoding: str
    fetched_at: str
    status: int = 200
    hints: Hints = field(default_factory=Hints)
    doc: Document | None = None
    id: str | None = None
    canonical_url: str | None = None
    site: str | None = None
    match: Match | None = None
    requested: list[str] = field(default_factory=list)  # URLs it answers, after redirects


@dataclass
class Article:
    """An article record: the one clean copy of a story."""

    id: str
    url: str
    canonical_url: str
    site: str
    title: str | None
    authors: list[str]
    published: str | None
    published_source: str | None
    modified: str | None
    modified_source: str | None
    language: str | None
    site_name: str | None
    description: str | None
    tags: list[str]
    text: str
    credits: list[dict[str, Any]]
    fetched_at: str
    duplicate_of: None = None


@dataclass
class Copy:
    """A republished copy of an article already written: where else the story appeared."""

    id: str
    url: str
    site: str
    title: str | None
    published: str | None
    fetched_at: str
    duplicate_of: str
    similarity: float
    containment: float
    method: str
