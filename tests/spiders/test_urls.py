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
