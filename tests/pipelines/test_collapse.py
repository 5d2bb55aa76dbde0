"""The collapse decision on each copy kind, on hard negatives, and on stories that change
as pages arrive in any order, against a real state of each backend (SQLite, and Redis on
a real server)."""

from itertools import permutations

import pytest

from crawler.fingerprint import Fingerprinter
from crawler.state import open_state
from pipelines.collapser import Collapser
from tests.conftest import prose

ORIGINAL = prose(1, paragraphs=12)


def fields(doc, published=None, credits=(), site=None):
    """A page's record fields, as the clean stage leaves them."""
    site = site or f"{doc}.test"
    return {
        "id": doc,
        "url": f"http://{site}/{doc}",
        "canonical_url": f"http://{site}/{doc}",
        "site": site,
        "title": f"Title of {doc}",
        "authors": [],
        "published": published,
        "published_source": "meta" if published else None,
        "modified": None,
        "modified_source": None,
        "language": "en",
        "site_name": None,
        "description": None,
        "tags": [],
        "text": "",
        "credits": list(credits),
        "fetched_at": "2026-11-28T10:00:00+00:00",
    }


def make(store):
    return Collapser(store, Fingerprinter(128, 0.4, 0.5), 0.7, 0.85, 40, owner="run-1")


def decide(collapser, doc, paragraphs, published=None, credits=()):
    text = "\n\n".join(paragraphs)
    page = {**fields(doc, published, credits), "text": text}
    return collapser.decide(doc, text, page)


@pytest.fixture
def collapser(store):
    collapser = make(store)
    assert decide(collapser, "original", ORIGINAL, "2024-03-01T08:00:00+00:00").match is None
    return collapser


@pytest.mark.parametrize(
    ("name", "paragraphs", "method"),
    [
        ("verbatim", ORIGINAL, "jaccard"),
        (
            "credited",
            ["Source: Reuters", *ORIGINAL, "This story first appeared on Wire."],
            "jaccard",
        ),
        ("edited", [ORIGINAL[0] + " " + ORIGINAL[1], *ORIGINAL[3:]], "jaccard"),
        ("excerpt", [*ORIGINAL[:6], "Read the full story on Wire"], "containment"),
        ("padded", [*ORIGINAL[:6], *prose(99, paragraphs=1), *ORIGINAL[6:]], "jaccard"),
    ],
)
def test_copy_kinds_are_folded(collapser, name, paragraphs, method):
    decision = decide(collapser, name, paragraphs, "2024-03-02T08:00:00+00:00")
    assert decision.match is not None
    assert decision.match.duplicate_of == "original"
    assert decision.match.method == method
    assert decision.changed == [name]  # a copy joining changes no other record


def test_follow_up_quoting_two_paragraphs_is_not_a_copy(collapser):
    follow_up = [*prose(2, paragraphs=8), ORIGINAL[3], ORIGINAL[4], *prose(3, paragraphs=2)]
    assert decide(collapser, "follow-up", follow_up).match is None


def test_different_short_articles_are_not_copies(collapser):
    assert decide(collapser, "short-a", prose(5, paragraphs=2)).match is None
    assert decide(collapser, "short-b", prose(6, paragraphs=2)).match is None


def test_a_page_seen_again_keeps_its_decision(collapser):
    assert decide(collapser, "original", ORIGINAL).match is None
    match = decide(collapser, "copy", ORIGINAL, "2024-03-03").match
    again = decide(collapser, "copy", ["entirely different text now"])
    assert again.match == match and again.changed == ["copy"]


def test_settings_that_do_not_fit_the_index_are_refused(store):
    from crawler.state import StateError

    Collapser(store, Fingerprinter(128, 0.4, 0.5), 0.7, 0.85, 40)
    with pytest.raises(StateError, match="built with"):
        Collapser(store, Fingerprinter(64, 0.4, 0.5), 0.7, 0.85, 40)


def test_a_late_bridge_joins_two_stories_and_names_their_changed_records(store):
    """Excerpt and edited copy do not match each other; the original matches both."""
    collapser = make(store)
    excerpt = ORIGINAL[:5]
    edited = [ORIGINAL[0], *ORIGINAL[5:]]  # lead kept, the excerpt's body dropped
    assert decide(collapser, "excerpt", excerpt, "2024-03-02").match is None
    assert decide(collapser, "edited", edited, "2024-03-03").match is None
    bridge = decide(collapser, "full", ORIGINAL, "2024-03-01T08:00:00+00:00")
    assert bridge.match is None  # the original: the story's article now
    assert bridge.changed[0] == "full" and set(bridge.changed) == {"full", "excerpt", "edited"}
    assert set(store.clusters_of(["excerpt", "edited", "full"]).values()) == {"excerpt"}
    for doc in ("excerpt", "edited"):
        member = store.member(doc)
        assert member is not None and member.relation == "copy" and member.method, member
    assert store.kept("excerpt") == "full"


def test_a_late_original_becomes_the_article_and_its_copies_follow(store):
    collapser = make(store)
    assert decide(collapser, "reprint", ORIGINAL, "2024-03-02T08:00:00+00:00").match is None
    copy = decide(collapser, "retitled", ORIGINAL, "2024-03-03T08:00:00+00:00")
    assert copy.match is not None and copy.match.duplicate_of == "reprint"
    late = decide(collapser, "original", ORIGINAL, "2024-03-01T08:00:00+00:00")
    assert late.match is None
    assert late.changed == ["original", "reprint", "retitled"]  # the article first
    former = store.member("reprint")
    assert former is not None and former.relation == "copy"
    assert former.method == "jaccard" and former.similarity == 1.0  # evidence of its own


def test_a_credit_names_the_original_whatever_came_first(store):
    collapser = make(store)
    credit = {"raw": "Source: Wire", "publisher": "Wire", "author": None, "original_url": None}
    assert decide(collapser, "reprint", ORIGINAL, "2024-03-01", [credit]).match is None
    page = {**fields("wire", "2024-03-02", site="wire.test"), "text": "\n\n".join(ORIGINAL)}
    late = collapser.decide("wire", page["text"], page)
    assert late.match is None and late.changed == ["wire", "reprint"]


def test_a_late_fuller_copy_replaces_an_excerpt_that_came_first(store):
    """The excerpt is the earliest published, but never the article beside a full copy."""
    collapser = make(store)
    excerpt = [*ORIGINAL[:5], "Read the full story on Wire"]
    assert decide(collapser, "excerpt", excerpt, "2024-03-01").match is None
    full = decide(collapser, "full", ORIGINAL, "2024-03-04T08:00:00+00:00")
    assert full.match is None and full.changed == ["full", "excerpt"]
    member = store.member("excerpt")
    assert member is not None and member.relation == "copy" and member.method == "containment"


def test_an_excerpt_joins_a_story_of_edited_copies_as_a_whole(store):
    """Neither edited copy contains the excerpt at the threshold; together they do."""
    collapser = make(store)
    lead, body = [reworded(p) for p in ORIGINAL[:3]], ORIGINAL[3:]
    one = [ORIGINAL[0], ORIGINAL[1], lead[2], *body]  # third paragraph reworded
    two = [lead[0], ORIGINAL[1], ORIGINAL[2], *body]  # first paragraph reworded
    assert decide(collapser, "one", one, "2024-03-02").match is None
    assert decide(collapser, "two", two, "2024-03-03").match is not None
    excerpt = decide(collapser, "excerpt", ORIGINAL[:3], "2024-03-04")
    assert excerpt.match is not None and excerpt.match.method == "story", excerpt
    assert excerpt.match.containment >= 0.85
    assert set(store.clusters_of(["one", "two", "excerpt"]).values()) == {"one"}


def reworded(paragraph: str) -> str:
    """A paragraph with every fourth word changed: none of its shingles survive."""
    words = paragraph.split()
    return " ".join(w if n % 4 else "changed" for n, w in enumerate(words))


PAGES = {
    "full": (ORIGINAL, "2024-03-01T08:00:00+00:00"),
    "excerpt": ([*ORIGINAL[:5], "Read the full story on Wire"], "2024-03-02T08:00:00+00:00"),
    "edited": ([ORIGINAL[0], *ORIGINAL[5:]], "2024-03-02T09:00:00+00:00"),
    "padded": ([*ORIGINAL[:6], *prose(99, paragraphs=1), *ORIGINAL[6:]], "2024-03-03"),
    "other": (prose(9, paragraphs=8), "2024-03-01"),
    "follow-up": ([*prose(2, paragraphs=8), ORIGINAL[3], ORIGINAL[4]], "2024-03-05"),
}


def test_the_stories_and_their_articles_do_not_depend_on_the_order(state_url):
    outcomes = set()
    for n, order in enumerate(list(permutations(PAGES))[::97]):
        url = f"{state_url}{n}" if "sqlite" in state_url else f"{state_url}?prefix=o{n}"
        store = open_state(url)
        collapser = make(store)
        for name in order:
            decide(collapser, name, *PAGES[name])
        clusters = store.clusters_of(list(PAGES))
        groups = frozenset(
            frozenset(d for d in PAGES if clusters[d] == c) for c in clusters.values()
        )
        articles = frozenset(store.kept(c) for c in set(clusters.values()))
        outcomes.add((groups, articles))
        store.close()
    assert len(outcomes) == 1, outcomes
    ((groups, articles),) = outcomes
    assert frozenset({"full", "excerpt", "edited", "padded"}) in groups
    assert articles == {"full", "other", "follow-up"}
