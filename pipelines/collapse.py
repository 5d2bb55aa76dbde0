"""Duplicate collapse: is this page a republished copy of an article already indexed?

Candidates come from LSH over MinHash bands (whole text and lead) in the persistent
index; each candidate is then judged on exact shingle overlap. A page is a copy when its
Jaccard similarity reaches `DEDUP_SIMILARITY` (full copies, retitled or lightly edited),
or when the shorter text is contained in the longer at `DEDUP_CONTAINMENT` (excerpts,
copies padded with a promo paragraph). The first article of a story to be indexed is the
one kept; later copies point at it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from crawler.items import Match, Page
from crawler.state import StateStore, state_for
from pipelines.fingerprint import Fingerprint, Fingerprinter, overlap

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class Collapser:
    """The collapse decision against one state store, independent of Scrapy."""

    def __init__(
        self,
        store: StateStore,
        fingerprinter: Fingerprinter,
        similarity: float,
        containment: float,
        min_shingles: int,
    ):
        self.store = store
        self.fingerprinter = fingerprinter
        self.similarity = similarity
        self.containment = containment
        self.min_shingles = min_shingles
        store.check_params(fingerprinter.params)

    def decide(self, doc_id: str, text: str) -> Match | None:
        """Index the text as a new article, or return the article it copies."""
        with self.store.transaction():
            known = self.store.document(doc_id)
            if known is not None:
                return _match_from_record(known)
            fingerprint = self.fingerprinter.fingerprint(text)
            match = self._best_match(doc_id, fingerprint)
            if match is None:
                self.store.index(doc_id, fingerprint.band_keys, fingerprint.shingles)
            return match

    def _best_match(self, doc_id: str, fingerprint: Fingerprint) -> Match | None:
        best: Match | None = None
        for candidate in self.store.candidates(fingerprint.band_keys):
            if candidate == doc_id:
                continue
            stored = self.store.shingles(candidate)
            if stored is None:
                continue
            jaccard, contained = overlap(fingerprint.shingles, stored)
            if jaccard >= self.similarity:
                method = "jaccard"
            elif (
                contained >= self.containment
                and min(len(stored), len(fingerprint.shingles)) >= self.min_shingles
            ):
                method = "containment"
            else:
                continue
            if best is None or (jaccard, contained) > (best.similarity, best.containment):
                best = Match(candidate, round(jaccard, 4), round(contained, 4), method)
        return best


def _match_from_record(record: dict[str, Any]) -> Match | None:
    if record["kind"] != "copy":
        return None
    return Match(
        record["duplicate_of"], record["similarity"], record["containment"], record["method"]
    )


class CollapsePipeline:
    """Marks each page that copies an indexed article; indexes the others."""

    def __init__(self, collapser: Collapser, stats: StatsCollector):
        self.collapser = collapser
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("DEDUP_ENABLED"):
            raise NotConfigured("DEDUP_ENABLED is off")
        assert crawler.stats is not None
        fingerprinter = Fingerprinter(
            num_perm=settings.getint("DEDUP_NUM_PERM"),
            threshold=settings.getfloat("DEDUP_LSH_THRESHOLD"),
            lead_threshold=settings.getfloat("DEDUP_LEAD_THRESHOLD"),
        )
        collapser = Collapser(
            state_for(crawler),
            fingerprinter,
            similarity=settings.getfloat("DEDUP_SIMILARITY"),
            containment=settings.getfloat("DEDUP_CONTAINMENT"),
            min_shingles=settings.getint("DEDUP_MIN_SHINGLES"),
        )
        return cls(collapser, crawler.stats)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page) or item.doc is None or item.id is None:
            return item
        item.match = self.collapser.decide(item.id, item.doc.text)
        if item.match is not None:
            self.stats.inc_value(f"newsfold/collapse/{item.match.method}")
        return item
