"""The syndication report at scale: 10,000 stories written and drawn in headless chromium.

Builds a real SQLite state of 10,000 stories of varied sizes (most on one site, a few
republished dozens of times, as news is) through the state's own claim and settle calls,
and 30 runs' manifests of 40 sources, then writes the report as `scrapy report` does and
loads it in Debian's chromium (`bench.browser`): the file's size, the time to gather and
render it, and the page's time from navigation start to its load event and to its story
list drawn, and one search over every story. Target: drawn in under 2 s.

    python -m bench.report [--stories 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from bench.browser import chromium_page
from bench.words import WORDS
from crawler.report_data import report_from_state
from crawler.report_html import render
from crawler.state import SQLiteState
from crawler.state.records import PageEntry
from crawler.state.stories import Evidence, Settlement

SITES = [
    f"{name}.test"
    for name in (
        "wire",
        "daily",
        "post",
        "herald",
        "times",
        "monitor",
        "observer",
        "tribune",
        "courier",
        "gazette",
        "chronicle",
        "record",
        "express",
        "standard",
        "guardian",
        "mirror",
        "sun",
        "star",
        "globe",
        "journal",
        "review",
        "news24",
        "briefs",
        "today",
        "eagle",
        "voice",
        "nation",
        "citizen",
        "reporter",
        "bulletin",
        "dispatch",
        "ledger",
        "sentinel",
        "times2",
        "weekly",
        "digest",
        "insider",
        "argus",
        "mail",
        "pioneer",
    )
]
METHODS = (("jaccard", 0.97, 0.98), ("jaccard", 0.8, 0.85), ("containment", 0.3, 0.95))


def story_size(rng: random.Random) -> int:
    """Half the stories on one page; a long tail republished up to 60 times."""
    return 1 if rng.random() < 0.5 else min(60, 1 + int(rng.paretovariate(1.2)))


def copy_text(rng: random.Random, text: list[str]) -> list[str]:
    """A copy as syndication makes them: whole, an excerpt, edited, or padded."""
    roll = rng.random()
    if roll < 0.5:
        return text
    if roll < 0.7:
        return text[: max(len(text) // 3, 40)]
    if roll < 0.85:
        return [*text[: len(text) // 2], *rng.choices(WORDS, k=len(text) // 3)]
    return [*text, *rng.choices(WORDS, k=80)]


def fields(
    rng: random.Random, doc: str, site: str, title: str, when: datetime, text: list[str]
) -> dict[str, Any]:
    return {
        "id": doc,
        "url": f"https://{site}/{when:%Y/%m/%d}/{title.lower().replace(' ', '-')}",
        "canonical_url": f"https://{site}/{doc}",
        "site": site,
        "title": title,
        "authors": [],
        "published": when.isoformat(timespec="seconds"),
        "published_source": "meta",
        "modified": None,
        "modified_source": None,
        "language": "en",
        "site_name": site,
        "description": None,
        "tags": [],
        "text": "x" * rng.randint(800, 6000),
        "credits": [],
        "fetched_at": when.isoformat(timespec="seconds"),
    }


def build_state(path: Path, stories: int, seed: int = 7) -> int:
    """A state of `stories` stories; returns its pages."""
    rng = random.Random(seed)
    store = SQLiteState(path)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    shingles = np.arange(50, dtype=np.uint32)
    pages = 0
    with store.transaction():
        for n in range(stories):
            title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 11))).capitalize()
            sites = rng.sample(SITES, min(story_size(rng), len(SITES)))
            when = start + timedelta(minutes=rng.randint(0, 60 * 24 * 300))
            article = f"s{n:05d}p0"
            text = rng.choices(WORDS, k=rng.randint(150, 1000))
            entry = PageEntry.of(article, fields(rng, article, sites[0], title, when, text), 50, "")
            store.claim(article, [n], shingles, entry)
            for k, site in enumerate(sites[1:], 1):
                doc = f"s{n:05d}p{k}"
                lag = timedelta(hours=rng.expovariate(1 / 20))
                retitled = title if rng.random() < 0.7 else f"{title} (update)"
                store.claim(
                    doc,
                    [n],
                    shingles,
                    PageEntry.of(
                        doc,
                        fields(rng, doc, site, retitled, when + lag, copy_text(rng, text)),
                        50,
                        "",
                    ),
                )
                method, similarity, containment = rng.choice(METHODS)
                evidence = Evidence(article, similarity, containment, method)
                store.settle(
                    Settlement(
                        doc,
                        {article: 0},
                        article,
                        article,
                        "earliest published",
                        evidence,
                        {},
                        [doc],
                    )
                )
            pages += len(sites)
        for run in range(30):
            store.begin_run(
                {
                    "id": f"run-{run:02d}",
                    "started": f"2026-01-{run + 1:02d}",
                    "status": "finished",
                    "manifest": str(path.parent / f"manifest-run-{run:02d}.json"),
                }
            )
    store.close()
    for run in range(30):
        sources = {
            site: {
                "fetched": (f := rng.randint(20, 200)),
                "articles": f // 2,
                "copies": f // 4,
                "dropped": {"too_short": rng.randint(0, 5), "home_page": 1},
                "skipped": {},
                "errors": {"http_404": rng.randint(0, 3)},
                "text_chars": rng.randint(2000, 4000),
            }
            for site in SITES
        }
        manifest = {
            "run": f"run-{run:02d}",
            "started": f"2026-01-{run + 1:02d}T00:00:00+00:00",
            "exit_code": 0,
            "sources": sources,
            "warnings": [],
            "totals": {
                "articles": 3000,
                "copies": 1500,
                "dropped": {"too_short": 90},
                "errors": {"http_404": 40},
            },
        }
        (path.parent / f"manifest-run-{run:02d}.json").write_text(json.dumps(manifest))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="write the state and report here")
    opts = parser.parse_args()
    folder = opts.keep or Path(tempfile.mkdtemp(prefix="newsfold-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    state = folder / "state.sqlite"
    state.unlink(missing_ok=True)
    began = time.perf_counter()
    pages = build_state(state, opts.stories)
    print(
        f"state: {opts.stories} stories, {pages} pages, 30 runs of 40 sources "
        f"(built in {time.perf_counter() - began:.1f} s)"
    )
    began = time.perf_counter()
    store = SQLiteState(state)
    report = report_from_state(store)
    store.close()
    gathered = time.perf_counter() - began
    began = time.perf_counter()
    page = render(report)
    rendered = time.perf_counter() - began
    path = folder / "report.html"
    path.write_text(page, encoding="utf-8")
    print(
        f"report: {path.stat().st_size / 1e6:.2f} MB; gathered from the state in "
        f"{gathered:.2f} s, rendered in {rendered:.2f} s"
    )
    with chromium_page() as browser:
        loads, drawn = [], []
        for _ in range(3):
            browser.goto(path.as_uri())
            browser.wait_for_selector("body[data-ready='1']")
            timing = browser.evaluate(
                "() => { const t = performance.getEntriesByType('navigation')[0];"
                " return [t.loadEventEnd, performance.now()]; }"
            )
            loads.append(timing[0])
            drawn.append(timing[1])
        began = time.perf_counter()
        browser.fill("#search", "harvest")
        browser.wait_for_selector("#shown:not(:empty)")
        browser.locator("#shown").filter(has_not_text=f"{opts.stories} of").wait_for()
        searched = time.perf_counter() - began
        assert browser.errors == [], browser.errors
        shown = browser.locator("#shown").text_content()
    print(
        f"chromium: load event at {min(loads):.0f} ms (best of 3; "
        f"{', '.join(f'{t:.0f}' for t in loads)}), stories drawn by "
        f"{min(drawn):.0f} ms; search 'harvest' -> {shown} in {searched * 1000:.0f} ms "
        f"(with the 120 ms typing pause); target < 2000 ms"
    )


if __name__ == "__main__":
    main()
