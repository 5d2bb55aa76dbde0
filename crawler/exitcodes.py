"""Exit codes a scheduler can act on, decided from how the run ended.

`scrapy crawl` exits 0 even when the spider failed. newsfold's `crawl` command exits with
one of these instead, so cron, systemd or an orchestrator can tell a quiet success from
a run that did nothing or went badly.
"""

from __future__ import annotations

from typing import Any

from crawler import stats as names

OK = 0
FAILED_TO_START = 3  # bad arguments or sources file, state that cannot be opened
TOO_MANY_ERRORS = 4  # failed requests or logged errors above MAX_ERROR_RATIO of requests
NOTHING_FOUND = 5  # no feed, sitemap, start page or WARC file led to a single article page
LOCKED = 6  # another run held the state for longer than LOCK_WAIT
STATE_UNREACHABLE = 7  # Redis (state or frontier) unreachable for longer than REDIS_RETRY_FOR
OUTPUT_FAILED = 8  # an output file could not be written: the run stopped, its pages are redone

DESCRIPTIONS = {
    OK: "success",
    FAILED_TO_START: "failed to start",
    TOO_MANY_ERRORS: "finished with errors above MAX_ERROR_RATIO",
    NOTHING_FOUND: "no source yielded an article page",
    LOCKED: "another run holds the state (LOCK_WAIT expired)",
    STATE_UNREACHABLE: "Redis unreachable for longer than REDIS_RETRY_FOR",
    OUTPUT_FAILED: "an output file could not be written (see the manifest's output_errors)",
}


def exit_code(stats: dict[str, Any], bootstrap_failed: bool, max_error_ratio: float) -> int:
    """The run's exit code from its final stats."""
    if stats.get(names.STATE_UNREACHABLE):
        return STATE_UNREACHABLE
    if stats.get(names.LOCKED):
        return LOCKED
    if bootstrap_failed or names.START_TIME not in stats:
        return FAILED_TO_START
    if stats.get(names.OUTPUT_FAILED):
        return OUTPUT_FAILED
    requests = stats.get(names.REQUEST_COUNT, 0)
    # A failed request is counted by the spider and usually logged by Scrapy as well.
    failed = sum(count for name, count in stats.items() if name.startswith(names.ERRORS))
    errors = max(stats.get(names.LOGGED_ERRORS, 0), failed)
    if errors and errors > max_error_ratio * max(requests, 1):
        return TOO_MANY_ERRORS
    # A worker of a distributed crawl counts what the whole run found (crawler.scheduler).
    found = (names.ARTICLE_REQUESTS, names.FRONTIER_ARTICLES, names.WARC_RECORDS + "response")
    if not any(stats.get(name, 0) for name in found):  # requests, or pages read from WARCs
        return NOTHING_FOUND
    return OK
