"""The state on Redis, shared by every crawler process and machine that names it.

`STATE_URL=redis://host:port/db` (optionally `?prefix=newsfold`, the key namespace, and
`&buckets=N`, see below). Every worker reads and writes the same duplicate index, clusters,
records, seen URLs, site templates and runs, so a copy is folded whichever worker met the
original. Keys, under the prefix `P`:

- `P:meta` hash: the index parameters, the page counter `seq`, the band bucket count.
- `P:b:<n>` hash, one of `buckets`: band key (8 bytes) -> packed uint32 page numbers. Many
  small hashes stay in Redis's compact listpack encoding; a key per band would cost ~40
  keys per page.
- `P:q:<n>` hash: page number -> page id, 128 numbers per hash.
- `P:s:<doc>` string: the page's shingle hashes, packed uint32.
- `P:d:<doc>` hash: the page's number, its place in its cluster (and the evidence of its
  match), and its profile for the story rule (`crawler.best_page.Profile`).
- `P:c:<cluster>` set: the cluster's pages, once it has more than its founder (a set per
  single-page story would cost ~230 bytes); `P:clusters` sorted set: clusters by the
  number of the page that founded them (a cluster is named after that page);
  `P:k:<cluster>` hash: its article, why and version, once it has more than its founder
  (until then the founder is the article, and why is in its `P:d:<doc>`).
- `P:o` hash: the outbox, page -> the run to write its record.
- `P:r:<doc>` hash: the page's record fields (`page`, zlib-compressed JSON) and their
  digest (`pd`); the digest, revision and run of its last record committed.
- `P:u:<digest of url>` string: a seen mark, expiring by itself (`mark_seen`'s `ttl`).
- `P:st:<site>` hash: block key -> the tags (`page_tag`) of the site's pages that had it
  (site templates); `P:sb:<site>` hash: block key -> pages counted without their tag, by
  states written before tags were kept.
- `P:disc:<site>` string: what discovery found for the site, and when (JSON).
- `P:runs` set and `P:run:<id>` hash: the runs; `P:rd:<run>` hash: page -> seen marks of
  the pages a running run recorded (what `undeliver` forgets), deleted when the run ends.

The collapse decision is two Lua scripts (`claim`, `settle`), each one atomic step, so
concurrent workers cannot both keep two copies of one story. Plain reads and writes go
through `transaction()`: writes are queued and sent as one MULTI/EXEC (all or none, one
round trip); a read inside it first sends what is queued, so a transaction reads its own
writes. Its writes can be re-sent safely: the clients re-send a transaction whose reply
was lost in an outage (`crawler.redisconn`), and a script queued in one goes by its text,
since a restarted Redis has forgotten the scripts it had. There is no rollback of what
was sent and no isolation from other workers; where that would matter, a script does
the whole step. This is for one Redis server (or a primary with replicas), not Redis
Cluster: the scripts touch keys they find as they go.
Redis 6.2 or later (seen marks expire with `SET ... PXAT`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import socket
import threading
import uuid
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import redis
from redis.client import Pipeline
from redis.commands.core import Script

from crawler.best_page import Profile
from crawler.items import Placement, pack_page, page_digest, unpack_page
from crawler.redisconn import OutageRetry, RedisReach, is_unreachable, redacted, redis_client
from crawler.state.base import NEW_STATE, StateError, StateMissing
from crawler.state.records import (
    RECORD_FIELDS,
    Emission,
    PageEntry,
    legacy_fields,
    legacy_profile,
    story_row,
)
from crawler.state.runs import RUN_FIELDS, undelivered
from crawler.state.stories import (
    EVIDENCE_FIELDS,
    Claim,
    Evidence,
    Member,
    Settlement,
    Snapshot,
    Story,
    StoryPage,
)
from crawler.state.templates import page_tag, retagged, tag_blocks

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "newsfold"
# ~39 bands a page over 2^16 hashes stays under Redis's `hash-max-listpack-entries` (128)
# up to ~200,000 pages; beyond it a hash takes ~4x the memory, so a bigger index wants
# `buckets=` of about pages / 3 (or that setting raised). Fixed when the index is created
# (a different `buckets=` is refused); a key per band would cost ~100 bytes each.
DEFAULT_BUCKETS = 1 << 16
CLUSTER_PAGE = 500  # clusters read per round trip by `cluster_rows`
FLOATS = {"similarity", "containment"}

# KEYS: meta, P:d:<doc>, P:s:<doc>, P:clusters, P:r:<doc>, P:o; ARGV: prefix, doc, shingles,
# band keys (8 bytes each), buckets, profile, page fields (packed, or ''), their digest,
# why the page would be its story's article, owner (run). A band key's bucket is its low 32
# bits modulo `buckets`. The page's profile and fields are kept first. A page decided
# before, or now for want of candidates, answers {-1, its member fields} and goes to the
# outbox; else {seq, then seq, shared bands, doc of each earlier page}.
CLAIM = """
local p, doc, bands, buckets = ARGV[1], ARGV[2], ARGV[4], tonumber(ARGV[5])
redis.call('HSET', KEYS[2], 'profile', ARGV[6])
if ARGV[7] ~= '' then redis.call('HSET', KEYS[5], 'page', ARGV[7], 'pd', ARGV[8]) end
local known = redis.call('HMGET', KEYS[2], 'cluster', 'similarity', 'containment', 'method',
  'seq')
if known[1] then
  local article = redis.call('HGET', p .. ':k:' .. known[1], 'article') or known[1]
  if ARGV[7] ~= '' then redis.call('HSET', KEYS[6], doc, ARGV[10]) end
  return {-1, known[1], article == doc and 'article' or 'copy', known[2] or '', known[3] or '',
    known[4] or ''}
end
local seq = tonumber(known[5])
if seq and redis.call('HEXISTS', KEYS[2], 'abandoned') == 1 then
  -- Claimed by a worker that never settled it: later pages went on without it, so it is
  -- numbered anew, after them, and sees them.
  redis.call('HDEL', p .. ':q:' .. math.floor(seq / 128), seq)
  redis.call('HDEL', KEYS[2], 'abandoned')
  seq = nil
end
if not seq then
  seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
  if seq > 4294967295 then return redis.error_reply('newsfold: page numbers exhausted') end
  redis.call('HSET', KEYS[2], 'seq', seq)
  redis.call('HSET', p .. ':q:' .. math.floor(seq / 128), seq, doc)
end
redis.call('SET', KEYS[3], ARGV[3])
local call, sub, unpack4 = redis.call, string.sub, struct.unpack
local own = struct.pack('<I4', seq)
local hits, order, bucketed = {}, {}, p .. ':b:'
for i = 1, #bands, 8 do
  local field = sub(bands, i, i + 7)
  local bucket = bucketed .. (unpack4('<I4', field) % buckets)
  -- Most bands are new: one call indexes them. A band seen before is read, then extended.
  if call('HSETNX', bucket, field, own) == 0 then
    local packed = call('HGET', bucket, field)
    local present = false
    for j = 1, #packed, 4 do
      local s = unpack4('<I4', packed, j)
      if s == seq then
        present = true
      elseif s < seq then
        if hits[s] then hits[s] = hits[s] + 1 else hits[s] = 1; order[#order + 1] = s end
      end
    end
    if not present then call('HSET', bucket, field, packed .. own) end
  end
end
local out = {seq}
for _, s in ipairs(order) do
  local page = redis.call('HGET', p .. ':q:' .. math.floor(s / 128), s)
  if page then  -- gone when its page was numbered anew
    out[#out + 1] = s
    out[#out + 1] = hits[s]
    out[#out + 1] = page
  end
end
if #out == 1 then  -- nothing earlier shares a band: the page founds its story now
  redis.call('ZADD', KEYS[4], seq, doc)
  redis.call('HSET', KEYS[2], 'cluster', doc, 'why', ARGV[9])
  redis.call('HSET', KEYS[6], doc, ARGV[10])
  return {-1, doc, 'article', '', '', ''}
end
return out
"""

# Read-only. ARGV: prefix, pages. For each page: its story or '', and 'p' when it is
# claimed but not decided (nor given up on); then each story: founder number, version,
# article, why, its pages (number, evidence, profile, shingles); then the shingles of
# the asked pages that are in no story.
SNAPSHOT = """
local p = ARGV[1]
local out, stories, order, loose = {#ARGV - 1}, {}, {}, {}
for i = 2, #ARGV do
  local state = redis.call('HMGET', p .. ':d:' .. ARGV[i], 'cluster', 'seq', 'abandoned')
  out[#out + 1] = ARGV[i]
  out[#out + 1] = state[1] or ''
  out[#out + 1] = (not state[1] and state[2] and not state[3]) and 'p' or ''
  if state[1] then
    if not stories[state[1]] then stories[state[1]] = true; order[#order + 1] = state[1] end
  else
    loose[#loose + 1] = ARGV[i]
  end
end
out[#out + 1] = #order
for _, cluster in ipairs(order) do
  local k = redis.call('HMGET', p .. ':k:' .. cluster, 'article', 'why', 'v')
  local pages = redis.call('SMEMBERS', p .. ':c:' .. cluster)
  if #pages == 0 then pages = {cluster} end
  out[#out + 1] = cluster
  out[#out + 1] = redis.call('ZSCORE', p .. ':clusters', cluster) or '0'
  out[#out + 1] = k[3] or '0'
  out[#out + 1] = k[1] or cluster
  out[#out + 1] = k[2] or redis.call('HGET', p .. ':d:' .. cluster, 'why') or ''
  out[#out + 1] = #pages
  for _, page in ipairs(pages) do
    local d = redis.call('HMGET', p .. ':d:' .. page, 'seq', 'similarity', 'containment',
      'method', 'profile')
    out[#out + 1] = page
    for j = 1, 5 do out[#out + 1] = d[j] or '' end
    out[#out + 1] = redis.call('GET', p .. ':s:' .. page) or ''
  end
end
for _, page in ipairs(loose) do
  out[#out + 1] = redis.call('GET', p .. ':s:' .. page) or ''
end
return out
"""

# KEYS: P:d:<doc>, P:clusters, P:o; ARGV: prefix, doc, article, why, similarity,
# containment, method, abandoned pages, survivor, stories read ("cluster\\tversion" lines),
# evidence set anew ("page\\tsimilarity\\tcontainment\\tmethod" lines), changed pages,
# owner; lists joined by newlines. Pages another worker claimed but never settled are
# marked abandoned when given up on, so no one waits for them again. A story changed since
# it was read (its version, or merged away) answers {'stale'} and nothing is written.
SETTLE = """
local p, doc = ARGV[1], ARGV[2]
for page in string.gmatch(ARGV[8], '[^\\n]+') do
  local key = p .. ':d:' .. page
  if redis.call('HEXISTS', key, 'cluster') == 0 then redis.call('HSET', key, 'abandoned', 1) end
end
local function member(cluster)
  local d = redis.call('HMGET', KEYS[1], 'similarity', 'containment', 'method')
  local article = redis.call('HGET', p .. ':k:' .. cluster, 'article') or cluster
  return {'member', cluster, article == doc and 'article' or 'copy', d[1] or '', d[2] or '',
    d[3] or ''}
end
local known = redis.call('HGET', KEYS[1], 'cluster')
if known then return member(known) end
local seq = redis.call('HGET', KEYS[1], 'seq')
if not seq then return redis.error_reply('newsfold: settle before claim') end
local clusters = {}
for cluster, version in string.gmatch(ARGV[10], '([^\\t\\n]+)\\t([^\\n]+)') do
  if not redis.call('ZSCORE', KEYS[2], cluster) then return {'stale'} end
  if (redis.call('HGET', p .. ':k:' .. cluster, 'v') or '0') ~= version then return {'stale'} end
  clusters[#clusters + 1] = cluster
end
redis.call('HDEL', KEYS[1], 'abandoned')
local survivor = ARGV[9]
if #clusters == 0 then
  survivor = doc
  redis.call('ZADD', KEYS[2], seq, doc)
  redis.call('HSET', KEYS[1], 'cluster', doc, 'why', ARGV[4])
else
  local into = p .. ':c:' .. survivor
  if redis.call('EXISTS', into) == 0 then redis.call('SADD', into, survivor) end
  for _, cluster in ipairs(clusters) do
    if cluster ~= survivor then
      local from = p .. ':c:' .. cluster
      local pages = redis.call('SMEMBERS', from)
      if #pages == 0 then pages = {cluster} end
      for _, page in ipairs(pages) do
        redis.call('HSET', p .. ':d:' .. page, 'cluster', survivor)
      end
      for i = 1, #pages, 1000 do  -- unpack has a stack limit: big clusters go in slices
        redis.call('SADD', into, unpack(pages, i, math.min(i + 999, #pages)))
      end
      redis.call('DEL', from, p .. ':k:' .. cluster)
      redis.call('ZREM', KEYS[2], cluster)
    end
  end
  redis.call('SADD', into, doc)
  redis.call('HSET', KEYS[1], 'cluster', survivor, 'similarity', ARGV[5], 'containment', ARGV[6],
    'method', ARGV[7])
  redis.call('HSET', p .. ':k:' .. survivor, 'article', ARGV[3], 'why', ARGV[4])
  redis.call('HINCRBY', p .. ':k:' .. survivor, 'v', 1)
end
local f = '([^\\t\\n]+)'
for page, s, c, m in string.gmatch(ARGV[11], f .. '\\t' .. f .. '\\t' .. f .. '\\t' .. f) do
  redis.call('HSET', p .. ':d:' .. page, 'similarity', s, 'containment', c, 'method', m)
end
for page in string.gmatch(ARGV[12], '[^\\n]+') do redis.call('HSET', KEYS[3], page, ARGV[13]) end
return member(survivor)
"""

# KEYS: P:d:<doc>, P:r:<doc>, P:o; ARGV: prefix, doc, run, own ('1' or ''), page fields
# (packed, or '' to use those kept) and their digest, seen mark value, its expiry (ms, or
# ''), a token of this call, again ('1': only a page written before), then the digests of
# the URLs to mark seen. Commits the page's
# current record unless the last one committed says the same ({0}; {-1} when no fields are
# kept), and takes the page out of the outbox; answers {revision, kind, story, article,
# similarity, containment, method, why, page fields (unless own)}. The digest is
# `crawler.items.record_digest`.
EMIT = """
local p, doc, run = ARGV[1], ARGV[2], ARGV[3]
if ARGV[10] ~= '' and redis.call('HEXISTS', KEYS[2], 'kind') == 0 then return {0} end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[2], 'page', ARGV[5], 'pd', ARGV[6]) end
for i = 11, #ARGV do
  local key = p .. ':u:' .. ARGV[i]
  if ARGV[8] == '' then
    redis.call('SET', key, ARGV[7])
  else
    redis.call('SET', key, ARGV[7], 'PXAT', ARGV[8])
  end
end
redis.call('HDEL', KEYS[3], doc)
local kept = redis.call('HMGET', KEYS[2], 'pd', 'digest', 'run')
if not kept[1] then return {-1} end
local m = redis.call('HMGET', KEYS[1], 'cluster', 'similarity', 'containment', 'method')
local cluster, article, why = doc, doc, ''
if m[1] then
  cluster = m[1]
  local k = redis.call('HMGET', p .. ':k:' .. cluster, 'article', 'why')
  article = k[1] or cluster
  why = k[2] or redis.call('HGET', p .. ':d:' .. cluster, 'why') or ''
end
local kind, dup, s, c, method = 'article', '', '', '', ''
if article ~= doc then
  kind, dup, s, c, method = 'copy', article, m[2] or '0.0', m[3] or '0.0', m[4] or ''
  why = ''
end
local digest = redis.sha1hex(table.concat({kept[1], kind, cluster, dup, s, c, method, why}, '\\n'))
local revision
if kept[2] == digest then
  -- The same record: unchanged, unless this very call committed it and its answer was
  -- lost on the way (the client sends a command again after a dropped connection).
  if redis.call('HGET', KEYS[2], 'token') ~= ARGV[9] then return {0} end
  revision = tonumber(redis.call('HGET', KEYS[2], 'revision'))
else
  revision = redis.call('HINCRBY', KEYS[2], 'revision', 1)
end
redis.call('HSET', KEYS[2], 'digest', digest, 'run', run, 'kind', kind, 'token', ARGV[9])
if kept[3] and kept[3] ~= run then redis.call('HDEL', p .. ':rd:' .. kept[3], doc) end
if run ~= '' then redis.call('HSETNX', p .. ':rd:' .. run, doc, '') end
local fields = ''
if ARGV[4] == '' then fields = redis.call('HGET', KEYS[2], 'page') end
return {revision, kind, cluster, dup, s, c, method, why, fields}
"""

# KEYS: P:r:<doc>; ARGV: prefix, doc, run, field, value, field, value...
RECORD = """
local p, doc, run = ARGV[1], ARGV[2], ARGV[3]
local old = redis.call('HGET', KEYS[1], 'run')
if old and old ~= run then redis.call('HDEL', p .. ':rd:' .. old, doc) end
redis.call('DEL', KEYS[1])
if #ARGV > 3 then redis.call('HSET', KEYS[1], unpack(ARGV, 4)) end
if run ~= '' then redis.call('HSETNX', p .. ':rd:' .. run, doc, '') end
"""

# KEYS: P:u:<digest>; ARGV: prefix, digest, value, expire at (ms, or ''), doc, run
MARK_SEEN = """
if ARGV[4] == '' then
  redis.call('SET', KEYS[1], ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[3], 'PXAT', ARGV[4])
end
if ARGV[5] ~= '' and ARGV[6] ~= '' then
  local key = ARGV[1] .. ':rd:' .. ARGV[6]
  local marks = redis.call('HGET', key, ARGV[5])
  if marks and not string.find(marks, ARGV[2], 1, true) then
    redis.call('HSET', key, ARGV[5], marks .. ARGV[2])
  end
end
"""


def text(value: bytes | str) -> str:
    """A reply as text (the client is opened without decoding: shingles are binary)."""
    return value.decode() if isinstance(value, bytes) else value


def raw(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


def _why(client: redis.Redis, error: redis.RedisError) -> str:
    """A Redis error in words, with the retry window when Redis could not be reached."""
    retry = client.get_connection_kwargs().get("retry")
    if is_unreachable(error) and isinstance(retry, OutageRetry):
        return f"unreachable for REDIS_RETRY_FOR={retry.outage.retry_for:g} s ({error})"
    return str(error)


def unpack_shingles(value: bytes | str) -> np.ndarray:
    """Shingle hashes as stored: packed little-endian uint32."""
    return np.frombuffer(raw(value), dtype="<u4").astype(np.uint32)


def url_digest(url: str) -> bytes:
    """A seen mark's key part: 16 bytes whatever the URL's length."""
    return hashlib.blake2b(url.encode(), digest_size=16).digest()


class RedisState:
    """The state store on one Redis server, for many workers at once."""

    concurrent = True  # safe to call from several threads at once (see `db`)

    def __init__(
        self,
        client: redis.Redis,
        prefix: str = DEFAULT_PREFIX,
        buckets: int = 0,
        create: bool = True,
        where: str = "",
    ):
        """`create`: make the state when there is none under `prefix` (a crawl), else
        `StateMissing`; `where` names the server in messages."""
        self.prefix = prefix
        self._pool = client.connection_pool
        self._local = threading.local()  # each thread's client and open transaction
        self._clients: list[redis.Redis] = []
        where = f"{where or 'Redis'} (prefix {prefix!r})"
        try:
            client.ping()
        except redis.RedisError as error:
            raise StateError(f"cannot open state on {where}: {_why(client, error)}") from error
        meta = self._key("meta")
        if not client.exists(meta):
            if not create:
                raise StateMissing(
                    f"no state on {where}: nothing has been crawled with this STATE_URL "
                    "(a crawl creates it; check the URL and its ?prefix=)"
                )
            logger.info(NEW_STATE, where)
        client.hsetnx(meta, "buckets", buckets or DEFAULT_BUCKETS)
        stored = int(client.hget(meta, "buckets") or 0)
        if buckets and buckets != stored:
            raise StateError(
                f"the duplicate index under {prefix!r} has {stored} band buckets, not {buckets}"
            )
        self.buckets = stored
        if client.hsetnx(meta, "stories", 1) and client.hexists(meta, "seq"):
            self._upgrade(client)
        self._claim = client.register_script(CLAIM)
        self._snapshot = client.register_script(SNAPSHOT)
        self._settle = client.register_script(SETTLE)
        self._emit = client.register_script(EMIT)
        self._record = client.register_script(RECORD)
        self._mark_seen = client.register_script(MARK_SEEN)

    def _upgrade(self, client: redis.Redis) -> None:
        """A state of an earlier version, opened for the first time: the pages it wrote as
        articles before another story absorbed theirs go to the outbox, to be written
        again as copies (once: `P:meta` remembers it)."""
        keys = client.scan_iter(match=f"{self.prefix}:d:*", count=1000)
        while batch := [key for _, key in zip(range(1000), keys, strict=False)]:
            pipe = client.pipeline(transaction=False)
            for key in batch:
                pipe.hget(key, "relation")
            absorbed = [
                raw(key)[len(self.prefix) + 3 :].decode()
                for key, relation in zip(batch, pipe.execute(), strict=True)
                if relation == b"article"
            ]
            if absorbed:
                client.hset(self._key("o"), mapping=dict.fromkeys(absorbed, ""))

    schemes: tuple[str, ...] = ("redis", "rediss")

    @classmethod
    def from_url(
        cls, url: str, settings: BaseSettings | None = None, create: bool = True
    ) -> RedisState:
        """`redis://host:port/db?prefix=P&buckets=N`; other query options go to redis-py.

        `settings` give `REDIS_RETRY_FOR`, how long Redis may be unreachable, also while
        the state is opened; `create` as in `__init__`.
        """
        plain, prefix, buckets = cls._parse(url)
        try:
            client = redis_client(plain, settings)
        except ValueError as error:
            raise StateError(f"cannot open state {redacted(url)}: {error}") from error
        return cls(client, prefix, buckets, create, redacted(plain))

    @classmethod
    def reach(cls, url: str, settings: BaseSettings | None = None) -> RedisReach:
        """A Redis server, asked with a PING that waits out an outage; no answer is the
        error that opening the state gives."""
        plain, prefix, _ = cls._parse(url)
        where = f"{redacted(plain)} (prefix {prefix!r})"

        def refused(client: redis.Redis, error: redis.RedisError) -> StateError:
            return StateError(f"cannot open state on {where}: {_why(client, error)}")

        return RedisReach(plain, settings, refused)

    @staticmethod
    def _parse(url: str) -> tuple[str, str, int]:
        """The URL for redis-py, the key prefix and the bucket count (0: as stored)."""
        parts = urlsplit(url)
        options = dict(parse_qsl(parts.query))
        prefix = options.pop("prefix", DEFAULT_PREFIX)
        try:
            buckets = int(options.pop("buckets", 0))
        except ValueError as error:
            raise StateError(f"cannot open state {redacted(url)}: {error}") from error
        return urlunsplit(parts._replace(query=urlencode(options))), prefix, buckets

    @property
    def db(self) -> redis.Redis:
        """This thread's client, with a connection of its own from the shared pool.

        A page's state calls (collapse decision, record write) run in threads
        (`crawler.offload`) so that the event loop is not held while Redis answers; one
        connection per thread lets their round trips overlap, and saves a pool checkout
        per command (about a third of redis-py's cost per command).
        """
        db: redis.Redis | None = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = redis.Redis(
                connection_pool=self._pool, single_connection_client=True
            )
            self._clients.append(db)
        return db

    @property
    def _queue(self) -> Pipeline | None:
        """The writes queued by this thread's open transaction."""
        return getattr(self._local, "queue", None)

    @_queue.setter
    def _queue(self, queue: Pipeline | None) -> None:
        self._local.queue = queue

    @property
    def _open(self) -> bool:
        return getattr(self._local, "open", False)

    @_open.setter
    def _open(self, value: bool) -> None:
        self._local.open = value

    def _key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def _writer(self) -> redis.Redis | Pipeline:
        if self._open and self._queue is None:  # made on the first write: most don't write
            self._queue = self.db.pipeline(transaction=True)
        return self._queue if self._queue is not None else self.db

    def _write_script(self, script: Script, keys: list[Any], args: list[Any]) -> None:
        """Run a writing script now, or queue it in the open transaction by its text.

        A queued EVALSHA would be checked against Redis's script cache before the
        transaction is sent; if Redis restarts before the EXEC, the retried transaction
        meets an empty cache (NOSCRIPT) and its writes are lost. EVAL carries the script.
        """
        writer = self._writer()
        if isinstance(writer, Pipeline):
            writer.eval(cast(str, script.script), len(keys), *keys, *args)
        else:
            script(keys=keys, args=args, client=writer)

    def _reader(self) -> redis.Redis:
        """The client, once the writes queued before this read have been sent."""
        if self._queue is not None and len(self._queue):
            self._queue.execute()
        return self.db

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Queue writes and send them as one MULTI/EXEC; an exception drops those queued."""
        if self._open:  # nested: part of the outer one
            yield
            return
        self._open = True
        try:
            yield
        except BaseException:
            if self._queue is not None:
                self._queue.reset()
            raise
        else:
            if self._queue is not None and len(self._queue):
                self._queue.execute()
        finally:
            self._open, self._queue = False, None

    def lock(self, wait: float) -> bool:
        """No lock: sharing one state between many workers at once is what Redis is for.

        Every step that must not interleave (the collapse decision) is an atomic script,
        and each run is registered with its host, so repair can leave other hosts' runs be.
        """
        return False

    def check_params(self, params: dict[str, Any]) -> None:
        wanted = json.dumps(params, sort_keys=True)
        meta = self._key("meta")
        db = self._reader()
        db.hsetnx(meta, "index", wanted)
        stored = db.hget(meta, "index")
        if stored is not None and text(stored) != wanted:
            raise StateError(
                f"the duplicate index under {self.prefix!r} was built with {text(stored)}, "
                f"not {wanted}; use a new prefix or the settings it was built with"
            )

    def claim(
        self,
        doc_id: str,
        band_keys: Sequence[int],
        shingles: np.ndarray,
        page: PageEntry | None = None,
        owner: str = "",
    ) -> Claim:
        bands = np.array(list(dict.fromkeys(band_keys)), dtype="<i8").tobytes()
        entry = page or PageEntry(None, None, Profile(doc_id, len(shingles)).to_json(), "")
        reply = self._claim(
            keys=[
                self._key("meta"),
                self._key("d", doc_id),
                self._key("s", doc_id),
                self._key("clusters"),
                self._key("r", doc_id),
                self._key("o"),
            ],
            args=[
                self.prefix,
                doc_id,
                shingles.astype("<u4").tobytes(),
                bands,
                self.buckets,
                entry.profile,
                entry.blob or b"",
                entry.digest or "",
                entry.why,
                owner,
            ],
            client=self._reader(),
        )
        if int(reply[0]) < 0:
            return Claim(0, [], self._member(doc_id, reply[1:]))
        found = [
            (-int(reply[n + 1]), text(reply[n + 2]), int(reply[n])) for n in range(1, len(reply), 3)
        ]
        found.sort()
        return Claim(int(reply[0]), [(doc, seq) for _, doc, seq in found])

    def shingles(self, doc_ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not doc_ids:
            return {}
        values = self._reader().mget([self._key("s", doc) for doc in doc_ids])
        return {
            doc: unpack_shingles(value)
            for doc, value in zip(doc_ids, values, strict=True)
            if value is not None
        }

    def snapshot(self, doc_ids: Sequence[str]) -> Snapshot:
        """One read-only script: the stories of the pages, consistent at one moment."""
        reply = iter(self._snapshot(keys=[], args=[self.prefix, *doc_ids], client=self._reader()))
        clusters: dict[str, str] = {}
        pending, loose = [], []
        for _ in range(int(next(reply))):
            doc, cluster, state = text(next(reply)), text(next(reply)), text(next(reply))
            if cluster:
                clusters[doc] = cluster
            else:
                loose.append(doc)
                if state == "p":
                    pending.append(doc)
        stories: dict[str, Story] = {}
        found: dict[str, np.ndarray] = {}
        legacy: list[tuple[Story, str, int, int]] = []
        for _ in range(int(next(reply))):
            cluster, seq, version = text(next(reply)), int(float(next(reply))), int(next(reply))
            article, why, size = text(next(reply)), text(next(reply)), int(next(reply))
            story = Story(cluster, seq, version, article, why or None, [])
            stories[cluster] = story
            for _ in range(size):
                doc, number = text(next(reply)), int(next(reply) or 0)
                similarity, containment, method = (text(next(reply)) for _ in range(3))
                profile, hashes = next(reply), next(reply)
                found[doc] = unpack_shingles(hashes)
                evidence = (
                    Evidence(doc, float(similarity), float(containment), method) if method else None
                )
                if profile:
                    story.pages.append(StoryPage(Profile.from_json(doc, profile, number), evidence))
                else:
                    story.pages.append(StoryPage(Profile(doc, 0, seq=number), evidence))
                    legacy.append((story, doc, len(found[doc]), number))
        for doc in loose:
            hashes = next(reply)
            if hashes:
                found[doc] = unpack_shingles(hashes)
        for story, doc, length, number in legacy:  # states of earlier versions
            for page in story.pages:
                if page.profile.doc == doc:
                    page.profile = legacy_profile(doc, self.document(doc), length, number)
        for story in stories.values():
            story.pages.sort(key=lambda page: page.profile.seq)
        return Snapshot(clusters, pending, stories, found)

    def settle(self, plan: Settlement, abandoned: Sequence[str] = ()) -> Member | list[str] | None:
        evidence = ["", "", ""] if plan.evidence is None else [
            repr(plan.evidence.similarity), repr(plan.evidence.containment), plan.evidence.method
        ]  # fmt: skip
        evidence_of = "\n".join(
            f"{doc}\t{e.similarity!r}\t{e.containment!r}\t{e.method}"
            for doc, e in plan.evidence_of.items()
        )
        reply = self._settle(
            keys=[self._key("d", plan.doc), self._key("clusters"), self._key("o")],
            args=[
                self.prefix,
                plan.doc,
                plan.article,
                plan.why,
                *evidence,
                "\n".join(abandoned),
                plan.survivor,
                "\n".join(f"{cluster}\t{version}" for cluster, version in plan.clusters.items()),
                evidence_of,
                "\n".join(plan.changed),
                plan.owner,
            ],
            client=self._reader(),
        )
        if text(reply[0]) == "stale":
            return None
        member = self._member(plan.doc, reply[1:])
        assert member is not None
        return member

    def emit(
        self,
        doc_id: str,
        run: str,
        page: PageEntry | None = None,
        urls: Sequence[str] = (),
        at: float = 0.0,
        ttl: float | None = None,
        own: bool = False,
        again: bool = False,
    ) -> Emission | None:
        expires = "" if ttl is None else str(math.ceil((at + ttl) * 1000))
        blob, digest = (page.blob or b"", page.digest or "") if page is not None else (b"", "")
        for attempt in range(2):
            reply = self._emit(
                keys=[self._key("d", doc_id), self._key("r", doc_id), self._key("o")],
                args=[
                    self.prefix,
                    doc_id,
                    run,
                    "1" if own else "",
                    blob,
                    digest,
                    f"{at!r}\t{run}\t{doc_id}",
                    expires,
                    uuid.uuid4().hex,
                    "1" if again else "",
                    *(url_digest(url) for url in urls),
                ],
                client=self._reader(),
            )
            if int(reply[0]) == 0:
                return None
            if int(reply[0]) > 0:
                break
            # No fields kept: a page of an earlier version, whose summary row has them.
            row = self.document(doc_id)
            if attempt or row is None or not row.get("url"):
                return None
            fields = legacy_fields(row)
            blob, digest = pack_page(fields), page_digest(fields)
        revision, kind, cluster, article, similarity, containment, method, why, packed = (
            text(value) if n < 8 else raw(value) for n, value in enumerate(reply)
        )
        placement = Placement(
            str(kind),
            str(cluster),
            str(article) or None,
            float(similarity) if similarity else None,
            float(containment) if containment else None,
            str(method) or None,
            str(why) or None,
            int(revision),
        )
        return Emission(placement, unpack_page(cast(bytes, packed)) if packed else None)

    def outbox(self, skip_runs: Sequence[str] = ()) -> list[str]:
        entries = self._reader().hgetall(self._key("o"))
        skip = set(skip_runs)
        return sorted(text(doc) for doc, run in entries.items() if text(run) not in skip)

    def page(self, doc_id: str) -> dict[str, Any] | None:
        blob = self._reader().hget(self._key("r", doc_id), "page")
        if blob is not None:
            return unpack_page(raw(blob))
        row = self.document(doc_id)
        return legacy_fields(row) if row is not None and row.get("url") else None

    def record(self, record: dict[str, Any]) -> None:
        run = record.get("run") or ""
        pairs: list[Any] = []
        for name in RECORD_FIELDS:
            value = record.get(name)
            if value is None or name == "id":
                continue
            if name == "text":
                value = zlib.compress(str(value).encode(), 6)
            elif name in FLOATS:
                value = repr(float(value))
            pairs += [name, value]
        doc = str(record["id"])
        self._write_script(self._record, [self._key("r", doc)], [self.prefix, doc, run, *pairs])

    def document(self, doc_id: str) -> dict[str, Any] | None:
        fields = self._reader().hgetall(self._key("r", doc_id))
        return self._document(doc_id, fields) if fields else None

    @staticmethod
    def _document(doc_id: str, fields: dict[Any, Any]) -> dict[str, Any]:
        values = {text(key): raw(value) for key, value in fields.items()}
        document: dict[str, Any] = {"id": doc_id}
        for name in RECORD_FIELDS[1:]:
            value = values.get(name)
            if value is None:
                document[name] = None
            elif name == "text":
                document[name] = zlib.decompress(value).decode()
            elif name in FLOATS:
                document[name] = float(value)
            elif name == "revision":
                document[name] = int(value)
            else:
                document[name] = value.decode()
        return document

    def count_blocks(self, site: str, page: str, keys: Sequence[int], cap: int) -> dict[int, int]:
        """Read, then write: of two workers adding a page to one block at the same moment,
        one may be lost, and the block is learned a page later; nothing worse."""
        if not keys:
            return {}
        fields = [str(key) for key in keys]
        both = self._reader().pipeline(transaction=False)
        both.hmget(self._key("st", site), fields)
        both.hmget(self._key("sb", site), fields)
        tagged, untagged = both.execute()
        known = {
            key: (int(pages or 0), raw(tags or b""))
            for key, tags, pages in zip(keys, tagged, untagged, strict=True)
            if tags or pages
        }
        counts, writes = tag_blocks(page_tag(page), keys, known, cap)
        self._set_tags(site, writes)
        return counts

    def retag_blocks(self, site: str, keys: Sequence[int], page: str, story: str) -> None:
        """Read, then write, like `count_blocks`."""
        if not keys:
            return
        tags = self._reader().hmget(self._key("st", site), [str(key) for key in keys])
        found = ((key, raw(t)) for key, t in zip(keys, tags, strict=True) if t)
        self._set_tags(site, retagged(found, page, story))

    def _set_tags(self, site: str, tags: dict[int, bytes]) -> None:
        if tags:
            items = [field for key, value in tags.items() for field in (str(key), value)]
            self._writer().hset(self._key("st", site), items=items)

    def member(self, doc_id: str) -> Member | None:
        values = self._reader().hmget(self._key("d", doc_id), ["cluster", *EVIDENCE_FIELDS])
        if values[0] is None:
            return None
        article = self.kept(text(values[0]))
        relation = "article" if article == doc_id else "copy"
        return self._member(doc_id, [values[0], relation, *values[1:]])

    @staticmethod
    def _member(doc_id: str, values: Sequence[Any]) -> Member | None:
        cluster, relation, similarity, containment, method = values
        if cluster is None or relation is None:
            return None
        return Member(
            doc_id,
            text(cluster),
            text(relation),
            float(similarity) if similarity else None,
            float(containment) if containment else None,
            text(method) if method else None,
        )

    def clusters_of(self, doc_ids: Sequence[str]) -> dict[str, str]:
        pipe = self._reader().pipeline(transaction=False)
        for doc in doc_ids:
            pipe.hget(self._key("d", doc), "cluster")
        clusters = pipe.execute()
        return {
            doc: text(cluster)
            for doc, cluster in zip(doc_ids, clusters, strict=True)
            if cluster is not None
        }

    def kept(self, cluster: str) -> str:
        """A story is named after its first page, its article's name is kept with it (and
        a story of an earlier version kept its first page)."""
        article = self._reader().hget(self._key("k", cluster), "article")
        return text(article) if article is not None else cluster

    def cluster_rows(self, min_size: int) -> Iterator[dict[str, Any]]:
        """Every member of every cluster of at least `min_size` pages, oldest cluster first."""
        db = self._reader()
        after = "-inf"  # by founder number, which a concurrent merge cannot shift
        while True:
            page: list[tuple[bytes, float]] = db.zrangebyscore(  # type: ignore[assignment]
                self._key("clusters"), after, "+inf", start=0, num=CLUSTER_PAGE, withscores=True
            )
            if not page:
                return
            clusters = [text(cluster) for cluster, _ in page]
            after = f"({int(page[-1][1])}"
            pipe = db.pipeline(transaction=False)
            for cluster in clusters:
                pipe.smembers(self._key("c", cluster))
                pipe.hmget(self._key("k", cluster), ["article", "why"])
                pipe.hget(self._key("d", cluster), "why")
            replies = iter(pipe.execute())
            groups = []
            for cluster in clusters:
                members, (article, why), founded = next(replies), next(replies), next(replies)
                why = why or founded
                if max(len(members), 1) >= min_size:
                    story = (text(article) if article else cluster, text(why) if why else None)
                    groups.append((cluster, sorted(text(m) for m in members) or [cluster], story))
            for cluster, members, (article, why) in groups:
                for doc in members:
                    pipe.hmget(self._key("d", doc), list(EVIDENCE_FIELDS))
                    pipe.hgetall(self._key("r", doc))
                replies = iter(pipe.execute())
                for doc in members:
                    similarity, containment, method = next(replies)
                    row = {text(k): raw(v) for k, v in next(replies).items()}
                    fields: dict[str, Any] | None
                    if "page" in row:
                        fields = unpack_page(row["page"])
                    else:
                        document = self._document(doc, row) if row else None
                        fields = legacy_fields(document) if document else None
                    evidence = (
                        float(similarity) if similarity else None,
                        float(containment) if containment else None,
                        text(method) if method else None,
                    )
                    yield story_row(cluster, article, why, doc, evidence, fields)

    def seen(self, url: str) -> tuple[float, str | None] | None:
        value = self._reader().get(self._key("u").encode() + b":" + url_digest(url))
        if value is None:
            return None
        at, run, _ = text(value).split("\t")
        return float(at), run or None

    def mark_seen(
        self, url: str, doc: str | None, run: str | None, at: float, ttl: float | None = None
    ) -> None:
        """The mark expires by itself `ttl` seconds after `at`, so memory stays bounded."""
        digest = url_digest(url)
        expires = "" if ttl is None else str(math.ceil((at + ttl) * 1000))
        self._write_script(
            self._mark_seen,
            [self._key("u").encode() + b":" + digest],
            [self.prefix, digest, f"{at!r}\t{run or ''}\t{doc or ''}", expires, doc or "",
             run or ""],
        )  # fmt: skip

    def expire_seen(self, before: float) -> int:
        """Nothing to do: marks given a `ttl` expire by themselves."""
        return 0

    def discovered(self, site: str) -> tuple[float, dict[str, list[str]]] | None:
        value = self._reader().get(self._key("disc", site))
        if value is None:
            return None
        kept = json.loads(value)
        return float(kept["at"]), kept["found"]

    def keep_discovered(self, site: str, found: dict[str, list[str]], at: float) -> None:
        with self.transaction():
            self._writer().set(self._key("disc", site), json.dumps({"at": at, "found": found}))

    def begin_run(self, run: dict[str, Any]) -> bool:
        """Register a run, False if its id is taken (workers start at the same second);
        `host` is this machine's name unless the run gives one."""
        values = {**run, "files": run.get("files") or "[]"}
        values["host"] = run.get("host") or socket.gethostname()
        if not self._reader().sadd(self._key("runs"), str(run["id"])):
            return False
        with self.transaction():
            self._set_run(self._writer(), str(run["id"]), values)
        return True

    def _set_run(self, writer: redis.Redis | Pipeline, run_id: str, fields: dict[str, Any]) -> None:
        key = self._key("run", run_id)
        present = [(k, str(v)) for k, v in fields.items() if k in RUN_FIELDS and v is not None]
        missing = [k for k, v in fields.items() if k in RUN_FIELDS and v is None]
        if present:
            writer.hset(key, items=[part for pair in present for part in pair])
        if missing:
            writer.hdel(key, *missing)

    def update_run(self, run_id: str, **fields: Any) -> None:
        """Update a run; once it is no longer running, what `undeliver` needs goes."""
        with self.transaction():
            writer = self._writer()
            self._set_run(writer, run_id, {k: v for k, v in fields.items() if k != "id"})
            if fields.get("status") not in {None, "running"}:
                writer.delete(self._key("rd", run_id))

    def runs(self, status: str | None = None) -> list[dict[str, Any]]:
        db = self._reader()
        ids = sorted(text(member) for member in db.smembers(self._key("runs")))
        pipe = db.pipeline(transaction=False)
        for run_id in ids:
            pipe.hgetall(self._key("run", run_id))
        found = []
        for run_id, fields in zip(ids, pipe.execute(), strict=True):
            values = {text(key): text(value) for key, value in fields.items()}
            run: dict[str, Any] = {name: values.get(name) for name in RUN_FIELDS}
            run["id"] = run_id
            run["pid"] = int(run["pid"]) if run["pid"] else None
            run["files"] = run["files"] or "[]"
            if status is None or run["status"] == status:
                found.append(run)
        return found

    def undeliver(self, run_id: str, delivered: Mapping[str, int]) -> int:
        written = self._reader().hgetall(self._key("rd", run_id))
        marks = {text(doc): raw(found) for doc, found in written.items()}
        pipe = self._reader().pipeline(transaction=False)
        for doc in marks:
            pipe.hmget(self._key("r", doc), ["revision", "pd"])
        rows = dict(zip(marks, pipe.execute(), strict=True))
        lost = [doc for doc, (revision, _) in rows.items() if undelivered(doc, revision, delivered)]
        with self.transaction():
            writer = self._writer()
            for doc in lost:
                writer.hdel(self._key("r", doc), "digest", "run")
                writer.hdel(self._key("rd", run_id), doc)
                if rows[doc][1] is not None:  # its fields are kept: written again from them
                    writer.hset(self._key("o"), doc, run_id)
                    continue
                for n in range(0, len(marks[doc]), 16):
                    writer.delete(self._key("u").encode() + b":" + marks[doc][n : n + 16])
        return len(lost)

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self._pool.disconnect()
