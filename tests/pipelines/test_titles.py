import pytest

from pipelines.titles import strip_site_name


@pytest.mark.parametrize(
    ("title", "site_name", "expected"),
    [
        ("Big story | The Daily", "The Daily", "Big story"),
        ("The Daily - Big story", "The Daily", "Big story"),
        ("Big story - News - The Daily", "The Daily", "Big story - News"),
        (
            "Libya: Algeria, Libya to Bolster Security",
            "AfricaWire",
            "Libya: Algeria, Libya to Bolster Security",
        ),
        ("Big story :: daily.test", None, "Big story"),
        ("Big story | DAILY", None, "Big story"),
        ("Big story — Weekly", "The Daily", "Big story — Weekly"),
    ],
)
def test_strip_site_name(title, site_name, expected):
    assert strip_site_name(title, site_name, "daily.test") == expected
