"""`scrapy clusters`: the syndication picture of every story, as JSON Lines.

One record per story: its article's title and text, the article as the original (the
page the others credit, else the earliest published, else the most complete text; and
why), and every page the story appeared on with its site, date and similarity. Reads the
state store named by `STATE_URL`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from crawler.clusters import story_records
from crawler.state import StateStore
from crawler.state_export import StateExportCommand


class Command(StateExportCommand):
    min_size = 2

    def short_desc(self) -> str:
        return "Export story clusters (article, original, every copy) as JSON Lines"

    def records(self, store: StateStore, min_size: int) -> Iterator[dict[str, Any]]:
        return story_records(store.cluster_rows(min_size))
