"""A site's identity: what a site is called, by one rule for titles, authors and stories.

A site goes by the name it declares (og:site_name, the JSON-LD publisher), its host
("mirror.co.uk"), its host without the top-level domain ("mirror.co") and its brand, the
registrable label ("mirror"; "bbc" for news.bbc.co.uk, "ntv" for ntv.com.tr). Titles
cut these names from headlines (`pipelines.extraction.titles`), bylines that name them are not
people (`pipelines.extraction.authors`), and credits name a story's publisher by them
(`crawler.best_page`): all three read them here, so they cannot disagree about a site.
How closely a text must match (exactly, folded; loosely, a brand and a word or two) is
each caller's own question.
"""

from __future__ import annotations

import ipaddress

from crawler.normalise import fold

# Second-level domains under which publications register ("co.uk", "com.au", "or.jp").
SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go", "gv"}


def host_of(site: str) -> str:
    """A site's host, as `crawler.urls.site_of` names sites: no port, no `www.`, lower case."""
    return site.split(":")[0].lower().removeprefix("www.")


def host_names(site: str) -> tuple[str, str]:
    """The host and the host without its top-level domain: "mirror.co.uk", "mirror.co"."""
    host = host_of(site)
    return host, host.rsplit(".", 1)[0]


def host_brand(site: str) -> str:
    """The host's registrable label, which names the publication: "mirror" for
    mirror.co.uk, "bbc" for news.bbc.co.uk, "austria" for austria.info; none for an
    address or a one-label host (subdomains such as "de." or "news." are too often words)."""
    host = host_of(site)
    try:
        ipaddress.ip_address(host.strip("[]"))
        return ""
    except ValueError:
        pass
    labels = host.split(".")[:-1]  # without the top-level domain
    if len(labels) > 1 and labels[-1] in SECOND_LEVEL:
        labels.pop()
    return labels[-1] if labels else ""


def site_names(site_name: str | None, site: str) -> list[str]:
    """The names a site goes by as a whole: its declared name, its host, its host without
    the top-level domain (the brand alone is a word, matched only where a caller says)."""
    return [name for name in (site_name, *host_names(site)) if name]


def is_site_name(text: str, site_name: str | None, site: str) -> bool:
    """True when `text` is the site's own name, its host or its host without the TLD."""
    key = fold(text)
    return bool(key) and key in {fold(name) for name in site_names(site_name, site)}
