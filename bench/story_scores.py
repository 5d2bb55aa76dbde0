"""A crawl's output scored against the syndication web's truth, as a consumer reads it.

The records are read by the output contract, not by what today's code happens to write:
every record in file order, the last record for an `id` winning. A page's story is its
record's `cluster_id` when records carry one; otherwise the article its `duplicate_of`
names, followed to the end of the chain when that article was itself re-emitted as a copy
(two stories joined after it was written). The clusters export (`scrapy clusters
--min-size 1`) is scored the same way, from its members. Pure logic: no crawl, no Scrapy.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from bench.syndication_web import WebPage

Record = Mapping[str, Any]
Partition = dict[str, str]  # url -> story label
NEGATIVE_KINDS = ("followup", "short")


def last_records(records: Iterable[Record]) -> dict[str, Record]:
    """id -> the last record written for it (file order)."""
    last: dict[str, Record] = {}
    for record in records:
        last.pop(str(record["id"]), None)  # keep dict order = order of the last write
        last[str(record["id"])] = record
    return last


def is_copy(record: Record) -> bool:
    """A copy record: `kind` says so, or (records without `kind`) it has a `duplicate_of`."""
    if "kind" in record:
        return bool(record["kind"] == "copy")
    return bool(record.get("duplicate_of"))


def chain_end(last: Mapping[str, Record], doc_id: str) -> str:
    """The article a page's `duplicate_of` chain ends at (the page itself for an article).

    A link to an id with no record, or a loop, ends the chain where it is.
    """
    seen = {doc_id}
    while (record := last.get(doc_id)) is not None and is_copy(record):
        target = str(record.get("duplicate_of") or "")
        if not target or target in seen:
            break
        seen.add(target)
        doc_id = target
    return doc_id


def records_partition(records: Iterable[Record]) -> Partition:
    """url -> story label from the records: `cluster_id` when present, else the chain's end."""
    last = last_records(records)
    return {
        str(r["url"]): str(r.get("cluster_id") or chain_end(last, doc_id))
        for doc_id, r in last.items()
    }


def chain_partition(records: Iterable[Record]) -> Partition:
    """url -> the end of its `duplicate_of` chain, ignoring `cluster_id` (a cross-check)."""
    last = last_records(records)
    return {str(r["url"]): chain_end(last, doc_id) for doc_id, r in last.items()}


def export_partition(stories: Iterable[Record]) -> Partition:
    """url -> cluster from the clusters export: every member of a story record."""
    partition: Partition = {}
    for story in stories:
        for member in story.get("members") or [story]:
            partition[str(member["url"])] = str(story["cluster_id"])
    return partition


def groups(partition: Mapping[str, str]) -> dict[str, list[str]]:
    """label -> its urls."""
    found: dict[str, list[str]] = defaultdict(list)
    for url, label in partition.items():
        found[label].append(url)
    return found


def pairs(partition: Mapping[str, str]) -> set[tuple[str, str]]:
    """Every pair of urls in one group."""
    return {
        (a, b)
        for members in groups(partition).values()
        for a, b in combinations(sorted(members), 2)
    }


def same_groups(a: Mapping[str, str], b: Mapping[str, str]) -> bool:
    """Whether two partitions group the same urls together (labels aside)."""
    return {frozenset(g) for g in groups(a).values()} == {frozenset(g) for g in groups(b).values()}


@dataclass(frozen=True)
class PairScore:
    precision: float
    recall: float
    f1: float


def pair_score(pages: list[WebPage], partition: Mapping[str, str]) -> PairScore:
    """Pairwise precision, recall and F1 of `partition` against the truth's stories.

    A page missing from the partition (no record, not in the export) stands alone.
    """
    want = pairs({p.url: p.story for p in pages})
    got = pairs({p.url: partition.get(p.url, "page:" + p.url) for p in pages})
    common = len(want & got)
    precision = common / len(got) if got else 1.0
    recall = common / len(want) if want else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScore(precision, recall, f1)


def where(page: WebPage) -> tuple[str, str]:
    """What a breakdown counts a page under: its kind and its site's layout."""
    return (page.kind, page.layout)


@dataclass
class StoryScore:
    """The figures of one crawl order."""

    records: PairScore
    export: PairScore | None
    folded: int  # truth stories of 2+ pages
    original_article: int  # ... whose original's last record is an article
    export_original: int | None  # ... whose export record names the true original
    excerpt_articles: int  # excerpts whose last record is an article (a full copy exists)
    negatives_merged: int  # follow-ups and briefs grouped with anything (records)
    records_written: int
    pages_written: int  # pages with at least one record
    pages: int
    groups_not_one_article: int  # record groups with no article, or several
    chain_agrees: bool  # cluster_id groups == duplicate_of chains (always, without cluster_id)
    export_agrees: bool | None  # records' groups == the export's
    late: int  # pages of the order's first group written after a page of the second
    not_folded: Counter[tuple[str, str]] = field(default_factory=Counter)
    not_folded_export: Counter[tuple[str, str]] = field(default_factory=Counter)
    kept_instead: Counter[tuple[str, str]] = field(default_factory=Counter)
    negatives: Counter[tuple[str, str]] = field(default_factory=Counter)
    unwritten: Counter[tuple[str, str]] = field(default_factory=Counter)  # pages with no record
    misnamed: Counter[tuple[str, str]] = field(default_factory=Counter)  # originals the export
    # does not name as their story's original

    @property
    def f1_equal(self) -> bool | None:
        if self.export is None:
            return None
        return round(self.records.f1, 4) == round(self.export.f1, 4)


def score_stories(
    pages: list[WebPage],
    records: Sequence[Record],
    export: Sequence[Record] | None = None,
    first_group: Mapping[str, int] | None = None,
) -> StoryScore:
    """Score one crawl's records (and its clusters export) against the truth `pages`.

    `first_group` maps url -> 0/1, the group the crawl order put each page in, to count
    pages that overtook the order.
    """
    last = last_records(records)
    by_url = {str(r["url"]): r for r in last.values()}
    partition = records_partition(records)
    exported = export_partition(export) if export is not None else None
    sizes = Counter(partition.values())
    stories: dict[str, list[WebPage]] = defaultdict(list)
    for page in pages:
        stories[page.story].append(page)
    folded = [members for members in stories.values() if len(members) > 1]

    original_article, excerpt_articles = 0, 0
    not_folded: Counter[tuple[str, str]] = Counter()
    not_folded_export: Counter[tuple[str, str]] = Counter()
    kept_instead: Counter[tuple[str, str]] = Counter()
    for members in folded:
        original = next(p for p in members if p.kind == "original")
        record = by_url.get(original.url)
        if record is not None and not is_copy(record):
            original_article += 1
        elif record is not None:  # the original is a copy: which page is its story's article?
            label = partition[original.url]
            for page in members:
                kept = by_url.get(page.url)
                written = kept is not None and not is_copy(kept)
                if page is not original and written and partition.get(page.url) == label:
                    kept_instead[where(page)] += 1
        for page in members:
            kept = by_url.get(page.url)
            if page.kind == "excerpt" and kept is not None and not is_copy(kept):
                excerpt_articles += 1
        not_folded.update(where(p) for p in outside_main_group(members, partition))
        if exported is not None:
            not_folded_export.update(where(p) for p in outside_main_group(members, exported))

    negatives: Counter[tuple[str, str]] = Counter()
    for page in pages:
        group = partition.get(page.url)
        if page.kind in NEGATIVE_KINDS and group is not None and sizes[group] > 1:
            negatives[where(page)] += 1

    articles = Counter(partition[str(r["url"])] for r in last.values() if not is_copy(r))
    misnamed = export_misnamed(folded, export) if export is not None else None
    return StoryScore(
        records=pair_score(pages, partition),
        export=pair_score(pages, exported) if exported is not None else None,
        folded=len(folded),
        original_article=original_article,
        export_original=len(folded) - len(misnamed) if misnamed is not None else None,
        excerpt_articles=excerpt_articles,
        negatives_merged=sum(negatives.values()),
        records_written=len(records),
        pages_written=len({p.url for p in pages} & set(by_url)),
        pages=len(pages),
        groups_not_one_article=sum(1 for label in sizes if articles[label] != 1),
        chain_agrees=same_groups(partition, chain_partition(records)),
        export_agrees=same_groups(partition, exported) if exported is not None else None,
        late=overtaken(records, first_group or {}),
        not_folded=not_folded,
        not_folded_export=not_folded_export,
        kept_instead=kept_instead,
        negatives=negatives,
        unwritten=Counter(where(p) for p in pages if p.url not in by_url),
        misnamed=Counter(where(p) for p in misnamed or []),
    )


def outside_main_group(members: list[WebPage], partition: Mapping[str, str]) -> list[WebPage]:
    """Pages of one truth story outside the group holding most of it (ties: the original's)."""
    original = next(p for p in members if p.kind == "original")
    labels = Counter(partition.get(p.url, "page:" + p.url) for p in members)
    home = partition.get(original.url, "page:" + original.url)
    main = max(labels, key=lambda label: (labels[label], label == home))
    return [p for p in members if partition.get(p.url, "page:" + p.url) != main]


def export_misnamed(folded: list[list[WebPage]], export: Iterable[Record]) -> list[WebPage]:
    """The true originals of stories whose export record names another page `original`."""
    named = {}
    for story in export:
        original = story.get("original") or {}
        for member in story.get("members") or []:
            named[str(member["url"])] = original.get("url")
    originals = [next(p for p in members if p.kind == "original") for members in folded]
    return [p for p in originals if named.get(p.url) != p.url]


def overtaken(records: Iterable[Record], first_group: Mapping[str, int]) -> int:
    """Pages of the first group whose first record came after one of the second group's."""
    late, second_seen, written = 0, False, set()
    for record in records:
        url = str(record["url"])
        if url in written or url not in first_group:
            continue
        written.add(url)
        if first_group[url] == 1:
            second_seen = True
        elif second_seen:
            late += 1
    return late
