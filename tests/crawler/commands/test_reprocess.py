"""`scrapy reprocess`: the state's WARC files through the current code, only changes written."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from bench.warc_files import ArchivedPage, write_cc_news
from tests.conftest import CrawlResult, article_page, collect, crawl_command, prose

NOWHERE = "http://127.0.0.1:9"


def pages(title_of_2: str = "Story 2") -> list[ArchivedPage]:
    found = []
    for n in range(4):
        title = title_of_2 if n == 2 else f"Story {n}"
        body = article_page(title, prose(n)).encode()
        found.append(ArchivedPage(f"https://paper.example/{n}.html", body))
    # a copy of story 1 on another site: a story of two pages
    copy = article_page("Story 1", prose(1), site_name="Mirror").encode()
    found.append(ArchivedPage("https://mirror.example/1.html", copy))
    return found


def reprocess(
    workdir: Path,
    output: str,
    settings: dict[str, str] | None = None,
    args: dict[str, str] | None = None,
) -> CrawlResult:
    """`scrapy reprocess` in the folder of the earlier crawls, on their state."""
    command, env = crawl_command(
        "warc", workdir, args=args, settings=settings, proxy=NOWHERE, output=output
    )
    at = command.index("crawl")
    command[at : at + 2] = ["reprocess"]
    done = subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, timeout=300
    )
    return collect(workdir, done.returncode, done.stderr, output)


def test_reprocess_writes_only_the_records_that_changed(crawl, tmp_path):
    workdir = tmp_path / "run"
    workdir.mkdir()
    warc = workdir / "news.warc.gz"
    write_cc_news(warc, pages())
    first = crawl("warc", args={"files": "news.warc.gz"}, proxy=NOWHERE, workdir=workdir)
    assert first.returncode == 0, first.log
    ids = {r["url"]: r["id"] for r in first.current}
    assert len(ids) == 5 and len(first.records) == first.stats["newsfold/articles"] + 1

    same = reprocess(workdir, "again.jsonl")
    assert same.returncode == 0, same.log
    assert same.records == []
    assert same.stats["newsfold/skipped/unchanged"] == 5
    assert same.stats["newsfold/warc/files"] == 1

    # The archive now says something else of one page (as a better extractor would read
    # it): that page's record is written again, with its id; nothing else is.
    write_cc_news(warc, pages(title_of_2="Story 2, as it really reads"))
    changed = reprocess(workdir, "changed.jsonl")
    assert changed.returncode == 0, changed.log
    assert [(r["id"], r["title"], r["revision"]) for r in changed.records] == [
        (ids["https://paper.example/2.html"], "Story 2, as it really reads", 2)
    ]
    assert changed.stats["newsfold/skipped/unchanged"] == 4

    # the warc spider's filters apply; the files are the state's own
    mirror = reprocess(workdir, "mirror.jsonl", args={"hosts": "mirror.example"})
    assert mirror.returncode == 0, mirror.log
    assert mirror.stats["newsfold/skipped/other_host"] == 4
    assert mirror.stats["newsfold/skipped/unchanged"] == 1
    other = reprocess(workdir, "other.jsonl", args={"files": "elsewhere.warc.gz"})
    assert other.returncode == 3
    assert "-a files: reprocess reads the WARC files the state knows" in other.log


def test_reprocess_with_a_stricter_setting_leaves_the_records_it_now_drops(crawl, tmp_path):
    """A page the current settings refuse is dropped, never written as a change."""
    workdir = tmp_path / "run"
    workdir.mkdir()
    write_cc_news(workdir / "news.warc.gz", pages())
    first = crawl("warc", args={"files": "news.warc.gz"}, proxy=NOWHERE, workdir=workdir)
    assert first.returncode == 0, first.log
    strict = reprocess(workdir, "strict.jsonl", settings={"MIN_ARTICLE_CHARS": "100000"})
    assert strict.records == []
    assert strict.stats["newsfold/dropped/too_short"] == 5


def test_reprocess_without_a_state_or_a_warc_is_one_line(crawl, tmp_path):
    missing = reprocess(tmp_path / "nothing", "out.jsonl")
    assert missing.returncode == 3
    assert "no state at" in missing.log and "Traceback" not in missing.log

    workdir = tmp_path / "live"
    (workdir / "urls.txt").parent.mkdir(parents=True)
    (workdir / "urls.txt").write_text("http://127.0.0.1:9/a.html\n")
    crawl("urls", args={"file": "urls.txt"}, workdir=workdir)
    none = reprocess(workdir, "out.jsonl")
    assert none.returncode == 3
    assert "the state knows no WARC file" in none.log


def test_the_state_knows_the_warc_files_runs_wrote_read_or_had_repaired():
    """Written and read files (`warc_files`) and a killed run's files, which only the
    repairing run's manifest lists (`repaired[].warc_files`), each once, oldest first."""
    from crawler.commands.reprocess import known_warc_files

    manifests: list[dict[str, Any]] = [
        {"warc_files": ["warc/a-00000.warc.gz", "cc/news.warc.gz"]},
        {"repaired": [{"run": "killed", "warc_files": ["warc/k-00000.warc.gz"]}]},
        {"warc_files": ["warc/a-00000.warc.gz", 7, ""], "repaired": "odd"},
    ]
    assert known_warc_files(manifests) == [
        "warc/a-00000.warc.gz",
        "cc/news.warc.gz",
        "warc/k-00000.warc.gz",
    ]
