from crawler.state import SQLiteState
from pipelines.templates import SiteTemplates, block_key
from tests.conftest import prose


def test_block_key_ignores_case_and_punctuation():
    assert block_key("Check Also") == block_key("check also:")
    assert block_key("Check Also") != block_key("Related posts")


def test_blocks_repeated_on_enough_pages_of_a_site_are_removed(tmp_path):
    store = SQLiteState(tmp_path / "s.sqlite")
    templates = SiteTemplates(store, min_pages=3, max_chars=300)
    furniture = ["Subscribe to our newsletter for the latest news.", "Follow us on Twitter."]
    long_quote = " ".join(prose(50, paragraphs=4))  # over max_chars: never template
    results = []
    for i in range(4):
        story = prose(i, paragraphs=3)
        paragraphs = [*story, long_quote, *furniture]
        results.append(templates.strip("news.test", paragraphs))
    assert [removed for _, removed in results] == [0, 0, 2, 2]
    kept, _ = results[3]
    assert furniture[0] not in kept and long_quote in kept
    _, removed = templates.strip("other.test", [*prose(9, 2), *furniture])
    assert removed == 0
    store.close()


def test_learned_template_survives_a_new_run(tmp_path):
    furniture = ["Check Also", "Share this article on WhatsApp"]
    store = SQLiteState(tmp_path / "s.sqlite")
    templates = SiteTemplates(store, min_pages=3, max_chars=300)
    for i in range(3):
        templates.strip("news.test", [*prose(i, 2), *furniture])
    store.close()
    reopened = SiteTemplates(SQLiteState(tmp_path / "s.sqlite"), min_pages=3, max_chars=300)
    kept, removed = reopened.strip("news.test", [*prose(7, 2), *furniture])
    assert removed == 2
    assert kept == prose(7, 2)


def test_a_suffix_ending_many_titles_of_a_site_is_learned_and_removed(tmp_path):
    templates = SiteTemplates(SQLiteState(tmp_path / "s.sqlite"), min_pages=3, max_chars=300)
    titles = [f"Story number {i} about the budget | Europa" for i in range(4)]
    stripped = [templates.strip_title("news.test", title) for title in titles]
    assert stripped[:2] == titles[:2]
    assert stripped[2:] == ["Story number 2 about the budget", "Story number 3 about the budget"]
    assert templates.strip_title("news.test", "A single-part title") == "A single-part title"
    assert templates.strip_title("other.test", titles[0]) == titles[0]
    assert templates.strip_title("news.test", None) is None
