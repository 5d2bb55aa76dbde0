import numpy as np
import pytest

from crawler.state import SQLiteState, StateError, open_state


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
