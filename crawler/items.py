"""Items: what a spider fetched (`Page`) and the two records newsfold writes.

Spiders yield `Page`; the pipelines fill in `Page.doc` and the collapse decision, and the
store pipeline turns each page into an `Article` or `Copy`, the only items that reach the
feed exports. Keeping the output records free of working fields means the feed exporters
write them as they are, with no field lists to keep in sync.

A record is a page's own fields (`page_fields`, kept whole in the state) and its place in
its story (`Placement`: article or copy, of which story, copying which article). When the
story changes, the page's record is written again with the same `id` and a higher
`revision`, built the same way (`build_record`).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import asdict, dataclass, field, fields
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
    places: dict[str, str] = field(default_factory=dict)  # edge line -> its place (`places`)
    template_blocks: int = 0  # site template blocks removed from the text
    blocks: list[int] = field(default_factory=list)  # keys counted towards the site template
    changes: list[str] = field(default_factory=list)  # what extraction corrected, for stats
    text_source: str | None = None  # "trafilatura", "json-ld" or "script" (`embedded`)


@dataclass
class Match:
    """The collapse decision for a page that copies an indexed article."""

    duplicate_of: str
    similarity: float
    containment: float
    method: str  # "jaccard", "containment" or "story"


@dataclass(frozen=True)
class WarcPlace:
    """Where a page's response record is: a WARC file, and the offset of the gzip member
    that holds it (seek there and read one record)."""

    file: str
    offset: int


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
    # Pages whose records the collapse decision changed, the story's article first (this
    # page among them); empty when no decision was made (duplicate collapse off).
    changed: list[str] = field(default_factory=list)
    story: str | None = None  # the story's id (`cluster_id`), once the collapse decided
    warc: WarcPlace | None = None  # its response record, when written to or read from a WARC


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
    kind: str = "article"
    cluster_id: str = ""
    duplicate_of: None = None
    why: str | None = None
    revision: int = 1
    warc: dict[str, Any] | None = None  # {"file", "offset"} of the page's response record


@dataclass
class Copy:
    """Where else a story appeared: a page of it that is not its article."""

    id: str
    url: str
    site: str
    title: str | None
    published: str | None
    fetched_at: str
    kind: str = "copy"
    cluster_id: str = ""
    duplicate_of: str = ""
    similarity: float = 0.0
    containment: float = 0.0
    method: str = ""
    revision: int = 1
    warc: dict[str, Any] | None = None


# A page's own fields: an article record without its place in the story.
PAGE_FIELDS = tuple(
    f.name
    for f in fields(Article)
    if f.name not in {"kind", "cluster_id", "duplicate_of", "why", "revision"}
)


@dataclass
class Placement:
    """A page's place in its story, as the state has it when its record is written."""

    kind: str  # "article" or "copy"
    cluster_id: str
    duplicate_of: str | None = None  # the story's article, for a copy
    similarity: float | None = None
    containment: float | None = None
    method: str | None = None
    why: str | None = None  # why the story's article is the one, for an article
    revision: int = 1

    def key(self) -> str:
        """What the placement says, revision aside (floats as the state stores them)."""
        evidence = (
            [
                repr(float(self.similarity or 0)),
                repr(float(self.containment or 0)),
                self.method or "",
            ]
            if self.kind == "copy"
            else ["", "", ""]
        )
        article = self.duplicate_of or "" if self.kind == "copy" else ""
        why = self.why or "" if self.kind == "article" else ""
        return "\n".join([self.kind, self.cluster_id, article, *evidence, why])


def page_fields(page: Page) -> dict[str, Any]:
    """A cleaned page's own record fields (what an article record says of it)."""
    doc = page.doc or Document()
    assert page.id and page.canonical_url and page.site, "a record needs a cleaned page"
    return {
        "id": page.id,
        "url": page.url,
        "canonical_url": page.canonical_url,
        "site": page.site,
        "title": doc.title,
        "authors": doc.authors,
        "published": doc.published,
        "published_source": doc.published_source,
        "modified": doc.modified,
        "modified_source": doc.modified_source,
        "language": doc.language,
        "site_name": doc.site_name,
        "description": doc.description,
        "tags": doc.tags,
        "text": doc.text,
        "credits": [asdict(credit) for credit in doc.credits],
        "fetched_at": page.fetched_at,
        "warc": asdict(page.warc) if page.warc else None,
    }


# Where and when a page was fetched, not what it says: a page fetched again unchanged is
# not written again for a new fetch time or a new WARC record.
UNSAID = frozenset({"fetched_at", "warc"})


def page_digest(fields_: dict[str, Any]) -> str:
    """What a page says, fetch time and WARC place aside: equal digests mean the same page."""
    content = {k: v for k, v in fields_.items() if k not in UNSAID}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:32]


def record_digest(page_digest_: str, placement: Placement) -> str:
    """What a record says, fetch time and revision aside: the page and its placement."""
    return hashlib.sha1(f"{page_digest_}\n{placement.key()}".encode()).hexdigest()


def pack_page(fields_: dict[str, Any]) -> bytes:
    """A page's fields as the state keeps them (zlib-compressed JSON)."""
    return zlib.compress(json.dumps(fields_, ensure_ascii=False).encode(), 3)


def unpack_page(blob: bytes) -> dict[str, Any]:
    return dict(json.loads(zlib.decompress(blob)))


def build_record(fields_: dict[str, Any], placement: Placement) -> Article | Copy:
    """The record of a page in its place: an article with its text, or a copy."""
    if placement.kind == "article":
        own: dict[str, Any] = {name: fields_.get(name) for name in PAGE_FIELDS}
        return Article(
            **own,
            cluster_id=placement.cluster_id,
            why=placement.why,
            revision=placement.revision,
        )
    return Copy(
        id=fields_["id"],
        url=fields_["url"],
        site=fields_["site"],
        title=fields_.get("title"),
        published=fields_.get("published"),
        fetched_at=fields_["fetched_at"],
        cluster_id=placement.cluster_id,
        duplicate_of=placement.duplicate_of or "",
        similarity=float(placement.similarity or 0),
        containment=float(placement.containment or 0),
        method=placement.method or "",
        revision=placement.revision,
        warc=fields_.get("warc"),
    )


def latest_revisions(records: list[dict[str, Any]]) -> dict[str, int]:
    """Each id's highest revision among records (0 for records written before revisions)."""
    latest: dict[str, int] = {}
    for record in records:
        if "id" in record:
            doc, revision = str(record["id"]), int(record.get("revision") or 0)
            latest[doc] = max(revision, latest.get(doc, 0))
    return latest
