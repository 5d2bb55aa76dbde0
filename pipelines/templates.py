"""Site templates learned from the pages themselves.

Every site repeats its furniture on every article: "Check Also" boxes, newsletter
blurbs, "Follow us" lines, credit boilerplate. A short block of text that has appeared on
`min_pages` different articles of the same site is template, not story, and is removed
from every page of that site. Counts live in the state store, so the first page of a
later run is cleaned as well as the hundredth. Long paragraphs are never counted: a
template line is short, and a story quoting an earlier one is not furniture.

Titles are learned the same way at their end: a part after a separator that ends many of
a site's titles (" | Europa", " - National", " – OL Paris 2024") is the site's, not the
headline's, even where the page declares it nowhere.
"""

from __future__ import annotations

import hashlib

from crawler.state import StateStore
from pipelines.normalise import fold
from pipelines.titles import SEPARATORS

TITLE_EDGE = "title-edge:"  # key namespace of title parts beside body blocks


def block_key(text: str) -> int:
    """A stable 63-bit key for a block of text, insensitive to case and punctuation."""
    digest = hashlib.blake2b(fold(text).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


class SiteTemplates:
    """Learns and removes each site's repeated blocks."""

    def __init__(self, store: StateStore, min_pages: int, max_chars: int):
        self.store = store
        self.min_pages = min_pages
        self.max_chars = max_chars

    def strip(self, site: str, page: str, paragraphs: list[str]) -> tuple[list[str], int]:
        """Paragraphs of `page` without the site's template blocks, and how many were removed.

        This page's blocks count towards the template as they are looked up, once per
        page: a page cleaned again (revisited, updated) does not make its own text furniture.
        """
        keys = {p: block_key(p) for p in paragraphs if len(p) <= self.max_chars and fold(p)}
        template = self._template(site, page, list(set(keys.values())))
        kept = [p for p in paragraphs if keys.get(p) not in template]
        return kept, len(paragraphs) - len(kept)

    def strip_title(self, site: str, page: str, title: str | None) -> str | None:
        """The title without a trailing part that many of the site's titles end with."""
        parts = SEPARATORS.split(title or "")
        if not title or len(parts) < 2:
            return title
        key = block_key(TITLE_EDGE + parts[-1])
        if key not in self._template(site, page, [key]):
            return title
        return title[: title.rfind(parts[-1])].rstrip(" |-–—:·•»/*~｜│ㅣ：")

    def _template(self, site: str, page: str, keys: list[int]) -> set[int]:
        """The blocks among `keys` that min_pages pages of the site, this one included, had."""
        with self.store.transaction():
            others = self.store.count_blocks(site, page, keys, self.min_pages)
        return {key for key, pages in others.items() if pages >= self.min_pages - 1}
