"""Whole runs: state shared between runs, output files, and the switches an operator uses."""

import json
import subprocess
import time
from pathlib import Path

from crawler import exitcodes
from crawler.exitcodes import FAILED_TO_START, OK, TOO_MANY_ERRORS
from tests.conftest import (
    SAMPLE_SITES,
    article_page,
    crawl_command,
    fold,
    prose,
    read_jsonl,
    rss_feed,
    run_crawl,
    story_web,
)

ORIGIN = "http://africawire.test/stories/201312090456.html"
COPIES = [
    "http://libyaobserver.test/2013/12/10/libya-algeria-libya-to-bolster-security-co-operation/",
    "http://briefs.test/brief/20131212-algeria-libya-security-cooperation.html",
]


def test_a_second_run_finds_copies_through_the_persisted_index(sample_server, crawl, tmp_path):
    first = crawl(
        "urls",
        args={"urls": ORIGIN},
        proxy=sample_server.address,
        workdir=tmp_path / "one",
        state="../state.sqlite",
    )
    assert [r["url"] for r in first.articles] == [ORIGIN]
    second = crawl(
        "urls",
        args={"urls": ",".join(COPIES)},
        proxy=sample_server.address,
        workdir=tmp_path / "two",
        state="../state.sqlite",
    )
    assert second.returncode == 0, second.log[-2000:]
    assert {c["duplicate_of"] for c in second.copies} == {first.articles[0]["id"]}
    assert {c["method"] for c in second.copies} == {"jaccard", "containment"}
    # The copies credit the original: its record is written again with the new reason.
    (again,) = second.articles
    assert again["id"] == first.articles[0]["id"] and again["revision"] == 2
    assert (first.articles[0]["why"], again["why"]) == (
        "earliest published",
        "credited by other pages",
    )


def test_default_feeds_write_articles_and_copies_apart(sample_server, crawl):
    result = crawl(
        "urls", args={"urls": ",".join([ORIGIN, *COPIES])}, proxy=sample_server.address, output=None
    )
    assert result.returncode == 0, result.log[-2000:]
    articles = [
        read_jsonl(result.workdir / "output" / n) for n in result.files if n.startswith("articles-")
    ]
    copies = [
        read_jsonl(result.workdir / "output" / n) for n in result.files if n.startswith("copies-")
    ]
    assert len(articles) == len(copies) == 1
    current = fold(articles[0] + copies[0])  # whichever page came first, read both files
    assert sorted(r["kind"] for r in current) == ["article", "copy", "copy"]
    assert next(r for r in current if r["kind"] == "article")["url"] == ORIGIN
    assert all(r["kind"] == "article" for r in articles[0])
    assert all("text" not in c and c["kind"] == "copy" for c in copies[0])
    assert json.dumps(articles[0][0], ensure_ascii=False).count("\\u") == 0  # UTF-8, not escapes


def test_dedup_off_writes_every_page_as_an_article(sample_server, crawl):
    result = crawl(
        "urls",
        args={"urls": ",".join([ORIGIN, *COPIES])},
        proxy=sample_server.address,
        settings={"DEDUP_ENABLED": "False"},
    )
    assert result.returncode == 0
    assert len(result.articles) == 3
    assert result.copies == []


def test_pages_that_are_not_articles_are_counted_and_the_rest_survive(make_web, crawl):
    web = make_web(
        {
            "news.test/good.html": article_page("Good", prose(1)),
            "news.test/empty.html": "",
            "news.test/blank.html": "<html><head><title>Blank</title></head><body></body></html>",
            "news.test/short.html": article_page("Short", ["Only a line."]),
            "news.test/listing.html": "<html><body>"
            + "".join(
                f'<h2><a href="/story-{i}.html">Headline number {i} about the budget talks</a></h2>'
                for i in range(20)
            )
            + "</body></html>",
            "news.test/data.json": '{"not": "html"}',
        }
    )
    urls = ",".join(
        web.url("news.test", f"/{name}")
        for name in (
            "good.html",
            "empty.html",
            "blank.html",
            "short.html",
            "listing.html",
            "data.json",
        )
    )
    result = crawl("urls", args={"urls": urls})
    assert result.returncode == 0
    assert [r["title"] for r in result.records] == ["Good"]
    stats = result.stats
    assert stats["newsfold/skipped/empty_body"] == 1
    assert stats["newsfold/dropped/empty"] == 1
    assert stats["newsfold/dropped/too_short"] == 1
    assert stats["newsfold/dropped/listing"] == 1
    assert stats["newsfold/skipped/not_html"] == 1
    assert "not an article (too_short)" in result.log
    assert SAMPLE_SITES.is_dir()


def test_news_spider_refuses_a_bad_sources_file(crawl, tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "x"\nfeed = ["http://typo.test/"]\n')
    result = crawl("news", args={"sources": str(sources)})
    assert "unknown keys ['feed']" in result.log
    assert result.records == []
    assert result.returncode == FAILED_TO_START


def test_extraction_diagnostics_are_in_the_stats_and_log(sample_server, crawl):
    reprint = COPIES[0]
    result = crawl(
        "urls", args={"urls": reprint}, proxy=sample_server.address, settings={"LOG_LEVEL": "DEBUG"}
    )
    stats = result.stats
    assert stats["newsfold/extract/text_source/trafilatura"] == 1
    assert stats["newsfold/extract/published_source/meta"] == 1
    assert stats["newsfold/clean/credits"] == 2
    assert f"Extracted {reprint}: text from trafilatura" in result.log


def test_addon_defaults_and_contact_in_the_user_agent():
    from scrapy.settings import Settings

    from crawler.addon import Newsfold

    settings = Settings({"NEWSFOLD_CONTACT": "ops@example.org"}, priority="cmdline")
    Newsfold().update_settings(settings)
    assert settings["USER_AGENT"].endswith("; ops@example.org)")
    assert settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("AUTOTHROTTLE_ENABLED")
    assert not settings.getbool("TELNETCONSOLE_ENABLED")
    assert not settings.getbool("REMOTE_CONTROL_ENABLED")
    assert settings["FEED_STORAGES"][""] == "crawler.feedstorage.AtomicFileFeedStorage"


def test_exit_codes_tell_the_scheduler_how_the_run_went(crawl, tmp_path):
    dead = "http://127.0.0.1:9/unreachable.html"  # nothing listens on the discard port
    failed = crawl(
        "urls", args={"urls": dead}, settings={"RETRY_TIMES": "0"}, workdir=tmp_path / "dead"
    )
    assert failed.returncode == TOO_MANY_ERRORS
    # The run's last line says how it went and with which code, once.
    *_, last = failed.log.rstrip("\n").splitlines()
    assert last.endswith(
        " ERROR: newsfold run finished: 0 articles, 0 copies; errors: connection_refused 1; "
        "exit code 4 (finished with errors above MAX_ERROR_RATIO)"
    ), last
    assert "xit code" not in failed.log.replace(last, "")
    tolerated = crawl(
        "urls",
        args={"urls": dead},
        settings={"RETRY_TIMES": "0", "MAX_ERROR_RATIO": "2"},
        workdir=tmp_path / "tolerated",
    )
    assert tolerated.returncode == OK


def test_a_second_run_on_a_busy_state_waits_or_exits_with_its_own_code(make_web, tmp_path):
    server = make_web(story_web(6))
    state = {"STATE_URL": f"sqlite:///{tmp_path / 'shared.sqlite'}"}
    slow = {**state, "DOWNLOAD_DELAY": "0.5", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
    args = {"feeds": "http://news.test/feed.xml"}
    first_dir = tmp_path / "first"
    command, env = crawl_command(
        "feeds", first_dir, args=args, settings=slow, proxy=server.address, output=None
    )
    first = subprocess.Popen(command, cwd=first_dir, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while "Spider opened" not in _read(first_dir / "crawl.log"):
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.1)

    started = time.monotonic()
    refused = run_crawl(
        "feeds",
        tmp_path / "refused",
        args=args,
        settings={**state, "LOCK_WAIT": "0"},
        proxy=server.address,
        output=None,
    )
    assert time.monotonic() - started < 20
    assert first.poll() is None, "the first run should still be crawling"
    assert refused.returncode == exitcodes.LOCKED
    assert "another run holds" in refused.log and "Traceback" not in refused.log
    assert not (tmp_path / "refused" / "output").exists()

    waited = run_crawl(
        "feeds",
        tmp_path / "waited",
        args=args,
        settings={**state, "LOCK_WAIT": "60"},
        proxy=server.address,
        output=None,
    )
    assert first.wait(timeout=60) == 0
    assert waited.returncode == exitcodes.OK, waited.log
    assert waited.stats["newsfold/skipped/seen"] == 6
    assert "newsfold/articles" not in waited.stats


def _read(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def test_keep_runs_bounds_the_run_files_and_manifests_kept(make_web, crawl, tmp_path):
    server = make_web(story_web(1))
    root = tmp_path / "web0" / "news.test"
    args = {"feeds": "http://news.test/feed.xml"}
    shared = tmp_path / "shared.jsonl"  # a file all runs append to is the operator's
    names = []
    for n in range(4):
        (root / f"story-{n}.html").write_text(article_page(f"Story {n}", prose(200 + n)))
        (root / "feed.xml").write_text(rss_feed([f"http://news.test/story-{n}.html"]))
        feeds = {
            "output/articles-%(time)s.jsonl": {"format": "jsonlines"},
            str(shared): {"format": "jsonlines"},
        }
        result = crawl(
            "feeds",
            args=args,
            proxy=server.address,
            output=None,
            settings={"KEEP_RUNS": "2", "FEEDS": json.dumps(feeds)},
        )
        assert result.returncode == 0, result.log
        names.append(json.loads(max((result.workdir / "output").glob("manifest-*")).read_text()))
    kept = {run["run"] for run in names[-2:]}
    left = sorted(path.name for path in (tmp_path / "run" / "output").iterdir())
    assert left == sorted(
        [f"articles-{run}.jsonl" for run in kept] + [f"manifest-{run}.json" for run in kept]
    )
    assert names[-1]["pruned"] == 1 and names[1]["pruned"] == 0
    assert len(read_jsonl(shared)) == 4
