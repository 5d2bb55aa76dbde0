"""Duplicate collapse: is this page a republished copy of an article already indexed?

Candidates come from LSH over MinHash bands (whole text and lead) in the persistent
index; each candidate is then judged on exact shingle overlap. A page is a copy when its
Jaccard similarity reaches `DEDUP_SIMILARITY` (full copies, retitled or lightly edited),
or when the shorter text is contained in the longer at `DEDUP_CONTAINMENT` (excerpts,
copies padded with a promo paragraph). The first article of a story to be indexed is the
one kept; later copies point at it. Each story is a cluster in the state store; a page
that matches pages of two clusters joins them, so the clusters do not depend on the
order in which pages arrive (records already written stay as they were).

Many crawler processes may decide against one shared state at once (`STATE_URL` on
Redis). The decision is then three steps, two of them atomic in the store: `claim` numbers
and indexes the page and returns the earlier pages sharing a band (a page with none
founds its story right there); they are judged here; `settle` writes the decision. Of two
copies decided at the same moment, the later one always sees the earlier, so exactly one
is kept. If a matched page is claimed but not yet settled by another process, this one
waits for it (pages only wait on lower numbers, so never in a circle), at most
`SETTLE_WAIT` seconds, after which it is taken as absent and no one waits for it again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from scrapy.exceptions import NotConfigured

from crawler.items import Match, Page
from crawler.offload import StateThreads, state_threads_for
from crawler.state import Evidence, Member, StateStore, state_for
from pipelines.fingerprint import Fingerprint, Fingerprinter, overlap

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

__all__ = ["CollapsePipeline", "Collapser", "Evidence"]

logger = logging.getLogger(__name__)

SETTLE_WAIT = 5.0  # longest wait for a matched page another process has not settled
SETTLE_POLL = 0.002  # first pause before asking again; doubles up to SETTLE_POLL_MAX
SETTLE_POLL_MAX = 0.05


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
            claim = self.store.claim(doc_id, fingerprint.band_keys, fingerprint.shingles)
            if claim.known is not None:  # decided before: the same answer, indexed once
                return self._match(claim.known)
            matches = self._matches(fingerprint.shingles, [doc for doc, _ in claim.candidates])
            return self._match(self._settle(doc_id, matches))

    def _settle(self, doc_id: str, matches: list[Evidence]) -> Member:
        """Write the decision, waiting (bounded) for matched pages not yet decided."""
        absent: set[str] = set()
        deadline = time.monotonic() + SETTLE_WAIT
        pause = SETTLE_POLL
        while True:
            live = [m for m in matches if m.doc not in absent]
            best = max(live, key=lambda m: (m.similarity, m.containment)) if live else None
            settled = self.store.settle(doc_id, [m.doc for m in live], best, sorted(absent))
            if isinstance(settled, Member):
                return settled
            if time.monotonic() >= deadline:
                logger.warning(
                    "Deciding %s without %s: claimed by another process that did not "
                    "decide within %g s (killed?)",
                    doc_id,
                    ", ".join(settled),
                    SETTLE_WAIT,
                )
                absent.update(settled)
                continue
            time.sleep(pause)
            pause = min(pause * 2, SETTLE_POLL_MAX)

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

    def _matches(self, shingles: np.ndarray, candidates: Sequence[str]) -> list[Evidence]:
        """Candidates this text copies or is copied by, each with its evidence."""
        found = []
        stored_by_doc = self.store.shingles(candidates) if candidates else {}
        for candidate in candidates:
            stored = stored_by_doc.get(candidate)
            if stored is None:
                continue
            jaccard, contained = overlap(shingles, stored)
            if jaccard >= self.similarity:
                method = "jaccard"
            elif (
                contained >= self.containment
                and min(len(stored), len(shingles)) >= self.min_shingles
            ):
                method = "containment"
            else:
                continue
            found.append(Evidence(candidate, round(jaccard, 4), round(contained, 4), method))
        return found


class CollapsePipeline:
    """Marks each page that copies an indexed article; indexes the others.

    On a state that answers over the network (Redis) the decision runs off the event loop
    (`crawler.offload`), so the loop does not wait on Redis or on another worker's
    decision.
    """

    def __init__(
        self, collapser: Collapser, stats: StatsCollector, threads: StateThreads | None = None
    ):
        self.collapser = collapser
        self.stats = stats
        self.threads = threads or StateThreads()

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
        return cls(collapser, crawler.stats, state_threads_for(crawler))

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page) or item.doc is None or item.id is None:
            return item
        item.match = await self.threads.call(self.collapser.decide, item.id, item.doc.text)
        if item.match is not None:
            self.stats.inc_value(f"newsfold/collapse/{item.match.method}")
        return item
