"""`scrapy clusters`: the syndication picture of every story, as JSON Lines.

One record per story: its article's title and text, the article as the original (the
page the others credit, else the earliest published, else the most complete text; and
why), and every page the story appeared on with its site, date and similarity. Reads the
state store named by `STATE_URL`, and never creates one (`crawler.state_export`).
"""

from __future__ import annotations

from crawler.clusters import story_clusters
from crawler.state_export import StateExportCommand


class Command(StateExportCommand):
    min_size = 2
    records = staticmethod(story_clusters)

    def short_desc(self) -> str:
        return "Export story clusters (article, original, every copy) as JSON Lines"
