"""Site templates on each backend (`store`/`state_url`: SQLite, and Redis on a real server)."""

from crawler.state import open_state
from pipelines.templates import SiteTemplates, block_key
from tests.conftest import prose


def test_block_key_ignores_case_and_punctuation():
    assert block_key("Check Also") == block_key("check also:")
    assert block_key("Check Also") != block_key("Related posts")


def test_blocks_repeated_on_enough_pages_of_a_site_are_removed(store):
    templates = SiteTemplates(store, min_pages=3, max_chars=300)
    furniture = ["Subscribe to our newsletter for the latest news.", "Follow us on Twitter."]
    long_quote = " ".join(prose(50, paragraphs=4))  # over max_chars: never template
    results = []
    for i in range(4):
        story = prose(i, paragraphs=3)
        paragraphs = [*story, long_quote, *furniture]
        results.append(templates.strip("news.test", f"page-{i}", paragraphs)[0])
    assert [len(kept) for kept in results] == [6, 6, 4, 4]
    assert furniture[0] not in results[3] and long_quote in results[3]
    paragraphs = [*prose(9, 2), *furniture]
    kept, blocks = templates.strip("other.test", "page-9", paragraphs)
    assert kept == paragraphs
    assert len(blocks) == 2  # the furniture: the prose paragraphs are too long to be blocks


def test_a_page_cleaned_again_does_not_make_its_own_text_template(store):
    """Revisits and repaired runs clean a page again: it still counts as one page."""
    templates = SiteTemplates(store, min_pages=3, max_chars=300)
    short = prose(3, paragraphs=5, words=12)
    title = "Budget vote delayed - Local news"
    for _ in range(4):
        assert templates.strip("news.test", "page-1", short)[0] == short
        assert templates.strip_title("news.test", "page-1", title)[0] == title
    assert templates.strip("news.test", "page-2", short)[0] == short
    assert templates.strip("news.test", "page-3", short)[0] == []  # a third page: template
    assert templates.strip("news.test", "page-1", short)[0] == []


def test_pages_of_one_story_count_as_one(store):
    """A site carrying one story under several URLs keeps its text on every one of them."""
    templates = SiteTemplates(store, min_pages=3, max_chars=300)
    furniture = ["Check Also", "Share this article on WhatsApp"]
    story = prose(3, paragraphs=5, words=12)
    for version in range(4):
        kept, blocks = templates.strip("news.test", f"v{version}", [*story, *furniture])
        assert kept == [*story, *furniture]
        if version:
            templates.same_story("news.test", f"v{version}", "v0", blocks)
    kept, _ = templates.strip("news.test", "other-1", [*prose(4, 2), *furniture])
    assert kept == [*prose(4, 2), *furniture]  # two stories so far
    kept, _ = templates.strip("news.test", "other-2", [*prose(5, 2), *furniture])
    assert kept == prose(5, 2)  # the third story: furniture


def test_learned_template_survives_a_new_run(state_url):
    furniture = ["Check Also", "Share this article on WhatsApp"]
    store = open_state(state_url)
    templates = SiteTemplates(store, min_pages=3, max_chars=300)
    for i in range(3):
        templates.strip("news.test", f"page-{i}", [*prose(i, 2), *furniture])
    store.close()
    reopened = open_state(state_url)
    kept, _ = SiteTemplates(reopened, min_pages=3, max_chars=300).strip(
        "news.test", "page-7", [*prose(7, 2), *furniture]
    )
    reopened.close()
    assert kept == prose(7, 2)


def test_a_suffix_ending_many_titles_of_a_site_is_learned_and_removed(store):
    templates = SiteTemplates(store, min_pages=3, max_chars=300)
    titles = [f"Story number {i} about the budget | Europa" for i in range(4)]
    stripped = [templates.strip_title("news.test", f"page-{i}", t)[0] for i, t in enumerate(titles)]
    assert stripped[:2] == titles[:2]
    assert stripped[2:] == ["Story number 2 about the budget", "Story number 3 about the budget"]
    single = "A single-part title"
    assert templates.strip_title("news.test", "page-5", single) == (single, [])
    assert templates.strip_title("other.test", "page-0", titles[0])[0] == titles[0]
    assert templates.strip_title("news.test", "page-6", None) == (None, [])


def test_a_prefix_starting_many_titles_of_a_site_is_learned_but_not_a_kicker(store):
    """ "Daily Post - Print - Headline": a site's part before the headline is learned as its
    end is; a kicker before a colon is not, however often the site writes it."""
    templates = SiteTemplates(store, min_pages=3, max_chars=300)
    titles = [f"Daily Post - Print - Story {i} about the budget | Europa" for i in range(4)]
    kickers = [f"Live: Story {i} about the vote" for i in range(4)]
    stripped = [templates.strip_title("news.test", f"p-{i}", t)[0] for i, t in enumerate(titles)]
    kept = [templates.strip_title("news.test", f"k-{i}", t)[0] for i, t in enumerate(kickers)]
    assert stripped[:2] == titles[:2]
    assert stripped[2:] == ["Print - Story 2 about the budget", "Print - Story 3 about the budget"]
    assert kept == kickers
    # A title of one headline and the repeated part alone keeps the headline.
    assert templates.strip_title("news.test", "p-9", "Daily Post - Budget")[0] == "Budget"


def test_a_place_showing_other_text_on_every_page_is_learned(state_url):
    """A section label over the story changes from page to page; its place does not. It
    is learned on the third page, and a new run removes it from its first page."""
    store = open_state(state_url)
    templates = SiteTemplates(store, min_pages=3, max_chars=300)
    labels = ["WORLD", "SPORT", "CULTURE", "POLITICS"]
    kept = []
    for i, label in enumerate(labels[:3]):
        places = {label: "top:div.content > p.kicker"}
        kept.append(templates.strip("news.test", f"page-{i}", [label, *prose(i, 2)], places)[0])
    assert [k[0] for k in kept] == ["WORLD", "SPORT", prose(2, 2)[0]]
    # Text in another place, or with no place, stays.
    other = {"POLITICS": "top:div.content > p.standfirst"}
    assert (
        templates.strip("news.test", "page-8", ["POLITICS", *prose(8, 2)], other)[0][0]
        == "POLITICS"
    )
    store.close()
    reopened = open_state(state_url)
    places = {"POLITICS": "top:div.content > p.kicker"}
    kept_now, _ = SiteTemplates(reopened, min_pages=3, max_chars=300).strip(
        "news.test", "page-9", ["POLITICS", *prose(9, 2)], places
    )
    reopened.close()
    assert kept_now == prose(9, 2)
