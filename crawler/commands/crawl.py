"""`scrapy crawl` with exit codes a scheduler can act on (see `crawler.exitcodes`).

Before anything runs, the command line is checked: a `-s` name that is a misspelling
of a known setting and a spider name that is no spider are refused. Then Scrapy builds
the crawler: the spider (its arguments and input files), the add-on (newsfold's
settings), extensions, middlewares and pipelines (the state). A `ConfigError` or
`StateError` raised on the way, or Redis unreachable for `REDIS_RETRY_FOR`, is for the
operator to fix: one line, exit code 3.
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from twisted.internet.defer import Deferred

from crawler.commands.options import check_given_settings, known_settings, report_start_failure
from crawler.config import ConfigError, did_you_mean
from crawler.exitcodes import DESCRIPTIONS, FAILED_TO_START, exit_code
from crawler.extensions.run_summary import RunSummary
from crawler.redisconn import is_unreachable
from crawler.state import StateError, StateLocked

logger = logging.getLogger(__name__)


class Command(ScrapyCrawlCommand):
    known: set[str]
    operator_error = False  # the crawl did not start, for a reason the operator can fix

    def long_desc(self) -> str:
        codes = ", ".join(f"{code} {text}" for code, text in DESCRIPTIONS.items())
        return f"Run a spider of the current project, by name. Exit codes: {codes}."

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        self.known = known_settings(self.settings)  # before -s adds the operator's names
        super().process_options(args, opts)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("run exactly one spider: scrapy crawl NAME [-a ARG=VALUE ...]")
        assert self.crawler_process is not None and self.settings is not None
        try:
            check_given_settings(opts, self.known, logger)
            self._check_spider(args[0])
        except ConfigError as error:
            self.exitcode = report_start_failure(error, logger)
            return
        crawler = self._create_crawler(args[0])
        started = self.crawler_process.crawl(crawler, **opts.spargs)
        if isinstance(started, asyncio.Task):
            started.add_done_callback(self._started)
        elif isinstance(started, Deferred):
            started.addErrback(lambda failure: self._start_failed(failure.value))
        self.crawler_process.start()
        if self.operator_error:
            self.exitcode = FAILED_TO_START
            return
        try:
            stats = crawler.stats.get_stats() if crawler.stats is not None else {}
        except RuntimeError:  # the crawl never started, so it has no stats
            stats = {}
        self.exitcode = exit_code(
            stats,
            self.crawler_process.bootstrap_failed,
            self.settings.getfloat("MAX_ERROR_RATIO", 0.5),
        )
        if self.exitcode and not RunSummary.logged_for(crawler):  # the summary gave it
            logger.error("Exit code %d: %s", self.exitcode, DESCRIPTIONS[self.exitcode])

    def _check_spider(self, name: str) -> None:
        assert self.crawler_process is not None
        spiders = sorted(self.crawler_process.spider_loader.list())
        if name not in spiders:
            raise ConfigError(
                f"no spider named {name!r}{did_you_mean(name, spiders)}; "
                f"the spiders are {', '.join(spiders)}"
            )

    def _started(self, task: asyncio.Task[None]) -> None:
        self._start_failed(None if task.cancelled() else task.exception())

    def _start_failed(self, error: BaseException | None) -> None:
        """Say why the crawl could not start: an operator's mistake in one line, anything
        else with its traceback (a locked state has been reported where it was found)."""
        if error is None or isinstance(error, StateLocked):
            return
        if isinstance(error, ConfigError | StateError) or is_unreachable(error):
            self.operator_error = True
            report_start_failure(error, logger)
        else:
            logger.error("Crawl failed: %s", error, exc_info=error)
