"""The run's figures, read from Scrapy's stats in one place for the manifest, the run's
summary line and the progress lines, so that the three always say the same.

Free of Scrapy: the figures are plain dictionaries, and the lines plain text.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any, Literal

from crawler.stats import (
    ARTICLES,
    COPIES,
    DROPPED,
    ERRORS,
    INPUT_DONE,
    INPUT_TOTAL,
    REQUEST_COUNT,
    RESPONSE_COUNT,
    SKIPPED,
    WARC_RECORDS,
)

# The groups of counts by reason, by the prefix of their stats.
GROUPS = {"dropped": DROPPED, "skipped": SKIPPED, "errors": ERRORS}

# How much of its work a spider's input lists, for the progress line's percentage and
# ETA: all of it from the start (a URL list), what its feeds and sitemaps listed so far
# (the total grows as they are read), or none that can be known in advance (pages found
# by following links).
InputTotal = Literal["fixed", "growing", "none"]


def by_reason(stats: dict[str, Any], group: str) -> dict[str, int]:
    """`newsfold/GROUP/REASON` counts by reason, sorted by reason."""
    prefix = GROUPS[group]
    return {
        name.removeprefix(prefix): count
        for name, count in sorted(stats.items())
        if name.startswith(prefix)
    }


def totals(stats: dict[str, Any]) -> dict[str, Any]:
    """The run's figures from its stats, grouped as in the manifest's per-source counts."""
    return {
        "requests": stats.get(REQUEST_COUNT, 0),
        "responses": stats.get(RESPONSE_COUNT, 0),
        "articles": stats.get(ARTICLES, 0),
        "copies": stats.get(COPIES, 0),
        **{group: by_reason(stats, group) for group in GROUPS},
    }


def pages_seen(stats: dict[str, Any]) -> int:
    """The pages a run has had so far: fetched, or read from WARC files (`warc` spider)."""
    return int(stats.get(RESPONSE_COUNT, 0)) + int(stats.get(WARC_RECORDS + "response", 0))


def summarise(stats: dict[str, Any]) -> str:
    """ "12 articles, 4 copies; dropped: too_short 3; skipped: bad_feed 1; errors: dns 1"."""
    figures = totals(stats)
    parts = [f"{figures['articles']} articles, {figures['copies']} copies"]
    for group in GROUPS:
        if figures[group]:
            parts.append(f"{group}: {_reasons(figures[group])}")
    return "; ".join(parts)


def progress_line(
    stats: dict[str, Any],
    pages_per_second: float,
    queued: int | None,
    input_total: InputTotal = "none",
    done_per_second: float = 0.0,
    unit: str = "URLs",
) -> str:
    """ "296 pages (4.5/s), 120 articles, 37 copies, dropped 12 (listing 8, too_short 4),
    skipped 0, 3 errors, 41 queued, 78% of 380 URLs, ETA 0:00:21".

    The percentage is of what the input listed (`unit`: the URLs of a list, feeds and
    sitemaps, so far while they are still being read; a `warc` run's files); the ETA is
    what is left at `done_per_second`, omitted at 0.
    """
    figures = totals(stats)
    dropped = figures["dropped"]
    parts = [
        f"{pages_seen(stats)} pages ({pages_per_second:.1f}/s)",
        f"{figures['articles']} articles",
        f"{figures['copies']} copies",
        f"dropped {sum(dropped.values())}" + (f" ({_reasons(dropped)})" if dropped else ""),
        f"skipped {sum(figures['skipped'].values())}",
        f"{sum(figures['errors'].values())} errors",
    ]
    if queued is not None:
        parts.append(f"{queued} queued")
    total = stats.get(INPUT_TOTAL, 0)
    if input_total != "none" and total:
        done = min(stats.get(INPUT_DONE, 0), total)
        so_far = " listed so far" if input_total == "growing" else ""
        parts.append(f"{100 * done // total}% of {total} {unit}{so_far}")
        if done_per_second > 0 and done < total:
            left = math.ceil((total - done) / done_per_second)  # never 0 while work is left
            parts.append(f"ETA {timedelta(seconds=left)}")
    return ", ".join(parts)


def _reasons(counts: dict[str, int]) -> str:
    return ", ".join(f"{reason} {count}" for reason, count in counts.items())
