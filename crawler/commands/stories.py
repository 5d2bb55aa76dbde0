"""`scrapy stories`: the current article of every story, as JSON Lines.

What a consumer gets by folding the crawl's records (the last record of each id) and
keeping the articles: one article record per story, with its text, `cluster_id` and
`why`. Reads the state store named by `STATE_URL`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from crawler.clusters import story_articles
from crawler.state import StateStore
from crawler.state_export import StateExportCommand


class Command(StateExportCommand):
    def short_desc(self) -> str:
        return "Export the current article of every story as JSON Lines"

    def records(self, store: StateStore, min_size: int) -> Iterator[dict[str, Any]]:
        return story_articles(store, min_size)
