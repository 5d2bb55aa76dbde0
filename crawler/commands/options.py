"""What newsfold's commands check of their command line, and how they report a mistake.

A mistake of the operator's (`ConfigError`, or a state that cannot be opened) is one
log line that names what is wrong and exit code 3; the traceback would only hide that
line, so it is logged at DEBUG, for whoever debugs newsfold itself.
"""

from __future__ import annotations

import argparse
import logging

from scrapy.settings import BaseSettings

from crawler.addon import SCRAPY_DEFAULTS
from crawler.config import check_setting_names
from crawler.defaults import DEFAULTS
from crawler.exitcodes import FAILED_TO_START


def known_settings(settings: BaseSettings) -> set[str]:
    """Every setting name a component reads: Scrapy's and the project's (those in
    `settings` before the command line is applied) and the add-on's."""
    return {*settings, *DEFAULTS, *SCRAPY_DEFAULTS}


def check_given_settings(opts: argparse.Namespace, known: set[str], logger: logging.Logger) -> None:
    """One warning per `-s` name nothing reads; ConfigError for a likely misspelling."""
    given = [item.split("=", 1)[0] for item in opts.set]
    for warning in check_setting_names(given, known):
        logger.warning(warning)


def report_start_failure(error: BaseException, logger: logging.Logger) -> int:
    """Log an operator's mistake in one line (the traceback at DEBUG); the exit code."""
    message = " ".join(str(error).split())  # one line, whatever the message held
    logger.error("Failed to start (exit code %d): %s", FAILED_TO_START, message)
    logger.debug("Where it failed:", exc_info=error)
    return FAILED_TO_START
