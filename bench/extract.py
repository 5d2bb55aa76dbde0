"""`make bench-extract`: newsfold's extraction against plain trafilatura on real news pages.

Reads the development set in `../shared/data/fundus-news-pages` (258 pages, 181
publishers, expected title, body, authors and date), runs newsfold's extraction and
cleaning and plain trafilatura 2.3 (`include_comments=False`) on every page in one run,
and prints both side by side. Body text is scored as the public extraction benchmarks
do: `\\w+` tokens, multisets of 4-token shingles, precision and recall averaged over
pages, F1 of the averages. `--scores FILE` keeps newsfold's score of every page, and
`--against FILE` lists the pages that score worse than in such a file (an earlier
commit's), so a change's regressions are named, not averaged away. `--set
trafilatura-eval` runs `bench.extract_eval` on the robustness set instead. Prints
figures; asserts nothing.

    python -m bench.extract [--data DIR] [--failures FILE] [--scores FILE] [--against FILE]
    python -m bench.extract --set trafilatura-eval [...]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import trafilatura

from bench.extract_report import report
from bench.newsfold_reading import newsfold_document
from crawler.normalise import fold
from crawler.state import SQLiteState
from pipelines.templates import SiteTemplates

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "fundus-news-pages"
WORD = re.compile(r"\w+")
SHINGLE = 4


@dataclass
class Expected:
    name: str
    url: str
    crawl_date: str
    html: bytes
    title: str
    text: str
    authors: list[str]
    published: str | None
    publisher: str = ""  # the expectation file's name: "SalzburgerNachrichten"


@dataclass
class Found:
    title: str | None = None
    text: str = ""
    authors: list[str] = field(default_factory=list)
    published: str | None = None


def load_pages(data: Path) -> list[Expected]:
    """Pair each publisher's pages (by date) with its expectation versions (file order)."""
    pages = []
    for country in sorted(p for p in data.iterdir() if p.is_dir()):
        meta = json.loads((country / "meta.info").read_text())
        for expected_file in sorted(country.glob("*.json")):
            versions = list(json.loads(expected_file.read_text()).values())
            files = sorted(country.glob(f"{expected_file.stem}_*.html.gz"))
            for page_file, version in zip(files, versions, strict=False):
                info = meta.get(page_file.name, {})
                pages.append(
                    Expected(
                        name=f"{country.name}/{page_file.name}",
                        url=info.get("url", f"https://{expected_file.stem.lower()}.invalid/"),
                        crawl_date=info.get("crawl_date", "2026-01-01 00:00:00"),
                        html=gzip.decompress(page_file.read_bytes()),
                        title=version.get("title") or "",
                        text=body_text(version.get("body") or {}),
                        authors=list(version.get("authors") or []),
                        published=version.get("publishing_date"),
                        publisher=expected_file.stem,
                    )
                )
    return pages


def body_text(body: dict[str, Any]) -> str:
    parts = list(body.get("summary", []))
    for section in body.get("sections", []):
        parts += section.get("headline", []) + section.get("paragraphs", [])
    return "\n".join(parts)


# Pages are read in order, publisher by publisher, so later pages of a site are cleaned
# with the template its earlier pages taught, as in a crawl.
TEMPLATES = SiteTemplates(SQLiteState(Path(":memory:")), min_pages=3, max_chars=300)


def newsfold(page: Expected) -> Found:
    fetched = datetime.fromisoformat(page.crawl_date).astimezone().isoformat()
    doc = newsfold_document(page.url, page.html, "utf-8", fetched, TEMPLATES)
    return Found(doc.title, doc.text, doc.authors, doc.published)


def plain_trafilatura(page: Expected) -> Found:
    document = trafilatura.bare_extraction(
        page.html.decode("utf-8", "replace"),
        url=page.url,
        include_comments=False,
        with_metadata=True,
    )
    if document is None:
        return Found()
    result = document if isinstance(document, dict) else document.as_dict()
    authors = [a.strip() for a in (result.get("author") or "").split(";") if a.strip()]
    return Found(result.get("title"), result.get("text") or "", authors, result.get("date"))


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = WORD.findall(text.lower())
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


def text_scores(expected: str, found: str) -> tuple[float, float]:
    want, got = shingles(expected), shingles(found)
    if not got:
        return 0.0, 0.0
    common = sum((want & got).values())
    return common / sum(got.values()), common / max(sum(want.values()), 1)


def same_title(expected: str, found: str | None) -> bool:
    return " ".join(expected.split()) == " ".join((found or "").split())


def same_day(expected: str, found: str | None) -> bool:
    if not found:
        return False
    want = datetime.fromisoformat(expected)
    try:
        got = datetime.fromisoformat(found)
    except ValueError:
        return False
    if want.tzinfo and got.tzinfo:
        got = got.astimezone(want.tzinfo)
    return want.date() == got.date()


# Who is not a person in a byline: news agencies, and words that name a desk or a brand.
AGENCIES = frozenset(
    fold(name)
    for name in (
        "AP", "AFP", "dpa", "Reuters", "Associated Press", "ANSA", "EFE", "Europa Press",
        "KNA", "epd", "APA", "SDA", "Keystone-SDA", "PA", "PTI", "IANS", "ANI", "Xinhua",
        "Anadolu", "NTB", "TT", "Ritzau", "Belga", "ANP", "CTK", "TASS", "UPI", "Bloomberg",
        "SID", "Lusa", "Kyodo", "Yonhap",
    )
)  # fmt: skip
AGENCY_WORD = re.compile(r"\b(?:AP|AFP|dpa|DPA|Reuters|APA|KNA|SID)\b")
DESK_WORD = re.compile(
    r"\b(?:redaktion|redacción|rédaction|redazione|redactie|staff|newsroom|team|desk|digital"
    r"|online|news|press|presse|agency|agencia|agence|agentur|ajans[ıi])\b",
    re.IGNORECASE,
)
# A name that starts with an article is a title's: "DER SPIEGEL", "The Associated Press".
ARTICLE_WORD = re.compile(r"^(?:der|die|das|the|le|la|les|el|il|lo)\s", re.IGNORECASE)
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
MAX_CJK_NAME = 4  # characters of a Chinese, Japanese or Korean personal name
MIN_BRAND = 5  # shorter publisher names ("BR", "NTV") are inside people's names too


def names_people(authors: list[str], publisher: str) -> bool:
    """Whether an expectation's authors are all people: no agency, desk, site or brand.

    Authors are scored on these pages only (issue 15): where the expectation names an
    organisation, what counts as its byline differs from one annotator to the next."""
    brand = fold(publisher)
    return bool(authors) and all(_person(name, brand) for name in authors)


def _person(name: str, brand: str) -> bool:
    key, words = fold(name), name.split()
    if not key or key in AGENCIES or AGENCY_WORD.search(name) or DESK_WORD.search(name):
        return False
    if key == brand or (len(brand) >= MIN_BRAND and (brand in key or key in brand)):
        return False
    if ARTICLE_WORD.match(name) or any(fold(word) == brand for word in words):
        return False
    if CJK.search(name):
        return "기자" in name or len(key) <= MAX_CJK_NAME
    return len(words) >= 2 and "." not in words[-1][1:]


def same_authors(expected: list[str], found: list[str]) -> bool:
    return sorted(" ".join(a.split()) for a in expected) == sorted(
        " ".join(a.split()) for a in found
    )


@dataclass
class Tally:
    precision: float = 0.0
    recall: float = 0.0
    text_pages: int = 0
    empty: int = 0
    titles: int = 0
    dates: int = 0
    dated_pages: int = 0
    authors: int = 0
    people_pages: int = 0  # pages whose expected authors are all people
    people_authors: int = 0  # of those, the pages with the authors exact
    seconds: float = 0.0
    failures: list[dict[str, Any]] = field(default_factory=list)
    scores: dict[str, dict[str, float | bool]] = field(default_factory=dict)  # by page

    def add(self, page: Expected, found: Found) -> None:
        failure: dict[str, Any] = {}
        scores: dict[str, float | bool] = {}
        self.scores[page.name] = scores
        if page.text.strip():
            p, r = text_scores(page.text, found.text)
            scores["text F1"] = round(2 * p * r / ((p + r) or 1), 4)
            self.precision += p
            self.recall += r
            self.text_pages += 1
            self.empty += not found.text.strip()
            if p < 0.9 or r < 0.9:
                failure["text"] = {"precision": round(p, 3), "recall": round(r, 3)}
        scores["title"] = same_title(page.title, found.title)
        if scores["title"]:
            self.titles += 1
        else:
            failure["title"] = {"expected": page.title, "found": found.title}
        if page.published:
            self.dated_pages += 1
            scores["day"] = same_day(page.published, found.published)
            if scores["day"]:
                self.dates += 1
            else:
                failure["date"] = {"expected": page.published, "found": found.published}
        scores["authors"] = same_authors(page.authors, found.authors)
        if scores["authors"]:
            self.authors += 1
        else:
            failure["authors"] = {"expected": page.authors, "found": found.authors}
        if names_people(page.authors, page.publisher):
            self.people_pages += 1
            self.people_authors += bool(scores["authors"])
        if failure:
            self.failures.append({"page": page.name, "url": page.url, **failure})

    def figures(self, pages: int) -> dict[str, float]:
        precision = self.precision / max(self.text_pages, 1)
        recall = self.recall / max(self.text_pages, 1)
        return {
            "text precision": precision,
            "text recall": recall,
            "text F1": 2 * precision * recall / ((precision + recall) or 1),
            "empty pages": self.empty,
            "title exact": self.titles / pages,
            "date same day": self.dates / max(self.dated_pages, 1),
            "authors exact": self.authors / pages,
            "authors exact, people": self.people_authors / max(self.people_pages, 1),
            "ms per page": 1000 * self.seconds / pages,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("fundus", "trafilatura-eval"), default="fundus")
    parser.add_argument("--data", type=Path, help="the set's folder")
    parser.add_argument("--failures", type=Path, help="write newsfold's misses as JSON here")
    parser.add_argument("--scores", type=Path, help="write newsfold's score per page here")
    parser.add_argument("--against", type=Path, help="list pages worse than in this --scores")
    args = parser.parse_args()
    if args.set == "trafilatura-eval":
        from bench import extract_eval

        return extract_eval.run(args.data or extract_eval.DATA, args)
    data = args.data or DATA
    if not data.is_dir():
        print(f"development set not found at {data}", file=sys.stderr)
        return 2
    pages = load_pages(data)
    tallies = {"newsfold": Tally(), "trafilatura 2.3": Tally()}
    extractors = {"newsfold": newsfold, "trafilatura 2.3": plain_trafilatura}
    for page in pages:
        for name, extractor in extractors.items():
            started = time.perf_counter()
            found = extractor(page)
            tallies[name].seconds += time.perf_counter() - started
            tallies[name].add(page, found)
    publishers = len({p.name.split("_")[0] for p in pages})
    report(f"{len(pages)} pages, {publishers} publishers", tallies, len(pages), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
