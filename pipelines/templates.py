"""Site templates learned from the pages themselves.

Every site repeats its furniture on every article: "Check Also" boxes, newsletter
blurbs, "Follow us" lines, credit boilerplate. A short block of text that has appeared on
`min_pages` different articles of the same site is template, not story, and is removed
from every page of that site. A page counts once however often it is cleaned, and pages
of one story count as one once the collapse has found them copies (`same_story`): a
site that carries a story under three URLs keeps its text on the third. Counts live in
the state store, so the first page of a later run is cleaned as well as the hundredth.
Long paragraphs are never counted: a template line is short, and a story quoting an
earlier one is not furniture.

Titles are learned the same way at their ends: a part after a separator that ends many of
a site's titles (" | Europa", " - National", " – OL Paris 2024"), or one before a separator
that starts them ("FRAME GAZETTE >> ", "Daily Post - Print - "), is the site's, not the
headline's, even where the page declares it nowhere.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from crawler.normalise import fold
from crawler.state.per_crawler import state_for
from crawler.state.templates import TemplateBlocks
from pipelines.extraction.titles import SEPARATORS

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

TITLE_EDGE = "title-edge:"  # key namespace of title parts beside body blocks
PLACE = "place:"  # key namespace of the places short paragraphs are shown in (`places`)


def block_key(text: str) -> int:
    """A stable 63-bit key for a block of text, insensitive to case and punctuation."""
    digest = hashlib.blake2b(fold(text).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


class SiteTemplates:
    """Learns and removes each site's repeated blocks."""

    def __init__(self, store: TemplateBlocks, min_pages: int, max_chars: int):
        self.store = store
        self.min_pages = min_pages
        self.max_chars = max_chars

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """On the crawler's state, with its `TEMPLATE_*` settings."""
        settings = crawler.settings
        return cls(
            state_for(crawler),
            settings.getint("TEMPLATE_MIN_PAGES"),
            settings.getint("TEMPLATE_MAX_CHARS"),
        )

    def strip(
        self, site: str, page: str, paragraphs: list[str], places: dict[str, str] | None = None
    ) -> tuple[list[str], list[int]]:
        """Paragraphs of `page` without the site's template blocks, and the page's blocks.

        A block is a short paragraph's text, or the place (`places`: paragraph -> place)
        the page shows a short paragraph in at the text's edges. This page's blocks count
        towards the template as they are looked up, once per page: a page cleaned again
        (revisited, updated) does not make its own text furniture.
        """
        keys = {p: block_key(p) for p in paragraphs if len(p) <= self.max_chars and fold(p)}
        spots = {p: block_key(PLACE + place) for p, place in (places or {}).items() if p in keys}
        blocks = list(set(keys.values()) | set(spots.values()))
        template = self._template(site, page, blocks)
        kept = [p for p in paragraphs if keys.get(p) not in template]
        return [p for p in kept if spots.get(p) not in template], blocks

    def strip_title(self, site: str, page: str, title: str | None) -> tuple[str | None, list[int]]:
        """The title without a leading or trailing part that many of the site's titles
        start or end with, and the blocks those parts are counted as.

        A leading part before a colon is not learned: it is a kicker's place ("Brexit:
        ..."), and a site's name written there is known by name (`titles`)."""
        separators = list(SEPARATORS.finditer(title or ""))
        if not title or not separators:
            return title, []
        first, last = separators[0], separators[-1]
        suffix = title[last.end() :]
        keys = {"suffix": block_key(TITLE_EDGE + suffix)}
        if ":" not in first.group() and "：" not in first.group():
            keys["prefix"] = block_key(TITLE_EDGE + "^" + title[: first.start()])
        template = self._template(site, page, list(keys.values()))
        start, end = 0, len(title)
        if keys["suffix"] in template:
            end = last.start()
        if keys.get("prefix") in template and first.end() < end:
            start = first.end()
        return title[start:end].strip(), list(keys.values())

    def same_story(self, site: str, page: str, story: str, blocks: list[int]) -> None:
        """`page` is a copy of `story`: its blocks count as the story's, not a page more."""
        with self.store.transaction():
            self.store.retag_blocks(site, blocks, page, story)

    def _template(self, site: str, page: str, keys: list[int]) -> set[int]:
        """The blocks among `keys` that min_pages pages of the site, this one included, had."""
        with self.store.transaction():
            others = self.store.count_blocks(site, page, keys, self.min_pages)
        return {key for key, pages in others.items() if pages >= self.min_pages - 1}
