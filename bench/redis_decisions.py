"""Collapse decisions per second on Redis, and Redis memory per indexed article.

Starts its own `redis-server` on a free loopback port (`bench.redis_server`), makes
`--articles` synthetic articles of realistic length (Zipf-distributed pseudo-words, so
they compress about as well as prose; one in ten a lightly edited copy of an earlier one),
fingerprints them, then times, given the signatures:

- newsfold on Redis: `Collapser.decide_fingerprint` (one round trip for a page with no
  candidates; claim, candidates' shingles, settle for the others), one decision at a
  time, then by `STATE_THREADS` threads at once as the collapse pipeline runs them;
- newsfold on SQLite, the same decisions, for comparison;
- plain datasketch `MinHashLSH` with Redis storage, query then insert per article, on the
  same full-text signatures, for `--plain` articles (it is slow).

Memory is Redis's `used_memory` growth divided by the articles: for the duplicate index
and clusters alone, then with each article's record (text zlib-compressed) and two seen
marks, as the store pipeline writes them. Prints figures; asserts nothing.

    python -m bench.redis_decisions [--articles 20000] [--plain 2000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from bench.redis_server import RedisServer
from crawler.defaults import DEFAULTS
from crawler.fingerprint import SCHEME, Fingerprint, Fingerprinter
from crawler.state import StateStore, open_state
from pipelines.collapser import Collapser

VOCABULARY = 20_000
COPY_EVERY = 10


def articles(count: int, seed: int = 1) -> list[str]:
    """Synthetic articles of 500-900 words; every `COPY_EVERY`th copies an earlier one."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("etaoinshrdlucmfwypvbgkjqxz"))
    weights = 1 / np.arange(1, len(letters) + 1)
    drawn_letters = rng.choice(letters, size=VOCABULARY * 10, p=weights / weights.sum())
    lengths = rng.integers(2, 11, size=VOCABULARY)
    words = np.array(["".join(drawn_letters[n * 10 : n * 10 + k]) for n, k in enumerate(lengths)])
    zipf = 1 / np.arange(1, VOCABULARY + 1) ** 1.1
    sizes = rng.integers(500, 900, size=count)
    drawn = words[rng.choice(VOCABULARY, size=int(sizes.sum()), p=zipf / zipf.sum())].tolist()
    texts: list[str] = []
    start = 0
    for n, size in enumerate(sizes.tolist()):
        article, start = drawn[start : start + size], start + size
        if n % COPY_EVERY == COPY_EVERY - 1:
            original = texts[int(rng.integers(0, n))].split("\n\n")
            texts.append("\n\n".join(["Source: Wire", *original[1:], "First on Wire."]))
            continue
        paragraphs = [" ".join(article[i : i + 60]).capitalize() + "." for i in range(0, size, 60)]
        texts.append("\n\n".join(paragraphs))
    return texts


def collapser(store: StateStore, fingerprinter: Fingerprinter) -> Collapser:
    return Collapser(
        store,
        fingerprinter,
        DEFAULTS["DEDUP_SIMILARITY"],
        DEFAULTS["DEDUP_CONTAINMENT"],
        DEFAULTS["DEDUP_MIN_SHINGLES"],
    )


def decide_all(
    store: StateStore, fingerprinter: Fingerprinter, prints: list[Fingerprint], threads: int = 0
) -> float:
    """Decisions per second, all `prints` decided in order, or by `threads` threads at once
    (as `CollapsePipeline` decides on Redis)."""
    deciding = collapser(store, fingerprinter)
    started = time.perf_counter()
    if threads:
        with ThreadPoolExecutor(threads) as pool:
            for _ in pool.map(
                deciding.decide_fingerprint, (f"{n:024x}" for n in range(len(prints))), prints
            ):
                pass
    else:
        for n, fingerprint in enumerate(prints):
            deciding.decide_fingerprint(f"{n:024x}", fingerprint)
    return len(prints) / (time.perf_counter() - started)


def store_records(store: StateStore, texts: list[str]) -> None:
    """What the store pipeline writes per article: its record and its seen marks."""
    now = time.time()
    for n, text in enumerate(texts):
        doc = f"{n:024x}"
        url = f"https://news{n % 50}.example/2026/11/28/story-number-{n}-of-the-day.html"
        with store.transaction():
            store.record(
                {
                    "id": doc,
                    "kind": "article",
                    "url": url,
                    "canonical_url": url,
                    "site": f"news{n % 50}.example",
                    "site_name": f"News {n % 50}",
                    "title": text[:80],
                    "published": "2026-11-28T10:00:00+00:00",
                    "fetched_at": "2026-11-28T10:05:00+00:00",
                    "text": text,
                    "credits": "[]",
                    "digest": f"{n:032x}",
                    "run": "bench",
                }
            )
            for seen in (url, url + "?utm_source=feed"):
                store.mark_seen(seen, doc, "bench", now, ttl=90 * 86400)


def plain_lsh(
    server: RedisServer, fingerprinter: Fingerprinter, prints: list[Fingerprint]
) -> float:
    """Decisions per second of datasketch's MinHashLSH on Redis, query then insert."""
    lsh = MinHashLSH(
        threshold=DEFAULTS["DEDUP_LSH_THRESHOLD"],
        num_perm=fingerprinter.num_perm,
        storage_config={
            "type": "redis",
            "basename": b"plain",
            "redis": {"host": "127.0.0.1", "port": server.port},
        },
    )
    signatures = [
        LeanMinHash(seed=1, hashvalues=fingerprinter._signature(p.shingles), scheme=SCHEME)
        for p in prints
    ]
    started = time.perf_counter()
    for n, signature in enumerate(signatures):
        lsh.query(signature)
        lsh.insert(f"{n:024x}", signature)
    return len(prints) / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--plain", type=int, default=2_000)
    args = parser.parse_args()
    threads = DEFAULTS["STATE_THREADS"]
    fingerprinter = Fingerprinter(
        num_perm=DEFAULTS["DEDUP_NUM_PERM"],
        threshold=DEFAULTS["DEDUP_LSH_THRESHOLD"],
        lead_threshold=DEFAULTS["DEDUP_LEAD_THRESHOLD"],
    )
    started = time.perf_counter()
    texts = articles(args.articles)
    prints = [fingerprinter.fingerprint(text) for text in texts]
    chars = sum(map(len, texts)) / len(texts)
    ratio = sum(len(t.encode()) for t in texts[:500]) / sum(
        len(zlib.compress(t.encode(), 6)) for t in texts[:500]
    )
    print(
        f"{len(texts):,} articles, {chars:,.0f} characters and "
        f"{np.mean([len(p.shingles) for p in prints]):,.0f} shingles on average, "
        f"text compresses {ratio:.1f}x (made in {time.perf_counter() - started:.0f} s)"
    )
    with tempfile.TemporaryDirectory(prefix="newsfold-redis-") as tmp:
        server = RedisServer(Path(tmp) / "redis")
        try:
            store = open_state(server.url)
            empty = server.used_memory()
            redis_rate = decide_all(store, fingerprinter, prints)
            indexed = server.used_memory()
            server.client().flushall()
            threaded_store = open_state(server.url)
            threaded_rate = decide_all(threaded_store, fingerprinter, prints, threads)
            threaded_store.close()
            store_records(store, texts)
            recorded = server.used_memory()
            store.close()
            sqlite = open_state(f"sqlite:///{tmp}/state.sqlite")
            sqlite_rate = decide_all(sqlite, fingerprinter, prints)
            sqlite.close()
            before = server.used_memory()
            plain_rate = plain_lsh(server, fingerprinter, prints[: args.plain])
            plain_memory = (server.used_memory() - before) / min(args.plain, len(prints))
        finally:
            server.stop()
    print(f"decisions per second, one process (signature given, {len(prints):,} decisions):")
    print(f"  newsfold on Redis:                    {redis_rate:8,.0f}")
    print(f"  ... {threads} threads, as in a crawl:          {threaded_rate:8,.0f}")
    print(f"  newsfold on SQLite:                   {sqlite_rate:8,.0f}")
    print(
        f"  plain MinHashLSH on Redis ({min(args.plain, len(prints)):,}):      {plain_rate:8,.0f}"
    )
    print("Redis memory per article:")
    print(f"  duplicate index and clusters:         {(indexed - empty) / len(texts):8,.0f} B")
    print(f"  ... with record (text) and seen marks: {(recorded - empty) / len(texts):7,.0f} B")
    print(f"  plain MinHashLSH (bands only):        {plain_memory:8,.0f} B")
    return 0


if __name__ == "__main__":
    sys.exit(main())
