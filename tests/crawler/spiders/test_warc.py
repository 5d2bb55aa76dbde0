"""The warc spider: the pages of WARC files through the real pipelines, no network."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bench.warc_files import ArchivedPage, write_cc_news
from crawler.warc_reader import WarcResponse, read_warc
from tests.conftest import CrawlResult, article_page, prose, story_web, validate_records

NOWHERE = "http://127.0.0.1:9"  # a proxy that refuses every connection: no page can come
FEEDS = {"feeds": "http://news.test/feed.xml,http://mirror.test/feed.xml"}


def html_pages(files: dict[str, str | bytes]) -> list[ArchivedPage]:
    """The web's HTML pages as a crawler would have archived them, news.test first."""
    pages = []
    for name, content in sorted(files.items()):
        if name.endswith(".html"):
            body = content.encode() if isinstance(content, str) else content
            pages.append(ArchivedPage(f"http://{name}", body, date="2024-03-01T08:00:00.123Z"))
    return pages


def seen_as(result: CrawlResult) -> tuple[dict[str, tuple[Any, ...]], set[frozenset[str]]]:
    """What a consumer reads of each page (its record's content, the story's article
    for a copy), and the stories as sets of pages: a story's id is its first indexed
    page's, which depends on the order pages came in, not on what they say."""
    records = {
        r["id"]: (r["kind"], r["url"], r["title"], r.get("text"), r["duplicate_of"])
        for r in result.current
    }
    stories: dict[str, set[str]] = {}
    for record in result.current:
        stories.setdefault(record["cluster_id"], set()).add(record["id"])
    return records, {frozenset(pages) for pages in stories.values()}


def no_network(result: CrawlResult) -> None:
    assert result.stats.get("downloader/request_count", 0) == 0, result.log


def manifest(result: CrawlResult) -> dict[str, Any]:
    found = sorted(result.workdir.glob("manifest-*.json"))
    assert len(found) == 1, found
    return dict(json.loads(found[0].read_text()))


def test_a_web_read_from_a_warc_gives_the_records_of_its_live_crawl(make_web, crawl, tmp_path):
    files = story_web(5, copies=2)
    server = make_web(files)
    live = crawl("feeds", args=FEEDS, proxy=server.address, workdir=tmp_path / "live")
    assert live.returncode == 0, live.log
    assert sorted(r["kind"] for r in live.current) == ["article"] * 5 + ["copy"] * 2

    warc = tmp_path / "web.warc.gz"
    write_cc_news(warc, html_pages(files))
    replay = crawl("warc", args={"files": str(warc)}, proxy=NOWHERE, workdir=tmp_path / "warc")
    assert replay.returncode == 0, replay.log
    no_network(replay)
    validate_records(replay.records)
    assert seen_as(replay) == seen_as(live)
    # fetched when the WARC says, and each record points at its response record
    assert {r["fetched_at"] for r in replay.current} == {"2024-03-01T08:00:00+00:00"}
    assert all(r["warc"]["file"] == str(warc) for r in replay.current)
    assert len({r["warc"]["offset"] for r in replay.current}) == 7
    assert replay.stats["newsfold/warc/records/request"] == 7
    assert manifest(replay)["warc_files"] == [str(warc)]


def test_cc_news_pages_by_host_and_date_with_the_charset_of_their_headers(crawl, tmp_path):
    latin = article_page("Café crème à la gare", prose(7)).replace('<meta charset="utf-8">', "")
    pages = [
        ArchivedPage(
            "https://www.paper.example/latin.html",
            latin.encode("iso-8859-1"),
            content_type="text/html; charset=ISO-8859-1",  # said by the header alone
        ),
        ArchivedPage("https://paper.example/new.html", article_page("Fresh", prose(8)).encode()),
        ArchivedPage(
            "https://paper.example/old.html",
            article_page("Stale", prose(9)).encode(),
            date="2023-01-01T00:00:00Z",
        ),
        ArchivedPage("https://elsewhere.example/a.html", article_page("Other", prose(10)).encode()),
    ]
    folder = tmp_path / "cc-news"
    folder.mkdir()
    write_cc_news(folder / "CC-NEWS-20240301080000-00001.warc.gz", pages[:2])
    write_cc_news(folder / "CC-NEWS-20240301090000-00002.warc.gz", pages[2:])
    listing = tmp_path / "warcs.txt"
    listing.write_text(f"# this month\n{folder}/CC-NEWS-*.warc.gz\n")

    result = crawl(
        "warc",
        args={"file": str(listing), "hosts": "paper.example", "since": "2024-02-01"},
        proxy=NOWHERE,
    )
    assert result.returncode == 0, result.log
    no_network(result)
    by_url = {r["url"]: r for r in result.current}
    assert sorted(by_url) == [
        "https://paper.example/new.html",
        "https://www.paper.example/latin.html",
    ]
    latin_record = by_url["https://www.paper.example/latin.html"]
    assert latin_record["title"] == "Café crème à la gare"
    assert "Ã" not in latin_record["text"]
    assert result.stats["newsfold/skipped/older_than_since"] == 1
    assert result.stats["newsfold/skipped/other_host"] == 1
    assert result.stats["newsfold/warc/files"] == 2
    assert len(manifest(result)["warc_files"]) == 2


def test_bad_records_are_counted_and_the_rest_of_the_file_read(crawl, tmp_path):
    good = [
        ArchivedPage(
            f"https://paper.example/{n}.html", article_page(f"Story {n}", prose(n)).encode()
        )
        for n in range(4)
    ]
    odd = [
        ArchivedPage(
            "https://paper.example/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 90, "image/png"
        ),
        ArchivedPage("https://paper.example/gone.html", b"<html>Not here</html>", status=404),
    ]
    warc = tmp_path / "bad.warc.gz"
    write_cc_news(warc, [good[0], odd[0], good[1], good[2], odd[1], good[3]])
    data = bytearray(warc.read_bytes())
    offsets = [f.offset for f in read_warc(str(warc), 10**7) if isinstance(f, WarcResponse)]
    assert len(offsets) == 5  # the good pages and the 404, which is HTML
    data[offsets[1] + 30 : offsets[1] + 90] = b"\0" * 60  # good[1]'s member corrupt
    warc.write_bytes(bytes(data[: offsets[-1] + 200]))  # and good[3]'s cut short

    result = crawl("warc", args={"files": f"{warc},{tmp_path / 'missing.warc.gz'}"}, proxy=NOWHERE)
    assert result.returncode == 0, result.log
    assert sorted(r["url"] for r in result.current) == [good[0].url, good[2].url]
    skipped = manifest(result)["totals"]["skipped"]
    assert skipped == {
        "http_404": 1,
        "not_html": 1,
        "warc_corrupt_record": 1,
        "warc_truncated": 1,
        "warc_unreadable_file": 1,
    }
    assert "(warc_corrupt_record)" in result.log and "(warc_truncated)" in result.log


def test_the_warc_spider_needs_a_file(crawl):
    result = crawl("warc", output=None)
    assert result.returncode == 3
    assert "the warc spider needs -a files=" in result.log


def test_a_crawl_archived_by_warc_out_gives_the_same_records_read_back(make_web, crawl, tmp_path):
    """WARC out, then WARC in with the network off: the same pages, texts and stories,
    and each record of the second run points where the first one's did."""
    server = make_web(story_web(5, copies=2))
    live_dir = tmp_path / "live"
    live = crawl(
        "feeds",
        args=FEEDS,
        proxy=server.address,
        workdir=live_dir,
        settings={"WARC_DIR": str(live_dir / "warc")},
    )
    assert live.returncode == 0, live.log
    written = manifest(live)["warc_files"]
    assert written, "the live crawl archived its responses"

    replay = crawl(
        "warc",
        args={"files": ",".join(str(live_dir / path) for path in written)},
        proxy=NOWHERE,
        workdir=tmp_path / "warc",
    )
    assert replay.returncode == 0, replay.log
    no_network(replay)
    validate_records(replay.records)
    assert seen_as(replay) == seen_as(live)
    pointers = {r["id"]: r["warc"]["offset"] for r in live.current}
    assert {r["id"]: r["warc"]["offset"] for r in replay.current} == pointers
    # fetched when the archive says: the response's WARC-Date, within its second
    fetched = {r["id"]: datetime.fromisoformat(r["fetched_at"]) for r in live.current}
    for record in replay.current:
        gap = datetime.fromisoformat(record["fetched_at"]) - fetched[record["id"]]
        assert abs(gap.total_seconds()) < 2, record
