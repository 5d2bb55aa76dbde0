"""The newsfold add-on: the pipelines, middlewares and safe defaults in one switch.

`ADDONS = {"crawler.addon.Newsfold": 0}` is all a Scrapy project needs to crawl the way
newsfold does. Values are set at add-on priority, so the project's `settings.py`,
a spider's `custom_settings` and `-s` on the command line all override them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.settings import BaseSettings

from crawler.config import (
    Age,
    AutoOrInteger,
    Integer,
    Kind,
    Number,
    Url,
    check_settings,
    setting_kinds,
)
from crawler.defaults import DEFAULTS
from crawler.feedstorage import check_feeds, check_folder
from crawler.frontier import frontier_url

# How newsfold's settings are checked when a crawl starts (`crawler.config`), so that a
# wrong value stops the run at once with the setting's name (exit code 3) instead of
# failing mid-run or being misread. A setting not listed here is checked by the type of
# its default: True/False, a whole number >= 0 or a number >= 0.
CHECKS: dict[str, Kind] = {
    "STATE_URL": Url(
        ("sqlite", "redis", "rediss"), ("",), "sqlite:///PATH or redis://HOST:PORT/DB"
    ),
    "DEDUP_NUM_PERM": Integer(2),
    "DEDUP_LSH_THRESHOLD": Number(0, 1),
    "DEDUP_LEAD_THRESHOLD": Number(0, 1),
    "DEDUP_SIMILARITY": Number(0, 1),
    "DEDUP_CONTAINMENT": Number(0, 1),
    "MAX_LINKED_FRACTION": Number(0, 1),
    "EXTRACT_WORKERS": AutoOrInteger(),
    "TEMPLATE_MIN_PAGES": Integer(1),
    "REVISIT_AFTER": Age(),
    "SEEN_EXPIRE_AFTER": Age(),
    "LOCK_WAIT": Number(0, unit="seconds"),
    "RETRY_AFTER_MAX": Number(0, unit="seconds"),
    "ROBOTS_MAX_CRAWL_DELAY": Number(0, unit="seconds"),
    "FRONTIER_URL": Url(("redis", "rediss", "unix"), ("", "local"), "redis://HOST:PORT/DB"),
    "FRONTIER_IDLE_EXIT": Number(0, unit="seconds"),
    "REDIS_RETRY_FOR": Number(0, unit="seconds"),
    "PROGRESS_INTERVAL": Number(0, unit="seconds"),
    "DISCOVERY_MAX_PROBES": Integer(1),
    "DISCOVERY_SAMPLE": Integer(1),
    "DISCOVERY_MIN_SHARE": Number(0, 1),
    "DISCOVERY_TTL": Age(),
    "WARC_MAX_SIZE": Integer(1),
}
SETTING_KINDS = setting_kinds(DEFAULTS, CHECKS)

PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.clean.CleanPipeline": 200,
    "pipelines.collapse.CollapsePipeline": 300,
    "pipelines.template_stories.TemplateStoriesPipeline": 350,
    "pipelines.store.StorePipeline": 400,
}

# Scrapy settings chosen for a crawler that runs unattended against other people's sites.
SCRAPY_DEFAULTS: dict[str, Any] = {
    "ROBOTSTXT_OBEY": True,
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 2.0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
    # Items of one response processed at once. Scrapy starts this many tasks for every
    # response's output; a page yields one item, and its default of 100 made task
    # scheduling about a quarter of the crawl process's CPU.
    "CONCURRENT_ITEMS": 8,
    "DOWNLOAD_DELAY": 0.5,
    "DOWNLOAD_TIMEOUT": 30,
    "DOWNLOAD_MAXSIZE": 16 * 1024 * 1024,
    "DOWNLOAD_WARNSIZE": 4 * 1024 * 1024,
    "REDIRECT_MAX_TIMES": 5,
    "RETRY_TIMES": 2,
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
    # newsfold's progress line replaces Scrapy's "Crawled N pages" line.
    "LOGSTATS_INTERVAL": 0,
    "FEED_EXPORT_ENCODING": "utf-8",
    # A run with nothing new leaves no empty file behind.
    "FEED_STORE_EMPTY": False,
    "LOG_FORMATTER": "crawler.logformatter.NewsLogFormatter",
    # Only the web: no local files, FTP, S3 or data: URLs from a feed's links.
    "DOWNLOAD_HANDLERS": {"file": None, "ftp": None, "s3": None, "data": None},
    # Output files appear under their final names only when complete, named for the run.
    "FEED_STORAGES": {
        "": "crawler.feedstorage.AtomicFileFeedStorage",
        "file": "crawler.feedstorage.AtomicFileFeedStorage",
    },
    "FEED_URI_PARAMS": "crawler.runs.uri_params",
}

USER_AGENT = "newsfold/0.1 (news crawler; +https://github.com/newsfold/newsfold{contact})"


class Newsfold:
    """Scrapy add-on that installs newsfold's components and defaults."""

    def update_settings(self, settings: BaseSettings) -> None:
        for name, value in {**DEFAULTS, **SCRAPY_DEFAULTS}.items():
            settings.set(name, value, priority="addon")
        check_settings(settings, SETTING_KINDS)
        contact = settings.get("NEWSFOLD_CONTACT")
        agent = USER_AGENT.format(contact=f"; {contact}" if contact else "")
        settings.set("USER_AGENT", agent, priority="addon")
        if not settings.getdict("FEEDS"):
            settings.set("FEEDS", settings.getdict("DEFAULT_FEEDS"), priority="addon")
        check_feeds(settings.getdict("FEEDS"))
        if settings.get("WARC_DIR"):
            check_folder(Path(settings["WARC_DIR"]) / "newsfold.warc.gz")
        settings["ITEM_PIPELINES"].update(PIPELINES)
        settings["EXTENSIONS"].update(
            {
                "crawler.extensions.manifest.RunManifest": 0,
                "crawler.extensions.run_summary.RunSummary": 0,
                "crawler.extensions.progress.Progress": 0,
            }
        )
        settings["SPIDER_MIDDLEWARES"].update(
            {"crawler.middlewares.seen_urls.SeenUrlsMiddleware": 800}
        )
        settings["DOWNLOADER_MIDDLEWARES"].update(
            {
                "crawler.middlewares.private_network.PrivateNetworkMiddleware": 50,
                # Right after RobotsTxtMiddleware (100), which reads the Crawl-delay.
                "crawler.middlewares.robots_delay.CrawlDelayMiddleware": 110,
                # Scrapy's RetryMiddleware, in its place, honouring Retry-After.
                "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
                "crawler.middlewares.retry_after.RetryAfterMiddleware": 550,
                # Nearest the downloader but for the cache (900): the response as received,
                # before redirects, retries and HttpCompressionMiddleware (590) touch it.
                "crawler.middlewares.warc_out.WarcOutMiddleware": 880,
            }
        )
        # Redis: stop with exit code 7 when it stays unreachable; a redis:// frontier makes
        # the crawl one worker of many (crawler.scheduler), on scrapy-redis's scheduler.
        # Built before the manifest, which begins the run in the state: a frontier that
        # cannot be reached at start fails the start before a run is registered.
        settings["EXTENSIONS"].update({"crawler.extensions.outage.ServerOutage": -1})
        if frontier_url(settings) is not None:
            settings.set("SCHEDULER", "crawler.scheduler.FrontierScheduler", priority="addon")
            settings.set("SCHEDULER_PERSIST", True, priority="addon")
