"""Stories as clusters: the kept text, the original, and every place the story appeared.

The collapse stage keeps one article per story and writes copies as it meets them; this
module reads the clusters back from the state store as one record per story, for
`scrapy clusters`. The original is chosen when the cluster is read, from everything known
by then: the page the others credit or link to, else the earliest published, else the
first fetched. So a copy crawled first never passes for the original once the real one
has been seen, and nothing already written has to be written again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import groupby
from typing import Any

from crawler.urls import canonical_url
from pipelines.normalise import fold

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
    """One record per cluster from the state's cluster rows (grouped by cluster)."""
    for cluster, group in groupby(rows, key=lambda row: row["cluster"]):
        members = list(group)
        kept = next((m for m in members if m["id"] == m["kept"]), members[0])
        original, reason = choose_original(members)
        yield {
            "cluster_id": cluster,
            "size": len(members),
            "title": kept["title"],
            "text": kept["text"],
            "kept": kept["id"],
            "original": {
                "id": original["id"],
                "url": original["url"],
                "site": original["site"],
                "published": original["published"],
                "why": reason,
            },
            "members": [{key: member[key] for key in MEMBER_KEYS} for member in members],
        }


def choose_original(members: list[dict[str, Any]]) -> tuple[dict[str, Any], str]:
    """The page the story started on, and why it is taken for it."""
    credited = {member["id"]: credit_count(member, members) for member in members}
    best = max(credited.values())
    if best > 0:
        leader = min((m for m in members if credited[m["id"]] == best), key=_age)
        return leader, f"credited by {best} other page{'s' if best > 1 else ''}"
    dated = [m for m in members if m["published"]]
    if dated:
        return min(dated, key=_age), "earliest published"
    return min(members, key=_age), "first fetched"


def credit_count(member: dict[str, Any], members: list[dict[str, Any]]) -> int:
    """How many other pages credit this one by link or name."""
    url = canonical_url(member["url"])
    names = {fold(name) for name in (member["site_name"], member["site"]) if name}
    names |= {fold(str(member["site"]).split(".")[0])} if member["site"] else set()
    count = 0
    for other in members:
        if other is member:
            continue
        for credit in json.loads(other["credits"] or "[]"):
            linked = credit.get("original_url")
            if (linked and canonical_url(linked) == url) or fold(
                credit.get("publisher") or ""
            ) in names - {""}:
                count += 1
                break
    return count


def _age(member: dict[str, Any]) -> tuple[str, str]:
    return (str(member["published"] or "9999"), str(member["fetched_at"] or ""))
