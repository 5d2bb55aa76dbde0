import json

from crawler.clusters import choose_original, story_records


def member(doc, site, published, relation="copy", credits=(), fetched="2024-03-05T00:00:00+00:00"):
    return {
        "cluster": "c1",
        "kept": "a",
        "id": doc,
        "url": f"http://{site}/{doc}",
        "site": site,
        "site_name": site.split(".")[0].title(),
        "title": f"T {doc}",
        "published": published,
        "fetched_at": fetched,
        "relation": relation,
        "similarity": 0.9,
        "containment": 1.0,
        "method": "jaccard",
        "text": f"text of {doc}",
        "credits": json.dumps(list(credits)),
        "canonical_url": f"http://{site}/{doc}",
    }


def test_the_credited_page_is_the_original_even_if_crawled_last():
    credit = {"raw": "Source: Wire", "publisher": "Wire", "author": None, "original_url": None}
    members = [
        member("a", "reprint.test", "2024-03-01T00:00:00+00:00", "kept", [credit]),
        member("b", "wire.test", "2024-03-02T00:00:00+00:00"),
    ]
    original, why = choose_original(members)
    assert (original["id"], why) == ("b", "credited by 1 other page")


def test_earliest_published_then_first_fetched():
    members = [
        member("a", "one.test", "2024-03-03T00:00:00+00:00", "kept"),
        member("b", "two.test", "2024-03-01T00:00:00+00:00"),
        member("c", "three.test", None),
    ]
    assert choose_original(members) == (members[1], "earliest published")
    undated = [
        member("a", "one.test", None, fetched="2"),
        member("b", "two.test", None, fetched="1"),
    ]
    assert choose_original(undated)[0]["id"] == "b"


def test_story_records_group_rows_by_cluster():
    rows = [member("a", "one.test", "2024-03-01", "kept"), member("b", "two.test", "2024-03-02")]
    rows += [{**member("x", "three.test", None, "kept"), "cluster": "c2", "kept": "x"}]
    stories = list(story_records(rows))
    assert [s["cluster_id"] for s in stories] == ["c1", "c2"]
    assert stories[0]["text"] == "text of a"
    assert stories[0]["original"]["url"] == "http://one.test/a"
    assert [m["id"] for m in stories[0]["members"]] == ["a", "b"]
