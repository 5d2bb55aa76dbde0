"""The collapse decision on each copy kind and on hard negatives, against a real state of
each backend (SQLite, and Redis on a real server)."""

import pytest

from crawler.state import open_state
from pipelines.collapse import Collapser
from pipelines.fingerprint import Fingerprinter
from tests.conftest import prose

ORIGINAL = prose(1, paragraphs=12)


@pytest.fixture
def collapser(store):
    collapser = Collapser(
        store, Fingerprinter(128, 0.4, 0.5), similarity=0.7, containment=0.85, min_shingles=40
    )
    assert collapser.decide("original", "\n\n".join(ORIGINAL)) is None
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
    match = collapser.decide(name, "\n\n".join(paragraphs))
    assert match is not None
    assert match.duplicate_of == "original"
    assert match.method == method


def test_follow_up_quoting_two_paragraphs_is_not_a_copy(collapser):
    follow_up = [*prose(2, paragraphs=8), ORIGINAL[3], ORIGINAL[4], *prose(3, paragraphs=2)]
    assert collapser.decide("follow-up", "\n\n".join(follow_up)) is None


def test_different_short_articles_are_not_copies(collapser):
    assert collapser.decide("short-a", "\n\n".join(prose(5, paragraphs=2))) is None
    assert collapser.decide("short-b", "\n\n".join(prose(6, paragraphs=2))) is None


def test_a_page_seen_again_keeps_its_decision(collapser):
    assert collapser.decide("original", "\n\n".join(ORIGINAL)) is None
    match = collapser.decide("copy", "\n\n".join(ORIGINAL))
    again = collapser.decide("copy", "entirely different text now")
    assert again == match


def test_settings_that_do_not_fit_the_index_are_refused(store):
    from crawler.state import StateError

    Collapser(store, Fingerprinter(128, 0.4, 0.5), 0.7, 0.85, 40)
    with pytest.raises(StateError, match="built with"):
        Collapser(store, Fingerprinter(64, 0.4, 0.5), 0.7, 0.85, 40)


def test_a_page_bridging_two_clusters_joins_them(store):
    """Excerpt and edited copy do not match each other; the full story matches both."""
    collapser = Collapser(store, Fingerprinter(128, 0.4, 0.5), 0.7, 0.85, 40)
    excerpt = "\n\n".join(ORIGINAL[:5])
    edited = "\n\n".join([ORIGINAL[0], *ORIGINAL[5:]])  # lead kept, the excerpt's body dropped
    assert collapser.decide("excerpt", excerpt) is None
    assert collapser.decide("edited", edited) is None
    match = collapser.decide("full", "\n\n".join(ORIGINAL))
    assert match is not None and match.duplicate_of == "excerpt"
    assert store.clusters_of(["excerpt", "edited", "full"]) == {
        "excerpt": "excerpt",
        "edited": "excerpt",
        "full": "excerpt",
    }
    member = store.member("edited")
    assert member is not None and member.relation == "article"  # written before the join


def test_the_clusters_do_not_depend_on_the_order(state_url):
    pages = {
        "full": ORIGINAL,
        "excerpt": ORIGINAL[:5],
        "edited": [ORIGINAL[0], *ORIGINAL[5:]],
        "other": prose(9, paragraphs=8),
        "follow-up": [*prose(2, paragraphs=8), ORIGINAL[3], ORIGINAL[4]],
    }
    partitions = []
    for n, order in enumerate([list(pages), list(reversed(pages)), sorted(pages)]):
        store = open_state(
            f"{state_url}{n}" if "sqlite" in state_url else f"{state_url}?prefix=o{n}"
        )
        collapser = Collapser(store, Fingerprinter(128, 0.4, 0.5), 0.7, 0.85, 40)
        for name in order:
            collapser.decide(name, "\n\n".join(pages[name]))
        clusters = store.clusters_of(list(pages))
        groups = {frozenset(d for d in pages if clusters[d] == c) for c in clusters.values()}
        partitions.append(groups)
        store.close()
    assert partitions[0] == partitions[1] == partitions[2]
    assert frozenset({"full", "excerpt", "edited"}) in partitions[0]
