"""The discovered part of the state: what discovery found for a site, and when, so that
the runs within `DISCOVERY_TTL` use it instead of probing the site again."""

from __future__ import annotations

from typing import Protocol

from crawler.state.base import Store


class DiscoveredSources(Store, Protocol):
    """A site's discovered feeds and sitemaps (`crawler.spiders.discovering`)."""

    def discovered(self, site: str) -> tuple[float, dict[str, list[str]]] | None:
        """When the site was last discovered, and what was found ({"feeds": [...], ...})."""
        ...

    def keep_discovered(self, site: str, found: dict[str, list[str]], at: float) -> None:
        """Keep what discovery found at `at`, in place of what it found before."""
        ...
