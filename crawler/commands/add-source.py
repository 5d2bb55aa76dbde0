"""`scrapy add-source`: the command's name, which Scrapy takes from its module's; the
command is `crawler.commands.add_source`."""

from crawler.commands.add_source import AddSource as Command

__all__ = ["Command"]
