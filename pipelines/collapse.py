"""Duplicate collapse: is this page a republished copy of an article already indexed?

Candidates come from LSH over MinHash bands (whole text and lead) in the persistent
index; each candidate is then judged on exact shingle overlap. A page is a copy when its
Jaccard similarity reaches `DEDUP_SIMILARITY` (full copies, retitled or lightly edited),
or when the shorter text is contained in the longer at `DEDUP_CONTAINMENT` (excerpts,
copies padded with a promo paragraph). The first article of a story to be indexed is the
one kept; later copies point at it. Each story is a cluster in the state store; a page
that matches pages of two clusters joins them, so the clusters do not depend on the
order in which pages arrive (records already written stay as they were).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from scrapy.exceptions import NotConfigured

from crawler.items import Match, Page
from crawler.state import Member, StateStore, state_for
from pipelines.fingerprint import Fingerprint, Fingerprinter, overlap

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class Evidence(NamedTuple):
    """Why a page is taken for a copy of an indexed page."""

    doc: str
    similarity: float
    containment: float
    method: str


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
        """Fingerprint the text and decide (see `decide_fingerprint`)."""
        return self.decide_fingerprint(doc_id, self.fingerprinter.fingerprint(text))

    def decide_fingerprint(self, doc_id: str, fingerprint: Fingerprint) -> Match | None:
        """Index the page; None when it starts a story, else the article it copies.

        Every page is indexed, copies included, so a later page that resembles only a copy
        still finds the story. A page that matches pages of several clusters joins them into
        one (the oldest survives), which makes the clusters the same whatever the order in
        which pages arrive.
        """
        with self.store.transaction():
            known = self.store.member(doc_id)
            if known is not None:
                return self._match(known)
            matches = self._matches(doc_id, fingerprint)
            self.store.index(doc_id, fingerprint.band_keys, fingerprint.shingles)
            if not matches:
                self.store.new_cluster(doc_id)
                self.store.join(Member(doc_id, doc_id, "kept"))
                return None
            clusters = self.store.clusters_of([m.doc for m in matches])
            cluster = self.store.merge(sorted(set(clusters.values())))
            best = max(matches, key=lambda m: (m.similarity, m.containment))
            member = Member(doc_id, cluster, "copy", best.similarity, best.containment, best.method)
            self.store.join(member)
            return self._match(member)

    def _match(self, member: Member) -> Match | None:
        """The copy's match, pointing at the article its cluster kept."""
        if member.relation != "copy":
            return None
        return Match(
            self.store.kept(member.cluster),
            member.similarity or 0.0,
            member.containment or 0.0,
            member.method or "",
        )

    def _matches(self, doc_id: str, fingerprint: Fingerprint) -> list[Evidence]:
        """Indexed pages this text copies or is copied by, each with its evidence."""
        found = []
        for candidate in self.store.candidates(fingerprint.band_keys):
            stored = self.store.shingles(candidate) if candidate != doc_id else None
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
            found.append(Evidence(candidate, round(jaccard, 4), round(contained, 4), method))
        return found


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
