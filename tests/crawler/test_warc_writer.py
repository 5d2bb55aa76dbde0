"""`crawler.warc_writer`: WARC records warcio reads back, rotation, and the cut after a kill."""

from __future__ import annotations

import gzip
import hashlib
import io
from base64 import b32encode
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

import crawler.warc_writer as warc_writer
from crawler.runs import begin, part_path, publish
from crawler.state import open_state
from crawler.warc_writer import Exchange, WarcFiles, whole_end

HTML = b"<html><body><p>The story.</p></body></html>"


def exchange(n: int, body: bytes = HTML, headers: list[tuple[str, str]] | None = None):
    return Exchange(
        url=f"http://news.test/story-{n}.html",
        method="GET",
        request_headers=[("User-Agent", "newsfold"), ("Proxy-Authorization", "Basic c2VjcmV0")],
        request_body=b"",
        status=200,
        response_headers=headers or [("Content-Type", "text/html; charset=utf-8")],
        body=body,
        date=datetime(2026, 12, 7, 9, 30, 1, 250000, tzinfo=UTC),
    )


def files(folder: Path, max_size: int = 10**9, registered: list[Path] | None = None):
    return WarcFiles(
        folder,
        "newsfold-run",
        max_size,
        {"software": "newsfold test"},
        register=(registered if registered is not None else []).append,
        publish=publish,
    )


def sha1(data: bytes) -> str:
    return "sha1:" + b32encode(hashlib.sha1(data).digest()).decode()


def test_each_exchange_is_a_response_and_its_request_after_the_warcinfo(tmp_path):
    registered: list[Path] = []
    warc = files(tmp_path / "warc", registered=registered)
    places = [warc.write(exchange(n)) for n in range(3)]
    final = tmp_path / "warc" / "newsfold-run-00001.warc.gz"
    assert registered == [final] and part_path(final).exists() and not final.exists()
    warc.close()
    assert final.exists() and not part_path(final).exists()

    with final.open("rb") as stream:
        records = [
            (r.rec_type, r.rec_headers, r.content_stream().read()) for r in ArchiveIterator(stream)
        ]
    assert [r[0] for r in records] == ["warcinfo"] + ["response", "request"] * 3
    assert records[0][1]["WARC-Filename"] == final.name
    assert b"software: newsfold test" in records[0][2]
    response, request = records[1][1], records[2][1]
    assert response["WARC-Target-URI"] == "http://news.test/story-0.html"
    assert response["WARC-Date"] == "2026-12-07T09:30:01.250000Z"
    assert response["WARC-Payload-Digest"] == sha1(HTML) and response["WARC-Block-Digest"]
    assert records[1][2] == HTML
    assert request["WARC-Concurrent-To"] == response["WARC-Record-ID"]
    assert request["WARC-Target-URI"] == response["WARC-Target-URI"]
    with final.open("rb") as stream:
        requests = [r.http_headers for r in ArchiveIterator(stream) if r.rec_type == "request"]
    assert requests[0].protocol == "GET" and requests[0].get_header("Host") == "news.test"
    assert requests[0].get_header("Proxy-Authorization") is None, "no credentials archived"

    for n, place in enumerate(places):
        assert place.path == final
        with final.open("rb") as stream:
            stream.seek(place.offset)
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_type == "response"
            assert record.rec_headers["WARC-Target-URI"] == f"http://news.test/story-{n}.html"


def test_a_body_is_kept_in_its_content_encoding_and_chunking_is_not_claimed(tmp_path):
    encoded = gzip.compress(HTML)
    headers = [
        ("Content-Type", "text/html"),
        ("Content-Encoding", "gzip"),
        ("Transfer-Encoding", "chunked"),
    ]
    warc = files(tmp_path)
    warc.write(exchange(0, encoded, headers))
    warc.close()
    (final,) = tmp_path.glob("*.warc.gz")
    with final.open("rb") as stream:
        response = next(r for r in ArchiveIterator(stream) if r.rec_type == "response")
        assert response.content_stream().read() == HTML  # warcio decodes it for readers
        assert response.rec_headers["WARC-Payload-Digest"] == sha1(encoded)
        assert response.http_headers.get_header("Content-Encoding") == "gzip"
        assert response.http_headers.get_header("Transfer-Encoding") is None


def test_files_rotate_at_the_size_and_each_is_whole(tmp_path):
    warc = files(tmp_path, max_size=2000)
    places = [warc.write(exchange(n, HTML * 20 + str(n).encode())) for n in range(12)]
    warc.close()
    written = sorted(tmp_path.glob("*.warc.gz"))
    assert len(written) >= 3 and written == warc.files
    assert not list(tmp_path.glob("*.part"))
    pairs = 0
    for path in written:
        with path.open("rb") as stream:
            kinds = [record.rec_type for record in ArchiveIterator(stream)]
        assert kinds[0] == "warcinfo" and kinds[1:] == ["response", "request"] * (
            (len(kinds) - 1) // 2
        )
        pairs += (len(kinds) - 1) // 2
    assert pairs == 12
    assert [p.path for p in places] == sorted(p.path for p in places)


def test_a_failed_write_breaks_the_writer_and_leaves_the_part(tmp_path, monkeypatch):
    warc = files(tmp_path)
    warc.write(exchange(0))

    def full(raw, data):
        raw.write(data[:10])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(warc_writer, "_write_all", full)
    with pytest.raises(OSError):
        warc.write(exchange(1))
    monkeypatch.undo()
    with pytest.raises(OSError):
        warc.write(exchange(2))
    warc.close()
    (part,) = tmp_path.glob("*.part")
    with part.open("rb") as stream:
        end, records = whole_end(stream)
    assert records == 3 and end < part.stat().st_size


def test_the_cut_keeps_whole_pairs_only(tmp_path):
    warc = files(tmp_path)
    sizes = [warc.write(exchange(n)).size for n in range(2)]
    (part,) = tmp_path.glob("*.part")
    whole = part.read_bytes()
    pair = whole[-sizes[1] :]
    response_only = pair[: pair.index(b"\x1f\x8b", 2)]
    before = whole[: -sizes[1]]
    assert whole_end(io.BytesIO(whole)) == (len(whole), 5)
    for torn in (pair[:7], response_only, pair[:-3]):  # torn response, no request, torn request
        assert whole_end(io.BytesIO(before + torn)) == (len(before), 3)
    head = whole[: -sum(sizes)]
    assert whole_end(io.BytesIO(head)) == (0, 0), "a warcinfo alone is not kept"
    assert whole_end(io.BytesIO(head[:-5])) == (0, 0)


def test_the_next_run_cuts_a_killed_run_s_warc_part_and_publishes_it(tmp_path):
    store = open_state(f"sqlite:///{tmp_path}/state.sqlite")
    killed = begin(store, "feeds", wait=0)
    warc = WarcFiles(
        tmp_path / "warc",
        f"newsfold-{killed.id}",
        10**9,
        {},
        register=lambda final: killed.add_file(str(final), kind="warc"),
        publish=publish,
    )
    place = warc.write(exchange(0))
    warc.write(exchange(1))
    (part,) = (tmp_path / "warc").glob("*.part")
    with part.open("r+b") as handle:  # the second pair was being written at the kill
        handle.truncate(part.stat().st_size - 20)
    store.close()

    store = open_state(f"sqlite:///{tmp_path}/state.sqlite")
    current = begin(store, "feeds", wait=0)
    (report,) = current.repaired
    final = place.path
    assert report["warc_files"] == [str(final)] and report["files"] == []
    assert final.exists() and not part.exists()
    with final.open("rb") as stream:
        kinds = [record.rec_type for record in ArchiveIterator(stream)]
    assert kinds == ["warcinfo", "response", "request"]
    store.close()
