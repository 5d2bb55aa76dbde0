"""`scrapy crawl` with exit codes a scheduler can act on (see `crawler.exitcodes`).

Before anything runs, the command line is checked: a spider name that is no spider and
an `-a` name the spider does not take are refused before Scrapy starts (one line, nothing
else), then a `-s` name that is a misspelling of a known setting. Then Scrapy builds
the crawler: the spider (its arguments and input files), the add-on (newsfold's
settings), extensions, middlewares and pipelines (the state). A `ConfigError` or
`StateError` raised on the way, or Redis unreachable for `REDIS_RETRY_FOR`, is for the
operator to fix: one line, exit code 3.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.utils.log import configure_logging
from twisted.internet.defer import Deferred

from crawler.commands.options import check_given_settings, known_settings, report_start_failure
from crawler.commands.spider_help import add_spider_arguments, spider_class, spider_list
from crawler.config import ConfigError
from crawler.defaults import DEFAULTS
from crawler.exitcodes import DESCRIPTIONS, FAILED_TO_START, exit_code
from crawler.extensions.run_summary import RunSummary
from crawler.redisconn import is_unreachable
from crawler.spiders.base import NewsSpider
from crawler.state import StateError, StateLocked

logger = logging.getLogger(__name__)


class Command(ScrapyCrawlCommand):
    known: set[str]
    operator_error = False  # the crawl did not start, for a reason the operator can fix

    def long_desc(self) -> str:
        codes = ", ".join(f"{code} {text}" for code, text in DESCRIPTIONS.items())
        return f"Run a spider of the current project, by name. Exit codes: {codes}."

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        # argparse's own --help exits before the spider's name is read; this one waits for
        # it, so that `crawl SPIDER --help` lists that spider's arguments.
        parser.add_argument(
            "-h",
            "--help",
            action="store_true",
            help="show this help (with SPIDER: its -a arguments)",
        )
        self.parser = parser

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if opts.help and len(args) != 1:
            print(f"{self.parser.format_help()}\nSpiders\n=======\n{spider_list(self.settings)}")
            sys.exit(0)
        self.known = known_settings(self.settings)  # before -s adds the operator's names
        super().process_options(args, opts)
        if len(args) != 1:
            return  # run() says how to call it
        try:
            spider = spider_class(self.settings, args[0])
            if opts.help:
                add_spider_arguments(self.parser, spider)
                self.parser.print_help()
                sys.exit(0)
            if issubclass(spider, NewsSpider):
                spider.check_argument_names(opts.spargs)
        except ConfigError as error:
            # Scrapy has not started yet: its log is set up only to say this one line.
            configure_logging(self.settings)
            sys.exit(report_start_failure(error, logger))

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("run exactly one spider: scrapy crawl NAME [-a ARG=VALUE ...]")
        assert self.crawler_process is not None and self.settings is not None
        try:
            check_given_settings(opts, self.known, logger)
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
            self.settings.getfloat("MAX_ERROR_RATIO", DEFAULTS["MAX_ERROR_RATIO"]),
        )
        if self.exitcode and not RunSummary.logged_for(crawler):  # the summary gave it
            logger.error("Exit code %d: %s", self.exitcode, DESCRIPTIONS[self.exitcode])

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
