"""`crawler.runs`: unique run names, and the repair of what a killed run left behind."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from datetime import datetime

from crawler.runs import begin, complete_lines, part_path, publish, run_name
from crawler.state import open_state


def test_run_names_are_the_run_time_made_unique():
    moment = datetime(2026, 11, 28, 15, 30, 5, 123456)
    assert run_name(moment, set()) == "2026-11-28T15-30-05"
    taken = {"2026-11-28T15-30-05", "2026-11-28T15-30-05-2"}
    assert run_name(moment, taken) == "2026-11-28T15-30-05-3"


def test_complete_lines_stop_at_a_torn_line(tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_bytes(b'{"id": "a"}\n{"id": "b"}\n{"id": "c", "te')
    records, end = complete_lines(path)
    assert [r["id"] for r in records] == ["a", "b"]
    assert end == len(b'{"id": "a"}\n{"id": "b"}\n')


def test_publish_never_destroys_lines_already_there(tmp_path):
    final = tmp_path / "out.jsonl"
    part = part_path(final)
    part.write_text("first\n")
    publish(part, final)
    assert final.read_text() == "first\n" and not part.exists()
    part.write_text("new\n")
    publish(part, final)
    assert final.read_text() == "first\nnew\n" and not part.exists()


def test_publish_again_after_a_kill_adds_nothing_twice(tmp_path):
    final = tmp_path / "out.jsonl"
    final.write_text("old\nnew\n")  # joined; killed before the part was removed
    part = part_path(final)
    part.write_text("new\n")
    publish(part, final)
    assert final.read_text() == "old\nnew\n" and not part.exists()


def test_an_empty_part_leaves_no_file(tmp_path):
    final = tmp_path / "out.jsonl"
    part_path(final).write_bytes(b"")
    publish(part_path(final), final)
    assert not final.exists() and not part_path(final).exists()


def test_a_new_run_repairs_a_killed_one(tmp_path, state_url):
    store = open_state(state_url)
    killed = begin(store, "feeds", wait=0)
    final = tmp_path / "output" / f"articles-{killed.id}.jsonl"
    final.parent.mkdir()
    killed.add_file(str(final))
    with store.transaction():
        for doc in ("a", "b", "c"):
            store.record(
                {"id": doc, "kind": "article", "url": doc, "digest": "d", "run": killed.id}
            )
            store.mark_seen(f"http://x.test/{doc}", doc, killed.id, at=1.0)
    # "a" reached the file, "b" was being written when the process died, "c" never was.
    part_path(final).write_bytes(b'{"id": "a"}\n{"id": "b", "ti')
    store.close()  # as the kill would have released the lock

    store = open_state(state_url)
    current = begin(store, "feeds", wait=0)
    assert current.id != killed.id
    (report,) = current.repaired
    assert report == {
        "run": killed.id,
        "files": [{"path": str(final), "records": 1}],
        "warc_files": [],
        "written": 1,
        "redo": 2,
    }
    assert final.read_bytes() == b'{"id": "a"}\n' and not part_path(final).exists()
    assert store.seen("http://x.test/a") is not None
    assert store.seen("http://x.test/b") is None and store.seen("http://x.test/c") is None
    statuses = {run["id"]: run["status"] for run in store.runs()}
    assert statuses == {killed.id: "killed", current.id: "running"}
    assert json.loads(store.runs()[0]["files"])[0]["path"] == str(final)
    store.close()


def test_workers_sharing_a_state_repair_only_dead_runs_of_their_own_host(redis_server):
    store = open_state(redis_server.url)
    dead_pid = _exited_pid()
    runs = {
        "live-here": {"pid": os.getppid(), "host": socket.gethostname()},
        "elsewhere": {"pid": dead_pid, "host": "another-machine"},
        "dead-here": {"pid": dead_pid, "host": socket.gethostname()},
    }
    for name, run in runs.items():
        assert store.begin_run({"id": name, "status": "running", **run})
    assert not store.begin_run({"id": "dead-here", "status": "running"})  # ids are unique
    current = begin(store, "feeds", wait=0)
    assert [report["run"] for report in current.repaired] == ["dead-here"]
    statuses = {run["id"]: run["status"] for run in store.runs()}
    assert statuses["live-here"] == statuses["elsewhere"] == "running"
    assert statuses["dead-here"] == "killed"
    store.close()


def _exited_pid() -> int:
    """The pid of a child that has exited and been reaped."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid
