"""Reading the HTML responses of local WARC files, record by record.

An archive is read as a stream (warcio's `ArchiveIterator`, gzip per record or
uncompressed): one record's payload at a time, read up to a limit, so memory stays flat
whatever the file's size. Every record that gives no page says why (`WarcSkip`): the
other record types (warcinfo, request, metadata) as `not_response`, and a response with
no HTTP headers, one that is not HTML, one over the limit, a record cut short or
unparseable. A record that cannot be parsed inside a whole gzip member is skipped and
reading resumes at the next member (or, uncompressed, at the next `WARC/` header line);
a gzip member that cannot be inflated ends the file, since nothing after it can be
found for certain. Free of Scrapy, so benchmarks read with it directly.
"""

from __future__ import annotations

import glob
import os
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

# The reasons a record gives no page. `not_response` is a record of another type (a CC-NEWS
# file holds a request and a metadata record for every response): counted, not a problem.
NOT_RESPONSE = "not_response"
NO_HTTP_HEADERS = "warc_no_http_headers"
NOT_HTML = "not_html"
TOO_LARGE = "too_large"
TRUNCATED = "warc_truncated"
CORRUPT_RECORD = "warc_corrupt_record"
CORRUPT_GZIP = "warc_corrupt_gzip"
UNREADABLE_FILE = "warc_unreadable_file"

HTML_TYPES = ("text/html", "application/xhtml+xml")
SNIFF_BYTES = 512  # how much of a payload without a Content-Type is looked at
HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body")
GZIP_MAGIC = b"\x1f\x8b\x08"
SCAN_BLOCK = 1 << 20
READ_BLOCK = 1 << 16


@dataclass(frozen=True)
class WarcResponse:
    """An HTML response read from a WARC file, with the place of its record."""

    url: str
    date: str  # WARC-Date, as the record gives it
    status: int
    headers: list[tuple[str, str]]  # the HTTP headers, in order
    body: bytes  # the payload, transfer and content encodings removed
    file: str
    offset: int  # of the gzip member (or uncompressed record) holding the record


@dataclass(frozen=True)
class WarcSkip:
    """A record that gave no page, and why."""

    reason: str
    file: str
    offset: int
    url: str = ""
    detail: str = ""


def read_warc(path: str, max_payload: int) -> Iterator[WarcResponse | WarcSkip]:
    """Each record of the WARC file at `path`: an HTML response, or why it is skipped.

    A payload over `max_payload` bytes is skipped as `too_large` after reading only that
    much of it (the rest is read past, not kept).
    """
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below; the generator may pause)
    except OSError as error:
        yield WarcSkip(UNREADABLE_FILE, path, 0, detail=error.strerror or str(error))
        return
    with handle:
        compressed = handle.read(3) == GZIP_MAGIC
        start: int | None = 0
        while start is not None:
            handle.seek(start)
            start = yield from _records(handle, path, max_payload, compressed)


def _records(
    handle: IO[bytes], path: str, max_payload: int, compressed: bool
) -> Generator[WarcResponse | WarcSkip, None, int | None]:
    """Read from the handle's position; return where to resume after a corrupt record
    (None at the end of the file, or after a gzip member that cannot be inflated)."""
    records = ArchiveIterator(handle)
    try:
        for record in records:
            # where this record starts (records.offset moves on once it is read)
            yield _judge(record, records, path, records.offset, max_payload)
    except zlib.error as error:
        detail = f"{error}; the rest of the file unread"
        yield WarcSkip(CORRUPT_GZIP, path, records.offset, detail=detail)
        return None
    except StatusAndHeadersParserException as error:
        # warcio parses a response's HTTP headers as it reads the record's own
        yield WarcSkip(NO_HTTP_HEADERS, path, records.offset, detail=_first_line(error))
        return _next_start(handle, records.offset + 1, compressed)
    except (ArchiveLoadFailed, ValueError, EOFError, AttributeError, TypeError) as error:
        # warcio's parser meets garbage (AttributeError, TypeError: a header it needs is
        # missing). With no record after it, the file ends inside this one: cut short.
        resume = _next_start(handle, records.offset + 1, compressed)
        reason = CORRUPT_RECORD if resume is not None else TRUNCATED
        yield WarcSkip(reason, path, records.offset, detail=_first_line(error))
        return resume
    # A gzip member cut short ends warcio's reading without an error: what is left
    # unread of the file is the truncated record.
    size = os.path.getsize(path)
    if records.offset < size:
        left = f"{size - records.offset} bytes at the end unreadable"
        yield WarcSkip(TRUNCATED, path, records.offset, detail=left)
    return None


def _first_line(error: BaseException) -> str:
    """warcio's message, short and printable (it quotes the bytes it could not parse)."""
    lines = str(error).strip().splitlines() or [type(error).__name__]
    return ascii(lines[0][:120])[1:-1]


def _judge(
    record: Any, records: ArchiveIterator, path: str, offset: int, max_payload: int
) -> WarcResponse | WarcSkip:
    kind = record.rec_type
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    if kind is None:  # warcio read a header block with no WARC-Type: a record cut short
        records.read_to_end()
        at_end = records.offset >= os.path.getsize(path)
        reason = TRUNCATED if at_end else CORRUPT_RECORD
        return WarcSkip(reason, path, offset, url, "the record's WARC headers are incomplete")
    if kind != "response":
        return WarcSkip(NOT_RESPONSE, path, offset, url, str(kind))
    http = record.http_headers
    if http is None or not http.protocol.upper().startswith("HTTP/"):
        return WarcSkip(NO_HTTP_HEADERS, path, offset, url, record.content_type or "")
    content_type = http.get_header("Content-Type") or ""
    stream = record.content_stream()
    head = stream.read(min(SNIFF_BYTES, max_payload + 1))
    if not _is_html(content_type, head):
        return WarcSkip(NOT_HTML, path, offset, url, content_type or "no Content-Type")
    chunks = [head]
    size = len(head)
    while size <= max_payload:
        chunk = stream.read(min(READ_BLOCK, max_payload + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > max_payload:
        return WarcSkip(TOO_LARGE, path, offset, url, f"payload over {max_payload} bytes")
    left = record.raw_stream.limit if hasattr(record.raw_stream, "limit") else 0
    if left:
        return WarcSkip(TRUNCATED, path, offset, url, f"{left} bytes of the record missing")
    status = int(http.get_statuscode() or 0)
    headers = [
        (name, value)
        for name, value in http.headers
        if name.lower() not in {"content-encoding", "transfer-encoding", "content-length"}
    ]
    return WarcResponse(
        url=url,
        date=record.rec_headers.get_header("WARC-Date") or "",
        status=status,
        headers=headers,
        body=b"".join(chunks),
        file=path,
        offset=offset,
    )


def _is_html(content_type: str, head: bytes) -> bool:
    """HTML by its Content-Type, or by its first bytes when it declares none (or a
    generic type such as application/octet-stream that servers send for anything)."""
    media = content_type.split(";")[0].strip().lower()
    if media in HTML_TYPES:
        return True
    if media and media not in {"application/octet-stream", "text/plain"}:
        return False
    sniffed = head.lstrip().lower()
    return sniffed.startswith(HTML_MARKERS)


def _next_start(handle: IO[bytes], position: int, compressed: bool) -> int | None:
    """Where the next record may start after `position`: the next gzip member's magic,
    or, uncompressed, the next line that opens a WARC record. None if there is none."""
    marker = GZIP_MAGIC if compressed else b"\nWARC/1."
    skip = 0 if compressed else 1  # the record starts after the newline
    handle.seek(position)
    carry = b""
    base = position
    while True:
        block = handle.read(SCAN_BLOCK)
        if not block:
            return None
        data = carry + block
        found = data.find(marker)
        if found >= 0:
            return base - len(carry) + found + skip
        carry = data[-(len(marker) - 1) :]
        base += len(block)


def warc_paths(patterns: list[str]) -> list[str]:
    """The files that paths and globs name, in the order given, each once; a pattern that
    matches nothing is kept as given, for the reader to report as unreadable."""
    found: list[str] = []
    for pattern in patterns:
        if glob.has_magic(pattern):
            matches = sorted(p for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
            found.extend(matches or [pattern])
        else:
            found.append(pattern)
    return list(dict.fromkeys(found))
