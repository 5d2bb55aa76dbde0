"""`scrapy clusters`: the syndication picture of every story, as JSON Lines.

One record per story: the kept article's title and text, the original (the page the
others credit, else the earliest published), and every page the story appeared on with
its site, date and similarity. Reads the state store named by `STATE_URL`, and never
creates one: a state that does not exist (a mistyped path or prefix) is one line on
stderr and exit code 3, as for a crawl that cannot start.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand

from crawler.addon import SETTING_KINDS
from crawler.clusters import story_records
from crawler.commands.options import check_given_settings, known_settings, report_start_failure
from crawler.config import ConfigError, check_settings
from crawler.state import DEFAULT_STATE_URL, StateError, StateStore, open_state

# The settings this command reads.
READS = ("STATE_URL", "REDIS_RETRY_FOR")


class Command(ScrapyCommand):
    known: set[str]
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[-o FILE] [--min-size N]"

    def short_desc(self) -> str:
        return "Export story clusters (kept text, original, every copy) as JSON Lines"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", help="write here, not stdout")
        parser.add_argument(
            "--min-size",
            type=int,
            default=2,
            metavar="N",
            help="only stories seen on at least N pages (default 2; 1 for all)",
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        self.known = known_settings(self.settings)  # before -s adds the operator's names
        super().process_options(args, opts)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # Logging is off (the records go to stdout): mistakes go to stderr, one line each.
        logger = logging.getLogger(__name__)
        logger.addHandler(logging.StreamHandler(sys.stderr))
        logger.propagate = False
        try:
            store = self._open(opts, logger)
        except (ConfigError, StateError) as error:
            self.exitcode = report_start_failure(error, logger)
            return
        out = open(opts.output, "w", encoding="utf-8") if opts.output else sys.stdout  # noqa: SIM115
        try:
            for record in story_records(store.cluster_rows(opts.min_size)):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        finally:
            store.close()
            if out is not sys.stdout:
                out.close()

    def _open(self, opts: argparse.Namespace, logger: logging.Logger) -> StateStore:
        assert self.settings is not None
        check_given_settings(opts, self.known, logger)
        check_settings(self.settings, {name: SETTING_KINDS[name] for name in READS})
        url = self.settings.get("STATE_URL") or DEFAULT_STATE_URL
        return open_state(url, self.settings, create=False)
