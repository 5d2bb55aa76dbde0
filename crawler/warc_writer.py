"""WARC files of a crawl: every exchange as a `response` and a `request` record, gzip per
record, in files rotated by size that appear under their final names only when whole.

Free of Scrapy, so benchmarks and the repair call it directly. warcio builds the records
(digests, WARC-Record-ID, WARC-Concurrent-To); each record is compressed into memory and
reaches its file in one write, so a kill -9 leaves at most one torn record at the end of
a `.part` file, which `whole_end` finds and the repair cuts off (`crawler.runs`). A file
holds a `warcinfo` record, then pairs: the response (whose offset is the page's pointer)
and the request that fetched it.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

WARC_VERSION = "WARC/1.1"
SUFFIX = ".warc.gz"
# Request headers that carry credentials: an archive is shared, a password must not be.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
# The HTTP client undoes chunking before anyone sees the body: the body written is the
# de-chunked one, so the header that would tell a reader to de-chunk it is dropped.
UNDONE_HEADERS = frozenset({"transfer-encoding"})


@dataclass(frozen=True)
class Exchange:
    """One fetch as it went over the wire: the request sent and the response received
    (the body as received, still in its Content-Encoding)."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes
    date: datetime
    protocol: str = "HTTP/1.1"
    ip_address: str | None = None


@dataclass(frozen=True)
class Written:
    """Where an exchange went: the file's final name, the offset of the response record's
    gzip member, and the bytes the pair took."""

    path: Path
    offset: int
    size: int


def file_name(prefix: str, number: int) -> str:
    return f"{prefix}-{number:05d}{SUFFIX}"


def exchange_records(exchange: Exchange) -> bytes:
    """The response and request records of an exchange, each its own gzip member."""
    writer = WARCWriter(io.BytesIO(), gzip=True, warc_version=WARC_VERSION)
    target = urlsplit_target(exchange.url)
    date = datetime_to_iso_date(exchange.date.replace(tzinfo=None), use_micros=True)
    phrase = _phrase(exchange.status)
    response_headers = StatusAndHeaders(
        f"{exchange.status} {phrase}".strip(),
        [(k, v) for k, v in exchange.response_headers if k.lower() not in UNDONE_HEADERS],
        protocol=exchange.protocol or "HTTP/1.1",
    )
    extra = {"WARC-Date": date}
    if exchange.ip_address:
        extra["WARC-IP-Address"] = exchange.ip_address
    response = writer.create_warc_record(
        exchange.url,
        "response",
        payload=io.BytesIO(exchange.body),
        length=len(exchange.body),
        http_headers=response_headers,
        warc_headers_dict=extra,
    )
    request_headers = [
        (k, v) for k, v in exchange.request_headers if k.lower() not in SECRET_HEADERS
    ]
    if not any(k.lower() == "host" for k, _ in request_headers):
        request_headers.insert(0, ("Host", target[0]))
    request = writer.create_warc_record(
        exchange.url,
        "request",
        payload=io.BytesIO(exchange.request_body),
        length=len(exchange.request_body),
        http_headers=StatusAndHeaders(
            f"{exchange.method} {target[1]}",
            request_headers,
            protocol="HTTP/1.1",
            is_http_request=True,
        ),
        warc_headers_dict={"WARC-Date": date},
    )
    writer.write_request_response_pair(request, response)
    out = writer.out
    assert isinstance(out, io.BytesIO)
    return out.getvalue()


def warcinfo_record(filename: str, info: dict[str, str]) -> bytes:
    writer = WARCWriter(io.BytesIO(), gzip=True, warc_version=WARC_VERSION)
    writer.write_record(writer.create_warcinfo_record(filename, info))
    out = writer.out
    assert isinstance(out, io.BytesIO)
    return out.getvalue()


def urlsplit_target(url: str) -> tuple[str, str]:
    """The Host header and the request target (path and query) of a URL."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return parts.netloc, target


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class WarcFiles:
    """The crawl's WARC files: `PREFIX-NNNNN.warc.gz` in `folder`, each written as
    `.part` and published once it reaches `max_size` bytes or the crawl closes.

    `register(final)` is called before a file is created (so a kill can be repaired) and
    `publish(part, final)` gives a finished part its final name. The first OSError leaves
    the writer broken: nothing more is written, and the part stays for the repair.
    """

    def __init__(
        self,
        folder: Path,
        prefix: str,
        max_size: int,
        info: dict[str, str],
        register: Callable[[Path], None],
        publish: Callable[[Path, Path], None],
    ):
        self.folder = folder
        self.prefix = prefix
        self.max_size = max_size
        self.info = info
        self.register = register
        self.publish = publish
        self.files: list[Path] = []  # final names, in order
        self.raw: IO[bytes] | None = None
        self.size = 0
        self.broken = False

    def write(self, exchange: Exchange) -> Written:
        """Write an exchange's pair; OSError when it could not be (then always)."""
        if self.broken:
            raise OSError("an earlier WARC write failed")
        data = exchange_records(exchange)
        try:
            if self.raw is None:
                self._open()
            assert self.raw is not None
            offset = self.size
            _write_all(self.raw, data)
            self.size += len(data)
            place = Written(self.files[-1], offset, len(data))
            if self.size >= self.max_size:
                self._finish()
        except OSError:
            self.broken = True
            if self.raw is not None:
                self.raw.close()
                self.raw = None
            raise
        return place

    def close(self) -> None:
        """Publish the file being written, unless a write failed (the repair cuts it)."""
        if self.raw is not None and not self.broken:
            self._finish()

    def _open(self) -> None:
        final = self.folder / file_name(self.prefix, len(self.files) + 1)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.register(final)
        self.files.append(final)
        self.raw = part_of(final).open("wb", buffering=0)
        self.size = 0
        head = warcinfo_record(final.name, self.info)
        _write_all(self.raw, head)
        self.size = len(head)

    def _finish(self) -> None:
        assert self.raw is not None
        self.raw.close()
        self.raw = None
        self.publish(part_of(self.files[-1]), self.files[-1])


def part_of(final: Path) -> Path:
    return final.with_name(final.name + ".part")


def _write_all(raw: IO[bytes], data: bytes) -> None:
    """Every byte, or OSError: unbuffered writes may be short on a full disk."""
    view = memoryview(data)
    while view:
        view = view[raw.write(view) or 0 :]


CHUNK = 1 << 20


def member_ends(stream: IO[bytes]) -> Iterator[int]:
    """The end offset of each whole gzip member, up to the first torn or corrupt one."""
    offset = 0
    data = b""
    member = zlib.decompressobj(zlib.MAX_WBITS | 16)
    while True:
        if not data:
            data = stream.read(CHUNK)
            if not data:
                return
        try:
            member.decompress(data, CHUNK)
        except zlib.error:
            return
        if member.eof:
            rest = member.unused_data
            offset += len(data) - len(rest)
            yield offset
            data = rest
            member = zlib.decompressobj(zlib.MAX_WBITS | 16)
        else:
            tail = member.unconsumed_tail
            offset += len(data) - len(tail)
            data = tail


def whole_end(stream: IO[bytes]) -> tuple[int, int]:
    """Where a killed run's WARC part stops being whole, and the records before that.

    The cut keeps the warcinfo record and every whole response/request pair; a file with
    no whole pair is cut to nothing (it archived no exchange).
    """
    ends = list(member_ends(stream))
    pairs = (len(ends) - 1) // 2 if ends else 0
    if pairs <= 0:
        return 0, 0
    return ends[2 * pairs], 2 * pairs + 1
