"""Several crawler processes on one Redis: one frontier, one duplicate index, one result.

A generated syndication web of over 500 article pages (originals and their copies on
twelve sites, `bench/syndication_web.py`) is crawled from the sites' feeds by one process
with a SQLite state, and by two worker processes at once sharing `STATE_URL=redis://`.
The two workers must fetch every page exactly once between them, write every record
exactly once, and leave the same story clusters as the single process; and they must
do the same when Redis is restarted in the middle of the crawl. A Redis that stays
away for longer than `REDIS_RETRY_FOR` stops a worker with exit code 7, without losing
what it wrote: a later run writes the rest, and no record twice.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bench.syndication_web import SITES, Web, build_web
from tests.conftest import (
    SitesServer,
    crawl_command,
    fold,
    read_jsonl,
    run_crawl,
    validate_records,
)

FEEDS = {"feeds": ",".join(f"http://{site.host}/feed.xml" for site in SITES)}


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Web:
    built = build_web(tmp_path_factory.mktemp("web"), originals=230, seed=5, source=None)
    assert len(built.pages) >= 500
    return built


@pytest.fixture(scope="module")
def served(web: Web):
    server = SitesServer(web.root)
    yield server
    server.stop()


def clusters(workdir: Path, state_url: str) -> set[frozenset[str]]:
    """The story clusters in a state, as sets of page URLs (`scrapy clusters`)."""
    out = workdir / "clusters.jsonl"
    command = [sys.executable, "-m", "scrapy", "clusters", "--min-size", "1", "-o", str(out)]
    command += ["-s", f"STATE_URL={state_url}"]
    env = crawl_command("feeds", workdir)[1]
    subprocess.run(command, cwd=workdir, env=env, check=True, capture_output=True, timeout=120)
    return {frozenset(m["url"] for m in story["members"]) for story in read_jsonl(out)}


@pytest.fixture(scope="module")
def single(served: SitesServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One process, SQLite state: the result the workers must reproduce."""
    workdir = tmp_path_factory.mktemp("single")
    result = run_crawl("feeds", workdir, args=FEEDS, proxy=served.address)
    assert result.returncode == 0, result.log[-3000:]
    return {
        "urls": sorted(r["url"] for r in result.current),
        "clusters": clusters(workdir, f"sqlite:///{workdir / 'state.sqlite'}"),
    }


def start_worker(
    workdir: Path, served: SitesServer, redis_url: str, **settings: str
) -> subprocess.Popen[str]:
    chosen = {
        "STATE_URL": redis_url,
        "FRONTIER_IDLE_EXIT": "2",
        "EXTRACT_WORKERS": "0",  # each worker one process, as the two workers
        "EXTENSIONS": json.dumps({"tests.fetchlog.FetchLog": 0}),
        "FETCH_LOG": str(workdir / "fetched.txt"),
        **settings,
    }
    command, env = crawl_command(
        "feeds", workdir, args=FEEDS, settings=chosen, proxy=served.address, output=None
    )
    return subprocess.Popen(command, cwd=workdir, env=env, stderr=subprocess.PIPE, text=True)


def fetched(workdirs: list[Path]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for workdir in workdirs:
        path = workdir / "fetched.txt"
        if path.exists():
            counts.update(line for line in path.read_text().splitlines() if line)
    return counts


def wait_for_fetches(workdirs: list[Path], count: int, processes: list[Any]) -> None:
    deadline = time.monotonic() + 120
    while sum(fetched(workdirs).values()) < count:
        assert all(p.poll() is None for p in processes), "a worker ended too early"
        assert time.monotonic() < deadline, "the workers fetched too little"
        time.sleep(0.05)


def finish(processes: list[subprocess.Popen[str]], workdirs: list[Path]) -> list[int]:
    codes = []
    for process, workdir in zip(processes, workdirs, strict=True):
        _, stderr = process.communicate(timeout=300)
        (workdir / "stderr.txt").write_text(stderr)
        codes.append(process.returncode)
    return codes


def logs(workdirs: list[Path]) -> str:
    return "\n".join(
        (w / name).read_text()
        for w in workdirs
        for name in ("crawl.log", "stderr.txt")
        if (w / name).exists()
    )


def records_of(workdirs: list[Path]) -> list[dict[str, Any]]:
    """Every record in the workers' output files (one pair of files per run)."""
    return [r for w in workdirs for path in output_files(w) for r in read_jsonl(path)]


def output_files(workdir: Path) -> list[Path]:
    assert not list(workdir.glob("output/*.part")), "every output file is complete"
    return sorted(workdir.glob("output/*.jsonl"))


def check_shared_crawl(
    web: Web, single: dict[str, Any], workdirs: list[Path], redis_url: str, redis: Any
) -> None:
    """Every page fetched once, every record written once, the single process's clusters."""
    errors = [line for line in logs(workdirs).splitlines() if "] ERROR: " in line]
    assert errors == [], "no page failed in a pipeline"
    counts = fetched(workdirs)
    pages = {page.url for page in web.pages}
    feeds = {f"http://{site.host}/feed.xml" for site in SITES}
    assert {url: counts[url] for url in pages | feeds if counts[url] != 1} == {}
    assert all(counts[f"http://{site.host}/robots.txt"] <= len(workdirs) for site in SITES)
    records = records_of(workdirs)
    validate_records(records)
    check_records(records, single)
    assert all(records_of([w]) for w in workdirs), "both workers did work"
    assert clusters(workdirs[0], redis_url) == single["clusters"]
    assert redis.keys("newsfold:frontier:*") == [], "the last worker out cleans up"


def check_records(records: list[dict[str, Any]], single: dict[str, Any]) -> None:
    """Every page's records fold to one current record, none lost; no revision twice; a
    story's records agree on its article."""
    revisions = [(r["id"], r["revision"]) for r in records]
    assert len(revisions) == len(set(revisions)), "a record written twice"
    current = fold(records)
    assert sorted(r["url"] for r in current) == single["urls"], "each page once, none lost"
    articles = {r["id"] for r in current if r["kind"] == "article"}
    assert all(r["duplicate_of"] in articles for r in current if r["kind"] == "copy")


def test_two_workers_fetch_each_page_once_and_fold_like_one_process(
    web, served, single, redis_server, tmp_path
):
    workdirs = [tmp_path / "worker-a", tmp_path / "worker-b"]
    processes = [start_worker(w, served, redis_server.url) for w in workdirs]
    codes = finish(processes, workdirs)
    log = logs(workdirs)
    assert codes == [0, 0], log[-5000:]
    assert log.count("joined frontier") == 2 and "leaves" in log
    check_shared_crawl(web, single, workdirs, redis_server.url, redis_server.client())


def test_a_redis_restart_mid_crawl_is_survived(web, served, single, durable_redis, tmp_path):
    workdirs = [tmp_path / "worker-a", tmp_path / "worker-b"]
    processes = [start_worker(w, served, durable_redis.url, REDIS_RETRY_FOR="60") for w in workdirs]
    wait_for_fetches(workdirs, 150, processes)
    durable_redis.stop()
    time.sleep(1.5)
    durable_redis.start()
    codes = finish(processes, workdirs)
    log = logs(workdirs)
    assert codes == [0, 0], log[-5000:]
    assert "unreachable (" in log and "reachable again after" in log
    check_shared_crawl(web, single, workdirs, durable_redis.url, durable_redis.client())


def test_redis_away_too_long_stops_the_worker_with_code_7_and_loses_nothing(
    web, served, single, durable_redis, tmp_path
):
    first = tmp_path / "first"
    process = start_worker(first, served, durable_redis.url, REDIS_RETRY_FOR="2")
    wait_for_fetches([first], 100, [process])
    durable_redis.stop()
    [code] = finish([process], [first])
    log = logs([first])
    assert code == 7, log[-5000:]
    assert "was unreachable for more than REDIS_RETRY_FOR=2 s" in log
    assert "; exit code 7 (Redis unreachable for longer than REDIS_RETRY_FOR)" in log
    written = records_of([first])
    assert written, "records written before the outage stay written"
    validate_records(written)

    durable_redis.start()
    # The next cron run: once the stopped worker's heartbeat has lapsed, a new generation
    # (its requests held by the stopped worker are fetched again, not lost).
    deadline = time.monotonic() + 30
    while durable_redis.client().keys("newsfold:frontier:*:generation"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    [code] = finish([start_worker(first, served, durable_redis.url)], [first])
    assert code == 0, logs([first])[-5000:]
    records = records_of([first])
    assert len(records) > len(written)
    check_records(records, single)
    assert clusters(first, durable_redis.url) == single["clusters"]


def test_the_frontier_settings_install_the_shared_scheduler():
    from scrapy.settings import Settings

    from crawler.addon import Newsfold

    settings = Settings({"STATE_URL": "redis://127.0.0.1:1/0"})
    Newsfold().update_settings(settings)
    assert settings["SCHEDULER"] == "crawler.scheduler.FrontierScheduler"
    assert settings.getbool("SCHEDULER_PERSIST")
    assert "crawler.extensions.outage.ServerOutage" in settings["EXTENSIONS"]
    local = Settings({"STATE_URL": "redis://127.0.0.1:1/0", "FRONTIER_URL": "local"})
    Newsfold().update_settings(local)
    assert local["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
