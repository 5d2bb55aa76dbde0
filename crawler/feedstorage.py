"""Local feed files that appear under their final name only when complete.

A consumer polling `output/` must never read half a file. Each feed is written to
`NAME.part`, one unbuffered write per record (so a kill loses at most the line being
written), and renamed to `NAME` when the run closes it. The run registers the name first,
so a run killed before the rename is repaired by the next one (`crawler.runs.repair`).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from w3lib.url import file_uri_to_path

from crawler.runs import Run, part_path, publish, run_for

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler


class AtomicFileFeedStorage:
    """`FEED_STORAGES["file"]`: write `NAME.part`, then rename it to `NAME`."""

    def __init__(self, uri: str, run: Run, *, feed_options: dict[str, Any] | None = None):
        self.path = Path(file_uri_to_path(uri) if uri.startswith("file:") else uri)
        self.part = part_path(self.path)
        self.overwrite = bool((feed_options or {}).get("overwrite", False))
        self.run = run

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> Self:
        return cls(uri, run_for(crawler), feed_options=feed_options)

    def open(self, spider: Spider) -> IO[bytes]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.run.add_file(str(self.path), append=not self.overwrite)
        return self.part.open("wb", buffering=0)

    def store(self, file: IO[bytes]) -> None:
        file.close()
        publish(self.part, self.path, append=not self.overwrite)
