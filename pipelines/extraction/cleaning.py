"""Cleaning: one canonical identity per page, tidy text and title, and non-articles refused.

Everything downstream (collapse, storage, consumers) compares pages, so this is where
each page gets its canonical URL, id and site, and where pages that are not articles
are refused with a named reason (`pipelines.clean`, the Scrapy stage, drops and counts
them).
"""

from __future__ import annotations

import re
from typing import Protocol
from urllib.parse import urlsplit

from crawler.items import Document, Page
from crawler.normalise import tidy, unique
from crawler.urls import canonical_url, site_of, url_id
from pipelines.extraction.credits import split_credits
from pipelines.extraction.furniture import strip_lead_furniture
from pipelines.extraction.metadata import NON_ARTICLE_TYPES

SERVICE_PAGE = re.compile(
    r"/(?:about(?:-us)?|contact(?:-us)?|privacy(?:-policy)?|terms(?:-of-use)?|imprint"
    r"|impressum|legal|advertise|subscribe|newsletter|login|register)(?:\.\w+)?/?$",
    re.IGNORECASE,
)
# A declared page type is evidence, not a verdict: many CMSs declare og:type "website"
# (or a JSON-LD WebPage) on every page, articles included. A body of several paragraphs
# of prose, with next to no link text (at most 0.1 on the 258 real articles of the
# development set, 0.3 and more on section pages), outweighs it.
GENERIC_TYPES = {"website", "webpage"}
SHAPED_PARAGRAPHS = 3
SHAPED_CHARS = 1000
SHAPED_LINKED = 0.1
# Chinese, Japanese and Korean say in one character what alphabets say in two or three:
# a 383-character Japanese news item is a whole story.
WIDE = re.compile(  # Hangul jamo, kana, CJK ideographs, Hangul syllables
    r"[\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)
WIDE_WEIGHT = 3


class NotAnArticle(Exception):
    """A page that is not an article; `reason` names why, for stats and logs."""

    def __init__(self, reason: str, url: str):
        super().__init__(f"not an article ({reason}): {url}")
        self.reason = reason


class Templates(Protocol):
    """A site's learned template blocks (`pipelines.templates.SiteTemplates`, which reads
    them from the crawler's state)."""

    def strip(
        self, site: str, page: str, paragraphs: list[str], places: dict[str, str] | None = None
    ) -> tuple[list[str], list[int]]: ...

    def strip_title(
        self, site: str, page: str, title: str | None
    ) -> tuple[str | None, list[int]]: ...


def clean_page(
    page: Page,
    min_chars: int,
    max_linked_fraction: float,
    templates: Templates | None = None,
) -> Page:
    """Give the page its identity and a clean document, or raise `NotAnArticle`.

    With `templates`, the site's learned template blocks are removed too, and this
    page's blocks are counted towards them.
    """
    doc = page.doc or Document()
    declared = doc.canonical_url
    # A canonical link to another site (common on reprints) or to a home page names a
    # different page: the record keeps its own URL as identity.
    same_page = declared and site_of(declared) == site_of(page.url) and _has_path(declared)
    page.canonical_url = canonical_url(declared if same_page and declared else page.url)
    page.id = url_id(page.canonical_url)
    page.site = site_of(page.canonical_url)

    lines = [p for p in map(tidy, doc.text.splitlines()) if p]
    paragraphs = strip_lead_furniture(lines, doc.title, doc.site_name)
    paragraphs, credits = split_credits(paragraphs, _tidy_keys(doc.links))
    if templates is not None:
        places = {tidy(line): place for line, place in doc.places.items()}
        kept, blocks = templates.strip(page.site, page.id, paragraphs, places)
        doc.title, title_blocks = templates.strip_title(page.site, page.id, doc.title)
        doc.template_blocks = len(paragraphs) - len(kept)
        doc.blocks = blocks + title_blocks
        paragraphs = kept
    doc.text = "\n\n".join(paragraphs)
    doc.credits = credits
    doc.authors = doc.authors or [c.author for c in credits if c.author]
    doc.tags = unique(tag for tag in map(tidy, doc.tags) if tag)
    doc.description = tidy(doc.description or "") or None
    page.doc = doc

    if not doc.text:
        raise NotAnArticle("empty", page.url)
    if urlsplit(page.url).path in {"", "/"} and not urlsplit(page.url).query:
        raise NotAnArticle("home_page", page.url)
    if SERVICE_PAGE.search(urlsplit(page.url).path):
        raise NotAnArticle("service_page", page.url)
    if typed_as_other(doc) and not article_shaped(paragraphs, doc):
        raise NotAnArticle("not_article_type", page.url)
    if doc.linked_fraction > max_linked_fraction:
        raise NotAnArticle("listing", page.url)
    if len(doc.text) < min_chars and text_size(doc.text) < min_chars:
        raise NotAnArticle("too_short", page.url)
    return page


def typed_as_other(doc: Document) -> bool:
    """Whether the page's declared type says it is not an article: a collection, a
    search, a profile; or a generic "website" or web page with no declared date."""
    page_type = (doc.page_type or "").lower()
    if page_type in GENERIC_TYPES:
        return doc.published_source in {None, "text"}
    return page_type in NON_ARTICLE_TYPES


def article_shaped(paragraphs: list[str], doc: Document) -> bool:
    """Whether the text reads as a story: paragraphs of prose, hardly any link text."""
    return (
        len(paragraphs) >= SHAPED_PARAGRAPHS
        and text_size(doc.text) >= SHAPED_CHARS
        and doc.linked_fraction <= SHAPED_LINKED
    )


def text_size(text: str) -> int:
    """The text's length in characters of an alphabet: a character of a CJK script
    counts `WIDE_WEIGHT` times."""
    return len(text) + (WIDE_WEIGHT - 1) * len(WIDE.findall(text))


def _has_path(url: str) -> bool:
    path = url.split("://", 1)[-1].partition("/")[2]
    return bool(path.strip("/"))


def _tidy_keys(links: dict[str, str]) -> dict[str, str]:
    return {tidy(text): href for text, href in links.items()}
