"""Settings of the newsfold Scrapy project.

The components and their defaults come from the add-on (`crawler.addon`); set any of
them here, in a spider, or with `-s NAME=VALUE`. Every setting is described in the
README.
"""

BOT_NAME = "newsfold"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"
LOG_LEVEL = "INFO"

ADDONS = {"crawler.addon.Newsfold": 0}

# Refuses DNS answers that are private, loopback or link-local addresses (unless
# ALLOW_PRIVATE_NETWORKS). Scrapy installs the resolver before add-ons run, so it is set
# here rather than by the add-on; a project using the add-on should set it too.
TWISTED_DNS_RESOLVER = "crawler.resolver.PublicOnlyResolver"

# Articles and copies in separate JSON Lines files, one pair per run: the add-on uses
# these when no feed is configured. `-o`/`-O` on the command line (or FEEDS) replace
# them, e.g. `-O out.jsonl` writes both kinds to one file.
DEFAULT_FEEDS = {
    "output/articles-%(time)s.jsonl": {
        "format": "jsonlines",
        "encoding": "utf-8",
        "item_classes": ["crawler.items.Article"],
    },
    "output/copies-%(time)s.jsonl": {
        "format": "jsonlines",
        "encoding": "utf-8",
        "item_classes": ["crawler.items.Copy"],
    },
}
