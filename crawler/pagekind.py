"""Article-likeness: which pages of a site crawl are worth sending to extraction.

A site crawl meets home pages, section listings, tag pages and about pages as well as
articles. Extraction is the expensive step, so a page goes there only when its own
metadata, its URL or its text says it is an article.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from parsel import Selector

ARTICLE_OG_TYPES = {"article", "news", "newsarticle"}
JSONLD_ARTICLE = re.compile(r'"@type"\s*:\s*\[?\s*"(?:\w*NewsArticle|Article|BlogPosting|Report)"')
DATED_PATH = re.compile(r"/(?:19|20)\d{2}[/-](?:0?[1-9]|1[0-2])(?:[/-]|$)")
LONG_SLUG = re.compile(r"[^\W_]+(?:-[^\W_]+){3,}")
NUMERIC_ID = re.compile(r"\d{5,}")
# A listing word names the page only at the end of its path, or before one last segment
# (/tag/security/, /page/2): deeper paths such as /archive/20250303/story.html are stories
# a site keeps under its archive.
LISTING_PATH = re.compile(
    r"/(?:tag|tags|category|categories|section|topic|topics|author|page|"
    r"search|archive|about|contact)(?:/[^/]*)?/?$",
    re.I,
)
MIN_PARAGRAPH_WORDS = 25
MIN_LONG_PARAGRAPHS = 3


def looks_like_article(url: str, selector: Selector) -> bool:
    """True when metadata, URL shape or text density says the page is an article."""
    og_type = (selector.xpath("//meta[@property='og:type']/@content").get() or "").lower()
    if og_type in ARTICLE_OG_TYPES:
        return True
    scripts = selector.xpath('//script[@type="application/ld+json"]/text()').getall()
    if any(JSONLD_ARTICLE.search(_compact(s)) for s in scripts):
        return True
    path = urlsplit(url).path
    if LISTING_PATH.search(path) or path in {"", "/"}:
        return False
    if DATED_PATH.search(path) or LONG_SLUG.search(path) or NUMERIC_ID.search(path):
        return True
    paragraphs = selector.xpath("//p[not(ancestor::a)]")
    long_ones = sum(
        1
        for p in paragraphs
        if len(" ".join(p.xpath(".//text()").getall()).split()) >= MIN_PARAGRAPH_WORDS
    )
    return long_ones >= MIN_LONG_PARAGRAPHS


def _compact(script: str) -> str:
    try:
        return json.dumps(json.loads(script))
    except ValueError:
        return script
