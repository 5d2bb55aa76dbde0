"""Redis clients that ride out a Redis restart, and give up together when it stays away.

Every Redis client newsfold creates (the shared frontier, the state) comes from
`redis_client`, so they share one view of an outage: a command that cannot reach Redis
is retried with exponential backoff until Redis has been unreachable for
`REDIS_RETRY_FOR` seconds, counted from the first failure of any of them; then every
client of the process gives up at once (no client starts its own wait afterwards), and
the callbacks registered on the outage stop the crawl (`crawler.extensions.outage`).

Retries block the calling thread, i.e. the crawl pauses while Redis is away: a
decision half-made against the state or a request half-pushed to the frontier is
finished, not dropped, when Redis is back.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

from crawler.defaults import DEFAULTS

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_RETRY_FOR = float(DEFAULTS["REDIS_RETRY_FOR"])  # before any settings are read
BACKOFF_BASE = 0.05  # first wait after a failure (seconds), doubled after each
BACKOFF_CAP = 2.0  # longest single wait, so a restarted Redis is noticed quickly
SOCKET_TIMEOUT = 10.0  # a Redis that accepts but never answers counts as unreachable


def redacted(url: str) -> str:
    """The URL without its password, for log lines."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return parts._replace(netloc=f"{user}{host}{port}").geturl()


class Outage:
    """When Redis stopped answering, shared by every client of a process."""

    server = "Redis"
    setting = "REDIS_RETRY_FOR"  # how long to wait, in seconds

    def __init__(self, retry_for: float = DEFAULT_RETRY_FOR):
        self.retry_for = retry_for
        self.since: float | None = None
        self.gave_up = False
        self.error: BaseException | None = None
        self.url = ""
        self._callbacks: list[Callable[[Outage], Any]] = []
        self._lock = threading.Lock()

    def on_give_up(self, callback: Callable[[Outage], Any]) -> None:
        """Call `callback(outage)` once, when the clients give up."""
        self._callbacks.append(callback)
        if self.gave_up:
            callback(self)

    def failed(self, error: BaseException, failures: int, url: str) -> float | None:
        """How long to wait before the next try, or None: give up now."""
        with self._lock:
            if self.gave_up:
                return None
            now = time.monotonic()
            if self.since is None:
                self.since = now
                logger.warning(
                    "Redis at %s unreachable (%s): retrying for up to %g s (REDIS_RETRY_FOR)",
                    url,
                    error,
                    self.retry_for,
                )
            elapsed = now - self.since
            if elapsed < self.retry_for:
                wait = min(BACKOFF_BASE * 2.0 ** (failures - 1), BACKOFF_CAP)
                return min(wait, self.retry_for - elapsed)
            self.gave_up, self.error, self.url = True, error, url
        # A warning: whoever gave up says what it means for the run (crawler.extensions.outage
        # while crawling, the crawl command when the state could not be opened at start).
        logger.warning(
            "Redis at %s unreachable for %.0f s (REDIS_RETRY_FOR=%g): giving up (%s)",
            url,
            elapsed,
            self.retry_for,
            error,
        )
        for callback in self._callbacks:
            callback(self)
        return None

    def recovered(self, url: str) -> None:
        if self.since is None:
            return
        with self._lock:
            since, self.since = self.since, None
        if since is not None:
            logger.warning(
                "Redis at %s reachable again after %.1f s", url, time.monotonic() - since
            )


class OutageRetry(Retry):
    """redis-py's retry policy, bounded by time (the shared outage) instead of a count."""

    def __init__(self, outage: Outage, url: str):
        super().__init__(NoBackoff(), retries=1_000_000_000)
        self.outage = outage
        self.url = url

    def __deepcopy__(self, memo: dict[int, Any]) -> OutageRetry:
        # redis-py copies the policy into each connection; the outage must stay shared.
        return self

    def call_with_retry(
        self,
        do: Callable[[], T],
        fail: Callable[..., Any],
        is_retryable: Callable[[Exception], bool] | None = None,
        with_failure_count: bool = False,
    ) -> T:
        failures = 0
        while True:
            try:
                result = do()
            except self._supported_errors as error:
                if is_retryable and not is_retryable(error):
                    raise
                failures += 1
                if with_failure_count:
                    fail(error, failures)
                else:
                    fail(error)
                wait = self.outage.failed(error, failures, self.url)
                if wait is None:
                    raise
                time.sleep(wait)
            else:
                self.outage.recovered(self.url)
                return result


_outage: Outage | None = None


def process_outage(retry_for: float | None = None) -> Outage:
    """The outage shared by the clients of this process; `retry_for` sets its window."""
    global _outage
    if _outage is None:
        _outage = Outage(DEFAULT_RETRY_FOR)
    if retry_for is not None:
        _outage.retry_for = retry_for
    return _outage


def redis_client(
    url: str, settings: BaseSettings | None = None, outage: Outage | None = None
) -> redis.Redis:
    """A client for `url` (`redis://host:port/db`) that retries through outages.

    `REDIS_RETRY_FOR` (from `settings`; without them, the window the process already
    has, 60 s at first) is how long Redis may stay unreachable before every client of
    the process gives up; pass `outage` to keep a client's outage apart (tests).
    Responses are bytes.
    """
    if outage is None:
        retry_for = (
            settings.getfloat("REDIS_RETRY_FOR", DEFAULT_RETRY_FOR)
            if settings is not None
            else None
        )
        outage = process_outage(retry_for)
    shown = redacted(url)
    return redis.Redis.from_url(
        url,
        retry=OutageRetry(outage, shown),
        retry_on_error=[RedisConnectionError, RedisTimeoutError, socket.timeout],
        socket_timeout=SOCKET_TIMEOUT,
        socket_connect_timeout=SOCKET_TIMEOUT,
        health_check_interval=0,
    )


def is_unreachable(error: BaseException | None) -> bool:
    """Whether an error (or what caused it) is Redis being unreachable."""
    while error is not None:
        if isinstance(error, RedisConnectionError | RedisTimeoutError):
            return True
        error = error.__cause__ or error.__context__
    return False


class RedisReach:
    """A Redis server the crawl needs (`crawler.state.base.Reach`): asked at start, and
    given up on with every client of the process (`crawler.extensions.outage`)."""

    def __init__(
        self,
        url: str,
        settings: BaseSettings | None,
        refused: Callable[[redis.Redis, redis.RedisError], Exception],
    ):
        """`refused(client, error)`: the error to raise when the server does not answer."""
        self.url = url
        self.settings = settings
        self.refused = refused
        retry_for = (
            settings.getfloat("REDIS_RETRY_FOR", DEFAULT_RETRY_FOR)
            if settings is not None
            else None
        )
        self.outage = process_outage(retry_for)

    def probe(self) -> None:
        """PING, retried for `REDIS_RETRY_FOR` like any command."""
        client = redis_client(self.url, self.settings)
        try:
            client.ping()
        except redis.RedisError as error:
            raise self.refused(client, error) from error
        finally:
            client.close()
