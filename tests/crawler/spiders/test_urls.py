import json

from tests.conftest import article_page, prose, validate_records


def test_urls_from_a_file_of_loopback_urls(make_web, crawl, tmp_path):
    web = make_web(
        {
            f"news.test/story-{i}.html": article_page(
                f"Story {i}", prose(i), f"2024-03-0{i + 1}T10:00:00Z"
            )
            for i in range(3)
        }
    )
    url_file = tmp_path / "urls.txt"
    url_file.write_text(
        "# articles to fetch\n\n"
        + "\n".join(web.url("news.test", f"/story-{i}.html") for i in range(3))
        + f"\n{web.url('news.test', '/story-0.html')}?utm_source=newsletter  # same page\n"
    )
    result = crawl("urls", args={"file": str(url_file)})
    assert result.returncode == 0, result.log[-2000:]
    assert sorted(r["title"] for r in result.articles) == ["Story 0", "Story 1", "Story 2"]
    assert result.copies == []
    assert [r["published"] for r in sorted(result.articles, key=lambda r: r["title"])] == [
        "2024-03-01T10:00:00+00:00",
        "2024-03-02T10:00:00+00:00",
        "2024-03-03T10:00:00+00:00",
    ]
    assert all(r["authors"] == ["Amina Diallo"] for r in result.articles)
    assert all(r["text"].startswith(prose(int(r["title"][-1]))[0][:40]) for r in result.articles)
    validate_records(result.records)


def test_urls_argument_and_missing_pages(make_web, crawl):
    web = make_web({"news.test/a.html": article_page("A", prose(1))})
    urls = f"{web.url('news.test', '/a.html')},{web.url('news.test', '/missing.html')}"
    result = crawl("urls", args={"urls": urls})
    assert result.returncode == 0
    assert [r["title"] for r in result.articles] == ["A"]
    assert result.stats["downloader/response_status_count/404"] >= 1


def manifest_of(result):
    """The run's manifest (next to `-O out.jsonl`, in the run's folder)."""
    (path,) = result.workdir.glob("manifest-*.json")
    return json.loads(path.read_text())


BAD_LINES = {
    "www.example.com/page": "no scheme (write https://www.example.com/page)",
    "not a url": "no scheme: not a URL",
    "javascript:void(0)": "not http(s): javascript: URLs are not fetched",
    "mailto:desk@news.test": "not http(s): mailto: URLs are not fetched",
    "ftp://files.news.test/a.html": "not http(s): ftp: URLs are not fetched",
    "http:///no-host.html": "no host",
    "http://news.test:port/a.html": "malformed",
}


def test_bad_lines_are_skipped_counted_and_the_rest_crawled(make_web, crawl, tmp_path):
    web = make_web(
        {f"news.test/story-{i}.html": article_page(f"Story {i}", prose(40 + i)) for i in range(6)}
    )
    good = [web.url("news.test", f"/story-{i}.html") for i in range(6)]
    bad = list(BAD_LINES)
    # good and bad lines interleaved: one before any bad line, one after all of them
    lines = [good[0], bad[0], bad[1], good[1], "", bad[2], good[2], bad[3], bad[4], bad[5], good[3]]
    url_file = tmp_path / "urls.txt"
    url_file.write_text("\n".join(lines) + "\n")
    argument = f"{good[4]},{bad[6]},{good[5]}"
    result = crawl("urls", args={"file": str(url_file), "urls": argument})
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(r["title"] for r in result.articles) == [f"Story {i}" for i in range(6)]
    assert result.stats["newsfold/skipped/bad_url"] == 7
    manifest = manifest_of(result)
    assert manifest["totals"]["skipped"] == {"bad_url": 7}
    assert manifest["exit_code"] == 0
    for text in bad:
        assert manifest["sources"][text]["skipped"] == {"bad_url": 1}
    assert "skipped: bad_url 7" in result.log  # the summary line
    for number, text in enumerate(lines, start=1):
        if text in BAD_LINES:
            logged = [
                line for line in result.log.splitlines() if f"Skipped {text} (bad_url)" in line
            ]
            assert len(logged) == 1, logged
            assert f": {url_file} line {number}: {BAD_LINES[text]}" in logged[0]
    assert f"(bad_url): -a urls= item 2: {BAD_LINES[bad[6]]}" in result.log
    assert "Error while reading start items" not in result.log
    assert "Traceback" not in result.log
