from crawler.clusters import story_records


def row(doc, site, article="a", cluster="c1", published=None):
    return {
        "cluster": cluster,
        "article": article,
        "why": "earliest published",
        "id": doc,
        "relation": "article" if doc == article else "copy",
        "similarity": None if doc == article else 0.9,
        "containment": None if doc == article else 1.0,
        "method": None if doc == article else "jaccard",
        "url": f"http://{site}/{doc}",
        "site": site,
        "title": f"T {doc}",
        "published": published,
        "text": f"text of {doc}",
    }


def test_story_records_group_rows_by_cluster_and_show_the_article():
    rows = [row("a", "one.test", "b", published="2024-03-02"), row("b", "two.test", "b")]
    rows += [row("x", "three.test", "x", cluster="c2")]
    stories = list(story_records(rows))
    assert [s["cluster_id"] for s in stories] == ["c1", "c2"]
    first = stories[0]
    assert first["kept"] == "b" and first["text"] == "text of b" and first["size"] == 2
    assert first["original"] == {
        "id": "b",
        "url": "http://two.test/b",
        "site": "two.test",
        "published": None,
        "why": "earliest published",
    }
    assert [(m["id"], m["relation"], m["method"]) for m in first["members"]] == [
        ("a", "copy", "jaccard"),
        ("b", "article", None),
    ]
