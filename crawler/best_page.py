"""Which page of a story is its article: the rule, in one place.

The article of a story is the page the others credit (a credit line linking to it or
naming its publisher), else the earliest published, else the most complete text. Never
an excerpt, a padded or a captioned copy while a fuller page is in the story:

- an *excerpt* is much shorter than a page of the story and contained in the pages at
  least that much longer (a lead with "read the full story");
- a *padded* copy (a promo, "Also read" line or photo captions added) contains another
  page of the story nearly whole, plus a little text found nowhere else in the story.
  An original that carries captions its copies dropped looks the same, so a page the
  others credit, or one published before the page it would pad, is never padded.

The collapse applies the rule whenever a story changes and keeps the choice and its
reason in the state; the record stream and the cluster and story exports read that
choice, so they always agree. Pure logic, free of Scrapy: what it reads of each page is a
`Profile` the state keeps beside the page.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from crawler.normalise import fold
from crawler.site_identity import site_names
from crawler.urls import canonical_url

SHORT = 0.8  # an excerpt has at most this share of the shingles of a fuller page
CONTAINED = 0.85  # ... and at least this share of its shingles in the fuller pages
# A padded copy holds the page it pads verbatim but for the few shingles each insertion
# cuts (4 a block); an edited copy changes words, each costing 5, and falls below this.
NEARLY = 0.96
PADDING = 0.25  # ... and adds at most this share of its own shingles
ELSEWHERE = 0.5  # padding is text mostly found nowhere else in the story
# A day without a time is somewhere in that day in any time zone (UTC-12 to UTC+14).
DAY_BEFORE, DAY_AFTER = timedelta(hours=14), timedelta(hours=36)
MIN_NAME = 4  # shorter publisher names match too much to count as a credit

CREDITED = "credited by other pages"
EARLIEST = "earliest published"
COMPLETE = "most complete text"


@dataclass(frozen=True)
class Profile:
    """What the rule reads of one page: kept in the state beside it, a few hundred bytes."""

    doc: str
    size: int  # shingles in its text
    published: str | None = None
    url: str | None = None  # canonical URL, which credits link to
    names: tuple[str, ...] = ()  # keys of its publisher's names (site name, host)
    credit_names: tuple[str, ...] = ()  # keys of the publishers its credit lines name
    credit_urls: tuple[str, ...] = ()  # canonical URLs its credit lines link to
    seq: int = 0  # order of arrival in the index
    eligible: bool = True  # its whole record is in the state, so it can be the article

    def to_json(self) -> str:
        return json.dumps(
            [self.size, self.published, self.url, self.names, self.credit_names,
             self.credit_urls, int(self.eligible)],
            separators=(",", ":"),
        )  # fmt: skip

    @classmethod
    def from_json(cls, doc: str, value: str | bytes | None, seq: int = 0) -> Profile:
        """The stored profile; a page stored before profiles were kept has none, and
        cannot be made the article (its whole record is not in the state)."""
        if not value:
            return cls(doc, 0, seq=seq, eligible=False)
        size, published, url, names, credit_names, credit_urls, eligible = _fields(value)
        return cls(doc, size, published, url, names, credit_names, credit_urls, seq, eligible)


@lru_cache(maxsize=1 << 14)
def _fields(value: str | bytes) -> tuple[Any, ...]:
    """A stored profile's fields (a story's pages are read again at each of its decisions)."""
    size, published, url, names, credit_names, credit_urls, eligible = json.loads(value)
    return (
        int(size), published, url, tuple(names), tuple(credit_names), tuple(credit_urls),
        bool(eligible),
    )  # fmt: skip


class Choice(NamedTuple):
    """The story's article and why it is the one."""

    article: str
    why: str


def name_key(name: str | None) -> str:
    """A publisher name as credits and hosts spell it: "The Harbour Gazette",
    "harbour-gazette" and "Harbour Gazette" meet as one key."""
    key = fold(name or "")
    return key[3:] if key.startswith("the") and len(key) > 3 + MIN_NAME else key


def publisher_keys(site: str | None, site_name: str | None) -> tuple[str, ...]:
    """Keys of the names a page's publisher goes by: its site name, host and host label."""
    keys = (name_key(name) for name in site_names(site_name, site or ""))
    return tuple(sorted({key for key in keys if len(key) >= MIN_NAME}))


def profile_of(doc: str, record: Mapping[str, Any], size: int, seq: int = 0) -> Profile:
    """A page's profile from its record fields (`url`, `canonical_url`, `site`,
    `site_name`, `published`, `credits` as dicts) and its shingle count."""
    credits = record.get("credits") or []
    if isinstance(credits, str):
        credits = json.loads(credits)
    credit_names = {name_key(c.get("publisher")) for c in credits}
    credit_urls = {canonical_url(c["original_url"]) for c in credits if c.get("original_url")}
    url = record.get("canonical_url")  # canonical already (`crawler.urls.canonical_url`)
    if not url and record.get("url"):
        url = canonical_url(record["url"])
    return Profile(
        doc=doc,
        size=size,
        published=record.get("published"),
        url=url or None,
        names=publisher_keys(record.get("site"), record.get("site_name")),
        credit_names=tuple(sorted(n for n in credit_names if len(n) >= MIN_NAME)),
        credit_urls=tuple(sorted(credit_urls)),
        seq=seq,
    )


def credit_counts(members: Sequence[Profile]) -> dict[str, int]:
    """How many other pages of the story credit each page, by link or publisher name."""
    by_url: dict[str, set[str]] = defaultdict(set)
    by_name: dict[str, set[str]] = defaultdict(set)
    for member in members:
        if member.url:
            by_url[member.url].add(member.doc)
        for name in member.names:
            by_name[name].add(member.doc)
    crediting: dict[str, set[str]] = defaultdict(set)  # page -> the pages crediting it
    for other in members:
        found = [by_url.get(url, ()) for url in other.credit_urls]
        found += [by_name.get(name, ()) for name in other.credit_names]
        for docs in found:
            for doc in docs:
                if doc != other.doc:
                    crediting[doc].add(other.doc)
    return {member.doc: len(crediting[member.doc]) for member in members}


@lru_cache(maxsize=1 << 14)
def published_span(published: str | None) -> tuple[datetime, datetime] | None:
    """The earliest and latest moment a publication date can mean, in UTC."""
    if not published:
        return None
    try:
        moment = datetime.fromisoformat(published)
    except ValueError:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", published):
        day = moment.replace(tzinfo=UTC)
        return day - DAY_BEFORE, day + DAY_AFTER
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment, moment


def before(a: Profile, b: Profile) -> bool:
    """Whether `a` was certainly published before `b`."""
    first, second = published_span(a.published), published_span(b.published)
    return first is not None and second is not None and first[1] < second[0]


def rank(member: Profile, credited: int) -> tuple[Any, ...]:
    """Preference order: whole record kept, credited, earliest published, longest, then
    the lowest id: a fixed choice, so that the order pages arrive in never decides."""
    span = published_span(member.published)
    middle = (span[0] + (span[1] - span[0]) / 2).timestamp() if span else 0.0
    return (not member.eligible, -credited, span is None, middle, -member.size, member.doc)


def choose(members: Sequence[Profile], shingles: Mapping[str, np.ndarray]) -> Choice:
    """The story's article among `members` (every page of the story) and the reason.

    `shingles` holds each member's shingle hashes (sorted, unique); a member without
    them is judged on its profile alone.
    """
    if len(members) == 1:  # a story of one page (most of them)
        (alone,) = members
        return Choice(alone.doc, EARLIEST if published_span(alone.published) else COMPLETE)
    credited = credit_counts(members)
    ranked = sorted(members, key=lambda m: rank(m, credited[m.doc]))
    chosen = next(
        (m for m in ranked if not lesser(m, members, shingles, credited[m.doc] > 0)), ranked[0]
    )
    if credited[chosen.doc]:
        return Choice(chosen.doc, CREDITED)
    return Choice(chosen.doc, EARLIEST if published_span(chosen.published) else COMPLETE)


def lesser(
    member: Profile,
    members: Sequence[Profile],
    shingles: Mapping[str, np.ndarray],
    credited: bool,
) -> bool:
    """Whether `member` is an excerpt, or a padded or captioned copy, of a fuller page."""
    own = shingles.get(member.doc)
    if own is None or not len(own):
        return False
    others = [m for m in members if m.doc != member.doc and m.doc in shingles]
    fuller = [shingles[m.doc] for m in others if m.size * SHORT >= len(own)]
    if fuller and contained(own, union(fuller)) >= CONTAINED:
        return True
    if credited:
        return False
    elsewhere: np.ndarray | None = None  # the rest of the story, made when first needed
    for other in others:
        theirs = shingles[other.doc]
        if not (1 - PADDING) * len(own) <= len(theirs) < len(own) or before(member, other):
            continue
        if shared(own, theirs) < NEARLY * len(theirs):
            continue
        extra = np.setdiff1d(own, theirs, assume_unique=True)  # none of it in `other`
        if elsewhere is None:
            elsewhere = union(shingles[m.doc] for m in others)
        if len(extra) <= PADDING * len(own) and shared(extra, elsewhere) < ELSEWHERE * len(extra):
            return True
    return False


def union(sets: Iterable[np.ndarray]) -> np.ndarray:
    """The shingles of several pages together (sorted, unique): one sort of them all."""
    found = list(sets)
    return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.uint32)


def shared(a: np.ndarray, b: np.ndarray) -> int:
    return len(np.intersect1d(a, b, assume_unique=True))


def contained(a: np.ndarray, b: np.ndarray) -> float:
    """Share of `a` found in `b`."""
    return shared(a, b) / len(a) if len(a) else 0.0
