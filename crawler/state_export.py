"""What the commands that export the state have in common: open it, write JSON Lines."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.state import DEFAULT_STATE_URL, StateError, StateStore, open_state


class StateExportCommand(ScrapyCommand):
    """A command writing one JSON line per story of the state `STATE_URL` names."""

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

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        url = self.settings.get("STATE_URL") or DEFAULT_STATE_URL
        try:
            store = open_state(url)
        except StateError as error:
            raise UsageError(str(error), print_help=False) from error
        out = open(opts.output, "w", encoding="utf-8") if opts.output else sys.stdout  # noqa: SIM115
        try:
            for record in self.records(store, opts.min_size):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        finally:
            store.close()
            if out is not sys.stdout:
                out.close()
