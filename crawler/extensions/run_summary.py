"""The run in one log line, the last of its log, and its stats as a JSON file.

Scrapy's stats dump is long and not machine-readable; an operator wants to see at a
glance how many articles and copies a run wrote, why pages were dropped, skipped or
failed, and with which exit code it ends, and a scheduler or test wants the same figures
as data (`STATS_FILE`). The line is logged when the engine has stopped, after Scrapy's
stats dump and its "Spider closed" line, so that the tail of a cron log is the summary.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import Spider, signals

from crawler.exitcodes import DESCRIPTIONS, OK, exit_code
from crawler.runstats import summarise

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class RunSummary:
    def __init__(self, crawler: Crawler, path: str | None):
        self.crawler = crawler
        self.path = Path(path) if path else None
        self.reason: str | None = None
        self.logged = False  # the crawl command then says nothing more

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler, crawler.settings.get("STATS_FILE"))
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    @classmethod
    def logged_for(cls, crawler: Crawler) -> bool:
        """Whether the crawler's run summary (with its exit code) has been logged."""
        try:
            summary = crawler.get_extension(cls)
        except RuntimeError:  # the crawl failed before its extensions were built
            return False
        return summary is not None and summary.logged

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.reason = reason
        if self.path is not None:
            assert self.crawler.stats is not None
            self.path.parent.mkdir(parents=True, exist_ok=True)
            data = {**self.crawler.stats.get_stats(), "finish_reason": reason}
            self.path.write_text(json.dumps(data, default=_jsonable, indent=1, sort_keys=True))

    def engine_stopped(self) -> None:
        if self.reason is None:  # the spider never opened: the start failure says why
            return
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        code = exit_code(stats, False, self.crawler.settings.getfloat("MAX_ERROR_RATIO"))
        ending = f"; exit code {code} ({DESCRIPTIONS[code]})" if code != OK else ""
        level = logging.INFO if code == OK else logging.ERROR
        logger.log(level, "newsfold run %s: %s%s", self.reason, summarise(stats), ending)
        self.logged = True


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
