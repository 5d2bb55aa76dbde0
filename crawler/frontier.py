"""The shared frontier's bookkeeping in Redis: generations, workers, and when it is empty.

Many worker processes (on one machine or many) crawl from one request queue and one
request filter. Two questions need an answer that every worker agrees on, and both are
answered by short Lua scripts, so each answer is one atomic step in Redis:

- Which run am I part of? Cron starts N workers every few minutes with the same
  sources. Workers of one run share a *generation*: its queue and filter keys carry the
  generation id. A worker joins the current generation while it has a live worker and
  still has work (queued requests, or a worker busy with one); otherwise it starts a
  new one. So every run starts with an empty filter and its feeds, sitemaps and start
  pages are fetched again (article pages already processed are skipped through the
  state's seen marks), a worker started late joins the run in progress, and a run whose
  workers all died leaves nothing that filters the next one out (its keys expire after
  `KEEP`). The last worker to leave a generation deletes its keys; a generation id never
  comes back, so there is no race between that cleanup and the next run's requests.
  Requests a killed worker had popped are not fetched by its run; their pages are not
  marked seen, so the next run fetches them.
- Is the frontier empty? Only when no request is queued and no live worker holds one.
  Workers keep a heartbeat (with a deadline in Redis server time, so machine clocks do
  not matter) saying `busy` or `idle`; popping a request marks the worker busy in the
  same script, so there is no moment when a request is neither queued nor held.

Keys (`newsfold:frontier:<name>:` with `name` = `FRONTIER_NAME`, else the spider's name):
`generation` (the current id), and per generation `<gen>:requests` (scrapy-redis's
priority queue, a sorted set), `<gen>:dupefilter` (a set of request fingerprints),
`<gen>:workers` (a hash: worker id -> "deadline-ms state"), `<gen>:held` (each worker's
last popped request, so that a pop re-sent after a lost reply is answered the same) and
`<gen>:articles` (how many article requests the run's workers have found, for the exit
code). Every write is one script or one command that can be re-sent safely, since the
clients re-send a command whose reply was lost in an outage (`crawler.redisconn`).
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis
from scrapy.settings import BaseSettings

from crawler.config import ConfigError
from crawler.redisconn import RedisReach, redacted

WORKER_TTL = 10.0  # seconds a worker stays alive in Redis without a heartbeat
KEEP = 3600.0  # seconds a generation's keys outlive its last heartbeat (killed workers)

# Now in ms: the last ARGV when the worker was given a clock, else Redis server time.
_NOW = """
local now = tonumber(ARGV[#ARGV])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
"""

_LIVE = """
local function workers(key, now, skip)
  local live, busy = 0, 0
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    local deadline, state = string.match(all[i + 1], '^(%d+) (%a+)$')
    if tonumber(deadline) <= now then
      redis.call('HDEL', key, all[i])
    elseif all[i] ~= skip then
      live = live + 1
      if state == 'busy' then busy = busy + 1 end
    end
  end
  return live, busy
end
"""

# The scripts that read the time take `now` as a last ARGV, '' for Redis server time.
# KEYS: generation. ARGV: prefix, new generation, worker, ttl ms, keep ms.
JOIN = (
    _NOW
    + _LIVE
    + """
local gen = redis.call('GET', KEYS[1])
if gen then
  local queued = redis.call('ZCARD', ARGV[1] .. gen .. ':requests')
  local live, busy = workers(ARGV[1] .. gen .. ':workers', now, '')
  if live == 0 or (queued == 0 and busy == 0) then gen = false end
end
if not gen then gen = ARGV[2] end
redis.call('SET', KEYS[1], gen, 'PX', ARGV[4])
local members = ARGV[1] .. gen .. ':workers'
redis.call('HSET', members, ARGV[3], (now + tonumber(ARGV[4])) .. ' busy')
redis.call('PEXPIRE', members, ARGV[5])
return gen
"""
)

# KEYS: generation, then the generation's keys. ARGV: gen, worker, state, ttl ms, keep ms.
HEARTBEAT = (
    _NOW
    + """
local current = redis.call('GET', KEYS[1])
if not current or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4])
end
redis.call('HSET', KEYS[2], ARGV[2], (now + tonumber(ARGV[4])) .. ' ' .. ARGV[3])
for i = 2, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[5]) end
"""
)

# KEYS: requests, workers, held. ARGV: worker, ttl ms, token. The highest-priority
# request, if any. A call re-sent with the same token (its reply was lost when Redis went
# down) gets the same request again instead of taking, and losing, a second one.
POP = (
    _NOW
    + """
local held = redis.call('HGET', KEYS[3], ARGV[1])
if held and string.sub(held, 1, 16) == ARGV[3] then return string.sub(held, 18) end
local top = redis.call('ZRANGE', KEYS[1], 0, 0)
if #top == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('HSET', KEYS[2], ARGV[1], (now + tonumber(ARGV[2])) .. ' busy')
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3] .. ':' .. top[1])
return top[1]
"""
)

# KEYS: dupefilter, requests. ARGV: fingerprint, score, request, filter (1/0). 1 if queued.
# Filter and queue in one step: re-sent after a lost reply, a request is not taken for a
# duplicate of itself without having been queued.
PUSH = """
if ARGV[4] == '1' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# KEYS: requests, workers. ARGV: worker. {queued, other live workers, other busy workers}
STATUS = (
    _NOW
    + _LIVE
    + """
local live, busy = workers(KEYS[2], now, ARGV[1])
return {redis.call('ZCARD', KEYS[1]), live, busy}
"""
)

# KEYS: generation, then the generation's keys (workers first). ARGV: gen, worker.
# 1 if it was the last worker.
LEAVE = (
    _NOW
    + _LIVE
    + """
redis.call('HDEL', KEYS[2], ARGV[2])
local live = workers(KEYS[2], now, '')
if live > 0 then return 0 end
redis.call('DEL', unpack(KEYS, 2))
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""
)


@dataclass
class Status:
    queued: int  # requests waiting in the queue
    others: int  # other live workers of the generation
    busy: int  # of which holding requests

    @property
    def empty(self) -> bool:
        return not self.queued and not self.busy


def frontier_url(settings: BaseSettings) -> str | None:
    """The Redis URL of the shared frontier: `FRONTIER_URL`, else a `redis://` STATE_URL.

    None means a crawl of one process (Scrapy's own scheduler); `FRONTIER_URL=local`
    asks for that even when the state is in Redis.
    """
    schemes = ("redis://", "rediss://", "unix://")
    url = (settings.get("FRONTIER_URL") or "").strip()
    if url == "local":
        return None
    if url and not url.startswith(schemes):
        raise ValueError(f"FRONTIER_URL={url!r}: use redis://HOST:PORT/DB, or local")
    url = url or (settings.get("STATE_URL") or "").strip()
    return url if url.startswith(schemes) else None


def frontier_reach(settings: BaseSettings) -> RedisReach | None:
    """The shared frontier's Redis, asked at start (`crawler.extensions.outage`), so that
    one that stays away fails the start before a run is registered; None without one."""
    url = frontier_url(settings)
    if url is None:
        return None

    def refused(client: redis.Redis, error: redis.RedisError) -> ConfigError:
        return ConfigError(
            f"the frontier's Redis at {redacted(url)} is unreachable "
            f"(waited REDIS_RETRY_FOR={reach.outage.retry_for:g} s: {error}); "
            "check FRONTIER_URL or STATE_URL"
        )

    reach = RedisReach(url, settings, refused)
    return reach


def new_id() -> str:
    """A generation id that never repeats: start time and a random part."""
    return f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{secrets.token_hex(3)}"


class Frontier:
    """One worker's view of a shared frontier: its generation, keys and heartbeat.

    `clock` (seconds) replaces Redis server time in the deadlines, for tests that let a
    heartbeat lapse without waiting for it; workers that share a frontier must share it.
    """

    def __init__(
        self,
        server: redis.Redis,
        name: str,
        worker: str | None = None,
        ttl: float = WORKER_TTL,
        clock: Callable[[], float] | None = None,
    ):
        self.server = server
        self.clock = clock
        self.prefix = f"newsfold:frontier:{name}:"
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(2)}"
        self.generation: str | None = None
        self.busy = True  # a worker starts busy: it is about to yield its start requests
        self._ttl = str(int(ttl * 1000))
        self._keep = str(int(KEEP * 1000))
        self._join = server.register_script(JOIN)
        self._heartbeat = server.register_script(HEARTBEAT)
        self._pop = server.register_script(POP)
        self._push = server.register_script(PUSH)
        self._status = server.register_script(STATUS)
        self._leave = server.register_script(LEAVE)

    def _now(self) -> str:
        """The last ARGV of a script that reads the time ('': Redis server time)."""
        return "" if self.clock is None else str(int(self.clock() * 1000))

    def key(self, part: str) -> str:
        """A key of this worker's generation: `requests`, `dupefilter` or `workers`."""
        assert self.generation is not None, "join() first"
        return f"{self.prefix}{self.generation}:{part}"

    @property
    def generation_key(self) -> str:
        return f"{self.prefix}generation"

    def _keys(self) -> list[str]:
        parts = ("workers", "requests", "dupefilter", "articles", "held")
        return [self.generation_key, *(self.key(part) for part in parts)]

    def join(self) -> str:
        """Join the generation in progress, or start a new one; the worker is busy."""
        gen = self._join(
            keys=[self.generation_key],
            args=[self.prefix, new_id(), self.worker, self._ttl, self._keep, self._now()],
        )
        self.generation = gen.decode() if isinstance(gen, bytes) else str(gen)
        self.busy = True
        return self.generation

    def heartbeat(self, busy: bool | None = None) -> None:
        """Say this worker is alive (and busy or idle) for another `WORKER_TTL`."""
        if busy is not None:
            self.busy = busy
        keys = self._keys()
        assert self.generation is not None
        self._heartbeat(
            keys=keys,
            args=[
                self.generation,
                self.worker,
                "busy" if self.busy else "idle",
                self._ttl,
                self._keep,
                self._now(),
            ],
        )

    def push(self, data: bytes, priority: int, fingerprint: str | None) -> bool:
        """Queue a serialized request unless its fingerprint was seen (None: always)."""
        args: list[bytes | str | int] = [
            fingerprint or "",
            -priority,
            data,
            "0" if fingerprint is None else "1",
        ]
        return bool(self._push(keys=[self.key("dupefilter"), self.key("requests")], args=args))

    def pop(self) -> bytes | None:
        """The next request (serialized), taken and marked held by this worker at once."""
        keys = [self.key("requests"), self.key("workers"), self.key("held")]
        args = [self.worker, self._ttl, secrets.token_hex(8), self._now()]
        data = self._pop(keys=keys, args=args)
        if data:
            self.busy = True
            return bytes(data)
        return None

    def status(self) -> Status:
        queued, others, busy = self._status(
            keys=[self.key("requests"), self.key("workers")], args=[self.worker, self._now()]
        )
        return Status(int(queued), int(others), int(busy))

    def leave(self) -> bool:
        """Leave the generation; the last worker out deletes its keys (True)."""
        if self.generation is None:
            return False
        args = [self.generation, self.worker, self._now()]
        return bool(self._leave(keys=self._keys(), args=args))

    def add_found(self, count: int) -> int:
        """Add this worker's newly found article requests; the run's total so far."""
        return int(self.server.incrby(self.key("articles"), count))
