"""The figures of the syndication report, gathered from the state and the run manifests.

The state (either backend, through `StateStore.cluster_rows` and `runs`, as `scrapy
clusters` reads it) gives every story with its pages; the manifests give each run's
figures per source. This module turns both into plain dataclasses for
`crawler.report_html`: no Scrapy, no HTML, so a benchmark builds a report from code.

Definitions the report shows (and the README repeats):
- a copy's *match* is the rule that folded it (`jaccard`, `containment`, `story`) with its
  similarity and containment;
- its *kind*, from its text against the article's (not against the page it matched, which
  may be another copy: a full reprint matched through an excerpt): `verbatim` (Jaccard
  >= VERBATIM, the same headline), `retitled` (the same, another headline), `excerpt`
  (else contained at >= CONTAINED in the article, and shorter), `padded` (contained the
  other way: the article plus a promo, captions), `edited` (the rest);
- its *lag*: its publication date minus the article's (a day without a time is that day
  at midnight UTC); a copy dated before its article has a negative lag.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import Any

import numpy as np

from crawler.fingerprint import overlap, shingle_hashes, tokens
from crawler.source_health import RunHealth, count_of, health_series, read_manifests, reasons_of
from crawler.state import StateStore

VERBATIM = 0.9  # Jaccard at or above which a full copy changed nothing worth a word
CONTAINED = 0.85  # as DEDUP_CONTAINMENT's default: the share of a text in the other
KINDS = ("verbatim", "retitled", "edited", "excerpt", "padded")
# Lag histogram buckets: (label, upper bound in hours), the first for copies dated before
# their article, the last for copies without a date on either side.
LAG_BUCKETS: tuple[tuple[str, float], ...] = (
    ("before", 0.0),
    ("< 1 h", 1.0),
    ("1-6 h", 6.0),
    ("6-24 h", 24.0),
    ("1-3 d", 72.0),
    ("3-7 d", 168.0),
    ("1-4 w", 672.0),
    ("> 4 w", float("inf")),
)
NO_DATE = "no date"
MATRIX_SITES = 15  # sites shown in the who-republishes-whom matrix; the rest are "others"
OTHERS = "(other sites)"


@dataclass
class ReportPage:
    """A page of a story: the article, or a copy with how it matched."""

    url: str
    site: str
    title: str | None
    published: str | None
    relation: str  # "article" or "copy"
    method: str | None = None
    similarity: float | None = None
    containment: float | None = None
    kind: str | None = None  # of a copy: one of KINDS
    lag_hours: float | None = None  # of a copy: after its article


@dataclass
class ReportStory:
    cluster: str
    article: ReportPage
    copies: list[ReportPage]

    @property
    def size(self) -> int:
        return 1 + len(self.copies)

    @property
    def sites(self) -> list[str]:
        return list(dict.fromkeys([self.article.site, *(c.site for c in self.copies)]))


@dataclass
class RunRow:
    """A run as the runs-over-time chart shows it."""

    run: str
    started: str
    status: str
    articles: int = 0
    copies: int = 0
    dropped: int = 0
    errors: int = 0
    exit_code: int | None = None
    warnings: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Report:
    generated: str
    stories: list[ReportStory]  # largest first
    matrix: dict[tuple[str, str], int]  # (original's site, copy's site) -> stories
    matrix_sites: list[str]
    lags: Counter[str]  # bucket label -> copies
    kinds: Counter[str]
    health: dict[str, list[RunHealth]]  # source -> its runs, oldest first
    runs: list[RunRow]

    @property
    def pages(self) -> int:
        return sum(story.size for story in self.stories)

    @property
    def flagged(self) -> dict[str, RunHealth]:
        """Sources whose newest run drifted from their history."""
        return {s: runs[-1] for s, runs in self.health.items() if runs and runs[-1].drift}


def parse_date(value: str | None) -> datetime | None:
    """An ISO date or date-time as an instant (a day alone is its midnight UTC)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def lag_hours(article: str | None, copy: str | None) -> float | None:
    start, end = parse_date(article), parse_date(copy)
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 3600


def lag_bucket(hours: float | None) -> str:
    if hours is None:
        return NO_DATE
    if hours < 0:
        return LAG_BUCKETS[0][0]
    return next(label for label, upper in LAG_BUCKETS[1:] if hours < upper)


def _title_key(title: str | None) -> str:
    return " ".join((title or "").casefold().split())


def shingles(text: str | None) -> np.ndarray:
    return shingle_hashes(tokens(text or ""))


def copy_kind(article: ReportPage, text: np.ndarray, copy: ReportPage, its: np.ndarray) -> str:
    """What kind of copy a page is of its story's article, by their texts' shingles (see
    the module's docstring)."""
    similarity, containment = overlap(text, its)
    if similarity >= VERBATIM:
        return "verbatim" if _title_key(copy.title) == _title_key(article.title) else "retitled"
    if containment >= CONTAINED:
        return "excerpt" if len(its) < len(text) else "padded"
    return "edited"


def _page(row: dict[str, Any]) -> ReportPage:
    return ReportPage(
        url=str(row.get("url") or ""),
        site=str(row.get("site") or ""),
        title=row.get("title"),
        published=row.get("published"),
        relation=row["relation"],
        method=row.get("method"),
        similarity=row.get("similarity"),
        containment=row.get("containment"),
    )


def stories_of(rows: Iterable[dict[str, Any]]) -> list[ReportStory]:
    """Stories from the state's cluster rows (grouped by story), largest first."""
    stories = []
    for cluster, group in groupby(rows, key=lambda row: row["cluster"]):
        found = [row for row in group if row.get("url")]
        first = next((row for row in found if row["relation"] == "article"), None)
        if first is None:
            continue  # a story whose pages were never kept whole (an index alone)
        article, copies = _page(first), []
        text = shingles(first.get("text")) if len(found) > 1 else None
        for row in found:
            if row is first:
                continue
            copy = _page(row)
            assert text is not None
            copy.kind = copy_kind(article, text, copy, shingles(row.get("text")))
            copies.append(copy)
            copy.lag_hours = lag_hours(article.published, copy.published)
        copies.sort(key=lambda c: (c.lag_hours is None, c.lag_hours or 0.0, c.site))
        stories.append(ReportStory(cluster, article, copies))
    stories.sort(key=lambda s: (-s.size, s.article.published or "", s.cluster))
    return stories


def republication(stories: Sequence[ReportStory]) -> tuple[dict[tuple[str, str], int], list[str]]:
    """Stories each site republished from each other site (its article's), counted once
    per pair of sites; the sites most involved, the rest folded into OTHERS."""
    pairs: Counter[tuple[str, str]] = Counter()
    for story in stories:
        origin = story.article.site
        for site in {c.site for c in story.copies} - {origin}:
            pairs[origin, site] += 1
    weight: Counter[str] = Counter()
    for (origin, site), count in pairs.items():
        weight[origin] += count
        weight[site] += count
    shown = [site for site, _ in weight.most_common(MATRIX_SITES)]
    matrix: defaultdict[tuple[str, str], int] = defaultdict(int)
    for (origin, site), count in pairs.items():
        row = origin if origin in shown else OTHERS
        column = site if site in shown else OTHERS
        matrix[row, column] += count
    if len(weight) > len(shown):
        shown.append(OTHERS)
    return dict(matrix), shown


def run_rows(runs: Sequence[dict[str, Any]], manifests: Sequence[dict[str, Any]]) -> list[RunRow]:
    """Every run the state lists, with its manifest's totals when it is at hand."""
    by_run = {manifest["run"]: manifest for manifest in manifests}
    rows = []
    known = {run["id"] for run in runs}
    listed = [
        *runs,
        *(
            {"id": m["run"], "started": m.get("started")}
            for m in manifests
            if m["run"] not in known
        ),
    ]
    for run in listed:
        manifest = by_run.get(run["id"], {})
        found = manifest.get("totals")
        totals: dict[str, Any] = found if isinstance(found, dict) else {}
        rows.append(
            RunRow(
                run["id"],
                str(run.get("started") or manifest.get("started") or ""),
                str(run.get("status") or "finished"),
                count_of(totals.get("articles")),
                count_of(totals.get("copies")),
                sum(reasons_of(totals.get("dropped")).values()),
                sum(reasons_of(totals.get("errors")).values()),
                manifest.get("exit_code"),
                [w for w in manifest.get("warnings") or [] if isinstance(w, dict)],
            )
        )
    rows.sort(key=lambda row: (row.started, row.run))
    return rows


def manifest_paths(
    runs: Sequence[dict[str, Any]], folders: Sequence[str | Path] = ()
) -> list[Path]:
    """The manifests the state names (relative to the folder the crawl ran in, as the
    report is run), and every `manifest-*.json` in `folders`."""
    paths = [Path(run["manifest"]) for run in runs if run.get("manifest")]
    for folder in folders:
        paths += sorted(Path(folder).glob("manifest-*.json"))
    return paths


def build_report(
    rows: Iterable[dict[str, Any]],
    runs: Sequence[dict[str, Any]],
    manifests: Sequence[dict[str, Any]],
    now: datetime | None = None,
) -> Report:
    stories = stories_of(rows)
    matrix, sites = republication(stories)
    copies = [copy for story in stories for copy in story.copies]
    lags = Counter(lag_bucket(copy.lag_hours) for copy in copies)
    kinds = Counter(str(copy.kind) for copy in copies)
    return Report(
        generated=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        stories=stories,
        matrix=matrix,
        matrix_sites=sites,
        lags=lags,
        kinds=kinds,
        health=health_series(manifests),
        runs=run_rows(runs, manifests),
    )


def report_from_state(store: StateStore, folders: Sequence[str | Path] = ()) -> Report:
    """The report of a state (every story, of one page or more) and its runs' manifests."""
    runs = store.runs()
    manifests = read_manifests(manifest_paths(runs, folders))
    return build_report(store.cluster_rows(1), runs, manifests)
