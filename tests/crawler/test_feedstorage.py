"""`crawler.feedstorage`: a consumer never sees a half-written output file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from crawler.exitcodes import FAILED_TO_START, OUTPUT_FAILED
from crawler.feedstorage import AtomicFileFeedStorage
from crawler.runs import begin
from crawler.state import SQLiteState
from tests.conftest import (
    article_page,
    crawl_command,
    fold,
    prose,
    read_jsonl,
    rss_feed,
    story_web,
)


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
    assert json.loads(store.runs()[0]["files"]) == [{"path": str(final)}]
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


# Whole runs: no record is lost to output that cannot be written, and no flag destroys
# records already written.

FEEDS = {"feeds": "http://news.test/feed.xml,http://mirror.test/feed.xml"}
STORIES, COPIES = 8, 2
PAGES = {f"http://news.test/story-{n}.html" for n in range(STORIES)} | {
    f"http://mirror.test/copy-{n}.html" for n in range(COPIES)
}


def _urls(*files: Path) -> list[str]:
    """The pages of the records in `files`, folded (each id's latest revision); no record
    (an id at a revision) may be there twice."""
    records = [r for path in files if path.exists() for r in read_jsonl(path)]
    written = [(r["id"], r["revision"]) for r in records]
    assert len(written) == len(set(written)), "a record written twice"
    return [r["url"] for r in fold(records)]


@pytest.mark.parametrize("where", ["/proc/newsfold.jsonl", "a-file.txt/out.jsonl"])
def test_output_that_cannot_be_written_is_refused_before_anything_is_fetched(
    where, make_web, crawl, tmp_path
):
    server = make_web(story_web(STORIES, COPIES))
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "a-file.txt").write_text("not a folder")
    refused = crawl("feeds", args=FEEDS, proxy=server.address, output=where)
    assert refused.returncode == FAILED_TO_START
    assert f"Failed to start (exit code 3): cannot write {where}" in refused.log
    assert "Traceback" not in refused.log
    assert "start_time" not in refused.stats  # the crawl never began
    # Nothing was marked seen: a run with output it can write finds every page.
    again = crawl("feeds", args=FEEDS, proxy=server.address, output="out.jsonl")
    assert again.returncode == 0, again.log
    assert sorted(_urls(tmp_path / "run" / "out.jsonl")) == sorted(PAGES)


def test_a_disk_that_fills_up_stops_the_run_and_the_next_run_writes_the_rest(
    make_web, crawl, tmp_path, state_url
):
    server = make_web(story_web(STORIES, COPIES))
    storage = "tests.full_disk.FullDiskStorage"
    full = crawl(
        "feeds",
        args=FEEDS,
        proxy=server.address,
        output="out.jsonl",
        settings={
            "STATE_URL": state_url,
            "FEED_STORAGES": json.dumps({"": storage, "file": storage}),
            "FULL_DISK_AFTER": "3",
            "CONCURRENT_REQUESTS": "1",
        },
    )
    assert full.returncode == OUTPUT_FAILED, full.log
    out = tmp_path / "run" / "out.jsonl"
    assert len(read_jsonl(out)) == 3  # the torn fourth line is cut off
    assert out.read_bytes().endswith(b"}\n")
    assert full.log.count("Cannot write") == 1 and "Traceback" not in full.log
    (path,) = (tmp_path / "run").glob("manifest-*.json")  # next to its output
    manifest = json.loads(path.read_text())
    assert manifest["exit_code"] == OUTPUT_FAILED
    assert manifest["finish_reason"] == "output_failed"
    (error,) = manifest["output_errors"]
    assert error["path"] == "out.jsonl" and "No space left on device" in error["error"]
    assert manifest["files"] == [{"path": "out.jsonl", "records": 3}]
    assert manifest["redo"] >= 1
    assert not list((tmp_path / "run").glob("*.part"))

    rest = crawl(
        "feeds",
        args=FEEDS,
        proxy=server.address,
        output="rest.jsonl",
        settings={"STATE_URL": state_url},
    )
    assert rest.returncode == 0, rest.log
    urls = _urls(out, tmp_path / "run" / "rest.jsonl")
    assert sorted(urls) == sorted(PAGES)  # every page once: none lost, none twice


def test_overwriting_records_is_refused_and_appending_keeps_them(make_web, crawl, tmp_path):
    server = make_web(story_web(STORIES, COPIES))
    root = tmp_path / "web0" / "news.test"
    first = crawl("feeds", args=FEEDS, proxy=server.address, output="out.jsonl")
    assert first.returncode == 0, first.log
    out = tmp_path / "run" / "out.jsonl"
    before = out.read_bytes()

    (root / "story-new.html").write_text(article_page("A brand new story", prose(99)))
    links = [f"http://news.test/story-{n}.html" for n in range(STORIES)]
    (root / "feed.xml").write_text(rss_feed([*links, "http://news.test/story-new.html"]))
    refused = crawl("feeds", args=FEEDS, proxy=server.address, output="out.jsonl")
    assert refused.returncode == FAILED_TO_START
    assert "Use -o out.jsonl to append" in refused.log and "Traceback" not in refused.log
    assert out.read_bytes() == before

    command, env = crawl_command("feeds", tmp_path / "run", args=FEEDS, output=None)
    appended = subprocess.run(
        [*command, "-o", "out.jsonl"],
        cwd=tmp_path / "run",
        env={**env, "http_proxy": server.address},
    )
    assert appended.returncode == 0
    assert out.read_bytes().startswith(before)
    assert sorted(_urls(out)) == sorted([*PAGES, "http://news.test/story-new.html"])

    # A run with nothing new leaves the file as it is and makes no empty one.
    quiet = crawl("feeds", args=FEEDS, proxy=server.address, output=None)
    assert quiet.returncode == 0 and quiet.files == {}
    assert sorted(_urls(out)) == sorted([*PAGES, "http://news.test/story-new.html"])
