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
- `P:d:<doc>` hash: the page's number and its place in its cluster.
- `P:c:<cluster>` set: the cluster's pages, once it has more than its founder (a set per
  single-page story would cost ~230 bytes); `P:clusters` sorted set: clusters by the
  number of the page that founded them (a cluster is named after its kept page).
- `P:r:<doc>` hash: the record summary, the text zlib-compressed.
- `P:u:<digest of url>` string: a seen mark, expiring by itself (`mark_seen`'s `ttl`).
- `P:st:<site>` hash: block key -> the tags (`page_tag`) of the site's pages that had it
  (site templates); `P:sb:<site>` hash: block key -> pages counted without their tag, by
  states written before tags were kept.
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
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import redis
from redis.client import Pipeline
from redis.commands.core import Script

from crawler.redisconn import OutageRetry, is_unreachable, redacted, redis_client
from crawler.state import (
    MEMBER_FIELDS,
    NEW_STATE,
    PAGE_FIELDS,
    RECORD_FIELDS,
    RUN_FIELDS,
    Claim,
    Evidence,
    Member,
    StateError,
    StateMissing,
    page_tag,
    retagged,
    tag_blocks,
)

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

# KEYS: meta, P:d:<doc>, P:s:<doc>, P:clusters; ARGV: prefix, doc, shingles, band keys (8
# bytes each), buckets. A band key's bucket is its low 32 bits modulo `buckets`. A page
# decided before, or now for want of candidates, answers {-1, its member fields}; else
# {seq, then seq, shared bands, doc of each earlier page}.
CLAIM = """
local p, doc, bands, buckets = ARGV[1], ARGV[2], ARGV[4], tonumber(ARGV[5])
local known = redis.call('HMGET', KEYS[2], 'cluster', 'relation', 'similarity', 'containment',
  'method', 'seq')
if known[1] then
  return {-1, known[1], known[2], known[3] or '', known[4] or '', known[5] or ''}
end
local seq = tonumber(known[6])
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
  redis.call('HSET', KEYS[2], 'cluster', doc, 'relation', 'kept')
  return {-1, doc, 'kept', '', '', ''}
end
return out
"""

# KEYS: P:d:<doc>, P:clusters; ARGV: prefix, doc, similarity, containment, method,
# abandoned pages (joined by newlines), matched pages... Pages another worker claimed but
# never settled are marked abandoned when given up on, so no one waits for them again.
SETTLE = """
local p, doc = ARGV[1], ARGV[2]
for page in string.gmatch(ARGV[6], '[^\\n]+') do
  local key = p .. ':d:' .. page
  if redis.call('HEXISTS', key, 'cluster') == 0 then redis.call('HSET', key, 'abandoned', 1) end
end
local fields = {'cluster', 'relation', 'similarity', 'containment', 'method'}
local known = redis.call('HMGET', KEYS[1], unpack(fields))
if known[1] then
  return {'member', known[1], known[2], known[3] or '', known[4] or '', known[5] or ''}
end
local seq = redis.call('HGET', KEYS[1], 'seq')
if not seq then return redis.error_reply('newsfold: settle before claim') end
redis.call('HDEL', KEYS[1], 'abandoned')
local pending, clusters, listed = {}, {}, {}
for i = 7, #ARGV do
  local key = p .. ':d:' .. ARGV[i]
  local state = redis.call('HMGET', key, 'cluster', 'seq', 'abandoned')
  local cluster = state[1]
  if cluster then
    if not listed[cluster] then listed[cluster] = true; clusters[#clusters + 1] = cluster end
  elseif state[2] and not state[3] then
    pending[#pending + 1] = ARGV[i]
  end
end
if #pending > 0 then
  table.insert(pending, 1, 'pending')
  return pending
end
if #clusters == 0 then
  redis.call('ZADD', KEYS[2], seq, doc)
  redis.call('HSET', KEYS[1], 'cluster', doc, 'relation', 'kept')
  return {'member', doc, 'kept', '', '', ''}
end
local survivor, oldest = nil, nil
for _, cluster in ipairs(clusters) do
  local score = tonumber(redis.call('ZSCORE', KEYS[2], cluster))
  if oldest == nil or score < oldest then survivor, oldest = cluster, score end
end
local into = p .. ':c:' .. survivor
if redis.call('EXISTS', into) == 0 then redis.call('SADD', into, survivor) end
for _, cluster in ipairs(clusters) do
  if cluster ~= survivor then
    local from = p .. ':c:' .. cluster
    local pages = redis.call('SMEMBERS', from)
    if #pages == 0 then pages = {cluster} end
    for _, page in ipairs(pages) do
      local key = p .. ':d:' .. page
      if redis.call('HGET', key, 'relation') == 'kept' then
        redis.call('HSET', key, 'relation', 'article')
      end
      redis.call('HSET', key, 'cluster', survivor)
    end
    for i = 1, #pages, 1000 do  -- unpack has a stack limit: big clusters go in slices
      redis.call('SADD', into, unpack(pages, i, math.min(i + 999, #pages)))
    end
    redis.call('DEL', from)
    redis.call('ZREM', KEYS[2], cluster)
  end
end
redis.call('SADD', into, doc)
redis.call('HSET', KEYS[1], 'cluster', survivor, 'relation', 'copy',
  'similarity', ARGV[3], 'containment', ARGV[4], 'method', ARGV[5])
return {'member', survivor, 'copy', ARGV[3], ARGV[4], ARGV[5]}
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
        self._claim = client.register_script(CLAIM)
        self._settle = client.register_script(SETTLE)
        self._record = client.register_script(RECORD)
        self._mark_seen = client.register_script(MARK_SEEN)

    @classmethod
    def from_url(
        cls, url: str, settings: BaseSettings | None = None, create: bool = True
    ) -> RedisState:
        """`redis://host:port/db?prefix=P&buckets=N`; other query options go to redis-py.

        `settings` give `REDIS_RETRY_FOR`, how long Redis may be unreachable, also while
        the state is opened; `create` as in `__init__`.
        """
        parts = urlsplit(url)
        options = dict(parse_qsl(parts.query))
        prefix = options.pop("prefix", DEFAULT_PREFIX)
        try:
            buckets = int(options.pop("buckets", 0))
            plain = urlunsplit(parts._replace(query=urlencode(options)))
            client = redis_client(plain, settings)
        except ValueError as error:
            raise StateError(f"cannot open state {redacted(url)}: {error}") from error
        return cls(client, prefix, buckets, create, redacted(plain))

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

    def claim(self, doc_id: str, band_keys: Sequence[int], shingles: np.ndarray) -> Claim:
        bands = np.array(list(dict.fromkeys(band_keys)), dtype="<i8").tobytes()
        reply = self._claim(
            keys=[
                self._key("meta"),
                self._key("d", doc_id),
                self._key("s", doc_id),
                self._key("clusters"),
            ],
            args=[self.prefix, doc_id, shingles.astype("<u4").tobytes(), bands, self.buckets],
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
            doc: np.frombuffer(raw(value), dtype="<u4").astype(np.uint32)
            for doc, value in zip(doc_ids, values, strict=True)
            if value is not None
        }

    def settle(
        self,
        doc_id: str,
        matched: Sequence[str],
        best: Evidence | None,
        abandoned: Sequence[str] = (),
    ) -> Member | list[str]:
        evidence = ["", "", ""] if best is None else [
            repr(best.similarity), repr(best.containment), best.method
        ]  # fmt: skip
        reply = self._settle(
            keys=[self._key("d", doc_id), self._key("clusters")],
            args=[self.prefix, doc_id, *evidence, "\n".join(abandoned), *matched],
            client=self._reader(),
        )
        if text(reply[0]) == "pending":
            return [text(doc) for doc in reply[1:]]
        member = self._member(doc_id, reply[1:])
        assert member is not None
        return member

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
        values = self._reader().hmget(self._key("d", doc_id), list(MEMBER_FIELDS[1:]))
        return self._member(doc_id, values)

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
        """A cluster is named after its kept page, and a merge keeps the survivor's."""
        return cluster

    def cluster_rows(self, min_size: int) -> Iterator[dict[str, Any]]:
        """Every member of every cluster of at least `min_size` pages, oldest cluster first."""
        db = self._reader()
        names = ["cluster", "kept", "id", "relation", "similarity", "containment", "method"]
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
            groups = [
                (cluster, sorted(text(m) for m in members) or [cluster])
                for cluster, members in zip(clusters, pipe.execute(), strict=True)
                if max(len(members), 1) >= min_size
            ]
            for cluster, members in groups:
                for doc in members:
                    pipe.hmget(self._key("d", doc), list(MEMBER_FIELDS[1:]))
                    pipe.hgetall(self._key("r", doc))
                replies = iter(pipe.execute())
                for doc in members:
                    member = self._member(doc, next(replies)) or Member(doc, cluster, "copy")
                    fields = next(replies)
                    document = self._document(doc, fields) if fields else {}
                    yield dict(
                        zip(
                            [*names, *PAGE_FIELDS],
                            [
                                cluster,
                                cluster,
                                doc,
                                member.relation,
                                member.similarity,
                                member.containment,
                                member.method,
                                *(document.get(name) for name in PAGE_FIELDS),
                            ],
                            strict=True,
                        )
                    )

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

    def undeliver(self, run_id: str, delivered: set[str]) -> int:
        """Forget that a run wrote the records missing from its output, so they are redone.

        Their digests are cleared and the seen marks the run made for them are deleted;
        cluster membership stays, so they fold the same way.
        """
        written = self._reader().hgetall(self._key("rd", run_id))
        lost = {text(doc): raw(marks) for doc, marks in written.items()}
        lost = {doc: marks for doc, marks in lost.items() if doc not in delivered}
        with self.transaction():
            writer = self._writer()
            for doc, marks in lost.items():
                writer.hdel(self._key("r", doc), "digest", "run")
                writer.hdel(self._key("rd", run_id), doc)
                for n in range(0, len(marks), 16):
                    writer.delete(self._key("u").encode() + b":" + marks[n : n + 16])
        return len(lost)

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self._pool.disconnect()
