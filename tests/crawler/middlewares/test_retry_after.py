import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.middlewares.retry_after import (
    RetryAfterMiddleware,
    response_retry_after,
    retry_after_seconds,
)
from tests.conftest import article_page, prose
from tests.crawler.middlewares.conftest import with_engine

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def test_retry_after_seconds_and_dates():
    assert retry_after_seconds("120", NOW) == 120
    assert retry_after_seconds(" 0 ", NOW) == 0
    assert retry_after_seconds(format_datetime(NOW + timedelta(seconds=90), usegmt=True), NOW) == 90
    assert retry_after_seconds("Fri, 01 Mar 2024 11:00:00 GMT", NOW) == 0  # already past
    for invalid in ("", "soon", "-5", "1.5", "٣"):
        assert retry_after_seconds(invalid, NOW) is None


def test_http_date_is_read_against_the_servers_own_clock():
    # The server's clock is years behind ours; it still means "in 30 seconds".
    response = Response(
        "http://news.test/a.html",
        status=503,
        headers={
            "Date": "Fri, 01 Mar 2019 12:00:00 GMT",
            "Retry-After": "Fri, 01 Mar 2019 12:00:30 GMT",
        },
    )
    assert response_retry_after(response) == 30
    assert response_retry_after(Response("http://news.test/a.html", status=503)) is None


def test_middleware_waits_gives_up_or_retries_as_scrapy_does():
    async def check(crawler: Crawler) -> None:
        mw = crawler.get_downloader_middleware(RetryAfterMiddleware)
        assert mw is not None
        assert crawler.stats is not None
        stats = crawler.stats
        # A fake clock: a pause is asked for, and advances it, without waiting.
        now = [0.0]
        pauses: list[float] = []

        async def pause(seconds: float) -> None:
            pauses.append(seconds)
            now[0] += seconds

        mw.clock, mw.pause = lambda: now[0], pause

        busy = Request("http://busy.test/a.html")
        refused = Response(busy.url, status=429, headers={"Retry-After": "3600"}, request=busy)
        assert mw.process_response(busy, refused) is refused
        assert stats.get_value("newsfold/retry_after/too_long") == 1

        down = Request("http://down.test/a.html")
        plain = mw.process_response(down, Response(down.url, status=503, request=down))
        assert isinstance(plain, Request)
        assert plain.meta["retry_times"] == 1

        slow = Request("http://slow.test/a.html")
        asked = Response(slow.url, status=503, headers={"Retry-After": "1"}, request=slow)
        retry = mw.process_response(slow, asked)
        assert isinstance(retry, Request)
        assert stats.get_value("newsfold/retry_after/waited") == 1
        assert stats.get_value("retry/count") == 2

        await mw.process_request(Request("http://other.test/b.html"))
        await mw.process_request(Request("http://down.test/b.html"))
        assert pauses == []  # other sites, and a 503 without Retry-After, go on at once
        await mw.process_request(retry)
        assert pauses == [1.0]  # the second it asked for
        await mw.process_request(Request("http://slow.test/c.html"))
        assert len(pauses) == 1  # then the site is open again

    with_engine(
        {
            "DOWNLOADER_MIDDLEWARES": {
                "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
                "crawler.middlewares.retry_after.RetryAfterMiddleware": 550,
            },
            "RETRY_AFTER_MAX": 120,
        },
        check,
    )


def test_503_with_retry_after_is_retried_once_the_wait_is_over(serve, crawl):
    page = article_page("Back after the wait", prose(11))
    server = serve({"/a.html": [(503, {"Retry-After": "1"}, "busy"), (200, {}, page)]})
    result = crawl("urls", args={"urls": server.url("/a.html")})
    assert [r["title"] for r in result.records] == ["Back after the wait"]
    first, second = server.times("/a.html")
    assert second - first >= 0.98
    assert result.stats["newsfold/retry_after/waited"] == 1
    assert result.stats["retry/count"] == 1


def test_retry_after_keeps_to_retry_times(serve, crawl):
    server = serve({"/a.html": [(503, {"Retry-After": "1"}, "busy")]})
    result = crawl("urls", args={"urls": server.url("/a.html")}, settings={"RETRY_TIMES": "1"})
    first, second = server.times("/a.html")
    assert second - first >= 0.98
    assert result.records == []
    assert result.stats["newsfold/retry_after/waited"] == 1
    assert result.stats["retry/max_reached"] == 1


def test_too_long_retry_after_gives_up_at_once(serve, crawl):
    in_two_hours = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    server = serve(
        {
            "/busy.html": [(429, {"Retry-After": "3600"}, "slow down")],
            "/later.html": [(503, {"Retry-After": in_two_hours}, "maintenance")],
            "/down.html": [(503, {}, "down")],
        }
    )
    urls = ",".join(server.url(p) for p in ("/busy.html", "/later.html", "/down.html"))
    started = time.monotonic()
    result = crawl("urls", args={"urls": urls})
    assert time.monotonic() - started < 60  # RETRY_AFTER_MAX is 120 s
    assert result.records == []
    assert len(server.times("/busy.html")) == 1
    assert len(server.times("/later.html")) == 1
    assert result.stats["newsfold/retry_after/too_long"] == 2
    assert "newsfold/retry_after/waited" not in result.stats
    # Without Retry-After, Scrapy's retries as before: RETRY_TIMES (2) retries, no waiting.
    down = server.times("/down.html")
    assert len(down) == 3
    assert down[-1] - down[0] < 1
    assert result.stats["retry/count"] == 2
