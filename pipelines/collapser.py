"""Duplicate collapse: which story is this page part of, and which page is its article?

Candidates come from LSH over MinHash bands (whole text and lead) in the persistent
index; each candidate is then judged on exact shingle overlap. A page is a copy when its
Jaccard similarity with a page of a story reaches `DEDUP_SIMILARITY` (full copies,
retitled or lightly edited), or when the shorter text is contained in the longer at
`DEDUP_CONTAINMENT` (excerpts, copies padded with a promo paragraph), or when it is
contained at that level in the story as a whole, the union of its pages (an excerpt of an
original not crawled yet whose lead and body survive in different edited copies). A page
that matches pages of several stories joins them into one (the oldest story survives), so
the stories do not depend on the order in which pages arrive.

Whenever a story changes, its article is chosen again among all its pages by the one rule
of `crawler.best_page` (the page the others credit, else the earliest published, else the
most complete text; never an excerpt or padded copy while a fuller page is there). The
decision names the pages whose records that changed (a new article, the former one now a
copy, pages of a story merged into another), article first, and puts them in the state's
outbox; the store pipeline writes them. Free of Scrapy: `pipelines.collapse` is its stage,
and benchmarks call it directly.

Many crawler processes may decide against one shared state at once (`STATE_URL` on
Redis). The decision is then three steps, two of them atomic in the store: `claim` numbers
and indexes the page and returns the earlier pages sharing a band (a page with none
founds its story right there); `snapshot` reads their stories (every page's profile and
shingles, and each story's version); they are judged here; `settle` writes the decision
unless one of those stories changed meanwhile, in which case it is made again on what is
there now. Of two copies decided at the same moment, the later one always sees the
earlier, so exactly one article is chosen. If a matched page is claimed but not yet
settled by another process, this one waits for it (pages only wait on lower numbers, so
never in a circle), at most `SETTLE_WAIT` seconds, after which it is taken as absent and
no one waits for it again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from crawler.best_page import Profile, choose, profile_of, union
from crawler.fingerprint import Fingerprint, Fingerprinter, overlap
from crawler.items import Match
from crawler.state.records import PageEntry
from crawler.state.stories import Evidence, Member, Settlement, Snapshot, StoryIndex

__all__ = ["Collapser", "Decision", "Evidence"]

logger = logging.getLogger(__name__)

SETTLE_WAIT = 5.0  # longest wait for a matched page another process has not settled
SETTLE_POLL = 0.002  # first pause before asking again; doubles up to SETTLE_POLL_MAX
SETTLE_POLL_MAX = 0.05
# A story is compared as a whole only with a page half contained in one of its pages: the
# union of a story that merely shares a band with the page is not worth building.
STORY_FLOOR = 0.5


@dataclass
class Decision:
    """Where a page stands after the collapse, and whose records that changed."""

    match: Match | None  # None: the page is its story's article
    changed: list[str] = field(default_factory=list)  # article first
    story: str = ""  # the story's id


class Collapser:
    """The collapse decision against one state store, independent of Scrapy."""

    def __init__(
        self,
        store: StoryIndex,
        fingerprinter: Fingerprinter,
        similarity: float,
        containment: float,
        min_shingles: int,
        owner: str = "",
    ):
        self.store = store
        self.fingerprinter = fingerprinter
        self.similarity = similarity
        self.containment = containment
        self.min_shingles = min_shingles
        self.owner = owner  # the run whose outbox entries the decisions make
        store.check_params(fingerprinter.params)

    def decide(self, doc_id: str, text: str, fields: dict[str, Any] | None = None) -> Decision:
        """Fingerprint the text and decide (see `decide_fingerprint`)."""
        return self.decide_fingerprint(doc_id, self.fingerprinter.fingerprint(text), fields)

    def decide_fingerprint(
        self, doc_id: str, fingerprint: Fingerprint, fields: dict[str, Any] | None = None
    ) -> Decision:
        """Index the page and decide its story; `fields` are its record fields, kept in the
        state (so its record can be written again when its story changes).

        Every page is indexed, copies included, so a later page that resembles only a copy
        still finds the story. A page that matches pages of several stories joins them into
        one (the oldest survives), which makes the stories the same whatever the order in
        which pages arrive.
        """
        size = len(fingerprint.shingles)
        profile = profile_of(doc_id, fields, size) if fields else Profile(doc_id, size)
        entry = PageEntry.of(doc_id, fields, size, choose([profile], {}).why)
        with self.store.transaction():
            claim = self.store.claim(
                doc_id, fingerprint.band_keys, fingerprint.shingles, entry, self.owner
            )
            if claim.known is not None:  # decided before, or founding its story now
                return Decision(self._match(claim.known), [doc_id], claim.known.cluster)
            profile = replace(profile, seq=claim.seq)
            return self._settle(doc_id, fingerprint.shingles, profile, entry.why, claim.candidates)

    def _settle(
        self,
        doc_id: str,
        shingles: np.ndarray,
        profile: Profile,
        why: str,
        candidates: Sequence[tuple[str, int]],
    ) -> Decision:
        """Decide and write, waiting (bounded) for matched pages not yet decided, and
        deciding again on what is there when a story changed meanwhile."""
        docs = [doc for doc, _ in candidates]
        absent: set[str] = set()
        deadline = time.monotonic() + SETTLE_WAIT
        pause = SETTLE_POLL
        while True:
            snapshot = self.store.snapshot(docs)
            matches = self._matches(shingles, docs, snapshot)
            waiting = [doc for doc in snapshot.pending if doc in matches and doc not in absent]
            if not waiting:
                plan = self._plan(doc_id, shingles, profile, why, matches, snapshot, absent)
                settled = self.store.settle(plan, sorted(absent))
                if isinstance(settled, Member):
                    if settled.doc != doc_id or not plan.changed:  # pragma: no cover
                        raise AssertionError("settled another page")
                    return Decision(self._match(settled), plan.changed, settled.cluster)
                if settled is None:  # a story changed since it was read: decide again
                    continue
                waiting = [doc for doc in settled if doc not in absent]
            if time.monotonic() >= deadline:
                logger.warning(
                    "Deciding %s without %s: claimed by another process that did not "
                    "decide within %g s (killed?)",
                    doc_id,
                    ", ".join(waiting),
                    SETTLE_WAIT,
                )
                absent.update(waiting)
                continue
            time.sleep(pause)
            pause = min(pause * 2, SETTLE_POLL_MAX)

    def _plan(
        self,
        doc_id: str,
        shingles: np.ndarray,
        profile: Profile,
        why: str,
        matches: dict[str, Evidence],
        snapshot: Snapshot,
        absent: set[str],
    ) -> Settlement:
        """What to write: the stories the page joins, their article, the changed records."""
        joined = {snapshot.clusters[doc] for doc in matches if doc in snapshot.clusters}
        joined |= {cluster for cluster in matches if cluster in snapshot.stories}
        stories = [snapshot.stories[cluster] for cluster in sorted(joined)]
        if not stories:
            return Settlement(doc_id, {}, doc_id, doc_id, why, None, {}, [doc_id], self.owner)
        survivor = min(stories, key=lambda story: story.seq).cluster
        pages = [page for story in stories for page in story.pages]
        found = {
            p.profile.doc: snapshot.shingles[p.profile.doc]
            for p in pages
            if p.profile.doc in snapshot.shingles
        }
        found[doc_id] = shingles
        article, reason = choose([*(page.profile for page in pages), profile], found)
        best = max(matches.values(), key=lambda e: (e.similarity, e.containment))
        evidence_of = {
            page.profile.doc: self._evidence(page.profile.doc, found)
            for page in pages
            if page.evidence is None and page.profile.doc != article
        }
        changed = [doc_id]
        for story in stories:
            for page in story.pages:
                doc = page.profile.doc
                was = (story.cluster, story.article, story.why if doc == story.article else None)
                now = (survivor, article, reason if doc == article else None)
                if was != now or doc in evidence_of:
                    changed.append(doc)
        changed.sort(key=lambda doc: doc != article)
        versions = {story.cluster: story.version for story in stories}
        return Settlement(
            doc_id, versions, survivor, article, reason, best, evidence_of, changed, self.owner
        )

    def _evidence(self, doc_id: str, shingles: dict[str, np.ndarray]) -> Evidence:
        """A page's evidence against the rest of its story: its most similar page, or the
        story as a whole when no single page is similar enough."""
        own = shingles.get(doc_id, np.zeros(0, dtype=np.uint32))
        others = {doc: stored for doc, stored in shingles.items() if doc != doc_id}
        found = [
            self._judge(own, doc, stored, overlap(own, stored)) for doc, stored in others.items()
        ]
        matched = [evidence for evidence in found if evidence is not None]
        if matched:
            return max(matched, key=lambda e: (e.similarity, e.containment))
        best = max((overlap(own, stored)[0] for stored in others.values()), default=0.0)
        whole = union(others.values())
        return Evidence(doc_id, round(best, 4), round(_contained(own, whole), 4), "story")

    def _match(self, member: Member) -> Match | None:
        """The copy's match, pointing at its story's article."""
        if member.relation != "copy":
            return None
        return Match(
            self.store.kept(member.cluster),
            member.similarity or 0.0,
            member.containment or 0.0,
            member.method or "",
        )

    def _judge(
        self, shingles: np.ndarray, doc: str, stored: np.ndarray, found: tuple[float, float]
    ) -> Evidence | None:
        """The evidence that two texts are one story (`found`: their `overlap`), or None."""
        jaccard, contained = found
        if jaccard >= self.similarity:
            method = "jaccard"
        elif contained >= self.containment and min(len(stored), len(shingles)) >= self.min_shingles:
            method = "containment"
        else:
            return None
        return Evidence(doc, round(jaccard, 4), round(contained, 4), method)

    def _matches(
        self, shingles: np.ndarray, candidates: Sequence[str], snapshot: Snapshot
    ) -> dict[str, Evidence]:
        """Candidates (pages, and stories as a whole, by cluster) this text is one story
        with, each with its evidence."""
        found: dict[str, Evidence] = {}
        nearest: dict[str, float] = {}  # story -> its page containing the most of this one
        for candidate in candidates:
            stored = snapshot.shingles.get(candidate)
            if stored is None:
                continue
            both = overlap(shingles, stored)
            evidence = self._judge(shingles, candidate, stored, both)
            if evidence is not None:
                found[candidate] = evidence
            cluster = snapshot.clusters.get(candidate)
            if cluster is not None:
                nearest[cluster] = max(nearest.get(cluster, 0.0), both[1])
        matched = {snapshot.clusters[doc] for doc in found if doc in snapshot.clusters}
        for cluster, contained in nearest.items():
            if cluster in matched or contained < STORY_FLOOR:
                continue
            story = snapshot.stories[cluster]
            whole = union(
                snapshot.shingles[p.profile.doc]
                for p in story.pages
                if p.profile.doc in snapshot.shingles
            )
            share = _contained(shingles, whole) if len(whole) else 0.0
            if share >= self.containment and min(len(whole), len(shingles)) >= self.min_shingles:
                best = max(
                    overlap(shingles, snapshot.shingles[p.profile.doc])[0]
                    for p in story.pages
                    if p.profile.doc in snapshot.shingles
                )
                found[cluster] = Evidence(cluster, round(best, 4), round(share, 4), "story")
        return found


def _contained(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the shorter of `a` and `b` found in the other."""
    if not len(a) or not len(b):
        return 0.0
    return len(np.intersect1d(a, b, assume_unique=True)) / min(len(a), len(b))
