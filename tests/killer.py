"""Failure injection for the kill tests: SIGKILL the crawl at an exact point.

`KILL_AFTER_RECORDS=N` kills the process right after the Nth record is committed to the
state, before the feed exporter has written it; `KILL_WHEN_CLOSING=True` kills it when
the spider closes, before or while the output files are renamed.
"""

from __future__ import annotations

import os
import signal
from typing import TYPE_CHECKING, Any

from scrapy import signals

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class KillAfterRecords:
    """An item pipeline placed after the store."""

    def __init__(self, limit: int):
        self.limit = limit
        self.count = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings.getint("KILL_AFTER_RECORDS"))

    async def process_item(self, item: Any) -> Any:
        self.count += 1
        if self.limit and self.count >= self.limit:
            _die()
        return item


class KillWhenClosing:
    """An extension: die on `spider_closed`."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls()
        if crawler.settings.getbool("KILL_WHEN_CLOSING"):
            crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self) -> None:
        _die()


class KillDuringRepair:
    """An extension placed before the manifest (which begins the run and repairs killed
    ones): `KILL_DURING_REPAIR=publish` dies right after a repaired file got its final
    name, before its `.part` is removed; `=state` dies after the files, before the state
    forgets the records they lack."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        import crawler.runs as runs

        step = crawler.settings.get("KILL_DURING_REPAIR")
        if step == "publish":
            # os.replace publishes the run's files (crawler.runs): dying after it is a kill
            # between publishing the output and recording it.
            replace = os.replace

            def replace_then_die(source: Any, target: Any) -> None:
                replace(source, target)
                if str(target).endswith(".jsonl"):
                    _die()

            os.replace = replace_then_die  # type: ignore[assignment]
        elif step == "state":
            real_repair = runs.repair

            def undeliver_then_die(store: Any, run: Any, status: str = "killed") -> Any:
                store.undeliver = lambda *args: _die()
                return real_repair(store, run, status)

            runs.repair = undeliver_then_die
        return cls()


class KillInWarcWrite:
    """An extension: `KILL_IN_WARC_WRITE=N` dies in the Nth write to a WARC file (the
    first is a file's warcinfo, then one per fetch), after half of its bytes."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        import crawler.warc_writer as warc_writer

        limit = crawler.settings.getint("KILL_IN_WARC_WRITE")
        if limit:
            write_all = warc_writer._write_all
            calls = [0]

            def write_half_then_die(raw: Any, data: bytes) -> None:
                calls[0] += 1
                if calls[0] < limit:
                    write_all(raw, data)
                    return
                write_all(raw, data[: len(data) // 2])
                _die()

            warc_writer._write_all = write_half_then_die
        return cls()
