from datetime import UTC, datetime

import pytest

from pipelines.dates import day_of, parse_date, url_date

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
