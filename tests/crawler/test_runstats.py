"""The run's figures and the lines made of them: pure functions of a stats dictionary."""

from __future__ import annotations

from crawler.runstats import progress_line, summarise, totals

STATS = {
    "downloader/request_count": 301,
    "downloader/response_count": 296,
    "newsfold/articles": 120,
    "newsfold/copies": 37,
    "newsfold/dropped/too_short": 4,
    "newsfold/dropped/listing": 8,
    "newsfold/skipped/seen": 5,
    "newsfold/errors/http_404": 2,
    "newsfold/errors/timeout": 1,
    "newsfold/input/total": 380,
    "newsfold/input/done": 299,
    "newsfold/extract/pages": 169,
}


def test_a_progress_line_of_a_url_list_gives_its_percentage_and_eta():
    line = progress_line(STATS, 4.49, 41, "fixed", done_per_second=3.9)
    assert line == (
        "296 pages (4.5/s), 120 articles, 37 copies, dropped 12 (listing 8, too_short 4), "
        "skipped 5, 3 errors, 41 queued, 78% of 380 URLs, ETA 0:00:21"
    )


def test_feeds_and_sitemaps_give_the_percentage_of_the_urls_listed_so_far():
    line = progress_line(STATS, 4.5, 41, "growing", done_per_second=0.01)
    assert line.endswith(", 41 queued, 78% of 380 URLs listed so far, ETA 2:15:00")


def test_an_open_ended_crawl_has_no_percentage_nor_eta():
    assert progress_line(STATS, 4.5, 41, "none", done_per_second=3.9).endswith(
        ", 3 errors, 41 queued"
    )


def test_no_eta_without_pace_or_when_all_is_done_and_nothing_before_the_counts_exist():
    assert progress_line(STATS, 0.0, 41, "fixed").endswith(", 41 queued, 78% of 380 URLs")
    done = {**STATS, "newsfold/input/done": 380}
    assert progress_line(done, 1.0, 0, "fixed", 2.0).endswith(", 0 queued, 100% of 380 URLs")
    assert progress_line({}, 0.0, None, "fixed") == (
        "0 pages (0.0/s), 0 articles, 0 copies, dropped 0, skipped 0, 0 errors"
    )


def test_the_summary_and_the_manifest_read_the_same_figures():
    assert summarise(STATS) == (
        "120 articles, 37 copies; dropped: listing 8, too_short 4; skipped: seen 5; "
        "errors: http_404 2, timeout 1"
    )
    assert totals(STATS) == {
        "requests": 301,
        "responses": 296,
        "articles": 120,
        "copies": 37,
        "dropped": {"listing": 8, "too_short": 4},
        "skipped": {"seen": 5},
        "errors": {"http_404": 2, "timeout": 1},
    }


def test_a_warc_run_counts_the_pages_it_read_and_its_files():
    """A `warc` run fetches nothing: its pages are the responses read from its files,
    and its share is of the files it lists."""
    stats = {
        "newsfold/warc/records/response": 40,
        "newsfold/warc/records/request": 40,
        "newsfold/articles": 30,
        "newsfold/input/total": 4,
        "newsfold/input/done": 1,
    }
    line = progress_line(stats, 8.0, 0, "fixed", 0.5, unit="WARC files")
    assert line.startswith("40 pages (8.0/s), 30 articles")
    assert "25% of 4 WARC files, ETA 0:00:06" in line
