import numpy as np
import pytest

from crawler.state import SQLiteState, StateError, StateLocked, open_state


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


def test_index_candidates_and_records_survive_reopening(tmp_path):
    store = SQLiteState(tmp_path / "s.sqlite")
    with store.transaction():
        store.index("a", [1, 2, 3], np.array([5, 6, 7], dtype=np.uint32))
        store.index("b", [3, 4], np.array([8], dtype=np.uint32))
        store.record({"id": "a", "kind": "article", "url": "http://x.test/a"})
    store.close()
    store = SQLiteState(tmp_path / "s.sqlite")
    assert store.candidates([3, 1]) == ["a", "b"]
    assert store.candidates([9]) == []
    shingles, document = store.shingles("a"), store.document("a")
    assert shingles is not None and shingles.tolist() == [5, 6, 7]
    assert store.shingles("zzz") is None
    assert document is not None and document["kind"] == "article"
    store.close()


def test_a_failed_transaction_leaves_nothing(tmp_path):
    store = SQLiteState(tmp_path / "s.sqlite")
    with pytest.raises(RuntimeError), store.transaction():
        store.index("a", [1], np.array([5], dtype=np.uint32))
        raise RuntimeError("crash in the middle of a decision")
    assert store.candidates([1]) == []
    store.close()


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateError, match="cannot open state"):
        SQLiteState(path)


def test_seen_urls_are_marked_found_and_expire(tmp_path):
    store = SQLiteState(tmp_path / "s.sqlite")
    with store.transaction():
        store.mark_seen("http://x.test/old", "old", "run-1", at=100.0)
        store.mark_seen("http://x.test/new", None, "run-2", at=200.0)
    assert store.seen("http://x.test/old") == (100.0, "run-1")
    assert store.seen("http://x.test/other") is None
    with store.transaction():
        assert store.expire_seen(before=150.0) == 1
    assert store.seen("http://x.test/old") is None
    assert store.seen("http://x.test/new") == (200.0, "run-2")
    store.close()


def test_undeliver_forgets_only_the_records_a_run_did_not_write(tmp_path):
    store = SQLiteState(tmp_path / "s.sqlite")
    with store.transaction():
        for doc in ("a", "b", "c"):
            store.record({"id": doc, "kind": "article", "url": doc, "digest": "d", "run": "r1"})
            store.mark_seen(f"http://x.test/{doc}", doc, "r1", at=1.0)
        store.record({"id": "z", "kind": "article", "url": "z", "digest": "d", "run": "r0"})
        assert store.undeliver("r1", delivered={"a"}) == 2
    assert store.seen("http://x.test/a") is not None
    assert store.seen("http://x.test/b") is None
    b, z = store.document("b"), store.document("z")
    assert b is not None and b["digest"] is None and b["run"] is None
    assert z is not None and z["digest"] == "d"
    store.close()


def test_runs_are_registered_and_updated(tmp_path):
    store = SQLiteState(tmp_path / "s.sqlite")
    with store.transaction():
        store.begin_run({"id": "r1", "pid": 1, "spider": "feeds", "status": "running"})
        store.update_run("r1", status="finished", ended="later")
    assert store.runs(status="running") == []
    (run,) = store.runs()
    assert run["status"] == "finished" and run["ended"] == "later" and run["files"] == "[]"
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
