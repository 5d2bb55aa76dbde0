"""Extraction: the article's text with trafilatura, its metadata from what the page declares.

`extract_document` is a pure function of the page so that it can run anywhere (a worker
process, a benchmark loop) and give the same answer as inside the crawl.
"""

from __future__ import annotations

import copy
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

import trafilatura
from lxml import etree, html
from scrapy.exceptions import DropItem
from trafilatura.settings import Document as TrafilaturaDocument

from crawler.items import Document, Hints, Page
from crawler.urls import site_of
from pipelines.authors import choose_authors
from pipelines.body import page_view, refine_body
from pipelines.dates import parse_date, text_date, url_date
from pipelines.language import choose_language
from pipelines.metadata import PageMetadata, read_metadata
from pipelines.titles import choose_title

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

BINARY_PROBE = 4096  # bytes looked at for NULs, which no HTML page contains
# Comments and processing instructions go at parse time: left in, trafilatura drops the
# text that follows a comment inside a paragraph.
PARSER = html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)


class Unparseable(DropItem):
    """A page the parser gave up on: nested past libxml2's depth limit, so the tree stops
    where the nesting starts, or deep enough to exhaust Python's recursion in an extractor.
    Extracting what was left would pass a fragment off as the article."""

    reason = "unparseable"

    def __init__(self, detail: str, url: str = ""):
        super().__init__(f"unparseable page ({detail}): {url}", log_level="INFO")
        self.detail = detail


def extract_document(page: Page) -> Document:
    """Extract the article text and its metadata from a fetched page."""
    tree = parse_html(page.body, page.encoding)
    if tree is None:
        return Document()
    declared = read_metadata(tree, page.url)
    result = trafilatura.bare_extraction(
        copy.deepcopy(tree),  # trafilatura prunes the tree it is given; keep ours whole
        url=page.url,
        include_comments=False,
        with_metadata=True,
        include_tables=True,
        deduplicate=False,
    )
    found: dict[str, Any] = result.as_dict() if isinstance(result, TrafilaturaDocument) else {}
    text_source = "trafilatura" if found.get("text") else "json-ld"
    extracted = found.get("text") or declared.article_body or ""
    view = page_view(tree)
    text, changes = refine_body(extracted, view, declared.description)
    fetched = datetime.fromisoformat(page.fetched_at)
    published, published_source = choose_published(tree, declared, page.hints, page.url, fetched)
    modified = parse_date(declared.modified, fetched)
    site, site_name = site_of(page.url), declared.site_name or found.get("sitename")
    return Document(
        text=text,
        title=choose_title(tree, declared, page.hints.title, found.get("title"), site_name, site),
        authors=choose_authors(tree, declared, found.get("author"), site_name, site),
        published=published,
        published_source=published_source,
        modified=modified,
        modified_source=declared.modified_source if modified else None,
        language=choose_language(declared.language, text),
        site_name=site_name,
        description=declared.description or found.get("description"),
        tags=declared.tags
        or _split_tags(found.get("tags"))
        or _split_tags(found.get("categories")),
        canonical_url=declared.canonical_url,
        page_type=declared.page_type,
        linked_fraction=linked_fraction(extracted, set(view.link_texts)),
        links=view.block_links,
        changes=changes,
        text_source=text_source if text else None,
    )


def parse_html(body: bytes, encoding: str) -> html.HtmlElement | None:
    """Parse a page, or None when it holds no markup at all."""
    text = body.decode(encoding or "utf-8", errors="replace").strip()
    if not text or "\x00" in text[:BINARY_PROBE]:
        return None  # nothing, or binary data served as HTML
    try:
        tree = html.document_fromstring(text, parser=PARSER)
    except (etree.ParserError, ValueError):
        return None
    for error in PARSER.error_log:
        if error.level == etree.ErrorLevels.FATAL and "depth" in error.message.lower():
            raise Unparseable(f"nested deeper than the HTML parser allows: {error.message}")
    return tree


def choose_published(
    tree: html.HtmlElement, declared: PageMetadata, hints: Hints, url: str, fetched: datetime
) -> tuple[str | None, str | None]:
    """The publication date and its source: declared, feed or sitemap, URL, then page text.

    Candidates are tried in order of trust; the page text is searched last, and without
    its chrome (see `text_date`).
    """
    candidates = [
        (lambda: declared.published, declared.published_source),
        (lambda: hints.published, hints.published_source),
        (lambda: url_date(url), "url"),
        (lambda: text_date(tree, url), "text"),
    ]
    for value, source in candidates:
        date = parse_date(value(), fetched)
        if date:
            return date, source
    return None, None


def linked_fraction(text: str, link_texts: set[str]) -> float:
    """The share of the text that is whole lines of link text (headlines of a listing).

    On the 258 real articles of the development set it is at most 0.1; a section page of
    linked headlines with one-line summaries is around 0.3 and more.
    """
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    total = sum(len(line) for line in lines)
    if not total:
        return 0.0
    linked = (line for line in lines if line.removeprefix("- ") in link_texts)
    return sum(len(line) for line in linked) / total


def _split_tags(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [tag.strip() for tag in str(value or "").split(",") if tag.strip()]


class ExtractPipeline:
    """Turns each fetched `Page` into a `Document`; counts pages that yield no text."""

    def __init__(self, stats: StatsCollector):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        try:
            item.doc = extract_document(item)
        except Unparseable as dropped:
            self.stats.inc_value(f"newsfold/dropped/{dropped.reason}")
            raise Unparseable(dropped.detail, item.url) from dropped
        except RecursionError as error:
            self.stats.inc_value(f"newsfold/dropped/{Unparseable.reason}")
            raise Unparseable("nested too deep to extract", item.url) from error
        self.stats.inc_value("newsfold/extract/pages")
        if item.doc.published_source:
            self.stats.inc_value(f"newsfold/extract/published_source/{item.doc.published_source}")
        if item.doc.text_source:
            self.stats.inc_value(f"newsfold/extract/text_source/{item.doc.text_source}")
        for change in item.doc.changes:
            self.stats.inc_value(f"newsfold/extract/body/{change}")
        return item
