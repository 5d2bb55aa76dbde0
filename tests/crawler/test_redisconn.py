"""Redis clients ride out a restart and give up, together, on an outage that lasts."""

from __future__ import annotations

import copy
import threading
import time

import pytest
import redis
from scrapy.settings import Settings

from crawler.redisconn import Outage, is_unreachable, redacted, redis_client


def test_a_command_waits_for_a_restarted_redis_and_loses_nothing(durable_redis):
    outage = Outage(retry_for=30)
    client = redis_client(durable_redis.url, outage=outage)
    client.set("kept", "yes")
    durable_redis.stop()
    restart = threading.Timer(1.0, durable_redis.start)
    restart.start()
    try:
        assert client.get("kept") == b"yes"  # retried until the server was back
    finally:
        restart.join()
    assert client.incr("counter") == 1
    assert outage.since is None and not outage.gave_up


def test_every_client_gives_up_once_redis_stays_away(redis_server):
    outage = Outage(retry_for=0.5)
    told: list[Outage] = []
    outage.on_give_up(told.append)
    first = redis_client(redis_server.url, outage=outage)
    second = redis_client(redis_server.url, outage=outage)
    first.ping()
    second.ping()
    redis_server.stop()
    with pytest.raises(redis.ConnectionError) as raised:
        first.get("anything")
    assert is_unreachable(raised.value)
    assert outage.gave_up and told == [outage]
    assert outage.url == redis_server.url
    with pytest.raises(redis.ConnectionError):
        second.set("anything", 1)  # no second wait: the process has given up
    assert told == [outage], "the give-up callbacks run once"
    late: list[Outage] = []
    outage.on_give_up(late.append)
    assert late == [outage], "a callback registered after the give-up runs at once"


def test_the_window_comes_from_the_settings_and_is_shared(redis_server):
    client = redis_client(redis_server.url, Settings({"REDIS_RETRY_FOR": "7"}))
    retry = client.get_connection_kwargs()["retry"]
    assert retry.outage.retry_for == 7
    assert copy.deepcopy(retry) is retry, "connections share the policy, so the outage"
    other = redis_client(redis_server.url)
    assert other.get_connection_kwargs()["retry"].outage is retry.outage


def test_a_recovery_resets_the_window(redis_server):
    outage = Outage(retry_for=5)
    outage.failed(redis.ConnectionError("refused"), 1, "redis://x")
    assert outage.since is not None
    outage.recovered("redis://x")
    assert outage.since is None
    began = time.monotonic()
    wait = outage.failed(redis.ConnectionError("refused"), 1, "redis://x")
    assert wait is not None and outage.since is not None and outage.since >= began


def test_passwords_stay_out_of_the_log():
    assert redacted("redis://:secret@host:6379/0") == "redis://:***@host:6379/0"
    assert redacted("redis://user:secret@host/0") == "redis://user:***@host/0"
    assert redacted("redis://host:6379/0") == "redis://host:6379/0"
