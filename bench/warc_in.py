"""WARC in: the warc spider's throughput, its memory on a file of a gigabyte, and the
speed of reading WARC with warcio against FastWARC.

Built from the development pages (`../shared/data/fundus-news-pages`, 258 real pages,
330 kB of HTML on average), in one run:

1. A CC-NEWS-style WARC of the pages (`bench.warc_files`, written by warcio) read by a
   whole `scrapy crawl warc` (every pipeline, output written, extraction in worker
   processes, then in the crawl's own process), against a bare single-process
   `trafilatura.extract` loop over the same pages: pages per second of each, the ratio.
   Nothing is fetched, so extraction bounds both.
2. Peak resident memory of the crawl (its process and its extraction workers) on a WARC
   of `--small` MB and on one of `--big` MB (at least 1 GB by default), made of the pages
   repeated under varied URLs on filler hosts, with the same `--kept` pages on one host
   that `-a hosts=` keeps: both crawls extract the same pages, and the larger file only
   adds bytes streamed past. Flat memory means the two peaks are about equal.
3. Read-only throughput over the big file: warcio's `ArchiveIterator` (what newsfold
   uses), newsfold's reader on top of it (`crawler.warc_reader`, with its checks), and
   FastWARC (resiliparse's, installed for this benchmark only; reported as missing if it
   is not installed), each reading every response payload.

The generated files are written under a temporary folder (`--scratch`), never committed.
Prints figures; asserts nothing.

    python -m bench.warc_in [--small 100] [--big 1024] [--kept 40]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import sys
import tempfile
import time
import uuid
import zlib
from pathlib import Path

import trafilatura
from warcio.archiveiterator import ArchiveIterator

from bench.extract import Expected, load_pages
from bench.throughput import DATA, Run, losses, measured_crawl, written
from bench.warc_files import ArchivedPage, write_cc_news
from crawler.stats import ARTICLES, COPIES
from crawler.warc_reader import WarcResponse, read_warc

CRAWL_SETTINGS = {"LOG_LEVEL": "WARNING", "EXTRACT_WORKERS": "auto"}
KEPT_HOST = "kept.test"
MB = 1024 * 1024


def crawl_warc(workdir: Path, args: dict[str, str], settings: dict[str, str] | None = None) -> Run:
    """A whole `scrapy crawl warc` process, its time, CPU and largest peak memory."""
    workdir.mkdir(parents=True, exist_ok=True)
    chosen = {**CRAWL_SETTINGS, **(settings or {})}
    nowhere = "http://127.0.0.1:9"  # nothing may be fetched
    return measured_crawl(workdir, "warc", args, chosen, nowhere)


def bare_loop(pages: list[Expected]) -> float:
    started = time.perf_counter()
    for page in pages:
        trafilatura.extract(page.html.decode("utf-8", "replace"), url=page.url)
    return time.perf_counter() - started


def throughput(pages: list[Expected], scratch: Path) -> None:
    warc = scratch / "pages.warc.gz"
    archived = [
        ArchivedPage(f"http://site.test/news/{n}.html", page.html) for n, page in enumerate(pages)
    ]
    write_cc_news(warc, archived)
    print(f"1. {len(pages)} pages in a CC-NEWS-style WARC of {warc.stat().st_size / MB:.0f} MB")
    bare = bare_loop(pages)
    print(f"  bare trafilatura loop          {len(pages) / bare:6.1f} pages/s ({bare:.1f} s)")
    for label, workers in (("workers", "auto"), ("in-process", "0")):
        workdir = scratch / f"crawl-{workers}"
        seconds, cpu, peak = crawl_warc(workdir, {"files": str(warc)}, {"EXTRACT_WORKERS": workers})
        stats = json.loads((workdir / "stats.json").read_text())
        print(
            f"  crawl warc, extraction {label:10s} {len(pages) / seconds:5.1f} pages/s "
            f"({seconds:.1f} s, process start included)  ratio to the bare loop "
            f"{bare / seconds:.2f}  cores busy {cpu / seconds:.2f} of {os.cpu_count()}  "
            f"records {written(workdir)} (articles {stats.get(ARTICLES, 0)}, copies "
            f"{stats.get(COPIES, 0)}{losses(workdir)})  peak RSS of one process {peak:.0f} MB"
        )


def response_member(url: str, body: bytes, level: int = 1) -> bytes:
    """One gzip member holding a WARC/1.1 response record. Written here rather than with
    warcio so that a gigabyte is made in seconds (zlib level 1); the small file above and
    the tests use warcio's writer."""
    http = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    head = (
        "WARC/1.1\r\nWARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
        "WARC-Date: 2024-03-01T08:00:00Z\r\n"
        f"WARC-Target-URI: {url}\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    packer = zlib.compressobj(level, zlib.DEFLATED, 31)
    return packer.compress(head + http + b"\r\n\r\n") + packer.flush()


def big_warc(path: Path, pages: list[Expected], size_mb: int, kept: int) -> int:
    """A WARC of at least `size_mb` MB: the pages repeated on filler hosts, with `kept`
    of them on KEPT_HOST spread through the file. Returns its response records."""
    members = [response_member(f"http://fill.test/{n}.html", p.html) for n, p in enumerate(pages)]
    average = sum(len(m) for m in members) / len(members)
    total = int(size_mb * MB / average) + 1
    keep_at = {round(i * total / kept) for i in range(kept)}
    rng = random.Random(1)
    with open(path, "wb") as handle:
        for n in range(total):
            page = pages[n % len(pages)]
            host = KEPT_HOST if n in keep_at else f"fill{n % 97}.test"
            url = f"http://{host}/{n // len(pages)}/{n % len(pages)}-{rng.randrange(10**6)}.html"
            handle.write(response_member(url, page.html))
    return total


def memory(pages: list[Expected], scratch: Path, sizes: tuple[int, int], kept: int) -> Path:
    print(f"2. peak memory of scrapy crawl warc -a hosts={KEPT_HOST}: {kept} pages extracted")
    big = scratch / "small.warc.gz"
    for label, size in zip(("small", "big"), sizes, strict=True):
        big = scratch / f"{label}.warc.gz"
        started = time.perf_counter()
        records = big_warc(big, pages, size, kept)
        made = time.perf_counter() - started
        workdir = scratch / f"memory-{label}"
        seconds, _, peak = crawl_warc(workdir, {"files": str(big), "hosts": KEPT_HOST})
        stats = json.loads((workdir / "stats.json").read_text())
        print(
            f"  {big.stat().st_size / MB:7.0f} MB WARC ({records} responses, made in "
            f"{made:.0f} s): crawl {seconds:.0f} s, {big.stat().st_size / MB / seconds:.0f} MB/s, "
            f"records {written(workdir)}, skipped other_host "
            f"{stats.get('newsfold/skipped/other_host', 0)}, peak RSS of one process "
            f"{peak:.0f} MB"
        )
    return big


def read_speeds(path: Path) -> None:
    size = path.stat().st_size / MB
    print(f"3. read-only throughput over the {size:.0f} MB WARC (every response payload read)")

    def report(label: str, seconds: float, records: int) -> None:
        print(f"  {label:28s} {size / seconds:6.0f} MB/s  {records / seconds:7.0f} records/s")

    started = time.perf_counter()
    records = 0
    with open(path, "rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_type == "response":
                record.content_stream().read()
                records += 1
    report("warcio ArchiveIterator", time.perf_counter() - started, records)

    started = time.perf_counter()
    records = sum(isinstance(found, WarcResponse) for found in read_warc(str(path), 16 * MB))
    report("newsfold's reader (warcio)", time.perf_counter() - started, records)

    try:  # FastWARC 2: a path is opened and its gzip detected by the iterator itself
        fastwarc = importlib.import_module("fastwarc.warc")
    except ImportError:
        print("  FastWARC                     not installed (pip install fastwarc): not measured")
        return
    started = time.perf_counter()
    records = 0
    only = fastwarc.WarcRecordType.response
    for record in fastwarc.ArchiveIterator(str(path), record_types=only, parse_http=True):
        record.reader.read()
        records += 1
    report("FastWARC ArchiveIterator", time.perf_counter() - started, records)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=100, help="MB of the smaller WARC")
    parser.add_argument("--big", type=int, default=1024, help="MB of the larger WARC")
    parser.add_argument("--kept", type=int, default=40, help="pages -a hosts= keeps")
    parser.add_argument("--scratch", help="folder for the generated files (default: a temp)")
    args = parser.parse_args()
    pages = load_pages(DATA)
    with tempfile.TemporaryDirectory(dir=args.scratch) as folder:
        scratch = Path(folder)
        throughput(pages, scratch)
        big = memory(pages, scratch, (args.small, args.big), args.kept)
        read_speeds(big)
    return 0


if __name__ == "__main__":
    sys.exit(main())
