"""The run in one log line, and its stats as a JSON file for whoever runs the crawl.

Scrapy's stats dump is long and not machine-readable; an operator wants to see at a
glance how many articles and copies a run wrote and why pages were dropped or skipped,
and a scheduler or test wants the same figures as data (`STATS_FILE`).
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import Spider, signals

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def summarise(stats: dict[str, Any]) -> str:
    """ "12 articles, 4 copies; dropped: too_short 3; skipped: bad_feed 1"."""
    parts = [
        f"{stats.get('newsfold/articles', 0)} articles, {stats.get('newsfold/copies', 0)} copies"
    ]
    for group in ("dropped", "skipped"):
        prefix = f"newsfold/{group}/"
        counts = [
            f"{k.removeprefix(prefix)} {v}"
            for k, v in sorted(stats.items())
            if k.startswith(prefix)
        ]
        if counts:
            parts.append(f"{group}: {', '.join(counts)}")
    return "; ".join(parts)


class RunSummary:
    def __init__(self, crawler: Crawler, path: str | None):
        self.crawler = crawler
        self.path = Path(path) if path else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler, crawler.settings.get("STATS_FILE"))
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        logger.info("newsfold run %s: %s", reason, summarise(stats))
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            data = {**stats, "finish_reason": reason}
            self.path.write_text(json.dumps(data, default=_jsonable, indent=1, sort_keys=True))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
