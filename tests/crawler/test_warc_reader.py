"""The WARC reader: every HTML response of a file, and a counted reason for every other
record; a bad record (cut short, corrupt, too large) costs that record, not the file."""

from __future__ import annotations

import gzip
import io
from collections import Counter
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from bench.warc_files import ArchivedPage, write_cc_news
from crawler.warc_reader import (
    CORRUPT_RECORD,
    NO_HTTP_HEADERS,
    NOT_HTML,
    NOT_RESPONSE,
    TOO_LARGE,
    TRUNCATED,
    UNREADABLE_FILE,
    WarcResponse,
    WarcSkip,
    read_warc,
    warc_paths,
)

LIMIT = 1_000_000


def page(n: int, size: int = 2000) -> ArchivedPage:
    body = f"<!DOCTYPE html><html><head><title>Page {n}</title></head><body><p>"
    body += f"word{n} " * (size // 6) + "</p></body></html>"
    return ArchivedPage(f"https://news.example/story-{n}.html", body.encode())


def read(path: Path, limit: int = LIMIT) -> tuple[list[WarcResponse], list[WarcSkip]]:
    found = list(read_warc(str(path), limit))
    return (
        [f for f in found if isinstance(f, WarcResponse)],
        [f for f in found if isinstance(f, WarcSkip)],
    )


def reasons(skips: list[WarcSkip]) -> Counter[str]:
    return Counter(skip.reason for skip in skips if skip.reason != NOT_RESPONSE)


def test_cc_news_layout_gives_each_response_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "CC-NEWS-20240301080000-00001.warc.gz"
    write_cc_news(path, [page(n) for n in range(3)])
    pages, skips = read(path)
    assert [p.url for p in pages] == [f"https://news.example/story-{n}.html" for n in range(3)]
    # warcinfo, then a request and a metadata record around every response
    assert Counter(s.detail for s in skips) == {"warcinfo": 1, "request": 3, "metadata": 3}
    assert all(p.status == 200 and p.date == "2024-03-01T08:00:00Z" for p in pages)
    assert dict(pages[0].headers)["Content-Type"] == "text/html; charset=utf-8"
    assert pages[1].body == page(1).body
    # each offset is where a gzip member holding that very response starts
    data = path.read_bytes()
    for found in pages:
        member = gzip.GzipFile(fileobj=io.BytesIO(data[found.offset :])).read(400)
        assert member.startswith(b"WARC/1.1\r\n") and b"WARC-Type: response" in member
        assert found.url.encode() in member


def test_uncompressed_files_are_read_too(tmp_path: Path) -> None:
    path = tmp_path / "plain.warc"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=False)
        for n in range(2):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    page(n).url, "response", payload=io.BytesIO(page(n).body), http_headers=headers
                )
            )
    pages, skips = read(path)
    assert [p.body for p in pages] == [page(0).body, page(1).body] and not skips
    assert path.read_bytes()[pages[1].offset :].startswith(b"WARC/1.0\r\n")


def _mixed(path: Path) -> None:
    """A file with one record of each kind a reader must refuse, between good pages."""
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)

        def response(url: str, body: bytes, content_type: str | None) -> None:
            fields = [("Content-Type", content_type)] if content_type else []
            headers = StatusAndHeaders("200 OK", fields, protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=io.BytesIO(body), http_headers=headers
                )
            )

        response(page(0).url, page(0).body, "text/html")
        response("https://news.example/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "image/png")
        response("https://news.example/sniffed", page(1).body, None)  # HTML by its bytes
        response("https://news.example/data.json", b'{"a": 1}', None)
        # a response whose block is the page alone, without its HTTP headers
        bare = writer.create_warc_record(
            "https://news.example/bare",
            "resource",
            payload=io.BytesIO(page(2).body),
            warc_content_type="text/html",
        )
        bare.rec_headers.replace_header("WARC-Type", "response")
        writer.write_record(bare)
        response(page(3).url, page(3).body, "text/html; charset=utf-8")


def test_non_html_and_headerless_responses_are_counted_and_the_rest_read(tmp_path: Path) -> None:
    path = tmp_path / "mixed.warc.gz"
    _mixed(path)
    pages, skips = read(path)
    assert [p.url for p in pages] == [page(0).url, "https://news.example/sniffed", page(3).url]
    assert reasons(skips) == {NOT_HTML: 2, NO_HTTP_HEADERS: 1}


def test_a_payload_over_the_limit_is_skipped_without_being_kept(tmp_path: Path) -> None:
    path = tmp_path / "big.warc.gz"
    write_cc_news(path, [page(0, 500), page(1, 50_000), page(2, 500)])
    pages, skips = read(path, limit=20_000)
    assert [p.url for p in pages] == [page(0).url, page(2).url]
    assert reasons(skips) == {TOO_LARGE: 1}
    assert next(s for s in skips if s.reason == TOO_LARGE).url == page(1).url


def test_a_truncated_file_gives_its_whole_records_and_counts_the_cut_one(tmp_path: Path) -> None:
    for name, cut in (("gz.warc.gz", True), ("plain.warc", False)):
        path = tmp_path / name
        if cut:
            write_cc_news(path, [page(n) for n in range(4)])
        else:
            _plain(path, 4)
        whole, others = read(path)
        data = path.read_bytes()
        start = whole[3].offset
        end = min([s.offset for s in others if s.offset > start] + [len(data)])
        for keep in (60, 300, end - start - 40):  # in its headers, in its body
            path.write_bytes(data[: start + keep])
            pages, skips = read(path)
            assert [p.url for p in pages] == [p.url for p in whole[:3]], (name, keep)
            assert reasons(skips) == {TRUNCATED: 1}, (name, keep)


def _plain(path: Path, count: int) -> None:
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=False)
        for n in range(count):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    page(n).url, "response", payload=io.BytesIO(page(n).body), http_headers=headers
                )
            )


def test_a_corrupt_member_costs_its_record_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.warc.gz"
    write_cc_news(path, [page(n) for n in range(4)])
    whole, _ = read(path)
    data = bytearray(path.read_bytes())
    start = whole[1].offset
    data[start + 30 : start + 90] = b"\0" * 60  # inside the deflate stream of one response
    path.write_bytes(bytes(data))
    pages, skips = read(path)
    assert [p.url for p in pages] == [whole[n].url for n in (0, 2, 3)]
    assert reasons(skips) == {CORRUPT_RECORD: 1}
    assert next(s for s in skips if s.reason == CORRUPT_RECORD).offset == start


def test_an_uncompressed_record_with_a_broken_header_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "broken.warc"
    _plain(path, 3)
    whole, _ = read(path)
    data = bytearray(path.read_bytes())
    data[whole[1].offset : whole[1].offset + 8] = b"GARBAGE!"
    path.write_bytes(bytes(data))
    pages, skips = read(path)
    assert [p.url for p in pages] == [whole[0].url, whole[2].url]
    assert reasons(skips) == {CORRUPT_RECORD: 1}


def test_a_missing_file_is_one_counted_skip(tmp_path: Path) -> None:
    pages, skips = read(tmp_path / "nowhere.warc.gz")
    assert not pages and [s.reason for s in skips] == [UNREADABLE_FILE]


def test_paths_and_globs_in_order_each_once(tmp_path: Path) -> None:
    for name in ("b.warc.gz", "a.warc.gz", "c.txt"):
        (tmp_path / name).write_bytes(b"")
    one = str(tmp_path / "b.warc.gz")
    found = warc_paths([one, str(tmp_path / "*.warc.gz"), str(tmp_path / "none-*.warc")])
    assert found == [one, str(tmp_path / "a.warc.gz"), str(tmp_path / "none-*.warc")]
