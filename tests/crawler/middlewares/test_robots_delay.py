import re
from itertools import pairwise

import pytest
from scrapy import Request, signals
from scrapy.core.downloader import Slot
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.robotstxt import ProtegoRobotParser

from crawler.addon import USER_AGENT
from crawler.middlewares.robots_delay import bounded_jitter
from tests.conftest import article_page, prose
from tests.crawler.middlewares.conftest import Reply, with_engine


def test_bounded_jitter_never_randomises_below_the_floor():
    assert bounded_jitter(1.0, 1.0, 0.5) == 0
    assert bounded_jitter(4.0, 1.0, 0.5) == 0.5
    assert bounded_jitter(1.5, 1.0, 0.5) == pytest.approx(1 / 3)
    assert bounded_jitter(0.0, 0.0, 0.5) == 0.5
    for delay in (1.0, 1.2, 1.9, 2.0, 7.0):
        assert delay * (1 - bounded_jitter(delay, 1.0, 0.5)) >= 1.0 - 1e-9


ROBOTS = b"""User-agent: newsfold
Crawl-delay: 3600

User-agent: otherbot
Crawl-delay: 5

User-agent: *
Crawl-delay: 1
"""


def test_crawl_delay_for_our_agent_is_capped_and_outlasts_autothrottle():
    """With real AutoThrottle and downloader: its latency-driven adjustment would bring a
    fast site's delay down; the Crawl-delay floor is restored before the slot goes on."""

    async def check(crawler: Crawler) -> None:
        crawler.signals.send_catch_log(signals.spider_opened, spider=crawler.spider)
        downloader = crawler.engine.downloader
        polite, other = Request("http://polite.test/a.html"), Request("http://other.test/a.html")
        slots: dict[str, Slot] = {}
        for request in (polite, other):
            key, slots[key] = downloader._get_slot(request)
            request.meta["download_slot"] = key
        rp = ProtegoRobotParser(ROBOTS, crawler.spider)
        crawler.signals.send_catch_log(signals.robots_parsed, robotparser=rp, request=polite)
        # Our agent's own group applies (not otherbot's, not *), capped at 2 s.
        assert slots["polite.test"].delay == 2.0
        assert slots["polite.test"].jitter == 0
        for request in (polite, other):
            request.meta["download_latency"] = 0.01
            response = Response(request.url, request=request)
            crawler.signals.send_catch_log(
                signals.response_downloaded,
                response=response,
                request=request,
                spider=crawler.spider,
            )
        assert slots["other.test"].delay < 1.5  # AutoThrottle at work: down from 2 s
        assert slots["polite.test"].delay == 2.0
        assert slots["polite.test"].jitter == 0
        # An idle slot dropped by the downloader comes back with the floor.
        downloader.slots.pop("polite.test").close()
        _, again = downloader._get_slot(polite)
        assert (again.delay, again.jitter) == (2.0, 0)
        assert crawler.stats is not None
        assert crawler.stats.get_value("newsfold/politeness/crawl_delay") == 1
        assert crawler.stats.get_value("newsfold/politeness/crawl_delay_capped") == 1

    with_engine(
        {
            "USER_AGENT": USER_AGENT.format(contact=""),
            "ROBOTSTXT_OBEY": True,
            "ROBOTS_MAX_CRAWL_DELAY": 2,
            "AUTOTHROTTLE_ENABLED": True,
            "AUTOTHROTTLE_START_DELAY": 2.0,
            "DOWNLOAD_DELAY": 0,
            "EXTENSIONS_BASE": {"scrapy.extensions.throttle.AutoThrottle": 0},
            "DOWNLOADER_MIDDLEWARES": {
                "crawler.middlewares.robots_delay.CrawlDelayMiddleware": 110
            },
        },
        check,
    )


def test_crawl_delay_spaces_requests_to_the_site_even_with_autothrottle(serve, crawl):
    script: dict[str, list[Reply]] = {
        "/robots.txt": [(200, {"Content-Type": "text/plain"}, "User-agent: *\nCrawl-delay: 1\n")]
    }
    for n in range(1, 5):
        script[f"/a{n}.html"] = [(200, {}, article_page(f"Story {n}", prose(20 + n)))]
    server = serve(script)
    urls = ",".join(server.url(f"/a{n}.html") for n in range(1, 5))
    result = crawl(
        "urls",
        args={"urls": urls},
        settings={
            "AUTOTHROTTLE_ENABLED": "True",
            "AUTOTHROTTLE_START_DELAY": "0",
            "AUTOTHROTTLE_DEBUG": "True",
            "DOWNLOAD_DELAY": "0",
        },
    )
    assert sorted(r["title"] for r in result.records) == [f"Story {n}" for n in range(1, 5)]
    times = sorted(at for _, at in server.hits)
    assert len(times) == 5  # robots.txt and four articles
    gaps = [later - earlier for earlier, later in pairwise(times)]
    assert min(gaps) >= 0.95, gaps
    # AutoThrottle was on and lowered the delay after fast responses; the floor held.
    assert re.search(r"delay:\s*\d+ ms \(-\d+\)", result.log)
    assert result.stats["newsfold/politeness/crawl_delay"] == 1
    assert result.log.count("Obeying robots.txt Crawl-delay of 1s for 127.0.0.1") == 1
