"""`make bench-dedup`: duplicate collapse on a synthetic syndication web, beside a baseline.

Builds the web of `bench.syndication_web` (12 sites, real originals, six copy kinds, hard
negatives) in a temporary folder, serves it on loopback, and crawls it with the real
`urls` spider and pipelines in a shuffled order; then again in another order, and split
over three runs that share one state. Each crawl's clusters (as the state store keeps
them, which `scrapy clusters` exports; "records only" scores what the article and copy
records alone say, before later pages joined clusters) are scored against the truth:
pairwise precision and recall, excerpts folded with their original, hard negatives
merged with anything, and whether the clusters are the same across orders and runs.
The baseline is a plain datasketch `MinHashLSH` (threshold 0.5, 128 permutations, word
5-shingles of plain trafilatura text, query then insert) over the same pages in the same
order. Prints figures; asserts nothing.

    python -m bench.dedup [--originals 160] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path

import trafilatura
from datasketch import MinHash, MinHashLSH

from bench.sites import serve
from bench.syndication_web import DEV_SET, Web, build_web
from crawler.state import SQLiteState

ROOT = Path(__file__).resolve().parents[1]
Partition = dict[str, str]  # url -> cluster label


def crawl(urls: list[str], workdir: Path, proxy: str, state: Path) -> list[dict[str, object]]:
    """One run of `scrapy crawl urls` over the given URLs; its records."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "urls.txt").write_text("\n".join(urls) + "\n")
    settings = {
        "STATE_URL": f"sqlite:///{state}",
        "ALLOW_PRIVATE_NETWORKS": "True",
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
        "LOG_FILE": str(workdir / "crawl.log"),
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "urls", "-a", "file=urls.txt"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    command += ["-O", "out.jsonl"]
    env = {**os.environ, "http_proxy": proxy, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    subprocess.run(command, cwd=workdir, env=env, check=True)
    lines = (workdir / "out.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line]


def partition_of(records: Iterable[dict[str, object]]) -> Partition:
    """url -> the id of the article its record points at (what a feed consumer sees)."""
    return {str(r["url"]): str(r["duplicate_of"] or r["id"]) for r in records}


def state_partition(state: Path) -> Partition:
    """url -> cluster id, as the state store (and `scrapy clusters`) has them."""
    store = SQLiteState(state)
    try:
        return {str(row["url"]): str(row["cluster"]) for row in store.cluster_rows(1)}
    finally:
        store.close()


def pairs(partition: Partition) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for url, label in partition.items():
        groups[label].append(url)
    return {tuple(sorted(p)) for g in groups.values() for p in combinations(g, 2)}  # type: ignore[misc]


def clusters(partition: Partition) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for url, label in partition.items():
        groups[label].add(url)
    return {frozenset(g) for g in groups.values()}


def score(web: Web, partition: Partition) -> dict[str, float]:
    truth = {page.url: page.story for page in web.pages}
    want, got = pairs(truth), pairs({u: partition.get(u, u) for u in truth})
    common = len(want & got)
    original = {page.url: page.copy_of for page in web.pages}
    excerpts = [p.url for p in web.pages if p.kind == "excerpt"]
    folded = sum(1 for url in excerpts if partition.get(url) == partition.get(original[url] or ""))
    negatives = [p.url for p in web.pages if p.kind in {"followup", "short"}]
    sizes: dict[str, int] = defaultdict(int)
    for label in partition.values():
        sizes[label] += 1
    merged = sum(1 for url in negatives if sizes[partition.get(url, url)] > 1)
    return {
        "pair precision": common / max(len(got), 1),
        "pair recall": common / max(len(want), 1),
        "excerpts folded": folded / max(len(excerpts), 1),
        "negatives merged": merged,
        "pages seen": len(partition),
    }


def baseline(web: Web, order: list[str]) -> Partition:
    """Plain MinHashLSH on plain trafilatura text: query, fold into the first hit, insert."""
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    partition: Partition = {}
    for url in order:
        host, _, path = url.removeprefix("http://").partition("/")
        page = web.root / host / path
        if page.is_dir() or path.endswith("/") or not path:
            page = page / "index.html"
        text = trafilatura.extract(page.read_text(encoding="utf-8"), include_comments=False) or ""
        words = text.lower().split()
        minhash = MinHash(num_perm=128)
        minhash.update_batch(
            " ".join(words[i : i + 5]).encode() for i in range(max(len(words) - 4, 1))
        )
        hits = lsh.query(minhash)
        partition[url] = partition[hits[0]] if hits else url
        lsh.insert(url, minhash)
    return partition


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--originals", type=int, default=160)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsfold-dedup-") as tmp:
        work = Path(tmp)
        source = DEV_SET if DEV_SET.is_dir() else None
        web = build_web(work / "web", originals=args.originals, seed=args.seed, source=source)
        kinds: dict[str, int] = defaultdict(int)
        for page in web.pages:
            kinds[page.kind] += 1
        print(
            f"web: {len(web.pages)} pages on {len({p.site for p in web.pages})} sites, "
            + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
        )
        server, proxy = serve(web.root)
        try:
            first, second = web.article_urls(args.seed), web.article_urls(args.seed + 1)
            started = time.perf_counter()
            records = partition_of(crawl(first, work / "a", proxy, work / "a.sqlite"))
            seconds = time.perf_counter() - started
            run_a = state_partition(work / "a.sqlite")
            crawl(second, work / "b", proxy, work / "b.sqlite")
            run_b = state_partition(work / "b.sqlite")
            third = len(first) // 3
            for n, part in enumerate((first[:third], first[third : 2 * third], first[2 * third :])):
                crawl(part, work / f"s{n}", proxy, work / "s.sqlite")
            split = state_partition(work / "s.sqlite")
        finally:
            server.terminate()
            server.wait(timeout=10)
        started = time.perf_counter()
        plain = baseline(web, first)
        baseline_seconds = time.perf_counter() - started
    results = {
        "newsfold": score(web, run_a),
        "records only": score(web, records),
        "MinHashLSH 0.5": score(web, plain),
    }
    print(f"{'':<22}" + "".join(f"{name:>18}" for name in results))
    for metric in results["newsfold"]:
        row = "".join(f"{_fmt(results[name][metric]):>18}" for name in results)
        print(f"{metric:<22}{row}")
    print(
        f"{'seconds':<22}{seconds:>18.1f}{'':>18}{baseline_seconds:>18.1f}"
        "  (crawl vs extract+index)"
    )
    print(f"same clusters, another order:  {clusters(run_a) == clusters(run_b)}")
    print(f"same clusters, three runs:     {clusters(run_a) == clusters(split)}")
    return 0


def _fmt(value: float) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    sys.exit(main())
