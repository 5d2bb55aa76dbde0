"""`scrapy stories`: the current article of every story, as JSON Lines.

What a consumer gets by folding the crawl's records (the record of each id with the
highest revision) and keeping the articles: one article record per story, with its text,
`cluster_id` and `why`. Reads the state store named by `STATE_URL`.
"""

from __future__ import annotations

from crawler.clusters import story_articles
from crawler.state_export import StateExportCommand


class Command(StateExportCommand):
    records = staticmethod(story_articles)

    def short_desc(self) -> str:
        return "Export the current article of every story as JSON Lines"
