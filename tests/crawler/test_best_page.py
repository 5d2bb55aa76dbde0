"""The story rule: which page is a story's article, whatever order the pages came in."""

import numpy as np
import pytest

from crawler.best_page import (
    COMPLETE,
    CREDITED,
    EARLIEST,
    Profile,
    before,
    choose,
    name_key,
    profile_of,
    publisher_keys,
)


def hashes(*ranges: tuple[int, int]) -> np.ndarray:
    """A shingle set made of integer ranges (disjoint ranges share nothing)."""
    return np.unique(np.concatenate([np.arange(a, b, dtype=np.uint32) for a, b in ranges]))


def page(doc, shingles, published=None, site=None, credits=(), seq=0, eligible=True):
    record = {
        "url": f"http://{site or doc + '.test'}/{doc}",
        "site": site or f"{doc}.test",
        "site_name": None,
        "published": published,
        "credits": list(credits),
    }
    profile = profile_of(doc, record, len(shingles), seq)
    if not eligible:
        profile = Profile.from_json(doc, None, seq)
    return profile


def pick(*pages_and_shingles):
    members = [p for p, _ in pages_and_shingles]
    return choose(members, {p.doc: s for p, s in pages_and_shingles})


FULL = hashes((0, 500))


def test_the_credited_page_wins_whatever_its_date_and_arrival():
    credit = {"raw": "Source: Wire", "publisher": "Wire", "author": None, "original_url": None}
    reprint = page("reprint", FULL, "2024-03-01T00:00:00+00:00", credits=[credit], seq=1)
    wire = page("wire", FULL, "2024-03-02T00:00:00+00:00", site="wire.test", seq=2)
    assert pick((reprint, FULL), (wire, FULL)) == ("wire", CREDITED)


def test_a_credit_links_to_the_original_or_names_it_as_its_site_is_spelled():
    link = {
        "raw": "x",
        "publisher": None,
        "author": None,
        "original_url": "http://o.test/o?utm_source=x",
    }
    named = {"raw": "y", "publisher": "The Harbour Gazette", "author": None, "original_url": None}
    original = page("o", FULL, "2024-03-02", site="o.test")
    linking = page("c", FULL, "2024-03-01", credits=[link])
    assert pick((linking, FULL), (original, FULL)) == ("o", CREDITED)
    gazette = page("g", FULL, "2024-03-02", site="harbour-gazette.test")
    naming = page("n", FULL, "2024-03-01", credits=[named])
    assert pick((naming, FULL), (gazette, FULL)) == ("g", CREDITED)
    assert name_key("The Harbour Gazette") == name_key("harbour-gazette") == "harbourgazette"
    assert publisher_keys("wire-one.test", "Wire One") == ("wireone", "wireonetest")


def test_earliest_published_is_compared_as_instants_not_strings():
    # 16:00 at UTC+10 is 06:00 UTC, two hours before 01:00 at UTC-07 (08:00 UTC).
    east = page("east", FULL, "2025-03-03T16:00:00+10:00", seq=2)
    west = page("west", FULL, "2025-03-03T01:00:00-07:00", seq=1)
    assert pick((west, FULL), (east, FULL)) == ("east", EARLIEST)


def test_a_day_without_time_is_not_certainly_before_a_time_that_day():
    day = page("day", FULL, "2025-03-03")
    morning = page("morning", FULL, "2025-03-03T06:00:00+00:00")
    later = page("later", FULL, "2025-03-05T06:00:00+00:00")
    assert not before(day, morning) and not before(morning, day)
    assert before(day, later) and not before(later, day)


def test_undated_pages_keep_the_most_complete_text_then_a_fixed_one():
    short, long_ = hashes((0, 440), (600, 630)), hashes((0, 500))  # an edited copy, and whole
    a, b = page("a", short, seq=1), page("b", long_, seq=2)
    assert pick((a, short), (b, long_)) == ("b", COMPLETE)
    for first, second in ((1, 2), (2, 1)):  # whichever came first: the lowest id
        c, d = page("c", long_, seq=first), page("d", long_, seq=second)
        assert pick((d, long_), (c, long_)) == ("c", COMPLETE)


def test_an_excerpt_is_never_the_article_while_a_fuller_page_is_there():
    excerpt = hashes((0, 250))
    first = page("excerpt", excerpt, "2024-03-01T00:00:00+00:00")
    later = page("full", FULL, "2024-03-04T00:00:00+00:00")
    credit = {
        "raw": "via",
        "publisher": None,
        "author": None,
        "original_url": "http://excerpt.test/excerpt",
    }
    crediting = page("other", FULL, "2024-03-05T00:00:00+00:00", credits=[credit])
    assert pick((first, excerpt), (later, FULL)) == ("full", EARLIEST)
    assert pick((first, excerpt), (later, FULL), (crediting, FULL))[0] == "full"
    # An excerpt contained only in the story as a whole (two edited halves) is one too.
    halves = hashes((0, 300), (1000, 1100)), hashes((200, 500), (2000, 2100))
    one, two = page("one", halves[0], "2024-03-04"), page("two", halves[1], "2024-03-05")
    assert pick((first, excerpt), (one, halves[0]), (two, halves[1]))[0] == "one"


def test_a_padded_or_captioned_copy_gives_way_to_the_page_it_pads():
    padded = hashes((0, 500), (9000, 9040))  # a promo paragraph added
    copy = page("padded", padded, seq=1)
    original = page("original", FULL, seq=2)
    assert pick((copy, padded), (original, FULL)) == ("original", COMPLETE)
    dated = page("padded", padded, "2024-03-01T00:00:00+00:00")
    later = page("retitled", FULL, "2024-03-02T00:00:00+00:00")
    assert pick((dated, padded), (later, FULL))[0] == "padded"  # it came first: the original


def test_an_original_with_captions_its_copies_dropped_stays_the_article():
    captioned = hashes((0, 500), (7000, 7030))
    original = page("original", captioned, "2024-03-01T00:00:00+00:00", seq=2)
    copies = [page(f"c{n}", FULL, f"2024-03-0{n + 2}T00:00:00+00:00", seq=n) for n in (0, 1)]
    assert pick((original, captioned), *((c, FULL) for c in copies))[0] == "original"


def test_the_original_is_not_taken_for_a_padded_version_of_an_edited_copy():
    """Undated: the original holds a copy that cut a paragraph whole, plus that paragraph;
    a verbatim copy has it too, so it is article text, not padding."""
    cut = hashes((0, 440))
    original, edit, verbatim = page("o", FULL, seq=1), page("e", cut, seq=2), page("v", FULL, seq=3)
    assert pick((original, FULL), (edit, cut), (verbatim, FULL)) == ("o", COMPLETE)
    # Words changed in the copy: the original does not hold it nearly whole.
    edited = hashes((0, 440), (600, 620))
    assert pick((original, FULL), (page("e", edited, seq=2), edited))[0] == "o"


def test_pages_whose_fields_are_not_kept_come_last():
    legacy = page("old", FULL, "2024-03-01", eligible=False)
    new = page("new", FULL, "2024-03-05")
    assert pick((legacy, FULL), (new, FULL))[0] == "new"
    assert (
        pick(
            (legacy, FULL),
        )[0]
        == "old"
    )


@pytest.mark.parametrize("published", [None, "2024-03-01", "2024-03-01T10:00:00+02:00"])
def test_profiles_keep_what_the_rule_reads(published):
    credit = {
        "raw": "x",
        "publisher": "Wire One",
        "author": None,
        "original_url": "http://w.test/a",
    }
    record = {
        "url": "http://www.x.test/a?utm_source=feed",
        "canonical_url": "http://www.x.test/a",
        "site": "x.test",
        "site_name": "The X Times",
        "published": published,
        "credits": [credit],
    }
    profile = profile_of("a", record, 321, seq=7)
    back = Profile.from_json("a", profile.to_json(), seq=7)
    assert back == profile
    assert back.credit_names == ("wireone",) and back.credit_urls == ("http://w.test/a",)
    assert "xtimes" in back.names and back.size == 321
    assert not Profile.from_json("b", None).eligible
