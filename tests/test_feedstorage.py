"""`crawler.feedstorage`: a consumer never sees a half-written output file."""

from __future__ import annotations

import json

from crawler.feedstorage import AtomicFileFeedStorage
from crawler.runs import begin
from crawler.state import SQLiteState


def test_output_appears_under_its_name_only_when_complete(tmp_path):
    store = SQLiteState(tmp_path / "s.sqlite")
    run = begin(store, "feeds", wait=0)
    final = tmp_path / "output" / "articles.jsonl"
    storage = AtomicFileFeedStorage(str(final), run, feed_options={"overwrite": True})
    file = storage.open(spider=None)  # type: ignore[arg-type]
    file.write(b'{"id": "a"}\n')
    assert not final.exists()
    assert (tmp_path / "output" / "articles.jsonl.part").read_bytes() == b'{"id": "a"}\n'
    # Registered before the first byte, so a kill from here on can be repaired.
    assert json.loads(store.runs()[0]["files"]) == [{"path": str(final), "append": False}]
    storage.store(file)
    assert final.read_bytes() == b'{"id": "a"}\n'
    assert not (tmp_path / "output" / "articles.jsonl.part").exists()
    store.close()


def test_append_mode_adds_to_the_existing_file_at_once(tmp_path):
    store = SQLiteState(tmp_path / "s.sqlite")
    run = begin(store, "feeds", wait=0)
    final = tmp_path / "out.jsonl"
    final.write_bytes(b'{"id": "old"}\n')
    storage = AtomicFileFeedStorage(f"file://{final}", run, feed_options={"overwrite": False})
    file = storage.open(spider=None)  # type: ignore[arg-type]
    file.write(b'{"id": "new"}\n')
    assert final.read_bytes() == b'{"id": "old"}\n'
    storage.store(file)
    assert final.read_bytes() == b'{"id": "old"}\n{"id": "new"}\n'
    store.close()
