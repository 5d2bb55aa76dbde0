"""The shared frontier's bookkeeping, against a real redis-server.

Workers of one run must agree on a generation, see the frontier as empty only when no
request is queued or held, and leave nothing behind that would filter the next run.
"""

from __future__ import annotations

import time

import pytest
from scrapy.settings import Settings

from crawler.exitcodes import NOTHING_FOUND, OK, STATE_UNREACHABLE, exit_code
from crawler.frontier import Frontier, frontier_url
from crawler.redisconn import redis_client


def frontier(redis_server, name: str = "news", **kwargs) -> Frontier:
    return Frontier(redis_client(redis_server.url), name, **kwargs)


class FakeClock:
    """Seconds that pass only when a test says so (`advance`)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_workers_started_together_share_a_generation(redis_server):
    first, second = frontier(redis_server, worker="a"), frontier(redis_server, worker="b")
    assert first.join() == second.join()
    assert first.key("requests") == f"newsfold:frontier:news:{first.generation}:requests"
    other = frontier(redis_server, "sports", worker="c")
    assert other.join() != first.generation, "another frontier name, another generation"


def test_a_worker_joins_a_run_with_work_and_starts_a_new_one_after_it(redis_server):
    first = frontier(redis_server, worker="a")
    old = first.join()
    first.heartbeat(busy=False)
    first.server.zadd(first.key("requests"), {b"request": 0})
    late = frontier(redis_server, worker="late")
    assert late.join() == old, "a queued request: the run is still going"
    assert late.pop() == b"request"
    later = frontier(redis_server, worker="later")
    assert later.join() == old, "nothing queued, but a worker holds a request"
    late.heartbeat(busy=False)
    later.heartbeat(busy=False)
    fresh = frontier(redis_server, worker="next-run").join()
    assert fresh != old, "all idle, nothing queued: the next run gets a fresh filter"
    assert first.server.get("newsfold:frontier:news:generation") == fresh.encode()


def test_a_popped_request_is_held_until_its_worker_is_idle(redis_server):
    taker, watcher = frontier(redis_server, worker="taker"), frontier(redis_server, worker="w")
    taker.join()
    watcher.join()
    taker.heartbeat(busy=False)
    watcher.heartbeat(busy=False)
    taker.server.zadd(taker.key("requests"), {b"r1": 0})
    status = watcher.status()
    assert (status.queued, status.others, status.busy, status.empty) == (1, 1, 0, False)
    assert taker.pop() == b"r1" and taker.busy
    status = watcher.status()
    assert (status.queued, status.busy, status.empty) == (0, 1, False)
    taker.heartbeat(busy=False)
    assert watcher.status().empty
    assert taker.pop() is None


def test_a_run_whose_workers_all_died_is_not_joined(redis_server):
    clock = FakeClock()
    dead = frontier(redis_server, worker="dead", ttl=3, clock=clock)
    old = dead.join()
    dead.server.zadd(dead.key("requests"), {b"left by the dead": 0})
    watcher = frontier(redis_server, worker="watcher", clock=clock)
    watcher.generation = old  # looks on without joining
    clock.advance(2.9)
    assert watcher.status().others == 1, "the dead worker's heartbeat has not lapsed yet"
    clock.advance(0.2)
    assert frontier(redis_server, worker="next", clock=clock).join() != old


def test_a_worker_that_stops_beating_no_longer_counts(redis_server):
    clock = FakeClock()
    dead = frontier(redis_server, worker="dead", ttl=3, clock=clock)
    alive = frontier(redis_server, worker="alive", clock=clock)
    dead.join()  # busy, then killed: never beats again
    alive.join()
    assert alive.status().busy == 1
    clock.advance(2.9)
    assert alive.status().busy == 1
    clock.advance(0.2)
    status = alive.status()
    assert (status.others, status.busy, status.empty) == (0, 0, True)


def test_the_last_worker_out_deletes_the_run_and_the_others_do_not(redis_server):
    first, second = frontier(redis_server, worker="a"), frontier(redis_server, worker="b")
    first.join()
    second.join()
    first.server.sadd(first.key("dupefilter"), "fingerprint")
    first.server.zadd(first.key("requests"), {b"left over": 0})
    assert first.add_found(3) == 3 and second.add_found(2) == 5
    assert first.leave() is False
    assert first.server.exists(first.key("dupefilter"), first.key("requests")) == 2
    assert second.leave() is True
    assert first.server.keys("newsfold:*") == []


def test_keys_of_a_killed_run_expire(redis_server):
    worker = frontier(redis_server, worker="a")
    worker.join()
    worker.server.sadd(worker.key("dupefilter"), "fingerprint")
    worker.heartbeat()
    for part in ("dupefilter", "workers"):
        assert 0 < worker.server.ttl(worker.key(part)) <= 3600
    assert 0 < worker.server.pttl(worker.generation_key) <= 10_000


@pytest.mark.parametrize(
    ("settings", "url"),
    [
        ({}, None),
        ({"STATE_URL": "sqlite:///state/x.sqlite"}, None),
        ({"STATE_URL": "redis://10.0.0.5:6379/0"}, "redis://10.0.0.5:6379/0"),
        ({"STATE_URL": "redis://h:1/0", "FRONTIER_URL": "redis://f:2/1"}, "redis://f:2/1"),
        ({"STATE_URL": "redis://h:1/0", "FRONTIER_URL": "local"}, None),
        ({"FRONTIER_URL": "redis://f:2/1"}, "redis://f:2/1"),
    ],
)
def test_the_frontier_is_in_redis_when_a_url_says_so(settings, url):
    assert frontier_url(Settings(settings)) == url


def test_a_frontier_url_that_is_not_redis_is_refused():
    with pytest.raises(ValueError, match="FRONTIER_URL"):
        frontier_url(Settings({"FRONTIER_URL": "sqlite:///x"}))


def test_exit_codes_of_a_worker():
    ran = {"start_time": 1, "downloader/request_count": 10}
    assert exit_code({**ran, "newsfold/state_unreachable": 1}, False, 0.5) == STATE_UNREACHABLE
    assert exit_code(ran, False, 0.5) == NOTHING_FOUND
    assert exit_code({**ran, "newsfold/frontier/articles": 4}, False, 0.5) == OK


def test_a_request_is_queued_once_per_run_unless_unfiltered(redis_server):
    worker = frontier(redis_server, worker="a")
    worker.join()
    assert worker.push(b"feed", 0, "fp-feed") is True
    assert worker.push(b"feed again", 0, "fp-feed") is False, "the filter knows it"
    assert worker.push(b"retry", 5, None) and worker.push(b"retry", 5, None)
    assert worker.pop() == b"retry", "higher priority first"
    assert worker.pop() == b"feed" and worker.pop() is None


def test_a_pop_sent_again_after_a_lost_reply_gets_the_same_request(redis_server):
    worker = frontier(redis_server, worker="a")
    worker.join()
    for n in range(3):
        worker.push(f"r{n}".encode(), 0, f"fp{n}")
    keys = [worker.key("requests"), worker.key("workers"), worker.key("held")]
    args = [worker.worker, "10000", "0123456789abcdef"]
    first = worker._pop(keys=keys, args=args)
    assert worker._pop(keys=keys, args=args) == first, "same call, same request"
    assert worker.server.zcard(worker.key("requests")) == 2
    assert {worker.pop(), worker.pop()} == {b"r0", b"r1", b"r2"} - {first}


def test_a_local_request_stays_with_the_worker_that_made_it(redis_server):
    """A request marked LOCAL (a discovery's step, whose callback needs its worker's
    memory) never reaches the shared frontier; the others are shared as before."""
    from scrapy import Request, Spider
    from scrapy.utils.test import get_crawler

    from crawler.request_meta import LOCAL
    from crawler.scheduler import FrontierScheduler

    def worker(name: str) -> FrontierScheduler:
        crawler = get_crawler(Spider, {"FRONTIER_URL": redis_server.url})
        scheduler = FrontierScheduler(crawler, frontier(redis_server, worker=name), 0, "")
        scheduler.open(Spider("news"))
        return scheduler

    first, second = worker("a"), worker("b")
    try:
        assert first.enqueue_request(Request("http://news.test/", meta={LOCAL: True}))
        assert first.enqueue_request(Request("http://news.test/story.html"))
        assert len(first) == 2 and first.has_pending_requests()
        taken = second.next_request()
        assert taken is not None and taken.url == "http://news.test/story.html"
        assert second.next_request() is None, "the local request is not shared"
        mine = first.next_request()
        assert mine is not None and mine.url == "http://news.test/" and mine.meta[LOCAL]
        assert first.next_request() is None and not first.has_pending_requests()
    finally:
        first.close("finished")
        second.close("finished")
