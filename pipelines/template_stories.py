"""Site templates learn from stories, not URLs: a copy's blocks count as its story's.

A site that carries one story under several URLs (updated versions, the same wire copy in
two sections) repeats the story's short paragraphs on every one of them. Counted per page,
they would be taken for the site's furniture on the third URL and cut from it. Once the
collapse has found a page's story, its blocks are counted under the story's id (its first
page's, which stays while its article may change), so a story is one page to the template
however many URLs carry it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from crawler.items import Page
from crawler.offload import StateThreads, state_threads_for
from pipelines.templates import SiteTemplates

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler


class TemplateStoriesPipeline:
    """After the collapse: the blocks of each page of a story are counted as the story's."""

    def __init__(self, templates: SiteTemplates, threads: StateThreads | None = None):
        self.templates = templates
        self.threads = threads or StateThreads()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        for needed in ("TEMPLATES_ENABLED", "DEDUP_ENABLED"):
            if not settings.getbool(needed):
                raise NotConfigured(f"{needed} is off")
        return cls(SiteTemplates.from_crawler(crawler), state_threads_for(crawler))

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, Page) and item.story not in (None, item.id) and item.doc:
            assert item.site and item.id and item.story
            await self.threads.call(
                self.templates.same_story, item.site, item.id, item.story, item.doc.blocks
            )
        return item
