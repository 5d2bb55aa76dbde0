"""A site carrying one story under several URLs, crawled for real: the story's short
paragraphs are not taken for the site's furniture on the third URL; furniture still is."""

from tests.conftest import article_page, prose, rss_feed

FURNITURE = ["Share this story on WhatsApp.", "Follow us for the latest news from the region."]
STORY = prose(7, paragraphs=8, words=20)  # each under TEMPLATE_MAX_CHARS


def test_a_story_under_three_urls_of_one_site_keeps_its_text(make_web, crawl):
    urls = [f"http://news.test/2024/story-v{n}.html" for n in range(3)]
    urls += [f"http://news.test/2024/other-{n}.html" for n in range(3)]
    files = {
        f"news.test/2024/story-v{n}.html": article_page(
            f"Budget vote, version {n}", STORY + FURNITURE
        )
        for n in range(3)
    }
    for n in range(3):
        files[f"news.test/2024/other-{n}.html"] = article_page(
            f"Other story {n}", prose(20 + n, paragraphs=3) + FURNITURE
        )
    files["news.test/feed.xml"] = rss_feed(urls)
    result = crawl(
        "feeds", args={"feeds": "http://news.test/feed.xml"}, proxy=make_web(files).address
    )

    assert result.returncode == 0, result.log[-3000:]
    assert sorted(r["url"] for r in result.current) == sorted(urls)
    versions = [r for r in result.current if "story-v" in r["url"]]
    (kept,) = [r for r in versions if r["duplicate_of"] is None]
    assert kept["text"].split("\n\n")[:8] == STORY
    assert all(r["similarity"] >= 0.9 for r in versions if r is not kept)
    assert result.stats["newsfold/clean/template_blocks"] >= 2  # furniture, from the third story on
    others = [r for r in result.current if "other-" in r["url"]]
    assert any(FURNITURE[0] not in r["text"] for r in others)
