"""`scrapy report`: a crawl's state and manifests as one HTML file, checked in Chromium.

A loopback web is crawled with the real spider, the report written with the real
command, and the page loaded in headless Chromium (`bench.browser`): the charts drew,
a hostile headline shows as text and runs nothing, search filters the stories. Then a
source whose pages turn into block pages after three good runs is flagged: as a WARNING
in the run's log, under `warnings` in its manifest, and in the report.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from bench.browser import chromium_page
from tests.conftest import (
    STORY_WEB_SOURCES,
    article_page,
    crawl_command,
    prose,
    rss_feed,
    story_web,
)

HOSTILE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=1">'


def write_report(workdir: Path, *options: str, state: str | None = None) -> Path:
    """Run `scrapy report` as an operator would, in the crawl's folder."""
    env = crawl_command("news", workdir)[1]
    report = workdir / "report.html"
    url = state or f"sqlite:///{workdir / 'state.sqlite'}"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "report",
            "-o",
            str(report),
            "-s",
            f"STATE_URL={url}",
            *options,
        ],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == str(report)
    return report


def stories_data(report: Path) -> dict[str, Any]:
    found = re.search(r'id="stories-data">(.*?)</script>', report.read_text(), re.S)
    assert found is not None
    return dict(json.loads(found.group(1)))


@pytest.fixture
def syndication_crawl(make_web, crawl, tmp_path):
    files = story_web(3, copies=2)
    files["news.test/hostile.html"] = article_page(html.escape(HOSTILE), prose(40))
    files["news.test/feed.xml"] = rss_feed(
        [*(f"http://news.test/story-{n}.html" for n in range(3)), "http://news.test/hostile.html"]
    )
    server = make_web(files)
    sources = tmp_path / "sources.toml"
    sources.write_text(STORY_WEB_SOURCES)
    result = crawl("news", args={"sources": str(sources)}, proxy=server.address, output=None)
    assert result.returncode == 0, result.log[-3000:]
    return result


CHARTS = """() => [...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  const shapes = [...svg.querySelectorAll('rect, polyline, circle')].filter(shape => {
    const b = shape.getBoundingClientRect();
    return b.width > 0 && b.height > 0 && getComputedStyle(shape).fill !== 'none'
      || shape.tagName === 'polyline';
  });
  return {id: svg.id, title: svg.querySelector('title').textContent, width: box.width,
          height: box.height, shapes: shapes.length,
          fills: new Set(shapes.map(s => getComputedStyle(s).fill)).size};
})"""


def test_the_report_draws_its_charts_and_shows_a_hostile_title_as_text(syndication_crawl):
    workdir = syndication_crawl.workdir
    titles = {r["title"] for records in syndication_crawl.files.values() for r in records}
    assert HOSTILE in titles, titles  # the crawl kept the headline as the page has it
    report = write_report(workdir)
    source = report.read_text()
    assert "<script>window.pwned" not in source and "http://" not in source.split("<body>")[0]
    with chromium_page() as page:
        page.goto(report.as_uri())
        page.wait_for_selector("body[data-ready='1']")
        assert page.errors == []
        assert page.evaluate("typeof window.pwned") == "undefined"
        charts = {chart["title"]: chart for chart in page.evaluate(CHARTS)}
        for title in (
            "Who republishes whom: stories by site pair",
            "Copies by kind",
            "Copies by lag after their article's publication",
            "Runs over time",
        ):
            chart = charts[title]
            assert chart["width"] > 100 and chart["height"] > 100, chart
            assert chart["shapes"] > 0 and chart["fills"] >= 1, chart
        matrix = page.locator("#matrix rect.cell title").all_text_contents()
        # Either site's page may be a story's article (the same text, no date or credit).
        assert [tip for tip in matrix if " 0 " not in tip] in (
            ["mirror.test republished 2 stories of news.test"],
            ["news.test republished 2 stories of mirror.test"],
        ), matrix
        # The hostile headline, as text, in the story list; no element came of it.
        assert HOSTILE in page.locator("#stories .title").all_text_contents()
        assert page.locator("#stories img, #stories script").count() == 0
        assert page.locator("#shown").text_content() == "4 of 4 stories"
        # Search filters the stories; a story opens to its pages and how they matched.
        page.fill("#search", "story number 1")
        expect(page.locator("#shown")).to_have_text("1 of 4 stories")
        assert page.locator("#stories .title").all_text_contents() == ["Story number 1"]
        page.click("#stories summary")  # its pages are drawn on the toggle event, soon after
        expect(page.locator("#stories table.pages tr")).to_have_count(2)
        rows = page.locator("#stories table.pages tr").all_text_contents()
        assert any("verbatim (jaccard, similarity 1" in row for row in rows), rows
        page.fill("#search", "window.pwned")
        expect(page.locator("#stories .title")).to_have_text([HOSTILE])
        assert page.evaluate("typeof window.pwned") == "undefined"


def test_the_report_reads_a_redis_state_as_sqlite(make_web, crawl, redis_server, tmp_path):
    """The same crawl on each backend gives the same stories in the report."""
    server = make_web(story_web(3, copies=2))
    sources = tmp_path / "sources.toml"
    sources.write_text(STORY_WEB_SOURCES)
    found = []
    for name, url in (
        ("sqlite", f"sqlite:///{tmp_path / 'state.sqlite'}"),
        ("redis", f"{redis_server.url}?prefix=report"),
    ):
        settings = {"STATE_URL": url, "FRONTIER_URL": "local"}
        result = crawl(
            "news",
            args={"sources": str(sources)},
            proxy=server.address,
            output=None,
            settings=settings,
            workdir=tmp_path / name,
        )
        assert result.returncode == 0, result.log[-3000:]
        data = stories_data(write_report(tmp_path / name, state=url))
        found.append(sorted(sorted(page[1] for page in story[1:]) for story in data["stories"]))
    assert found[0] == found[1] and sorted(len(story) for story in found[0]) == [1, 2, 2]


BLOCK_PAGE = """<!DOCTYPE html><html><head><title>Access denied</title></head><body>
<h1>Access denied</h1><p>Your request was blocked. Reference #18.2f1c.</p></body></html>"""


def test_a_source_whose_pages_turn_into_block_pages_is_flagged(make_web, crawl, tmp_path):
    """Three runs of ten new articles each, then a run whose pages are all block pages:
    its log warns, its manifest lists the warning, the report flags the source."""
    server = make_web({"drift.test/robots.txt": "User-agent: *\nAllow: /\n"})
    root = tmp_path / "web0" / "drift.test"
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "Drift"\nfeeds = ["http://drift.test/feed.xml"]\n')
    for night in range(4):
        links = []
        for n in range(10):
            name = f"night-{night}-story-{n}.html"
            good = article_page(f"Night {night} story {n}", prose(100 * night + n))
            (root / name).write_text(BLOCK_PAGE if night == 3 else good)
            links.append(f"http://drift.test/{name}")
        (root / "feed.xml").write_text(rss_feed(links))
        result = crawl("news", args={"sources": str(sources)}, proxy=server.address, output=None)
        assert result.returncode == 0, result.log[-3000:]
        warned = [line for line in result.log.splitlines() if "Source Drift drifted" in line]
        assert bool(warned) == (night == 3), warned
    assert "WARNING" in warned[0] and "10 of 11 pages dropped or refused" in warned[0]
    workdir = tmp_path / "run"
    manifests = sorted((workdir / "output").glob("manifest-*.json"))
    last = json.loads(manifests[-1].read_text())
    assert [(w["source"], w["kind"]) for w in last["warnings"]] == [("Drift", "drift")]
    assert all(json.loads(m.read_text())["warnings"] == [] for m in manifests[:-1])
    assert last["sources"]["Drift"]["text_chars"] is None
    assert json.loads(manifests[0].read_text())["sources"]["Drift"]["text_chars"] > 1000
    report = write_report(workdir)
    with chromium_page() as page:
        page.goto(report.as_uri())
        flagged = page.locator("table.health tr.flagged")
        assert flagged.count() == 1
        assert flagged.locator(".src").text_content() == "Drift"
        assert "10 of 11 pages dropped or refused" in (
            flagged.locator(".flag").text_content() or ""
        )
        dots = page.locator("table.health tr.flagged circle.flagdot")
        assert dots.count() >= 1 and dots.first.bounding_box()["width"] > 0
        assert "1 sources flagged" in (page.locator(".summary").text_content() or "")
