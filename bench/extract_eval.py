"""Extraction robustness on trafilatura's evaluation pages: newsfold beside plain trafilatura.

Reads `../shared/data/trafilatura-eval` (990 pages of every kind: news, blogs, forums,
shops, institutions; each with snippets its text must keep and snippets it must not), runs
newsfold's extraction and cleaning (`bench.extract.newsfold_document`, as the crawl does,
with the site templates its earlier pages of a site taught) and plain trafilatura 2.3
(`include_comments=False`) on every page, and scores both as trafilatura's own comparison
does: a `with` snippet found is a true positive, one missing a false negative; a `without`
snippet absent is a true negative, one present a false positive; summed over the pages,
then precision, recall and F1. Snippets and texts are compared with white space collapsed.
Also counts pages that come out empty, and time per page. Prints figures; asserts nothing.

    python -m bench.extract --set trafilatura-eval [--data DIR] [--failures FILE]
        [--scores FILE] [--against FILE]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import trafilatura

from bench.extract_report import Scores, report
from bench.newsfold_reading import newsfold_document
from crawler.responses import choose_encoding
from crawler.state import SQLiteState
from pipelines.templates import SiteTemplates

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "trafilatura-eval"
# A fixed visit time: dates a page shows are judged against it, the same in every run.
FETCHED = datetime(2024, 1, 1, tzinfo=UTC).isoformat()


@dataclass
class EvalPage:
    url: str
    name: str  # the file under html/
    html: bytes
    keep: list[str]  # snippets the text must hold
    drop: list[str]  # snippets it must not


def load_pages(data: Path) -> list[EvalPage]:
    """The set's pages in its own order, with their snippets."""
    expected = json.loads((data / "expected.json").read_text())
    return [
        EvalPage(
            url=url,
            name=entry["html"],
            html=gzip.decompress((data / "html" / entry["html"]).read_bytes()),
            keep=list(entry.get("with") or []),
            drop=list(entry.get("without") or []),
        )
        for url, entry in expected.items()
    ]


def collapse(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Tally:
    """True and false positives and negatives over the pages, as trafilatura counts them."""

    tp: int = 0
    fn: int = 0
    tn: int = 0
    fp: int = 0
    empty: int = 0
    seconds: float = 0.0
    scores: Scores = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)

    def add(self, page: EvalPage, text: str) -> None:
        shown = collapse(text)
        missing = [s for s in page.keep if collapse(s) not in shown]
        present = [s for s in page.drop if collapse(s) in shown]
        self.tp += len(page.keep) - len(missing)
        self.fn += len(missing)
        self.fp += len(present)
        self.tn += len(page.drop) - len(present)
        self.empty += not shown
        self.scores[page.url] = {
            "kept": round((len(page.keep) - len(missing)) / max(len(page.keep), 1), 4),
            "dropped": round((len(page.drop) - len(present)) / max(len(page.drop), 1), 4),
            "not empty": bool(shown),
        }
        if missing or present:
            self.failures.append({"url": page.url, "missing": missing, "present": present})

    def figures(self, pages: int) -> dict[str, float | int]:
        precision = self.tp / max(self.tp + self.fp, 1)
        recall = self.tp / max(self.tp + self.fn, 1)
        return {
            "precision": precision,
            "recall": recall,
            "F1": 2 * precision * recall / ((precision + recall) or 1),
            "empty pages": self.empty,
            "ms per page": 1000 * self.seconds / pages,
        }


def newsfold_text(page: EvalPage, templates: SiteTemplates) -> str:
    encoding = choose_encoding("", page.html).encoding
    return newsfold_document(page.url, page.html, encoding, FETCHED, templates).text


def trafilatura_text(page: EvalPage) -> str:
    found = trafilatura.extract(page.html, url=page.url, include_comments=False)
    return found or ""


def run(data: Path, args: argparse.Namespace) -> int:
    if not (data / "expected.json").is_file():
        print(f"trafilatura's evaluation set not found at {data}", file=sys.stderr)
        return 2
    pages = load_pages(data)
    templates = SiteTemplates(SQLiteState(Path(":memory:")), min_pages=3, max_chars=300)
    extractors: dict[str, Callable[[EvalPage], str]] = {
        "newsfold": lambda page: newsfold_text(page, templates),
        "trafilatura 2.3": trafilatura_text,
    }
    tallies = {name: Tally() for name in extractors}
    for page in pages:
        for name, extractor in extractors.items():
            started = time.perf_counter()
            text = extractor(page)
            tallies[name].seconds += time.perf_counter() - started
            tallies[name].add(page, text)
    snippets = sum(len(p.keep) + len(p.drop) for p in pages)
    heading = f"{len(pages)} pages, {snippets} snippets (trafilatura's evaluation set)"
    report(heading, tallies, len(pages), args)
    return 0
