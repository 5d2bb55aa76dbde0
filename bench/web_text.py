"""What extraction makes of each layout of the syndication web, and what that does to folding.

Reads the records of a crawl run with `DEDUP_ENABLED` off (every page is then an article
record with its text) against the paragraphs each page was published with: page
furniture left in the text ("chrome"), article paragraphs lost, captions and datelines
kept, headline and publication day right, per layout. Then compares every copy with its
original as the collapse does (5-token shingles of the record texts, Jaccard and
containment against `DEDUP_SIMILARITY` / `DEDUP_CONTAINMENT` / `DEDUP_MIN_SHINGLES`, and
whether the two share an LSH band of the whole text or of its lead, without which the
collapse never compares them): which copies do not match their original directly, and
which cannot reach their story through any chain of direct matches between its pages
(what no crawl order folds). Pure logic.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from statistics import mean, median
from typing import Any

import numpy as np

from bench.syndication_web import LAYOUTS, Web, WebPage
from crawler.defaults import DEFAULTS
from crawler.fingerprint import (
    LEAD_TOKENS,
    SHINGLE_TOKENS,
    TOKEN,
    Fingerprinter,
    overlap,
    shingle_hashes,
    tokens,
)

ARTICLE_TAGS = ("p", "h", "quote")  # the story's own text; credits and captions are extras
SIMILARITY = float(DEFAULTS["DEDUP_SIMILARITY"])
CONTAINMENT = float(DEFAULTS["DEDUP_CONTAINMENT"])
MIN_SHINGLES = int(DEFAULTS["DEDUP_MIN_SHINGLES"])
FINGERPRINTER = Fingerprinter(
    int(DEFAULTS["DEDUP_NUM_PERM"]),
    float(DEFAULTS["DEDUP_LSH_THRESHOLD"]),
    float(DEFAULTS["DEDUP_LEAD_THRESHOLD"]),
)
DATELINE = re.compile(r"^[A-Z][A-Z ]+(?:, [^(]{3,20})? \([^)]+\) [-—–] ")


INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")  # soft hyphens, zero widths


def words(text: str) -> list[str]:
    """Tokens as the collapse sees them; soft hyphens in the page (which extraction
    drops) do not split words."""
    return tokens(INVISIBLE.sub("", text))


def norm(text: str) -> str:
    """Tokens space-joined and padded, for substring tests."""
    return f" {' '.join(words(text))} "


def shingles(text: str) -> np.ndarray:
    return shingle_hashes(words(text))


def found_in(line: str, text: str, text_shingles: np.ndarray) -> bool:
    """Whether most of `line` is in `text`: half its shingles, or all of a short line."""
    if len(words(line)) < 2 * SHINGLE_TOKENS:
        return norm(line) in norm(text)
    return _share(shingles(line), text_shingles) >= 0.5


def chrome_runs(text: str, body: str) -> list[tuple[int, str]]:
    """Stretches of `text` found nowhere in `body`, with the token each starts at.

    A token is the body's when a shingle holding it is a shingle of the body; what is
    left is furniture, wherever it sits: its own line, or glued to the story's first
    paragraph as legacy table cells come out.
    """
    plain = unicodedata.normalize("NFKC", INVISIBLE.sub("", text))
    # Tokens as `tokens` makes them (case-folding can split a word: "İ"), each with the
    # span of the word it came from.
    found = [(m, t) for m in TOKEN.finditer(plain) for t in tokens(m.group())]
    got = [t for _, t in found]
    known = words(body)
    size = min(SHINGLE_TOKENS, len(got)) or 1
    ours = {tuple(known[i : i + size]) for i in range(max(len(known) - size + 1, 1))}
    covered = [False] * len(got)
    for i in range(max(len(got) - size + 1, 0)):
        if tuple(got[i : i + size]) in ours:
            covered[i : i + size] = [True] * size
    runs: list[tuple[int, str]] = []
    start = None
    for i, inside in enumerate([*covered, True]):
        if not inside and start is None:
            start = i
        elif inside and start is not None:
            runs.append((start, plain[found[start][0].start() : found[i - 1][0].end()]))
            start = None
    return runs


@dataclass
class PageText:
    """One page's extracted text against what it was published with."""

    page: WebPage
    written: bool
    precision: float = 0.0  # extracted shingles that are in the published body
    recall: float = 0.0  # article shingles that are in the extracted text
    chrome: list[str] = field(default_factory=list)  # stretches of text found nowhere in the body
    lead: bool = False  # chrome within the lead (the first LEAD_TOKENS tokens) of the text
    lost: list[str] = field(default_factory=list)  # article paragraphs missing from the text
    merged: bool = False  # the text has under half as many paragraphs as the article
    captions: tuple[int, int] = (0, 0)  # kept, published
    dateline: bool | None = None  # a wire copy's dateline kept in the text
    title_right: bool = False
    day_right: bool = False


def read_page(page: WebPage, blocks: list[str], tags: list[str], record: Any) -> PageText:
    """Compare the article record of `page` (None: no record) with its published blocks."""
    if record is None:
        return PageText(page, written=False)
    text = str(record.get("text") or "")
    body = " ".join(blocks)
    article = [b for b, t in zip(blocks, tags, strict=True) if t in ARTICLE_TAGS]
    got, whole, own = shingles(text), shingles(body), shingles(" ".join(article))
    seen = norm(text)
    runs = chrome_runs(text, body)
    paragraphs = [line for line in re.split(r"\n\s*\n", text) if line.strip()]
    captions = [b for b, t in zip(blocks, tags, strict=True) if t == "caption"]
    dateline = None
    if page.kind == "wire":
        first = next(b for b, t in zip(blocks, tags, strict=True) if t == "p")
        found = DATELINE.match(first)
        dateline = found is not None and norm(found.group(0)) in seen
    return PageText(
        page,
        written=True,
        precision=_share(got, whole),
        recall=_share(own, got),
        chrome=[run for _, run in runs],
        lead=any(start < LEAD_TOKENS for start, _ in runs),
        lost=[b for b in article if not found_in(b, text, got)],
        merged=len(article) >= 4 and 2 * len(paragraphs) < len(article),
        captions=(sum(norm(c) in seen for c in captions), len(captions)),
        dateline=dateline,
        title_right=" ".join(str(record.get("title") or "").split()) == page.title,
        day_right=same_day(record.get("published"), page.published),
    )


def _share(part: np.ndarray, whole: np.ndarray) -> float:
    """Share of `part`'s shingles found in `whole` (1.0 for an empty `part`)."""
    if not len(part):
        return 1.0
    return len(np.intersect1d(part, whole, assume_unique=True)) / len(part)


def same_day(found: object, truth: str) -> bool:
    """Whether a record's `published` falls on the truth's day, in the page's own zone."""
    if not found:
        return False
    text = str(found)
    if len(text) == 10:
        return text == truth[:10]
    want = datetime.fromisoformat(truth)
    try:
        got = datetime.fromisoformat(text)
    except ValueError:
        return False
    if got.tzinfo is None:
        return got.date() == want.date()
    return got.astimezone(want.tzinfo).date() == want.date()


def read_web(web: Web, records: Iterable[Mapping[str, Any]]) -> list[PageText]:
    """Every page of the web against the records of a crawl without collapse."""
    by_url = {str(r["url"]): r for r in records}
    return [read_page(p, web.texts[p.url], web.tags[p.url], by_url.get(p.url)) for p in web.pages]


def layout_table(results: list[PageText]) -> list[str]:
    """One line per layout: pages written, shingle precision and recall, and the rest."""
    head = (
        f"{'layout':<14}{'pages':>6}{'no rec':>7}{'prec':>7}{'recall':>7}{'chrome':>7}"
        f"{'lead':>5}{'merged':>7}{'lost':>5}{'captions':>9}{'datelines':>10}{'title':>6}"
        f"{'day':>5}"
    )
    lines = [head]
    for layout in LAYOUTS:
        mine = [r for r in results if r.page.layout == layout]
        done = [r for r in mine if r.written]
        if not mine:
            continue
        kept = sum(r.captions[0] for r in done), sum(r.captions[1] for r in done)
        wires = [r.dateline for r in done if r.dateline is not None]
        lines.append(
            f"{layout:<14}{len(mine):>6}{len(mine) - len(done):>7}"
            f"{_mean([r.precision for r in done]):>7.3f}{_mean([r.recall for r in done]):>7.3f}"
            f"{sum(1 for r in done if r.chrome):>7}{sum(r.lead for r in done):>5}"
            f"{sum(r.merged for r in done):>7}{sum(1 for r in done if r.lost):>5}"
            f"{f'{kept[0]}/{kept[1]}':>9}{f'{sum(wires)}/{len(wires)}':>10}"
            f"{sum(r.title_right for r in done):>6}{sum(r.day_right for r in done):>5}"
        )
    return lines


def _mean(values: list[float]) -> float:
    return mean(values) if values else 0.0


def frequent_lines(
    results: list[PageText], attr: str, per_layout: int = 4, width: int = 90
) -> list[str]:
    """The commonest chrome (or lost) lines per layout, in how many pages, digits folded."""
    out: list[str] = []
    for layout in LAYOUTS:
        pages: Counter[str] = Counter()
        example: dict[str, str] = {}
        sites: dict[str, set[str]] = defaultdict(set)
        for r in results:
            if r.page.layout != layout:
                continue
            lines = {line.strip() for found in getattr(r, attr) for line in found.split("\n")}
            keys: dict[str, str] = {}
            for line in sorted(lines - {""}):
                keys.setdefault(re.sub(r"\d+", "#", line)[:60], line)
            for key, line in keys.items():
                pages[key] += 1
                example.setdefault(key, line)
                sites[key].add(r.page.site)
        for key, n in pages.most_common(per_layout):
            out.append(
                f"  {layout:<13}{n:>4}  {_cut(example[key], width)!r}  ({_sites(sites[key])})"
            )
    return out


def site_examples(results: list[PageText], layouts: Iterable[str], width: int = 150) -> list[str]:
    """For each site of `layouts`, the first stretch of chrome of its first page that has one."""
    out, done = [], set()
    for r in results:
        if r.page.layout in layouts and r.chrome and r.page.site not in done:
            done.add(r.page.site)
            shown = re.sub(r"\s*\n\s*", " / ", r.chrome[0])
            out.append(f"  {r.page.site:<26}{_cut(shown, width)!r}")
    return sorted(out)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _sites(hosts: Iterable[str]) -> str:
    return ", ".join(sorted(h.removesuffix(".test") for h in hosts))


@dataclass(frozen=True)
class PairMatch:
    """A copy against another page of its story, as the collapse would judge the two."""

    copy: WebPage
    other: WebPage
    jaccard: float
    containment: float
    matches: bool  # by the collapse's rules
    candidate: bool  # the two share an LSH band: the collapse compares them at all


def judge(a: np.ndarray, b: np.ndarray) -> tuple[float, float, bool]:
    """Jaccard, containment, and whether the collapse's rules fold one with the other."""
    jaccard, contained = overlap(a, b)
    enough = min(len(a), len(b)) >= MIN_SHINGLES
    return jaccard, contained, jaccard >= SIMILARITY or (contained >= CONTAINMENT and enough)


def story_matches(
    web: Web, records: Iterable[Mapping[str, Any]]
) -> tuple[list[PairMatch], Counter[tuple[str, str]]]:
    """Every copy against its original, and the pages no chain of direct matches reaches.

    The second result counts, by kind and layout, pages outside the part of their story
    the original is connected to when every two pages of the story are compared: no
    crawl order folds them with pairwise rules alone.
    """
    texts = {str(r["url"]): str(r.get("text") or "") for r in records}
    prints = {url: FINGERPRINTER.fingerprint(text) for url, text in texts.items()}
    stories: dict[str, list[WebPage]] = defaultdict(list)
    for page in web.pages:
        if page.url in prints:
            stories[page.story].append(page)
    direct: list[PairMatch] = []
    unreachable: Counter[tuple[str, str]] = Counter()
    for members in stories.values():
        original = next((p for p in members if p.kind == "original"), None)
        if original is None or len(members) < 2:
            continue
        linked: dict[str, set[str]] = defaultdict(set)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                one, two = prints[a.url], prints[b.url]
                jaccard, contained, ok = judge(one.shingles, two.shingles)
                candidate = bool(set(one.band_keys) & set(two.band_keys))
                if ok and candidate:
                    linked[a.url].add(b.url)
                    linked[b.url].add(a.url)
                for copy, other in ((a, b), (b, a)):
                    if other is original and copy is not original:
                        direct.append(PairMatch(copy, other, jaccard, contained, ok, candidate))
        reached, todo = {original.url}, [original.url]
        while todo:
            for nxt in linked[todo.pop()] - reached:
                reached.add(nxt)
                todo.append(nxt)
        unreachable.update((p.kind, p.layout) for p in members if p.url not in reached)
    return direct, unreachable


def kind_table(direct: list[PairMatch], unreachable: Counter[tuple[str, str]]) -> list[str]:
    """Per copy kind: median Jaccard and containment with the original, and the misses."""
    lines = [
        f"{'kind':<11}{'copies':>7}{'med J':>7}{'min J':>7}{'med C':>7}{'min C':>7}"
        f"{'no match':>9}{'no band':>8}{'unreachable':>12}"
    ]
    kinds = sorted({m.copy.kind for m in direct})
    for kind in kinds:
        mine = [m for m in direct if m.copy.kind == kind]
        jac = [m.jaccard for m in mine]
        con = [m.containment for m in mine]
        lost = sum(n for (k, _), n in unreachable.items() if k == kind)
        lines.append(
            f"{kind:<11}{len(mine):>7}{median(jac):>7.3f}{min(jac):>7.3f}{median(con):>7.3f}"
            f"{min(con):>7.3f}{sum(not m.matches for m in mine):>9}"
            f"{sum(m.matches and not m.candidate for m in mine):>8}{lost:>12}"
        )
    return lines


def unmatched(direct: list[PairMatch], limit: int = 12) -> list[str]:
    """Copies the collapse does not fold with their original directly (no rule or no shared
    band): by kind and layouts, then the furthest."""
    misses = [m for m in direct if not (m.matches and m.candidate)]
    where = Counter(
        (m.copy.kind, m.copy.layout, m.other.layout, "rules" if not m.matches else "no band")
        for m in misses
    )
    out = [
        f"  {kind} on {layout} (original on {home}), {why}: {n}"
        for (kind, layout, home, why), n in sorted(where.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    worst = sorted(misses, key=lambda m: (m.matches, max(m.jaccard, m.containment)))[:limit]
    out += [
        f"    J {m.jaccard:.3f} C {m.containment:.3f} band {'yes' if m.candidate else 'no ':<3}"
        f"  {m.copy.kind:<9} {m.copy.url}"
        for m in worst
    ]
    return out
