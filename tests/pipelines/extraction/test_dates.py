from datetime import UTC, datetime

import pytest
from lxml import html

from pipelines.extraction.dates import (
    PageOrder,
    byline_date,
    day_of,
    numeric_order,
    parse_date,
    text_date,
    title_date,
    url_date,
)

NOW = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-12-09T08:15:00+00:00", "2023-12-09T08:15:00+00:00"),
        ("2023-12-09T08:15:00Z", "2023-12-09T08:15:00+00:00"),
        ("2023-12-09T08:15:00.123-05:00", "2023-12-09T08:15:00-05:00"),
        ("2023-12-09T08:15:00", "2023-12-09T08:15:00+00:00"),
        ("Tue, 10 Dec 2013 06:00:00 +0000", "2013-12-10T06:00:00+00:00"),
        ("2013-12-10", "2013-12-10"),
        ("9 December 2013", "2013-12-09"),
    ],
)
def test_parse_date_formats(value, expected):
    assert parse_date(value, NOW) == expected


@pytest.mark.parametrize("value", ["", None, "yesterday-ish", "2030-01-01", "1970-01-01T00:00:00Z"])
def test_parse_date_refuses_unreadable_and_implausible(value):
    assert parse_date(value, NOW) is None


def test_day_of():
    assert day_of("2013-12-10T06:00:00+00:00") == "2013-12-10"
    assert day_of(None) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://a.test/2013/12/10/story/", "2013-12-10"),
        ("http://a.test/news/2013-12-10-story", "2013-12-10"),
        ("http://a.test/20131210/story", "2013-12-10"),
        ("http://a.test/a-65464327", None),
        ("http://a.test/A2026012914320005196", None),
        ("http://a.test/2013/13/10/", None),
        ("http://a.test/2024/02/30/x", None),
        ("http://a.test/x?date=2013/12/10", None),
    ],
)
def test_url_date(url, expected):
    assert url_date(url) == expected


@pytest.mark.parametrize(
    ("text", "order"),
    [
        ("Publié le 25/03/2024 à 10h02", "dmy"),
        ("Posted 03/25/2024", "mdy"),
        ("Posted 04/09/2025 03:15 PM", "mdy"),  # a 12-hour clock: month first
        ("Gepubliceerd 04-09-2025, bijgewerkt 17-09-2025", "dmy"),
        ("04.09.2025", None),
        ("Posted 03/25/2024, archived 25/03/2024", None),  # disagreeing: nothing settled
        ("Score 3/4 at 10:15 PM", None),  # no year: not a date
    ],
)
def test_numeric_order(text, order):
    assert numeric_order(text) == order


def test_url_date_with_a_folder_per_day_of_the_year():
    assert url_date("http://tribune.test/news/2025/0409/story88.htm") == "2025-04-09"
    assert url_date("http://tribune.test/news/2025/1399/story88.htm") is None


def legacy(left: str, main: str) -> html.HtmlElement:
    """A two-column table page: a left column of widgets beside the story cell."""
    story = " ".join(["The council met for five hours before the budget passed."] * 8)
    return html.fromstring(
        f"<html><body><table><tr><td>{left}</td><td>{main}<p>{story}</p></td></tr></table>"
        "<div>© 2025 The Tribune</div></body></html>"
    )


FETCHED = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("left", "main", "expected"),
    [
        # A widget in the column before the story shows another day than the byline.
        (
            "<div>Sunday, 11 May 2025</div>",
            "<font size=5><b>Budget passes</b></font><br><i>By Ann Lee</i><br>"
            "<font size=2>Friday, March 28, 2025</font>",
            "2025-03-28",
        ),
        # A US site: month first, as its 12-hour clock says.
        ("", "<b>Budget passes</b><br>By Ann Lee<br>04/09/2025 03:15 PM", "2025-04-09"),
        # A day-first site: the headlines column shows a date with a day over 12.
        (
            "<a href='/a'>Fire at the market</a> 17/04/2025",
            "<b>Budget passes</b><br>Par Anne Roux - 04/09/2025",
            "2025-09-04",
        ),
        # The widget above the headline, in the story cell itself; an update line passed over.
        (
            "",
            "<font size=1>Montag, 12. Mai 2025</font><br><b>Budget passes</b><br>"
            "Aktualisiert 2. April 2025<br>Veröffentlicht 1. April 2025",
            "2025-04-01",
        ),
    ],
)
def test_text_date_reads_the_byline_after_the_headline(left, main, expected):
    tree = legacy(left, main)
    assert text_date(tree, "http://tribune.test/a/1.html", "Budget passes", FETCHED) == expected


def test_the_visit_day_in_a_widget_is_refused_when_no_headline_shows():
    widget = "<div>Monday, 7 December 2026</div>"
    tree = legacy(widget, "<p>No headline here.</p>")
    assert text_date(tree, "http://tribune.test/a/1.html", "Budget passes", FETCHED) is None
    # The visit day written as a byline (no weekday widget) is a same-day story's date.
    tree = legacy("", "<p>Posted 7 December 2026</p>")
    assert text_date(tree, "http://tribune.test/a/1.html", "Budget passes", FETCHED) == "2026-12-07"


def test_a_date_in_a_short_first_paragraph_is_not_the_byline_date():
    order = PageOrder(html.fromstring("<html><body></body></html>"))
    story = ["By Ann Lee", "The council met on 3 March 2025 to vote on it.", "12 March 2025"]
    assert byline_date(story, order) is None
    assert byline_date(["By Ann Lee", "12 March 2025", *story[1:]], order) == "2025-03-12"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("<title>Ziele, Chancen, Risiken | Europa | DW | 28.04.2023</title>", "2023-04-28"),
        ('<title>Site</title><meta property="og:title" content="Vote | 03/04/2024">', "2024-04-03"),
        ("<title>Floods of 12.03.2024 remembered | Site</title>", None),  # inside the headline
        ("<title>28.04.2023 | Site</title>", None),  # the first part is the headline's place
        ("<title>Budget vote | Site</title>", None),
    ],
)
def test_a_date_the_title_carries_as_a_part_of_its_own(head, expected):
    tree = html.document_fromstring(f"<html><head>{head}</head><body><p>Text</p></body></html>")
    assert title_date(tree) == expected
