"""The benchmark's generated WARC is a valid one: every member a response the reader
reads, with the kept host's pages where the benchmark says."""

from __future__ import annotations

from pathlib import Path

from bench.extract import Expected
from bench.warc_in import KEPT_HOST, big_warc
from crawler.warc_reader import WarcResponse, read_warc


def test_the_big_warc_is_read_whole_with_its_kept_pages(tmp_path: Path) -> None:
    pages = [
        Expected(
            f"p{n}",
            f"https://x.test/{n}",
            "",
            f"<html>{n} {'x' * 4000}</html>".encode(),
            "",
            "",
            [],
            None,
        )
        for n in range(7)
    ]
    path = tmp_path / "big.warc.gz"
    records = big_warc(path, pages, 1, kept=5)
    assert path.stat().st_size >= 1024 * 1024
    found = [f for f in read_warc(str(path), 10**6)]
    assert all(isinstance(f, WarcResponse) for f in found) and len(found) == records
    assert sum(KEPT_HOST in f.url for f in found if isinstance(f, WarcResponse)) == 5
    assert {f.body for f in found if isinstance(f, WarcResponse)} == {p.html for p in pages}
