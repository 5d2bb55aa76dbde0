"""What the commands that export the state have in common: open it, write JSON Lines.

They read a state and never create one: a state that does not exist (a mistyped path
or prefix), a misspelled `-s` name or a bad setting is one line on stderr and exit code
3, as for a crawl that cannot start.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.settings import Settings

from crawler.addon import SETTING_KINDS
from crawler.commands.options import check_given_settings, known_settings, report_start_failure
from crawler.config import ConfigError, check_settings
from crawler.defaults import DEFAULTS
from crawler.state import StateError, StateStore, open_state

# The settings these commands read.
READS = ("STATE_URL", "REDIS_RETRY_FOR")


def open_existing_state(settings: Settings) -> StateStore:
    """The state `STATE_URL` names, never created: ConfigError or StateError otherwise."""
    check_settings(settings, {name: SETTING_KINDS[name] for name in READS})
    url = settings.get("STATE_URL") or DEFAULTS["STATE_URL"]
    return open_state(url, settings, create=False)


def mistakes_logger() -> logging.Logger:
    """Where these commands' mistakes go: stderr, since logging is off and stdout may
    hold the records."""
    logger = logging.getLogger(__name__)
    if not logger.handlers:
        logger.addHandler(logging.StreamHandler(sys.stderr))
        logger.propagate = False
    return logger


class StateExportCommand(ScrapyCommand):
    """A command writing one JSON line per story of the state `STATE_URL` names."""

    known: set[str]
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}
    min_size = 1  # the default of --min-size
    # What each command writes: one record per story of at least `min_size` pages.
    records: Callable[[StateStore, int], Iterator[dict[str, Any]]]

    def syntax(self) -> str:
        return "[-o FILE] [--min-size N]"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", help="write here, not stdout")
        parser.add_argument(
            "--min-size",
            type=int,
            default=self.min_size,
            metavar="N",
            help=f"only stories seen on at least N pages (default {self.min_size}; 1 for all)",
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        self.known = known_settings(self.settings)  # before -s adds the operator's names
        super().process_options(args, opts)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        store = self.open_store(opts)
        if store is None:
            return
        out = open(opts.output, "w", encoding="utf-8") if opts.output else sys.stdout  # noqa: SIM115
        try:
            for record in self.records(store, opts.min_size):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        finally:
            store.close()
            if out is not sys.stdout:
                out.close()

    def open_store(self, opts: argparse.Namespace) -> StateStore | None:
        """The state, or None when it cannot be read: one line on stderr, exit code 3.

        Logging is off (the records go to stdout), so mistakes go to stderr themselves.
        """
        assert self.settings is not None
        logger = mistakes_logger()
        try:
            check_given_settings(opts, self.known, logger)
            return open_existing_state(self.settings)
        except (ConfigError, StateError) as error:
            self.exitcode = report_start_failure(error, logger)
            return None
