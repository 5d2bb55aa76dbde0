"""`make demo`: crawl the bundled sample sites offline and show how the story folded.

Starts `sample/serve.py` on loopback, runs `scrapy crawl news` on `sample/sources.toml`
through it (as an HTTP proxy, so the sites keep their own host names), writes
`output/demo/articles.jsonl` and `output/demo/copies.jsonl` from a fresh state, and
prints a summary of the records folded as a consumer folds them (each id's record with
the highest revision): whichever page of the story the crawl met first, its article is
the original. Before the crawl, `scrapy add-source` discovers one sample site's feeds
and sitemaps from its home page into `output/demo/discovered.toml`, and the demo prints
what it chose. Then writes the syndication report (`scrapy report`) to
`output/demo/report.html` and prints its path. Exits non-zero when the crawl fails or
writes nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crawler.stats import DROPPED, EXTRACT_PAGES

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "output" / "demo"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def fold(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each id's current record: the one with the highest revision."""
    latest: dict[str, dict[str, Any]] = {}
    for record in records:
        if record["revision"] >= latest.get(record["id"], {"revision": 0})["revision"]:
            latest[record["id"]] = record
    return list(latest.values())


ENV = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
STATE_URL = f"sqlite:///{OUT / 'state.sqlite'}"


def crawl(proxy: str) -> int:
    feeds = {
        str(OUT / "articles.jsonl"): {
            "format": "jsonlines",
            "overwrite": True,
            "item_classes": ["crawler.items.Article"],
        },
        str(OUT / "copies.jsonl"): {
            "format": "jsonlines",
            "overwrite": True,
            "item_classes": ["crawler.items.Copy"],
        },
    }
    settings = {
        "STATE_URL": STATE_URL,
        "ALLOW_PRIVATE_NETWORKS": "True",
        "FEEDS": json.dumps(feeds),
        "STATS_FILE": str(OUT / "stats.json"),
        "LOG_FILE": str(OUT / "crawl.log"),
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
    }
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "news",
        "-a",
        f"sources={ROOT / 'sample' / 'sources.toml'}",
    ]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    env = {**ENV, "http_proxy": proxy}
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


DISCOVERED_SITE = "http://sahelmonitor.test/"


def discover(proxy: str) -> list[str]:
    """`scrapy add-source` on one sample site: what it chose, and how many guesses missed."""
    command = [sys.executable, "-m", "scrapy", "add-source", DISCOVERED_SITE]
    command += ["-o", str(OUT / "discovered.toml")]
    for setting in (
        "ALLOW_PRIVATE_NETWORKS=True",
        "DOWNLOAD_DELAY=0",
        "AUTOTHROTTLE_ENABLED=False",
    ):
        command += ["-s", setting]
    env = {**ENV, "http_proxy": proxy}
    done = subprocess.run(command, cwd=ROOT, env=env, check=False, capture_output=True, text=True)
    lines = done.stdout.splitlines()
    missed = sum(1 for line in lines if line.startswith("not found: "))
    return [
        f"Discovered by `scrapy add-source {DISCOVERED_SITE}` (exit {done.returncode}):",
        *(f"  {line}" for line in lines if not line.startswith("not found: ")),
        f"  {missed} other candidates probed and not used",
        "",
    ]


def report() -> int:
    """`scrapy report` on the demo's state: the HTML report next to its output."""
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "report",
        "-o",
        str(OUT / "report.html"),
        "-s",
        f"STATE_URL={STATE_URL}",
    ]
    done = subprocess.run(command, cwd=ROOT, env=ENV, check=False, capture_output=True, text=True)
    if done.returncode:
        print(done.stderr, file=sys.stderr, end="")
    return done.returncode


def summary(
    records: list[dict[str, Any]], stats: dict[str, Any], discovered: Sequence[str] = ()
) -> str:
    current = fold(records)
    articles = [r for r in current if r["kind"] == "article"]
    copies = [r for r in current if r["kind"] == "copy"]
    by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for copy in copies:
        by_article[copy["duplicate_of"]].append(copy)
    dropped = {k.split("/")[-1]: v for k, v in stats.items() if k.startswith(DROPPED)}
    reasons = ", ".join(f"{reason} {count}" for reason, count in dropped.items())
    lines = [
        *discovered,
        f"newsfold demo: {stats.get(EXTRACT_PAGES, 0)} pages extracted -> "
        f"{len(articles)} articles, {len(copies)} copies, "
        f"{sum(dropped.values())} not articles ({reasons}); "
        f"{len(records) - len(current)} records written again as their stories changed",
        "",
    ]
    for article in articles:
        folded = by_article.get(article["id"])
        if not folded:
            continue
        lines.append(f"Folded story: {article['title']!r}")
        lines.append(
            f"  kept   {article['site']:<20} {article['published'] or '':<26} {article['url']}"
        )
        lines.append(f"         ({article['why']})")
        for copy in sorted(folded, key=lambda c: c["site"]):
            how = f"{copy['method']} {max(copy['similarity'], copy['containment']):.2f}"
            lines.append(f"  copy   {copy['site']:<20} {how:<26} {copy['url']}")
        credits = [c["raw"] for c in article["credits"]]
        if credits:
            lines.append(f"  credits recorded (not in text): {credits}")
        lines.append("")
    others = [a for a in articles if a["id"] not in by_article]
    lines.append(f"Other articles ({len(others)}):")
    lines += [f"  {a['site']:<20} {a['title']}" for a in others]
    lines += ["", f"Output: {OUT.relative_to(ROOT)}/articles.jsonl, copies.jsonl"]
    lines += [f"Report: {OUT.relative_to(ROOT)}/report.html"]
    return "\n".join(lines)


def main() -> int:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "sample" / "serve.py")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        proxy = server.stdout.readline().strip()
        discovered = discover(proxy)
        code = crawl(proxy)
    finally:
        server.terminate()
        server.wait(timeout=10)
    records = read_jsonl(OUT / "articles.jsonl") + read_jsonl(OUT / "copies.jsonl")
    stats_path = OUT / "stats.json"
    stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    if code != 0 or not records:
        print(f"demo crawl failed (exit {code}); see {OUT / 'crawl.log'}", file=sys.stderr)
        return code or 1
    code = report()
    if code:
        print(f"demo report failed (exit {code})", file=sys.stderr)
        return code
    print(summary(records, stats, discovered))
    return 0


if __name__ == "__main__":
    sys.exit(main())
