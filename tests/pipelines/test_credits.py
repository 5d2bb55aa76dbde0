import pytest

from pipelines.credits import parse_credit_line, split_credits


@pytest.mark.parametrize(
    ("line", "publisher", "author"),
    [
        ("Article by Walid Ramzi, allAfrica.", "allAfrica", "Walid Ramzi"),
        ("This article was originally published here.", None, None),
        ("This story first appeared on AfricaWire.", "AfricaWire", None),
        ("Source: Reuters", "Reuters", None),
        ("Read the full story on AfricaWire", "AfricaWire", None),
        ("© 2013 AfricaWire. All rights reserved.", "AfricaWire", None),
    ],
)
def test_credit_lines(line, publisher, author):
    credit = parse_credit_line(line)
    assert credit is not None
    assert credit.publisher == publisher
    assert credit.author == author
    assert credit.raw == line


@pytest.mark.parametrize(
    "line",
    [
        "Source: The ministry said the talks would continue into next week.",
        "He added that the army had seized sophisticated weapons.",
        "The article by the minister was published in the official gazette last year, "
        "prompting a debate that lasted for months across the whole region and beyond.",
    ],
)
def test_prose_is_not_a_credit(line):
    assert parse_credit_line(line) is None


def test_split_credits_takes_head_and_tail_only_and_keeps_link():
    paragraphs = [
        "ALGIERS (allAfrica) - Chaos in Libya has prompted action.",
        "Second paragraph.",
        "Source: Reuters",  # in the middle of a long text: prose position, kept
        *[f"Body paragraph {i}." for i in range(6)],
        "Article by Walid Ramzi, allAfrica.",
        "This article was originally published here.",
    ]
    links = {"This article was originally published here.": "http://origin.test/story"}
    kept, credits = split_credits(paragraphs, links)
    assert kept[0] == "Chaos in Libya has prompted action."
    assert "Source: Reuters" in kept
    assert kept[-1] == "Body paragraph 5."
    assert [c.publisher for c in credits] == ["allAfrica", "allAfrica", None]
    assert credits[0].raw == "ALGIERS (allAfrica) -"
    assert credits[2].original_url == "http://origin.test/story"


def test_a_dateline_after_a_standfirst_is_found():
    paragraphs = [
        "A standfirst that sums the story up.",
        "ALGIERS (allAfrica) - Chaos in Libya.",
        "x",
    ]
    kept, credits = split_credits(paragraphs)
    assert kept[:2] == ["A standfirst that sums the story up.", "Chaos in Libya."]
    assert [c.publisher for c in credits] == ["allAfrica"]
