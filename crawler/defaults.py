"""newsfold's own settings and their defaults: the one place a default is written.

The add-on (`crawler.addon`) sets them at add-on priority; code that runs where the
add-on has not set them (commands that open no crawler, components used without the
add-on) falls back on these, never on a value of its own. Free of imports, so any module
can read it without a cycle.
"""

from __future__ import annotations

from typing import Any

# newsfold's own settings, documented in the README.
DEFAULTS: dict[str, Any] = {
    "STATE_URL": "sqlite:///state/newsfold.sqlite",
    "DEDUP_ENABLED": True,
    "DEDUP_NUM_PERM": 128,
    "DEDUP_LSH_THRESHOLD": 0.5,
    "DEDUP_LEAD_THRESHOLD": 0.7,
    "DEDUP_SIMILARITY": 0.7,
    "DEDUP_CONTAINMENT": 0.85,
    "DEDUP_MIN_SHINGLES": 40,
    "MIN_ARTICLE_CHARS": 400,
    "MAX_LINKED_FRACTION": 0.25,
    # Worker processes for extraction, the CPU-heavy step: "auto" is one per core, 0 none.
    "EXTRACT_WORKERS": "auto",
    # Threads for the state calls of each page (collapse, record) on Redis, off the loop.
    "STATE_THREADS": 4,
    "TEMPLATES_ENABLED": True,
    "TEMPLATE_MIN_PAGES": 3,
    "TEMPLATE_MAX_CHARS": 300,
    "ALLOW_PRIVATE_NETWORKS": False,
    "NEWSFOLD_CONTACT": "",
    "STATS_FILE": None,
    "MAX_ERROR_RATIO": 0.5,
    # Incremental runs: article pages already processed are not fetched again until
    # REVISIT_AFTER (an age such as "12h" or "7d"; empty: never) and are forgotten after
    # SEEN_EXPIRE_AFTER, so the store does not grow without bound.
    "REVISIT_AFTER": "",
    "SEEN_EXPIRE_AFTER": "90d",
    # One run at a time per state: a second run waits this many seconds for the lock.
    "LOCK_WAIT": 60,
    # Runs whose own output files and manifests are kept (the newest); 0 keeps them all.
    "KEEP_RUNS": 0,
    # Politeness: the longest Retry-After and robots.txt Crawl-delay honoured (seconds).
    "RETRY_AFTER_MAX": 120,
    "ROBOTS_MAX_CRAWL_DELAY": 60,
    # Distributed crawls (crawler.frontier): the shared frontier's Redis (empty: STATE_URL
    # when that is redis://; "local": none), its name (empty: the spider's), how long it
    # must stay empty before a worker leaves, and how long Redis may be unreachable.
    "FRONTIER_URL": "",
    "FRONTIER_NAME": "",
    "FRONTIER_IDLE_EXIT": 30,
    "REDIS_RETRY_FOR": 60,
    # Discovery (`home =` sources, `scrapy add-source`): candidates probed per site at most,
    # entries fetched per candidate to judge it, the share of those that must be articles,
    # and how long a site's discovery is reused from the state before it is probed again.
    "DISCOVERY_MAX_PROBES": 12,
    "DISCOVERY_SAMPLE": 3,
    "DISCOVERY_MIN_SHARE": 0.5,
    "DISCOVERY_TTL": "1d",
    # WARC out (crawler.middlewares.warc_out): the folder of the crawl's WARC files (empty:
    # none written), and the size in bytes at which a file is closed and the next begun.
    "WARC_DIR": "",
    "WARC_MAX_SIZE": 1_000_000_000,
    # Seconds between progress lines (crawler.extensions.progress); 0: none.
    "PROGRESS_INTERVAL": 30,
}
