"""Collapse cost against a large index, with synthetic signatures.

Builds a SQLite state holding `--articles` indexed articles (random LSH band keys and
shingle sets, bulk-loaded in key order, which is how a long-running crawl's index ends up
but far faster to make), then times: opening the state, and `--decisions` collapse
decisions of new articles against it, given their signatures (query, decide, index and
commit, as `Collapser.decide_fingerprint` does), and, apart, the cost of computing a
signature from an article's text. Reports the process's resident memory before and after
the decisions, to show whether memory grows with the index. Prints figures; asserts
nothing.

    python -m bench.collapse_scale [--articles 1000000] [--decisions 1000] [--state PATH]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from crawler.defaults import DEFAULTS
from crawler.fingerprint import Fingerprinter
from crawler.state import SQLiteState
from pipelines.collapser import Collapser

SHINGLES_PER_ARTICLE = 500
VOCABULARY = [f"w{i}" for i in range(20_000)]


def build(path: Path, articles: int, fingerprinter: Fingerprinter) -> float:
    """Bulk-load a state of random articles; seconds taken."""
    started = time.perf_counter()
    store = SQLiteState(path)
    store.check_params(fingerprinter.params)
    db = store.db
    rng = np.random.default_rng(1)
    bands = sum(count for _, count, _ in fingerprinter.bands)
    keys = rng.integers(-(2**63), 2**63 - 1, size=articles * bands, dtype=np.int64)
    docs = np.repeat(np.arange(articles), bands)
    order = np.argsort(keys, kind="stable")
    keys, docs = keys[order], docs[order]
    chunk = 1_000_000
    for start in range(0, len(keys), chunk):
        with store.transaction():
            db.executemany(
                "INSERT INTO bands (key, doc) VALUES (?, ?)",
                zip(
                    keys[start : start + chunk].tolist(),
                    (f"{d:024x}" for d in docs[start : start + chunk].tolist()),
                    strict=True,
                ),
            )
    for start in range(0, articles, 50_000):
        ids = [f"{d:024x}" for d in range(start, min(start + 50_000, articles))]
        with store.transaction():
            db.executemany(
                "INSERT INTO shingles (doc, hashes) VALUES (?, ?)",
                (
                    (doc, rng.integers(0, 2**32, size=SHINGLES_PER_ARTICLE, dtype=np.uint32))
                    for doc in ids
                ),
            )
            db.executemany(
                "INSERT INTO clusters (id, kept, seq) VALUES (?, ?, ?)",
                ((doc, doc, start + n + 1) for n, doc in enumerate(ids)),
            )
            db.executemany(
                "INSERT INTO members (doc, cluster, relation) VALUES (?, ?, 'kept')",
                ((doc, doc) for doc in ids),
            )
    store.close()
    return time.perf_counter() - started


def resident_mb() -> float:
    """Resident memory now (Linux), not the peak the build left behind."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--decisions", type=int, default=1000)
    parser.add_argument("--state", type=Path, help="reuse or keep the built state here")
    args = parser.parse_args()
    fingerprinter = Fingerprinter(
        num_perm=DEFAULTS["DEDUP_NUM_PERM"],
        threshold=DEFAULTS["DEDUP_LSH_THRESHOLD"],
        lead_threshold=DEFAULTS["DEDUP_LEAD_THRESHOLD"],
    )
    with tempfile.TemporaryDirectory(prefix="newsfold-scale-") as tmp:
        path = args.state or Path(tmp) / "state.sqlite"
        if not path.exists():
            seconds = build(path, args.articles, fingerprinter)
            size = path.stat().st_size / 1e6
            print(f"built {args.articles:,} articles in {seconds:.0f} s ({size:,.0f} MB)")
        rng = np.random.default_rng(int(time.time()))
        texts = [" ".join(rng.choice(VOCABULARY, size=600)) for _ in range(args.decisions)]
        started = time.perf_counter()
        fingerprints = [fingerprinter.fingerprint(text) for text in texts]
        per_fingerprint = (time.perf_counter() - started) / len(texts)
        before = resident_mb()
        started = time.perf_counter()
        store = SQLiteState(path)
        collapser = Collapser(
            store,
            fingerprinter,
            DEFAULTS["DEDUP_SIMILARITY"],
            DEFAULTS["DEDUP_CONTAINMENT"],
            DEFAULTS["DEDUP_MIN_SHINGLES"],
        )
        opened = time.perf_counter() - started
        run = f"{int(time.time()):x}"
        warm = len(fingerprints) // 4  # the first decisions also warm the page cache
        for n, fingerprint in enumerate(fingerprints):
            if n == warm:
                started = time.perf_counter()
            collapser.decide_fingerprint(f"{run}{n:016x}", fingerprint)
        per_decision = (time.perf_counter() - started) / (len(fingerprints) - warm)
        store.close()
        print(f"open state: {opened * 1000:.1f} ms")
        print(f"per collapse decision (signature given): {1000 * per_decision:.3f} ms")
        print(
            f"per fingerprint (text to signature, once per page): {1000 * per_fingerprint:.3f} ms"
        )
        print(
            f"resident memory: {before:.0f} MB before the decisions, {resident_mb():.0f} MB after"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
