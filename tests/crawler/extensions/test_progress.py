"""The progress line through real crawls: periodic lines while the crawl runs, a last
one whose counts are the manifest's, and the run's summary as the last line of the log.

The crawler paces itself (DOWNLOAD_DELAY, one request at a time per site) so that a
crawl of a dozen pages lasts about a second and lines every 0.2 s appear during it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.conftest import CrawlResult, article_page, prose, story_web

PACED = {
    "PROGRESS_INTERVAL": "0.2",
    "DOWNLOAD_DELAY": "0.1",
    "DOWNLOAD_DELAY_JITTER": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
    "EXTRACT_WORKERS": "0",
}
LINE = re.compile(
    r"progress: (?P<pages>\d+) pages \([\d.]+/s\), (?P<articles>\d+) articles, "
    r"(?P<copies>\d+) copies, dropped (?P<dropped>\d+)(?: \((?P<reasons>[^)]*)\))?, "
    r"skipped (?P<skipped>\d+), (?P<errors>\d+) errors, (?P<queued>\d+) queued"
    r"(?:, (?P<percent>\d+)% of (?P<total>\d+) URLs(?P<so_far> listed so far)?)?"
    r"(?:, ETA (?P<eta>\d+:\d\d:\d\d))?$"
)


def progress(result: CrawlResult) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The periodic lines (before the spider began closing) and the last line, parsed."""
    lines = result.log.splitlines()
    closing = next(n for n, line in enumerate(lines) if "Closing spider (" in line)
    parsed = []
    for number, line in enumerate(lines):
        if "[crawler.extensions.progress] INFO: progress: " in line:
            match = LINE.search(line)
            assert match, line
            parsed.append((number, match.groupdict()))
    periodic = [fields for number, fields in parsed if number < closing]
    (last,) = [fields for number, fields in parsed if number > closing]
    return periodic, last


def manifest_of(result: CrawlResult) -> dict[str, Any]:
    (path,) = (result.workdir / "output").glob("manifest-*.json")
    return json.loads(path.read_text())


def assert_counts_are_the_manifests(last: dict[str, Any], result: CrawlResult) -> None:
    totals = manifest_of(result)["totals"]
    assert int(last["pages"]) == totals["responses"] == result.stats["downloader/response_count"]
    assert int(last["articles"]) == totals["articles"]
    assert int(last["copies"]) == totals["copies"]
    reasons = dict(part.rsplit(" ", 1) for part in (last["reasons"] or "").split(", ") if part)
    assert {reason: int(count) for reason, count in reasons.items()} == totals["dropped"]
    assert int(last["dropped"]) == sum(totals["dropped"].values())
    assert int(last["skipped"]) == sum(totals["skipped"].values())
    assert int(last["errors"]) == sum(totals["errors"].values())


def assert_the_summary_is_last(result: CrawlResult) -> str:
    last = result.log.rstrip("\n").splitlines()[-1]
    assert "[crawler.extensions.run_summary] " in last and "newsfold run finished: " in last
    return last


def test_a_url_list_crawl_shows_its_progress_and_eta_then_ends_with_its_summary(
    make_web, crawl, tmp_path
):
    files = story_web(10, copies=2)
    files["news.test/about.html"] = article_page("About us", prose(30))
    server = make_web(files)
    listed = [f"http://news.test/story-{n}.html" for n in range(10)]
    listed += [f"http://mirror.test/copy-{n}.html" for n in range(2)]
    listed += ["http://news.test/about.html", "http://news.test/missing.html"]
    listed += ["http://news.test/story-0.html?utm_source=newsletter"]  # the same page again
    url_file = tmp_path / "urls.txt"
    url_file.write_text("\n".join(listed) + "\n")
    result = crawl(
        "urls", args={"file": str(url_file)}, settings=PACED, proxy=server.address, output=None
    )
    assert result.returncode == 0, result.log[-3000:]
    periodic, last = progress(result)
    assert periodic, "no line while the crawl ran"
    assert all(line["total"] == "15" and not line["so_far"] for line in periodic)
    assert any(line["eta"] for line in periodic), periodic
    assert [int(line["percent"]) for line in periodic] == sorted(
        int(line["percent"]) for line in periodic
    )
    assert int(periodic[0]["percent"]) < 100
    # Every listed URL is done: fetched, failed (404) or dropped as listed twice.
    assert (last["percent"], last["total"], last["eta"]) == ("100", "15", None)
    assert result.stats["newsfold/input/total"] == result.stats["newsfold/input/done"] == 15
    assert_counts_are_the_manifests(last, result)
    assert last["reasons"] == "service_page 1" and last["errors"] == "1"
    assert int(last["articles"]) + int(last["copies"]) == 12
    assert "Crawled " not in result.log, "Scrapy's LogStats line is replaced"
    assert_the_summary_is_last(result)

    again = crawl(
        "urls",
        args={"file": str(url_file)},
        settings=PACED,
        proxy=server.address,
        output=None,
        workdir=tmp_path / "again",
        state=str(result.workdir / "state.sqlite"),
    )
    assert again.returncode == 0, again.log[-3000:]
    periodic, last = progress(again)
    # Pages already done are skipped before they are fetched, and are done too; the page
    # that failed is fetched again.
    assert (last["percent"], last["total"], last["skipped"]) == ("100", "15", "14")
    assert_counts_are_the_manifests(last, again)


def test_an_open_ended_site_crawl_shows_no_percent_and_logs_no_warning(make_web, crawl):
    files = story_web(8)
    links = "".join(f'<li><a href="/story-{n}.html">Story {n}</a></li>' for n in range(8))
    files["news.test/"] = f"<html><head><title>News</title></head><body><ul>{links}</ul></body>"
    server = make_web(files)
    result = crawl(
        "site",
        args={"start": "http://news.test/", "depth": "1"},
        settings=PACED,
        proxy=server.address,
        output=None,
    )
    assert result.returncode == 0, result.log[-3000:]
    periodic, last = progress(result)
    assert periodic, "no line while the crawl ran"
    assert not any(line["percent"] or line["eta"] for line in [*periodic, last])
    assert any(int(line["queued"]) > 0 for line in periodic), periodic
    assert_counts_are_the_manifests(last, result)
    assert last["articles"] == "8"
    warnings = [line for line in result.log.splitlines() if " WARNING: " in line]
    assert warnings == []
    assert_the_summary_is_last(result)


def test_a_sitemap_crawl_gives_the_share_of_the_urls_listed_so_far(make_web, crawl):
    files = story_web(8)
    urlset = '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    for half in (0, 1):
        locs = "".join(
            f"<url><loc>http://news.test/story-{n}.html</loc></url>"
            for n in range(4 * half, 4 * half + 4)
        )
        files[f"news.test/sitemap-{half}.xml"] = f"{urlset}{locs}</urlset>"
    files["news.test/sitemap.xml"] = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>http://news.test/sitemap-0.xml</loc></sitemap>"
        "<sitemap><loc>http://news.test/sitemap-1.xml</loc></sitemap></sitemapindex>"
    )
    server = make_web(files)
    result = crawl(
        "sitemaps",
        args={"sitemaps": "http://news.test/sitemap.xml"},
        settings=PACED,
        proxy=server.address,
        output=None,
    )
    assert result.returncode == 0, result.log[-3000:]
    periodic, last = progress(result)
    listed = [line for line in periodic if line["total"]]
    assert listed and all(line["so_far"] for line in listed), periodic
    assert (last["percent"], last["total"], last["so_far"]) == ("100", "8", None)
    assert_counts_are_the_manifests(last, result)
