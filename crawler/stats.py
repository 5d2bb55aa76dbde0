"""The names of newsfold's stats: every name the crawl counts under, in one place.

Stats are the run's contract with its operators: the manifest, the summary and progress
lines, the exit code and the README all read them by these names. A family ending in "/"
is completed with a reason, a method or a kind (`DROPPED + "too_short"`).
"""

from __future__ import annotations

# What became of the pages and inputs, by reason, as the manifest's per-source counts
# and the summary line group them (`crawler.runstats.GROUPS`): dropped by a pipeline
# (not an article, too short, unparseable), skipped before or without fetching (seen,
# unchanged, a feed that is not one, a private address), failed requests (dns, timeout,
# HTTP status).
DROPPED = "newsfold/dropped/"
SKIPPED = "newsfold/skipped/"
ERRORS = "newsfold/errors/"
SKIPPED_OLDER_THAN_SINCE = SKIPPED + "older_than_since"
SKIPPED_PRIVATE_NETWORK = SKIPPED + "private_network"
SKIPPED_SEEN = SKIPPED + "seen"
SKIPPED_UNCHANGED = SKIPPED + "unchanged"

# Records written: articles and copies (the store), and records written again when their
# story changed (a late bridge, a better page).
ARTICLES = "newsfold/articles"
COPIES = "newsfold/copies"
REWRITTEN_ARTICLES = "newsfold/rewritten/articles"
REWRITTEN_COPIES = "newsfold/rewritten/copies"

# Article page requests made by this process, and by all workers of a distributed crawl
# (the scheduler's count of the shared frontier): the exit code's "nothing found".
ARTICLE_REQUESTS = "newsfold/requests/article"
FRONTIER_ARTICLES = "newsfold/frontier/articles"

# Article URLs the run's inputs listed, and how many of those are done: fetched, failed,
# or skipped before fetching (the progress line's percentage and ETA).
INPUT_TOTAL = "newsfold/input/total"
INPUT_DONE = "newsfold/input/done"

# Extraction: pages extracted, charsets put right, where the date and text came from
# (`+ source`), what the body refinement changed (`+ change`).
EXTRACT_PAGES = "newsfold/extract/pages"
CHARSET_CORRECTED = "newsfold/extract/charset_corrected"
CHARSET_DETECTED = "newsfold/extract/charset_detected"
PUBLISHED_SOURCE = "newsfold/extract/published_source/"
TEXT_SOURCE = "newsfold/extract/text_source/"
BODY_CHANGE = "newsfold/extract/body/"

# Cleaning: credit lines taken out of the text, template blocks removed.
CLEAN_CREDITS = "newsfold/clean/credits"
CLEAN_TEMPLATE_BLOCKS = "newsfold/clean/template_blocks"

# The collapse's decisions, by the rule that matched a copy (`+ method`).
COLLAPSE = "newsfold/collapse/"

# WARC files read by the warc spider: files, and records by WARC-Type (a response that
# gave no page is also counted under `newsfold/skipped/<reason>`).
WARC_FILES = "newsfold/warc/files"
WARC_RECORDS = "newsfold/warc/records/"

# Inputs that were read but lacked something: a sitemap's notes (`+ note`), a site whose
# pages do not look like articles.
SITEMAPS = "newsfold/sitemaps/"
SITE_NOT_ARTICLE_LIKE = "newsfold/site/not_article_like"

# Discovery (`crawler.spiders.discovering`): requests it made, guesses that found nothing
# (a 404 at a common path is expected, not an error), what it chose by kind (`+ kind`:
# news_sitemap, feed, sitemap, start), and sites whose discovery the state still held
# (DISCOVERY_TTL). Its bad input is skipped as any input is, `SKIPPED + reason`, with the
# reasons of DISCOVERY_SKIPS.
DISCOVERY_PROBES = "newsfold/discovery/probes"
DISCOVERY_MISSING = "newsfold/discovery/missing"
DISCOVERY_FOUND = "newsfold/discovery/found/"
DISCOVERY_CACHED = "newsfold/discovery/cached"
DISCOVERY_SKIPS = (
    "home_off_site",  # the home page redirected to another site
    "off_site_link",  # a feed link to another site
    "off_site_entries",  # a feed or sitemap listing only other sites' pages
    "feed_is_html",  # a feed or sitemap link that served an HTML page
    "not_feed_or_sitemap",  # a feed or sitemap link that served something else
    "sitemap_loop",  # a sitemap index that lists itself or an index that led to it
    "nothing_discovered",  # no candidate led to article pages
)

# Politeness: Retry-After waits honoured or refused as too long, robots.txt Crawl-delays
# applied and capped at ROBOTS_MAX_CRAWL_DELAY.
RETRY_AFTER_WAITED = "newsfold/retry_after/waited"
RETRY_AFTER_TOO_LONG = "newsfold/retry_after/too_long"
CRAWL_DELAY = "newsfold/politeness/crawl_delay"
CRAWL_DELAY_CAPPED = "newsfold/politeness/crawl_delay_capped"

# How a run ended badly, each with its exit code (`crawler.exitcodes`): Redis unreachable
# for longer than REDIS_RETRY_FOR, the state locked by another run, an output file that
# could not be written.
STATE_UNREACHABLE = "newsfold/state_unreachable"
LOCKED = "newsfold/locked"
OUTPUT_FAILED = "newsfold/output_failed"

# WARC out (`WARC_DIR`): records written (a response and its request per fetch), their
# compressed bytes, and the files begun.
WARC_WRITTEN_RECORDS = "newsfold/warc/written/records"
WARC_WRITTEN_BYTES = "newsfold/warc/written/bytes"
WARC_WRITTEN_FILES = "newsfold/warc/written/files"

# Scrapy's own stats that newsfold reads (and scrapy-redis's names for the frontier).
REQUEST_COUNT = "downloader/request_count"
RESPONSE_COUNT = "downloader/response_count"
LOGGED_ERRORS = "log_count/ERROR"
START_TIME = "start_time"
ENQUEUED_REDIS = "scheduler/enqueued/redis"
DEQUEUED_REDIS = "scheduler/dequeued/redis"
