"""Discovery through the real spiders on loopback sites: `scrapy add-source` on sites
that offer their feeds and sitemaps each in one way, the entry it writes crawled by the
`news` spider, and `home =` sources discovered at run time, then reused from the state."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path
from typing import Any

from crawler.stats import DISCOVERY_SKIPS
from tests.conftest import SitesServer, article_page, crawl_command, prose, rss_feed

STORIES = [f"/2024/03/0{n}/story-number-{n}-of-the-week.html" for n in range(1, 4)]


def site(host: str, home_head: str = "", home_body: str = "", **files: str) -> dict[str, str]:
    """A site of three articles and a home page; `files` by path ("robots.txt": ...)."""
    web = {
        f"{host}{path}": article_page(f"{host} story {n}", prose(hash(host) % 1000 + n))
        for n, path in enumerate(STORIES)
    }
    web[f"{host}/"] = (
        f"<html><head><title>{host}</title>{home_head}</head><body>"
        '<a href="/about/">About</a> '
        f"{home_body}</body></html>"
    )
    web.update({f"{host}/{path.replace('__', '/')}": body for path, body in files.items()})
    return web


def feed_of(host: str) -> str:
    return rss_feed([f"http://{host}{path}" for path in STORIES])


def urlset(host: str, news: bool = False) -> str:
    entry = (
        "<news:news><news:publication_date>2024-03-0{n}</news:publication_date>"
        "<news:title>T</news:title></news:news>"
    )
    urls = "".join(
        f"<url><loc>http://{host}{path}</loc>{entry.format(n=n + 1) if news else ''}</url>"
        for n, path in enumerate(STORIES)
    )
    return (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    )


def add_source(
    workdir: Path, web: SitesServer, url: str, *options: str
) -> subprocess.CompletedProcess[str]:
    """`scrapy add-source URL OPTIONS` as an operator runs it, through the web's proxy."""
    command, env = crawl_command("discover", workdir, proxy=web.address, output=None)
    command = [*command[:3], "add-source", url, *options, *_settings(command)]
    return subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, timeout=120
    )


def _settings(command: list[str]) -> list[str]:
    """The test settings of a crawl command, without its log and stats files."""
    pairs = [command[n + 1] for n, part in enumerate(command) if part == "-s"]
    kept = [
        pair for pair in pairs if not pair.startswith(("STATS_FILE=", "LOG_FILE=", "LOG_LEVEL="))
    ]
    return [part for pair in kept for part in ("-s", pair)]


def written(path: Path) -> dict[str, Any]:
    (source,) = tomllib.loads(path.read_text())["source"]
    return source


def test_declared_feeds_are_found_and_the_entry_crawls_the_sites_articles(
    make_web, crawl, tmp_path
):
    head = (
        '<link rel="alternate" type="application/rss+xml" href="/syndication/all.rss">'
        '<link rel="alternate" type="application/rss+xml" href="http://partner.test/rss">'
    )
    web = make_web(
        {
            **site("head.test", head, **{"syndication__all.rss": feed_of("head.test")}),
            "partner.test/rss": feed_of("partner.test"),
        }
    )
    sources = tmp_path / "sources.toml"
    done = add_source(tmp_path, web, "http://head.test/", "--name", "Head", "-o", str(sources))
    assert done.returncode == 0, done.stderr[-3000:]
    entry = written(sources)
    assert entry == {"name": "Head", "feeds": ["http://head.test/syndication/all.rss"]}
    assert "# feed: 3 entries, 3/3 sampled pages are articles" in sources.read_text()
    assert "Skipped http://partner.test/rss (off_site_link)" in done.stderr
    assert "feeds: http://head.test/syndication/all.rss" in done.stdout
    assert "not found: http://head.test/news-sitemap.xml (http_404)" in done.stdout

    result = crawl("news", args={"sources": str(sources)}, proxy=web.address)
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(r["title"] for r in result.articles) == [f"head.test story {n}" for n in range(3)]


def test_feeds_only_in_anchors_and_sitemaps_only_in_robots_are_found(make_web, tmp_path):
    web = make_web(
        {
            **site(
                "anchors.test",
                home_body='<a href="/export/latest.rss">RSS</a>',
                **{"export__latest.rss": feed_of("anchors.test")},
            ),
            **site(
                "robots.test",
                **{
                    "robots.txt": "User-agent: *\nDisallow:\nSitemap: /maps/all-articles.xml\n",
                    "maps__all-articles.xml": urlset("robots.test"),
                },
            ),
        }
    )
    anchors, robots = tmp_path / "anchors.toml", tmp_path / "robots.toml"
    assert add_source(tmp_path, web, "http://anchors.test/", "-o", str(anchors)).returncode == 0
    assert written(anchors)["feeds"] == ["http://anchors.test/export/latest.rss"]
    assert add_source(tmp_path, web, "http://robots.test/", "-o", str(robots)).returncode == 0
    assert written(robots) == {
        "name": "robots.test",
        "sitemaps": ["http://robots.test/maps/all-articles.xml"],
    }


def test_a_news_sitemap_at_a_common_path_is_preferred_to_a_general_one(make_web, tmp_path):
    web = make_web(
        site(
            "gnews.test",
            **{
                "sitemap-news.xml": urlset("gnews.test", news=True),
                "sitemap.xml": urlset("gnews.test"),
            },
        )
    )
    sources = tmp_path / "sources.toml"
    done = add_source(tmp_path, web, "http://gnews.test/", "-o", str(sources))
    assert done.returncode == 0, done.stderr[-3000:]
    assert written(sources)["sitemaps"] == ["http://gnews.test/sitemap-news.xml"]
    assert "news sitemap: 3 entries, newest 2024-03-03" in sources.read_text()


def test_a_site_with_nothing_writes_nothing_and_says_so(make_web, tmp_path):
    web = make_web({"empty.test/": "<html><body><p>Coming soon</p></body></html>"})
    sources = tmp_path / "sources.toml"
    done = add_source(tmp_path, web, "http://empty.test/", "-o", str(sources))
    assert done.returncode == 5
    assert not sources.exists()
    assert "no feed, sitemap or start page leads to article pages; nothing written" in done.stdout
    assert "not found: http://empty.test/feed (http_404)" in done.stdout


def test_operator_mistakes_are_one_line_and_a_known_site_is_left_alone(make_web, tmp_path):
    web = make_web(site("known.test"))
    sources = tmp_path / "sources.toml"
    text = '[[source]]\nname = "Known"  # mine\nfeeds = ["http://www.known.test/feed"]\n'
    sources.write_text(text)
    done = add_source(tmp_path, web, "http://known.test/", "-o", str(sources))
    assert done.returncode == 0
    assert "has known.test already (source 'Known'); nothing changed" in done.stdout
    assert sources.read_text() == text
    bad = add_source(tmp_path, web, "known.test/", "-o", str(sources))
    assert bad.returncode == 3
    assert bad.stderr.strip().splitlines() == [
        "Failed to start (exit code 3): 'known.test/' is not a site's URL: "
        "no scheme (write https://known.test/)"
    ]
    nowhere = add_source(tmp_path, web, "http://other.test/", "-o", str(tmp_path / "no/dir.toml"))
    assert nowhere.returncode == 3
    assert "cannot write" in nowhere.stderr and "Traceback" not in nowhere.stderr


def fetched(run: Path) -> list[str]:
    return (run / "fetched.txt").read_text().split()


def test_a_home_source_is_discovered_at_run_time_then_reused_within_the_ttl(
    make_web, crawl, tmp_path
):
    head = '<link rel="alternate" type="application/atom+xml" href="/feed.xml">'
    web = make_web(site("home.test", head, **{"feed.xml": feed_of("home.test")}))
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "Home"\nhome = "http://home.test/"\n')
    settings = {"EXTENSIONS": json.dumps({"tests.fetchlog.FetchLog": 0})}
    runs = []
    for n in range(2):
        workdir = tmp_path / f"run{n}"
        result = crawl(
            "news",
            args={"sources": str(sources)},
            proxy=web.address,
            workdir=workdir,
            settings={**settings, "FETCH_LOG": str(workdir / "fetched.txt"),
                      "STATE_URL": f"sqlite:///{tmp_path / 'state.sqlite'}"},
        )  # fmt: skip
        assert result.returncode == 0, result.log[-3000:]
        runs.append(result)
    first, second = runs
    assert sorted(r["title"] for r in first.articles) == [f"home.test story {n}" for n in range(3)]
    assert first.stats["newsfold/discovery/found/feed"] == 1
    assert "http://home.test/" in fetched(tmp_path / "run0")
    assert "http://home.test/news-sitemap.xml" in fetched(tmp_path / "run0")
    # The second run, within DISCOVERY_TTL, reads the feed the first found and probes nothing.
    assert second.stats["newsfold/discovery/cached"] == 1
    assert "newsfold/discovery/probes" not in second.stats
    probes = {"http://home.test/", "http://home.test/news-sitemap.xml", "http://home.test/rss"}
    assert not probes & set(fetched(tmp_path / "run1"))
    assert "http://home.test/feed.xml" in fetched(tmp_path / "run1")


def test_bad_input_of_discovery_is_skipped_with_its_reason(make_web, crawl, tmp_path):
    loop = (
        "<sitemapindex>"
        "<sitemap><loc>http://loops.test/maps/index.xml</loc></sitemap>"
        "<sitemap><loc>http://loops.test/maps/more.xml</loc></sitemap></sitemapindex>"
    )
    back = "<sitemapindex><sitemap><loc>http://loops.test/maps/index.xml</loc></sitemap></sitemapindex>"
    web = make_web(
        {
            "away.test/": '<html><head><meta http-equiv="refresh" content="0; url=http://elsewhere.test/"></head></html>',
            "elsewhere.test/": "<html><body>Another site</body></html>",
            **site(
                "loops.test",
                '<link rel="alternate" type="application/rss+xml" href="/feed.html">',
                **{
                    "feed.html": "<!DOCTYPE html><html><body>Our feeds</body></html>",
                    "robots.txt": "User-agent: *\nSitemap: /maps/index.xml\n",
                    "maps__index.xml": loop,
                    "maps__more.xml": back,
                    "rss.xml": feed_of("loops.test"),
                },
            ),
        }
    )
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nname = "Away"\nhome = "http://away.test/"\n\n'
        '[[source]]\nname = "Loops"\nhome = "http://loops.test/"\n'
    )
    # Room for the second index after the common paths (children share the bound).
    probes = {"DISCOVERY_MAX_PROBES": "16"}
    result = crawl("news", args={"sources": str(sources)}, proxy=web.address, settings=probes)
    assert result.returncode == 0, result.log[-3000:]
    assert (
        "Skipped http://away.test/ (home_off_site): redirected to http://elsewhere.test/"
        in result.log
    )
    skipped = {k.rpartition("/")[2]: v for k, v in result.stats.items() if "/skipped/" in k}
    assert skipped == {
        "home_off_site": 1,
        "nothing_discovered": 1,
        "feed_is_html": 1,
        "sitemap_loop": 2,
    }
    assert set(skipped) <= set(DISCOVERY_SKIPS)  # each reason named in crawler/stats.py
    assert "Skipped http://loops.test/feed.html (feed_is_html)" in result.log
    assert len(result.articles) == 3  # from the feed at a common path
    (manifest,) = (json.loads(p.read_text()) for p in result.workdir.glob("manifest-*.json"))
    assert manifest["sources"]["Away"]["skipped"] == {"home_off_site": 1, "nothing_discovered": 1}
    assert manifest["sources"]["Loops"]["skipped"] == {"feed_is_html": 1, "sitemap_loop": 2}
