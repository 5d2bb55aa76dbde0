"""`make bench-dedup`: story folding on a synthetic syndication web, in every crawl order.

Builds the web of `bench.syndication_web` (17 sites in five layout families, real
originals, nine copy kinds, hard negatives) in a temporary folder, serves it on loopback
and crawls it with the real `urls` spider and pipelines, each order from a fresh state:
originals first, copies first, excerpts first (each strictly in list order: one request
at a time, from one FIFO queue), three random orders (the crawler's own concurrency), and
the first random order split over three runs that share one state. After each crawl,
`scrapy clusters --min-size 1` exports the state's stories.

Each order is scored (`bench.story_scores`) from the records, read by the output
contract (the last record per `id` wins; `cluster_id`, else `duplicate_of` chains), and
from the clusters export: pair precision, recall and F1, the stories whose article is the
original, excerpts kept as articles, hard negatives merged, and records written against
pages. Then, for the misses, which kinds of pages on which layouts are not folded or are
kept instead of the original. Beside them, a plain datasketch `MinHashLSH` (threshold
0.5, 128 permutations, word 5-shingles of plain trafilatura text, query then insert) over
the same pages in the same orders. Last, one crawl with `DEDUP_ENABLED` off shows what
extraction leaves in or loses per layout, and how close every copy's text comes to its
original's (`bench.web_text`). Prints figures; asserts nothing.

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
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trafilatura
from datasketch import MinHash, MinHashLSH

from bench import web_text
from bench.sites import serve
from bench.story_scores import StoryScore, pairs, score_stories
from bench.syndication_web import COPY_KINDS, DEV_SET, LAYOUTS, Web, build_web, local_file
from crawler.state import SQLiteState

ROOT = Path(__file__).resolve().parents[1]
Partition = dict[str, str]  # url -> cluster label
Record = dict[str, Any]

# Every crawl: loopback, no politeness delays (as the crawler's own tests run).
CRAWL = {
    "ALLOW_PRIVATE_NETWORKS": "True",
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
}
# Ordered crawls: Scrapy's default queue takes requests round-robin over sites (the least
# busy site first), and up to CONCURRENT_REQUESTS pages are in flight, so "copies first"
# would mean "each site's copies before that site's originals". One request at a time
# from one FIFO queue keeps the list order; only extraction in the worker processes lets
# a page finish just before the one fetched ahead of it ("late" counts what overtook).
ORDERED = {
    "CONCURRENT_REQUESTS": "1",
    "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue",
}


def crawl(
    urls: list[str],
    workdir: Path,
    proxy: str,
    state: Path,
    settings: Mapping[str, str] | None = None,
) -> list[Record]:
    """One run of `scrapy crawl urls` over the given URLs; its records, in file order."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "urls.txt").write_text("\n".join(urls) + "\n")
    chosen = {
        **CRAWL,
        "STATE_URL": f"sqlite:///{state}",
        "LOG_FILE": str(workdir / "crawl.log"),
        **(settings or {}),
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "urls", "-a", "file=urls.txt"]
    for name, value in chosen.items():
        command += ["-s", f"{name}={value}"]
    command += ["-O", "out.jsonl"]
    subprocess.run(command, cwd=workdir, env=crawl_env(proxy), check=True)
    return read_jsonl(workdir / "out.jsonl")


def export_clusters(workdir: Path, state: Path) -> list[Record]:
    """`scrapy clusters --min-size 1` over a crawl's state: every story, as exported."""
    out = workdir / "clusters.jsonl"
    command = [sys.executable, "-m", "scrapy", "clusters", "--min-size", "1", "-o", str(out)]
    command += ["-s", f"STATE_URL=sqlite:///{state}"]
    subprocess.run(command, cwd=workdir, env=crawl_env(None), check=True)
    return read_jsonl(out)


def crawl_env(proxy: str | None) -> dict[str, str]:
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    if proxy:
        env["http_proxy"] = proxy
    return env


def read_jsonl(path: Path) -> list[Record]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line]


def state_partition(state: Path) -> Partition:
    """url -> cluster id, as the state store (and `scrapy clusters`) has them."""
    store = SQLiteState(state)
    try:
        return {str(row["url"]): str(row["cluster"]) for row in store.cluster_rows(1)}
    finally:
        store.close()


def clusters(partition: Partition) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for url, label in partition.items():
        groups[label].add(url)
    return {frozenset(g) for g in groups.values()}


def score(web: Web, partition: Partition) -> dict[str, float]:
    """Pair precision and recall of one partition, excerpts folded, negatives merged."""
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


# --- Baseline ---------------------------------------------------------------------------------


def baseline_prints(web: Web) -> dict[str, MinHash]:
    """A MinHash of every page's plain trafilatura text (word 5-shingles)."""
    prints = {}
    for page in web.pages:
        markup = local_file(web.root, page.url).read_text(encoding="utf-8")
        words = (trafilatura.extract(markup, include_comments=False) or "").lower().split()
        minhash = MinHash(num_perm=128)
        minhash.update_batch(
            " ".join(words[i : i + 5]).encode() for i in range(max(len(words) - 4, 1))
        )
        prints[page.url] = minhash
    return prints


def baseline(order: list[str], prints: Mapping[str, MinHash]) -> list[Record]:
    """Plain MinHashLSH in crawl order: query, fold into the first hit, insert; as records."""
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    root: dict[str, str] = {}
    records = []
    for url in order:
        hits = lsh.query(prints[url])
        root[url] = root[hits[0]] if hits else url
        records.append({"id": url, "url": url, "duplicate_of": None if not hits else root[url]})
        lsh.insert(url, prints[url])
    return records


# --- The runs ---------------------------------------------------------------------------------


@dataclass
class Run:
    """One crawl order: its name, URL list, and what it scored."""

    name: str
    order: str
    urls: list[str]
    seconds: float
    score: StoryScore
    records: list[Record]


def run_orders(web: Web, work: Path, proxy: str, seed: int) -> list[Run]:
    """Every order from a fresh state (the split one over three runs of one state)."""
    plan = [
        ("originals first", "originals-first", seed, ORDERED),
        ("copies first", "copies-first", seed, ORDERED),
        ("excerpts first", "excerpts-first", seed, ORDERED),
        *((f"random {s}", "random", s, {}) for s in (seed, seed + 1, seed + 2)),
    ]
    runs = []
    for name, order, order_seed, settings in plan:
        urls = web.ordered_urls(order, order_seed)
        folder = work / name.replace(" ", "-")
        state = folder / "state.sqlite"
        started = time.perf_counter()
        records = crawl(urls, folder / "crawl", proxy, state, settings)
        seconds = time.perf_counter() - started
        runs.append(
            scored(web, name, order, urls, records, export_clusters(folder, state), seconds)
        )
    urls = web.ordered_urls("random", seed)
    folder, third = work / "split", len(urls) // 3
    started = time.perf_counter()
    records = []
    for n, part in enumerate((urls[:third], urls[third : 2 * third], urls[2 * third :])):
        records += crawl(part, folder / f"run{n}", proxy, folder / "state.sqlite")
    seconds = time.perf_counter() - started
    export = export_clusters(folder, folder / "state.sqlite")
    runs.append(scored(web, f"random {seed}, 3 runs", "random", urls, records, export, seconds))
    return runs


def scored(
    web: Web,
    name: str,
    order: str,
    urls: list[str],
    records: list[Record],
    export: list[Record] | None,
    seconds: float,
) -> Run:
    """A run with its scores; `order` names the groups its pages could overtake."""
    groups = {p.url: web.group(order, p) for p in web.pages}
    return Run(
        name, order, urls, seconds, score_stories(web.pages, records, export, groups), records
    )


# --- Printing ---------------------------------------------------------------------------------


def table(runs: list[Run], baselines: list[Run]) -> list[str]:
    """One row per order: records and export scores, articles, negatives, records written."""
    head = (
        f"{'order':<22}{'recs':>5}{'rec P':>7}{'rec R':>7}{'rec F1':>7}{'clu P':>7}{'clu R':>7}"
        f"{'clu F1':>7}{'F1=':>5}{'orig':>9}{'orig clu':>9}{'exc art':>8}{'neg':>4}"
        f"{'late':>5}{'s':>6}"
    )
    lines = [head]
    for run in [*runs, *baselines]:
        s = run.score
        export = s.export
        lines.append(
            f"{run.name:<22}{s.records_written:>5}{s.records.precision:>7.3f}"
            f"{s.records.recall:>7.3f}{s.records.f1:>7.3f}"
            + (
                f"{export.precision:>7.3f}{export.recall:>7.3f}{export.f1:>7.3f}"
                f"{'yes' if s.f1_equal else 'no':>5}"
                if export
                else f"{'-':>7}{'-':>7}{'-':>7}{'-':>5}"
            )
            + f"{f'{s.original_article}/{s.folded}':>9}"
            + f"{'-' if s.export_original is None else f'{s.export_original}/{s.folded}':>9}"
            + f"{s.excerpt_articles:>8}{s.negatives_merged:>4}{s.late:>5}{run.seconds:>6.1f}"
        )
    return lines


def consistency(runs: list[Run]) -> list[str]:
    """Per order: pages written, ids written twice, and whether the views agree."""
    lines = []
    for run in runs:
        s = run.score
        again = sum(1 for n in Counter(str(r["id"]) for r in run.records).values() if n > 1)
        lines.append(
            f"  {run.name:<22} pages with a record {s.pages_written}/{s.pages}, records per "
            f"page {s.records_written / s.pages:.2f}, ids written more than once {again}, "
            "record groups without exactly one "
            f"article {s.groups_not_one_article}, cluster_id = duplicate_of chains "
            f"{_yes(s.chain_agrees)}, records = export {_yes(s.export_agrees)}"
        )
    return lines


def _yes(value: bool | None) -> str:
    return "-" if value is None else "yes" if value else "no"


def breakdown(runs: list[Run], attr: str, most: int = 16) -> list[str]:
    """Counts by page kind and layout (rows) and order (columns), non-zero rows only; past
    `most` rows, by kind and by layout apart."""
    counts = [getattr(run.score, attr) for run in runs]
    keys = sorted({k for c in counts for k in c}, key=lambda k: (_rank(k[0]), _rank(k[1])))
    if not keys:
        return ["  none"]
    lines = [f"  {'kind':<11}{'layout':<14}" + "".join(f"{_short(r.name):>10}" for r in runs)]
    if len(keys) <= most:
        for key in keys:
            lines.append(f"  {key[0]:<11}{key[1]:<14}" + "".join(f"{c[key]:>10}" for c in counts))
        return lines
    for side in (0, 1):
        values = sorted({k[side] for k in keys}, key=_rank)
        for value in values:
            label = f"{value:<11}{'(all)':<14}" if side == 0 else f"{'(all)':<11}{value:<14}"
            sums = [sum(n for k, n in c.items() if k[side] == value) for c in counts]
            lines.append(f"  {label}" + "".join(f"{n:>10}" for n in sums))
    return lines


def _rank(name: str) -> int:
    """Where a page kind or a layout goes in a breakdown."""
    names = ("original", *COPY_KINDS, "followup", "short", *LAYOUTS)
    return names.index(name) if name in names else 99


def _short(name: str) -> str:
    """A run's name in a column ten wide."""
    return name.replace(" first", "").replace("random", "rnd").replace(", 3 runs", " x3")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--originals", type=int, default=160)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsfold-dedup-") as tmp:
        work = Path(tmp)
        source = DEV_SET if DEV_SET.is_dir() else None
        web = build_web(work / "web", originals=args.originals, seed=args.seed, source=source)
        server, proxy = serve(web.root)
        try:
            runs = run_orders(web, work, proxy, args.seed)
            plain = crawl(
                web.ordered_urls("random", args.seed),
                work / "plain",
                proxy,
                work / "plain" / "state.sqlite",
                {"DEDUP_ENABLED": "False"},
            )
        finally:
            server.terminate()
            server.wait(timeout=10)
        started = time.perf_counter()
        prints = baseline_prints(web)
        baselines = []
        for run in runs[:4]:
            records = baseline(run.urls, prints)
            name = f"LSH 0.5 {_short(run.name)}"
            baselines.append(scored(web, name, run.order, run.urls, records, None, 0.0))
        baseline_seconds = time.perf_counter() - started
    print_report(web, runs, baselines, plain)
    print(
        f"\nplain MinHashLSH: {baseline_seconds:.1f} s to extract and hash every page; "
        f"the whole benchmark: {time.perf_counter() - began:.0f} s"
    )
    return 0


def print_report(web: Web, runs: list[Run], baselines: list[Run], plain: list[Record]) -> None:
    kinds = Counter(p.kind for p in web.pages)
    layouts = Counter(p.layout for p in web.pages)
    stories = Counter(p.story for p in web.pages)
    print(
        f"web: {len(web.pages)} pages on {len({p.site for p in web.pages})} sites; "
        + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    )
    print("layouts: " + ", ".join(f"{k} {layouts[k]}" for k in LAYOUTS if layouts[k]))
    print(f"stories of 2+ pages: {sum(1 for n in stories.values() if n > 1)}")
    print(
        "\nrecs: records written (pages: "
        f"{len(web.pages)}); rec/clu: pair scores from the records (last record per id) and "
        "from `scrapy clusters`;\nF1=: the two F1s equal; orig: stories of 2+ pages whose "
        "article record is the original; orig clu: whose export names\nthe original; exc "
        "art: excerpts written as articles; neg: follow-ups and briefs merged; late: pages "
        "that\novertook the order's second group; s: crawl seconds\n"
    )
    print("\n".join(table(runs, baselines)))
    print("\nconsistency:")
    print("\n".join(consistency(runs)))
    sections = (
        ("not folded (records): pages outside the group holding most of their story", "not_folded"),
        ("not folded (clusters export)", "not_folded_export"),
        ("kept as the story's article instead of the original (records)", "kept_instead"),
        ("originals the clusters export does not name as the original", "misnamed"),
        ("hard negatives merged (records)", "negatives"),
        ("pages with no record (dropped by extraction or as non-articles)", "unwritten"),
    )
    for title, attr in sections:
        print(f"\n{title}:")
        print("\n".join(breakdown(runs, attr)))
    print_text(web, plain)


def print_text(web: Web, records: Iterable[Record]) -> None:
    """The extraction audit of `bench.web_text` over a crawl without collapse."""
    records = list(records)
    results = web_text.read_web(web, records)
    print(
        "\nextraction by layout (a crawl with DEDUP_ENABLED off; prec/recall: 5-shingles of "
        "the text in the page's body / of the\narticle in the text; chrome/lost: pages with "
        "furniture left in / article paragraphs lost; captions and wire\ndatelines kept in "
        "the text; title: exact headline; day: publication day right):"
    )
    print("\n".join(web_text.layout_table(results)))
    print("\nchrome left in the text, commonest lines per layout (in how many pages; digits as #):")
    print("\n".join(web_text.frequent_lines(results, "chrome")))
    print("\nthe first chrome in the text of each site's first page that has any (/: new line):")
    print("\n".join(web_text.site_examples(results, LAYOUTS)))
    print("\narticle paragraphs lost, commonest per layout:")
    print("\n".join(web_text.frequent_lines(results, "lost", per_layout=2)))
    direct, unreachable = web_text.story_matches(web, records)
    print(
        "\ncopies against their original as the collapse compares them (record texts; "
        f"no direct: J < {web_text.SIMILARITY} and not C >= {web_text.CONTAINMENT};\n"
        "unreachable: no chain of direct matches between the story's pages joins it to the "
        "original):"
    )
    print("\n".join(web_text.kind_table(direct, unreachable)))
    print("\ncopies with no direct match, by kind and layout, then the furthest:")
    print("\n".join(web_text.unmatched(direct)) or "  none")


if __name__ == "__main__":
    sys.exit(main())
