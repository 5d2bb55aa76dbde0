"""`scrapy crawl` with exit codes a scheduler can act on (see `crawler.exitcodes`)."""

from __future__ import annotations

import argparse
import asyncio
import logging

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.exitcodes import DESCRIPTIONS, exit_code
from crawler.state import StateLocked

logger = logging.getLogger(__name__)


class Command(ScrapyCrawlCommand):
    def long_desc(self) -> str:
        codes = ", ".join(f"{code} {text}" for code, text in DESCRIPTIONS.items())
        return f"Run a spider of the current project, by name. Exit codes: {codes}."

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("run exactly one spider: scrapy crawl NAME [-a ARG=VALUE ...]")
        assert self.crawler_process is not None and self.settings is not None
        crawler = self._create_crawler(args[0])
        started = self.crawler_process.crawl(crawler, **opts.spargs)
        if isinstance(started, asyncio.Task):
            started.add_done_callback(_log_start_failure)
        self.crawler_process.start()
        try:
            stats = crawler.stats.get_stats() if crawler.stats is not None else {}
        except RuntimeError:  # the crawl never started, so it has no stats
            stats = {}
        self.exitcode = exit_code(
            stats,
            self.crawler_process.bootstrap_failed,
            self.settings.getfloat("MAX_ERROR_RATIO", 0.5),
        )
        if self.exitcode:
            logger.error("Exit code %d: %s", self.exitcode, DESCRIPTIONS[self.exitcode])


def _log_start_failure(task: asyncio.Task[None]) -> None:
    """Say why a crawl could not start; a locked state has been reported already."""
    error = None if task.cancelled() else task.exception()
    if error is not None and not isinstance(error, StateLocked):
        logger.error("Crawl failed: %s", error, exc_info=error)
