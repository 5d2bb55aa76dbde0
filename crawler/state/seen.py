"""The seen part of the state: when each page URL was last processed, and by which run
(`crawler.middlewares.seen_urls` skips a page seen within `SEEN_EXPIRE`)."""

from __future__ import annotations

from typing import Protocol

from crawler.state.base import Store


class SeenMarks(Store, Protocol):
    """A mark per page URL processed."""

    def seen(self, url: str) -> tuple[float, str | None] | None: ...
    def mark_seen(
        self, url: str, doc: str | None, run: str | None, at: float, ttl: float | None = None
    ) -> None:
        """Mark a page processed at `at`; with `ttl`, a backend that can forgets the mark
        by itself `ttl` seconds after `at` (else `expire_seen` does)."""
        ...

    def expire_seen(self, before: float) -> int: ...
