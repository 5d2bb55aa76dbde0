"""The state in one SQLite file: the embedded default, for one crawler process at a time.

`STATE_URL=sqlite:///path` (relative to the working directory) or
`sqlite:////absolute/path`. WAL mode: safe against a crash mid-write, no server to run;
a run takes the file's lock (`lock`) so that two runs never write one state at once.
"""

from __future__ import annotations

import fcntl
import json
import logging
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import urlsplit

import numpy as np

from crawler.best_page import Profile
from crawler.defaults import DEFAULTS
from crawler.items import Placement, page_digest, record_digest, unpack_page
from crawler.state.base import NEW_STATE, Reach, StateError, StateLocked, StateMissing
from crawler.state.records import (
    RECORD_FIELDS,
    Emission,
    PageEntry,
    legacy_fields,
    legacy_profile,
    story_row,
)
from crawler.state.runs import RUN_FIELDS, undelivered
from crawler.state.stories import Claim, Evidence, Member, Settlement, Snapshot, Story, StoryPage
from crawler.state.templates import page_tag, retagged, tag_blocks

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

DEFAULT_STATE_URL: str = DEFAULTS["STATE_URL"]  # when no STATE_URL is given at all
CHECKPOINT_SECONDS = 1.0  # how often the write-ahead log is copied into the database
LOCK_POLL_SECONDS = 0.2  # how often a waiting run tries the lock again
MEMBER_FIELDS = ("doc", "cluster", "relation", "similarity", "containment", "method")


class SQLiteState:
    """SQLite in WAL mode: one file, safe against a crash mid-write, no server to run."""

    concurrent = False  # one connection, used from the event loop's thread
    schemes: tuple[str, ...] = ("sqlite",)

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
            credits TEXT, digest TEXT, run TEXT, revision INTEGER
        );
        CREATE TABLE IF NOT EXISTS clusters (
            id TEXT PRIMARY KEY, kept TEXT NOT NULL, seq INTEGER NOT NULL, why TEXT
        );
        CREATE INDEX IF NOT EXISTS clusters_seq ON clusters (seq);
        CREATE TABLE IF NOT EXISTS members (
            doc TEXT PRIMARY KEY, cluster TEXT NOT NULL, relation TEXT NOT NULL,
            similarity REAL, containment REAL, method TEXT
        );
        CREATE INDEX IF NOT EXISTS members_cluster ON members (cluster);
        -- record: the page's record fields, zlib-compressed JSON; digest: theirs;
        -- profile: what the story rule reads of the page (`crawler.best_page`).
        CREATE TABLE IF NOT EXISTS pages (
            doc TEXT PRIMARY KEY, record BLOB, digest TEXT, profile TEXT NOT NULL
        );
        -- Pages whose records are not written yet, and the run that is to write them.
        CREATE TABLE IF NOT EXISTS outbox (doc TEXT PRIMARY KEY, run TEXT);
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
        CREATE TABLE IF NOT EXISTS discovered (
            site TEXT PRIMARY KEY, at REAL NOT NULL, found TEXT NOT NULL
        );
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

    @classmethod
    def from_url(
        cls, url: str, settings: BaseSettings | None = None, create: bool = True
    ) -> SQLiteState:
        """`sqlite:///relative/path`, `sqlite:////absolute/path`; `sqlite:///` is the
        default path. A file that does not exist is made (with its folders) when `create`."""
        parts = urlsplit(url)
        given = parts.path[1:] if parts.path.startswith("/") else parts.path
        path = Path(given or urlsplit(DEFAULT_STATE_URL).path[1:])
        if path.exists() or str(path) == ":memory:":
            return cls(path)
        if not create:
            raise StateMissing(
                f"no state at {path.absolute()}: nothing has been crawled with this STATE_URL "
                "(a crawl creates it; check the path)"
            )
        made = [folder for folder in path.absolute().parents if not folder.exists()]
        store = cls(path)
        if made:
            logger.info(NEW_STATE + ", in the new directory %s", path, made[-1])
        else:
            logger.info(NEW_STATE, path)
        return store

    @classmethod
    def reach(cls, url: str, settings: BaseSettings | None = None) -> Reach | None:
        """A file on this machine: it cannot go out of reach mid-crawl."""
        return None

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
        """States written by an earlier version lack newer columns; add them.

        Stories of an earlier version kept the page that founded them as their article;
        the pages they absorbed said they were articles too (relation "article"), so
        their records go to the outbox, to be written again as copies.
        """
        tables = (
            ("documents", RECORD_FIELDS),
            ("runs", RUN_FIELDS),
            ("site_blocks", ["tags"]),
            ("clusters", ["why"]),
        )
        for table, fields in tables:
            present = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            for name in fields:
                if name not in present:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {name}")
                    if (table, name) == ("clusters", "why"):
                        self.db.execute(
                            "INSERT OR IGNORE INTO outbox (doc, run) "
                            "SELECT doc, NULL FROM members WHERE relation = 'article'"
                        )

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

    def claim(
        self,
        doc_id: str,
        band_keys: Sequence[int],
        shingles: np.ndarray,
        page: PageEntry | None = None,
        owner: str = "",
    ) -> Claim:
        """Inside the decision's transaction, so every page indexed before comes before."""
        if page is not None:
            self._keep_page(doc_id, page)
        known = self.member(doc_id)
        if known is not None:
            if page is not None:
                self._to_outbox([doc_id], owner)
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
            return Claim(int(seq), [], self._found(doc_id, page.why if page else "", owner))
        return Claim(int(seq), candidates)

    def _found(self, doc_id: str, why: str, owner: str) -> Member:
        """The page founds a story, of which it is the article."""
        self.db.execute(
            "INSERT INTO clusters (id, kept, seq, why) "
            "VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM clusters), ?)",
            (doc_id, doc_id, why),
        )
        member = Member(doc_id, doc_id, "article")
        self.join(member)
        self._to_outbox([doc_id], owner)
        return member

    def _keep_page(self, doc_id: str, page: PageEntry) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO pages (doc, record, digest, profile) VALUES (?, ?, ?, ?)",
            (doc_id, page.blob, page.digest, page.profile),
        )

    def _to_outbox(self, docs: Sequence[str], owner: str) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO outbox (doc, run) VALUES (?, ?)",
            [(doc, owner or None) for doc in docs],
        )

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

    def snapshot(self, doc_ids: Sequence[str]) -> Snapshot:
        """Inside the decision's transaction: nothing is pending, nothing changes."""
        clusters = self.clusters_of(doc_ids) if doc_ids else {}
        ids = sorted(set(clusters.values()))
        stories: dict[str, Story] = {}
        found: dict[str, np.ndarray] = {}
        if ids:
            marks = ",".join("?" * len(ids))
            for cluster, kept, seq, why in self.db.execute(
                f"SELECT id, kept, seq, why FROM clusters WHERE id IN ({marks})", ids
            ):
                stories[cluster] = Story(cluster, int(seq), 0, kept, why, [])
            rows = self.db.execute(
                "SELECT m.doc, m.cluster, m.similarity, m.containment, m.method, p.profile, "
                "s.rowid, s.hashes FROM members m LEFT JOIN pages p ON p.doc = m.doc "
                f"LEFT JOIN shingles s ON s.doc = m.doc WHERE m.cluster IN ({marks}) "
                "ORDER BY m.cluster, s.rowid",
                ids,
            ).fetchall()
            for doc, cluster, similarity, containment, method, profile, seq, hashes in rows:
                shingles = np.frombuffer(hashes or b"", dtype=np.uint32)
                found[doc] = shingles
                evidence = (
                    Evidence(doc, similarity, containment, method) if method is not None else None
                )
                stories[cluster].pages.append(
                    StoryPage(self._profile(doc, profile, len(shingles), seq or 0), evidence)
                )
        missing = [doc for doc in doc_ids if doc not in found]
        if missing:
            found.update(self.shingles(missing))
        return Snapshot(clusters, [], stories, found)

    def _profile(self, doc: str, stored: str | None, size: int, seq: int) -> Profile:
        if stored:
            return Profile.from_json(doc, stored, seq)
        return legacy_profile(doc, self.document(doc), size, seq)

    def settle(self, plan: Settlement, abandoned: Sequence[str] = ()) -> Member | list[str] | None:
        """Inside the decision's transaction: every matched page is decided already."""
        known = self.member(plan.doc)
        if known is not None:
            return known
        if not plan.clusters:
            return self._found(plan.doc, plan.why, plan.owner)
        absorbed = [cluster for cluster in plan.clusters if cluster != plan.survivor]
        if absorbed:
            marks = ",".join("?" * len(absorbed))
            self.db.execute(
                f"UPDATE members SET cluster = ? WHERE cluster IN ({marks})",
                [plan.survivor, *absorbed],
            )
            self.db.execute(f"DELETE FROM clusters WHERE id IN ({marks})", absorbed)
        evidence = plan.evidence or Evidence(plan.doc, 0.0, 0.0, "story")
        relation = "article" if plan.article == plan.doc else "copy"
        member = Member(plan.doc, plan.survivor, relation, *evidence[1:])
        self.join(member)
        self.db.execute(
            "UPDATE clusters SET kept = ?, why = ? WHERE id = ?",
            (plan.article, plan.why, plan.survivor),
        )
        if plan.evidence_of:
            self.db.executemany(
                "UPDATE members SET similarity = ?, containment = ?, method = ? WHERE doc = ?",
                [(e.similarity, e.containment, e.method, d) for d, e in plan.evidence_of.items()],
            )
        self._to_outbox(plan.changed, plan.owner)
        return member

    def placement(self, doc_id: str) -> Placement:
        """The page's place in its story now (an article of its own without a story)."""
        row = self.db.execute(
            "SELECT m.cluster, c.kept, c.why, m.similarity, m.containment, m.method "
            "FROM members m JOIN clusters c ON c.id = m.cluster WHERE m.doc = ?",
            (doc_id,),
        ).fetchone()
        if row is None:
            return Placement("article", doc_id)
        cluster, article, why, similarity, containment, method = row
        if article == doc_id:
            return Placement("article", cluster, why=why)
        return Placement("copy", cluster, article, similarity, containment, method)

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
        row = self.document(doc_id)
        if again and row is None:
            return None
        if page is not None:
            self._keep_page(doc_id, page)
        for url in urls:
            self.mark_seen(url, doc_id, run, at, ttl)
        self.db.execute("DELETE FROM outbox WHERE doc = ?", (doc_id,))
        kept = self.db.execute(
            "SELECT record, digest FROM pages WHERE doc = ?", (doc_id,)
        ).fetchone()
        if kept is not None and kept[0] is not None:
            fields, digest = unpack_page(kept[0]), str(kept[1])
        elif row is not None and row.get("url"):
            fields = legacy_fields(row)
            digest = page_digest(fields)
        else:
            return None  # nothing kept to write (an index built without pages)
        placement = self.placement(doc_id)
        written = record_digest(digest, placement)
        if row is not None and row["digest"] == written:
            return None
        placement.revision = int((row or {}).get("revision") or 0) + 1
        self.db.execute(
            "INSERT INTO documents (id, kind, url, digest, run, revision) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, "
            "digest = excluded.digest, run = excluded.run, revision = excluded.revision",
            (doc_id, placement.kind, fields["url"], written, run, placement.revision),
        )
        return Emission(placement, None if own else fields)

    def outbox(self, skip_runs: Sequence[str] = ()) -> list[str]:
        marks = ",".join("?" * len(skip_runs))
        rows = self.db.execute(
            f"SELECT doc FROM outbox WHERE run IS NULL OR run NOT IN ({marks}) ORDER BY doc",
            list(skip_runs),
        )
        return [row[0] for row in rows]

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
            "SELECT m.doc, m.cluster, CASE WHEN c.kept = m.doc THEN 'article' ELSE 'copy' END, "
            "m.similarity, m.containment, m.method FROM members m "
            "JOIN clusters c ON c.id = m.cluster WHERE m.doc = ?",
            (doc_id,),
        ).fetchone()
        return Member(*row) if row else None

    def clusters_of(self, doc_ids: Sequence[str]) -> dict[str, str]:
        marks = ",".join("?" * len(doc_ids))
        rows = self.db.execute(
            f"SELECT doc, cluster FROM members WHERE doc IN ({marks})", list(doc_ids)
        )
        return dict(rows.fetchall())

    def kept(self, cluster: str) -> str:
        row = self.db.execute("SELECT kept FROM clusters WHERE id = ?", (cluster,)).fetchone()
        return str(row[0])

    def join(self, member: Member) -> None:
        self.db.execute(
            f"INSERT OR REPLACE INTO members ({', '.join(MEMBER_FIELDS)}) "
            f"VALUES ({', '.join('?' * len(MEMBER_FIELDS))})",
            [getattr(member, name) for name in MEMBER_FIELDS],
        )

    def page(self, doc_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT record FROM pages WHERE doc = ?", (doc_id,)).fetchone()
        if row is not None and row[0] is not None:
            return unpack_page(row[0])
        document = self.document(doc_id)
        return legacy_fields(document) if document is not None and document["url"] else None

    def cluster_rows(self, min_size: int) -> Iterator[dict[str, Any]]:
        """Every member of every cluster of at least `min_size` pages, cluster by cluster."""
        rows = self.db.execute(
            "SELECT m.cluster, c.kept, c.why, m.doc, m.similarity, m.containment, m.method, "
            "p.record FROM members m JOIN clusters c ON c.id = m.cluster "
            "LEFT JOIN pages p ON p.doc = m.doc WHERE m.cluster IN "
            "(SELECT cluster FROM members GROUP BY cluster HAVING COUNT(*) >= ?) "
            "ORDER BY c.seq, m.doc",
            (min_size,),
        )
        for cluster, article, why, doc, similarity, containment, method, blob in rows:
            fields = unpack_page(blob) if blob is not None else self.page(doc)
            yield story_row(cluster, article, why, doc, (similarity, containment, method), fields)

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

    def discovered(self, site: str) -> tuple[float, dict[str, list[str]]] | None:
        row = self.db.execute("SELECT at, found FROM discovered WHERE site = ?", (site,)).fetchone()
        return (float(row[0]), json.loads(row[1])) if row else None

    def keep_discovered(self, site: str, found: dict[str, list[str]], at: float) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO discovered (site, at, found) VALUES (?, ?, ?)",
            (site, at, json.dumps(found)),
        )

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

    def undeliver(self, run_id: str, delivered: Mapping[str, int]) -> int:
        rows = self.db.execute(
            "SELECT d.id, d.revision, p.record IS NOT NULL FROM documents d "
            "LEFT JOIN pages p ON p.doc = d.id WHERE d.run = ?",
            (run_id,),
        ).fetchall()
        lost = [
            (doc, kept) for doc, revision, kept in rows if undelivered(doc, revision, delivered)
        ]
        self.db.executemany(
            "UPDATE documents SET digest = NULL, run = NULL WHERE id = ?", [(d,) for d, _ in lost]
        )
        self._to_outbox([doc for doc, kept in lost if kept], run_id)
        self.db.executemany(
            "DELETE FROM seen WHERE doc = ?", [(d,) for d, kept in lost if not kept]
        )
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
