"""The state that outlives a run: the duplicate index and the record of every page written.

`STATE_URL` names it; `sqlite:///path` (relative to the working directory) or
`sqlite:////absolute/path` is the embedded default, `redis://host:port/db` the shared one
for many crawler processes (`crawler.redis_state`). One store is opened per crawler and
shared by the pipelines that need it, and closed when the engine stops.

Only a crawl creates a state, and says so in its log: a run that finds no state at a
mistyped path starts from nothing (every page is new), which the operator must be able
to see. A command that only reads the state refuses one that does not exist.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import socket
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TextIO
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

import numpy as np
from scrapy import signals

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

DEFAULT_STATE_URL = "sqlite:///state/newsfold.sqlite"
CHECKPOINT_SECONDS = 1.0  # how often the write-ahead log is copied into the database
LOCK_POLL_SECONDS = 0.2  # how often a waiting run tries the lock again
RECORD_FIELDS = (
    "id",
    "kind",
    "url",
    "canonical_url",
    "site",
    "site_name",
    "title",
    "published",
    "fetched_at",
    "duplicate_of",
    "similarity",
    "containment",
    "method",
    "text",
    "credits",
    "digest",
    "run",
)
MEMBER_FIELDS = ("doc", "cluster", "relation", "similarity", "containment", "method")
# What the cluster export tells of each page: the record fields that describe the page.
PAGE_FIELDS = tuple(
    name
    for name in RECORD_FIELDS
    if name
    not in {"id", "kind", "duplicate_of", "similarity", "containment", "method", "digest", "run"}
)
RUN_FIELDS = ("id", "pid", "spider", "started", "ended", "status", "files", "host", "manifest")


@dataclass
class Member:
    """A page's place in its story's cluster, decided once by the collapse stage.

    `relation` is "kept" (the article written for the cluster), "article" (written as
    an article before a later page showed it belongs to this cluster), or "copy".
    """

    doc: str
    cluster: str
    relation: str
    similarity: float | None = None
    containment: float | None = None
    method: str | None = None


class Evidence(NamedTuple):
    """Why a page is taken for a copy of an indexed page."""

    doc: str
    similarity: float
    containment: float
    method: str


class Claim(NamedTuple):
    """A page numbered and indexed, with the earlier pages sharing a band with it.

    `known` is the page's decision when it was decided before (then nothing was indexed),
    or when no earlier page shares a band with it (then it founded its story at once).
    """

    seq: int
    candidates: list[tuple[str, int]]  # (doc, seq), most shared bands first
    known: Member | None = None


TAG_BYTES = 4


def page_tag(page: str) -> bytes:
    """A page's short name in the site-template counts (a collision costs one count)."""
    return hashlib.blake2b(page.encode(), digest_size=TAG_BYTES).digest()


def split_tags(tags: bytes | None) -> list[bytes]:
    """A block's page tags, as stored (concatenated)."""
    tags = tags or b""
    return [tags[i : i + TAG_BYTES] for i in range(0, len(tags), TAG_BYTES)]


def tag_blocks(
    tag: bytes, keys: Sequence[int], known: dict[int, tuple[int, bytes]], cap: int
) -> tuple[dict[int, int], dict[int, bytes]]:
    """The page `tag`'s count of other pages per block, and the blocks' new tags.

    `known` holds each stored block's untagged page count and its tags.
    """
    counts: dict[int, int] = {}
    writes: dict[int, bytes] = {}
    for key in keys:
        untagged, tags = known.get(key, (0, b""))
        split = split_tags(tags)
        pages, mine = untagged + len(split), tag in split
        if pages - mine:
            counts[key] = pages - mine
        if not mine and pages < cap:
            writes[key] = tags + tag
    return counts, writes


def retagged(blocks: Iterable[tuple[int, bytes | None]], page: str, story: str) -> dict[int, bytes]:
    """The blocks whose tags name `page`, with `story`'s tag (once) in its place."""
    old, new = page_tag(page), page_tag(story)
    changed = {}
    for key, tags in blocks:
        split = split_tags(tags)
        if old in split:
            changed[key] = b"".join([*(tag for tag in split if tag not in (old, new)), new])
    return changed


class StateError(RuntimeError):
    """The state store cannot be opened or does not fit this version's index."""


class StateMissing(StateError):
    """No state where `STATE_URL` points, and the command may not create one."""


class StateLocked(StateError):
    """Another run holds the state; this one waited `LOCK_WAIT` seconds and gave up."""


class StateStore(Protocol):
    """What the pipelines need from a state backend."""

    # Whether a page's state calls (collapse, record) may run in threads, off the event
    # loop (`crawler.offload`): a store on a server that answers over the network.
    # SQLite answers from the page cache at once.
    concurrent: bool

    def transaction(self) -> AbstractContextManager[None]: ...
    def lock(self, wait: float) -> bool:
        """Take the state for this run; True when that excludes every other run."""
        ...

    def check_params(self, params: dict[str, Any]) -> None: ...
    def claim(self, doc_id: str, band_keys: Sequence[int], shingles: np.ndarray) -> Claim:
        """Number and index the page in one atomic step; the pages before it sharing a band.

        Returns the page's sequence number and `(doc, seq)` of every page with a lower
        number that shares a band with it, most shared bands first. Of two pages claimed
        at the same moment the later always sees the earlier: numbering and indexing are
        one step. A page decided before is not indexed again: its decision is returned. A
        page with no candidates is decided in the same step: it founds a cluster.
        """
        ...

    def shingles(self, doc_ids: Sequence[str]) -> dict[str, np.ndarray]: ...
    def settle(
        self,
        doc_id: str,
        matched: Sequence[str],
        best: Evidence | None,
        abandoned: Sequence[str] = (),
    ) -> Member | list[str]:
        """Decide a claimed page in one atomic step: a new cluster, or a copy in the
        merged clusters of `matched` (the oldest survives, absorbed kept pages become
        "article"). A page decided before keeps its decision. When some matched pages are
        claimed but not decided yet, nothing is written and those pages are returned.
        `abandoned` are pages given up on (claimed, never decided): no one waits for them
        again, and if they come back they are numbered anew.
        """
        ...

    def record(self, record: dict[str, Any]) -> None: ...
    def count_blocks(self, site: str, page: str, keys: Sequence[int], cap: int) -> dict[int, int]:
        """For each block key, how many pages of `site` other than `page` had it; records
        that `page` has it. A page is counted once however often it is cleaned (revisits,
        repaired runs), and a block remembers at most `cap` pages: enough to decide."""
        ...

    def retag_blocks(self, site: str, keys: Sequence[int], page: str, story: str) -> None:
        """Count `page`'s blocks as `story`'s from now on: pages of one story are one."""
        ...

    def document(self, doc_id: str) -> dict[str, Any] | None: ...
    def member(self, doc_id: str) -> Member | None: ...
    def clusters_of(self, doc_ids: Sequence[str]) -> dict[str, str]: ...
    def kept(self, cluster: str) -> str: ...
    def cluster_rows(self, min_size: int) -> Iterator[dict[str, Any]]: ...
    def seen(self, url: str) -> tuple[float, str | None] | None: ...
    def mark_seen(
        self, url: str, doc: str | None, run: str | None, at: float, ttl: float | None = None
    ) -> None:
        """Mark a page processed at `at`; with `ttl`, a backend that can forgets the mark
        by itself `ttl` seconds after `at` (else `expire_seen` does)."""
        ...

    def expire_seen(self, before: float) -> int: ...
    def begin_run(self, run: dict[str, Any]) -> bool: ...
    def update_run(self, run_id: str, **fields: Any) -> None: ...
    def runs(self, status: str | None = None) -> list[dict[str, Any]]: ...
    def undeliver(self, run_id: str, delivered: set[str]) -> int: ...
    def close(self) -> None: ...


class SQLiteState:
    """SQLite in WAL mode: one file, safe against a crash mid-write, no server to run."""

    concurrent = False  # one connection, used from the event loop's thread

    SCHEMA = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS bands (
            key INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (key, doc)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS shingles (doc TEXT PRIMARY KEY, hashes BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS documents (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, url TEXT NOT NULL, canonical_url TEXT,
            site TEXT, site_name TEXT, title TEXT, published TEXT, fetched_at TEXT,
            duplicate_of TEXT, similarity REAL, containment REAL, method TEXT, text TEXT,
            credits TEXT, digest TEXT, run TEXT
        );
        CREATE TABLE IF NOT EXISTS clusters (
            id TEXT PRIMARY KEY, kept TEXT NOT NULL, seq INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS clusters_seq ON clusters (seq);
        CREATE TABLE IF NOT EXISTS members (
            doc TEXT PRIMARY KEY, cluster TEXT NOT NULL, relation TEXT NOT NULL,
            similarity REAL, containment REAL, method TEXT
        );
        CREATE INDEX IF NOT EXISTS members_cluster ON members (cluster);
        -- tags: the pages that had the block (`page_tag`); pages: pages counted without
        -- their tag, by states written before tags were kept.
        CREATE TABLE IF NOT EXISTS site_blocks (
            site TEXT NOT NULL, key INTEGER NOT NULL, pages INTEGER NOT NULL, tags BLOB,
            PRIMARY KEY (site, key)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS seen (
            url TEXT PRIMARY KEY, doc TEXT, run TEXT, at REAL NOT NULL
        );
        CREATE INDEX IF NOT EXISTS seen_at ON seen (at);
        CREATE INDEX IF NOT EXISTS seen_doc ON seen (doc);
        CREATE TABLE IF NOT EXISTS runs (
            id TEXT PRIMARY KEY, pid INTEGER, spider TEXT, started TEXT, ended TEXT,
            status TEXT NOT NULL, files TEXT NOT NULL DEFAULT '[]', host TEXT, manifest TEXT
        );
    """

    def __init__(self, path: Path):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StateError(f"cannot create state {path}: {error}") from error
        try:
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(self.SCHEMA)
            self._add_missing_columns()
            self.db.execute("CREATE INDEX IF NOT EXISTS documents_run ON documents (run)")
        except sqlite3.DatabaseError as error:
            raise StateError(f"cannot open state {path}: {error}") from error
        self.path = path
        self._lock: TextIO | None = None
        self._stop = threading.Event()
        self._checkpointer: threading.Thread | None = None
        if str(path) != ":memory:":
            # Copying the write-ahead log back into the database is most of a write's cost;
            # a thread of its own does it, so a collapse decision only appends to the log.
            self.db.execute("PRAGMA wal_autocheckpoint=0")
            self._checkpointer = threading.Thread(
                target=self._checkpoint, name="newsfold-state-checkpoint", daemon=True
            )
            self._checkpointer.start()

    def lock(self, wait: float) -> bool:
        """Hold the state for this run; the lock goes with the process, even on kill -9."""
        if self._lock is not None:
            return True
        lock_path = self.path.with_name(self.path.name + ".lock")
        handle = lock_path.open("a")
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    raise StateLocked(
                        f"another run holds {self.path} (waited {wait:g} s; LOCK_WAIT sets how "
                        "long to wait)"
                    ) from None
                time.sleep(min(LOCK_POLL_SECONDS, max(deadline - time.monotonic(), 0.01)))
        self._lock = handle
        return True

    def _checkpoint(self) -> None:
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            while not self._stop.wait(CHECKPOINT_SECONDS):
                db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            db.close()

    def _add_missing_columns(self) -> None:
        """States written by an earlier version lack newer columns; add them."""
        tables = (("documents", RECORD_FIELDS), ("runs", RUN_FIELDS), ("site_blocks", ["tags"]))
        for table, fields in tables:
            present = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            for name in fields:
                if name not in present:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {name}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def check_params(self, params: dict[str, Any]) -> None:
        wanted = json.dumps(params, sort_keys=True)
        row = self.db.execute("SELECT value FROM meta WHERE key = 'index'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO meta (key, value) VALUES ('index', ?)", (wanted,))
        elif row[0] != wanted:
            raise StateError(
                f"the duplicate index in {self.path} was built with {row[0]}, not {wanted}; "
                "use a new STATE_URL or the settings it was built with"
            )

    def claim(self, doc_id: str, band_keys: Sequence[int], shingles: np.ndarray) -> Claim:
        """Inside the decision's transaction, so every page indexed before comes before."""
        known = self.member(doc_id)
        if known is not None:
            return Claim(0, [], known)
        self.index(doc_id, band_keys, shingles)
        (seq,) = self.db.execute("SELECT rowid FROM shingles WHERE doc = ?", (doc_id,)).fetchone()
        marks = ",".join("?" * len(band_keys))
        rows = self.db.execute(
            f"SELECT b.doc, s.rowid, COUNT(*) AS hits FROM bands b "
            f"JOIN shingles s ON s.doc = b.doc WHERE b.key IN ({marks}) AND b.doc != ? "
            "GROUP BY b.doc ORDER BY hits DESC, b.doc",
            [*band_keys, doc_id],
        )
        candidates = [(doc, int(rowid)) for doc, rowid, _ in rows]
        if not candidates:
            settled = self.settle(doc_id, [], None)
            assert isinstance(settled, Member)
            return Claim(int(seq), [], settled)
        return Claim(int(seq), candidates)

    def shingles(self, doc_ids: Sequence[str]) -> dict[str, np.ndarray]:
        marks = ",".join("?" * len(doc_ids))
        rows = self.db.execute(
            f"SELECT doc, hashes FROM shingles WHERE doc IN ({marks})", list(doc_ids)
        )
        return {doc: np.frombuffer(hashes, dtype=np.uint32) for doc, hashes in rows}

    def index(self, doc_id: str, band_keys: Sequence[int], shingles: np.ndarray) -> None:
        self.db.executemany(
            "INSERT OR IGNORE INTO bands (key, doc) VALUES (?, ?)",
            [(key, doc_id) for key in band_keys],
        )
        self.db.execute(
            "INSERT OR REPLACE INTO shingles (doc, hashes) VALUES (?, ?)",
            (doc_id, shingles.astype(np.uint32).tobytes()),
        )

    def settle(
        self,
        doc_id: str,
        matched: Sequence[str],
        best: Evidence | None,
        abandoned: Sequence[str] = (),
    ) -> Member | list[str]:
        """Inside the decision's transaction: every matched page is decided already."""
        known = self.member(doc_id)
        if known is not None:
            return known
        clusters = self.clusters_of(matched) if matched else {}
        if not clusters or best is None:
            self.new_cluster(doc_id)
            member = Member(doc_id, doc_id, "kept")
        else:
            cluster = self.merge(sorted(set(clusters.values())))
            member = Member(doc_id, cluster, "copy", best.similarity, best.containment, best.method)
        self.join(member)
        return member

    def record(self, record: dict[str, Any]) -> None:
        values = [record.get(name) for name in RECORD_FIELDS]
        self.db.execute(
            f"INSERT OR REPLACE INTO documents ({', '.join(RECORD_FIELDS)}) "
            f"VALUES ({', '.join('?' * len(RECORD_FIELDS))})",
            values,
        )

    def count_blocks(self, site: str, page: str, keys: Sequence[int], cap: int) -> dict[int, int]:
        known = {key: (untagged, tags or b"") for key, untagged, tags in self._blocks(site, keys)}
        counts, writes = tag_blocks(page_tag(page), keys, known, cap)
        self.db.executemany(
            "INSERT INTO site_blocks (site, key, pages, tags) VALUES (?, ?, 0, ?) "
            "ON CONFLICT (site, key) DO UPDATE SET tags = excluded.tags",
            [(site, key, tags) for key, tags in writes.items()],
        )
        return counts

    def retag_blocks(self, site: str, keys: Sequence[int], page: str, story: str) -> None:
        found = ((key, tags) for key, _, tags in self._blocks(site, keys))
        self.db.executemany(
            "UPDATE site_blocks SET tags = ? WHERE site = ? AND key = ?",
            [(tags, site, key) for key, tags in retagged(found, page, story).items()],
        )

    def _blocks(self, site: str, keys: Sequence[int]) -> list[tuple[int, int, bytes | None]]:
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        return self.db.execute(
            f"SELECT key, pages, tags FROM site_blocks WHERE site = ? AND key IN ({marks})",
            [site, *keys],
        ).fetchall()

    def member(self, doc_id: str) -> Member | None:
        row = self.db.execute(
            f"SELECT {', '.join(MEMBER_FIELDS)} FROM members WHERE doc = ?", (doc_id,)
        ).fetchone()
        return Member(*row) if row else None

    def clusters_of(self, doc_ids: Sequence[str]) -> dict[str, str]:
        marks = ",".join("?" * len(doc_ids))
        rows = self.db.execute(
            f"SELECT doc, cluster FROM members WHERE doc IN ({marks})", list(doc_ids)
        )
        return dict(rows.fetchall())

    def new_cluster(self, doc_id: str) -> None:
        self.db.execute(
            "INSERT INTO clusters (id, kept, seq) "
            "VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM clusters))",
            (doc_id, doc_id),
        )

    def merge(self, clusters: Sequence[str]) -> str:
        """One cluster from several: the oldest survives and keeps its article."""
        marks = ",".join("?" * len(clusters))
        rows = self.db.execute(
            f"SELECT id FROM clusters WHERE id IN ({marks}) ORDER BY seq", list(clusters)
        ).fetchall()
        survivor, absorbed = rows[0][0], [row[0] for row in rows[1:]]
        if absorbed:
            marks = ",".join("?" * len(absorbed))
            self.db.execute(
                f"UPDATE members SET relation = 'article' "
                f"WHERE cluster IN ({marks}) AND relation = 'kept'",
                absorbed,
            )
            self.db.execute(
                f"UPDATE members SET cluster = ? WHERE cluster IN ({marks})", [survivor, *absorbed]
            )
            self.db.execute(f"DELETE FROM clusters WHERE id IN ({marks})", absorbed)
        return str(survivor)

    def kept(self, cluster: str) -> str:
        row = self.db.execute("SELECT kept FROM clusters WHERE id = ?", (cluster,)).fetchone()
        return str(row[0])

    def join(self, member: Member) -> None:
        self.db.execute(
            f"INSERT OR REPLACE INTO members ({', '.join(MEMBER_FIELDS)}) "
            f"VALUES ({', '.join('?' * len(MEMBER_FIELDS))})",
            [getattr(member, name) for name in MEMBER_FIELDS],
        )

    def cluster_rows(self, min_size: int) -> Iterator[dict[str, Any]]:
        """Every member of every cluster of at least `min_size` pages, cluster by cluster."""
        rows = self.db.execute(
            f"SELECT m.cluster, c.kept, m.doc, m.relation, m.similarity, m.containment, "
            f"m.method, {', '.join(f'd.{name}' for name in PAGE_FIELDS)} FROM members m "
            "JOIN clusters c ON c.id = m.cluster LEFT JOIN documents d ON d.id = m.doc "
            "WHERE m.cluster IN "
            "(SELECT cluster FROM members GROUP BY cluster HAVING COUNT(*) >= ?) "
            "ORDER BY c.seq, m.doc",
            (min_size,),
        )
        names = ["cluster", "kept", "id", "relation", "similarity", "containment", "method"]
        for row in rows:
            yield dict(zip([*names, *PAGE_FIELDS], row, strict=True))

    def seen(self, url: str) -> tuple[float, str | None] | None:
        """When a page was last processed, and by which run."""
        row = self.db.execute("SELECT at, run FROM seen WHERE url = ?", (url,)).fetchone()
        return (float(row[0]), row[1]) if row else None

    def mark_seen(
        self, url: str, doc: str | None, run: str | None, at: float, ttl: float | None = None
    ) -> None:
        """`ttl` is not kept: `expire_seen` deletes old marks when a run starts."""
        self.db.execute(
            "INSERT OR REPLACE INTO seen (url, doc, run, at) VALUES (?, ?, ?, ?)",
            (url, doc, run, at),
        )

    def expire_seen(self, before: float) -> int:
        return self.db.execute("DELETE FROM seen WHERE at < ?", (before,)).rowcount

    def begin_run(self, run: dict[str, Any]) -> bool:
        """Register a run, False if its id is taken; `host` is this machine's name unless
        the run gives one."""
        values = [run.get(name) for name in RUN_FIELDS]
        values[RUN_FIELDS.index("files")] = run.get("files") or "[]"
        values[RUN_FIELDS.index("host")] = run.get("host") or socket.gethostname()
        cursor = self.db.execute(
            f"INSERT OR IGNORE INTO runs ({', '.join(RUN_FIELDS)}) "
            f"VALUES ({', '.join('?' * len(RUN_FIELDS))})",
            values,
        )
        return cursor.rowcount == 1

    def update_run(self, run_id: str, **fields: Any) -> None:
        names = [name for name in RUN_FIELDS if name in fields and name != "id"]
        self.db.execute(
            f"UPDATE runs SET {', '.join(f'{name} = ?' for name in names)} WHERE id = ?",
            [fields[name] for name in names] + [run_id],
        )

    def runs(self, status: str | None = None) -> list[dict[str, Any]]:
        query = f"SELECT {', '.join(RUN_FIELDS)} FROM runs"
        rows = (
            self.db.execute(f"{query} WHERE status = ? ORDER BY id", (status,))
            if status
            else self.db.execute(f"{query} ORDER BY id")
        )
        return [dict(zip(RUN_FIELDS, row, strict=True)) for row in rows]

    def undeliver(self, run_id: str, delivered: set[str]) -> int:
        """Forget that a run wrote the records missing from its output, so they are redone.

        Their pages are no longer seen and their digests are cleared: the next fetch
        writes them again. Cluster membership stays, so they fold the same way.
        """
        written = [
            row[0] for row in self.db.execute("SELECT id FROM documents WHERE run = ?", (run_id,))
        ]
        lost = [(doc,) for doc in written if doc not in delivered]
        self.db.executemany("UPDATE documents SET digest = NULL, run = NULL WHERE id = ?", lost)
        self.db.executemany("DELETE FROM seen WHERE doc = ?", lost)
        return len(lost)

    def document(self, doc_id: str) -> dict[str, Any] | None:
        cursor = self.db.execute(
            f"SELECT {', '.join(RECORD_FIELDS)} FROM documents WHERE id = ?", (doc_id,)
        )
        row = cursor.fetchone()
        return dict(zip(RECORD_FIELDS, row, strict=True)) if row else None

    def close(self) -> None:
        if self._checkpointer is not None:
            self._stop.set()
            self._checkpointer.join()
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.close()
        if self._lock is not None:
            self._lock.close()  # closing the file releases the lock
            self._lock = None


NEW_STATE = "New state: created %s (no earlier runs; every page is new)"


def open_state(url: str, settings: BaseSettings | None = None, create: bool = True) -> StateStore:
    """Open the store a `STATE_URL` names.

    One that does not exist yet is created when `create` (a crawl), and the log says so;
    otherwise it is `StateMissing`. `settings` give `REDIS_RETRY_FOR`, how long a Redis
    state may be unreachable, from the first command on.
    """
    parts = urlsplit(url or DEFAULT_STATE_URL)
    if parts.scheme == "sqlite":
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        if not path:
            path = urlsplit(DEFAULT_STATE_URL).path[1:]
        return _sqlite_state(Path(path), create)
    if parts.scheme in {"redis", "rediss"}:
        from crawler.redis_state import RedisState

        return RedisState.from_url(url, settings, create)
    raise StateError(f"unsupported STATE_URL {url!r}: use sqlite:///PATH or redis://HOST:PORT/DB")


def _sqlite_state(path: Path, create: bool) -> SQLiteState:
    if path.exists() or str(path) == ":memory:":
        return SQLiteState(path)
    if not create:
        raise StateMissing(
            f"no state at {path.absolute()}: nothing has been crawled with this STATE_URL "
            "(a crawl creates it; check the path)"
        )
    made = [folder for folder in path.absolute().parents if not folder.exists()]
    store = SQLiteState(path)
    if made:
        logger.info(NEW_STATE + ", in the new directory %s", path, made[-1])
    else:
        logger.info(NEW_STATE, path)
    return store


_stores: WeakKeyDictionary[Crawler, StateStore] = WeakKeyDictionary()


def state_for(crawler: Crawler) -> StateStore:
    """The crawler's one state store, opened on first use and closed when the engine stops."""
    store = _stores.get(crawler)
    if store is None:
        store = open_state(crawler.settings.get("STATE_URL", DEFAULT_STATE_URL), crawler.settings)
        _stores[crawler] = store
        crawler.signals.connect(store.close, signal=signals.engine_stopped)
    return store
