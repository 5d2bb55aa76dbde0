"""`scrapy reprocess`: the pages of the WARC files a state knows, extracted and collapsed again.

This is how a better extractor or collapse reaches last year's crawl. The WARC files are
those the manifests of the state's runs list as `warc_files` (read by a `warc` crawl, or
written with `WARC_DIR`; paths relative to the folder the crawls ran in, as this command
is run). Their pages go through a `warc` crawl with the current code and settings; the
store writes a record only when the page's text, title, date or story changed, with the
same `id` and a higher `revision`, so the output holds only what changed. It is a crawl:
it writes its output (`-o`) and a manifest, and exits as `scrapy crawl` does. A state
that does not exist, or knows no WARC file, is one line and exit code 3.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterable
from typing import Any

from scrapy.exceptions import UsageError
from scrapy.utils.log import configure_logging

from crawler.commands.crawl import Command as CrawlCommand
from crawler.commands.options import check_given_settings, report_start_failure
from crawler.config import ConfigError
from crawler.report_data import manifest_paths
from crawler.source_health import read_manifests
from crawler.state import StateError
from crawler.state_export import open_existing_state

logger = logging.getLogger(__name__)

SPIDER = "warc"


def known_warc_files(manifests: Iterable[dict[str, Any]]) -> list[str]:
    """The WARC files the runs' manifests list, oldest run first, each once: those a run
    wrote or read (`warc_files`), and those of a killed run that the next run repaired
    (`repaired[].warc_files`: a killed run writes no manifest of its own)."""
    found: list[str] = []
    for manifest in manifests:
        repaired = manifest.get("repaired") or []
        lists = [
            *(entry.get("warc_files") for entry in repaired if isinstance(entry, dict)),
            manifest.get("warc_files"),
        ]
        for files in lists:
            found += [str(path) for path in files or [] if isinstance(path, str) and path]
    return list(dict.fromkeys(found))


class Command(CrawlCommand):
    def syntax(self) -> str:
        return "[-a hosts=H1,H2] [-a since=AGE|DATE] [options]"

    def short_desc(self) -> str:
        return "Run the pages of the state's WARC files through extraction and collapse again"

    def long_desc(self) -> str:
        return (
            "Read the WARC files the state's run manifests list (warc_files), and write "
            "the records whose text, title, date or story the current code changes. "
            + super().long_desc().split(". ", 1)[1]
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        """The state's WARC files are found before Scrapy starts, so that a state that
        cannot be read is one line, as a mistake on `crawl`'s command line is."""
        if args:
            raise UsageError("reprocess takes no spider: scrapy reprocess [-o FILE] [-s ...]")
        super().process_options([SPIDER], opts)  # checks the -a names (hosts, since)
        assert self.settings is not None
        try:
            given = {"files", "file"} & set(opts.spargs)
            if given:
                raise ConfigError(
                    f"-a {sorted(given)[0]}: reprocess reads the WARC files the state knows; "
                    "to read others, run `scrapy crawl warc`"
                )
            check_given_settings(opts, self.known, logger)
            store = open_existing_state(self.settings)
            try:
                runs = store.runs()
            finally:
                store.close()
            files = known_warc_files(read_manifests(manifest_paths(runs)))
            if not files:
                raise ConfigError(
                    "the state knows no WARC file: no manifest of its runs lists warc_files "
                    "(run `scrapy crawl warc` or a crawl with WARC_DIR first, from this folder)"
                )
        except (ConfigError, StateError) as error:
            configure_logging(self.settings)
            sys.exit(report_start_failure(error, logger))
        opts.spargs = {**opts.spargs, "files": ",".join(files)}

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        logger.info("Reprocessing the %s WARC files the state knows", opts.spargs["files"])
        super().run([SPIDER], opts)
