"""newsfold's request meta keys, and the helpers that read them.

Spiders set them; the manifest, the seen-URL middleware and the spider's errbacks read
them. In a module of their own so that a middleware or extension need not import the
spiders to know them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crawler.items import WarcPlace
from crawler.stats import INPUT_DONE

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

# The source (feed, sitemap, start page or named source) a request came from, for the
# run's per-source counts.
SOURCE = "newsfold_source"
# The mark of an article page request that an input listed (`newsfold/input/total`).
ARTICLE = "newsfold_article"
# Where the response is in a WARC file (a `WarcPlace`): set by WARC out when it wrote the
# response, or by the `warc` spider when it read it; the spider copies it to `Page.warc`.
WARC = "newsfold_warc"


def source_of(response: Response) -> str | None:
    return response.meta.get(SOURCE)


def warc_place(meta: dict[str, Any]) -> WarcPlace | None:
    place = meta.get(WARC)
    return place if isinstance(place, WarcPlace) else None


def article_done(crawler: Crawler, meta: dict[str, Any]) -> None:
    """One more listed article URL done (by its request's meta): fetched, failed, or
    skipped before fetching (of `newsfold/input/total`, for the progress line)."""
    if meta.get(ARTICLE):
        assert crawler.stats is not None
        crawler.stats.inc_value(INPUT_DONE)
