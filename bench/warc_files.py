"""WARC files written the way Common Crawl's news crawler (CC-NEWS) writes them, for the
`warc` spider's tests and benchmark.

The layout follows CC-NEWS files as published (StormCrawler's WARC writer): a `warcinfo`
record naming the crawl (`isPartOf: CC-NEWS`), then for every page a `request` record,
its `response` (HTTP headers with the charset, the payload stored decoded, so the
original `Content-Encoding` kept as `X-Crawler-Content-Encoding`) and a `metadata` record
(fetch time), each with `WARC-Target-URI`, `WARC-Record-ID`, `WARC-Date`,
`WARC-IP-Address`, the response and metadata pointing at their request
(`WARC-Concurrent-To`). Gzip per record, as `.warc.gz` files are. Written with warcio,
a tool other than the reader's own code paths.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

CC_NEWS_INFO = {
    "software": "StormCrawler 2.10 https://stormcrawler.net/",
    "format": "WARC File Format 1.1",
    "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
    "description": "News crawl for Common Crawl",
    "isPartOf": "CC-NEWS",
    "operator": "Common Crawl Admin (info@commoncrawl.org)",
    "http-header-user-agent": "CCBot/2.0 (https://commoncrawl.org/faq/)",
    "robots": "checked via crawler-commons 1.4 (https://github.com/crawler-commons/crawler-commons)",
}


@dataclass(frozen=True)
class ArchivedPage:
    """A page as a crawler fetched it: what goes into its request and response records."""

    url: str
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    date: str = "2024-03-01T08:00:00Z"  # WARC-Date: when it was fetched
    status: int = 200
    ip: str = "192.0.2.10"


def write_cc_news(path: Path | str, pages: Iterable[ArchivedPage]) -> int:
    """Write `pages` to a new `.warc.gz` at `path` in CC-NEWS's layout; the file's size."""
    with open(path, "wb") as handle:
        append_cc_news(handle, pages, Path(path).name, info=True)
        return handle.tell()


def append_cc_news(
    handle: BinaryIO, pages: Iterable[ArchivedPage], filename: str, info: bool = False
) -> None:
    """Append the records of `pages` (after a warcinfo record when `info`)."""
    writer = WARCWriter(handle, gzip=True, warc_version="WARC/1.1")
    warcinfo_id = None
    if info:
        warcinfo = writer.create_warcinfo_record(filename, dict(CC_NEWS_INFO))
        writer.write_record(warcinfo)
        warcinfo_id = warcinfo.rec_headers.get_header("WARC-Record-ID")
    for page in pages:
        for record in _records(writer, page, warcinfo_id):
            writer.write_record(record)


def _records(writer: WARCWriter, page: ArchivedPage, warcinfo_id: str | None) -> list[object]:
    host = page.url.split("/")[2]
    common = {"WARC-Date": page.date, "WARC-IP-Address": page.ip}
    if warcinfo_id:
        common["WARC-Warcinfo-ID"] = warcinfo_id
    path = "/" + page.url.split("/", 3)[3] if page.url.count("/") >= 3 else "/"
    request_headers = StatusAndHeaders(
        f"GET {path} HTTP/1.1",
        [("Host", host), ("User-Agent", CC_NEWS_INFO["http-header-user-agent"])],
        is_http_request=True,
    )
    request = writer.create_warc_record(
        page.url, "request", http_headers=request_headers, warc_headers_dict=dict(common)
    )
    request_id = request.rec_headers.get_header("WARC-Record-ID")
    response_headers = StatusAndHeaders(
        f"{page.status} OK",
        [
            ("Date", "Fri, 01 Mar 2024 08:00:00 GMT"),
            ("Content-Type", page.content_type),
            ("X-Crawler-Content-Encoding", "gzip"),  # the payload is stored decoded
            ("Content-Length", str(len(page.body))),
        ],
        protocol="HTTP/1.1",
    )
    response = writer.create_warc_record(
        page.url,
        "response",
        payload=io.BytesIO(page.body),
        length=None,
        http_headers=response_headers,
        warc_headers_dict={**common, "WARC-Concurrent-To": request_id},
    )
    metadata = writer.create_warc_record(
        page.url,
        "metadata",
        payload=io.BytesIO(b"fetchTimeMs: 212\r\n"),
        warc_content_type="application/warc-fields",
        warc_headers_dict={**common, "WARC-Concurrent-To": request_id},
    )
    return [request, response, metadata]
