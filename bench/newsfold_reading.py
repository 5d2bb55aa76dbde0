"""newsfold's reading of one saved page, as the crawl makes it, for the benchmarks that
score extraction without crawling."""

from __future__ import annotations

import contextlib

from crawler.items import Document, Page
from pipelines.extraction.cleaning import NotAnArticle, clean_page
from pipelines.extraction.document import extract_document
from pipelines.templates import SiteTemplates


def newsfold_document(
    url: str, body: bytes, encoding: str, fetched_at: str, templates: SiteTemplates | None
) -> Document:
    """What the crawl makes of a page: extraction, then cleaning (kept or not, scored as
    extracted: no length or listing limits)."""
    item = Page(url=url, body=body, encoding=encoding, fetched_at=fetched_at)
    item.doc = extract_document(item)
    with contextlib.suppress(NotAnArticle):
        clean_page(item, min_chars=0, max_linked_fraction=1.0, templates=templates)
    return item.doc
