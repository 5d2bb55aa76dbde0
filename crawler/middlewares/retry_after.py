"""Retry 429 and 503 responses when the server says, in `Retry-After`, when to come back.

Scrapy's `RetryMiddleware` retries 429 and 503 at once, which is exactly what a site that
is overloaded or rate-limiting us asked us not to do. This subclass replaces it: a 429 or
503 whose `Retry-After` (seconds, or an HTTP-date) is at most `RETRY_AFTER_MAX` pauses the
whole site (its download slot) for that long and is then retried, within `RETRY_TIMES`
like any retry, counted under `newsfold/retry_after/waited`. A longer Retry-After means
the page will not be had in this run: the response goes through as an HTTP error, counted
under `newsfold/retry_after/too_long`. Without a Retry-After, or with one that does not
parse, Scrapy's behaviour is unchanged.

The pause is an asynchronous sleep in `process_request` for every request to the site,
so other sites go on downloading; it does not depend on the slot's delay, which
AutoThrottle rewrites.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

from crawler.defaults import DEFAULTS
from crawler.stats import RETRY_AFTER_TOO_LONG, RETRY_AFTER_WAITED

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

RETRY_AFTER_STATUSES = frozenset({429, 503})


def _http_date(value: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def retry_after_seconds(value: str, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); None if invalid.

    `now` is the response's own `Date` when it has one, so that a server whose clock is
    off still gets the wait it meant; a date in the past means no wait.
    """
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    when = _http_date(value)
    if when is None:
        return None
    return max(0.0, (when - now).total_seconds())


def response_retry_after(response: Response) -> float | None:
    """The wait a response's Retry-After header asks for, or None."""
    header = response.headers.get(b"Retry-After")
    if not header:
        return None
    date = response.headers.get(b"Date")
    now = _http_date(date.decode("latin-1")) if date else None
    return retry_after_seconds(header.decode("latin-1"), now or datetime.now(UTC))


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX", DEFAULTS["RETRY_AFTER_MAX"])
        self.statuses = RETRY_AFTER_STATUSES & self.retry_http_codes
        self.resume_at: dict[str, float] = {}  # download slot key -> `clock` time
        # The clock and the pause, which tests replace to wait without waiting.
        self.clock: Callable[[], float] = monotonic
        self.pause: Callable[[float], Awaitable[None]] = sleep

    def _slot_key(self, request: Request) -> str:
        return self.crawler.engine.downloader.get_slot_key(request)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        key = self._slot_key(request)
        # A later Retry-After from the same site may extend the pause while we sleep.
        while (wait := self.resume_at.get(key, 0.0) - self.clock()) > 0:
            await self.pause(wait)
        self.resume_at.pop(key, None)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if response.status not in self.statuses or request.meta.get("dont_retry", False):
            return super().process_response(request, response)
        wait = response_retry_after(response)
        if wait is None:
            return super().process_response(request, response)
        stats = self.crawler.stats
        assert stats is not None
        if wait > self.max_wait:
            stats.inc_value(RETRY_AFTER_TOO_LONG)
            logger.info(
                "Gave up on %s: %d with Retry-After of %gs, more than RETRY_AFTER_MAX (%gs)",
                request.url,
                response.status,
                wait,
                self.max_wait,
            )
            return response
        key = self._slot_key(request)
        self.resume_at[key] = max(self.resume_at.get(key, 0.0), self.clock() + wait)
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        stats.inc_value(RETRY_AFTER_WAITED)
        logger.info(
            "%s answered %d with Retry-After: pausing %s for %gs before retrying",
            request.url,
            response.status,
            key,
            wait,
        )
        return retry
