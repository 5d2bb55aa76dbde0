"""Stories read back from the state: the syndication picture, and the current articles.

The collapse keeps each story (cluster) with its article, chosen by the one rule of
`crawler.best_page` whenever the story changes, and why. `scrapy clusters` tells every
place a story appeared; `scrapy stories` writes each story's article as its records
fold to. Both read the choice the state keeps, so they agree with the records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict
from itertools import groupby
from typing import Any

from crawler.items import Placement, build_record
from crawler.state.records import Records

MEMBER_KEYS = (
    "id",
    "url",
    "site",
    "title",
    "published",
    "relation",
    "similarity",
    "containment",
    "method",
)


def story_records(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """One record per story from the state's cluster rows (grouped by cluster)."""
    for cluster, group in groupby(rows, key=lambda row: row["cluster"]):
        members = list(group)
        article = next((m for m in members if m["relation"] == "article"), members[0])
        yield {
            "cluster_id": cluster,
            "size": len(members),
            "title": article["title"],
            "text": article["text"],
            "kept": article["id"],
            "original": {
                "id": article["id"],
                **{key: article[key] for key in ("url", "site", "published")},
                "why": article["why"],
            },
            "members": [{key: member[key] for key in MEMBER_KEYS} for member in members],
        }


def story_clusters(store: Records, min_size: int) -> Iterator[dict[str, Any]]:
    """`scrapy clusters`: one record per story of at least `min_size` pages."""
    return story_records(store.cluster_rows(min_size))


def story_articles(store: Records, min_size: int) -> Iterator[dict[str, Any]]:
    """Each story's article record, as the records of a crawl fold to it (the highest
    revision of each id)."""
    for row in store.cluster_rows(min_size):
        if row["relation"] != "article" or not row["url"]:
            continue
        written = store.document(row["id"]) or {}
        placement = Placement(
            "article", row["cluster"], why=row["why"], revision=int(written.get("revision") or 1)
        )
        yield asdict(build_record(row, placement))
