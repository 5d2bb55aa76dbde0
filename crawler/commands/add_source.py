"""`scrapy add-source URL [--name NAME] [-o sources.toml]`: a site's source entry, checked.

Runs the `discover` spider on the site (`crawler.spiders.discover`: every probe a Scrapy
request, robots.txt obeyed), then appends one `[[source]]` table to the sources file
with the feeds, sitemaps or start page chosen, each with a comment saying what was found
in it. The operator's entries are never rewritten: a site the file already has is said
and left alone. What could not be found is printed. The crawl keeps nothing: its state
is a temporary one, unless `-s STATE_URL` names one.

Exit codes (`crawler.exitcodes`): 0 when the entry was written or the site was there
already, 3 for an operator's mistake (a URL that is none, a sources file that is wrong
or cannot be written: one line), 5 when nothing led to article pages.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands.options import report_start_failure
from crawler.config import ConfigError
from crawler.exitcodes import FAILED_TO_START, NOTHING_FOUND
from crawler.runs import describe
from crawler.sources import read_sources, source_block
from crawler.spiders.discover import DiscoverSpider
from crawler.spiders.discovering import SiteDiscovery
from crawler.state_export import mistakes_logger
from crawler.urls import site_of, url_problem

DEFAULT_SOURCES = "sources.toml"
# Where each kind found goes in a source entry (`crawler.sources.LISTS`).
LIST_OF = {"news_sitemap": "sitemaps", "feed": "feeds", "sitemap": "sitemaps", "start": "start"}


class AddSource(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "URL [--name NAME] [-o FILE]"

    def short_desc(self) -> str:
        return "Discover a site's feeds and sitemaps and append its [[source]] to a sources file"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--name", metavar="NAME", help="the source's name (default: the site)")
        parser.add_argument(
            "-o",
            "--output",
            metavar="FILE",
            default=DEFAULT_SOURCES,
            help=f"the sources file to append to (default {DEFAULT_SOURCES})",
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        given = dict(item.split("=", 1) for item in opts.set if "=" in item)
        if "LOG_LEVEL" not in given and not opts.loglevel:  # the crawl's warnings, no more
            self.settings.set("LOG_LEVEL", "WARNING", "cmdline")
        if "STATE_URL" not in given:
            # Removed when the command's process ends (TemporaryDirectory's finaliser).
            self.scratch = tempfile.TemporaryDirectory(prefix="newsfold-add-source-")
            self.settings.set("STATE_URL", f"sqlite:///{self.scratch.name}/state.sqlite", "cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one URL: scrapy add-source URL [--name NAME] [-o FILE]")
        url = args[0].strip()
        try:
            name = self._check(url, Path(opts.output), opts.name)
        except ConfigError as error:
            self.exitcode = _mistake(error)
            return
        if name is None:
            return
        result = self._discover(url, name)
        if result is None:
            self.exitcode = FAILED_TO_START
            return
        for line in result.missing:
            print(f"not found: {line}")
        if not result.chosen:
            print(f"{url}: no feed, sitemap or start page leads to article pages; nothing written")
            self.exitcode = NOTHING_FOUND
            return
        chosen = [(LIST_OF[found.kind], found.url, found.describe()) for found in result.chosen]
        note = f"added by newsfold add-source {url} on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        block = source_block(name, chosen, note)
        try:
            with Path(opts.output).open("a", encoding="utf-8") as file:
                file.write(("\n" if Path(opts.output).stat().st_size else "") + block)
        except OSError as error:
            self.exitcode = _mistake(ConfigError(f"cannot write {opts.output}: {describe(error)}"))
            return
        for key, found_url, comment in chosen:
            print(f"{key}: {found_url}  # {comment}")
        print(f"appended [[source]] {name!r} to {opts.output}")

    def _check(self, url: str, path: Path, name: str | None) -> str | None:
        """The source's name; None (said) when the file has the site already; ConfigError
        for a URL that is none or a file that cannot take the entry."""
        problem = url_problem(url)
        if problem:
            raise ConfigError(f"{url!r} is not a site's URL: {problem}")
        site = site_of(url)
        if path.exists():
            for source in read_sources(str(path)):
                if any(site_of(entry.target) == site for entry in source.entries()):
                    print(f"{path} has {site} already (source {source.name!r}); nothing changed")
                    return None
        folder = path.parent if str(path.parent) else Path(".")
        if not os.access(path if path.exists() else folder, os.W_OK) or path.is_dir():
            raise ConfigError(f"cannot write {path}: not a writable file or folder")
        return name or site

    def _discover(self, url: str, name: str) -> SiteDiscovery | None:
        assert self.crawler_process is not None
        crawler = self.crawler_process.create_crawler(DiscoverSpider)
        self.crawler_process.crawl(crawler, home=url, source=name)
        self.crawler_process.start()
        spider = crawler.spider
        return spider.result if isinstance(spider, DiscoverSpider) else None


def _mistake(error: ConfigError) -> int:
    """The operator's mistake in one line on stderr (the crawl's log is not set up yet)."""
    logger = mistakes_logger()
    logger.setLevel(logging.INFO)  # the traceback, at DEBUG, is for newsfold's developers
    return report_start_failure(error, logger)


# Scrapy names a command after its module, and this one's name has a hyphen, which no
# importable name can: `crawler/commands/add-source.py` re-exports the class under it.
AddSource.__module__ = "crawler.commands.add-source"
