"""The state primitives, one body for each backend (`store`/`state_url` run on SQLite and Redis)."""

import logging
import threading
from typing import Any

import numpy as np
import pytest
from redis.client import Pipeline

from crawler import redisconn
from crawler.items import Copy, Placement, build_record, page_digest, unpack_page
from crawler.redisconn import Outage
from crawler.state import (
    SQLiteState,
    StateError,
    StateLocked,
    StateMissing,
    backend_for,
    open_state,
)
from crawler.state.records import PageEntry
from crawler.state.stories import Evidence, Member, Settlement


def test_open_state_urls(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    relative = open_state("sqlite:///sub/state.sqlite")
    assert (tmp_path / "sub" / "state.sqlite").exists()
    relative.close()
    absolute = open_state(f"sqlite:///{tmp_path}/abs.sqlite")
    assert (tmp_path / "abs.sqlite").exists()
    absolute.close()
    default = open_state("sqlite:///")
    assert (tmp_path / "state" / "newsfold.sqlite").exists()
    default.close()
    with pytest.raises(StateError, match="unsupported"):
        open_state("mysql://x")


def test_a_new_state_is_created_only_when_asked_and_says_so(tmp_path, redis_server, caplog):
    caplog.set_level(logging.INFO, logger="crawler")
    path = tmp_path / "new" / "dir" / "s.sqlite"
    redis_url = f"{redis_server.url}?prefix=fresh"
    for url in (f"sqlite:///{path}", redis_url):
        with pytest.raises(StateMissing, match=r"no state .*a crawl creates it"):
            open_state(url, create=False)
    assert not (tmp_path / "new").exists() and redis_server.client().dbsize() == 0
    open_state(f"sqlite:///{path}").close()
    open_state(redis_url).close()
    assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("New state")] == [
        f"New state: created {path} (no earlier runs; every page is new), in the new directory "
        f"{tmp_path / 'new'}",
        f"New state: created {redis_server.url} (prefix 'fresh') (no earlier runs; every page is "
        "new)",
    ]
    caplog.clear()
    for url in (f"sqlite:///{path}", redis_url):  # a state that exists: nothing to say
        open_state(url, create=False).close()
        open_state(url).close()
    assert not [r for r in caplog.records if r.getMessage().startswith("New state")]


def test_a_state_path_that_cannot_be_made_is_a_state_error(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(StateError, match="cannot create state"):
        open_state(f"sqlite:///{tmp_path}/file/s.sqlite")


def test_index_candidates_and_records_survive_reopening(state_url):
    store = open_state(state_url)
    with store.transaction():
        store.record({"id": "a", "kind": "article", "url": "http://x.test/a", "text": "Text é"})
    assert store.claim("a", [1, 2, 3], np.array([5, 6, 7], dtype=np.uint32)).candidates == []
    b_seq, b_candidates, _ = store.claim("b", [3, 4], np.array([8], dtype=np.uint32))
    c_seq, c_candidates, _ = store.claim("c", [3, 1, 9], np.array([9], dtype=np.uint32))
    assert [doc for doc, _ in b_candidates] == ["a"]
    assert [doc for doc, _ in c_candidates] == ["a", "b"]  # most shared bands first
    assert all(seq < c_seq for _, seq in c_candidates) and b_seq < c_seq
    store.close()
    store = open_state(state_url)
    d_candidates = store.claim("d", [9], np.array([1], dtype=np.uint32)).candidates
    assert [doc for doc, _ in d_candidates] == ["c"]
    assert store.claim("e", [42], np.array([1], dtype=np.uint32)).candidates == []
    shingles, document = store.shingles(["a", "zzz"]), store.document("a")
    assert shingles["a"].tolist() == [5, 6, 7] and "zzz" not in shingles
    assert document is not None and document["kind"] == "article"
    assert document["text"] == "Text é" and document["title"] is None
    assert store.document("zzz") is None
    store.close()


def entry(doc: str, published: str | None = None) -> PageEntry:
    """A page's fields and profile as the collapse keeps them."""
    fields: dict[str, Any] = {
        "id": doc,
        "url": f"http://x.test/{doc}",
        "canonical_url": f"http://x.test/{doc}",
        "site": "x.test",
        "title": f"T {doc}",
        "published": published,
        "text": f"text of {doc}",
        "credits": [],
        "fetched_at": "2026-11-28T10:00:00+00:00",
    }
    return PageEntry.of(doc, fields, 1, "earliest published" if published else "")


def join_plan(store, doc: str, matched: list[str], article: str, changed: list[str]):
    """A plan joining `doc` to the stories of `matched`, as the collapse would make it."""
    snapshot = store.snapshot(matched)
    stories = sorted(snapshot.stories.values(), key=lambda story: story.seq)
    return Settlement(
        doc,
        {story.cluster: story.version for story in stories},
        stories[0].cluster,
        article,
        "most complete text",
        Evidence(matched[0], 0.8, 0.9, "jaccard"),
        {d: Evidence(doc, 0.7, 0.95, "containment") for d in matched if d != article},
        changed,
        "run-1",
    )


def test_settle_founds_joins_and_merges_stories(store):
    for doc, bands in (("a", [1]), ("b", [2])):  # nothing before them: decided at once
        known = store.claim(doc, bands, np.array([1], dtype=np.uint32), entry(doc), "run-1")
        assert known.known == Member(doc, doc, "article")
    claim = store.claim("c", [1, 2, 3], np.array([1], dtype=np.uint32), entry("c"), "run-1")
    assert claim.known is None and sorted(doc for doc, _ in claim.candidates) == ["a", "b"]
    snapshot = store.snapshot(["a", "b"])
    assert snapshot.clusters == {"a": "a", "b": "b"} and snapshot.pending == []
    assert [p.profile.doc for p in snapshot.stories["a"].pages] == ["a"]
    assert snapshot.stories["a"].article == "a" and snapshot.shingles["b"].tolist() == [1]
    plan = join_plan(store, "c", ["b", "a"], "c", ["c", "a", "b"])
    joined = store.settle(plan)
    assert joined == Member("c", "a", "article", 0.8, 0.9, "jaccard")  # "a" founded first
    assert store.settle(plan) == joined  # decided once
    again = store.claim("c", [7], np.array([2], dtype=np.uint32), entry("c"), "run-1")
    assert again.known == joined and store.shingles(["c"])["c"].tolist() == [1]  # not redone
    assert store.clusters_of(["a", "b", "c", "zzz"]) == {"a": "a", "b": "a", "c": "a"}
    assert store.member("b") == Member("b", "a", "copy", 0.7, 0.95, "containment")
    assert store.member("zzz") is None and store.kept("a") == "c"
    assert store.outbox() == ["a", "b", "c"] and store.outbox(["run-1"]) == []
    rows = list(store.cluster_rows(2))
    assert [(r["cluster"], r["id"], r["relation"], r["why"]) for r in rows] == [
        ("a", "a", "copy", "most complete text"),
        ("a", "b", "copy", "most complete text"),
        ("a", "c", "article", "most complete text"),
    ]
    assert rows[2]["url"] == "http://x.test/c" and rows[2]["kept"] == "c"
    assert len(list(store.cluster_rows(4))) == 0


def test_a_story_changed_since_it_was_read_is_decided_again(store):
    for doc in ("a", "b", "c"):
        store.claim(doc, [1] if doc == "a" else [1, 2], np.array([1], dtype=np.uint32), entry(doc))
    stale = join_plan(store, "c", ["a"], "a", ["c"])
    assert store.settle(join_plan(store, "b", ["a"], "a", ["b"])) == Member(
        "b", "a", "copy", 0.8, 0.9, "jaccard"
    )
    if isinstance(store, SQLiteState):  # read and written in one transaction: never stale
        return
    assert store.settle(stale) is None  # "a" gained a page since the plan was made
    assert store.member("c") is None
    assert store.settle(join_plan(store, "c", ["a"], "a", ["c"])) is not None


def test_a_page_claimed_but_not_decided_is_pending(store):
    for doc in ("z", "a"):  # "a" has a candidate, so waits to be settled
        store.claim(doc, [1], np.array([1], dtype=np.uint32), entry(doc))
    snapshot = store.snapshot(["a", "z"])
    assert snapshot.clusters == {"z": "z"} and snapshot.shingles["a"].tolist() == [1]
    # SQLite decides a page in the transaction that claims it: no other process waits.
    assert snapshot.pending == ([] if isinstance(store, SQLiteState) else ["a"])


def test_emit_commits_each_new_record_once_with_a_higher_revision(store):
    store.claim("a", [1], np.array([1], dtype=np.uint32), entry("a", "2024-03-02"), "run-1")
    assert store.emit("a", "run-1", again=True) is None  # its first record is its fetch's
    assert store.outbox() == ["a"]
    with store.transaction():
        first = store.emit("a", "run-1", urls=["http://x.test/a?ref=feed"], at=5.0, own=True)
    assert first is not None and first.fields is None  # the caller has them
    assert first.placement == Placement("article", "a", why="earliest published", revision=1)
    assert store.seen("http://x.test/a?ref=feed") == (5.0, "run-1")
    assert store.emit("a", "run-1") is None and store.outbox() == []  # nothing new
    store.claim("b", [1], np.array([1], dtype=np.uint32), entry("b", "2024-03-01"), "run-1")
    store.settle(join_plan(store, "b", ["a"], "b", ["b", "a"]))
    assert store.outbox() == ["a", "b"]
    with store.transaction():
        demoted = store.emit("a", "run-2", again=True)
    assert demoted is not None and demoted.fields is not None
    assert demoted.fields["url"] == "http://x.test/a"
    assert demoted.placement == Placement("copy", "a", "b", 0.7, 0.95, "containment", revision=2)
    assert store.outbox() == ["b"] and store.document("a")["run"] == "run-2"
    with store.transaction():
        assert store.undeliver("run-2", {"a": 1}) == 1  # only revision 1 reached the output
    assert store.outbox() == ["a", "b"]
    with store.transaction():
        redone = store.emit("a", "run-3")
    assert redone is not None and redone.placement.revision == 3
    assert store.seen("http://x.test/a?ref=feed") is not None  # not fetched again


def test_emit_without_a_story_writes_the_page_as_its_own_article(store):
    """Duplicate collapse off: the page's fields come with the record."""
    with store.transaction():
        written = store.emit("a", "run-1", entry("a"), own=True)
    assert written is not None and written.placement == Placement("article", "a")
    assert store.page("a") is not None and store.page("a")["url"] == "http://x.test/a"
    assert store.emit("zzz", "run-1") is None  # nothing kept to write


def test_a_failed_transaction_leaves_nothing(store):
    with pytest.raises(RuntimeError), store.transaction():
        store.record({"id": "a", "kind": "article", "url": "u"})
        store.mark_seen("http://x.test/a", "a", "r", at=1.0)
        raise RuntimeError("crash in the middle of a write")
    assert store.document("a") is None and store.seen("http://x.test/a") is None


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateError, match="cannot open state"):
        SQLiteState(path)


def test_a_redis_that_is_not_there_is_a_clear_error(redis_server, monkeypatch):
    monkeypatch.setattr(redisconn, "_outage", Outage(retry_for=0.5))  # this test's own wait
    redis_server.stop()
    with pytest.raises(StateError, match="cannot open state"):
        open_state(redis_server.url)


def test_a_backend_says_whether_and_how_its_server_is_reached(state_url, monkeypatch):
    """What the outage extension asks (`crawler.extensions.outage`): a file cannot go out
    of reach; a server is asked for an answer, and one that gives none is the error that
    opening the state gives."""
    reach = backend_for(state_url).reach(state_url)
    if state_url.startswith("sqlite"):
        assert reach is None
        return
    assert reach is not None
    reach.probe()
    assert reach.outage is redisconn.process_outage()
    monkeypatch.setattr(redisconn, "_outage", Outage(retry_for=0.2))  # this test's own wait
    down = "redis://127.0.0.1:9/0?prefix=p"
    unreachable = backend_for(down).reach(down)
    assert unreachable is not None
    with pytest.raises(StateError) as probed:
        unreachable.probe()
    with pytest.raises(StateError) as opened:
        open_state(down)
    assert str(probed.value) == str(opened.value)
    assert str(probed.value).startswith(
        "cannot open state on redis://127.0.0.1:9/0 (prefix 'p'): unreachable for "
        "REDIS_RETRY_FOR=0.2 s"
    )


def test_seen_urls_are_marked_and_found(store):
    with store.transaction():
        store.mark_seen("http://x.test/old", "old", "run-1", at=100.0)
        store.mark_seen("http://x.test/new", None, "run-2", at=200.0)
    assert store.seen("http://x.test/old") == (100.0, "run-1")
    assert store.seen("http://x.test/new") == (200.0, "run-2")
    assert store.seen("http://x.test/other") is None


def test_seen_urls_expire(tmp_path, redis_server):
    """SQLite deletes old marks when asked; on Redis each mark expires by itself."""
    sqlite = SQLiteState(tmp_path / "s.sqlite")
    with sqlite.transaction():
        sqlite.mark_seen("http://x.test/old", "old", "run-1", at=100.0, ttl=50)
        sqlite.mark_seen("http://x.test/new", None, "run-2", at=200.0, ttl=50)
        assert sqlite.expire_seen(before=150.0) == 1
    assert sqlite.seen("http://x.test/old") is None
    assert sqlite.seen("http://x.test/new") == (200.0, "run-2")
    sqlite.close()

    import time

    store = open_state(redis_server.url)
    now = time.time()
    with store.transaction():
        store.mark_seen("http://x.test/old", "old", "run-1", at=now - 100, ttl=50)
        store.mark_seen("http://x.test/new", None, "run-2", at=now, ttl=3600)
        store.mark_seen("http://x.test/kept", None, "run-2", at=now)
    assert store.seen("http://x.test/old") is None
    assert store.seen("http://x.test/new") == (now, "run-2")
    client = redis_server.client()
    ttls = sorted(client.pttl(key) for key in client.scan_iter("newsfold:u:*"))
    assert ttls[0] == -1  # no ttl given: kept
    assert 3_500_000 < ttls[1] <= 3_600_000
    store.close()


def test_discovered_sources_are_kept_replaced_and_reopened(state_url):
    store = open_state(state_url)
    assert store.discovered("news.test") is None
    store.keep_discovered("news.test", {"feeds": ["http://news.test/rss"]}, at=100.0)
    store.keep_discovered("news.test", {"feeds": [], "sitemaps": ["http://news.test/s"]}, at=200.0)
    store.keep_discovered("other.test", {"feeds": []}, at=150.0)
    store.close()
    store = open_state(state_url)
    assert store.discovered("news.test") == (
        200.0,
        {"feeds": [], "sitemaps": ["http://news.test/s"]},
    )
    assert store.discovered("other.test") == (150.0, {"feeds": []})
    store.close()


def test_undeliver_forgets_only_the_records_a_run_did_not_write(store):
    with store.transaction():
        for doc in ("a", "b", "c"):
            store.record({"id": doc, "kind": "article", "url": doc, "digest": "d", "run": "r1"})
            store.mark_seen(f"http://x.test/{doc}", doc, "r1", at=1.0)
        store.record({"id": "z", "kind": "article", "url": "z", "digest": "d", "run": "r0"})
        assert store.undeliver("r1", delivered={"a": 0}) == 2
    assert store.seen("http://x.test/a") is not None
    assert store.seen("http://x.test/b") is None
    b, z = store.document("b"), store.document("z")
    assert b is not None and b["digest"] is None and b["run"] is None
    assert z is not None and z["digest"] == "d"


def test_runs_are_registered_and_updated(store):
    with store.transaction():
        store.begin_run({"id": "r1", "pid": 1, "spider": "feeds", "status": "running"})
        store.update_run("r1", status="finished", ended="later")
        store.begin_run({"id": "r2", "pid": 2, "spider": "feeds", "status": "running"})
    assert [run["id"] for run in store.runs(status="running")] == ["r2"]
    run = store.runs()[0]
    assert run["status"] == "finished" and run["ended"] == "later" and run["files"] == "[]"
    assert run["pid"] == 1 and run["host"]  # this machine, so repair can tell hosts apart


def test_site_blocks_count_each_page_once(store):
    with store.transaction():
        assert store.count_blocks("x.test", "a", [1, 2], cap=3) == {}
        assert store.count_blocks("x.test", "a", [2], cap=3) == {}  # the same page again
        assert store.count_blocks("x.test", "b", [2], cap=3) == {2: 1}
        assert store.count_blocks("y.test", "a", [2], cap=3) == {}
    assert store.count_blocks("x.test", "c", [1, 2, 3], cap=3) == {1: 1, 2: 2}
    assert store.count_blocks("x.test", "d", [2], cap=3) == {2: 3}
    assert store.count_blocks("x.test", "e", [2], cap=3) == {2: 3}  # cap pages remembered
    assert store.count_blocks("x.test", "a", [2], cap=3) == {2: 2}
    assert store.count_blocks("x.test", "a", [], cap=3) == {}


def test_site_blocks_of_a_copy_count_as_its_story(store):
    with store.transaction():
        for page in ("a", "b", "c"):
            store.count_blocks("x.test", page, [1, 2], cap=5)
        store.retag_blocks("x.test", [1, 2, 3], "b", "a")
    assert store.count_blocks("x.test", "d", [1, 2], cap=5) == {1: 2, 2: 2}
    store.retag_blocks("x.test", [1], "c", "z")  # a story with no page of this site
    store.retag_blocks("x.test", [1], "nobody", "a")
    store.retag_blocks("x.test", [], "c", "z")
    assert store.count_blocks("x.test", "e", [1, 2], cap=5) == {1: 3, 2: 3}
    assert store.count_blocks("x.test", "a", [1], cap=5) == {1: 3}


def test_site_block_counts_of_an_earlier_version_are_kept(state_url, tmp_path):
    """Before tags, a block kept a bare count of cleanings; it still counts, as other pages."""
    if state_url.startswith("sqlite"):
        import sqlite3

        old = sqlite3.connect(tmp_path / "state.sqlite")
        old.execute(
            "CREATE TABLE site_blocks (site TEXT NOT NULL, key INTEGER NOT NULL, "
            "pages INTEGER NOT NULL, PRIMARY KEY (site, key)) WITHOUT ROWID"
        )
        old.execute("INSERT INTO site_blocks VALUES ('x.test', 1, 2)")
        old.commit()
        old.close()
    else:
        import redis

        redis.Redis.from_url(state_url).hset("newsfold:sb:x.test", "1", 2)
    store = open_state(state_url)
    assert store.count_blocks("x.test", "a", [1, 2], cap=3) == {1: 2}
    assert store.count_blocks("x.test", "a", [1], cap=3) == {1: 2}
    assert store.count_blocks("x.test", "b", [1], cap=3) == {1: 3}
    store.close()


def test_the_index_remembers_its_parameters(state_url):
    store = open_state(state_url)
    store.check_params({"num_perm": 128})
    store.check_params({"num_perm": 128})
    with pytest.raises(StateError, match="built with"):
        store.check_params({"num_perm": 64})
    store.close()


def test_the_lock_is_held_until_close(tmp_path):
    first = SQLiteState(tmp_path / "s.sqlite")
    first.lock(wait=0)
    second = SQLiteState(tmp_path / "s.sqlite")
    with pytest.raises(StateLocked, match="another run holds"):
        second.lock(wait=0.3)
    first.close()
    second.lock(wait=0)
    second.close()


def test_redis_workers_share_the_state_without_a_lock(redis_server):
    first, second = open_state(redis_server.url), open_state(redis_server.url)
    first.lock(wait=0)
    second.lock(wait=0)
    first.claim("a", [1], np.array([1], dtype=np.uint32))
    found = second.claim("b", [1], np.array([1], dtype=np.uint32)).candidates
    assert [doc for doc, _ in found] == ["a"]
    other = open_state(redis_server.url + "?prefix=other")
    assert other.claim("c", [1], np.array([1], dtype=np.uint32)).candidates == []
    for store in (first, second, other):
        store.close()


def test_a_transaction_sent_across_a_redis_restart_keeps_its_writes(durable_redis, monkeypatch):
    """A restarted Redis has forgotten its scripts; the retried transaction still writes."""
    monkeypatch.setattr(redisconn, "_outage", Outage(retry_for=30))  # this test's own wait
    server = durable_redis
    store = open_state(server.url)
    send = Pipeline._execute_transaction
    restart = threading.Timer(0.5, server.start)

    def restart_first(pipeline: Pipeline, *args: Any) -> Any:
        if restart.ident is None:  # the first send only
            server.stop()  # Redis goes away just before the EXEC is sent
            restart.start()
        return send(pipeline, *args)

    try:
        with monkeypatch.context() as patched, store.transaction():
            patched.setattr(Pipeline, "_execute_transaction", restart_first)
            store.record({"id": "a", "kind": "article", "url": "http://x.test/a", "text": "T"})
            store.mark_seen("http://x.test/a", "a", "r", at=1.0)
        assert restart.finished.is_set(), "the transaction was sent across a restart"
        document = store.document("a")
        assert document is not None and document["text"] == "T"
        assert store.seen("http://x.test/a") == (1.0, "r")
    finally:
        if restart.ident is not None:
            restart.join()
        store.close()


def test_a_state_of_an_earlier_version_is_read_and_its_stories_set_right(state_url, tmp_path):
    """Before pages were kept whole: a story kept its first page as its article, a page
    it absorbed said it was an article too, and rows held what the records said."""
    rows = {
        "a": {"kind": "article", "text": "text of a", "published": "2024-03-01"},
        "b": {"kind": "article", "text": "text of b", "published": "2024-03-02"},
        "c": {"kind": "copy", "published": "2024-02-01"},
    }
    if state_url.startswith("sqlite"):
        import sqlite3

        old = sqlite3.connect(tmp_path / "state.sqlite")
        old.executescript(
            "CREATE TABLE clusters (id TEXT PRIMARY KEY, kept TEXT NOT NULL, seq INTEGER);"
            "CREATE TABLE members (doc TEXT PRIMARY KEY, cluster TEXT NOT NULL, relation TEXT "
            "NOT NULL, similarity REAL, containment REAL, method TEXT);"
            "INSERT INTO clusters VALUES ('a', 'a', 1);"
            "INSERT INTO members VALUES ('a', 'a', 'kept', NULL, NULL, NULL), "
            "('b', 'a', 'article', NULL, NULL, NULL), ('c', 'a', 'copy', 0.9, 0.9, 'jaccard');"
        )
        old.commit()
        old.close()
    else:
        import redis

        client = redis.Redis.from_url(state_url)
        client.hset("newsfold:meta", mapping={"seq": 3, "buckets": 1 << 16})
        client.zadd("newsfold:clusters", {"a": 1})
        client.sadd("newsfold:c:a", "a", "b", "c")
        for n, (doc, relation) in enumerate((("a", "kept"), ("b", "article"), ("c", "copy"))):
            client.hset(f"newsfold:d:{doc}", mapping={"seq": n + 1, "cluster": "a"})
            client.hset(f"newsfold:d:{doc}", "relation", relation)
            client.set(f"newsfold:s:{doc}", np.array([1, 2], dtype="<u4").tobytes())
        client.hset("newsfold:d:c", mapping={"similarity": 0.9, "containment": 0.9})
        client.hset("newsfold:d:c", "method", "jaccard")
    store = open_state(state_url)
    with store.transaction():
        for doc, row in rows.items():
            store.record({"id": doc, "url": f"http://x.test/{doc}", "digest": "old", **row})
    assert store.outbox() == ["b"]  # written as an article, now a copy of "a"
    assert store.member("b") == Member("b", "a", "copy")
    with store.transaction():
        again = store.emit("b", "run-1")
    assert again is not None and again.placement.kind == "copy"
    assert again.placement.revision == 1 and again.fields is not None
    assert again.fields["text"] == "text of b"
    story = store.snapshot(["a"]).stories["a"]
    eligible = {page.profile.doc: page.profile.eligible for page in story.pages}
    assert eligible == {"a": True, "b": True, "c": False}  # a copy's text was not kept
    assert [p.profile.published for p in story.pages] == ["2024-03-01", "2024-03-02", "2024-02-01"]
    store.close()


def test_a_record_written_again_keeps_its_page_s_warc_place(store):
    """The state keeps the page's WARC place with its fields: a copy re-emitted when its
    story changes still points at its response record. The place is not what the page
    says: fetched again into another WARC record, the page is unchanged."""
    place = {"file": "warc/newsfold-run-1-00001.warc.gz", "offset": 4096}
    archived = entry("a", "2024-03-02")
    assert archived.blob is not None
    fields = {**unpack_page(archived.blob), "warc": place}
    assert page_digest(fields) == archived.digest
    archived = PageEntry.of("a", fields, 1, archived.why)
    store.claim("a", [1], np.array([1], dtype=np.uint32), archived, "run-1")
    with store.transaction():
        store.emit("a", "run-1", own=True)
    store.claim("b", [1], np.array([1], dtype=np.uint32), entry("b", "2024-03-01"), "run-1")
    store.settle(join_plan(store, "b", ["a"], "b", ["b", "a"]))
    with store.transaction():
        demoted = store.emit("a", "run-2", again=True)
    assert demoted is not None and demoted.fields is not None
    record = build_record(demoted.fields, demoted.placement)
    assert isinstance(record, Copy) and record.warc == place
