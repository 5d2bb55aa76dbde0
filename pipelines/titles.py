"""The article's title as the publisher titles it: no site name, no separators around it.

Candidates come from what the page declares (JSON-LD headline, og:title, <title>), the
feed or sitemap, and trafilatura; the site name is removed by comparing the parts of a
title against the site's declared name and host, never by cutting at the first separator.
"""

from __future__ import annotations

import re

from lxml import html

from pipelines.metadata import PageMetadata
from pipelines.normalise import is_site_name, tidy

SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|:|·|•|»)\s+")


def choose_title(
    tree: html.HtmlElement,
    declared: PageMetadata,
    hint: str | None,
    extracted: str | None,
    site_name: str | None,
    site: str,
) -> str | None:
    """The best title the page offers, cleaned of the site name."""
    for candidate in (declared.headline, declared.title, hint, extracted):
        title = strip_site_name(tidy(candidate or ""), site_name, site)
        if title:
            return title
    return None


def strip_site_name(title: str, site_name: str | None, site: str) -> str:
    """Remove a leading or trailing site name with its separator, wherever it sits."""
    parts = SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    kept = list(parts)
    while len(kept) > 1 and is_site_name(kept[-1], site_name, site):
        kept.pop()
    while len(kept) > 1 and is_site_name(kept[0], site_name, site):
        kept.pop(0)
    if len(kept) == len(parts):
        return title
    # Rebuild from the original string so separators inside the title survive.
    start = title.find(kept[0])
    end = title.rfind(kept[-1]) + len(kept[-1])
    return title[start:end].strip()
