"""The cleaning stage: each page's identity and clean document by `clean_page`
(`pipelines.extraction.cleaning`); pages that are not articles dropped with a named,
counted reason.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem

from crawler.items import Document, Page
from crawler.stats import CLEAN_CREDITS, CLEAN_TEMPLATE_BLOCKS, DROPPED
from pipelines.extraction import cleaning
from pipelines.templates import SiteTemplates

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class NotAnArticle(DropItem):
    """`cleaning.NotAnArticle` as the stage drops it, with its message and `reason`:
    Scrapy counts drops by the exception's class name
    (`item_dropped_reasons_count/NotAnArticle`), the manifest by its `reason`."""

    def __init__(self, refused: cleaning.NotAnArticle):
        super().__init__(str(refused), log_level="INFO")
        self.reason = refused.reason


def diagnose(doc: Document | None) -> str:
    """Why a page came out as it did, in one line for the log."""
    if doc is None:
        return "nothing extracted"
    return (
        f"text from {doc.text_source} ({len(doc.text)} chars, corrections {doc.changes or 'none'},"
        f" {doc.template_blocks} template blocks, {len(doc.credits)} credits),"
        f" published from {doc.published_source}, language {doc.language}"
    )


class CleanPipeline:
    """Normalises each page and drops non-articles with a counted reason."""

    def __init__(
        self,
        stats: StatsCollector,
        min_chars: int,
        max_linked_fraction: float,
        templates: SiteTemplates | None,
    ):
        self.stats = stats
        self.min_chars = min_chars
        self.max_linked_fraction = max_linked_fraction
        self.templates = templates

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        settings = crawler.settings
        templates = None
        if settings.getbool("TEMPLATES_ENABLED"):
            templates = SiteTemplates.from_crawler(crawler)
        return cls(
            crawler.stats,
            settings.getint("MIN_ARTICLE_CHARS"),
            settings.getfloat("MAX_LINKED_FRACTION"),
            templates,
        )

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        try:
            page = cleaning.clean_page(
                item, self.min_chars, self.max_linked_fraction, self.templates
            )
        except cleaning.NotAnArticle as refused:
            self.stats.inc_value(DROPPED + refused.reason)
            raise NotAnArticle(refused) from refused
        if page.doc and page.doc.credits:
            self.stats.inc_value(CLEAN_CREDITS, len(page.doc.credits))
        if page.doc and page.doc.template_blocks:
            self.stats.inc_value(CLEAN_TEMPLATE_BLOCKS, page.doc.template_blocks)
        logger.debug("Extracted %s: %s", page.url, diagnose(page.doc))
        return page
