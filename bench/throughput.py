"""Crawl throughput against a bare trafilatura loop, and cost per page as a crawl grows.

Part 1 serves the development pages (`../shared/data/fundus-news-pages`), each from
`--hosts` hosts, on loopback (`sample/serve.py` as an HTTP proxy, so every host is a
site of its own), and times in one run:
- a bare single-process loop of `trafilatura.extract` over the same pages (no download);
- a full `scrapy crawl urls` of them through every pipeline, output written, with
  extraction in worker processes (`EXTRACT_WORKERS=auto`) and, for comparison, in the
  crawl's own process (`EXTRACT_WORKERS=0`).
It prints pages per second of each, the ratio to the bare loop, the CPU time a page of
the crawl's processes (workers included) with how many cores they kept busy, and the
largest peak memory of one of them; `--profile` adds a pyinstrument profile of the crawl process.

Part 2 crawls a synthetic web of `--synthetic` short article pages (one in ten a copy)
and prints the time per 1,000 pages through the crawl, to show the cost per page does not
grow with the number of pages already crawled and indexed.

Prints figures; asserts nothing.

    python -m bench.throughput [--hosts 4] [--synthetic 20000] [--profile]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import trafilatura

from bench.extract import Expected, load_pages
from bench.scale import cpu_seconds
from bench.sites import serve
from crawler.stats import ARTICLES, COPIES, DROPPED, ERRORS, SKIPPED

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "fundus-news-pages"
CRAWL_SETTINGS = {
    "ALLOW_PRIVATE_NETWORKS": "True",
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "64",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "WARNING",
}
WORDS = [f"{a}{b}" for a in ("ka", "lo", "mi", "nu", "pe", "ra", "si", "to") for b in range(60)]


class Run(NamedTuple):
    """A crawl's wall-clock seconds, and the CPU-seconds and largest peak resident memory
    (MB) of its process and worker processes, read from `/proc` as it runs (the last
    fraction of a second of each is missed)."""

    seconds: float
    cpu: float
    peak_mb: float


def crawl(workdir: Path, urls: list[str], proxy: str, settings: dict[str, str]) -> Run:
    """A whole `scrapy crawl urls` process over `urls`."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "urls.txt").write_text("\n".join(urls))
    return measured_crawl(
        workdir, "urls", {"file": "urls.txt"}, {**CRAWL_SETTINGS, **settings}, proxy
    )


def measured_crawl(
    workdir: Path, spider: str, args: dict[str, str], settings: dict[str, str], proxy: str
) -> Run:
    """`scrapy crawl SPIDER` in `workdir` with its own state and stats file, its records to
    `out.jsonl`, measured (`measured`)."""
    command = [sys.executable, "-m", "scrapy", "crawl", spider]
    for name, value in args.items():
        command += ["-a", f"{name}={value}"]
    for name, value in {
        "STATE_URL": f"sqlite:///{workdir / 'state.sqlite'}",
        "STATS_FILE": str(workdir / "stats.json"),
        **settings,
    }.items():
        command += ["-s", f"{name}={value}"]
    command += ["-O", "out.jsonl"]
    return measured(command, workdir, proxy)


def measured(command: list[str], workdir: Path, proxy: str) -> Run:
    """Run a crawl `command` in `workdir` through `proxy`, watching its CPU and memory."""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "http_proxy": proxy}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=workdir, env=env, stderr=subprocess.DEVNULL)
    used: dict[int, float] = {}
    peak = 0
    while process.poll() is None:
        for pid in [process.pid, *descendants(process.pid)]:
            with contextlib.suppress(OSError):  # gone meanwhile
                used[pid] = cpu_seconds(pid)
                peak = max(peak, peak_kib(pid))
        time.sleep(0.2)
    return Run(time.perf_counter() - started, sum(used.values()), peak / 1024)


def peak_kib(pid: int) -> int:
    """A process's peak resident memory so far (Linux `/proc`)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (Linux `/proc`)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def losses(workdir: Path) -> str:
    """The crawl's pages that became no record, by reason, from its stats."""
    stats = json.loads((workdir / "stats.json").read_text())
    lost = {
        name.removeprefix("newsfold/"): count
        for name, count in sorted(stats.items())
        if name.startswith((DROPPED, SKIPPED, ERRORS))
    }
    return f"; no record: {lost}" if lost else ""


def written(workdir: Path) -> int:
    return sum(1 for line in (workdir / "out.jsonl").read_text().splitlines() if line)


def throughput(hosts: int, profile: bool, scratch: Path) -> None:
    pages = load_pages(DATA)
    root = scratch / "web"
    urls = []
    for n, page in enumerate(pages):
        for host in range(hosts):
            path = root / f"site{host}.test" / "news" / f"{n}.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(page.html)
            urls.append(f"http://site{host}.test/news/{n}.html")
    random.Random(1).shuffle(urls)
    print(f"{len(urls)} pages: {len(pages)} development pages, each from {hosts} hosts")

    # This machine's speed drifts by a quarter over minutes: the bare loop runs before and
    # after the crawl with workers, and both crawls are compared with the mean of the two.
    bare = [bare_loop(pages, hosts)]
    server, address = serve(root)
    try:
        runs = {}
        for label, workers in (("workers", "auto"), ("in-process", "0")):
            workdir = scratch / f"crawl-{workers}"
            runs[label] = workdir, crawl(workdir, urls, address, {"EXTRACT_WORKERS": workers})
            if len(bare) == 1:
                bare.append(bare_loop(pages, hosts))
        for seconds in bare:
            print(
                f"  bare trafilatura loop        {len(urls) / seconds:7.1f} pages/s  "
                f"({seconds:.1f} s, {seconds / len(urls) * 1000:.1f} ms a page)"
            )
        mean = sum(bare) / len(bare)
        for label, (workdir, (seconds, cpu, peak)) in runs.items():
            stats = json.loads((workdir / "stats.json").read_text())
            print(
                f"  crawl, extraction {label:10s} {len(urls) / seconds:7.1f} pages/s  "
                f"({seconds:.1f} s)  ratio to the bare loop's mean {mean / seconds:.2f}  "
                f"CPU {cpu / len(urls) * 1000:.1f} ms a page ({cpu / mean:.2f} x the bare "
                f"loop's time; cores busy {cpu / seconds:.2f} of {os.cpu_count()})  "
                f"records {written(workdir)} (articles {stats.get(ARTICLES, 0)}, "
                f"copies {stats.get(COPIES, 0)}{losses(workdir)})  "
                f"peak RSS of one process {peak:.0f} MB"
            )
        if profile:
            profile_crawl(scratch / "profile", urls, address)
    finally:
        server.terminate()


def bare_loop(pages: list[Expected], hosts: int) -> float:
    """Seconds for `trafilatura.extract` over every page, as often as it is served."""
    started = time.perf_counter()
    for _ in range(hosts):
        for page in pages:
            trafilatura.extract(page.html.decode("utf-8", "replace"), url=page.url)
    return time.perf_counter() - started


def profile_crawl(workdir: Path, urls: list[str], proxy: str) -> None:
    """Where the crawl process spends its time (extraction itself runs in the workers)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "urls.txt").write_text("\n".join(urls))
    command = [sys.executable, "-m", "pyinstrument", "-p", "flat", "-o", "profile.txt"]
    command += ["-m", "scrapy", "crawl", "urls", "-a", "file=urls.txt", "-O", "out.jsonl"]
    for name, value in {**CRAWL_SETTINGS, "STATE_URL": "sqlite:///state.sqlite"}.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "http_proxy": proxy}
    subprocess.run(command, cwd=workdir, env=env, check=False, stderr=subprocess.DEVNULL)
    lines = (workdir / "profile.txt").read_text().splitlines()
    print("  profile of the crawl process (pyinstrument, functions by their own time):")
    for line in lines[:45]:
        print("    " + line)


def synthetic(count: int, scratch: Path) -> None:
    """Time per 1,000 pages along a crawl of `count` synthetic article pages."""
    rng = random.Random(7)
    root = scratch / "synthetic"
    urls = []
    texts: list[list[str]] = []
    for n in range(count):
        if n % 10 == 9 and texts:
            paragraphs = rng.choice(texts)  # a copy of an earlier story
        else:
            paragraphs = [" ".join(rng.choices(WORDS, k=40)).capitalize() + "." for _ in range(5)]
            texts.append(paragraphs)
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        host = f"s{n % 50}.test"
        path = root / host / "a" / f"{n}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f'<html lang="en"><head><title>Story {n}</title><meta property="og:type" '
            f'content="article"></head><body><article><h1>Story {n}</h1>{body}'
            "</article></body></html>"
        )
        urls.append(f"http://{host}/a/{n}.html")
    server, address = serve(root)
    try:
        workdir = scratch / "synthetic-crawl"
        seconds = crawl(workdir, urls, address, {"EXTRACT_WORKERS": "auto"}).seconds
    finally:
        server.terminate()
    stamps = []
    for line in (workdir / "out.jsonl").read_text().splitlines():
        stamps.append(json.loads(line)["fetched_at"])
    print(f"{count} synthetic pages: {len(stamps)} records in {seconds:.1f} s{losses(workdir)}")
    # fetched_at has one-second resolution: time per 1,000 records from the timestamps.
    from datetime import datetime

    moments = [datetime.fromisoformat(s).timestamp() for s in stamps]
    window = 1000
    for start in range(0, len(moments) - window + 1, max(window, len(moments) // 10)):
        span = moments[start + window - 1] - moments[start]
        print(f"  records {start:6d}-{start + window:6d}: {span:5.1f} s per 1,000")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--synthetic", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if DATA.is_dir():
            throughput(args.hosts, args.profile, Path(folder))
        else:
            print(f"{DATA} not present: skipping the development-page throughput")
        if args.synthetic:
            synthetic(args.synthetic, Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
