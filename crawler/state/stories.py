"""The story part of the state: the duplicate index and the stories (clusters) it decides.

A page is numbered and indexed by its band keys (`claim`), the stories of its candidates
are read in one step (`snapshot`), and the decision is written in one step (`settle`)
that refuses a story changed since it was read, so that processes deciding at once never
keep two copies of one story (`pipelines.collapser`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import numpy as np

from crawler.best_page import Profile
from crawler.state.base import Store
from crawler.state.records import PageEntry

EVIDENCE_FIELDS = ("similarity", "containment", "method")


@dataclass
class Member:
    """A page's place in its story's cluster.

    `relation` is "article" (the story's article, chosen by `crawler.best_page`) or
    "copy"; the evidence is how the page matched the story (for the article too, when it
    joined as a copy before it was chosen).
    """

    doc: str
    cluster: str
    relation: str
    similarity: float | None = None
    containment: float | None = None
    method: str | None = None


class Evidence(NamedTuple):
    """Why a page is taken for a copy of an indexed page."""

    doc: str
    similarity: float
    containment: float
    method: str


@dataclass
class StoryPage:
    """A page of a story as the rule and the collapse see it."""

    profile: Profile
    evidence: Evidence | None  # how it matched when it joined (None: it founded a story)


@dataclass
class Story:
    """A story (cluster) as read for a decision: `version` changes with every change."""

    cluster: str
    seq: int  # number of the page that founded it: the oldest story survives a merge
    version: int
    article: str
    why: str | None
    pages: list[StoryPage]


@dataclass
class Snapshot:
    """The stories of some pages, with every member's shingles, read in one step."""

    clusters: dict[str, str]  # page -> its story, for the pages asked about
    pending: list[str]  # pages asked about that are claimed but not decided yet
    stories: dict[str, Story]
    shingles: dict[str, np.ndarray]


@dataclass
class Settlement:
    """A decision to write: the page joins (and merges) `clusters`, or founds a story.

    `clusters` maps each matched story to the version it was read at; a store that finds
    one changed writes nothing (the decision is made again on what is there now).
    """

    doc: str
    clusters: dict[str, int]
    survivor: str  # the story the others merge into (the page itself when it founds one)
    article: str
    why: str
    evidence: Evidence | None  # the page's own, as a copy
    evidence_of: dict[str, Evidence]  # earlier pages' evidence set anew (former articles)
    changed: list[str]  # pages whose records change, the story's article first
    owner: str = ""  # the run that writes them (their outbox entries name it)


class Claim(NamedTuple):
    """A page numbered and indexed, with the earlier pages sharing a band with it.

    `known` is the page's decision when it was decided before (then nothing was indexed),
    or when no earlier page shares a band with it (then it founded its story at once).
    """

    seq: int
    candidates: list[tuple[str, int]]  # (doc, seq), most shared bands first
    known: Member | None = None


class StoryIndex(Store, Protocol):
    """The duplicate index and its stories, as the collapse decides them."""

    def check_params(self, params: dict[str, Any]) -> None: ...
    def claim(
        self,
        doc_id: str,
        band_keys: Sequence[int],
        shingles: np.ndarray,
        page: PageEntry | None = None,
        owner: str = "",
    ) -> Claim:
        """Number and index the page in one atomic step; the pages before it sharing a band.

        Returns the page's sequence number and `(doc, seq)` of every page with a lower
        number that shares a band with it, most shared bands first. Of two pages claimed
        at the same moment the later always sees the earlier: numbering and indexing are
        one step. `page` (its fields and profile) is kept beside the index, also for a
        page decided before, which is not indexed again: its decision is returned, and its
        record goes to the outbox (its fields may have changed). A page with no candidates
        is decided in the same step: it founds a story, of which it is the article (for
        `page.why`), and goes to the outbox in the name of `owner`.
        """
        ...

    def shingles(self, doc_ids: Sequence[str]) -> dict[str, np.ndarray]: ...
    def snapshot(self, doc_ids: Sequence[str]) -> Snapshot:
        """The stories of these pages, each with its version, article, why, pages
        (profile, evidence) and every page's shingles, read in one consistent step."""
        ...

    def settle(self, plan: Settlement, abandoned: Sequence[str] = ()) -> Member | list[str] | None:
        """Write a decision in one atomic step: the page founds a story, or joins the
        stories of `plan.clusters` merged into `plan.survivor`, whose article and why are
        then `plan.article` and `plan.why`; `plan.changed` go to the outbox. A page decided
        before keeps its decision (returned). Nothing is written, and None is returned,
        when a story changed since it was read (its version); the pages of `plan`'s
        stories that are claimed but not decided yet are returned instead when there are
        any. `abandoned` are pages given up on (claimed, never decided): no one waits for
        them again, and if they come back they are numbered anew.
        """
        ...

    def member(self, doc_id: str) -> Member | None: ...
    def clusters_of(self, doc_ids: Sequence[str]) -> dict[str, str]: ...
    def kept(self, cluster: str) -> str:
        """The story's article."""
        ...
