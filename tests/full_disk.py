"""Failure injection: an output file on a disk that fills up.

`FEED_STORAGES` pointing here writes `FULL_DISK_AFTER` records (lines) of each file,
then half of the next one (a short write, as a full disk gives), then fails every write
with ENOSPC, as a real full disk does.
"""

from __future__ import annotations

import errno
import os
from typing import IO, TYPE_CHECKING, Any

from crawler.feedstorage import AtomicFileFeedStorage
from crawler.runs import run_for

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler


class FillingFile:
    def __init__(self, raw: IO[bytes], lines: int):
        self.raw = raw
        self.lines = lines
        self.full = False

    def write(self, view: bytes) -> int:
        data = bytes(view)
        if self.full:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self.raw.name)
        if self.lines <= 0:
            self.full = True
            return self.raw.write(data[: len(data) // 2]) or 0
        self.lines -= data.count(b"\n")
        return self.raw.write(data) or 0

    def close(self) -> None:
        self.raw.close()


class FullDiskStorage(AtomicFileFeedStorage):
    lines = 0

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> Self:
        storage = cls(uri, run_for(crawler), feed_options=feed_options, crawler=crawler)
        storage.lines = crawler.settings.getint("FULL_DISK_AFTER")
        return storage

    def open_part(self) -> IO[bytes]:
        return FillingFile(super().open_part(), self.lines)  # type: ignore[return-value]


class FullWarcDisk:
    """An extension: `FULL_DISK_AFTER_WARC=N` lets N writes reach the WARC files (a
    file's warcinfo is one, then one per fetch), half of the next, then fails each."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        import crawler.warc_writer as warc_writer

        left = [crawler.settings.getint("FULL_DISK_AFTER_WARC")]
        write_all = warc_writer._write_all

        def filling(raw: IO[bytes], data: bytes) -> None:
            left[0] -= 1
            if left[0] >= 0:
                write_all(raw, data)
                return
            if left[0] == -1:
                write_all(raw, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), raw.name)

        warc_writer._write_all = filling
        return cls()
