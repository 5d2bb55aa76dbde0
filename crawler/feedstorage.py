"""Local feed files that appear under their final name only when complete, and that never
lose a record to a failed write or an overwrite.

A consumer polling `output/` must never read half a file. Each feed is written to
`NAME.part`, one unbuffered write per record (so a kill loses at most the line being
written), and published under `NAME` when the run closes it, after what `NAME` already
holds (`crawler.runs.publish`). The run registers the name first, so a run killed before
that is repaired by the next one (`crawler.runs.repair`).

A record is committed to the state (its page marked seen) before it is written here, so
a write that fails must not pass in silence: the first failed write (a full disk, a file
system gone read-only) stops the run, later records of that file are not written, and the
run repairs its own output when it closes: the records that did not reach a file go back
to the state, which the next run writes them from (`crawler.runs.Run.repair_own_output`;
exit code 8).
Mistakes that can be seen before the run starts are refused then (`check_feeds`).
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from scrapy.utils.defer import deferred_from_coro
from w3lib.url import file_uri_to_path

from crawler.config import ConfigError
from crawler.runs import Run, describe, part_path, publish, run_for
from crawler.stats import OUTPUT_FAILED

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

CLOSE_REASON = "output_failed"


class OutputError(ConfigError):
    """An output file named in the settings cannot be written, or would lose records."""


def local_path(uri: str) -> Path | None:
    """The file a feed URI names, or None for other storages (stdout, S3, FTP...)."""
    if uri.startswith("file:"):
        return Path(file_uri_to_path(uri))
    if "://" in uri or uri.startswith("stdout:") or uri == "-":
        return None
    return Path(uri)


def check_feeds(feeds: dict[str, dict[str, Any]]) -> None:
    """Refuse, before anything is fetched, output that cannot be written or would be lost.

    Each local file's folder must be one a file can be created in. `-O FILE` (overwrite)
    must not name a file that holds records, nor one a killed run left half-written
    (the repair would put its records there): those pages are marked seen and would not
    be fetched again.
    """
    for uri, options in feeds.items():
        path = local_path(str(uri))
        if path is None:
            continue
        check_folder(path)
        if not options.get("overwrite") or "%(" in str(path):
            continue
        for held in (path, part_path(path)):
            if held.is_file() and held.stat().st_size:
                whose = "a killed run's unfinished output" if held != path else "records"
                raise OutputError(
                    f"-O {path} would overwrite {held}, which holds {whose}; their pages "
                    f"are not fetched again. Use -o {path} to append, or another file name"
                )


def check_folder(path: Path) -> None:
    """The nearest existing folder of `path` must take a new file."""
    folder = path.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: {folder} is a file, not a folder")
    try:
        probe, name = tempfile.mkstemp(prefix=".newsfold-", dir=folder)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {describe(error)}") from error
    os.close(probe)
    os.unlink(name)


class GuardedFile:
    """The `.part` file as the exporter sees it: a failed write stops the run, once.

    Unbuffered writes may be short on a full disk; every byte is written or the file is
    failed. After a failure nothing more is written, so the file ends at most with one
    torn line, which the repair cuts off.
    """

    def __init__(self, raw: IO[bytes] | None, storage: AtomicFileFeedStorage):
        self.raw = raw
        self.storage = storage

    def write(self, data: bytes) -> int:
        if self.raw is not None:
            view = memoryview(data)
            try:
                while view:
                    view = view[self.raw.write(view) or 0 :]
            except OSError as error:
                self.storage.failed(error)
                self.raw.close()
                self.raw = None
        return len(data)

    def close(self) -> None:
        if self.raw is not None:
            self.raw.close()


class AtomicFileFeedStorage:
    """`FEED_STORAGES["file"]`: write `NAME.part`, then publish it under `NAME`."""

    def __init__(
        self,
        uri: str,
        run: Run,
        *,
        feed_options: dict[str, Any] | None = None,
        crawler: Crawler | None = None,
    ):
        self.path = local_path(uri) or Path(uri)
        self.part = part_path(self.path)
        self.run = run
        self.crawler = crawler
        self.broken = False

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> Self:
        return cls(uri, run_for(crawler), feed_options=feed_options, crawler=crawler)

    def open(self, spider: Spider) -> IO[bytes]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.run.add_file(str(self.path))
            raw: IO[bytes] | None = self.open_part()
        except OSError as error:
            self.failed(error)
            raw = None
        return GuardedFile(raw, self)  # type: ignore[return-value]

    def open_part(self) -> IO[bytes]:
        return self.part.open("wb", buffering=0)

    def store(self, file: IO[bytes]) -> None:
        file.close()
        if self.broken:
            return  # the run repairs its own output when it closes
        try:
            publish(self.part, self.path)
        except OSError as error:
            self.failed(error)

    def failed(self, error: OSError) -> None:
        """Say once which file failed and why, and stop the run (exit code 8)."""
        self.broken = True
        if not self.run.output_failed(self.path, error):
            return
        logger.error(
            "Cannot write %s (%s): stopping. Records that did not reach it go back to the "
            "state when the run closes, and the next run writes them.",
            self.path,
            describe(error),
        )
        if self.crawler is None:
            return
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(OUTPUT_FAILED)
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=CLOSE_REASON))
