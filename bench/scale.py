"""`make bench-scale`: one worker against two on one Redis, on the same served web.

Builds a synthetic syndication web (`bench.syndication_web`, 12 sites, over 1,000
article pages by default), serves it on loopback, starts its own `redis-server`, and
crawls the web from the sites' feeds with the real `feeds` spider and pipelines, with
extraction in the worker's own process (`EXTRACT_WORKERS=0`, so a worker is one
process): once with one worker, then (on an emptied Redis) with two workers at once,
both with `STATE_URL=redis://`. For each it prints article pages per second, over the
crawl (first worker's start to last worker's finish, from Scrapy's stats) and over the
wall clock (process start to exit, with interpreter start and imports), with the CPU
time the workers used and the load average (the speed-up needs two idle cores); the
two-worker speed-up; and Redis memory per indexed page after the one-worker crawl. Then it runs
`bench.redis_decisions` (collapse decisions per second against Redis, memory per
article at scale). Prints figures; asserts nothing.

    python -m bench.scale [--originals 450] [--seed 11] [--decisions 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.redis_server import RedisServer
from bench.sites import serve
from bench.syndication_web import SITES, build_web
from crawler.stats import EXTRACT_PAGES, START_TIME

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {
    "ALLOW_PRIVATE_NETWORKS": "True",
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "LOG_LEVEL": "INFO",
    # Leave as soon as the frontier is empty: the figures are for crawling, not waiting.
    "FRONTIER_IDLE_EXIT": "0",
    # Extraction in the worker's own process: one worker is one process.
    "EXTRACT_WORKERS": "0",
}


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux `/proc`)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def redis_cpu(redis: RedisServer) -> float:
    info = redis.client().info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def crawl(
    workers: int, work: Path, proxy: str, redis: RedisServer, server_pid: int
) -> dict[str, Any]:
    """`workers` processes of `scrapy crawl feeds` at once; their pages and timings, and
    the CPU the web server and Redis used meanwhile (they share the cores)."""
    feeds = ",".join(f"http://{site.host}/feed.xml" for site in SITES)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "http_proxy": proxy}
    env["PYTHONPATH"] = str(ROOT)
    processes = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    others = cpu_seconds(server_pid), redis_cpu(redis)
    began = time.perf_counter()
    for n in range(workers):
        workdir = work / f"worker-{n}"
        workdir.mkdir(parents=True)
        settings = {
            **SETTINGS,
            "STATE_URL": redis.url,
            "STATS_FILE": str(workdir / "stats.json"),
            "LOG_FILE": str(workdir / "crawl.log"),
        }
        command = [sys.executable, "-m", "scrapy", "crawl", "feeds", "-a", f"feeds={feeds}"]
        for name, value in settings.items():
            command += ["-s", f"{name}={value}"]
        processes.append(subprocess.Popen(command, cwd=workdir, env=env))
    codes = [process.wait() for process in processes]
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    server_cpu, store_cpu = cpu_seconds(server_pid) - others[0], redis_cpu(redis) - others[1]
    stats = [json.loads((work / f"worker-{n}" / "stats.json").read_text()) for n in range(workers)]
    start = min(datetime.fromisoformat(s[START_TIME]) for s in stats)
    finish = max(datetime.fromisoformat(s["finish_time"]) for s in stats)
    pages = sum(s.get(EXTRACT_PAGES, 0) for s in stats)
    return {
        "codes": codes,
        "pages": pages,
        "per worker": [s.get(EXTRACT_PAGES, 0) for s in stats],
        "crawl": (finish - start).total_seconds(),
        "wall": wall,
        "cpu": cpu,
        "server cpu": server_cpu,
        "redis cpu": store_cpu,
        "load": os.getloadavg()[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--originals", type=int, default=450)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--decisions", type=int, default=5000)
    args = parser.parse_args()
    print(f"cpus: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="newsfold-scale-") as tmp:
        work = Path(tmp)
        web = build_web(work / "web", originals=args.originals, seed=args.seed, source=None)
        print(f"web: {len(web.pages)} article pages on {len(SITES)} sites (synthetic text)")
        server, proxy = serve(web.root)
        redis = RedisServer(work / "redis")
        try:
            client = redis.client()
            results = {}
            for workers in (1, 2):
                client.flushall()
                empty = redis.used_memory()
                results[workers] = crawl(workers, work / f"run-{workers}", proxy, redis, server.pid)
                if workers == 1:
                    indexed = results[1]["pages"]
                    grown = redis.used_memory() - empty
        finally:
            redis.stop()
            server.terminate()
            server.wait(timeout=10)
    for workers, result in results.items():
        print(
            f"{workers} worker{'s' if workers > 1 else ' '}: {result['pages']} pages "
            f"(per worker {result['per worker']}), exit codes {result['codes']}; "
            f"{result['pages'] / result['crawl']:.1f} pages/s over the crawl "
            f"({result['crawl']:.1f} s), {result['pages'] / result['wall']:.1f} pages/s "
            f"wall clock ({result['wall']:.1f} s); the workers used {result['cpu']:.1f} "
            f"CPU-seconds, {result['pages'] / result['cpu']:.1f} pages per CPU-second; "
            f"meanwhile the web server used {result['server cpu']:.1f} and Redis "
            f"{result['redis cpu']:.1f} CPU-seconds; load average {result['load']:.2f}"
        )
    speedup = (results[2]["pages"] / results[2]["crawl"]) / (
        results[1]["pages"] / results[1]["crawl"]
    )
    wall_speedup = (results[2]["pages"] / results[2]["wall"]) / (
        results[1]["pages"] / results[1]["wall"]
    )
    print(f"two workers / one: {speedup:.2f}x over the crawl, {wall_speedup:.2f}x wall clock")
    print(
        f"Redis memory after the one-worker crawl: {grown / 1e6:.1f} MB for {indexed} "
        f"indexed pages, {grown / max(indexed, 1) / 1024:.1f} KiB per page (index, clusters, "
        "records with compressed text, seen marks, runs)"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print("\ncollapse decisions against Redis (bench.redis_decisions):", flush=True)
    command = [sys.executable, "-m", "bench.redis_decisions", "--articles", str(args.decisions)]
    subprocess.run([*command, "--plain", str(max(args.decisions // 10, 100))], cwd=ROOT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
