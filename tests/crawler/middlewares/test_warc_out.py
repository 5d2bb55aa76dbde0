"""WARC out: a crawl archives every response with its request, and each record points at
its page's response record; rotation, the manifest, and a kill -9 mid-write."""

from __future__ import annotations

import gzip
import hashlib
import json
import signal
import subprocess
from base64 import b32encode
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings
from warcio.archiveiterator import ArchiveIterator

from crawler.addon import Newsfold
from crawler.exitcodes import OUTPUT_FAILED
from crawler.feedstorage import OutputError
from crawler.warc_writer import whole_end
from tests.conftest import (
    article_page,
    crawl_command,
    prose,
    read_jsonl,
    run_crawl,
    story_web,
    validate_records,
)

STORIES, COPIES = 6, 2
ARGS = {"feeds": "http://news.test/feed.xml,http://mirror.test/feed.xml"}
PAGES = {f"http://news.test/story-{n}.html" for n in range(STORIES)} | {
    f"http://mirror.test/copy-{n}.html" for n in range(COPIES)
}
FETCHED = PAGES | {
    "http://news.test/feed.xml",
    "http://mirror.test/feed.xml",
    "http://news.test/robots.txt",
    "http://mirror.test/robots.txt",
}


def read_warc(path: Path) -> list[dict[str, Any]]:
    """Every record of a WARC file, read to its end (a torn record raises)."""
    records = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            payload = record.raw_stream.read()
            records.append(
                {"type": record.rec_type, "headers": record.rec_headers, "payload": payload}
            )
    return records


def response_at(path: Path, offset: int) -> Any:
    with path.open("rb") as stream:
        stream.seek(offset)
        record = next(iter(ArchiveIterator(stream)))
        return record.rec_type, record.rec_headers["WARC-Target-URI"]


def check_pointers(workdir: Path, records: list[dict[str, Any]]) -> None:
    for record in records:
        place = record["warc"]
        assert set(place) == {"file", "offset"}
        assert response_at(workdir / place["file"], place["offset"]) == ("response", record["url"])


def sha1(data: bytes) -> str:
    return "sha1:" + b32encode(hashlib.sha1(data).digest()).decode()


def test_a_crawl_archives_every_response_and_each_record_points_at_its_own(make_web, tmp_path):
    server = make_web(story_web(STORIES, COPIES))
    workdir = tmp_path / "run"
    result = run_crawl(
        "feeds", workdir, args=ARGS, settings={"WARC_DIR": "warc"}, proxy=server.address
    )
    assert result.returncode == 0, result.log
    (path,) = (workdir / "warc").iterdir()
    manifest = json.loads(next(workdir.glob("manifest-*.json")).read_text())
    assert path.name == f"newsfold-{manifest['run']}-00001.warc.gz"
    assert manifest["warc_files"] == ["warc/" + path.name]

    warc = read_warc(path)
    assert warc[0]["type"] == "warcinfo"
    assert (
        b"software: newsfold " in warc[0]["payload"]
        and b"ROBOTSTXT_OBEY: True" in warc[0]["payload"]
    )
    pairs = list(zip(warc[1::2], warc[2::2], strict=True))
    assert [(r["type"], q["type"]) for r, q in pairs] == [("response", "request")] * len(pairs)
    urls = [r["headers"]["WARC-Target-URI"] for r, _ in pairs]
    assert sorted(urls) == sorted(FETCHED), "each fetch once, robots.txt and feeds too"
    for response, request in pairs:
        assert response["headers"]["WARC-Payload-Digest"] == sha1(response["payload"])
        assert request["headers"]["WARC-Concurrent-To"] == response["headers"]["WARC-Record-ID"]
        assert request["headers"]["WARC-Target-URI"] == response["headers"]["WARC-Target-URI"]
        assert response["headers"]["WARC-Date"].startswith("20")
    page = next(r for r, _ in pairs if r["headers"]["WARC-Target-URI"] in PAGES)
    assert page["payload"].startswith(b"<!DOCTYPE html>")

    assert {r["url"] for r in result.records} == PAGES
    validate_records(result.records)
    assert all(r["warc"]["file"] == "warc/" + path.name for r in result.records)
    check_pointers(workdir, result.records)

    stats = result.stats
    assert stats["newsfold/warc/written/records"] == 2 * len(FETCHED) == len(warc) - 1
    assert stats["newsfold/warc/written/files"] == 1
    assert stats["newsfold/warc/written/bytes"] + len(_first_member(path)) == path.stat().st_size
    print(
        f"WARC out: {len(FETCHED)} responses, {path.stat().st_size} bytes, "
        f"{stats['newsfold/warc/written/bytes'] // len(FETCHED)} bytes per response and request"
    )


def _first_member(path: Path) -> bytes:
    data = path.read_bytes()
    return data[: data.index(b"\x1f\x8b", 2)]


def test_warc_files_rotate_at_warc_max_size_and_the_manifest_lists_them(make_web, tmp_path):
    server = make_web(story_web(STORIES, COPIES))
    workdir = tmp_path / "run"
    result = run_crawl(
        "feeds",
        workdir,
        args=ARGS,
        settings={"WARC_DIR": str(tmp_path / "archive"), "WARC_MAX_SIZE": "4000"},
        proxy=server.address,
    )
    assert result.returncode == 0, result.log
    written = sorted((tmp_path / "archive").iterdir())
    assert len(written) >= 3 and all(p.name.endswith(".warc.gz") for p in written)
    manifest = json.loads(next(workdir.glob("manifest-*.json")).read_text())
    assert manifest["warc_files"] == [str(p) for p in written]
    assert result.stats["newsfold/warc/written/files"] == len(written)
    responses = []
    for path in written:
        warc = read_warc(path)
        assert warc[0]["type"] == "warcinfo"
        assert [r["type"] for r in warc[1:]] == ["response", "request"] * ((len(warc) - 1) // 2)
        responses += [r["headers"]["WARC-Target-URI"] for r in warc[1::2]]
    assert sorted(responses) == sorted(FETCHED)
    check_pointers(workdir, result.records)


def test_without_warc_dir_nothing_is_archived(make_web, tmp_path):
    server = make_web(story_web(2))
    workdir = tmp_path / "run"
    result = run_crawl(
        "feeds", workdir, args={"feeds": "http://news.test/feed.xml"}, proxy=server.address
    )
    assert result.returncode == 0, result.log
    assert len(result.records) == 2 and all(r["warc"] is None for r in result.records)
    assert not list(tmp_path.rglob("*.warc.gz*"))
    assert not any(name.startswith("newsfold/warc/") for name in result.stats)
    manifest = json.loads(next(workdir.glob("manifest-*.json")).read_text())
    assert manifest["warc_files"] == []


def test_a_kill_mid_write_leaves_only_whole_files_and_the_next_run_finishes_them(
    make_web, tmp_path
):
    server = make_web(story_web(STORIES, COPIES))
    workdir = tmp_path / "run"
    archive = workdir / "warc"
    settings = {
        "WARC_DIR": "warc",
        "WARC_MAX_SIZE": "8000",
        "CONCURRENT_REQUESTS": "1",
        # Each page through the pipelines before the next fetch.
        "DOWNLOAD_DELAY": "0.3",
        "EXTRACT_WORKERS": "0",
        "EXTENSIONS": json.dumps({"tests.killer.KillInWarcWrite": 0}),
        "KILL_IN_WARC_WRITE": "12",
    }
    command, env = crawl_command(
        "feeds", workdir, args=ARGS, settings=settings, proxy=server.address, output=None
    )
    killed = subprocess.run(command, cwd=workdir, env=env, timeout=120, stderr=subprocess.DEVNULL)
    assert killed.returncode == -signal.SIGKILL
    (part,) = archive.glob("*.part")
    published = sorted(archive.glob("*.warc.gz"))
    assert published, "a file was rotated before the kill"
    for path in published:  # under a final name, every file is whole
        with path.open("rb") as stream:
            assert whole_end(stream)[0] == path.stat().st_size
        read_warc(path)
    with part.open("rb") as stream:
        torn_at = whole_end(stream)[0]
    assert 0 < torn_at < part.stat().st_size

    last = run_crawl(
        "feeds",
        workdir,
        args=ARGS,
        settings={"WARC_DIR": "warc"},
        proxy=server.address,
        output=None,
    )
    assert last.returncode == 0, last.log
    assert not list(archive.glob("*.part"))
    final = Path(str(part).removesuffix(".part"))
    assert final.stat().st_size == torn_at, "cut to its last whole pair and published"
    killed_files = [f"warc/{p.name}" for p in [*published, final]]
    for path in sorted(archive.glob("*.warc.gz")):
        warc = read_warc(path)
        assert [r["type"] for r in warc] == ["warcinfo"] + ["response", "request"] * (
            (len(warc) - 1) // 2
        )
    manifests = sorted((workdir / "output").glob("manifest-*.json"))
    repaired = json.loads(manifests[-1].read_text())["repaired"]
    assert repaired[0]["warc_files"] == killed_files

    records = [r for p in sorted((workdir / "output").glob("*.jsonl")) for r in read_jsonl(p)]
    assert {r["url"] for r in records} == PAGES
    check_pointers(workdir, records)
    assert any(r["warc"]["file"] in killed_files for r in records), "its records kept theirs"


def test_a_warc_that_cannot_be_written_stops_the_run_and_its_pages_are_fetched_again(
    make_web, tmp_path
):
    server = make_web(story_web(STORIES, COPIES))
    workdir = tmp_path / "run"
    settings = {
        "WARC_DIR": "warc",
        "CONCURRENT_REQUESTS": "1",
        "EXTRACT_WORKERS": "0",
        "EXTENSIONS": json.dumps({"tests.full_disk.FullWarcDisk": 0}),
        "FULL_DISK_AFTER_WARC": "8",
    }
    full = run_crawl("feeds", workdir, args=ARGS, settings=settings, proxy=server.address)
    assert full.returncode == OUTPUT_FAILED, full.log
    assert full.log.count("Cannot write the WARC file") == 1 and "Traceback" not in full.log
    manifest = json.loads(next(workdir.glob("manifest-*.json")).read_text())
    assert manifest["finish_reason"] == "output_failed"
    (error,) = manifest["output_errors"]
    assert error["path"].startswith("warc/") and "No space left" in error["error"]
    (path,) = (workdir / "warc").glob("*.warc.gz")
    assert manifest["warc_files"] == [f"warc/{path.name}"]
    assert not list((workdir / "warc").glob("*.part")), "cut to its whole pairs, published"
    kinds = [r["type"] for r in read_warc(path)]
    assert kinds == ["warcinfo"] + ["response", "request"] * 7
    assert full.stats["newsfold/skipped/warc_failed"] >= 1
    check_pointers(workdir, full.records)

    rest = run_crawl(
        "feeds",
        workdir,
        args=ARGS,
        settings={"WARC_DIR": "warc"},
        proxy=server.address,
        output="rest.jsonl",
    )
    assert rest.returncode == 0, rest.log
    records = [*full.records, *rest.records]
    assert {r["url"] for r in records} == PAGES, "none lost"
    revisions = [(r["id"], r["revision"]) for r in records]
    assert len(revisions) == len(set(revisions)), "none twice"
    check_pointers(workdir, records)


def test_a_warc_dir_that_cannot_take_files_is_refused_before_the_crawl(tmp_path):
    (tmp_path / "a-file").write_text("")
    with pytest.raises(OutputError, match="a-file is a file, not a folder"):
        Newsfold().update_settings(Settings({"WARC_DIR": str(tmp_path / "a-file" / "warc")}))
    Newsfold().update_settings(Settings({"WARC_DIR": str(tmp_path / "new" / "warc")}))


def test_the_archive_holds_the_bytes_as_sent_redirects_and_retries_too(serve, crawl, tmp_path):
    """Written before decompression, redirects and retries: a gzip-encoded page is
    archived gzipped (warcio decodes it for readers), and every hop has its record."""
    page = article_page("Sent gzipped", prose(21)).encode()
    sent = gzip.compress(page)
    server = serve(
        {
            "/old.html": [(301, {"Location": "/a.html"}, "moved")],
            "/a.html": [(503, {}, "busy"), (200, {"Content-Encoding": "gzip"}, sent)],
        }
    )
    result = crawl("urls", args={"urls": server.url("/old.html")}, settings={"WARC_DIR": "warc"})
    assert result.returncode == 0, result.log
    (record,) = result.records
    assert record["url"] == server.url("/a.html") and record["title"] == "Sent gzipped"
    (path,) = (result.workdir / "warc").iterdir()
    with path.open("rb") as stream:
        hops = []
        for warc in ArchiveIterator(stream):
            if warc.rec_type != "response":
                continue
            uri, status = warc.rec_headers["WARC-Target-URI"], warc.http_headers.get_statuscode()
            hops.append((uri.removeprefix(server.url("")), status))
            if status == "200":
                assert warc.http_headers.get_header("Content-Encoding") == "gzip"
                assert warc.rec_headers["WARC-Payload-Digest"] == sha1(sent)
                assert warc.content_stream().read() == page
    assert sorted(hops) == sorted(
        [("/robots.txt", "404"), ("/old.html", "301"), ("/a.html", "503"), ("/a.html", "200")]
    )
    check_pointers(result.workdir, result.records)
