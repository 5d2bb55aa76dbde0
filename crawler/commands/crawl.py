"""`scrapy crawl` with exit codes a scheduler can act on (see `crawler.exitcodes`)."""

from __future__ import annotations

import argparse
import logging

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.exitcodes import DESCRIPTIONS, exit_code

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
        self.crawler_process.crawl(crawler, **opts.spargs)
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
