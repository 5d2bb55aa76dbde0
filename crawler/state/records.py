"""The records part of the state: every page's record fields, the outbox of records not
written yet, the records committed for writing, and stories read back as records.

Besides the index, the state keeps every page's own record fields and the profile the
story rule reads (`crawler.best_page`), each story's article and why, and an *outbox*:
the pages whose records a decision changed and that are not written yet. A page's record
leaves the outbox only in the step that commits it (`emit`), so a record the crawl did
not get to write is written by the next run from the state, whether or not its page is
ever fetched again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple, Protocol

from crawler.best_page import Profile, profile_of
from crawler.items import Placement, pack_page, page_digest
from crawler.state.base import Store

RECORD_FIELDS = (
    "id",
    "kind",
    "url",
    "canonical_url",
    "site",
    "site_name",
    "title",
    "published",
    "fetched_at",
    "duplicate_of",
    "similarity",
    "containment",
    "method",
    "text",
    "credits",
    "digest",
    "run",
    "revision",
)


@dataclass
class PageEntry:
    """A page as the state keeps it beside the index: its record fields (compressed),
    their digest, its profile for the story rule, and why it is its story's article
    should it found one."""

    blob: bytes | None
    digest: str | None
    profile: str
    why: str

    @classmethod
    def of(cls, doc: str, fields: dict[str, Any] | None, size: int, why: str) -> PageEntry:
        if fields is None:
            return cls(None, None, Profile(doc, size).to_json(), why)
        profile = profile_of(doc, fields, size).to_json()
        return cls(pack_page(fields), page_digest(fields), profile, why)


class Emission(NamedTuple):
    """A record committed for writing: its placement, and its page's fields when the
    caller does not have them."""

    placement: Placement
    fields: dict[str, Any] | None


def legacy_fields(row: dict[str, Any]) -> dict[str, Any]:
    """Record fields of a page written before pages were kept whole: what its summary row
    has (an article's text, credits, dates), the rest empty."""
    credits = row.get("credits")
    return {
        "id": row["id"],
        "url": row.get("url") or "",
        "canonical_url": row.get("canonical_url") or row.get("url") or "",
        "site": row.get("site") or "",
        "title": row.get("title"),
        "authors": [],
        "published": row.get("published"),
        "published_source": None,
        "modified": None,
        "modified_source": None,
        "language": None,
        "site_name": row.get("site_name"),
        "description": None,
        "tags": [],
        "text": row.get("text") or "",
        "credits": json.loads(credits) if isinstance(credits, str) else credits or [],
        "fetched_at": row.get("fetched_at") or "",
    }


def legacy_profile(doc: str, row: dict[str, Any] | None, size: int, seq: int) -> Profile:
    """The profile of a page stored before profiles were kept: from its summary row, and
    a candidate for article only if it was written as one (its text is in the row)."""
    if row is None:
        return Profile(doc, size, seq=seq, eligible=False)
    found = profile_of(doc, legacy_fields(row), size, seq)
    return replace(found, eligible=bool(row.get("text")))


def story_row(
    cluster: str,
    article: str,
    why: str | None,
    doc: str,
    evidence: tuple[Any, Any, Any],
    fields: dict[str, Any] | None,
) -> dict[str, Any]:
    """A page of a story as the exports read it: its record fields (`url`, `site`,
    `title`, `published`, `text`...), `cluster`, the story's `article` (also as `kept`)
    and `why`, the page's `relation` to it and its evidence."""
    similarity, containment, method = evidence
    return {
        **{name: None for name in ("url", "site", "title", "published", "text")},
        **(fields or {}),
        "id": doc,
        "cluster": cluster,
        "article": article,
        "kept": article,
        "why": why,
        "relation": "article" if doc == article else "copy",
        "similarity": similarity,
        "containment": containment,
        "method": method,
    }


class Records(Store, Protocol):
    """The pages' records: kept, committed for writing, and read back."""

    def emit(
        self,
        doc_id: str,
        run: str,
        page: PageEntry | None = None,
        urls: Sequence[str] = (),
        at: float = 0.0,
        ttl: float | None = None,
        own: bool = False,
        again: bool = False,
    ) -> Emission | None:
        """Commit the page's current record for writing by `run`, in one atomic step.

        The record is the page's fields (`page`, else those kept) in its place in its
        story now. When the last record committed for the page says the same, nothing is
        committed and None is returned. Either way the page leaves the outbox and `urls`
        are marked seen at `at`. With `own`, the caller has the page's fields and they are
        not returned. With `again`, only a page written before is written: a page whose
        first record is still to come (from its own fetch, or from the outbox) is left as
        it is, and None is returned.
        """
        ...

    def outbox(self, skip_runs: Sequence[str] = ()) -> list[str]:
        """Pages whose records are not written yet, except those of runs in `skip_runs`."""
        ...

    def record(self, record: dict[str, Any]) -> None:
        """Write a record's summary row as it is (states of earlier versions, tests)."""
        ...

    def document(self, doc_id: str) -> dict[str, Any] | None: ...
    def page(self, doc_id: str) -> dict[str, Any] | None:
        """The page's record fields as kept in the state (or as far as an earlier version
        kept them)."""
        ...

    def cluster_rows(self, min_size: int) -> Iterator[dict[str, Any]]:
        """Every page of every story of at least `min_size` pages, story by story (see
        `story_row`)."""
        ...
