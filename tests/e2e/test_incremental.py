"""Runs from cron: a second run fetches its feeds again but no article page already done."""

from __future__ import annotations

import time

from tests.conftest import article_page, fold, prose, rss_feed, story_web

FEEDS = {"feeds": "http://news.test/feed.xml,http://mirror.test/feed.xml"}


def _pages_fetched(result, sites: int = 2) -> int:
    """Article pages fetched: every response but each site's feed and robots.txt."""
    return result.stats.get("downloader/response_count", 0) - 2 * sites


def test_a_second_run_fetches_only_new_article_pages(make_web, crawl, tmp_path):
    files = story_web(6, copies=2)
    server = make_web(files)
    first = crawl("feeds", args=FEEDS, proxy=server.address, output=None)
    assert first.returncode == 0, first.log
    current = fold([r for found in first.files.values() for r in found])
    assert sorted(r["kind"] for r in current) == ["article"] * 6 + ["copy"] * 2
    # One record per page as it came; a copy met before its article was written again.
    assert first.stats["newsfold/articles"] + first.stats.get("newsfold/copies", 0) == 8
    assert _pages_fetched(first) == 8

    # A new story appears in the feed; the server reads its folder on every request.
    root = tmp_path / "web0" / "news.test"
    (root / "story-new.html").write_text(article_page("A brand new story", prose(99)))
    links = [f"http://news.test/story-{n}.html" for n in range(6)]
    (root / "feed.xml").write_text(rss_feed([*links, "http://news.test/story-new.html"]))

    second = crawl("feeds", args=FEEDS, proxy=server.address, output=None)
    assert second.returncode == 0, second.log
    assert second.stats["newsfold/skipped/seen"] == 8
    assert _pages_fetched(second) == 1
    assert second.stats["newsfold/articles"] == 1
    assert "newsfold/copies" not in second.stats

    # Each run wrote its own files, named for the run; no record is written twice.
    names = sorted(second.files)
    assert len([n for n in names if n.startswith("articles-")]) == 2
    records = [r for found in second.files.values() for r in found]
    revisions = [(r["id"], r["revision"]) for r in records]
    assert len(revisions) == len(set(revisions)) and len(fold(records)) == 9


def test_revisit_after_fetches_again_but_writes_only_what_changed(make_web, crawl, tmp_path):
    server = make_web(story_web(4))
    args = {"feeds": "http://news.test/feed.xml"}
    first = crawl("feeds", args=args, proxy=server.address, output=None)
    assert first.stats["newsfold/articles"] == 4
    time.sleep(1.1)
    page = tmp_path / "web0" / "news.test" / "story-2.html"
    page.write_text(article_page("Story number 2, updated", prose(2) + prose(50, 1)))

    again = crawl(
        "feeds",
        args=args,
        proxy=server.address,
        output=None,
        settings={"REVISIT_AFTER": "1s"},
    )
    assert again.returncode == 0, again.log
    assert _pages_fetched(again, sites=1) == 4
    assert again.stats["newsfold/skipped/unchanged"] == 3
    assert again.stats["newsfold/articles"] == 1
    updated = [r for records in again.files.values() for r in records if "updated" in r["title"]]
    assert len(updated) == 1


def test_a_page_revisited_again_and_again_keeps_its_short_paragraphs(make_web, crawl):
    """Each visit cleans the page again; its own short paragraphs must not become the
    site's template (counted once per page, not once per visit)."""
    short = prose(7, paragraphs=8, words=20)  # each under TEMPLATE_MAX_CHARS
    server = make_web(
        {
            "news.test/story-0.html": article_page("Short paragraphs", prose(1, 2) + short),
            "news.test/feed.xml": rss_feed(["http://news.test/story-0.html"]),
        }
    )
    args = {"feeds": "http://news.test/feed.xml"}
    runs = []
    for visit in range(3):
        runs.append(
            crawl(
                "feeds",
                args=args,
                proxy=server.address,
                settings={"REVISIT_AFTER": "1s"},
                output=f"visit-{visit}.jsonl",
            )
        )
        time.sleep(1.1)
    assert runs[0].stats["newsfold/articles"] == 1
    assert all(len(run.records) == 0 for run in runs[1:])
    for run in runs[1:]:
        assert _pages_fetched(run, sites=1) == 1
        assert run.stats["newsfold/skipped/unchanged"] == 1
        assert "newsfold/clean/template_blocks" not in run.stats


def test_seen_marks_expire_and_an_expired_page_is_not_written_twice(make_web, crawl):
    server = make_web(story_web(3))
    args = {"feeds": "http://news.test/feed.xml"}
    first = crawl("feeds", args=args, proxy=server.address, output=None)
    assert first.stats["newsfold/articles"] == 3
    time.sleep(1.1)
    later = crawl(
        "feeds", args=args, proxy=server.address, output=None, settings={"SEEN_EXPIRE_AFTER": "1s"}
    )
    assert "Forgot 3 seen URLs" in later.log
    assert "newsfold/skipped/seen" not in later.stats
    assert later.stats["newsfold/skipped/unchanged"] == 3
    assert "newsfold/articles" not in later.stats


def test_dropped_pages_are_not_fetched_again(make_web, crawl):
    files = story_web(2)
    files["news.test/about.html"] = article_page("About us", prose(7))
    files["news.test/feed.xml"] = rss_feed(
        ["http://news.test/story-0.html", "http://news.test/about.html"]
    )
    server = make_web(files)
    args = {"feeds": "http://news.test/feed.xml"}
    first = crawl("feeds", args=args, proxy=server.address, output=None)
    assert first.stats["newsfold/dropped/service_page"] == 1
    second = crawl("feeds", args=args, proxy=server.address, output=None)
    assert second.stats["newsfold/skipped/seen"] == 2
    assert "newsfold/dropped/service_page" not in second.stats
