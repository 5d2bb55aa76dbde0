"""Extraction by layout family: crawl each family's site and count chrome and wrong titles.

For every family of `bench.layout_web`, the real `site` spider crawls the site from its
home page. Each record is scored against what its article published:

- chrome lines: lines of the record's text that are in no published paragraph (menus,
  bylines, footers, comments, "Loading ...");
- body recall: the share of the published paragraphs found in the text;
- titles exact: from the fourth record of the site on (the first three pages are what
  the site's template is learned from).

    python -m bench.layouts [--seed 7] [--pages 30] [--family amp ...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.dedup import CRAWL, crawl_env, read_jsonl
from bench.layout_web import FAMILIES, LayoutPage, build, site_for
from bench.sites import serve
from crawler.normalise import fold

ROOT = Path(__file__).resolve().parents[1]
LEARNING_PAGES = 3  # a site's first pages teach its template; titles are exact after them


@dataclass
class FamilyScore:
    family: str
    pages: int
    records: int = 0
    chrome: list[tuple[str, str]] = field(default_factory=list)  # (url, line)
    wrong_titles: list[tuple[str, str, str]] = field(default_factory=list)  # url, got, want
    recall: float = 0.0
    missing: list[str] = field(default_factory=list)  # article URLs with no record
    exit: int = 0  # the crawl's exit code
    lost: list[tuple[str, str]] = field(default_factory=list)  # (url, published paragraph)

    def row(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "pages": self.pages,
            "records": self.records,
            "chrome lines": len(self.chrome),
            "titles wrong (4th page on)": len(self.wrong_titles),
            "body recall": round(self.recall, 3),
            "missing": len(self.missing),
            "exit": self.exit,
        }


def score_family(
    family: str, truth: list[LayoutPage], records: list[dict[str, Any]]
) -> FamilyScore:
    """How the records of one family's crawl (in output order) compare with the truth."""
    pages = {p.url: p for p in truth if p.family == family}
    score = FamilyScore(family, len(pages))
    latest: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for record in records:
        if record.get("url") in pages:
            if record["url"] not in latest:
                order.append(record["url"])
            latest[record["url"]] = record
    score.records = len(latest)
    score.missing = sorted(set(pages) - set(latest))
    found = total = 0
    for n, url in enumerate(order):
        page, record = pages[url], latest[url]
        published = fold(" ".join(page.paragraphs))
        text = record.get("text") or ""
        for line in text.split("\n"):
            key = fold(line)
            if key and key not in published:
                score.chrome.append((url, line))
        got = fold(text)
        lost = [p for p in page.paragraphs if fold(p) not in got]
        score.lost += [(url, p) for p in lost]
        found += len(page.paragraphs) - len(lost)
        total += len(page.paragraphs)
        if n >= LEARNING_PAGES and record.get("title") != page.title:
            score.wrong_titles.append((url, str(record.get("title")), page.title))
    score.recall = found / total if total else 0.0
    return score


def crawl_site(address: str, host: str, workdir: Path) -> tuple[int, list[dict[str, Any]]]:
    """The exit code and records of a crawl of `host` from its home page, through the
    proxy at `address` (this checkout's code, whatever is installed)."""
    workdir.mkdir(parents=True, exist_ok=True)
    settings = {
        **CRAWL,
        "LOG_LEVEL": "WARNING",
        "STATE_URL": f"sqlite:///{workdir / 'state.sqlite'}",
        "LOG_FILE": str(workdir / "crawl.log"),
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "site", "-a", f"start=http://{host}/"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    command += ["-o", str(workdir / "out.jsonl")]
    env = {**crawl_env(address), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    out = workdir / "out.jsonl"
    return done.returncode, read_jsonl(out) if out.exists() else []


def run(
    families: tuple[str, ...], pages: int, seed: int, verbose: bool, keep: bool = False
) -> list[FamilyScore]:
    scores = []
    with tempfile.TemporaryDirectory(prefix="newsfold-layouts-") as scratch:
        tmp = tempfile.mkdtemp(prefix="newsfold-layouts-") if keep else scratch
        if keep:
            print(f"crawls in {tmp}")
        root = Path(tmp) / "sites"
        truth = build(root, pages, seed)
        server, address = serve(root)
        try:
            for family in families:
                code, records = crawl_site(address, site_for(family).host, Path(tmp) / family)
                score = score_family(family, truth, records)
                score.exit = code
                scores.append(score)
                print(json.dumps(score.row()), flush=True)
                if verbose:
                    for url, line in score.chrome[:8]:
                        print(f"   chrome {url}: {line[:110]!r}")
                    for url, got, want in score.wrong_titles[:5]:
                        print(f"   title {url}: {got!r} != {want!r}")
                    for url, text in score.lost[:5]:
                        print(f"   lost {url}: {text[:110]!r}")
                    for url in score.missing[:5]:
                        print(f"   missing {url}")
        finally:
            server.terminate()
            server.wait()
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--family", action="append", choices=FAMILIES)
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the sites and crawls")
    args = parser.parse_args()
    scores = run(tuple(args.family or FAMILIES), args.pages, args.seed, args.verbose, args.keep)
    chrome = sum(len(s.chrome) for s in scores)
    titles = sum(len(s.wrong_titles) for s in scores)
    print(f"all families: {chrome} chrome lines, {titles} wrong titles from the 4th page on")


if __name__ == "__main__":
    main()
