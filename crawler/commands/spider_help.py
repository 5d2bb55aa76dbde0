"""The spiders and their `-a` arguments, as `newsfold --help` and `crawl SPIDER --help` show them.

Both read what the spiders declare (`summary`, and each `__init__` parameter's `Arg`,
see `crawler.spiders.base`), so the help says what the spiders parse.
"""

from __future__ import annotations

import argparse

from scrapy import Spider
from scrapy.settings import BaseSettings
from scrapy.spiderloader import get_spider_loader

from crawler.config import ConfigError, did_you_mean
from crawler.spiders.base import NewsSpider


def spider_classes(settings: BaseSettings) -> dict[str, type[Spider]]:
    """The project's spiders by name, in name order."""
    loader = get_spider_loader(settings)
    return {name: loader.load(name) for name in sorted(loader.list())}


def spider_class(settings: BaseSettings, name: str) -> type[Spider]:
    """The spider named `name`; ConfigError naming the spiders when there is none."""
    spiders = spider_classes(settings)
    if name not in spiders:
        raise ConfigError(
            f"no spider named {name!r}{did_you_mean(name, spiders)}; "
            f"the spiders are {', '.join(spiders)}"
        )
    return spiders[name]


def spider_list(settings: BaseSettings) -> str:
    """One line per spider: its name and what it crawls."""
    spiders = spider_classes(settings)
    width = max(map(len, spiders), default=0)
    return "\n".join(
        f"  {name:<{width}}  {getattr(cls, 'summary', '')}" for name, cls in spiders.items()
    )


def add_spider_arguments(parser: argparse.ArgumentParser, spider: type[Spider]) -> None:
    """The spider's `-a` arguments as a group of `parser`'s help, each with its meaning."""
    summary = getattr(spider, "summary", "")
    group = parser.add_argument_group(
        "Spider arguments",
        f"{summary} (the {spider.name} spider). Give each as -a NAME=VALUE.",
    )
    if not issubclass(spider, NewsSpider):
        return
    for argument in spider.arguments():
        meaning = argument.help.replace("%", "%%")  # argparse formats help with %
        if argument.default is not None:
            meaning += f" (default {argument.default})"
        group.add_argument(
            f"-a {argument.name}={argument.value}",
            action="store_true",
            dest=f"spider_argument_{argument.name}",
            help=meaning,
        )
