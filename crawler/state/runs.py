"""The runs part of the state: the runs registered in it, the lock of a run that must be
alone, and the repair of a killed run's records (`crawler.runs`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from crawler.state.base import Store

RUN_FIELDS = ("id", "pid", "spider", "started", "ended", "status", "files", "host", "manifest")


class RunLog(Store, Protocol):
    """The runs, their lock and their repair."""

    def lock(self, wait: float) -> bool:
        """Take the state for this run; True when that excludes every other run."""
        ...

    def begin_run(self, run: dict[str, Any]) -> bool: ...
    def update_run(self, run_id: str, **fields: Any) -> None: ...
    def runs(self, status: str | None = None) -> list[dict[str, Any]]: ...
    def undeliver(self, run_id: str, delivered: Mapping[str, int]) -> int:
        """A killed run's records that did not reach its output are written again.

        `delivered` maps each page to the highest `revision` of its records found in the
        run's output (0 for records of earlier versions, which had none). A record
        committed by the run but missing there goes back to the outbox, so the next run
        writes it from the state; one of an earlier version, whose page fields were not
        kept, is forgotten instead (its page is no longer seen), so the next fetch of the
        page writes it. Returns how many.
        """
        ...


def undelivered(doc: str, revision: int | None, delivered: Mapping[str, int]) -> bool:
    """Whether a record a run committed is missing from its output: none of its records
    there, or only earlier revisions (records of earlier versions have no revision)."""
    return doc not in delivered or delivered[doc] < int(revision or 0)
