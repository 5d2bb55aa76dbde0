"""`scrapy report`: the syndication report, one self-contained HTML file.

Reads the state named by `STATE_URL` (either backend; never creates one, as `scrapy
clusters` does) and the manifests of its runs, and writes `-o FILE` (by default
`output/report.html`): stories, who republishes whom, lags and kinds of copy, each
source's health over its runs with the drift flag, runs over time. Prints the file's path.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from crawler.commands.options import report_start_failure
from crawler.config import ConfigError
from crawler.report_data import report_from_state
from crawler.report_html import render
from crawler.runs import describe
from crawler.state_export import StateExportCommand, mistakes_logger

DEFAULT_OUTPUT = "output/report.html"


class Command(StateExportCommand):
    def syntax(self) -> str:
        return "[-o FILE] [--manifests DIR ...]"

    def short_desc(self) -> str:
        return "Write the syndication report (stories, republishers, source health) as HTML"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super(StateExportCommand, self).add_options(parser)
        parser.add_argument(
            "-o",
            "--output",
            metavar="FILE",
            default=DEFAULT_OUTPUT,
            help=f"write the report here (default {DEFAULT_OUTPUT})",
        )
        parser.add_argument(
            "--manifests",
            metavar="DIR",
            action="append",
            default=[],
            help="also read the run manifests (manifest-*.json) in DIR; by default those "
            "the state lists, relative to this folder",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        store = self.open_store(opts)
        if store is None:
            return
        try:
            page = render(report_from_state(store, opts.manifests))
        finally:
            store.close()
        path = Path(opts.output)
        part = path.with_name(path.name + ".part")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            part.write_text(page, encoding="utf-8")
            os.replace(part, path)
        except OSError as error:
            self.exitcode = report_start_failure(
                ConfigError(f"cannot write the report: {describe(error)}"), mistakes_logger()
            )
            return
        print(path)
