"""Crash safety: kill -9 a crawl at any moment, run again, and nothing is lost or doubled.

Each scenario kills one or more real crawls sharing a state (at set times, or exactly
between a record's commit and its write, or while the output files are being closed),
then lets a last run finish. The union of every output file must hold each page's record
exactly once, every copy must point at an article that was written, and the state must
be intact.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from crawler.state import open_state
from tests.conftest import (
    article_page,
    crawl_command,
    fold,
    prose,
    read_jsonl,
    run_crawl,
    story_web,
)

STORIES, COPIES = 24, 8
ARGS = {"feeds": "http://news.test/feed.xml,http://mirror.test/feed.xml"}
SLOW = {"DOWNLOAD_DELAY": "0.15", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
SCENARIOS: dict[str, list[dict[str, str | float]]] = {
    "timed kills": [{"after": 1.0}, {"after": 2.5}, {"after": 4.0}],
    "between commit and write": [{"KILL_AFTER_RECORDS": "5"}, {"KILL_AFTER_RECORDS": "9"}],
    "while closing": [{"KILL_WHEN_CLOSING": "True"}],
}


def _run_killed(workdir: Path, proxy: str, plan: dict[str, str | float]) -> bool:
    """One crawl killed as the plan says; True when it was killed before it finished."""
    settings = {**SLOW, **{k: str(v) for k, v in plan.items() if k != "after"}}
    settings["ITEM_PIPELINES"] = json.dumps({"tests.killer.KillAfterRecords": 450})
    settings["EXTENSIONS"] = json.dumps({"tests.killer.KillWhenClosing": 0})
    command, env = crawl_command(
        "feeds", workdir, args=ARGS, settings=settings, proxy=proxy, output=None
    )
    process = subprocess.Popen(command, cwd=workdir, env=env, stderr=subprocess.DEVNULL)
    if "after" in plan:
        try:
            process.wait(timeout=float(plan["after"]))
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
    return process.wait(timeout=120) == -signal.SIGKILL


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_killed_runs_lose_nothing_and_write_nothing_twice(scenario, make_web, tmp_path):
    server = make_web(story_web(STORIES, COPIES))
    workdir = tmp_path / "run"
    killed = sum(_run_killed(workdir, server.address, plan) for plan in SCENARIOS[scenario])
    assert killed >= 1

    last = run_crawl("feeds", workdir, args=ARGS, proxy=server.address, output=None)
    assert last.returncode == 0, last.log

    output = workdir / "output"
    assert not list(output.glob("*.part")), "every file is complete and under its final name"
    records = [r for path in sorted(output.glob("*.jsonl")) for r in read_jsonl(path)]
    revisions = [(r["id"], r["revision"]) for r in records]
    duplicated = len(revisions) - len(set(revisions))
    urls = {r["url"] for r in records}
    expected = {f"http://news.test/story-{n}.html" for n in range(STORIES)} | {
        f"http://mirror.test/copy-{n}.html" for n in range(COPIES)
    }
    log = (workdir / "crawl.log").read_text()
    redone = sum(int(n) for n in re.findall(r"; (\d+) records it did not write", log))
    print(
        f"{scenario}: runs killed {killed}, records expected {len(expected)}, "
        f"found {len(urls & expected)}, duplicated {duplicated}, "
        f"committed but unwritten then redone {redone}"
    )
    if scenario == "between commit and write":
        # At least the record each kill interrupted; pages processed at once can add more.
        assert redone >= killed
    assert duplicated == 0
    assert urls == expected
    current = fold(records)
    articles = {r["id"] for r in current if r["duplicate_of"] is None}
    copies = [r for r in current if r["duplicate_of"] is not None]
    assert len(articles) == STORIES and len(copies) == COPIES
    assert all(copy["duplicate_of"] in articles for copy in copies)

    db = sqlite3.connect(workdir / "state.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    statuses = [row[0] for row in db.execute("SELECT status FROM runs ORDER BY id")]
    # A run killed before it registered (a slow start) leaves nothing to repair.
    assert "running" not in statuses and statuses[-1] == "finished"
    assert 1 <= statuses.count("killed") <= killed
    manifest = json.loads(max(output.glob("manifest-*.json")).read_text())
    assert manifest["exit_code"] == 0


@pytest.mark.parametrize("kill_at", [1, 2])
def test_a_kill_between_a_new_article_and_its_story_s_copies_loses_nothing(
    kill_at, make_web, tmp_path, state_url
):
    """The original arrives in a later run: its record, then the former article re-emitted
    as its copy. Killed after the first (1) or the second (2) record is committed and
    before it is written, the next run writes what is missing, from the state: the pages
    are not fetched again (they may have left their feeds), and nothing is written twice.
    On SQLite and on Redis (one worker, with its own frontier)."""
    body = prose(77, paragraphs=8)
    server = make_web(
        {
            "reprint.test/story.html": article_page(
                "Reprinted", ["Source: Wire", *body], "2024-03-02T08:00:00+00:00", site_name="R"
            ),
            "wire.test/story.html": article_page(
                "Original", body, "2024-03-01T08:00:00+00:00", site_name="Wire"
            ),
            "other.test/news.html": article_page("Other", prose(78), "2024-03-03T08:00:00+00:00"),
        }
    )
    workdir = tmp_path / "run"

    def crawl(page: str, **settings: str) -> int:
        settings = {"STATE_URL": state_url, "FRONTIER_URL": "local", **settings}
        command, env = crawl_command(
            "urls",
            workdir,
            args={"urls": page},
            settings=settings,
            proxy=server.address,
            output=None,
        )
        return subprocess.run(command, cwd=workdir, env=env, timeout=120).returncode

    assert crawl("http://reprint.test/story.html") == 0
    killed = crawl(
        "http://wire.test/story.html",
        ITEM_PIPELINES=json.dumps({"tests.killer.KillAfterRecords": 450}),
        KILL_AFTER_RECORDS=str(kill_at),
    )
    assert killed == -signal.SIGKILL
    assert crawl("http://other.test/news.html") == 0

    log = (workdir / "crawl.log").read_text()
    assert "1 records it did not write will be written again" in log
    records = [r for path in sorted(workdir.glob("output/*.jsonl")) for r in read_jsonl(path)]
    revisions = [(r["id"], r["revision"]) for r in records]
    assert len(revisions) == len(set(revisions)), "a record written twice"
    current = {r["url"]: r for r in fold(records)}
    original = current["http://wire.test/story.html"]
    reprint = current["http://reprint.test/story.html"]
    assert original["kind"] == "article" and original["why"] == "credited by other pages"
    assert reprint["kind"] == "copy" and reprint["duplicate_of"] == original["id"]
    # Its first record said it was the article; a revision lost in the kill is not reused.
    assert reprint["revision"] == kill_at + 1
    assert current["http://other.test/news.html"]["kind"] == "article"
    # The last run fetched other.test only, and wrote what the killed run did not.
    stats = json.loads((workdir / "stats.json").read_text())
    assert stats["newsfold/articles"] == 1 and stats["downloader/response_count"] == 2
    assert stats.get("newsfold/rewritten/articles", 0) == (1 if kill_at == 1 else 0)
    assert stats["newsfold/rewritten/copies"] == 1
    store = open_state(state_url)
    assert store.outbox() == []
    store.close()


def test_a_killed_crawl_leaves_no_extraction_processes_behind(make_web, tmp_path):
    server = make_web(story_web(STORIES, COPIES))
    workdir = tmp_path / "run"
    settings = {**SLOW, "EXTRACT_WORKERS": "2"}
    command, env = crawl_command(
        "feeds", workdir, args=ARGS, settings=settings, proxy=server.address, output=None
    )
    crawl = subprocess.Popen(command, cwd=workdir, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (pool := _descendants(crawl.pid)):
        assert time.monotonic() < deadline and crawl.poll() is None
        time.sleep(0.1)
    time.sleep(0.5)  # let the pool's workers start too
    pool = _descendants(crawl.pid)
    os.kill(crawl.pid, signal.SIGKILL)
    crawl.wait()
    deadline = time.monotonic() + 10
    while alive := [pid for pid in pool if Path(f"/proc/{pid}").exists()]:
        assert time.monotonic() < deadline, f"left behind: {alive}"
        time.sleep(0.2)


def _descendants(pid: int) -> list[int]:
    """Every process below `pid` (the forkserver and the workers it forked)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def test_no_flag_and_no_kill_during_the_repair_loses_or_doubles_a_record(make_web, tmp_path):
    """A killed run's half-written `-o` file, then `-O` on it, then kills in the middle of
    the repair itself: the file ends with every page once."""
    server = make_web(story_web(STORIES, COPIES))
    workdir = tmp_path / "run"

    def run(feeds: str, flag: str = "-o", **settings: str) -> int:
        settings["ITEM_PIPELINES"] = json.dumps({"tests.killer.KillAfterRecords": 450})
        settings["EXTENSIONS"] = json.dumps({"tests.killer.KillDuringRepair": -1})
        command, env = crawl_command(
            "feeds", workdir, args={"feeds": feeds}, settings={**SLOW, **settings}, output=None
        )
        env["http_proxy"] = server.address
        done = subprocess.run([*command, flag, "out.jsonl"], cwd=workdir, env=env)
        return done.returncode

    assert run("http://mirror.test/feed.xml") == 0
    assert run(ARGS["feeds"], KILL_AFTER_RECORDS="4") == -signal.SIGKILL
    assert run(ARGS["feeds"], flag="-O") == 3  # would overwrite records: refused
    assert run(ARGS["feeds"], KILL_DURING_REPAIR="publish") == -signal.SIGKILL
    assert run(ARGS["feeds"], KILL_DURING_REPAIR="state") == -signal.SIGKILL
    assert run(ARGS["feeds"]) == 0

    records = read_jsonl(workdir / "out.jsonl")
    written = [(r["id"], r["revision"]) for r in records]
    urls = [r["url"] for r in fold(records)]
    expected = {f"http://news.test/story-{n}.html" for n in range(STORIES)} | {
        f"http://mirror.test/copy-{n}.html" for n in range(COPIES)
    }
    assert len(written) == len(set(written)), "a record written twice"
    assert len(urls) == len(set(urls)) and set(urls) == expected
    assert not list(workdir.glob("*.part")) and not list(workdir.glob("*.joining"))
