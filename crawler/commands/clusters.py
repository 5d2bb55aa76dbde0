"""`scrapy clusters`: the syndication picture of every story, as JSON Lines.

One record per story: the kept article's title and text, the original (the page the
others credit, else the earliest published), and every page the story appeared on with
its site, date and similarity. Reads the state store named by `STATE_URL`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.clusters import story_records
from crawler.state import DEFAULT_STATE_URL, StateError, open_state


class Command(ScrapyCommand):
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

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        url = self.settings.get("STATE_URL") or DEFAULT_STATE_URL
        try:
            store = open_state(url)
        except StateError as error:
            raise UsageError(str(error), print_help=False) from error
        out = open(opts.output, "w", encoding="utf-8") if opts.output else sys.stdout  # noqa: SIM115
        try:
            for record in story_records(store.cluster_rows(opts.min_size)):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        finally:
            store.close()
            if out is not sys.stdout:
                out.close()
